"""Per-request observation: Prometheus HTTP metrics and, with JSON logs on, one log line.

A plain ASGI middleware (not ``BaseHTTPMiddleware``) so it adds no task or copy per
request and still sees the status of a response that fails while streaming. Requests are
labelled by their route *template*, read after routing from ``scope["route"]``: the path
itself would put referral ids into metric labels and logs, and let a client create
unbounded label values by requesting random URLs. The log line deliberately has no path,
query, client address, user or header.
"""

from __future__ import annotations

import logging
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from grace.web.metrics import HttpMetrics

log = logging.getLogger("grace.http")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"


def route_template(scope: Scope) -> str:
    """The template of the route that answered, ``/static/{path}``, or ``<unmatched>``.

    FastAPI includes routers lazily, so ``route.path`` lacks the prefixes of the routers
    it was included through (``/referrals/{referral_id}`` for ``/api/v1/...``). The prefix
    is the request path without as many trailing segments as the template has; only a
    ``{name:path}`` parameter could span segments, and such a template is used as it is.
    """
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        depth = path.count("/")
        if not depth or ":path}" in path:
            return path
        return "/".join(str(scope.get("path", "")).split("/")[:-depth]) + path
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static/{path}"
    return UNMATCHED


class Observe:
    """Count, time and (when INFO is enabled) log every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = perf_counter()
        status = 500  # what the server answers if the app raises before responding

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            seconds = perf_counter() - start
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            route = route_template(scope)
            self.metrics.observe(method, route, status, seconds)
            if log.isEnabledFor(logging.INFO):
                extra = {"method": method, "route": route, "status": status}
                log.info("request", extra=extra | {"duration_ms": round(seconds * 1000, 1)})
