"""The sign-in page; the form posts to the login handler in ``grace.web.auth``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from grace.web.i18n import N_, gettext
from grace.web.pages.render import page_language, render

router = APIRouter()
ERRORS = {
    "invalid": N_("Wrong user name or password."),
    "locked": N_("Too many failed sign-ins: wait 15 minutes and try again."),
    "failed": N_("Sign-in failed."),
}


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    next: Annotated[str, Query(max_length=500)] = "/",
    error: Annotated[str, Query(max_length=200)] = "",
    username: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    safe_next = next if next.startswith("/") and not next.startswith("//") else "/"
    message = ERRORS.get(error, ERRORS["failed"] if error else "")
    language = page_language(request, None)
    context = {"next": safe_next, "error": gettext(language, message) if message else ""}
    return render(request, "login.html", {**context, "username": username if error else ""})
