"""The audit log page (auditors: every agency's events) and the team exposure panel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from grace.desk.exposure import team_exposure
from grace.store.tables import AuditEvent
from grace.web.auth import Principal, require_roles
from grace.web.deps import get_workspace
from grace.web.pages.render import AUDIT_ROLES, TEAM_ROLES, render
from grace.workspace import Workspace

router = APIRouter()
PAGE_SIZE = 100
Text = Annotated[str, Query(max_length=200)]


@router.get("/audit", response_class=HTMLResponse)
def audit_log(
    request: Request,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(require_roles(*AUDIT_ROLES))],
    actor: Text = "",
    action: Text = "",
    object_id: Text = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """Newest first; filters match exactly (actor, action, object id)."""
    where = []
    if actor:
        where.append(AuditEvent.actor == actor)
    if action:
        where.append(AuditEvent.action == action)
    if object_id:
        where.append(AuditEvent.object_id == object_id)
    with workspace.sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(*where)
                .order_by(AuditEvent.seq.desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE)
            )
        )
        actions = list(session.scalars(select(AuditEvent.action).distinct().order_by("action")))
    keep = {
        k: v for k, v in {"actor": actor, "action": action, "object_id": object_id}.items() if v
    }
    context = {
        "principal": principal,
        "events": events,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "keep": keep,
        "actions": actions,
    }
    return render(request, "audit.html", context)


@router.get("/exposure", response_class=HTMLResponse)
def exposure_panel(
    request: Request,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(require_roles(*TEAM_ROLES))],
) -> HTMLResponse:
    """Items each member of the team revealed today (supervisors: their agency)."""
    agency = None if principal.sees_all else principal.agency
    with workspace.sessions() as session:
        team = team_exposure(session, agency)
    context = {"principal": principal, "team": team, "agency": agency}
    return render(request, "exposure.html", context)
