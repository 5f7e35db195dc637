"""``/metrics``: Prometheus text for the desk (HTTP traffic, workspace totals, queues).

Three sources, one registry per app: HTTP counters and latency histograms that
``grace.web.observe`` fills per route *template* (``/api/v1/referrals/{referral_id}``, so
ids never become label values and cardinality stays fixed); the process's own ingest
counter (``grace.metrics``); and workspace figures read from the database at scrape time
(referrals and files by status, unmatched media; ingests, quarantines and reveals from the
append-only audit trail, so they are true counters across restarts and across the CLI
processes that did the work).

Access: the figures are operational, not personal, but they describe casework volume, so
``/metrics`` answers a loopback peer that did not come through a proxy (a scraper on the
same host, the usual sidecar set-up), and otherwise only an admin's API token
(``Authorization: Bearer``). A request forwarded by a reverse proxy counts as remote even
though its peer is loopback.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from grace import metrics as process_metrics
from grace.accounts.tokens import resolve_token
from grace.store.media_tables import Media
from grace.store.tables import AuditEvent, Referral, ReferralFile

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_AUDITED = {"ingest": "ingested", "quarantine": "quarantined", "reveal": "reveals"}
_FORWARDED = ("forwarded", "x-forwarded-for", "x-real-ip")


class HttpMetrics:
    """The app's registry and its HTTP instruments."""

    def __init__(self, app: FastAPI) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ["method", "route", "status"]
        self.requests = Counter(
            "grace_http_requests", "HTTP requests answered.", labels, registry=self.registry
        )
        self.latency = Histogram(
            "grace_http_request_duration_seconds",
            "Time from request to the end of the response.",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(process_metrics.INGEST_OUTCOMES)
        self.registry.register(WorkspaceCollector(app))
        ProcessCollector(registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route, str(status)).observe(seconds)


class WorkspaceCollector(Collector):
    """Figures of the workspace behind the app, queried when Prometheus scrapes."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def describe(self) -> list[Metric]:
        return []  # queried at scrape time only (never while registering)

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("grace_database_up", "1 when the last scrape could query it.")
        try:
            figures = self._figures()
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _figures(self) -> list[Metric]:
        workspace = getattr(self.app.state, "workspace", None)
        if workspace is None:
            return []
        with workspace.sessions() as session:
            referrals = session.execute(
                select(Referral.status, func.count()).group_by(Referral.status)
            ).all()
            files = session.execute(
                select(ReferralFile.media_status, func.count()).group_by(ReferralFile.media_status)
            ).all()
            unmatched = session.scalar(
                select(func.count()).select_from(Media).where(Media.matched_at.is_(None))
            )
            audited = dict(
                session.execute(
                    select(AuditEvent.action, func.count())
                    .where(AuditEvent.action.in_(list(_AUDITED)))
                    .group_by(AuditEvent.action)
                ).all()
            )
        queue = GaugeMetricFamily(
            "grace_referrals", "Referrals in the workspace by status (the queue).", None, ["status"]
        )
        for status, count in referrals:
            queue.add_metric([str(status)], count)
        by_status = GaugeMetricFamily(
            "grace_referral_files",
            "Referral files by media status (known, new, ...); pending: not yet processed.",
            labels=["media_status"],
        )
        for status, count in files:
            by_status.add_metric([status or "pending"], count)
        withheld = GaugeMetricFamily(
            "grace_media_unmatched", "Analysed media not yet matched (withheld from the desk)."
        )
        withheld.add_metric([], unmatched or 0)
        found: list[Metric] = [queue, by_status, withheld]
        for action, name in _AUDITED.items():
            counter = CounterMetricFamily(
                f"grace_workspace_{name}", f"Audit-trail '{action}' events in the workspace."
            )
            counter.add_metric([], audited.get(action, 0))
            found.append(counter)
        return found


def install_metrics(app: FastAPI) -> HttpMetrics:
    """Create the app's registry and the ``/metrics`` route; return the HTTP instruments."""
    instruments = HttpMetrics(app)

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        refusal = await _refusal(request)
        if refusal is not None:
            return refusal
        body = await run_in_threadpool(generate_latest, instruments.registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})

    return instruments


async def _refusal(request: Request) -> Response | None:
    """None when the caller may read metrics, else the 401/403 answer (see module doc)."""
    if _local(request):
        return None
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return JSONResponse(
            {"detail": "metrics need an admin API token from off this host"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    role = await run_in_threadpool(_role_of, request, header[7:].strip())
    if role != "admin":
        return JSONResponse({"detail": "metrics need an admin API token"}, status_code=403)
    return None


def _local(request: Request) -> bool:
    host = request.client.host if request.client else ""
    if any(name in request.headers for name in _FORWARDED):
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _role_of(request: Request, secret: str) -> Any:
    workspace = request.app.state.workspace
    with workspace.sessions() as session:
        user = resolve_token(session, secret)
        return user.role if user is not None else None
