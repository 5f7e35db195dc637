"""Process-wide Prometheus metrics that are not about HTTP: what this process ingested.

The registry is grace's own rather than ``prometheus_client.REGISTRY`` so that tests which
build several apps in one process, and libraries that register their own collectors, never
collide with it; the desk's ``/metrics`` (``grace.web.metrics``) exposes it alongside the
per-app HTTP metrics. Counters here count work done *in this process*: a ``grace ingest``
run keeps its own (printed in its summary), while the desk's workspace-wide totals come from
the audit trail at scrape time.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry(auto_describe=True)
INGEST_OUTCOMES = Counter(
    "grace_ingest_outcomes",
    "Inputs ingested in this process, by outcome (ingested, already_present, quarantined).",
    ["outcome"],
    registry=REGISTRY,
)
for _outcome in ("ingested", "already_present", "quarantined"):
    INGEST_OUTCOMES.labels(_outcome)  # exported as 0 before the first ingest


def count_ingest(outcome: str) -> None:
    """One ingest outcome; called by the pipeline as each outcome is reported."""
    INGEST_OUTCOMES.labels(outcome).inc()
