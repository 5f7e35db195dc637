"""Crash safety: SIGKILL ``grace ingest`` and ``grace media process`` at random points.

For each backend (SQLite, PostgreSQL) an uninterrupted reference run ingests a seeded demo
batch with its known hash set imported. Then each trial prepares a fresh workspace, starts
the command as a real subprocess and SIGKILLs it at a random point: half the trials at a
random moment of its working span (as measured on the reference), half a random fraction
of a second after the first match batch committed (the narrow window before the next). It
checks that the desk withholds every known item while the workspace is crashed and that no
worker process outlives the kill, re-runs a repair (``grace ingest`` again, or ``grace
media process``) and compares referrals, file statuses, counts, matches, duplicate groups
and hidden media with the reference, with ``vault verify`` and ``audit verify`` clean.
Half the trials kill ingest, half kill media processing of a batch ingested with
``--no-media``.

The last line printed is one JSON object: trials, failed_trials, lost_referrals,
files_without_status, known_not_hidden (all 0 but trials), and a per-backend breakdown.
Usage: .venv/bin/python bench/crash.py --seed 7 --trials 20 --backend both
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crash_harness import (
    Batch,
    Kill,
    KillPoint,
    Probe,
    State,
    after_seconds,
    command,
    database,
    differences,
    make_batch,
    prepare,
    run_killed,
    run_to_end,
    shown_known,
    snapshot,
    when_count,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ATTEMPTS = 4  # a kill point past a trial's end is re-drawn earlier (the run was faster)


@dataclass
class Span:
    """When a command starts writing and when it ends, on the reference (seconds)."""

    first_write: float = 0.0
    end: float = 0.0


@dataclass
class Totals:
    trials: int = 0
    failed_trials: int = 0
    lost_referrals: int = 0
    files_without_status: int = 0
    known_not_hidden: int = 0
    known_shown_after_kill: int = 0
    orphan_workers: int = 0
    killed: dict[str, int] = field(default_factory=dict)
    repaired_by: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    reference_seconds: float = 0.0
    repair_seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        found = {k: v for k, v in self.__dict__.items() if k != "repair_seconds"}
        found["mean_repair_seconds"] = round(
            sum(self.repair_seconds) / max(1, len(self.repair_seconds)), 2
        )
        return found


def measure(stage: str, batch: Batch, work: Path, url: str | None) -> Span:
    """Run ``stage`` uninterrupted once, noting when it first writes and when it ends."""
    home = work / f"span-{stage}"
    prepare(home, url, batch, stage)
    span = Span()
    watched = "referrals" if stage == "ingest" else "media"

    def never(elapsed: float, probe: Probe) -> bool:
        if not span.first_write and probe.counts()[watched]:
            span.first_write = elapsed
        return False

    span.end = run_killed(command(stage, batch), home, never).at_seconds
    return span


@dataclass
class Context:
    """What every trial of one backend shares."""

    batch: Batch
    work: Path
    admin: str | None
    rng: random.Random
    reference: State
    spans: dict[str, Span] = field(default_factory=dict)


def trial(n: int, ctx: Context) -> dict[str, Any]:
    """Trials alternate ingest and media; every other pair kills by progress, not by time:
    a random moment after the first match batch committed (the window before the next)."""
    stage = "ingest" if n % 2 == 0 else "media"
    if n % 4 >= 2:
        delay = round(ctx.rng.uniform(0.0, 0.6), 2)  # into the next batch, or past it
        point = when_count("matched", 1, delay)
        found = _attempt(n, stage, f"first match batch + {delay:.2f}s", point, ctx)
        assert found is not None
        return found
    span = ctx.spans[stage]
    low, high = max(0.0, span.first_write - 0.5), span.end
    for attempt in range(ATTEMPTS):
        at = ctx.rng.uniform(low, high)
        last = attempt + 1 == ATTEMPTS
        found = _attempt(n, stage, f"{at:.2f}s", after_seconds(at), ctx, attempt, last)
        if found is not None:
            return found
        high = min(high, at)  # it ran faster than the reference: aim earlier
    raise AssertionError("unreachable")


def _attempt(
    n: int,
    stage: str,
    label: str,
    point: KillPoint,
    ctx: Context,
    attempt: int = 0,
    last: bool = True,
) -> dict[str, Any] | None:
    """One kill and repair; None when the command finished first and another try is left."""
    with database(ctx.admin) as url:
        home = ctx.work / f"trial-{n}-{attempt}"
        prepare(home, url, ctx.batch, stage)
        kill = run_killed(command(stage, ctx.batch), home, point)
        if not kill.killed and not last:
            return None
        return _repair(n, stage, label, kill, home, ctx)


def _repair(n: int, stage: str, at: str, kill: Kill, home: Path, ctx: Context) -> dict[str, Any]:
    """Look at the crashed workspace, re-run a repair to the end, compare with the reference."""
    reference = ctx.reference
    crashed = snapshot(home, verify=False)
    stored_all = kill.counts["referrals"] == len(reference.referrals)
    repair = stage if not stored_all or ctx.rng.random() < 0.5 else "media"
    started = time.monotonic()
    rc = run_to_end(command(repair, ctx.batch), home)
    seconds = time.monotonic() - started
    final = snapshot(home)
    shown = shown_known(reference, crashed)
    problems = differences(reference, final) + ([f"repair exit {rc}"] if rc else [])
    if kill.orphans:
        problems.append(f"{kill.orphans} worker(s) outlived the kill")
    if shown:
        problems.append(f"{len(shown)} known item(s) displayable while crashed")
    return {
        "trial": n,
        "stage": stage,
        "kill_at": at,
        "killed": kill.killed,
        "at_kill": kill.counts,
        "unfinished_files_at_kill": crashed.without_status,
        "workers": kill.workers,
        "orphans": kill.orphans,
        "repair": repair,
        "repair_seconds": round(seconds, 2),
        "lost_referrals": len(reference.referrals - final.referrals),
        "files_without_status": final.without_status,
        "known_not_hidden": len(reference.known - final.hidden),
        "known_shown_after_kill": len(shown),
        "problems": problems,
    }


def run_backend(name: str, admin: str | None, batch: Batch, trials: int, seed: int) -> Totals:
    totals = Totals()
    rng = random.Random(f"{seed}-{name}")
    with tempfile.TemporaryDirectory(prefix=f"grace-crash-{name}-") as tmp:
        work = Path(tmp)
        started = time.monotonic()
        with database(admin) as url:
            prepare(work / "reference", url, batch, "ingest")
            if run_to_end(command("ingest", batch), work / "reference"):
                raise SystemExit("the reference ingest failed")
            reference = snapshot(work / "reference")
        totals.reference_seconds = round(time.monotonic() - started, 2)
        if differences(reference, reference) or reference.without_status:
            raise SystemExit("the reference run is not clean")
        ctx = Context(batch, work, admin, rng, reference)
        for stage in ("ingest", "media"):
            with database(admin) as url:
                ctx.spans[stage] = measure(stage, batch, work, url)
        for n in range(trials):
            result = trial(n, ctx)
            print(json.dumps({"backend": name, **result}), file=sys.stderr, flush=True)
            _add(totals, result)
    return totals


def _add(totals: Totals, result: dict[str, Any]) -> None:
    totals.trials += 1
    totals.failed_trials += bool(result["problems"])
    for key in ("lost_referrals", "files_without_status", "known_not_hidden"):
        setattr(totals, key, getattr(totals, key) + result[key])
    totals.known_shown_after_kill += result["known_shown_after_kill"]
    totals.orphan_workers += result["orphans"]
    phase = f"{result['stage']}: {_phase(result['at_kill'], result['killed'])}"
    totals.killed[phase] = totals.killed.get(phase, 0) + 1
    totals.repaired_by[result["repair"]] = totals.repaired_by.get(result["repair"], 0) + 1
    totals.repair_seconds.append(result["repair_seconds"])
    totals.failures.extend(f"trial {result['trial']}: {p}" for p in result["problems"])


def _phase(counts: dict[str, int], killed: bool) -> str:
    """Where the kill landed, from what the database held at that moment."""
    if not killed:
        return "finished before the kill"
    if not counts["referrals"]:
        return "storing referrals"
    if not counts["media"]:
        return "analysing media"
    if counts["matched"] < counts["media"]:
        return "matching"
    return "after matching (routing, triage, exit)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--trials", type=int, default=20, help="per backend")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--referrals", type=int, default=30, help="size of the demo batch")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("GRACE_TEST_DATABASE_URL", DEFAULT_PG),
        help="PostgreSQL server (a database is created and dropped per workspace)",
    )
    args = parser.parse_args()
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grace-crash-batch-") as tmp:
        batch = make_batch(Path(tmp) / "batch", args.referrals, args.seed)
        results = {
            name: run_backend(
                name,
                args.database_url if name == "postgres" else None,
                batch,
                args.trials,
                args.seed,
            )
            for name in backends
        }
    keys = (
        "trials",
        "failed_trials",
        "lost_referrals",
        "files_without_status",
        "known_not_hidden",
        "known_shown_after_kill",
        "orphan_workers",
    )
    out: dict[str, Any] = {k: sum(getattr(t, k) for t in results.values()) for k in keys}
    out |= {
        "seed": args.seed,
        "referrals": args.referrals,
        "seconds": round(time.monotonic() - started, 1),
        "backends": {name: t.summary() for name, t in results.items()},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
