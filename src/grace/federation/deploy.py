"""Start and drive a real Flower deployment: SuperLink, SuperNodes, enrolment, runs.

Every Flower process grace starts gets telemetry and the update check off and its own
``FLWR_HOME`` inside a grace workspace: police networks are closed, and a call leaving
them is itself a leak. The SuperLink never installs dependencies at run time. Facts these
choices rest on were measured on flwr 1.42 (``shared/reference/flower.md``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grace.federation.certs import CertPaths, cert_paths

CONNECTION = "grace"
APP_DIR = Path(__file__).resolve().parent / "app"
FLOWER_ENV = {
    "FLWR_TELEMETRY_ENABLED": "0",
    "FLWR_DISABLE_UPDATE_CHECK": "1",
    "FLWR_DISABLE_RUNTIME_DEPENDENCY_INSTALLATION": "1",
}
_FINISHED = re.compile(r"Run finished (\d+) round\(s\) in ([0-9.]+)s")
_RUN_ID = re.compile(r"Successfully started run (\d+)")


class DeployError(Exception):
    """A Flower process or command failed; the message says which and why."""


@dataclass(frozen=True)
class Layout:
    """Where one party keeps its federation files, all inside its own workspace."""

    root: Path

    @classmethod
    def of(cls, home: Path) -> Layout:
        return cls(home / "federation")

    @property
    def flwr_home(self) -> Path:
        return self.root / "flwr-home"

    @property
    def certs(self) -> CertPaths:
        return cert_paths(self.root / "certs")

    @property
    def database(self) -> Path:
        return self.root / "superlink.db"

    @property
    def runs(self) -> Path:
        return self.root / "runs"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def server_file(self) -> Path:
        return self.root / "server.json"


def flower_env(flwr_home: Path) -> dict[str, str]:
    """The environment of every Flower process grace starts."""
    env = dict(os.environ)
    env.update(FLOWER_ENV)
    env["FLWR_HOME"] = str(flwr_home)
    # Flower spawns flower-superexec / flwr-serverapp / flwr-clientapp by name: the ones
    # beside this interpreter, never another installation's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def flower_bin(name: str) -> str:
    """Flower's console scripts from the venv grace runs in, so versions always match."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise DeployError(f"{name} not found: install flwr==1.42.0 into grace's environment")
    return found


def free_port() -> int:
    """A loopback port free right now (Flower rejects ``--port 0``)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_connection(flwr_home: Path, address: str, ca_cert: Path) -> None:
    """The ``flwr`` CLI's connection ``grace`` (TOML written by hand: three fixed keys)."""
    flwr_home.mkdir(parents=True, exist_ok=True)
    for value in (address, str(ca_cert)):
        if '"' in value or "\\" in value or "\n" in value:
            raise DeployError(f"unusable character in {value!r}")
    text = (
        f'[superlink]\ndefault = "{CONNECTION}"\n\n[superlink.{CONNECTION}]\n'
        f'address = "{address}"\nroot-certificates = "{ca_cert.resolve()}"\n'
    )
    (flwr_home / "config.toml").write_text(text, encoding="utf-8")


def node_config_arg(values: dict[str, str | int]) -> str:
    """Flower's ``--node-config`` string: ``key="text" key=3``."""
    parts = []
    for key, value in values.items():
        if isinstance(value, str):
            if '"' in value or "\n" in value:
                raise DeployError(f"unusable character in node config {key}")
            parts.append(f'{key}="{value}"')
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def superlink_argv(layout: Layout, host: str, port: int) -> list[str]:
    certs = layout.certs
    return [
        flower_bin("flower-superlink"),
        "--ssl-ca-certfile",
        str(certs.ca_cert),
        "--ssl-certfile",
        str(certs.server_cert),
        "--ssl-keyfile",
        str(certs.server_key),
        "--enable-supernode-auth",
        "--disable-runtime-dependency-installation",
        "--host",
        host,
        "--port",
        str(port),
        "--database",
        str(layout.database),
    ]


def supernode_argv(
    superlink: str, ca_cert: Path, private_key: Path, port: int, node_config: dict[str, str | int]
) -> list[str]:
    argv = [
        flower_bin("flower-supernode"),
        "--superlink",
        superlink,
        "--root-certificates",
        str(ca_cert),
        "--auth-supernode-private-key",
        str(private_key),
        "--port",
        str(port),
    ]
    if node_config:
        argv += ["--node-config", node_config_arg(node_config)]
    return argv


def prepare_server(home: Path, host: str, port: int) -> Layout:
    """Check the certificates, write the CLI connection and remember the address.

    Certificates live in ``<home>/federation/certs`` (``grace fl certs`` writes them there)."""
    layout = Layout.of(home)
    missing = [p for p in (layout.certs.ca_cert, layout.certs.server_cert) if not p.exists()]
    if missing:
        raise DeployError(f"no certificates in {missing[0].parent}: run `grace fl certs` first")
    layout.runs.mkdir(parents=True, exist_ok=True)
    address = f"{'[' + host + ']' if ':' in host else host}:{port}"
    write_connection(layout.flwr_home, address, layout.certs.ca_cert)
    layout.server_file.write_text(json.dumps({"address": address}) + "\n", encoding="utf-8")
    return layout


def flwr_cli(layout: Layout, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """One ``flwr`` CLI call against the coordinator's connection."""
    return subprocess.run(
        [flower_bin("flwr"), *args],
        env=flower_env(layout.flwr_home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def enrol(layout: Layout, public_key: Path, agency: str) -> int:
    """Register an agency's public key with the running SuperLink; returns its node id."""
    done = flwr_cli(
        layout,
        [
            "supernode",
            "register",
            str(public_key),
            CONNECTION,
            "--name",
            agency,
            "--format",
            "json",
        ],
        timeout=60,
    )
    try:
        answer = json.loads(done.stdout[done.stdout.index("{") :])
    except ValueError:
        answer = {}
    if done.returncode != 0 or not answer.get("success"):
        reason = answer.get("error-message") or (done.stderr or done.stdout).strip()[-300:]
        raise DeployError(f"enrolment of {agency} refused: {reason}")
    return int(answer["node-id"])


@dataclass
class RunOutcome:
    """What ``flwr run --stream`` reported, plus the ServerApp's own record of the run."""

    run_id: str
    rounds: int
    seconds: float
    log: str
    record: dict[str, Any]


def config_arg(config: dict[str, Any]) -> str:
    parts = []
    for key, value in config.items():
        if isinstance(value, bool):
            parts.append(f"{key}={'true' if value else 'false'}")
        elif isinstance(value, str):
            parts.append(f'{key}="{value}"')
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


def run_app(
    layout: Layout,
    config: dict[str, Any],
    timeout: float = 900,
    on_line: Callable[[str], None] | None = None,
) -> RunOutcome:
    """Run the grace app on the federation and wait for it (``flwr run --stream``); the
    ServerApp writes its model and record under ``layout.runs`` (the coordinator's own
    output folder). ``on_line`` sees each output line as it comes (for progress bars)."""
    config = {"output-dir": str(layout.runs.resolve()), **config}
    argv = [flower_bin("flwr"), "run", str(APP_DIR), CONNECTION, "--stream"]
    argv += ["-c", config_arg(config)]
    lines: list[str] = []
    with subprocess.Popen(
        argv,
        env=flower_env(layout.flwr_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        watchdog = threading.Timer(timeout, proc.kill)  # a run short of nodes waits forever
        watchdog.start()
        try:
            for line in proc.stdout or ():
                lines.append(line)
                if on_line is not None:
                    on_line(line)
            code = proc.wait()
        finally:
            watchdog.cancel()
    log = "".join(lines)
    started, finished = _RUN_ID.search(log), _FINISHED.search(log)
    if code != 0 or not started or not finished:
        raise DeployError(f"flwr run failed (exit {code}): {log.strip()[-400:]}")
    run_id = started.group(1)
    record_file = layout.runs / f"run-{run_id}" / "record.json"
    if not record_file.exists():
        raise DeployError(f"run {run_id} finished but wrote no record in {record_file.parent}")
    record = json.loads(record_file.read_text(encoding="utf-8"))
    empty = [r["round"] for r in record.get("rounds", []) if not r.get("fit", {}).get("results")]
    if empty:
        raise DeployError(f"run {run_id}: no agency returned an update in round(s) {empty}")
    return RunOutcome(run_id, int(finished.group(1)), float(finished.group(2)), log, record)


def measure_rounds(root: Path | None = None) -> dict[str, float]:
    """Seconds per round on a local TLS + node-auth deployment of 3 SuperNodes: 2 FedAvg
    rounds and 2 SecAgg+ rounds (``round_s_tls``, ``round_s_secagg``; fl-sim's bench)."""
    from grace.federation.local import measure  # local builds on this module

    return measure(root)
