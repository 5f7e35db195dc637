"""The sign-in page; the form posts to the login handler in ``grace.web.auth``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from grace.web.pages.render import render

router = APIRouter()
ERRORS = {
    "invalid": "Wrong user name or password.",
    "locked": "Too many failed sign-ins: wait 15 minutes and try again.",
}


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    next: Annotated[str, Query(max_length=500)] = "/",
    error: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/"
    message = ERRORS.get(error, "Sign-in failed." if error else "")
    return render(request, "login.html", {"next": safe_next, "error": message})
