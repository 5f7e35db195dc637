"""The audit log page (auditors: every agency's events; supervisors: their agency's) and
the team exposure panel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from grace.desk.exposure import team_exposure
from grace.web.audit_view import AuditFilters, audit_actions, audit_page
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
    """Newest first; filters match exactly (actor, action, object id). Supervisors see
    their agency's events only, as in the API (``grace.web.audit_view``)."""
    filters = AuditFilters(actor=actor, action=action, object_id=object_id)
    with workspace.sessions() as session:
        total, events = audit_page(session, principal, filters, page, PAGE_SIZE)
        actions = audit_actions(session, principal)
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
