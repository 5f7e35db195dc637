"""Exchange between nodes: referrals end to end, and a 1 M-entry bank delta.

1. A seeded benign batch (default 1,000 referrals with media) is generated once. The same
   batch is ingested locally (``IngestPipeline``, the path ``grace receive`` uses too) on a
   fresh node, timed: ``local_ingest_referrals_per_s``. It is then routed to de-bka (set
   directly: routing is not what is measured) and sent with ``send_referrals`` to a real
   ``grace serve`` of a second node over loopback HTTP, each package signed, posted,
   verified, ingested and answered with a signed receipt: ``send_receive_referrals_per_s``.
2. A bank of N synthetic entries (default 1,000,000: random digests, no media) is published
   as one delta (``publish_s``, ``delta_bytes_per_entry``) and applied at a third node
   (``apply_s``).

The last line printed is one JSON object. Usage:
  .venv/bin/python bench/exchange.py [--referrals 1000] [--entries 1000000]
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, update

from grace.demo.generate import generate
from grace.exchange.node import set_node
from grace.exchange.peers import add_peer, set_send_token
from grace.exchange.send import send_referrals
from grace.exchange.shares import apply, publish
from grace.exports.signing import load_or_create_signing_key, public_pem
from grace.ingest.pipeline import IngestPipeline
from grace.store.media_tables import BankEntry, BankImport, HashBank
from grace.store.tables import Referral
from grace.vault.records import store_blob
from grace.workspace import Workspace

GRACE = [sys.executable, "-m", "grace.cli.main"]


def _node(root: Path, name: str) -> Workspace:
    workspace = Workspace.init(root / name)
    set_node(workspace, name, name, "bench")
    return workspace


def _pem(workspace: Workspace) -> bytes:
    return public_pem(load_or_create_signing_key(workspace.home).public_key())


def _pair(a: Workspace, b: Workspace, b_url: str | None) -> None:
    """a pins b (with b's URL), b pins a; tokens exchanged both ways."""
    _, token_for_b = add_peer(a, b.home.name, _pem(b), "bench", b_url, b.home.name)
    _, token_for_a = add_peer(b, a.home.name, _pem(a), "bench", None, a.home.name)
    set_send_token(a, b.home.name, token_for_a, "bench")
    set_send_token(b, a.home.name, token_for_b, "bench")


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def referrals(root: Path, count: int, seed: int) -> dict[str, Any]:
    generate(root / "batch", count, seed)
    source = _node(root, "europol")
    start, cpu = time.perf_counter(), time.process_time()
    report = IngestPipeline(source, "bench").run([root / "batch" / "input"])
    local_s = time.perf_counter() - start
    local_cpu = time.process_time() - cpu
    stored = report.count("ingested")
    with source.sessions.begin() as session:
        session.execute(update(Referral).values(agency="de-bka"))
    target = _node(root, "de-bka")
    port = _port()
    # like for like: local ingest is timed without media analysis, so the receiving node
    # does not analyse received media in the background during the run either
    env = {**os.environ, "GRACE_HOME": str(target.home), "GRACE_RECEIVE_MEDIA": "0"}
    log = (root / "serve.log").open("ab")
    server = subprocess.Popen(
        [*GRACE, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(f"{url}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        _pair(source, target, url)
        start, cpu, served = time.perf_counter(), time.process_time(), _cpu_of(server.pid)
        results = send_referrals(source, "bench")
        send_s = time.perf_counter() - start
        send_cpu = time.process_time() - cpu + _cpu_of(server.pid) - served
    finally:
        server.terminate()
        server.wait(timeout=30)
    delivered = sum(1 for r in results if r.delivery == "delivered" and r.receipt_ok)
    files = sum(o.files for o in report.outcomes if o.status == "ingested")
    local_rate, send_rate = stored / local_s, delivered / send_s
    return {
        "referrals": stored,
        "files": files,
        "delivered_with_valid_receipt": delivered,
        "local_ingest_referrals_per_s": round(local_rate, 1),
        "send_receive_referrals_per_s": round(send_rate, 1),
        "send_receive_over_local": round(send_rate / local_rate, 3),
        # CPU seconds (both processes for send/receive): the work done, whatever the load
        "local_ingest_cpu_s": round(local_cpu, 2),
        "send_receive_cpu_s": round(send_cpu, 2),
        "local_over_send_receive_cpu": round(local_cpu / send_cpu, 3) if send_cpu else None,
    }


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a process used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _fill_bank(workspace: Workspace, name: str, entries: int) -> None:
    """A bank of random digests (setup, not measured), inserted as import_bank would."""
    with workspace.sessions.begin() as session:
        bank = HashBank(
            name=name,
            kind="known",
            scheme="projectvic-us",
            created_at=datetime.now(UTC),
            data={},
        )
        session.add(bank)
        session.flush()
        blob = store_blob(session, workspace.vault, b"bench bank " + secrets.token_bytes(8))
        record = BankImport(
            bank_id=bank.id,
            sha256=blob.sha256,
            source_name="bench",
            format="csv",
            entries=entries,
            warnings=[],
            imported_at=bank.created_at,
        )
        session.add(record)
        session.flush()
        rows = []
        for index in range(entries):
            sha, md5 = secrets.token_hex(32), secrets.token_hex(16)
            code = str(index % 5)
            category = {"scheme": "projectvic-us", "code": code}
            rows.append(
                {
                    "bank_id": bank.id,
                    "import_id": record.id,
                    "category_scheme": "projectvic-us",
                    "category_code": code,
                    "sha256": sha,
                    "md5": md5,
                    "size": 1000 + index,
                    "data": {"sha256": sha, "md5": md5, "size": 1000 + index, "category": category},
                }
            )
            if len(rows) == 20_000:
                session.execute(insert(BankEntry), rows)
                rows = []
        if rows:
            session.execute(insert(BankEntry), rows)


def bank_delta(root: Path, entries: int) -> dict[str, Any]:
    publisher, subscriber = _node(root, "de-bka-banks"), _node(root, "nl-police-banks")
    _pair(publisher, subscriber, None)
    _fill_bank(publisher, "bench-known", entries)
    start = time.perf_counter()
    result = publish(publisher, "bench-known", "bench", root / "delta.zip")
    publish_s = time.perf_counter() - start
    data = (root / "delta.zip").read_bytes()
    start = time.perf_counter()
    applied = apply(subscriber, data, "bench")
    apply_s = time.perf_counter() - start
    assert applied.added == entries == result.added, (applied, result)
    return {
        "bank_delta_entries": result.added,
        "publish_s": round(publish_s, 2),
        "apply_s": round(apply_s, 2),
        "delta_bytes": len(data),
        "delta_bytes_per_entry": round(len(data) / max(1, result.added), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grace-bench-exchange-") as tmp:
        root = Path(tmp)
        out: dict[str, Any] = {}
        if args.referrals:
            out |= referrals(root, args.referrals, args.seed)
            print(json.dumps(out), file=sys.stderr)
        if args.entries:
            out |= bank_delta(root, args.entries)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
