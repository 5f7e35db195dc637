"""Media processing on a TLS Dask cluster: one worker against two, in the same run (issue 14).

For each worker count, a fresh PostgreSQL workspace (a database of its own, dropped after)
holds the same benign synthetic batch, ingested with ``--no-media``; ``grace cluster up``
starts a TLS scheduler and N single-threaded workers on loopback; the workers are warmed
(imports, JIT) on one item; then ``process_on_cluster`` runs the media and intelligence
stages. ``media_per_s_*`` is media items analysed per second of the analysis stage (the
part that spreads over workers); ``end_to_end_media_per_s_*`` also counts the matching
and routing stages, which take the write lock and so run one at a time. The last line of
output is one JSON object.

    GRACE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/cluster.py --referrals 80
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from grace.cluster import local, tasks
from grace.cluster.run import process_on_cluster
from grace.media.process import _pending
from grace.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash_harness import GRACE, Batch, database, make_batch, prepare


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure(batch: Batch, admin: str, workers: int, root: Path) -> dict[str, Any]:
    certs = root / "certs"
    if not certs.exists():
        subprocess.run([*GRACE, "cluster", "certs", "--out", str(certs)], check=True)
    port = _free_port()
    with database(admin, "bench_cluster") as url:
        home = root / f"home-{workers}-{uuid.uuid4().hex[:8]}"
        assert url is not None
        prepare(home, url, batch, "media")
        up = subprocess.Popen(
            [*GRACE, "cluster", "up", "--certs", str(certs), "--workers", str(workers),
             "--port", str(port), "--workdir", str(root / f"run-{workers}"), "--json"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert up.stdout is not None
            address = json.loads(up.stdout.readline())["scheduler"]
            client = local.wait_for_workers(address, certs, workers, timeout=120)
            workspace = Workspace.open(home)
            try:
                with workspace.sessions() as session:
                    pending = _pending(session)
                items = len(pending)
                assert all(client.run(tasks.warm_up, str(home), url, pending[0]).values())
                started = time.monotonic()
                report = process_on_cluster(workspace, client, "bench")
                total = time.monotonic() - started
            finally:
                workspace.close()
                client.close()
        finally:
            up.send_signal(signal.SIGTERM)
            up.wait(60)
    assert report.analysed == items and not [e for e in report.errors if "grace-" in e]
    return {
        "media": items,
        "analyse_s": round(report.seconds["analyse"], 2),
        "total_s": round(total, 2),
        "media_per_s": round(items / report.seconds["analyse"], 2),
        "end_to_end_media_per_s": round(items / total, 2),
    }


def _mean(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Rates over all runs of one worker count: items over summed seconds."""
    media = sum(r["media"] for r in runs)
    return {
        "media": runs[0]["media"],
        "media_per_s": round(media / sum(r["analyse_s"] for r in runs), 2),
        "end_to_end_media_per_s": round(media / sum(r["total_s"] for r in runs), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=80)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--repeats", type=int, default=1, help="ABBA rounds (4 runs each)")
    args = parser.parse_args()
    admin = os.environ.get("GRACE_TEST_DATABASE_URL")
    if not admin:
        sys.exit("set GRACE_TEST_DATABASE_URL (cluster mode needs PostgreSQL)")
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="grace-bench-cluster-") as tmp:
        root = Path(tmp)
        batch = make_batch(root / "batch", args.referrals, args.seed)
        # ABBA order: on a shared, loaded machine the load drifts during the run
        for workers in [1, 2, 2, 1] * args.repeats:
            runs[workers].append(measure(batch, admin, workers, root))
            print(json.dumps({"workers": workers, **runs[workers][-1]}), flush=True)
    one, two = _mean(runs[1]), _mean(runs[2])
    load = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "media": one["media"],
                "media_per_s_1_worker": one["media_per_s"],
                "media_per_s_2_workers": two["media_per_s"],
                "ratio": round(two["media_per_s"] / one["media_per_s"], 2),
                "end_to_end_media_per_s_1_worker": one["end_to_end_media_per_s"],
                "end_to_end_media_per_s_2_workers": two["end_to_end_media_per_s"],
                "end_to_end_ratio": round(
                    two["end_to_end_media_per_s"] / one["end_to_end_media_per_s"], 2
                ),
                "cpus": os.cpu_count(),
                "load_1min": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
