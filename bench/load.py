"""Load: 50 concurrent analysts work the desk for 2 minutes, and no decision is lost.

A ``grace demo`` workspace is served by ``grace serve`` (one process, as deployed) on
loopback. Each simulated analyst signs in with a cookie session, then loops: the queue page,
one referral's page, its media wall, and a decision posted with the session's CSRF token
(JSON API), with a short random pause between steps. Every request is timed per endpoint.
Afterwards every decision the server acknowledged (201 with its id) must be readable through
``GET /api/v1/referrals/{id}/decisions``, and ``grace audit verify`` must pass.

The last line printed is one JSON object: ``p50_ms``/``p95_ms`` per endpoint, ``requests``,
``errors`` (target 0: any status other than the expected one, or a failed connection),
``decisions``, ``lost_decisions`` (target 0) and ``audit_ok``.
Usage: .venv/bin/python bench/load.py --analysts 50 --duration 120
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

os.environ.setdefault("GRACE_PASSWORD_HASH_PROFILE", "test")  # set-up speed only
GRACE = [sys.executable, "-m", "grace.cli.main"]
PASSWORD = "benign-load-password"
LABELS = ("urgent", "actionable", "not_actionable", "needs_information")
REFERRAL_LINK = re.compile(r'href="/referrals/(\d+)"')


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    decisions: list[tuple[int, int]] = field(default_factory=list)  # (referral, decision id)

    def timed(self, endpoint: str, seconds: float, ok: bool) -> None:
        self.latencies[endpoint].append(seconds)
        if not ok:
            self.errors[endpoint] += 1


def _grace(*args: str) -> str:
    done = subprocess.run([*GRACE, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"grace {' '.join(args[:2])} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def prepare(home: Path, referrals: int, analysts: int) -> tuple[list[str], str]:
    """A demo workspace, ``analysts`` accounts in its busiest agency, and an admin token."""
    from sqlalchemy import func, select

    from grace.accounts.tokens import create_token
    from grace.accounts.users import add_user
    from grace.store.tables import Referral
    from grace.workspace import Workspace

    _grace("demo", "--referrals", str(referrals), "--no-serve", "--json", "--home", str(home))
    workspace = Workspace.open(home)
    with workspace.sessions.begin() as session:
        agency = session.scalars(
            select(Referral.agency)
            .where(Referral.agency.is_not(None))
            .group_by(Referral.agency)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        names = [f"load{n:03d}" for n in range(analysts)]
        for name in names:
            add_user(session, name, PASSWORD, "analyst", agency)
        admin = create_token(session, "admin", "load")[1]
    workspace.close()
    return names, admin


async def analyst(
    client: httpx.AsyncClient, name: str, deadline: float, think: float, out: Results
) -> None:
    """One analyst's session: queue, referral, media wall, decision; until the deadline."""
    login = await client.post("/api/v1/auth/login", json={"username": name, "password": PASSWORD})
    if login.status_code != 200:
        out.errors["login"] += 1
        return
    csrf = {"X-CSRF-Token": login.json()["csrf_token"]}
    rng = random.Random(name)
    while time.monotonic() < deadline:
        queue = await _get(client, "queue", "/", out)
        ids = [int(n) for n in REFERRAL_LINK.findall(queue)] if queue else []
        if not ids:
            await asyncio.sleep(think)
            continue
        referral_id = rng.choice(ids)
        await _pause(rng, think)
        await _get(client, "referral", f"/referrals/{referral_id}", out)
        await _pause(rng, think)
        await _get(client, "media_wall", f"/referrals/{referral_id}/media", out)
        await _pause(rng, think)
        body = {"label": rng.choice(LABELS), "notes": f"load test by {name}"}
        start = time.monotonic()
        try:
            response = await client.post(
                f"/api/v1/referrals/{referral_id}/decisions", json=body, headers=csrf
            )
            ok = response.status_code == 201
        except httpx.HTTPError:
            ok = False
        out.timed("decision", time.monotonic() - start, ok)
        if ok:
            out.decisions.append((referral_id, int(response.json()["id"])))
        await _pause(rng, think)


async def _get(client: httpx.AsyncClient, endpoint: str, path: str, out: Results) -> str:
    start = time.monotonic()
    text = ""
    try:
        response = await client.get(path, headers={"Accept": "text/html"})
        ok = response.status_code == 200
        text = response.text if ok else ""
    except httpx.HTTPError:
        ok = False
    out.timed(endpoint, time.monotonic() - start, ok)
    return text


async def _pause(rng: random.Random, think: float) -> None:
    await asyncio.sleep(rng.uniform(0, 2 * think))


async def run_load(url: str, names: list[str], duration: float, think: float) -> Results:
    out = Results()
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=len(names) + 5)
    timeout = httpx.Timeout(60.0)

    async def one(name: str) -> None:
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=timeout) as client:
            await analyst(client, name, deadline, think, out)

    await asyncio.gather(*(one(name) for name in names))
    return out


def lost_decisions(url: str, admin_token: str, decisions: list[tuple[int, int]]) -> int:
    """Acknowledged decisions that cannot be read back."""
    by_referral: dict[int, set[int]] = defaultdict(set)
    for referral_id, decision_id in decisions:
        by_referral[referral_id].add(decision_id)
    lost = 0
    headers = {"Authorization": f"Bearer {admin_token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        for referral_id, wanted in by_referral.items():
            response = client.get(f"/api/v1/referrals/{referral_id}/decisions")
            stored = {d["id"] for d in response.json()} if response.status_code == 200 else set()
            lost += len(wanted - stored)
    return lost


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [*GRACE, "serve", "--home", str(home), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("grace serve did not start within 2 minutes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analysts", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--think", type=float, default=0.25, help="mean pause between steps")
    parser.add_argument("--referrals", type=int, default=100, help="demo referrals to serve")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grace-load-") as tmp:
        home = Path(tmp) / "home"
        names, admin = prepare(home, args.referrals, args.analysts)
        proc, url = serve(home)
        try:
            results = asyncio.run(run_load(url, names, args.duration, args.think))
            lost = lost_decisions(url, admin, results.decisions)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        verify = [*GRACE, "audit", "verify", "--json", "--home", str(home)]
        audit = json.loads(subprocess.run(verify, capture_output=True, text=True).stdout)
    summary: dict[str, Any] = {
        "analysts": args.analysts,
        "duration_s": args.duration,
        "requests": {k: len(v) for k, v in results.latencies.items()},
        "p50_ms": {k: round(_percentile(v, 0.50) * 1000, 1) for k, v in results.latencies.items()},
        "p95_ms": {k: round(_percentile(v, 0.95) * 1000, 1) for k, v in results.latencies.items()},
        "errors": sum(results.errors.values()),
        "errors_by_endpoint": dict(results.errors),
        "decisions": len(results.decisions),
        "lost_decisions": lost,
        "audit_ok": bool(audit.get("ok")),
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
