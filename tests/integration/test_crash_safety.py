"""Crash safety with real processes: SIGKILL ``grace`` at fixed points, re-run, compare.

The fixed trials of ``bench/crash.py`` (which runs many at random points): on SQLite and
on PostgreSQL, ``grace ingest`` is killed while its media workers are analysing, and
``grace media process`` once the first batch of matches is committed. While crashed, the
desk must withhold every known item and no worker may outlive the kill; after a re-run,
referrals, statuses, matches, groups and hidden media must equal an uninterrupted run,
with the vault and the audit trail verifying clean.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from pg import require_or_skip

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the shared harness
from crash_harness import (
    Batch,
    Kill,
    KillPoint,
    Probe,
    State,
    command,
    database,
    differences,
    make_batch,
    prepare,
    run_killed,
    run_to_end,
    shown_known,
    snapshot,
)

REFERRALS = 30  # about 75 media items: two analysis chunks, three matching batches


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return make_batch(tmp_path_factory.mktemp("crash") / "batch", REFERRALS, seed=11)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str | None:
    """The PostgreSQL server's admin URL, or None for SQLite."""
    return require_or_skip() if request.param == "postgresql" else None


@pytest.fixture(scope="module")
def reference(
    batch: Batch, backend: str | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[State]:
    home = tmp_path_factory.mktemp("reference") / "home"
    with database(backend) as url:
        prepare(home, url, batch, "ingest")
        assert run_to_end(command("ingest", batch), home) == 0
        state = snapshot(home)
    assert state.known and state.without_status == 0 and not differences(state, state)
    yield state


def _workers_alive(_elapsed: float, probe: Probe) -> bool:
    return bool(probe.children())


def _first_batch_matched(_elapsed: float, probe: Probe) -> bool:
    return bool(probe.counts()["matched"])


@pytest.mark.parametrize(
    ("stage", "point", "repair"),
    [("ingest", _workers_alive, "ingest"), ("media", _first_batch_matched, "media")],
    ids=["ingest-killed-while-analysing", "media-killed-while-matching"],
)
def test_a_killed_run_is_withheld_then_repaired(
    batch: Batch,
    backend: str | None,
    reference: State,
    tmp_path: Path,
    stage: str,
    point: KillPoint,
    repair: str,
) -> None:
    home = tmp_path / "home"
    with database(backend) as url:
        prepare(home, url, batch, stage)
        kill: Kill = run_killed(command(stage, batch), home, point)
        assert kill.killed, "the command finished before the kill point"
        assert kill.orphans == 0, f"{kill.orphans} of {kill.workers} workers outlived the kill"
        crashed = snapshot(home, verify=False)
        assert crashed.without_status > 0, "the kill left nothing unfinished to repair"
        assert not shown_known(reference, crashed), "known media displayable after the crash"

        assert run_to_end(command(repair, batch), home) == 0
        final = snapshot(home)
    assert differences(reference, final) == []
    assert final.without_status == 0


def test_media_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from grace.media.workers import worker_pool\n"
        "pool = worker_pool(2)\n"
        "busy = [pool.submit(time.sleep, 120) for _ in range(4)]\n"
        "print('ready', flush=True)\n"
        "time.sleep(120)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=dict(os.environ)
    )
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        workers = psutil.Process(parent.pid).children(recursive=True)
        assert len(workers) >= 2
        parent.kill()
        parent.wait()
        _gone, alive = psutil.wait_procs(workers, timeout=5)
        for orphan in alive:
            orphan.kill()
        assert alive == [], "worker processes outlived their killed parent"
    finally:
        if parent.poll() is None:
            parent.kill()
