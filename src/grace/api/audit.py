"""/api/v1/audit: the audit trail. Admins, auditors and the coordinator read every event;
a supervisor reads their own agency's (``grace.web.audit_view`` says which those are)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from grace.api.common import Limit, PageNo, Text, WorkspaceDep
from grace.api.models import AuditPage
from grace.web.audit_view import AUDIT_READERS, AuditFilters, audit_page
from grace.web.auth import Principal, require_roles

router = APIRouter(tags=["audit"])
Reader = Annotated[Principal, Depends(require_roles(*AUDIT_READERS))]


@router.get("/audit", response_model=AuditPage)
def audit_log(
    workspace: WorkspaceDep,
    principal: Reader,
    actor: Text = None,
    action: Text = None,
    object_type: Text = None,
    object_id: Text = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO time, inclusive")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO time, exclusive")] = None,
    page: PageNo = 1,
    limit: Limit = 50,
) -> dict[str, Any]:
    """Audit events in your scope, newest first. Times compare as the stored ISO strings
    (UTC). Supervisors see the events of their agency's users and about its referrals."""
    filters = AuditFilters(actor, action, object_type, object_id, since, until)
    with workspace.sessions() as session:
        total, rows = audit_page(session, principal, filters, page, limit)
        items = [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "details": e.details,
            }
            for e in rows
        ]
    return {"total": total, "page": page, "limit": limit, "items": items}
