"""The referral page (everything known about one referral) and its decision form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from grace.desk.decisions import (
    LABELS,
    MEDIA_CATEGORIES,
    DecisionError,
    add_decision,
)
from grace.desk.deconflict import scoped_notices
from grace.desk.detail import link_graph
from grace.desk.exchange import desk_history
from grace.desk.priority import priority_context
from grace.desk.wall import wall_items
from grace.exchange.outcomes import OUTCOMES
from grace.referrals import referral_detail
from grace.store.locks import hold_write_lock
from grace.web.auth import (
    Principal,
    current_principal,
    record_view,
    referral_in_scope,
    referral_scope,
    require_roles,
)
from grace.web.deps import get_workspace
from grace.web.pages.render import MEDIA_ROLES, render
from grace.workspace import Workspace

router = APIRouter()
ReferralId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MAX_FORM_FIELDS = 500


@router.get("/referrals/{referral_id}", response_class=HTMLResponse)
def referral_page(
    request: Request,
    referral_id: ReferralId,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(current_principal)],
) -> HTMLResponse:
    with workspace.sessions.begin() as session:
        referral_in_scope(session, principal, referral_id)
        detail = referral_detail(session, referral_id, referral_scope(principal))
        assert detail is not None  # referral_in_scope raised 404 otherwise
        context = {
            "principal": principal,
            "r": detail,
            "graph": link_graph(referral_id, detail["links"]),
            "priority_context": priority_context(session, referral_scope(principal), detail),
            "items": wall_items(session, referral_id),
            "labels": LABELS,
            "media_categories": MEDIA_CATEGORIES,
            "decided": request.query_params.get("decided") == "1",
            "exchange": desk_history(session, referral_id),
            "outcome_kinds": OUTCOMES,
            "outcome_recorded": request.query_params.get("outcome") == "1",
            "deconflict": scoped_notices(session, referral_scope(principal), referral_id, 50),
        }
        record_view(
            session, workspace, principal, "referral", str(referral_id), details={"via": "web"}
        )
    workspace.audit.save_anchor()
    return render(request, "referral.html", context)


@router.post("/referrals/{referral_id}/decision", response_model=None)
async def decide(
    request: Request,
    referral_id: ReferralId,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(require_roles(*MEDIA_ROLES))],
) -> RedirectResponse:
    """The decision form (a plain HTML form: it works without JavaScript)."""
    form = await _form(request)
    await run_in_threadpool(_store, workspace, principal, referral_id, form)
    return RedirectResponse(f"/referrals/{referral_id}?decided=1#decision", status_code=303)


def _store(
    workspace: Workspace, principal: Principal, referral_id: int, form: dict[str, str]
) -> None:
    """Decision and its ``decide`` audit event, in one transaction."""
    categories = {
        key.removeprefix("category-"): value
        for key, value in form.items()
        if key.startswith("category-") and value
    }
    try:
        with workspace.sessions.begin() as session:
            hold_write_lock(session)  # before the decision's rows: see grace.store.locks
            referral_in_scope(session, principal, referral_id)
            row = add_decision(
                session,
                principal.actor,
                referral_id,
                form.get("label", ""),
                form.get("notes"),
                categories,
            )
            details = {"label": row.label, "decision_id": row.id, "media_categories": categories}
            record_view(
                session, workspace, principal, "referral", str(referral_id), "decide", details
            )
    except DecisionError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc


async def _form(request: Request) -> dict[str, str]:
    """The submitted fields (text only; the CSRF check may already have parsed them)."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)
    return {key: value for key, value in form.items() if isinstance(value, str)}
