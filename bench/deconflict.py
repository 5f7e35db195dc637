"""Deconfliction throughput and alert quality (issue 13). Last line: one JSON object.

* ``tokens_per_s``: blind -> evaluate -> unblind over loopback HTTP, batched (2,000 per
  request), a node (this process) against a coordinator served by ``grace serve`` (its own
  process). Target >= 2,000/s on one core.
* ``sync_1m_s``: the whole deconfliction of 1 M tokens across 10 agencies, wall-clock, on
  this machine: the coordinator is ``grace serve`` with its evaluation pool on every core,
  and each agency runs in its own process at once (blind, signed evaluate over loopback
  HTTP, unblind with the batch proof checked, upload, pull alerts), as ten agencies would
  on their own machines. Agencies' identifiers are synthetic (1 % held by all), so reading
  them from referrals is not in it (``sync_http_tokens_per_s`` is the full ``sync``).
  Target < 120 s. ``coordinator_1m_s`` is the coordinator's serial share on one core
  (blind evaluation in-process plus the index, ``index_1m_s``): the bound when agencies
  blind and unblind on their own machines.
* ``alert_recall`` / ``alert_precision``: three agencies' synthetic referrals with planted
  cross-agency subjects, synced for real, alerts against plaintext linkage.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from grace.deconflict import coordinator, oprf, pool
from grace.deconflict.canonical import oprf_input
from grace.deconflict.client import Caller, b64, unb64
from grace.deconflict.nodes import add_node, find_node
from grace.deconflict.sync import join, node_key, read_notices, sync
from grace.deconflict.synthetic import generate, plaintext_links
from grace.ingest.pipeline import IngestPipeline
from grace.store.deconflict_tables import DeconflictRef, DeconflictUsage
from grace.store.tables import Referral
from grace.workspace import Workspace

GRACE = [sys.executable, "-m", "grace.cli.main"]
AGENCIES = ["nl-police", "de-bka", "fr-ocrvp"]


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(home: Path, one_core: bool = True) -> Iterator[str]:
    """``grace serve`` for the coordinator: pinned to one core (taskset when available,
    evaluation in the server process) or on every core (its evaluation pool)."""
    port = _port()
    pin = ["taskset", "-c", "0"] if one_core and os.path.exists("/usr/bin/taskset") else []
    env = {**os.environ, "GRACE_HOME": str(home)}
    if one_core:
        env[pool.ENV] = "1"
    proc = subprocess.Popen([*pin, *GRACE, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def agency(root: Path, name: str, coordinator_ws: Workspace, rate: int) -> Workspace:
    workspace = Workspace.init(root / name)
    add_node(coordinator_ws, name, node_key(workspace)["public_key"].encode(), "bench",
             rate_per_hour=rate)  # fmt: skip
    return workspace


def tokens_per_s(workspace: Workspace, url: str, n: int, batch: int) -> float:
    with Caller(workspace, "bench-node", url) as caller:
        config = caller.get("/config")
        key = bytes.fromhex(config["public_key"])
        inputs = [oprf_input("email", f"bench{i}@example.org") for i in range(n)]
        start = time.perf_counter()
        for i in range(0, n, batch):
            blinded = oprf.Blinded(inputs[i : i + batch])
            answer = caller.post(
                "/evaluate", {"epoch": config["epoch"], "blinded": b64(blinded.packed)}
            )
            blinded.finalize(unb64(answer["evaluated"]), key)
        return n / (time.perf_counter() - start)


def evaluate_per_s(home: Path, n: int, batch: int) -> float:
    """The coordinator's own OPRF cost (in-process, one core): what 10 agencies blinding and
    unblinding on their own machines leave to it besides the index."""
    inputs = [oprf_input("email", f"e{i}@example.org") for i in range(n)]
    batches = [oprf.Blinded(inputs[i : i + batch]).packed for i in range(0, n, batch)]
    start = time.perf_counter()
    for packed in batches:
        oprf.evaluate(oprf.seed_path(home), 1, packed)
    return n / (time.perf_counter() - start)


def agency_run(home: str, name: str, url: str, n: int, shared: int, batch: int) -> list[int]:
    """One agency's whole deconfliction of ``n`` identifiers in its own process: blind,
    evaluate (signed, over HTTP), unblind with the proof checked, upload, pull alerts.
    ``shared`` of them are held by every agency. Returns [tokens, alerts received]."""
    inputs = [oprf_input("email", f"shared{i}@example.org") for i in range(shared)]
    inputs += [oprf_input("email", f"{name}-{i}@example.org") for i in range(n - shared)]
    expires = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    with Caller(Path(home), name, url) as caller:
        config = caller.get("/config")
        epoch, key = config["epoch"], bytes.fromhex(config["public_key"])
        for start in range(0, n, batch):
            blinded = oprf.Blinded(inputs[start : start + batch])
            answer = caller.post("/evaluate", {"epoch": epoch, "blinded": b64(blinded.packed)})
            tokens = blinded.finalize(unb64(answer["evaluated"]), key)
            add = [
                {"token": t, "kind": "email", "ref": f"{name}-{start + j}", "expires_at": expires}
                for j, t in enumerate(tokens)
            ]
            caller.post("/tokens", {"epoch": epoch, "add": add, "withdraw": []})
        alerts = caller.post("/alerts", {"after": 0})["alerts"]
    return [n, len(alerts)]


def sync_wall(root: Path, agencies: int, per_agency: int, batch: int) -> dict[str, Any]:
    """The whole deconfliction of ``agencies`` x ``per_agency`` tokens, wall-clock, on this
    machine: a coordinator on every core (``grace serve``, evaluation pool) and every agency
    in its own process at once, as ten agencies would run on their own machines."""
    coord = Workspace.init(root / "sync-coordinator")
    coordinator.setup(coord, "bench")
    names = [f"agency-{i}" for i in range(agencies)]
    homes = [str(agency(root, name, coord, 10_000_000).home) for name in names]
    shared = per_agency // 100
    before = _cpu_s()
    with served(coord.home, one_core=False) as url:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(agencies, mp_context=context) as agency_pool:
            start = time.perf_counter()
            futures = [agency_pool.submit(agency_run, h, n, url, per_agency, shared, batch)
                       for h, n in zip(homes, names, strict=True)]  # fmt: skip
            results = [f.result() for f in futures]
            wall = time.perf_counter() - start
    cpu = _cpu_s() - before  # the agencies' processes, the server and its pool, all reaped
    tokens, alerts = sum(r[0] for r in results), sum(r[1] for r in results)
    expected = agencies * shared * (agencies - 1)
    return {"wall_s": wall, "cpu_s": cpu, "tokens": tokens, "alerts": alerts,
            "alerts_expected": expected}  # fmt: skip


def _cpu_s() -> float:
    """CPU seconds of this process and its reaped children (their children included)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def index_1m(workspace: Workspace, agencies: int, per_agency: int) -> float:
    """Upload 10 x 100,000 tokens (1 % shared with the next agency) into the index."""
    names = [f"bench-{i}" for i in range(agencies)]
    for name in names:
        add_node(workspace, name, node_key(workspace)["public_key"].encode(), "bench")
    expires = datetime.now(UTC) + timedelta(days=365)
    shared = [secrets.token_hex(32) for _ in range(per_agency // 100)]
    with workspace.sessions.begin() as session:
        epoch = coordinator.current_epoch(session) or 1
        window = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
        for name in names:  # the upload cap counts evaluations: grant them
            session.add(DeconflictUsage(node_id=find_node(session, name).id, epoch=epoch,
                                        window=window, evaluated=per_agency))  # fmt: skip
    spent = 0.0  # upload time only: making up the tokens is not the index's cost
    for a, name in enumerate(names):
        tokens = [secrets.token_hex(32) for _ in range(per_agency - len(shared))] + shared
        batches = [
            [
                SimpleNamespace(token=t, kind="email", ref=f"{name}-{i + j}", expires_at=expires)
                for j, t in enumerate(tokens[i : i + 5000])
            ]
            for i in range(0, per_agency, 5000)
        ]
        start = time.perf_counter()
        for entries in batches:
            with workspace.sessions.begin() as session:
                node = find_node(session, name)
                coordinator.upload(workspace, session, node, epoch, entries)
        spent += time.perf_counter() - start
        print(f"index: agency {a + 1}/{agencies} at {spent:.1f} s", file=sys.stderr)
    return spent


def alerts_quality(
    root: Path, url: str, coord: Workspace, per_agency: int, subjects: int
) -> dict[str, Any]:
    data = generate(AGENCIES, per_agency, subjects)
    spaces: dict[str, Workspace] = {}
    tokens, seconds = 0, 0.0
    for name in AGENCIES:
        workspace = agency(root, name, coord, 10_000_000)
        inbox = root / f"inbox-{name}"
        for item in data[name]:
            folder = inbox / str(item.external_id)
            folder.mkdir(parents=True)
            (folder / "referral.json").write_text(item.model_dump_json(exclude_none=True))
        IngestPipeline(workspace).run([inbox])
        join(workspace, url, name)
        start = time.perf_counter()
        report = sync(workspace)
        seconds += time.perf_counter() - start
        tokens += report.tokens
        spaces[name] = workspace
    found = set()
    ids = {n: _ids(w) for n, w in spaces.items()}
    for name, workspace in spaces.items():
        sync(workspace)  # pulls alerts raised after this agency's own upload
        for notice in read_notices(workspace):
            other = notice["other_node"]
            found.add((name, ids[name][0][notice["referral_id"]], other,
                       ids[other][1][notice["other_ref"]], notice["kind"]))  # fmt: skip
    links = plaintext_links(data)
    true = found & links
    return {
        "alert_recall": len(true) / max(len(links), 1),
        "alert_precision": len(true) / max(len(found), 1),
        "links": len(links),
        "sync_tokens": tokens,
        "sync_s": seconds,
    }


def _ids(workspace: Workspace) -> tuple[dict[int, str], dict[str, str]]:
    with workspace.sessions() as session:
        ids = {
            k: str(v) for k, v in session.execute(select(Referral.id, Referral.external_id)).all()
        }
        refs = {
            r: ids[i]
            for r, i in session.execute(select(DeconflictRef.ref, DeconflictRef.referral_id)).all()
        }
    return ids, refs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--agencies", type=int, default=10)
    parser.add_argument("--per-agency", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=600, help="per agency, for alerts")
    parser.add_argument("--subjects", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grace-deconflict-bench-") as tmp:
        root = Path(tmp)
        coord = Workspace.init(root / "coordinator")
        coordinator.setup(coord, "bench")
        node = agency(root, "bench-node", coord, 10_000_000)
        with served(coord.home) as url:
            rate = tokens_per_s(node, url, args.tokens, args.batch)
            quality = alerts_quality(root, url, coord, args.referrals, args.subjects)
        evaluate_rate = evaluate_per_s(coord.home, args.tokens, args.batch)
        whole = sync_wall(root, args.agencies, args.per_agency, args.batch)
        index_ws = Workspace.init(root / "index")
        coordinator.setup(index_ws, "bench")
        index_s = index_1m(index_ws, args.agencies, args.per_agency)
        total = args.agencies * args.per_agency
        scale = 1_000_000 / total
        result = {
            "tokens_per_s": round(rate, 1),
            "sync_1m_s": round(whole["wall_s"] * scale, 1),
            "alert_recall": round(quality["alert_recall"], 4),
            "alert_precision": round(quality["alert_precision"], 4),
            "sync_tokens": whole["tokens"],
            "sync_alerts": whole["alerts"],
            "sync_alerts_expected": whole["alerts_expected"],
            "sync_cpu_1m_s": round(whole["cpu_s"] * scale, 1),
            "cores": len(os.sched_getaffinity(0)),
            "coordinator_1m_s": round(index_s * scale + 1_000_000 / evaluate_rate, 1),
            "index_1m_s": round(index_s * scale, 1),
            "evaluate_per_s": round(evaluate_rate, 1),
            "sync_http_tokens_per_s": round(quality["sync_tokens"] / quality["sync_s"], 1),
            "links": quality["links"],
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "note": "sync_1m_s: wall-clock of the whole deconfliction of sync_tokens (scaled to "
            "1 M if fewer) on this machine: coordinator on every core, each agency its own "
            "process. sync_cpu_1m_s: the CPU seconds all of it used (divide by cores for an idle "
            "machine). coordinator_1m_s: its serial share on one core (evaluation + index).",
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
