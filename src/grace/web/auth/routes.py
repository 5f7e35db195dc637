"""Sign-in and sign-out: a form for the login page and JSON for scripts and the API.

The login page itself (GET /login) is desk-ui's; a failed form sign-in redirects back to it
with ``?error=invalid`` (wrong name or password) or ``?error=locked`` (too many failures).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from grace.accounts.ratelimit import claim_attempt, settle_attempt
from grace.accounts.sessions import create_session, end_session, resolve_session
from grace.accounts.users import authenticate
from grace.api.models import ERRORS, TOO_MANY
from grace.web.auth.principal import SESSION_COOKIE, Principal, csrf_token, current_principal
from grace.web.deps import get_workspace
from grace.workspace import Workspace

router = APIRouter(responses=ERRORS)
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]


class LoginBody(BaseModel):
    model_config = ConfigDict(strict=True)  # JSON 0 is not false, "1" is not 1

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    id: int
    username: str
    role: str
    agency: str | None
    sees_all: bool
    csrf_token: str | None = Field(
        None, description="send as X-CSRF-Token on non-GET requests made with the cookie"
    )


class LoginFailed(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _client_ip(request: Request) -> str:
    """The peer address. uvicorn rewrites it from X-Forwarded-For only when the connection
    comes from a proxy named by ``grace serve --forwarded-allow-ips`` (none by default), so
    a client cannot choose the address its failures are counted under."""
    return request.client.host if request.client else "unknown"


def _sign_in(workspace: Workspace, request: Request, username: str, password: str) -> str:
    """Check the password under rate limiting; returns a new session's cookie value."""
    ip = _client_ip(request)
    claim = claim_attempt(workspace.sessions, username, ip)
    if claim is None:
        with workspace.sessions.begin() as session:
            _audit(session, workspace, f"user:{username[:80]}", "login_failed", {"why": "locked"})
        workspace.audit.save_anchor()
        raise LoginFailed(429, "locked", "too many failed sign-ins: wait 15 minutes")
    with workspace.sessions.begin() as session:
        user = authenticate(session, username, password)
        settle_attempt(session, claim, username, ip, ok=user is not None)
        if user is None:
            _audit(session, workspace, f"user:{username[:80]}", "login_failed", {"ip": ip})
            failed = LoginFailed(401, "invalid", "wrong username or password")
        else:
            _audit(session, workspace, f"user:{user.username}", "login", {"ip": ip})
            cookie = create_session(session, user)
    workspace.audit.save_anchor()
    if user is None:
        raise failed
    return cookie


def _audit(
    session: Session, workspace: Workspace, actor: str, action: str, details: dict[str, str]
) -> None:
    name = actor.removeprefix("user:")
    workspace.audit.append(
        session, actor=actor, action=action, object_type="user", object_id=name, details=details
    )


def _same_origin(request: Request) -> None:
    """Login CSRF: a browser's cross-site form post carries a foreign Origin; refuse it.

    ``Origin: null`` is what a sandboxed frame, a data: URL or a file sends: an attacker's
    page can produce it at will, so it is foreign too (a same-site form sends our origin).
    """
    origin = request.headers.get("origin")
    if origin is not None and (
        origin.strip().lower() == "null" or urlsplit(origin).netloc != request.url.netloc
    ):
        raise HTTPException(403, "cross-origin sign-in refused")


def _set_cookie(request: Request, response: Response, value: str) -> None:
    secure = bool(request.app.state.secure_cookies) or request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE, value, httponly=True, samesite="strict", secure=secure, path="/"
    )


def _safe_next(target: str) -> str:
    """Only same-site paths: never an open redirect to another host."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    workspace: WorkspaceDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    _same_origin(request)
    target = _safe_next(next)
    try:
        cookie = _sign_in(workspace, request, username, password)
    except LoginFailed as exc:
        where = (  # the name typed is kept, so only the password has to be typed again
            f"/login?error={exc.code}&next={quote(target, safe='')}"
            f"&username={quote(username[:100], safe='')}"
        )
        return RedirectResponse(where, status_code=303)
    response = RedirectResponse(target, status_code=303)
    _set_cookie(request, response, cookie)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(
    request: Request,
    workspace: WorkspaceDep,
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    _sign_out(workspace, request, principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _sign_out(workspace: Workspace, request: Request, principal: Principal) -> None:
    with workspace.sessions.begin() as session:
        end_session(session, request.cookies.get(SESSION_COOKIE, ""))
        _audit(session, workspace, principal.actor, "logout", {})
    workspace.audit.save_anchor()


@router.post("/api/v1/auth/login", response_model=Me, tags=["auth"], responses=TOO_MANY)
def login_json(
    request: Request, response: Response, workspace: WorkspaceDep, body: LoginBody
) -> Me:
    """Sign in; sets the session cookie. Scripts should prefer API tokens (Bearer)."""
    _same_origin(request)
    try:
        cookie = _sign_in(workspace, request, body.username, body.password)
    except LoginFailed as exc:
        raise HTTPException(exc.status, exc.message) from None
    _set_cookie(request, response, cookie)
    with workspace.sessions() as session:
        active = resolve_session(session, cookie)
    if active is None:  # expired within the same second: not reachable in practice
        raise HTTPException(401, "session could not be started")
    return Me(**Principal.of(active.user).__dict__, csrf_token=active.csrf_token)


@router.post("/api/v1/auth/logout", status_code=204, tags=["auth"])
def logout_json(
    request: Request,
    workspace: WorkspaceDep,
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    """End the cookie session (needs the X-CSRF-Token header like every cookie POST)."""
    _sign_out(workspace, request, principal)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/api/v1/auth/me", response_model=Me, tags=["auth"])
def me(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> Me:
    """Who the request is signed in as (and the session's CSRF token, for cookie clients)."""
    return Me(**principal.__dict__, csrf_token=csrf_token(request) or None)
