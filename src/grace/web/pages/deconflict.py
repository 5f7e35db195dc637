"""The deconfliction alerts page: which of this agency's referrals share a kind of strong
identifier with another agency's referral, and that agency's reference to ask about.

Scoped like referrals (an analyst sees their agency's; admins and the coordinator's
all-seeing roles everything); read-only, so no form and no write lock. The identifier's
value is never known here (``grace.desk.deconflict``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from grace.desk.deconflict import MAX_ROWS, scoped_notices
from grace.web.auth import Principal, referral_scope, require_roles
from grace.web.deps import get_workspace
from grace.web.pages.render import MEDIA_ROLES, render
from grace.workspace import Workspace

router = APIRouter()
Desk = Annotated[Principal, Depends(require_roles(*MEDIA_ROLES))]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


@router.get("/deconflict/alerts", response_class=HTMLResponse)
def alerts_page(
    request: Request,
    workspace: WorkspaceDep,
    principal: Desk,
    referral: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    with workspace.sessions() as session:
        rows = scoped_notices(session, referral_scope(principal), referral, MAX_ROWS)
    context = {"principal": principal, "alerts": rows, "referral": referral}
    return render(request, "deconflict_alerts.html", context)
