"""The referral document a package carries: the desk's own referral detail, verbatim."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from grace.referrals import referral_detail


def referral_document(session: Session, referral_id: int) -> dict[str, Any]:
    """Everything the receiving agency needs to act: mapped referral, people, accounts,
    identifiers, IP events, files with media status, routing evidence, priority explanation
    and links; the same detail the desk shows, so the two never disagree."""
    detail = referral_detail(session, referral_id)
    if detail is None:
        raise LookupError(f"no referral with id {referral_id}")
    return detail


def manifest_entry(detail: dict[str, Any]) -> dict[str, Any]:
    """The referral's summary as the manifest lists it (the full document is a member)."""
    keys = ("id", "external_id", "esp_name", "incident_type", "agency", "country_of_action")
    entry = {key: detail.get(key) for key in keys}
    explanation = detail.get("priority_explanation") or {}
    entry["priority"] = explanation.get("score", detail.get("priority"))
    return entry
