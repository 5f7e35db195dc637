"""The signed-in principal: from a session cookie or an API token, with CSRF checked."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from grace.accounts.agencies import coordinator_id
from grace.accounts.sessions import resolve_session
from grace.accounts.tokens import resolve_token
from grace.store.account_tables import User
from grace.web.deps import get_workspace

SESSION_COOKIE = "grace_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """A signed-in user as the desk sees them; ``sees_all`` lifts agency scoping."""

    id: int
    username: str
    role: str  # admin | supervisor | analyst | auditor
    agency: str | None
    sees_all: bool
    language: str | None = None  # the desk language the user chose (None: the browser's)

    @property
    def actor(self) -> str:
        """The audit-trail actor string."""
        return f"user:{self.username}"

    @classmethod
    def of(cls, user: User) -> Principal:
        sees_all = user.role == "admin" or (
            user.agency is not None and user.agency == coordinator_id()
        )
        return cls(user.id, user.username, user.role, user.agency, sees_all, user.language)


class LoginRequired(Exception):
    """A page needs a signed-in user; the app turns this into a redirect to the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _unauthenticated(request: Request, message: str) -> Exception:
    if _is_api(request):
        return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return LoginRequired(target)


def _lookup(request: Request, bearer: str | None, cookie: str | None) -> tuple[User, str] | None:
    """The user behind the token or cookie, and the session's CSRF token ("" for tokens)."""
    with get_workspace(request).sessions() as session:
        if bearer is not None:
            user = resolve_token(session, bearer)
            return (user, "") if user else None
        active = resolve_session(session, cookie or "")
        return (active.user, active.csrf_token) if active else None


BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An API token: `grace users token USERNAME` or `POST /api/v1/tokens`.",
)
COOKIE = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    scheme_name="session",
    description="The session cookie of `POST /api/v1/auth/login` (non-GET requests also "
    "need the X-CSRF-Token header).",
)


async def current_principal(
    request: Request,
    bearer_credentials: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)],
    cookie: Annotated[str | None, Security(COOKIE)],
) -> Principal:
    """FastAPI dependency: the principal, or 401 (API) / a login redirect (pages).

    Cookie sessions must send the CSRF token on every non-GET request, as the form field
    ``csrf_token`` or the header ``X-CSRF-Token``; bearer tokens are not sent by browsers
    on their own, so they need none.
    """
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    # The security schemes read the header and cookie (and declare them in OpenAPI).
    bearer = bearer_credentials.credentials.strip() if bearer_credentials else None
    if bearer is None and not cookie:
        raise _unauthenticated(request, "sign in or send an API token")
    found = await run_in_threadpool(_lookup, request, bearer, cookie)
    if found is None:
        raise _unauthenticated(request, "invalid or expired credentials")
    user, csrf = found
    if bearer is None and request.method not in SAFE_METHODS:
        await _check_csrf(request, csrf)
    principal = Principal.of(user)
    request.state.principal = principal
    request.state.csrf_token = csrf
    return principal


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page and try again")


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the principal if their role is one of ``roles``, else 403."""

    async def dependency(principal: Principal = Depends(current_principal)) -> Principal:
        if principal.role not in roles:
            raise HTTPException(403, f"this needs one of the roles: {', '.join(roles)}")
        return principal

    return dependency


def csrf_token(request: Request) -> str:
    """The CSRF token of the request's cookie session, for templates ("" without one)."""
    return str(getattr(request.state, "csrf_token", ""))
