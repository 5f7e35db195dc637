"""Media analysis on a TLS Dask cluster: one worker against two, in the same run (issue 14).

One PostgreSQL workspace (a database of its own, dropped after) holds a benign synthetic
batch ingested with ``--no-media``; ``grace cluster up`` starts a TLS scheduler and two
single-threaded workers on loopback, and each worker is warmed once (imports, database
pool, JIT; reported apart as ``warm_up_s``). Then, in ABBA order, the analysis stage runs
on one worker (tasks pinned to it) or on both, with the same batch and the same items per
task, the media rows deleted between runs so each run does the whole batch again.

Reported per configuration: ``media_per_s`` (items over the stage's wall time) and, since
the machine may be shared, the CPU seconds per item of each part: the workers' task
threads (the work itself), the worker processes (plus Dask's threads), the scheduler, the
client and the PostgreSQL backends of this database. ``ratio`` is the plain throughput
ratio; ``cpu_per_item_ratio`` (1 worker / 2 workers, task threads) is near 1 when two
workers do the work as cheaply as one, i.e. when what is missing from ``ratio`` is free
CPU, not a serial step; ``busy_workers_*`` is task CPU over wall time (how many workers were
computing on average); ``runqueue_share_*`` is the share of the tasks' elapsed time they were
ready to run but had no CPU (Linux schedstat): where it is most of what is not CPU time, the
workers were short of CPU, not blocked on a lock, the database or the scheduler. A last run
with both workers does the whole ingest (matching and routing too) for the stage times. The
last line is one JSON object.

    GRACE_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/cluster.py --referrals 300 --repeats 2
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import delete, text

from grace.cluster import local, tasks
from grace.cluster.run import ClusterReport, analyse_on_cluster, process_on_cluster
from grace.media.process import _pending
from grace.store.media_tables import Media
from grace.store.tables import MediaHash
from grace.workspace import Workspace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from crash_harness import GRACE, database, make_batch, prepare

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from net import free_port


def _backends(workspace: Workspace) -> list[psutil.Process]:
    query = text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
    with workspace.sessions() as session:
        pids = list(session.scalars(query))
    out = []
    for pid in pids:
        with contextlib.suppress(psutil.Error):  # another host, or gone
            out.append(psutil.Process(pid))
    return out


def _cpu(processes: list[psutil.Process]) -> dict[int, float]:
    out = {}
    for p in processes:
        try:
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def reset(workspace: Workspace) -> None:
    """Back to "nothing analysed": the next run does the whole batch again."""
    with workspace.sessions.begin() as session:
        session.execute(delete(MediaHash))
        session.execute(delete(Media))


def measure(workspace: Workspace, client: Any, workers: list[str], chunk: int) -> dict[str, Any]:
    reset(workspace)
    with workspace.sessions() as session:
        items = len(_pending(session))
    backends = _backends(workspace)
    before = (client.run(tasks.cpu_seconds), client.run_on_scheduler(tasks.cpu_seconds))
    pg_before, client_cpu, load = _cpu(backends), time.process_time(), os.getloadavg()[0]
    report = ClusterReport()
    analyse_on_cluster(workspace, client, "bench", report, chunk=chunk, workers=workers)
    wall = report.seconds["analyse"]
    client_cpu = time.process_time() - client_cpu
    after = (client.run(tasks.cpu_seconds), client.run_on_scheduler(tasks.cpu_seconds))
    pg_after = _cpu(backends)
    assert report.analysed == items and not report.errors, report.errors[:3]
    worker_cpu = sum(after[0][w] - before[0][w] for w in after[0])
    pg = sum(pg_after[p] - pg_before[p] for p in pg_after if p in pg_before)
    return {
        "workers": len(workers),
        "media": items,
        "tasks": report.tasks,
        "analyse_s": round(wall, 2),
        "media_per_s": round(items / wall, 2),
        "cpu_ms_per_item": {
            "tasks": round(1000 * report.task_cpu_s / items, 2),
            "worker_processes": round(1000 * worker_cpu / items, 2),
            "scheduler": round(1000 * (after[1] - before[1]) / items, 2),
            "client": round(1000 * client_cpu / items, 2),
            "postgresql": round(1000 * pg / items, 2),
        },
        "busy_workers": round(report.task_cpu_s / wall, 2),
        # of the tasks' elapsed time, the share they were ready to run but had no CPU
        "runqueue_share": round(report.task_runqueue_s / report.task_wall_s, 2),
        "load_1min": round((load + os.getloadavg()[0]) / 2, 2),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One configuration over its runs: items over summed seconds; CPU per item averaged."""
    media = sum(r["media"] for r in runs)
    parts = runs[0]["cpu_ms_per_item"].keys()
    pairs = [(r["media"] / media, r) for r in runs]
    return {
        "media_per_s": round(media / sum(r["analyse_s"] for r in runs), 2),
        "cpu_ms_per_item": {
            k: round(sum(w * r["cpu_ms_per_item"][k] for w, r in pairs), 2) for k in parts
        },
        "busy_workers": round(sum(w * r["busy_workers"] for w, r in pairs), 2),
        "runqueue_share": round(sum(w * r["runqueue_share"] for w, r in pairs), 2),
        "spread_media_per_s": [min(r["media_per_s"] for r in runs),
                               max(r["media_per_s"] for r in runs)],
    }  # fmt: skip


def end_to_end(workspace: Workspace, client: Any, chunk: int) -> dict[str, Any]:
    """The whole media and intelligence stages once, on both workers: stage wall times."""
    reset(workspace)
    started = time.monotonic()
    report = process_on_cluster(workspace, client, "bench", chunk=chunk)
    total = time.monotonic() - started
    return {
        "end_to_end_media_per_s_2_workers": round(report.analysed / total, 2),
        "stage_s": {k: round(v, 2) for k, v in report.seconds.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=300)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--repeats", type=int, default=2, help="ABBA rounds (4 runs each)")
    parser.add_argument("--chunk", type=int, default=16, help="media items per task")
    parser.add_argument("--no-end-to-end", action="store_true")
    args = parser.parse_args()
    admin = os.environ.get("GRACE_TEST_DATABASE_URL")
    if not admin:
        sys.exit("set GRACE_TEST_DATABASE_URL (cluster mode needs PostgreSQL)")
    out = run(admin, args)
    print(json.dumps(out), flush=True)


def run(admin: str, args: argparse.Namespace) -> dict[str, Any]:
    """The measurements as one dict (``bench/scale.py --media`` merges it into its own)."""
    runs: dict[int, list[dict[str, Any]]] = {1: [], 2: []}
    with (
        tempfile.TemporaryDirectory(prefix="grace-bench-cluster-") as tmp,
        database(admin, "bench_cluster") as url,
    ):
        root = Path(tmp)
        batch = make_batch(root / "batch", args.referrals, args.seed)
        certs = root / "certs"
        subprocess.run([*GRACE, "cluster", "certs", "--out", str(certs)], check=True,
                       capture_output=True)  # fmt: skip
        assert url is not None
        prepare(root / "home", url, batch, "media")
        up = subprocess.Popen(
            [*GRACE, "cluster", "up", "--certs", str(certs), "--workers", "2",
             "--port", str(free_port()), "--workdir", str(root / "run"), "--json"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            assert up.stdout is not None
            address = json.loads(up.stdout.readline())["scheduler"]
            client = local.wait_for_workers(address, certs, 2, timeout=120)
            workspace = Workspace.open(root / "home")
            try:
                with workspace.sessions() as session:
                    first = _pending(session)[0]
                warm = client.run(tasks.warm_up, str(root / "home"), url, first)
                names = sorted(warm)
                trim = sorted(set(client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_").values()))
                # ABBA order: on a shared machine the load drifts during the run
                for count in [1, 2, 2, 1] * args.repeats:
                    result = measure(workspace, client, names[:count], args.chunk)
                    runs[count].append(result)
                    print(json.dumps(result), flush=True)
                tail = {} if args.no_end_to_end else end_to_end(workspace, client, args.chunk)
            finally:
                workspace.close()
                client.close()
        finally:
            up.send_signal(signal.SIGTERM)
            up.wait(60)
    one, two = summarise(runs[1]), summarise(runs[2])
    cpu1, cpu2 = one["cpu_ms_per_item"]["tasks"], two["cpu_ms_per_item"]["tasks"]
    return {
        "media": runs[1][0]["media"],
        "chunk": args.chunk,
        "media_per_s_1_worker": one["media_per_s"],
        "media_per_s_2_workers": two["media_per_s"],
        "ratio": round(two["media_per_s"] / one["media_per_s"], 2),
        "cpu_per_item_ratio": round(cpu1 / cpu2, 2),
        "busy_workers_1": one["busy_workers"],
        "busy_workers_2": two["busy_workers"],
        "runqueue_share_1": one["runqueue_share"],
        "runqueue_share_2": two["runqueue_share"],
        "cpu_ms_per_item_1_worker": one["cpu_ms_per_item"],
        "cpu_ms_per_item_2_workers": two["cpu_ms_per_item"],
        "spread_media_per_s_1_worker": one["spread_media_per_s"],
        "spread_media_per_s_2_workers": two["spread_media_per_s"],
        "warm_up_s": {k: round(v, 2) for k, v in sorted(warm.items())},
        "worker_malloc_trim_threshold": trim,
        **tail,
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2),
    }


if __name__ == "__main__":
    main()
