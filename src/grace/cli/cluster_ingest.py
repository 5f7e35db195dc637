"""``grace ingest --cluster``: the media and intelligence stages on a Dask cluster.

Kept out of ``ingest_cmd`` so that a plain ingest never imports this, nor Dask: the
command calls :func:`check` before ingesting (a SQLite workspace is refused in one line
before anything is stored) and :func:`run` after.
"""

from __future__ import annotations

import logging
from pathlib import Path

from grace.cli.common import actor, console, fail
from grace.cluster.run import (
    WORKER_TIMEOUT,
    ClusterModeError,
    NoWorkerError,
    default_certs,
    require_cluster_ready,
)
from grace.intel.service import IntelReport
from grace.media.process import ProcessReport
from grace.workspace import Workspace


def check(workspace: Workspace, certs: Path | None) -> Path:
    """The certificate folder to use; one-line refusal when cluster mode cannot run."""
    try:
        require_cluster_ready(workspace)
    except ClusterModeError as exc:
        fail(str(exc))
    folder = certs or default_certs(workspace)
    if not (folder / "client.pem").exists():
        fail(f"no client certificate in {folder}: grace cluster certs --out {folder}")
    try:
        import distributed  # noqa: F401
    except ImportError:
        fail("Dask is not installed: pip install 'grace[cluster]'")
    return folder


def run(
    workspace: Workspace,
    address: str,
    certs: Path,
    quiet: bool,
    worker_timeout: float = WORKER_TIMEOUT,
) -> tuple[ProcessReport, IntelReport]:
    """Process on the cluster; the reports in the shape the single-machine stages give."""
    from grace.cluster import local
    from grace.cluster.run import process_on_cluster

    # If the scheduler goes away, Dask's client logs a traceback per reconnect attempt; the
    # operator gets one line from NoWorkerError instead (the scheduler keeps its own log).
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    try:
        client = local.connect(address, certs)
    except OSError as exc:
        fail(f"cannot reach cluster {address}: {exc}")
    try:
        if not quiet:
            console.print(f"processing on cluster {address}")
        report = process_on_cluster(workspace, client, actor(), worker_timeout=worker_timeout)
    except NoWorkerError as exc:
        client.close()
        fail(f"cluster {address}: {exc}")
    finally:
        client.close()
    media = ProcessReport(
        analysed=report.analysed,
        errors=report.errors,
        matches=report.matches,
        referrals=report.referrals,
    )
    intel = IntelReport(
        referrals=report.routed,
        links=report.links,
        subjects=report.subjects,
        unresolved=report.unresolved,
    )
    return media, intel
