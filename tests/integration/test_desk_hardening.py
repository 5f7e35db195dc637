"""A served desk as an operator runs it (`grace init`, `grace serve`): private workspace
files, and a sign-in limit that rotating X-Forwarded-For or concurrent tries cannot beat
(issue 10, items 8 and 10)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from grace.accounts.users import add_user
from grace.workspace import Workspace
from net import free_port

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"  # argon2 at test strength
PASSWORD = "benign-test-password"
GRACE = [sys.executable, "-m", "grace.cli.main"]


@dataclass(frozen=True)
class Served:
    url: str
    home: Path


def _grace(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRACE, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("desk") / "home"
    created = _grace("init", "--home", str(home))
    assert created.returncode == 0, created.stderr
    assert "readable by other users" not in created.stderr
    workspace = Workspace.open(home)
    with workspace.sessions.begin() as session:
        for name in ("ana", "ben", "cleo"):
            add_user(session, name, PASSWORD, "analyst", "nl-police")
    workspace.close()
    port = free_port()
    proc = subprocess.Popen(
        [*GRACE, "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield Served(url, home)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _login(served: Served, username: str, password: str, forwarded: str | None = None) -> int:
    body = json.dumps({"username": username, "password": password}).encode()
    headers = {"Content-Type": "application/json"}
    if forwarded:
        headers["X-Forwarded-For"] = forwarded
    request = urllib.request.Request(f"{served.url}/api/v1/auth/login", body, headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_rotating_x_forwarded_for_does_not_reset_the_sign_in_limit(served: Served) -> None:
    codes = [_login(served, "ana", "wrong", forwarded=f"203.0.113.{n}") for n in range(1, 9)]
    assert codes == [401] * 5 + [429] * 3
    assert _login(served, "ana", PASSWORD, forwarded="198.51.100.7") == 429
    assert _login(served, "cleo", PASSWORD) == 200  # another user is not locked out


def test_concurrent_failed_sign_ins_do_not_overshoot_the_limit(served: Served) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda _n: _login(served, "ben", "wrong"), range(16)))
    assert 1 <= codes.count(401) <= 5, codes  # a race may refuse one early, never allow more
    assert codes.count(401) + codes.count(429) == 16
    assert _login(served, "ben", PASSWORD) == 429


def test_workspace_files_are_private_and_loose_ones_are_reported(served: Served) -> None:
    assert _login(served, "cleo", PASSWORD) == 200  # the server has written (db, anchor)
    home = served.home
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    names = {p.name for p in home.iterdir()}
    assert {"grace.db", "vault.key", "workspace.json"} <= names
    loose = [
        (str(p.relative_to(home)), oct(stat.S_IMODE(p.stat().st_mode)))
        for p in [home, *home.rglob("*")]
        if stat.S_IMODE(p.stat().st_mode) & 0o077
    ]
    assert loose == []
    (home / "grace.db").chmod(0o644)
    home.chmod(0o755)
    try:
        again = _grace("init", "--home", str(home))
        assert again.returncode == 0, again.stderr
        warning = " ".join(again.stderr.split())
        assert "readable by other users" in warning and "grace.db 0644" in warning
    finally:
        (home / "grace.db").chmod(0o600)
        home.chmod(0o700)
