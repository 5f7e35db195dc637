"""Deconfliction throughput and alert quality (issue 13). Last line: one JSON object.

* ``tokens_per_s``: blind -> evaluate -> unblind over loopback HTTP, batched (2,000 per
  request), a node (this process) against a coordinator served by ``grace serve`` (its own
  process). Target >= 2,000/s on one core.
* ``sync_1m_s``: 1 M tokens across 10 agencies. Measured in two parts and said so in the
  output: the coordinator's index (upload + matching of 10 x 100,000 tokens, in-process on
  its database, ``index_1m_s``) plus 1 M times the per-token HTTP cost of a real ``sync``
  (evaluate + upload + alerts over loopback, measured at ``--http-n`` tokens). Target < 120 s.
  ``coordinator_1m_s`` is the coordinator's share alone (blind evaluation in-process plus
  the index): the bound when ten agencies blind and unblind on their own machines at once.
* ``alert_recall`` / ``alert_precision``: three agencies' synthetic referrals with planted
  cross-agency subjects, synced for real, alerts against plaintext linkage.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from grace.deconflict import coordinator, oprf
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
def served(home: Path) -> Iterator[str]:
    """``grace serve`` on one core (taskset when available) for the coordinator."""
    port = _port()
    pin = ["taskset", "-c", "0"] if os.path.exists("/usr/bin/taskset") else []
    env = {**os.environ, "GRACE_HOME": str(home)}
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
    start = time.perf_counter()
    for a, name in enumerate(names):
        tokens = [secrets.token_hex(32) for _ in range(per_agency - len(shared))] + shared
        for i in range(0, per_agency, 5000):
            entries = [
                SimpleNamespace(token=t, kind="email", ref=f"{name}-{i + j}", expires_at=expires)
                for j, t in enumerate(tokens[i : i + 5000])
            ]
            with workspace.sessions.begin() as session:
                node = find_node(session, name)
                coordinator.upload(workspace, session, node, epoch, entries)
        print(
            f"index: agency {a + 1}/{agencies} at {time.perf_counter() - start:.1f} s",
            file=sys.stderr,
        )
    return time.perf_counter() - start


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
        index_ws = Workspace.init(root / "index")
        coordinator.setup(index_ws, "bench")
        index_s = index_1m(index_ws, args.agencies, args.per_agency)
        total = args.agencies * args.per_agency
        http_per_token = quality["sync_s"] / max(quality["sync_tokens"], 1)
        result = {
            "tokens_per_s": round(rate, 1),
            "sync_1m_s": round(index_s * 1_000_000 / total + 1_000_000 * http_per_token, 1),
            "alert_recall": round(quality["alert_recall"], 4),
            "alert_precision": round(quality["alert_precision"], 4),
            "index_1m_s": round(index_s * 1_000_000 / total, 1),
            "coordinator_1m_s": round(index_s * 1_000_000 / total + 1_000_000 / evaluate_rate, 1),
            "evaluate_per_s": round(evaluate_rate, 1),
            "index_tokens": total,
            "sync_http_tokens_per_s": round(1 / http_per_token, 1) if http_per_token else None,
            "sync_http_n": quality["sync_tokens"],
            "links": quality["links"],
            "note": "sync_1m_s = index_1m_s (measured at index_tokens) + 1e6 / "
            "sync_http_tokens_per_s (full sync over loopback HTTP measured at sync_http_n tokens)",
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
