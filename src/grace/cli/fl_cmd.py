"""``grace fl ...``: federated learning with Flower over TLS with enrolled agencies.

Coordinator: ``certs``, ``server``, ``enrol``, ``run``, ``runs``. Agency: ``keygen``,
``client``. ``server`` and ``client`` replace themselves with Flower's own processes
(``flower-superlink`` / ``flower-supernode``) after recording the start in the audit trail,
so that the process an operator supervises is Flower's, with grace's environment.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from sqlalchemy import select

from grace.cli.common import HomeOption, JsonOption, actor, console, fail, open_workspace
from grace.cli.common import print_json as emit
from grace.cli.fl_simulate_cmd import simulate
from grace.federation import deploy
from grace.federation.certs import DEFAULT_SANS, make_certs, make_node_key
from grace.federation.records import record_coordinator_run
from grace.store.fl_tables import FlRun
from grace.workspace import resolve_home

app = typer.Typer(
    help="Federated learning with Flower: certificates, keys, server, clients, runs.",
    no_args_is_help=True,
)
app.command("simulate")(simulate)  # fl-sim's command (grace.cli.fl_simulate_cmd)
_ROUND = re.compile(r"\[ROUND (\d+)\]")


def _audit(home: Path | None, action: str, object_id: str, details: dict[str, Any]) -> None:
    with open_workspace(home) as workspace:
        with workspace.sessions.begin() as session:
            workspace.audit.append(
                session,
                actor=actor(),
                action=action,
                object_type="federation",
                object_id=object_id,
                details=details,
            )
        workspace.audit.save_anchor()


def _exec(argv: list[str], flwr_home: Path) -> None:
    """Become the Flower process (no wrapper left to forward signals or leak env)."""
    flwr_home.mkdir(parents=True, exist_ok=True)
    os.execve(argv[0], argv, deploy.flower_env(flwr_home))


@app.command("certs")
def certs(
    out: Annotated[
        Path | None, typer.Option(help="Folder for the files. Default: HOME/federation/certs.")
    ] = None,
    san: Annotated[
        list[str] | None, typer.Option(help="Name or IP the SuperLink is reached at (repeat).")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a private CA and the SuperLink's TLS certificate (coordinator)."""
    folder = out or deploy.Layout.of(resolve_home(home)).certs.ca_cert.parent
    paths = make_certs(folder, tuple(san) if san else DEFAULT_SANS)
    result = {k: str(v) for k, v in vars(paths).items()}
    if as_json:
        emit(result)
    else:
        console.print(
            f"CA {paths.ca_cert} (give it to every agency); server cert {paths.server_cert}"
        )


@app.command("keygen")
def keygen(
    agency: Annotated[str, typer.Option(help="This agency's name (file name of the key).")],
    out: Annotated[
        Path | None, typer.Option(help="Folder for the keys. Default: HOME/federation/keys.")
    ] = None,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create this agency's node key (EC P-384, OpenSSH); send only the .pub file."""
    folder = out or deploy.Layout.of(resolve_home(home)).keys
    try:
        private, public = make_node_key(folder, agency)
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit({"private_key": str(private), "public_key": str(public)})
    else:
        console.print(f"private key {private} (keep it); public key {public} (send it)")


@app.command("server")
def server(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The one HTTPS port (Fleet, Control, Runtime).")] = 8000,
    home: HomeOption = None,
) -> None:
    """Run the coordinator's SuperLink (TLS, enrolled agencies only) in the foreground."""
    root = resolve_home(home)
    try:
        layout = deploy.prepare_server(root, host, port)
        argv = deploy.superlink_argv(layout, host, port)
    except deploy.DeployError as exc:
        fail(str(exc))
    _audit(root, "fl_server_start", f"{host}:{port}", {"host": host, "port": port})
    console.print(f"SuperLink on https://{host}:{port}; state in {layout.database}")
    _exec(argv, layout.flwr_home)


@app.command("enrol")
def enrol(
    public_key: Annotated[Path, typer.Argument(help="The agency's .pub file (OpenSSH).")],
    agency: Annotated[str, typer.Option(help="Name recorded for this agency.")],
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Enrol an agency's public key with the running SuperLink (coordinator)."""
    root = resolve_home(home)
    layout = deploy.Layout.of(root)
    if not (layout.flwr_home / "config.toml").exists():
        fail("no federation server configured here: run `grace fl server` first")
    try:
        fingerprint = hashlib.sha256(public_key.read_bytes()).hexdigest()
        node_id = deploy.enrol(layout, public_key, agency)
    except (OSError, deploy.DeployError) as exc:
        fail(str(exc))
    details = {"agency": agency, "node_id": node_id, "key_sha256": fingerprint}
    _audit(root, "fl_enrol", str(node_id), details)
    if as_json:
        emit(details)
    else:
        console.print(f"enrolled {agency} as node {node_id}")


@app.command("client")
def client(
    agency: Annotated[str, typer.Option(help="This agency's name.")],
    superlink: Annotated[str, typer.Option(help="Coordinator's SuperLink host:port.")],
    ca: Annotated[Path, typer.Option(help="The coordinator's CA certificate (ca.crt).")],
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "--home", envvar="GRACE_HOME", help="This agency's workspace."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option(help="Private node key. Default: HOME/federation/keys/AGENCY.")
    ] = None,
    port: Annotated[int, typer.Option(help="Local port of the SuperNode's runtime API.")] = 9094,
    dataset: Annotated[
        str | None, typer.Option(help="Benign proxy dataset instead of workspace data.")
    ] = None,
    partition_id: Annotated[int, typer.Option(help="This agency's proxy partition.")] = 0,
    num_partitions: Annotated[int, typer.Option(help="Number of proxy partitions.")] = 1,
) -> None:
    """Run this agency's SuperNode; its ClientApp reads only this workspace."""
    root = resolve_home(workspace)
    layout = deploy.Layout.of(root)
    private = key or layout.keys / agency
    if not private.exists():
        fail(f"no node key at {private}: run `grace fl keygen --agency {agency}` first")
    config: dict[str, str | int] = {"agency": agency, "workspace": str(root)}
    if dataset:
        config |= {"dataset": dataset, "partition-id": partition_id}
        config["num-partitions"] = num_partitions
    try:
        argv = deploy.supernode_argv(superlink, ca.resolve(), private.resolve(), port, config)
    except deploy.DeployError as exc:
        fail(str(exc))
    _audit(root, "fl_client_start", agency, {"superlink": superlink, "agency": agency})
    _exec(argv, layout.flwr_home)


@app.command("run")
def run(
    rounds: Annotated[int, typer.Option(help="Federated rounds.")] = 2,
    secagg: Annotated[bool, typer.Option(help="Secure aggregation (SecAgg+).")] = True,
    strategy: Annotated[str, typer.Option(help="fedavg, fedprox, trimmed or krum.")] = "fedavg",
    min_clients: Annotated[int, typer.Option(help="Agencies every round waits for.")] = 3,
    proximal_mu: Annotated[float, typer.Option(help="FedProx's mu.")] = 0.0,
    clip_norm: Annotated[float, typer.Option(help="Agency-level DP clipping (0: off).")] = 0.0,
    agency_noise: Annotated[float, typer.Option(help="Agency-level DP noise multiplier.")] = 0.0,
    dp_noise: Annotated[float, typer.Option(help="Record-level DP-SGD noise (0: off).")] = 0.0,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 1800,
    home: HomeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run federated training on the enrolled agencies; record it and register the model."""
    root = resolve_home(home)
    config = {
        "num-rounds": rounds,
        "secagg": secagg,
        "strategy": strategy,
        "min-clients": min_clients,
        "proximal-mu": proximal_mu,
        "clip-norm": clip_norm,
        "agency-noise": agency_noise,
        "dp-noise": dp_noise,
    }
    layout = deploy.Layout.of(root)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("federated rounds", total=rounds)

        def on_line(line: str) -> None:
            found = _ROUND.search(line)
            if found:
                progress.update(task, completed=int(found.group(1)) - 1)

        try:
            outcome = deploy.run_app(layout, config, timeout, on_line)
        except deploy.DeployError as exc:
            fail(str(exc))
        progress.update(task, completed=rounds)
    with open_workspace(root) as workspace:
        row = record_coordinator_run(
            workspace, outcome.record, actor=actor(), seconds=outcome.seconds
        )
    summary = {
        "run_id": outcome.run_id,
        "rounds": outcome.rounds,
        "seconds": outcome.seconds,
        "participants": row.participants,
        "model": row.model_name,
        "version": row.model_version,
        "sha256": row.model_sha256,
        "metrics": [r.get("evaluate", {}).get("metrics", {}) for r in outcome.record["rounds"]],
    }
    if as_json:
        emit(summary)
    else:
        console.print(
            f"run {outcome.run_id}: {outcome.rounds} round(s) in {outcome.seconds:.1f} s with "
            f"{len(row.participants)} agencies; model {row.model_name} v{row.model_version}"
        )


@app.command("runs")
def runs(home: HomeOption = None, as_json: JsonOption = False) -> None:
    """Federated runs this workspace took part in (as coordinator or agency)."""
    with open_workspace(home) as workspace, workspace.sessions() as session:
        rows = session.scalars(select(FlRun).order_by(FlRun.id)).all()
        items = [
            {
                "run_id": r.flower_run_id,
                "role": r.role,
                "status": r.status,
                "strategy": r.strategy,
                "secagg": r.secagg,
                "rounds": r.num_rounds,
                "participants": r.participants,
                "model": r.model_name,
                "version": r.model_version,
                "started_at": r.started_at.isoformat(),
            }
            for r in rows
        ]
    if as_json:
        emit(items)
        return
    for item in items:
        console.print(
            f"{item['run_id']} {item['role']} {item['status']} {item['strategy']} "
            f"secagg={item['secagg']} rounds={item['rounds']} model v{item['version']}"
        )
