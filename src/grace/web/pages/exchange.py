"""The exchange pages: the inbox (packages other nodes sent), the outbox (what went where,
receipts, outcomes back) and the outcome form of the referral page.

Scoped like the API (``grace.desk.exchange``): an analyst sees the rows of their agency's
referrals; the coordinator and admins see every row. The outcome form is a plain HTML
form with the session's CSRF token, recorded and audited by ``record_outcome``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from grace.desk.exchange import inbox_packages, outbox_rows
from grace.exchange.node import ExchangeError
from grace.exchange.outcomes import record_outcome
from grace.web.auth import Principal, referral_in_scope, referral_scope, require_roles
from grace.web.deps import get_workspace
from grace.web.pages.render import MEDIA_ROLES, render
from grace.workspace import Workspace

router = APIRouter()
Desk = Annotated[Principal, Depends(require_roles(*MEDIA_ROLES))]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
Limit = Annotated[int, Query(ge=1, le=1000)]
MAX_REASON = 2000


@router.get("/exchange/inbox", response_class=HTMLResponse)
def inbox_page(
    request: Request, workspace: WorkspaceDep, principal: Desk, limit: Limit = 200
) -> HTMLResponse:
    with workspace.sessions() as session:
        packages = inbox_packages(session, referral_scope(principal), principal.sees_all, limit)
    return render(request, "exchange_inbox.html", {"principal": principal, "packages": packages})


@router.get("/exchange/outbox", response_class=HTMLResponse)
def outbox_page(
    request: Request, workspace: WorkspaceDep, principal: Desk, limit: Limit = 200
) -> HTMLResponse:
    with workspace.sessions() as session:
        rows = outbox_rows(session, referral_scope(principal), principal.sees_all, limit)
    return render(request, "exchange_outbox.html", {"principal": principal, "rows": rows})


@router.post("/referrals/{referral_id}/outcome", response_model=None)
async def outcome_form(
    request: Request,
    referral_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    workspace: WorkspaceDep,
    principal: Desk,
) -> RedirectResponse:
    """Record this agency's outcome (sent back to the referral's sender by ``grace send
    --outcomes``); a not-actionable outcome needs its reason."""
    form = await request.form(max_files=0, max_fields=10)
    outcome, reason = form.get("outcome"), form.get("reason")
    text = reason.strip()[:MAX_REASON] if isinstance(reason, str) and reason.strip() else None
    await run_in_threadpool(
        _store, workspace, principal, referral_id, outcome if isinstance(outcome, str) else "", text
    )
    return RedirectResponse(f"/referrals/{referral_id}?outcome=1#outcomes", status_code=303)


def _store(
    workspace: Workspace, principal: Principal, referral_id: int, outcome: str, reason: str | None
) -> None:
    with workspace.sessions() as session:
        referral_in_scope(session, principal, referral_id)
    try:
        record_outcome(workspace, referral_id, outcome, reason, principal.actor)
    except ExchangeError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
