"""Two ``grace serve`` processes on one PostgreSQL workspace (issue 14, item 5).

Several desk processes behind a proxy must behave as one desk: the sign-in limit counts
failures in the database, so spreading attempts over both processes, one after another or
all at once, lets no more than ``MAX_FAILURES`` wrong passwords be tried, and a locked user
stays locked on the other process too; a session started on one process is valid on the
other, and signing out on one ends it on both.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from grace.accounts.ratelimit import MAX_FAILURES
from grace.accounts.users import add_user
from grace.workspace import Workspace
from net import free_port
from pg import require_or_skip

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))  # the shared harness
from crash_harness import database

PASSWORD = "correct-horse-battery"
ENV = {**os.environ, "GRACE_PASSWORD_HASH_PROFILE": "test"}


@pytest.fixture(scope="module")
def desks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    with database(require_or_skip(), "desks") as url:
        home = tmp_path_factory.mktemp("desks") / "home"
        os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
        workspace = Workspace.init(home, url)
        with workspace.sessions.begin() as session:
            for name in ("ana", "ben", "cem"):
                add_user(session, name, PASSWORD, "analyst", "nl-police")
        workspace.close()
        env = {**ENV, "GRACE_HOME": str(home)}
        env.pop("GRACE_DATABASE_URL", None)
        ports = [free_port(), free_port()]
        serve = [sys.executable, "-m", "grace.cli.main", "serve", "--port"]
        procs = [subprocess.Popen([*serve, str(p)], env=env) for p in ports]
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        try:
            for base in urls:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        httpx.get(f"{base}/healthz", timeout=1)
                        break
                    except httpx.HTTPError:
                        assert time.monotonic() < deadline, f"{base} did not start"
                        time.sleep(0.2)
            yield urls
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=20)


def login(base: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )


def test_failures_on_either_desk_count_toward_one_limit(desks: list[str]) -> None:
    codes = [login(desks[i % 2], "ana", "wrong!").status_code for i in range(MAX_FAILURES)]
    assert codes == [401] * MAX_FAILURES
    assert login(desks[0], "ana", "wrong!").status_code == 429
    assert login(desks[1], "ana", PASSWORD).status_code == 429  # locked on the other desk too


def test_concurrent_attempts_across_desks_never_exceed_the_limit(desks: list[str]) -> None:
    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = Counter(
            pool.map(lambda i: login(desks[i % 2], "ben", "wrong!").status_code, range(16))
        )
    assert codes[401] <= MAX_FAILURES and codes[401] + codes[429] == 16
    assert login(desks[1], "ben", PASSWORD).status_code == 429


def test_a_session_from_one_desk_works_and_ends_on_the_other(desks: list[str]) -> None:
    signed_in = login(desks[0], "cem", PASSWORD)
    assert signed_in.status_code == 200
    cookies = dict(signed_in.cookies)
    csrf = signed_in.json()["csrf_token"]
    me = httpx.get(f"{desks[1]}/api/v1/auth/me", cookies=cookies, timeout=30)
    assert me.status_code == 200 and me.json()["username"] == "cem"
    out = httpx.post(
        f"{desks[1]}/api/v1/auth/logout",
        cookies=cookies,
        headers={"X-CSRF-Token": csrf},
        timeout=30,
    )
    assert out.status_code == 204
    assert httpx.get(f"{desks[0]}/api/v1/auth/me", cookies=cookies, timeout=30).status_code == 401
