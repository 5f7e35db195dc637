"""The queue page: referrals by priority, filters, pages, keyboard navigation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from grace.desk.queue import PAGE_SIZE, filter_options, kept, queue_filters, queue_page
from grace.web.auth import Principal, current_principal, referral_scope
from grace.web.deps import get_workspace
from grace.web.pages.render import render
from grace.workspace import Workspace

router = APIRouter()
Text = Annotated[str, Query(max_length=200)]


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    workspace: Annotated[Workspace, Depends(get_workspace)],
    principal: Annotated[Principal, Depends(current_principal)],
    agency: Text = "",
    status: Text = "",
    country: Text = "",
    esp: Text = "",
    min_priority: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    filters = queue_filters(agency, status, country, esp, min_priority)
    scope = referral_scope(principal)
    with workspace.sessions() as session:
        total, rows = queue_page(session, scope, filters, page)
        options = filter_options(session, scope)
    context = {
        "principal": principal,
        "rows": rows,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "filters": filters,
        "keep": kept(filters),
        "options": options,
    }
    return render(request, "queue.html", context)
