"""/api/v1/referrals: the scoped, filtered, paged queue and one referral's full detail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from grace.api.common import (
    IsoTime,
    Limit,
    PageNo,
    ReferralId,
    Text,
    Worker,
    WorkspaceDep,
    utc,
)
from grace.api.models import ReferralDetail, ReferralPage
from grace.referrals import ReferralFilters, count_referrals, list_referrals, referral_detail
from grace.web.auth import record_view, referral_in_scope, referral_scope

router = APIRouter(tags=["referrals"])
Sort = Literal[
    "priority", "-received_at", "received_at", "-incident_at", "incident_at", "id", "-id"
]
Priority = Annotated[float | None, Query(ge=0, le=1000)]


@router.get("/referrals", response_model=ReferralPage)
def referrals(
    workspace: WorkspaceDep,
    principal: Worker,
    agency: Text = None,
    status: Text = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
    esp: Text = None,
    priority_min: Priority = None,
    priority_max: Priority = None,
    received_from: IsoTime = None,
    received_to: IsoTime = None,
    incident_from: IsoTime = None,
    incident_to: IsoTime = None,
    escalated: bool | None = None,
    sort: Sort = "priority",
    page: PageNo = 1,
    limit: Limit = 50,
) -> dict[str, Any]:
    """Referrals you may see (your agency's; all for the coordinator and admins), filtered.

    Times are ISO 8601 (UTC when no offset is given); ``*_to`` bounds are exclusive.
    Sort ``priority`` puts the highest first and unscored referrals last.
    """
    filters = ReferralFilters(
        agency=agency,
        status=status,
        country=country,
        esp=esp,
        priority_min=priority_min,
        priority_max=priority_max,
        received_from=utc(received_from),
        received_to=utc(received_to),
        incident_from=utc(incident_from),
        incident_to=utc(incident_to),
        escalated=escalated,
    )
    scope = referral_scope(principal)
    with workspace.sessions() as session:
        total = count_referrals(session, scope, filters)
        items = list_referrals(session, limit, (page - 1) * limit, scope, filters, sort)
    return {"total": total, "page": page, "limit": limit, "items": items}


@router.get("/referrals/{referral_id}", response_model=ReferralDetail)
def referral(workspace: WorkspaceDep, principal: Worker, referral_id: ReferralId) -> dict[str, Any]:
    """Everything about one referral (audited as a view). 404 when missing or not yours."""
    with workspace.sessions.begin() as session:
        referral_in_scope(session, principal, referral_id)
        detail = referral_detail(session, referral_id, referral_scope(principal)) or {}
        record_view(
            session, workspace, principal, "referral", str(referral_id), details={"via": "api"}
        )
    detail["ingest_warnings"] = detail.pop("warnings")
    detail["warnings"] = len(detail["ingest_warnings"])
    return detail
