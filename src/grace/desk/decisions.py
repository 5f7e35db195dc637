"""Recording an analyst's decision on a referral, with a category per media item.

One function for the web form and any other caller, so the decision row and the referral's
status are always written together, in the caller's (audited) transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.intel_tables import Decision
from grace.store.tables import Referral, ReferralFile

LABELS = ("urgent", "actionable", "not_actionable", "needs_information")
MEDIA_CATEGORIES = ("", "0", "1", "2", "3", "4")
"""Project VIC (US) codes an analyst may give an item; empty means "not categorised"."""


class DecisionError(ValueError):
    """The decision is malformed; the message says which field."""


def add_decision(
    session: Session,
    actor: str,
    referral_id: int,
    label: str,
    notes: str | None = None,
    categories: dict[str, str] | None = None,
) -> Decision:
    """Add the decision and mark the referral decided, in the caller's transaction.

    The caller audits it (action ``decide``) in the same transaction, so the decision and
    its audit event commit or fail together.
    """
    if label not in LABELS:
        raise DecisionError(f"decision must be one of {', '.join(LABELS)}")
    chosen = {sha: code for sha, code in (categories or {}).items() if code}
    if any(code not in MEDIA_CATEGORIES for code in chosen.values()):
        raise DecisionError(f"media category must be one of {', '.join(MEDIA_CATEGORIES[1:])}")
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise DecisionError(f"no referral with id {referral_id}")
    _check_items(session, referral_id, chosen)
    data: dict[str, Any] = {"media_categories": chosen, "scheme": "projectvic-us"}
    row = Decision(
        referral_id=referral_id,
        label=label,
        actor=actor,
        at=datetime.now(UTC),
        notes=(notes or "").strip()[:5000] or None,
        data=data,
    )
    session.add(row)
    referral.status = "decided"
    session.flush()
    return row


def _check_items(session: Session, referral_id: int, chosen: dict[str, str]) -> None:
    """Categories may only name items of this referral."""
    if not chosen:
        return
    own = set(
        session.scalars(select(ReferralFile.sha256).where(ReferralFile.referral_id == referral_id))
    )
    stray = sorted(set(chosen) - own)
    if stray:
        raise DecisionError(f"media item {stray[0][:16]}… is not part of referral {referral_id}")
