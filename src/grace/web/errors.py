"""Every error is JSON ``{"error": "..."}`` with a clear message; bad input is a 4xx.

Pages that need a signed-in user redirect to the login page instead of answering 401, and a
browser asking for a page (``Accept: text/html``, not under ``/api``) gets the same message as
a small HTML page with a way back to the queue, rather than raw JSON.
"""

from __future__ import annotations

import logging
import os
from html import escape
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match

from grace.web.auth import LoginRequired
from grace.web.headers import NO_STORE, SECURITY_HEADERS

log = logging.getLogger("grace.web")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _busy)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def _http_error(request: Request, exc: HTTPException) -> Response:
    message = exc.detail if isinstance(exc.detail, str) else "request failed"
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(exc.headers or {}), "Allow": _allowed_methods(request)}
    if _wants_page(request):
        return HTMLResponse(_page(exc.status_code, message), exc.status_code, headers=headers)
    return JSONResponse({"error": message}, exc.status_code, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers. Starlette's 405 names only the first route that
    matched the path, so ``GET`` and ``POST`` on one path would each hide the other."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, BaseRoute) and route.matches(request.scope)[0] != Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Not allowed",
          409: "Conflict", 422: "Not a valid address", 429: "Too many requests"}


def _page(status: int, message: str) -> str:
    """A small page in the desk's frame: the header's links, the message, a way on."""
    title = TITLES.get(status, "Error")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{status} {title} · grace</title>"
        '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
        '<link rel="stylesheet" href="/static/grace.css"></head><body>'
        '<header class="top"><a href="/" class="brand">grace</a> '
        '<span class="muted-inv">referral desk</span>'
        '<nav class="main-nav" aria-label="main"><a href="/">Queue</a>'
        '<a href="/dashboard">Dashboard</a><a href="/login">Sign in</a></nav></header>'
        f'<main id="main" class="error-page"><h1>{status} · {title}</h1><p>{escape(message)}</p>'
        '<p><a href="/">back to the queue</a></p></main></body></html>'
    )


def _invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = [_describe(e) for e in exc.errors()]
    message = "invalid request: " + "; ".join(problems[:5])
    if _wants_page(request):  # e.g. /referrals/abc typed in the address bar
        return HTMLResponse(_page(422, message), 422)
    return JSONResponse({"error": message}, 422)


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",))
    return f"{where}: {error.get('msg', 'invalid')}"


def _login_required(_request: Request, exc: LoginRequired) -> Response:
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)


def _conflict(_request: Request, _exc: IntegrityError) -> Response:
    return JSONResponse({"error": "conflicting concurrent change: try again"}, 409)


def _busy(_request: Request, exc: OperationalError) -> Response:
    log.warning("database unavailable: %s", type(exc.orig).__name__)
    return JSONResponse({"error": "database busy or unavailable: try again"}, 503)


def _unexpected(_request: Request, exc: Exception) -> Response:
    # The message may hold referral data: log only the type (GRACE_DEBUG shows tracebacks).
    log.error("unexpected %s", type(exc).__name__, exc_info=os.environ.get("GRACE_DEBUG") == "1")
    # Answered by Starlette's outermost middleware, outside SecurityHeaders: set them here.
    headers = {**SECURITY_HEADERS, **NO_STORE}
    return JSONResponse({"error": f"internal error ({type(exc).__name__})"}, 500, headers)
