"""The media wall of one referral: categorised items hidden, the rest blurred."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse

from grace.desk.wall import wall_items
from grace.referrals import referral_detail
from grace.web.auth import (
    Principal,
    record_view,
    referral_in_scope,
    referral_scope,
    require_roles,
)
from grace.web.deps import get_workspace
from grace.web.pages.render import MEDIA_ROLES, render
from grace.workspace import Workspace

router = APIRouter()


@router.get("/referrals/{referral_id}/media", response_class=HTMLResponse)
def media_wall(
    request: Request,
    referral_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(require_roles(*MEDIA_ROLES))],
) -> HTMLResponse:
    with workspace.sessions.begin() as session:
        referral_in_scope(session, principal, referral_id)
        detail = referral_detail(session, referral_id, referral_scope(principal))
        items = wall_items(session, referral_id)
        record_view(
            session,
            workspace,
            principal,
            "referral",
            str(referral_id),
            details={"via": "media wall", "items": len(items)},
        )
    workspace.audit.save_anchor()
    context = {"principal": principal, "r": detail, "items": items, "large": True}
    return render(request, "media.html", context)
