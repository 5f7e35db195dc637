"""``grace cluster certs|up|status`` and ``grace worker``: a Dask cluster with mutual TLS.

Needs the optional extra (``pip install grace[cluster]``); Dask is imported only here, inside
the commands. ``up`` runs a scheduler and workers on this host (one-box use, tests) and stays
in the foreground; Ctrl-C or SIGTERM stops them. ``worker`` replaces itself with Dask's own
worker process, so the process an operator supervises is the upstream program.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from grace.cli.common import JsonOption, console, fail
from grace.cli.common import print_json as emit

app = typer.Typer(
    help="A Dask cluster with mutual TLS: certificates, a local cluster, its status.",
    no_args_is_help=True,
)
CertsOption = Annotated[
    Path, typer.Option("--certs", help="Folder with ca.pem and the role certificates.")
]
HostOption = Annotated[
    str, typer.Option("--host", help="Interface to listen on (never all interfaces by default).")
]


def _require_dask() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        fail("Dask is not installed: pip install 'grace[cluster]'")


def _require_certs(folder: Path, role: str) -> None:
    """One line instead of Dask's traceback when the role's certificate is missing."""
    from grace.cluster.certs import role_paths

    paths = role_paths(folder, role)
    if not (paths.ca.exists() and paths.cert.exists() and paths.key.exists()):
        fail(f"no {role} certificate in {folder}: grace cluster certs --out {folder}")


@app.command("certs")
def certs(
    folder: Annotated[
        Path, typer.Option("--out", "--certs", help="Folder to write ca.pem and the role files to.")
    ] = Path("cluster-certs"),
    san: Annotated[
        list[str] | None,
        typer.Option("--san", help="Host name or IP the nodes are reached at (repeatable)."),
    ] = None,
    days: Annotated[int, typer.Option(help="Validity in days.")] = 365,
    as_json: JsonOption = False,
) -> None:
    """Make the cluster CA and a certificate per role (scheduler, worker, client)."""
    from grace.cluster.certs import DEFAULT_SANS, make_cluster_certs

    made = make_cluster_certs(folder, tuple(san) if san else DEFAULT_SANS, days)
    out = {role: {"cert": str(p.cert), "key": str(p.key)} for role, p in made.items()}
    if as_json:
        emit({"ca": str(folder / "ca.pem"), **out})
    else:
        console.print(f"CA and certificates written to {folder} (keep ca.key off the workers)")


@app.command("up")
def up(
    certs_dir: CertsOption = Path("cluster-certs"),
    workers: Annotated[int, typer.Option("--workers", min=0, help="Workers to start.")] = 2,
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Scheduler port.")] = 8786,
    workdir: Annotated[Path, typer.Option(help="Logs and worker spill folders.")] = Path(
        "grace-cluster"
    ),
    as_json: JsonOption = False,
) -> None:
    """Start a TLS scheduler and N workers on this host; stop them with Ctrl-C or SIGTERM."""
    _require_dask()
    _require_certs(certs_dir, "scheduler")
    from grace.cluster import local

    workdir.mkdir(parents=True, exist_ok=True)
    address = f"tls://{host}:{port}"
    procs = [local.spawn(local.scheduler_argv(certs_dir, host, port), workdir / "scheduler.log")]
    for i in range(workers):
        argv = local.worker_argv(certs_dir, address, host, f"worker-{i}", workdir)
        procs.append(local.spawn(argv, workdir / f"worker-{i}.log"))
    stop = {"now": False}

    def _stop(*_: Any) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        client = local.wait_for_workers(address, certs_dir, workers)
        client.close()
        info = {"scheduler": address, "workers": workers, "pids": [p.pid for p in procs]}
        if as_json:
            emit(info)
        else:
            console.print(f"cluster up at {address} ({workers} workers)")
        # a lost worker is the scheduler's to cope with (its tasks move to the others);
        # the cluster is down only when the scheduler is
        while not stop["now"] and procs[0].poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except Exception:
                p.kill()


@app.command("status")
def status(
    scheduler: Annotated[str, typer.Option(help="tls://HOST:PORT of the scheduler.")],
    certs_dir: CertsOption = Path("cluster-certs"),
    as_json: JsonOption = False,
) -> None:
    """Workers, their memory and tasks in hand; queue depth, throughput, errors."""
    _require_dask()
    _require_certs(certs_dir, "client")
    from grace.cluster import local

    try:
        client = local.connect(scheduler, certs_dir)
    except OSError as exc:
        fail(f"cannot reach {scheduler}: {exc}")
    info = local.status(client)
    client.close()
    if as_json:
        emit(info)
        return
    console.print(
        f"{info['scheduler']}: {info['worker_count']} workers, queue {info['queue_depth']}, "
        f"{info['media_per_s']} media/s (last minute), "
        f"{info['errors']['failed_tasks']} failed tasks, "
        f"{info['errors']['media_errors']} media errors"
    )
    for w in info["workers"]:
        memory, busy = w["memory_bytes"], w["executing"]
        console.print(f"  {w['name']} {w['address']} memory={memory} busy={busy}")


def worker(
    scheduler: Annotated[str, typer.Option(help="tls://HOST:PORT of the scheduler.")],
    certs_dir: CertsOption = Path("cluster-certs"),
    host: HostOption = "127.0.0.1",
    name: Annotated[str | None, typer.Option(help="Worker name (default: host-pid).")] = None,
    workdir: Annotated[Path, typer.Option(help="Spill folder.")] = Path("grace-worker"),
) -> None:
    """Join this machine to a cluster as a worker (Dask's own worker process, with TLS)."""
    _require_dask()
    _require_certs(certs_dir, "worker")
    from grace.cluster import local

    argv = local.worker_argv(certs_dir, scheduler, host, name or f"{host}-{os.getpid()}", workdir)
    os.environ.update(local.WORKER_ENV)
    os.execv(argv[0], argv)
