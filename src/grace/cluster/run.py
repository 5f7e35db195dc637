"""Send the media and intelligence stages of a workspace to a Dask cluster.

The client finds the work in the database (what single-machine runs call pending), submits
one task per run of vault objects keyed ``grace-media-<first sha256>`` and one per chunk of
referrals keyed by their ids, waits, and then looks in the database again: anything a lost
task left unfinished is submitted once more (up to ``ROUNDS`` times). Dask itself re-runs a
task whose worker died; the tasks are idempotent, so either way the effect is that of one run.
Media tasks are coarse (up to ``MEDIA_CHUNK_MAX`` items; about four per worker for a small
batch) so that Dask's per-task cost, a few milliseconds on scheduler, client and worker, stays
small beside the work; inside a task the worker commits every ``tasks.STORE_EVERY`` items.

While it waits, the client checks that some worker is alive: with none for
``worker_timeout`` seconds (every worker killed, or none ever joined) it gives up with
:class:`NoWorkerError`, one line. What finished is in the database; a later run finds the
rest there and does it once.
"""

from __future__ import annotations

import math
import time
from concurrent.futures import CancelledError
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.engine import make_url

from grace.cluster import tasks
from grace.workspace import Workspace

ROUNDS = 3
MEDIA_CHUNK_MIN, MEDIA_CHUNK_MAX = 4, 32  # media items per task (see media_chunk)
TASKS_PER_WORKER = 4  # media tasks per worker at least, so that the last ones spread
WORKER_TIMEOUT = 60.0  # seconds without a live worker before the client gives up
POLL = 1.0  # seconds between liveness checks while waiting
ROUTE_CHUNK = 50  # referrals per routing task: one transaction each
ENV_CLUSTER = "GRACE_CLUSTER"
ENV_CERTS = "GRACE_CLUSTER_CERTS"


class ClusterModeError(ValueError):
    """Cluster mode cannot run with this workspace; the message says why, in one line."""


class NoWorkerError(RuntimeError):
    """No worker was alive for the whole timeout, or the scheduler went away; one line."""


@dataclass
class ClusterReport:
    analysed: int = 0
    matches: int = 0
    referrals: int = 0
    routed: int = 0
    unresolved: int = 0
    links: int = 0
    subjects: int = 0
    rounds: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # wall time per stage
    task_cpu_s: float = 0.0  # CPU time of the media tasks' threads on the workers, summed
    task_wall_s: float = 0.0  # their elapsed time, summed
    task_runqueue_s: float = 0.0  # the part of it they waited for a CPU, summed
    tasks: int = 0  # media tasks run


def require_cluster_ready(workspace: Workspace) -> None:
    """Refuse SQLite: every node must write to one database the others see at once."""
    backend = make_url(workspace.database_url).get_backend_name()
    if backend != "postgresql":
        raise ClusterModeError(
            f"cluster mode needs PostgreSQL (this workspace uses {backend}): "
            "grace init --database-url postgresql+psycopg://..."
        )


def default_certs(workspace: Workspace) -> Path:
    return workspace.home / "cluster-certs"


def _pending_media(workspace: Workspace) -> list[str]:
    from grace.media.process import _pending

    with workspace.sessions() as session:
        return _pending(session)


def _unrouted(workspace: Workspace) -> list[int]:
    from grace.store.tables import Referral

    with workspace.sessions() as session:
        query = select(Referral.id).where(Referral.routing.is_(None)).order_by(Referral.id)
        return list(session.scalars(query))


def media_chunk(items: int, workers: int) -> int:
    """Items per media task: about ``TASKS_PER_WORKER`` tasks per worker, within bounds."""
    per_task = math.ceil(items / max(1, workers * TASKS_PER_WORKER))
    return max(MEDIA_CHUNK_MIN, min(MEDIA_CHUNK_MAX, per_task))


def analyse_on_cluster(
    workspace: Workspace,
    client: Any,
    actor: str,
    report: ClusterReport,
    *,
    tag: str = "r0",
    chunk: int | None = None,
    workers: list[str] | None = None,
    worker_timeout: float = WORKER_TIMEOUT,
) -> None:
    """The analysis stage alone: every pending vault object, in media tasks on the cluster
    (on ``workers`` only, when named: a benchmark compares worker counts on one cluster).
    ``chunk`` fixes the items per task; by default it follows :func:`media_chunk`."""
    home, url = str(workspace.home), workspace.database_url
    pending = _pending_media(workspace)
    started = time.monotonic()
    size = chunk or media_chunk(len(pending), len(workers or client.nthreads()))
    futures = [
        client.submit(
            tasks.analyse_media,
            home,
            url,
            part,
            actor,
            key=f"grace-media-{part[0]}-{tag}",
            workers=workers,
            allow_other_workers=False,
        )
        for part in _parts(pending, size)
    ]
    for result in _Waiter(client, worker_timeout).results(futures, report):
        report.tasks += 1
        report.task_cpu_s += result.get("cpu_s", 0.0)
        report.task_wall_s += result.get("wall_s", 0.0)
        report.task_runqueue_s += result.get("runqueue_s", 0.0)
        report.analysed += result["analysed"]
        report.errors += [f"{sha}: {error}" for sha, error in result["errors"].items()]
    _add_time(report, "analyse", started)


def process_on_cluster(
    workspace: Workspace,
    client: Any,
    actor: str,
    rounds: int = ROUNDS,
    worker_timeout: float = WORKER_TIMEOUT,
    chunk: int | None = None,
) -> ClusterReport:
    """Media processing, then identifiers/routing/links/subjects, on the cluster's workers."""
    require_cluster_ready(workspace)
    home, url = str(workspace.home), workspace.database_url
    report = ClusterReport()
    waiter = _Waiter(client, worker_timeout)
    seen: set[int] = set()  # referrals found unrouted by this run
    for attempt in range(rounds):
        unrouted = _unrouted(workspace)
        seen.update(unrouted)
        report.rounds += 1
        tag = f"r{attempt}"  # a resubmitted task never reuses a key Dask is still releasing
        analyse_on_cluster(
            workspace, client, actor, report, tag=tag, chunk=chunk, worker_timeout=worker_timeout
        )
        started = time.monotonic()
        # one matcher at a time (it holds the write lock per batch): a single task
        match = client.submit(tasks.match_media, home, url, actor, key=f"grace-match-{uuid4()}")
        for result in waiter.results([match], report):
            report.matches += result["matches"]
            report.referrals += result["referrals"]
        _add_time(report, "match", started)
        started = time.monotonic()
        futures = [
            client.submit(
                tasks.route_referrals,
                home,
                url,
                ids,
                actor,
                key=f"grace-route-{ids[0]}-{ids[-1]}-{tag}",
            )
            for ids in _parts(unrouted, ROUTE_CHUNK)
        ]
        for result in waiter.results(futures, report):
            report.unresolved += result["unresolved"]
        _add_time(report, "route", started)
        if not (_pending_media(workspace) or _unrouted(workspace) or _unmatched(workspace)):
            break
    routed = sorted(seen - set(_unrouted(workspace)))
    if routed:
        link = client.submit(
            tasks.link_referrals, home, url, routed, actor, key=f"grace-link-{uuid4()}"
        )
        for result in waiter.results([link], report):
            report.links, report.subjects = result["links"], result["subjects"]
    report.routed = len(routed)
    return report


def _parts(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _add_time(report: ClusterReport, stage: str, started: float) -> None:
    report.seconds[stage] = report.seconds.get(stage, 0.0) + time.monotonic() - started


def _unmatched(workspace: Workspace) -> bool:
    from grace.store.media_tables import Media

    with workspace.sessions() as session:
        found = session.scalar(select(Media.id).where(Media.matched_at.is_(None)).limit(1))
        return found is not None


class _Waiter:
    """Waits for tasks while some worker lives; gives up after ``timeout`` s with none."""

    def __init__(self, client: Any, timeout: float) -> None:
        self.client, self.timeout = client, timeout

    def _workers(self) -> int:
        try:
            return len(self.client.nthreads())
        except (OSError, TimeoutError):  # the scheduler is gone too: no worker either
            return 0

    def wait(self, futures: list[Any]) -> None:
        from distributed import wait

        alone_since: float | None = None
        while True:
            try:
                wait(futures, timeout=POLL)  # type: ignore[no-untyped-call]
                return
            except TimeoutError:
                pass
            except CancelledError as exc:  # the client lost the scheduler: Dask dropped them
                raise NoWorkerError(
                    "lost the cluster (its scheduler cancelled our tasks); the work finished "
                    "so far is stored: run again once the cluster is back"
                ) from exc
            if self._workers():
                alone_since = None
                continue
            now = time.monotonic()
            alone_since = alone_since or now
            if now - alone_since >= self.timeout:
                self.client.cancel(futures)
                raise NoWorkerError(
                    f"no live worker on the cluster for {self.timeout:g} s; the work "
                    "finished so far is stored: run again with workers to finish the rest"
                )

    def results(self, futures: list[Any], report: ClusterReport) -> list[dict[str, Any]]:
        """Results of the tasks that finished; a failed task is an error line, not a crash
        (its work stays unfinished in the database, and the next round submits it again)."""
        if not futures:
            return []
        self.wait(futures)
        out = []
        for future in futures:
            if future.status == "finished":
                out.append(future.result())
            else:
                report.errors.append(f"{future.key}: {future.exception()!r}"[:300])
        self.client.cancel(futures)  # release them: the record is in the database
        return out
