"""The functions a Dask worker runs: the existing services, called by content key.

Every task is idempotent and keeps nothing in Dask: it opens the workspace (PostgreSQL and
the vault on a path every node reaches), checks in the database whether its work is done,
and writes its result there in one transaction under the workspace write lock, with
ON CONFLICT DO NOTHING for rows another task may have written first. A worker SIGKILLed
mid-task therefore leaves either the committed result or nothing (PostgreSQL rolls back the
open transaction and releases the lock), and the scheduler's re-run of the task on another
worker, or a later run that finds the work unfinished in the database, completes it once.

Arguments and results are plain strings, numbers and dicts; the functions are module-level,
so Dask sends only their names (the cluster is one trust domain behind mutual TLS). They call
the services' own chunk steps (``MediaProcessor._store``, ``IntelProcessor._analyse``) rather
than copies of them, so a change to what the single-machine stage stores changes this too.
"""

from __future__ import annotations

import os
import time
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from grace.workspace import Workspace

ACTOR_PREFIX = "cluster"
EVENT_TOPIC = "grace"  # worker events the status command reads (throughput, errors)
STORE_EVERY = 8  # media items per commit inside a task: the most a killed worker redoes


@lru_cache(maxsize=4)
def _workspace(home: str, database_url: str) -> Workspace:
    """One open workspace per worker process and home (engines are pooled, not per task)."""
    return Workspace.open(home, database_url)


def _log(kind: str, started: float, **details: Any) -> None:
    """An event on the scheduler: ``grace cluster status`` counts them per minute."""
    try:
        from distributed import get_worker

        get_worker().log_event(
            EVENT_TOPIC, {"kind": kind, "seconds": time.monotonic() - started, **details}
        )
    except ValueError:  # not on a worker (called in-process, e.g. by a test)
        pass


def analyse_media(home: str, database_url: str, shas: list[str], actor: str) -> dict[str, Any]:
    """Decode and hash these vault objects and store their ``media``/``media_hashes`` rows.

    Keyed by content digest: an item analysed already (by an earlier attempt, another
    worker, or a crashed run) is skipped; the rest are stored ``STORE_EVERY`` at a time, one
    transaction each, so a task can be coarse (its Dask overhead paid once for many items)
    while a kill loses at most one small commit's work. Matching comes after, in
    :func:`match_media`, so that the search indexes only hold committed rows. The result
    also says how long the task took on the worker: ``cpu_s`` is this thread's CPU time
    (the work itself, whatever else runs on the machine), ``wall_s`` its elapsed time and
    ``runqueue_s`` the part of that it was ready to run but had no CPU.
    """
    from grace.media.analyse import analyse_bytes
    from grace.media.process import MediaProcessor, ProcessReport
    from grace.store.media_tables import Media

    started, cpu, waited = time.monotonic(), time.thread_time(), runqueue_seconds()
    workspace = _workspace(home, database_url)
    with workspace.sessions() as session:
        done = set(session.scalars(select(Media.sha256).where(Media.sha256.in_(shas))))
    todo = [sha for sha in shas if sha not in done]
    processor = MediaProcessor(workspace, actor, workers=1)
    errors: dict[str, str] = {}
    for start in range(0, len(todo), STORE_EVERY):
        part = todo[start : start + STORE_EVERY]
        analyses = [analyse_bytes(workspace.vault.get(sha)) for sha in part]
        processor._store(analyses, ProcessReport())
        errors.update({a.sha256 or "": a.error for a in analyses if a.error})
    _log("media", started, items=len(todo), errors=len(errors), pid=os.getpid())
    return {
        "analysed": len(todo),
        "errors": errors,
        "cpu_s": time.thread_time() - cpu,
        "wall_s": time.monotonic() - started,
        "runqueue_s": runqueue_seconds() - waited,
    }


def cpu_seconds() -> float:
    """User plus system CPU seconds of this process so far: run on every worker and on the
    scheduler before and after a stage, it says what the stage cost each of them."""
    times = os.times()
    return times.user + times.system


def runqueue_seconds() -> float:
    """Seconds the calling thread has spent runnable but waiting for a CPU (Linux schedstat;
    0.0 elsewhere): on a shared machine, time the work was ready and the machine was not,
    as against time blocked on a lock, the database or the network."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def warm_up(home: str, database_url: str, sha256: str) -> float:
    """Open the workspace, query the database and analyse one item without storing it:
    imports, connection pool and JIT done before timed work (benchmarks count them apart),
    and a check that this worker reaches the database and the vault. The seconds it took;
    a ``RuntimeError`` when the item does not decode."""
    from grace.media.analyse import analyse_bytes
    from grace.media.process import MediaProcessor
    from grace.store.media_tables import Media

    started = time.monotonic()
    workspace = _workspace(home, database_url)
    with workspace.sessions() as session:
        session.scalars(select(Media.sha256).where(Media.sha256 == sha256)).all()
    MediaProcessor(workspace, "warm-up", workers=1)
    if analyse_bytes(workspace.vault.get(sha256)).error is not None:
        raise RuntimeError(f"warm-up item {sha256} does not decode")
    return time.monotonic() - started


def match_media(home: str, database_url: str, actor: str) -> dict[str, Any]:
    """Match every analysed but unmatched item, give files their status, run signals.

    The media stage of :class:`MediaProcessor` as it is: it finds its work in the database
    (``matched_at`` NULL), commits one batch at a time under the write lock and analyses
    in this process anything still unanalysed, so a re-run finishes what a killed one left.
    """
    from grace.media.process import MediaProcessor

    started = time.monotonic()
    report = MediaProcessor(_workspace(home, database_url), actor, workers=1).run()
    _log("match", started, matches=report.matches, errors=len(report.errors))
    return {"analysed": report.analysed, "matches": report.matches, "referrals": report.referrals}


def route_referrals(
    home: str, database_url: str, referral_ids: list[int], actor: str
) -> dict[str, Any]:
    """Identifiers and routing of these referrals (those still unrouted), in one transaction.

    Keyed by referral ids: a referral routed already (``routing`` set) is skipped inside the
    transaction, so a repeated task inserts no identifier twice.
    """
    from collections import Counter

    from grace.intel.service import IntelProcessor, IntelReport, _init_worker
    from grace.store.locks import hold_write_lock

    started = time.monotonic()
    workspace = _workspace(home, database_url)
    processor = IntelProcessor(workspace, actor)
    _init_worker(processor.table)
    report = IntelReport()
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        processor._analyse(session, referral_ids, report, Counter(), None)
    _log("route", started, referrals=len(referral_ids), identifiers=report.identifiers)
    return {"identifiers": report.identifiers, "unresolved": report.unresolved}


def link_referrals(
    home: str, database_url: str, referral_ids: list[int], actor: str
) -> dict[str, Any]:
    """Links and subjects for the routed referrals, audited once (the intel stage's end)."""
    from grace.intel.links import relink
    from grace.intel.subjects import propose_merges, recompute_subjects
    from grace.store.locks import hold_write_lock

    started = time.monotonic()
    workspace = _workspace(home, database_url)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        links = relink(session, referral_ids)
        propose_merges(session, actor)
        subjects = recompute_subjects(session)
        if referral_ids:
            workspace.audit.append(
                session,
                actor=actor,
                action="intel",
                object_type="referrals",
                object_id=f"{min(referral_ids)}-{max(referral_ids)}",
                details={"referrals": len(referral_ids), "links": links, "subjects": subjects},
            )
    workspace.audit.save_anchor()
    _log("link", started, referrals=len(referral_ids))
    return {"links": links, "subjects": subjects}
