"""Concurrent writers end to end: four ``grace ingest`` processes with overlapping inputs
while the desk (``grace serve``) answers bursts of requests, on SQLite and PostgreSQL.

First a burst on the quiet desk: 16 ``POST /api/v1/tokens`` and 16 ``GET
/api/v1/referrals/N`` at once (it used to give 409s on the reads and 500s, with a token
created but never returned, because request threads shared one temporary anchor file and
raced for audit sequence numbers). Then the same while four ingests run. Every request
must succeed and every new token work; every valid referral must be stored exactly once
(one process reports it ingested, the rest already present), nothing quarantined, every
file given a status, and ``grace vault verify`` and ``grace audit verify`` clean.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.demo import generate
from grace.ingest.pipeline import IngestPipeline
from grace.store.tables import Quarantine, Referral, ReferralFile
from grace.workspace import Workspace
from pg import throwaway_database

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
GRACE = [sys.executable, "-m", "grace.cli.main"]
REFERRALS = 8
SEEDED = 2  # ingested before the desk starts, so that reads have something to read
INGESTS = 4
BURST = 16
BURSTS_DURING = 2  # smaller bursts while the ingests run (each ingest takes seconds)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    summary = generate(tmp_path_factory.mktemp("concurrent") / "demo", REFERRALS, seed=23)
    return sorted(summary.input_dir.iterdir())


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """None for SQLite; for PostgreSQL a database of its own, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    with throwaway_database("concurrent") as url:
        yield url


def _environment(home: Path) -> dict[str, str]:
    env = {**os.environ, "GRACE_HOME": str(home)}
    env.pop("GRACE_DATABASE_URL", None)  # the workspace remembers its database
    return env


def _prepare(home: Path, url: str | None, seed: list[Path]) -> str:
    """A workspace with a few referrals and a coordinator analyst; the analyst's token."""
    workspace = Workspace.init(home, url)
    try:
        assert IngestPipeline(workspace, actor="seed").run(seed).ok
        with workspace.sessions.begin() as session:
            add_user(session, "coord", "benign-test-password", "analyst", "europol")
            return create_token(session, "coord", "test")[1]
    finally:
        workspace.close()


@contextmanager
def _served(home: Path) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = subprocess.Popen(
        [*GRACE, "serve", "--port", str(port)],
        env=_environment(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


def _burst(url: str, token: str, ids: list[int], size: int) -> list[tuple[str, int, str]]:
    """``size`` token creations and ``size`` referral reads, all released at once."""
    start = threading.Barrier(2 * size)
    headers = {"Authorization": f"Bearer {token}"}

    def call(n: int) -> tuple[str, int, str]:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            start.wait(timeout=60)
            if n % 2:
                answer = client.post("/api/v1/tokens", json={"name": f"burst-{n}"})
                return "create", answer.status_code, answer.json().get("token", "")
            answer = client.get(f"/api/v1/referrals/{ids[n % len(ids)]}")
            return "read", answer.status_code, ""

    with ThreadPoolExecutor(2 * size) as pool:
        return list(pool.map(call, range(2 * size)))


def _check_burst(url: str, results: list[tuple[str, int, str]]) -> None:
    assert [r for r in results if not 200 <= r[1] < 300] == []
    tokens = [secret for kind, _, secret in results if kind == "create"]
    assert len(set(tokens)) == len(tokens) and all(tokens)  # every caller got its own token
    for secret in tokens:
        bearer = {"Authorization": f"Bearer {secret}"}
        mine = httpx.get(f"{url}/api/v1/tokens", headers=bearer, timeout=60)
        assert mine.status_code == 200


def _ingest(home: Path, paths: list[Path]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*GRACE, "ingest", "--json", *map(str, paths)],
        env=_environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _grace(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*GRACE, *args], env=_environment(home), capture_output=True, text=True, timeout=120
    )


def test_four_ingests_and_the_desk_at_once(
    inputs: list[Path], database_url: str | None, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    token = _prepare(home, database_url, inputs[:SEEDED])
    slices = [[p for i, p in enumerate(inputs) if (i + k) % INGESTS] for k in range(INGESTS)]
    with _served(home) as url:
        _check_burst(url, _burst(url, token, list(range(1, SEEDED + 1)), BURST))
        ingests = [_ingest(home, paths) for paths in slices]
        during: list[tuple[str, int, str]] = []
        for _ in range(BURSTS_DURING):
            if all(proc.poll() is not None for proc in ingests):
                break
            time.sleep(0.5)
            during += _burst(url, token, list(range(1, SEEDED + 1)), BURST // 2)
        _check_burst(url, during)
        for proc in ingests:
            proc.wait(timeout=300)
    outcomes = []
    for proc in ingests:
        out, err = proc.communicate()
        assert proc.returncode == 0, err[-2000:]
        outcomes += [json.loads(line) for line in out.splitlines() if '"status"' in line]
    assert [o for o in outcomes if o["status"] == "quarantined"] == []
    stored = Counter(o["source"].split("!")[0] for o in outcomes if o["status"] == "ingested")
    assert set(stored.values()) <= {1}  # no input stored twice
    assert set(stored) | {str(p) for p in inputs[:SEEDED]} == {str(p) for p in inputs}

    workspace = Workspace.open(home)
    try:
        with workspace.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Referral)) == REFERRALS
            assert session.scalar(select(func.count()).select_from(Quarantine)) == 0
            unfinished = select(func.count()).where(ReferralFile.media_status.is_(None))
            assert session.scalar(unfinished) == 0
    finally:
        workspace.close()
    for check in (("vault", "verify"), ("audit", "verify")):
        done = _grace(home, *check)
        assert done.returncode == 0, done.stdout + done.stderr
