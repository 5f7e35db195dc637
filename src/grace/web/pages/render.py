"""Template rendering shared by every page: the header needs the user, CSRF token and
today's exposure count, so they are added here once instead of by each handler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from grace.desk.exposure import revealed_today
from grace.desk.renditions import KEY_FRAMES
from grace.web.auth import Principal, csrf_token
from grace.web.deps import get_workspace
from grace.web.i18n import install as install_i18n
from grace.web.i18n import negotiate

TEMPLATES = Jinja2Templates(directory=Path(__file__).parents[1] / "templates")
MEDIA_ROLES = ("admin", "supervisor", "analyst")
"""Roles that work referrals and may see (blurred, revealed, original) media."""
AUDIT_ROLES = ("admin", "auditor", "supervisor")
TEAM_ROLES = ("admin", "supervisor")
REVEAL_SECONDS = 5
"""How long a revealed item stays in colour before the page blurs it again."""
TEMPLATES.env.globals.update(key_frames=KEY_FRAMES, reveal_seconds=REVEAL_SECONDS)
install_i18n(TEMPLATES.env)
PAGE_HEADERS = {
    # The browser itself refuses anything not served by grace (the desk must work offline
    # and leak nothing); data: images are the revealed renditions; no media elements at all.
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
    "media-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",  # see grace.web.headers
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",  # pages hold referral data: never kept in a shared cache
}


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render ``template`` with the signed-in principal, CSRF token and exposure added."""
    principal: Principal | None = context.get("principal")
    full = {**context, "principal": principal, "roles": _role_flags(principal)}
    full["locale"] = page_language(request, principal)
    if principal is not None:
        full["csrf_token"] = csrf_token(request)
        with get_workspace(request).sessions() as session:
            full["exposure_today"] = revealed_today(session, principal.actor)
    return TEMPLATES.TemplateResponse(
        request, template, full, status_code=status_code, headers=PAGE_HEADERS
    )


def _role_flags(principal: Principal | None) -> dict[str, bool]:
    role = principal.role if principal else ""
    return {"media": role in MEDIA_ROLES, "audit": role in AUDIT_ROLES, "team": role in TEAM_ROLES}


def page_language(request: Request, principal: Principal | None) -> str:
    """The user's chosen language, else the browser's, else English."""
    chosen = principal.language if principal else None
    return negotiate(chosen, request.headers.get("accept-language"))
