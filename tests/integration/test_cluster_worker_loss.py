"""``grace ingest --cluster`` when every worker dies: one line after the timeout, then a
re-run with a new worker finishes the rest exactly once (issue 14).

Real processes on loopback: ``grace cluster up --workers 1`` (a TLS scheduler and one
worker), ``grace ingest --cluster --worker-timeout 3`` on a PostgreSQL workspace of its own.
The only worker (task process and nanny) is SIGKILLed once the first media rows are stored;
the client must then give up with one line on stderr instead of waiting forever. A new
worker joins with ``grace worker`` and the same ingest, run again, completes: every item
analysed and matched, every referral routed, no row twice, vault and audit trail clean.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from grace.cluster import local
from grace.store.intel_tables import IdentifierRow
from grace.store.media_tables import Media, MediaMatch
from grace.store.tables import Referral, ReferralFile
from grace.workspace import Workspace
from net import free_port
from pg import require_or_skip

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the shared harness
from crash_harness import (
    Batch,
    Probe,
    command,
    database,
    environment,
    make_batch,
    prepare,
    snapshot,
)

GRACE = [sys.executable, "-m", "grace.cli.main"]
REFERRALS = 12
TIMEOUT_S = 3
DEADLINE_S = 90  # generous: the machine may be shared


@pytest.fixture()
def scheduler(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A TLS scheduler and one worker (``grace cluster up``); stopped afterwards."""
    certs = tmp_path / "certs"
    subprocess.run([*GRACE, "cluster", "certs", "--out", str(certs)], check=True)
    up = subprocess.Popen(
        [*GRACE, "cluster", "up", "--certs", str(certs), "--workers", "1",
         "--port", str(free_port()), "--workdir", str(tmp_path / "run"), "--json"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert up.stdout is not None
        yield json.loads(up.stdout.readline())["scheduler"], certs
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(60)


def the_worker(address: str, certs: Path) -> psutil.Process:
    client = local.wait_for_workers(address, certs, 1, timeout=DEADLINE_S)
    try:
        (pid,) = client.run(lambda: __import__("os").getpid()).values()
    finally:
        client.close()
    return psutil.Process(pid)


def duplicates(home: Path) -> dict[str, int]:
    """Rows stored twice by content (a repeated task would make some)."""
    workspace = Workspace.open(home)
    try:
        with workspace.sessions() as s:
            out = {}
            for name, columns in {
                "identifiers": (IdentifierRow.referral_id, IdentifierRow.kind,
                                IdentifierRow.value, IdentifierRow.source),
                "matches": (MediaMatch.media_id, MediaMatch.bank_entry_id,
                            MediaMatch.other_media_id, MediaMatch.method),
            }.items():  # fmt: skip
                twice = select(*columns).group_by(*columns).having(func.count() > 1)
                out[name] = len(s.execute(twice).all())
            return out
    finally:
        workspace.close()


def counts(home: Path) -> dict[str, int]:
    workspace = Workspace.open(home)
    try:
        with workspace.sessions() as s:
            shas = select(func.count(func.distinct(ReferralFile.sha256)))
            return {
                "referenced": s.scalar(shas) or 0,
                "media": s.scalar(select(func.count()).select_from(Media)) or 0,
                "unmatched": s.scalar(select(func.count()).where(Media.matched_at.is_(None))) or 0,
                "unrouted": s.scalar(select(func.count()).where(Referral.routing.is_(None))) or 0,
            }
    finally:
        workspace.close()


def failed_in_one_line(run: subprocess.Popen[str], home: Path, kill: Callable[[], None]) -> str:
    """Kill part of the cluster (``kill``) once the run has stored media, wait for the run to
    fail, and return its standard error, which must be one line and exit status 1."""
    probe = Probe(home)
    try:
        deadline = time.monotonic() + DEADLINE_S
        while probe.counts()["media"] == 0:  # kill it mid-run, once work was stored
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "no media stored in time"
            time.sleep(0.02)
        kill()
        _out, err = run.communicate(timeout=DEADLINE_S)
    finally:
        probe.close()
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_ingest_fails_in_one_line_when_all_workers_die_and_a_rerun_finishes(
    scheduler: tuple[str, Path], tmp_path: Path
) -> None:
    address, certs = scheduler
    batch: Batch = make_batch(tmp_path / "batch", REFERRALS, seed=14)
    argv = [*command("ingest", batch), "--cluster", address, "--cluster-certs", str(certs)]
    with database(require_or_skip(), "cluster_loss") as url:
        home = tmp_path / "home"
        prepare(home, url, batch, "ingest")
        victim = the_worker(address, certs)
        run = subprocess.Popen(
            [*argv, "--worker-timeout", str(TIMEOUT_S)],
            env=environment(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        def kill_the_worker() -> None:
            nanny = victim.parent()
            victim.send_signal(signal.SIGKILL)
            if nanny is not None and "dask_worker" in " ".join(nanny.cmdline()):
                nanny.send_signal(signal.SIGKILL)

        err = failed_in_one_line(run, home, kill_the_worker)
        assert "no live worker on the cluster for 3 s" in err
        left = counts(home)
        assert left["unmatched"] + left["unrouted"] + left["referenced"] - left["media"] > 0

        worker = subprocess.Popen(
            [*GRACE, "worker", "--scheduler", address, "--certs", str(certs),
             "--workdir", str(tmp_path / "worker2")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            local.wait_for_workers(address, certs, 1, timeout=DEADLINE_S).close()
            again = subprocess.run(
                argv, env=environment(home), capture_output=True, text=True, timeout=DEADLINE_S
            )
        finally:
            worker.terminate()
            worker.wait(30)
        assert again.returncode == 0, again.stderr
        summary = json.loads(again.stdout.strip().splitlines()[-1])["summary"]
        assert summary["ingested"] == 0 and summary["already_present"] == REFERRALS
        done = counts(home)
        assert done["media"] == done["referenced"] > 0
        assert done["unmatched"] == done["unrouted"] == 0
        assert duplicates(home) == {"identifiers": 0, "matches": 0}
        state = snapshot(home)  # runs what `grace vault verify` and `audit verify` run
        assert state.vault_ok and state.audit_ok and state.without_status == 0


def test_ingest_fails_in_one_line_when_the_scheduler_dies(
    scheduler: tuple[str, Path], tmp_path: Path
) -> None:
    """The scheduler killed mid-run: Dask cancels the client's tasks; one line, no traceback."""
    address, certs = scheduler
    batch: Batch = make_batch(tmp_path / "batch", REFERRALS, seed=14)
    with database(require_or_skip(), "cluster_loss") as url:
        home = tmp_path / "home"
        prepare(home, url, batch, "ingest")
        worker = the_worker(address, certs)
        run = subprocess.Popen(
            [*command("ingest", batch), "--cluster", address, "--cluster-certs", str(certs),
             "--worker-timeout", str(TIMEOUT_S)],
            env=environment(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        def kill_the_scheduler() -> None:
            nanny = worker.parent()
            assert nanny is not None
            (scheduler_process,) = [
                p for p in nanny.parent().children() if "dask_scheduler" in " ".join(p.cmdline())
            ]
            scheduler_process.send_signal(signal.SIGKILL)

        err = failed_in_one_line(run, home, kill_the_scheduler)
        assert "lost the cluster" in err
