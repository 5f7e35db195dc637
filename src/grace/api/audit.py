"""/api/v1/audit: the audit trail, for auditors and admins (every agency's events)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, func, select

from grace.api.common import Auditor, Limit, PageNo, Text, WorkspaceDep
from grace.api.models import AuditPage
from grace.store.tables import AuditEvent

router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=AuditPage)
def audit_log(
    workspace: WorkspaceDep,
    _principal: Auditor,
    actor: Text = None,
    action: Text = None,
    object_type: Text = None,
    object_id: Text = None,
    since: Annotated[str | None, Query(max_length=40, description="ISO time, inclusive")] = None,
    until: Annotated[str | None, Query(max_length=40, description="ISO time, exclusive")] = None,
    page: PageNo = 1,
    limit: Limit = 50,
) -> dict[str, Any]:
    """Audit events, newest first. Times compare as the stored ISO strings (UTC)."""
    where: list[ColumnElement[bool]] = []
    for column, value in (
        (AuditEvent.actor, actor),
        (AuditEvent.action, action),
        (AuditEvent.object_type, object_type),
        (AuditEvent.object_id, object_id),
    ):
        if value is not None:
            where.append(column == value)
    if since is not None:
        where.append(AuditEvent.at >= since)
    if until is not None:
        where.append(AuditEvent.at < until)
    with workspace.sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
        rows = session.scalars(
            select(AuditEvent)
            .where(*where)
            .order_by(AuditEvent.seq.desc())
            .offset((page - 1) * limit)
            .limit(limit)
        ).all()
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
