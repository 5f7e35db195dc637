"""Security headers on every response, set in one place.

Handlers used to add headers one by one (pages, media) and the error pages, the API's
JSON and ``queue.csv`` went without. This ASGI middleware adds what a response did not set
itself, so a new route or error path cannot forget them. It is plain ASGI rather than
``BaseHTTPMiddleware`` so that streamed and file responses pass through untouched.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    # The browser itself refuses anything not served by grace (the desk must work offline
    # and leak nothing); data: images are the revealed renditions; no media elements at all.
    "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
    "media-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that ignore CSP
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the
    # desk's own form posts, which the sign-in CSRF check (rightly) refuses. Nothing leaves
    # for another site either way.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
NO_STORE = {"Cache-Control": "no-store"}
"""Referral data, tokens and evidence must never be kept in a shared or browser cache."""
CACHEABLE_PREFIXES = ("/static/", "/api/docs/assets/")
"""Only the desk's own stylesheet, script and the API docs' assets may be cached."""


def headers_for(path: str) -> dict[str, str]:
    """What a response for ``path`` must carry (unless it set a value itself)."""
    if path.startswith(CACHEABLE_PREFIXES):
        return SECURITY_HEADERS
    return {**SECURITY_HEADERS, **NO_STORE}


class SecurityHeaders:
    """Add ``headers_for(path)`` to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = headers_for(str(scope.get("path", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
