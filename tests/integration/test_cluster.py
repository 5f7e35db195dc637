"""``grace ingest --cluster`` on a TLS Dask cluster with a worker SIGKILLed mid-run (issue 14).

A scheduler and two workers run as separate processes on loopback (``grace cluster up``),
the workspace is on PostgreSQL (a database of its own, dropped afterwards). While the
workers analyse a benign synthetic batch, one worker (its task process and its nanny) is
SIGKILLed. The end state must equal an uninterrupted single-machine run of the same batch,
compared by content (``bench/crash_harness``): every referral and media item processed once,
no match, hash or identifier row twice, vault and audit trail verifying clean. A client
without a certificate is refused, and a SQLite workspace is refused in one line.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from grace.cluster import local
from grace.store.intel_tables import IdentifierRow
from grace.store.media_tables import Media
from grace.store.tables import MediaHash, Referral
from grace.workspace import Workspace
from net import free_port, handshake
from pg import require_or_skip

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the shared harness
from crash_harness import (
    Batch,
    Probe,
    State,
    command,
    database,
    differences,
    environment,
    make_batch,
    prepare,
    run_to_end,
    snapshot,
)

GRACE = [sys.executable, "-m", "grace.cli.main"]
REFERRALS = 20  # about 50 media items
KILL_AT = 10  # media rows stored when a worker is killed


def rows(home: Path) -> dict[str, int]:
    """Row counts a duplicated task would inflate (the harness compares the rest)."""
    workspace = Workspace.open(home)
    try:
        with workspace.sessions() as s:
            return {
                "media": s.scalar(select(func.count()).select_from(Media)) or 0,
                "hashes": s.scalar(select(func.count()).select_from(MediaHash)) or 0,
                "identifiers": s.scalar(select(func.count()).select_from(IdentifierRow)) or 0,
                "unmatched": s.scalar(select(func.count()).where(Media.matched_at.is_(None))) or 0,
                "unrouted": s.scalar(select(func.count()).where(Referral.routing.is_(None))) or 0,
            }
    finally:
        workspace.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    return make_batch(tmp_path_factory.mktemp("cluster") / "batch", REFERRALS, seed=14)


@pytest.fixture(scope="module")
def reference(
    batch: Batch, tmp_path_factory: pytest.TempPathFactory
) -> tuple[State, dict[str, int]]:
    """The same batch ingested by one process, without a cluster (SQLite: compared by content)."""
    home = tmp_path_factory.mktemp("reference") / "home"
    prepare(home, None, batch, "ingest")
    assert run_to_end(command("ingest", batch), home) == 0
    return snapshot(home), rows(home)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[str, Path, list[int]]]:
    certs = tmp_path / "certs"
    subprocess.run([*GRACE, "cluster", "certs", "--out", str(certs)], check=True)
    port = free_port()
    up = subprocess.Popen(
        [*GRACE, "cluster", "up", "--certs", str(certs), "--workers", "2", "--port", str(port),
         "--workdir", str(tmp_path / "run"), "--json"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert up.stdout is not None
        info = json.loads(up.stdout.readline())
        yield info["scheduler"], certs, info["pids"]
    finally:
        up.send_signal(signal.SIGTERM)
        up.wait(60)


def worker_pids(address: str, certs: Path) -> list[int]:
    """The task processes of the workers, once both have joined."""
    client = local.wait_for_workers(address, certs, 2, timeout=90)
    try:
        return sorted(client.run(os.getpid).values())
    finally:
        client.close()


def kill_worker(pid: int) -> None:
    """SIGKILL a worker's task process and its nanny (a machine lost)."""
    victim = psutil.Process(pid)
    nanny = victim.parent()
    victim.send_signal(signal.SIGKILL)
    if nanny is not None and "dask_worker" in " ".join(nanny.cmdline()):
        nanny.send_signal(signal.SIGKILL)


def test_cluster_ingest_survives_a_killed_worker(
    batch: Batch,
    reference: tuple[State, dict[str, int]],
    cluster: tuple[str, Path, list[int]],
    tmp_path: Path,
) -> None:
    address, certs, _pids = cluster
    port = int(address.rsplit(":", 1)[1])
    assert handshake(port, certs / "ca.pem", certs / "client") == "accepted"
    assert handshake(port, certs / "ca.pem") != "accepted"  # no certificate, no connection

    sqlite_home = tmp_path / "sqlite"
    Workspace.init(sqlite_home).close()
    refused = subprocess.run(
        [*command("ingest", batch), "--cluster", address, "--cluster-certs", str(certs)],
        env=environment(sqlite_home), capture_output=True, text=True,
    )  # fmt: skip
    assert refused.returncode == 1 and "cluster mode needs PostgreSQL" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert rows(sqlite_home)["media"] == 0  # refused before anything was stored

    with database(require_or_skip(), "cluster") as url:
        home = tmp_path / "home"
        prepare(home, url, batch, "ingest")
        victim = worker_pids(address, certs)[0]
        run = subprocess.Popen(
            [*command("ingest", batch), "--cluster", address, "--cluster-certs", str(certs)],
            env=environment(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        probe = Probe(home)
        try:
            deadline = time.monotonic() + 90
            while probe.counts()["media"] < KILL_AT:
                assert run.poll() is None, run.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.05)
            kill_worker(victim)
            at_kill = probe.counts()["media"]
            out, err = run.communicate(timeout=120)
        finally:
            probe.close()
            if run.poll() is None:
                run.kill()
        assert run.returncode == 0, err
        summary = json.loads(out.strip().splitlines()[-1])["summary"]
        expected, counts = reference
        assert at_kill < counts["media"]  # the kill landed mid-run
        assert summary["ingested"] == REFERRALS
        state = snapshot(home)  # also runs what `grace vault verify` / `audit verify` run
        assert state.vault_ok and state.audit_ok
        assert not differences(expected, state)
        assert rows(home) == counts  # nothing twice, nothing missing
        assert counts["unmatched"] == counts["unrouted"] == 0
        status = subprocess.run(
            [*GRACE, "cluster", "status", "--scheduler", address, "--certs", str(certs), "--json"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        info = json.loads(status.stdout)
        assert info["worker_count"] == 1 and info["media_per_s"] > 0
        assert info["queue_depth"] == 0 and info["errors"]["failed_tasks"] == 0
