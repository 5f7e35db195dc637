"""Analyst-desk API latency with N referrals (default 100,000) on SQLite and PostgreSQL.

For each backend: a fresh workspace (PostgreSQL: a database created for the run and dropped
after it), N synthetic referrals bulk-inserted (see ``api_data``), a real uvicorn server on
loopback, and an authenticated client (an analyst of the busiest agency by API token; the
coordinator for the filtered page). Requests are sequential; each endpoint is measured
after a warm-up. Measured:

* queue: ``GET /api/v1/referrals`` first page (agency-scoped, by priority);
* queue_filtered: coordinator, ``?country=..&status=new&priority_min=50&page=3``;
* referral: ``GET /api/v1/referrals/{id}`` for random ids in scope (each view is audited,
  so this includes a write and a commit);
* referral_page: the HTML referral page (same ids, session cookie).

Target: p95 under 100 ms. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from api_data import agencies, populate
from grace.accounts.tokens import create_token
from grace.accounts.users import add_user
from grace.store.tables import Referral
from grace.web import create_app
from grace.workspace import Workspace

DEFAULT_PG = os.environ.get(
    "GRACE_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "bench-password-not-secret"


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def measure(call: Callable[[int], httpx.Response], n: int) -> dict[str, float]:
    """p50/p95 in milliseconds and requests per second over ``n`` sequential requests."""
    for i in range(min(20, n)):
        call(i)
    times = []
    started = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        response = call(i)
        times.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"bench: {response.request.url} answered {response.status_code}")
    total = time.perf_counter() - started
    cuts = statistics.quantiles(times, n=100)
    return {"p50_ms": round(cuts[49], 2), "p95_ms": round(cuts[94], 2), "rps": round(n / total, 1)}


def serve(app: object) -> tuple[uvicorn.Server, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))  # type: ignore[arg-type]
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def setup(workspace: Workspace, n: int) -> tuple[str, str, str, list[int]]:
    """Populate; accounts; returns (analyst token, coordinator token, country, ids in scope)."""
    started = time.perf_counter()
    done = [0]

    def progress(k: int) -> None:
        done[0] += k
        if done[0] % 20000 == 0 or done[0] == n:
            log(f"  {done[0]} referrals inserted ({time.perf_counter() - started:.0f} s)")

    with workspace.sessions.begin() as session:
        populate(session, n, progress=progress)
    if workspace.engine.dialect.name == "postgresql":
        # what autovacuum does to a settled database: statistics and the visibility map
        # (index-only scans for the queue's counts)
        with workspace.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
    pairs, coord = agencies()
    with workspace.sessions.begin() as session:
        busiest = session.execute(
            select(Referral.agency, func.count())
            .where(Referral.agency != coord)
            .group_by(Referral.agency)
            .order_by(func.count().desc())
            .limit(1)
        ).one()[0]
        ids = list(session.scalars(select(Referral.id).where(Referral.agency == busiest)))
        add_user(session, "analyst", PASSWORD, "analyst", busiest)
        add_user(session, "coord", PASSWORD, "analyst", coord)
        analyst = create_token(session, "analyst", "bench")[1]
        coordinator = create_token(session, "coord", "bench")[1]
    country = dict(pairs)[busiest]
    log(f"  populated in {time.perf_counter() - started:.0f} s; analyst of {busiest}: {len(ids)}")
    return analyst, coordinator, country, ids


def run_backend(workspace: Workspace, n: int, requests: int) -> dict[str, float]:
    analyst, coordinator, country, ids = setup(workspace, n)
    server, base = serve(create_app(workspace))
    rng = random.Random(3)
    sample = [rng.choice(ids) for _ in range(requests + 20)]
    results: dict[str, float] = {}
    try:
        with (
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {analyst}"}) as a,
            httpx.Client(base_url=base, headers={"Authorization": f"Bearer {coordinator}"}) as c,
            httpx.Client(base_url=base) as browser,
        ):
            login = browser.post("/login", data={"username": "analyst", "password": PASSWORD})
            if login.status_code not in (200, 303):
                raise SystemExit(f"bench: sign-in failed ({login.status_code})")
            filtered = f"/api/v1/referrals?country={country}&status=new&priority_min=50&page=3"
            plans: dict[str, Callable[[int], httpx.Response]] = {
                "queue": lambda _i: a.get("/api/v1/referrals?limit=50"),
                "queue_filtered": lambda _i: c.get(filtered),
                "referral": lambda i: a.get(f"/api/v1/referrals/{sample[i]}"),
                "referral_page": lambda i: browser.get(f"/referrals/{sample[i]}"),
            }
            for name, call in plans.items():
                stats = measure(call, requests)
                log(f"  {name}: {stats}")
                results |= {f"{name}_{k}": v for k, v in stats.items()}
    finally:
        server.should_exit = True
    return results


def pg_database(admin: str) -> tuple[str, Callable[[], None]]:
    """A fresh database for this run, and how to drop it."""
    base = make_url(admin)
    name = f"grace_bench_{os.getpid()}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=300, help="per endpoint")
    parser.add_argument("--pg-url", default=DEFAULT_PG, help="PostgreSQL server (admin URL)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    report: dict[str, object] = {
        "referrals": args.referrals,
        "requests": args.requests,
        "cpus": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 1),  # other work on the machine skews p95
    }
    for backend in args.backends.split(","):
        log(f"{backend}: {args.referrals} referrals")
        with tempfile.TemporaryDirectory() as tmp:
            url, drop = pg_database(args.pg_url) if backend == "postgresql" else (None, None)
            workspace = Workspace.init(Path(tmp) / "home", url)
            try:
                result = run_backend(workspace, args.referrals, args.requests)
            finally:
                workspace.close()
                if drop:
                    drop()
        report[backend] = result | {"load": round(os.getloadavg()[0], 1)}
        report[f"{backend}_queue_p95_ms"] = result["queue_p95_ms"]
        report[f"{backend}_referral_p95_ms"] = result["referral_p95_ms"]
    print(json.dumps(report))


if __name__ == "__main__":
    main()
