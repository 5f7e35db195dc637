"""Send the media and intelligence stages of a workspace to a Dask cluster.

The client finds the work in the database (what single-machine runs call pending), submits
one task per vault object keyed ``grace-media-<sha256>`` and one per chunk of referrals keyed
by their ids, waits, and then looks in the database again: anything a lost task left
unfinished is submitted once more (up to ``ROUNDS`` times). Dask itself re-runs a task whose
worker died; the tasks are idempotent, so either way the effect is that of one run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.engine import make_url

from grace.cluster import tasks
from grace.workspace import Workspace

ROUNDS = 3
MEDIA_CHUNK = 4  # media items per task: few enough to spread, enough to pay for a commit
ROUTE_CHUNK = 50  # referrals per routing task: one transaction each
ENV_CLUSTER = "GRACE_CLUSTER"
ENV_CERTS = "GRACE_CLUSTER_CERTS"


class ClusterModeError(ValueError):
    """Cluster mode cannot run with this workspace; the message says why, in one line."""


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


def process_on_cluster(
    workspace: Workspace, client: Any, actor: str, rounds: int = ROUNDS
) -> ClusterReport:
    """Media processing, then identifiers/routing/links/subjects, on the cluster's workers."""
    require_cluster_ready(workspace)
    home, url = str(workspace.home), workspace.database_url
    report = ClusterReport()
    seen: set[int] = set()  # referrals found unrouted by this run
    for attempt in range(rounds):
        pending, unrouted = _pending_media(workspace), _unrouted(workspace)
        seen.update(unrouted)
        report.rounds += 1
        tag = f"r{attempt}"  # a resubmitted task never reuses a key Dask is still releasing
        started = time.monotonic()
        futures = [
            client.submit(
                tasks.analyse_media, home, url, part, actor, key=f"grace-media-{part[0]}-{tag}"
            )
            for part in _parts(pending, MEDIA_CHUNK)
        ]
        for result in _results(client, futures, report):
            report.analysed += result["analysed"]
            report.errors += [f"{sha}: {error}" for sha, error in result["errors"].items()]
        _add_time(report, "analyse", started)
        started = time.monotonic()
        # one matcher at a time (it holds the write lock per batch): a single task
        match = client.submit(tasks.match_media, home, url, actor, key=f"grace-match-{uuid4()}")
        for result in _results(client, [match], report):
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
        for result in _results(client, futures, report):
            report.unresolved += result["unresolved"]
        _add_time(report, "route", started)
        if not (_pending_media(workspace) or _unrouted(workspace) or _unmatched(workspace)):
            break
    routed = sorted(seen - set(_unrouted(workspace)))
    if routed:
        link = client.submit(
            tasks.link_referrals, home, url, routed, actor, key=f"grace-link-{uuid4()}"
        )
        for result in _results(client, [link], report):
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


def _results(client: Any, futures: list[Any], report: ClusterReport) -> list[dict[str, Any]]:
    """Results of the tasks that finished; a failed task is an error line, not a crash
    (its work stays unfinished in the database, and the next round submits it again)."""
    from distributed import wait

    if not futures:
        return []
    wait(futures)  # type: ignore[no-untyped-call]
    out = []
    for future in futures:
        if future.status == "finished":
            out.append(future.result())
        else:
            report.errors.append(f"{future.key}: {future.exception()!r}"[:300])
    client.cancel(futures)  # release them: the record is in the database
    return out
