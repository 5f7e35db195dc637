"""Start a Dask scheduler and workers with mutual TLS, connect to them, report on them.

The processes are Dask's own (``python -m distributed.cli.dask_scheduler`` / ``dask_worker``)
started with grace's environment: what an operator supervises is the upstream program, bound
to the interface they name (never 0.0.0.0 by default), with encryption required, the
dashboard off (nothing listens that the operator did not ask for) and each worker's spill
directory under the given work folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from grace.cluster.certs import role_paths

REQUIRE_TLS = {"DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True"}
# Dask's nanny starts each worker with MALLOC_TRIM_THRESHOLD_=65536 (memory back to the OS
# sooner). Fixing the threshold turns off glibc's adaptive one, and image decoding, which
# allocates and frees large buffers per item, then spends about a third more CPU per media
# item (measured: docs/cluster.md). ``None`` is Dask's way to leave a variable unset.
# The statistical profiler samples the task thread every 10 ms for the dashboard, which is
# off: nothing would read its profiles.
WORKER_ENV = {
    **REQUIRE_TLS,
    "DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON": "{'MALLOC_TRIM_THRESHOLD_': None}",
    "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
}


def _tls_args(certs: Path, role: str) -> list[str]:
    paths = role_paths(certs, role)
    return [
        "--tls-ca-file", str(paths.ca), "--tls-cert", str(paths.cert), "--tls-key", str(paths.key),
    ]  # fmt: skip


def scheduler_argv(certs: Path, host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "distributed.cli.dask_scheduler",
        "--host", host, "--port", str(port), "--protocol", "tls", "--no-dashboard",
        *_tls_args(certs, "scheduler"),
    ]  # fmt: skip


def worker_argv(certs: Path, scheduler: str, host: str, name: str, workdir: Path) -> list[str]:
    return [
        sys.executable, "-m", "distributed.cli.dask_worker", scheduler,
        "--host", host, "--protocol", "tls", "--name", name, "--nthreads", "1",
        "--nworkers", "1", "--no-dashboard", "--local-directory", str(workdir / name),
        *_tls_args(certs, "worker"),
    ]  # fmt: skip


def spawn(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start one Dask process, its output appended to ``log``."""
    env = {**os.environ, **WORKER_ENV}
    with open(log, "ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)


def security(certs: Path, role: str = "client") -> Any:
    """A ``distributed.Security`` for ``role`` (imports Dask: cluster use only)."""
    from distributed import Security

    paths = role_paths(certs, role)
    return Security(  # type: ignore[no-untyped-call]
        tls_ca_file=str(paths.ca),
        tls_client_cert=str(paths.cert),
        tls_client_key=str(paths.key),
        require_encryption=True,
    )


def connect(address: str, certs: Path, timeout: float = 10.0) -> Any:
    """A ``distributed.Client`` to ``tls://HOST:PORT`` with the client certificate."""
    from distributed import Client

    return Client(address, security=security(certs), timeout=timeout)  # type: ignore[no-untyped-call]


def wait_for_workers(address: str, certs: Path, count: int, timeout: float = 60.0) -> Any:
    """Connect once the scheduler answers and ``count`` workers have joined; the client."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            client = connect(address, certs, timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    if count > 0:  # a bare scheduler (workers join later from other machines) is fine
        client.wait_for_workers(count, timeout=max(1.0, deadline - time.monotonic()))
    return client


def _queue(dask_scheduler: Any) -> dict[str, int]:
    """Runs on the scheduler: how many tasks wait, run, or failed there now."""
    counts: dict[str, int] = {}
    for task in dask_scheduler.tasks.values():
        counts[task.state] = counts.get(task.state, 0) + 1
    return counts


def status(client: Any, window: float = 60.0) -> dict[str, Any]:
    """Workers (memory, threads, tasks in hand), queue depth, grace tasks per second over
    the last ``window`` seconds, and errors (failed tasks, media that would not decode)."""
    from grace.cluster.tasks import EVENT_TOPIC

    info = client.scheduler_info()
    workers = [
        {
            "name": str(w.get("name")),
            "address": address,
            "nthreads": w.get("nthreads"),
            "memory_bytes": w.get("metrics", {}).get("memory"),
            "memory_limit": w.get("memory_limit"),
            "executing": w.get("metrics", {}).get("task_counts", {}).get("executing", 0),
        }
        for address, w in info.get("workers", {}).items()
    ]
    states = client.run_on_scheduler(_queue)
    events = client.get_events(EVENT_TOPIC)
    now = time.time()
    recent = [msg for stamp, msg in events if now - stamp <= window]
    media = sum(int(m.get("items", 0)) for m in recent if m.get("kind") == "media")
    return {
        "scheduler": info.get("address"),
        "workers": workers,
        "worker_count": len(workers),
        "queue_depth": sum(n for s, n in states.items() if s in QUEUED),
        "tasks_by_state": states,
        "tasks_per_s": round(len(recent) / window, 3),
        "media_per_s": round(media / window, 3),
        "errors": {
            "failed_tasks": states.get("erred", 0),
            "media_errors": sum(int(m.get("errors", 0)) for m in recent),
        },
    }


QUEUED = ("waiting", "queued", "no-worker", "processing")
