"""A whole federation on one machine (loopback): for the benchmark and the acceptance test.

Same processes and flags an operator gets from ``grace fl server|enrol|client``: a TLS
SuperLink with node authentication and three enrolled SuperNodes, each with its own
workspace and its own benign data. Every process is tracked with its descendants (Flower
spawns ``flower-superexec``, ``flwr-serverapp`` and ``flwr-clientapp`` children), so that
teardown leaves nothing behind and tests can inspect each one's environment.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import psutil

from grace.federation import data, deploy
from grace.federation.certs import make_certs, make_node_key


@dataclass
class Proc:
    """A Flower process grace started, with its log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    handle: IO[bytes]


@dataclass
class LocalFederation:
    """Coordinator at ``root/coordinator``, agencies at ``root/<agency>``."""

    root: Path
    agencies: list[str]
    procs: list[Proc] = field(default_factory=list)
    node_ids: dict[str, int] = field(default_factory=dict)
    seen: dict[int, dict[str, str]] = field(default_factory=dict)  # pid -> environ/cmd
    server_files: set[str] = field(default_factory=set)  # opened by coordinator processes
    port: int = 0
    _watch: threading.Event = field(default_factory=threading.Event)

    @property
    def coordinator(self) -> deploy.Layout:
        return deploy.Layout.of(self.root / "coordinator")

    def agency_home(self, agency: str) -> Path:
        return self.root / agency

    def spawn(self, name: str, argv: list[str], flwr_home: Path) -> Proc:
        log = self.root / "logs" / f"{name}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        handle = log.open("wb")
        popen = subprocess.Popen(
            argv,
            env=deploy.flower_env(flwr_home),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc = Proc(name, popen, log, handle)
        self.procs.append(proc)
        return proc

    def start_server(self) -> Proc:
        make_certs(self.coordinator.root / "certs")
        self.port = deploy.free_port()
        layout = deploy.prepare_server(self.root / "coordinator", "127.0.0.1", self.port)
        proc = self.spawn(
            "superlink", deploy.superlink_argv(layout, "127.0.0.1", self.port), layout.flwr_home
        )
        wait_https("127.0.0.1", self.port, layout.certs.ca_cert, 60, proc)
        return proc

    def start_client(
        self, agency: str, node_config: dict[str, str | int], *, enrol: bool = True
    ) -> Proc:
        layout = deploy.Layout.of(self.agency_home(agency))
        private, public = make_node_key(layout.keys, agency)
        if enrol:
            self.node_ids[agency] = deploy.enrol(self.coordinator, public, agency)
        argv = deploy.supernode_argv(
            f"127.0.0.1:{self.port}",
            self.coordinator.certs.ca_cert,
            private,
            deploy.free_port(),
            {"agency": agency, **node_config},
        )
        layout.flwr_home.mkdir(parents=True, exist_ok=True)
        return self.spawn(f"supernode-{agency}", argv, layout.flwr_home)

    def watch(self, interval: float = 0.2) -> threading.Thread:
        """Note every descendant's environment while they live (clientapps live ~1 s)."""

        def loop() -> None:
            while not self._watch.wait(interval):
                self.snapshot()

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    def snapshot(self) -> None:
        """Every Flower process below this one (the ``flwr`` CLI calls included): its
        environment and command line once, and the files the coordinator's side has open."""
        coordinator = {
            q.pid for proc in self.procs if proc.name == "superlink" for q in _tree(proc.popen.pid)
        }
        for p in psutil.Process().children(recursive=True):
            try:
                cmd = " ".join(p.cmdline())
                if "flwr" not in cmd and "flower" not in cmd:
                    continue
                if p.pid not in self.seen:
                    self.seen[p.pid] = {**p.environ(), "__cmd__": cmd}
                if p.pid in coordinator:
                    self.server_files.update(f.path for f in p.open_files())
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue

    def stop(self) -> None:
        """SIGTERM every tracked process and its descendants (found before signalling:
        the SuperLink's superexec runs in its own session), then SIGKILL stragglers."""
        self._watch.set()
        victims: list[psutil.Process] = []
        for proc in self.procs:
            victims += _tree(proc.popen.pid)
        for victim in victims:
            with contextlib.suppress(psutil.NoSuchProcess):
                victim.send_signal(signal.SIGTERM)
        _, alive = psutil.wait_procs(victims, timeout=8)
        for victim in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                victim.kill()
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.popen.pid, signal.SIGKILL)
            proc.handle.close()


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def wait_https(host: str, port: int, ca: Path, timeout: float, proc: Proc) -> None:
    """The SuperLink is up when a TLS handshake against its CA succeeds."""
    context = ssl.create_default_context(cafile=str(ca))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise deploy.DeployError(f"SuperLink exited {proc.popen.returncode}; see {proc.log}")
        try:
            with (
                socket.create_connection((host, port), timeout=2) as raw,
                context.wrap_socket(raw, server_hostname=host),
            ):
                return
        except OSError:
            time.sleep(0.2)
    raise deploy.DeployError(f"SuperLink not answering on {host}:{port} after {timeout:.0f} s")


def wait_for_log(path: Path, needle: str, timeout: float, proc: Proc) -> None:
    """Wait until a process's log shows ``needle``; fail early if the process dies."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and needle in path.read_text(encoding="utf-8", errors="replace"):
            return
        if proc.popen.poll() is not None:
            raise deploy.DeployError(
                f"{path.name}: process exited {proc.popen.returncode} before {needle!r}"
            )
        time.sleep(0.2)
    raise deploy.DeployError(f"{path.name}: no {needle!r} within {timeout:.0f} s")


def start_local(root: Path, n_agencies: int = 3, *, workspaces: bool = False) -> LocalFederation:
    """Coordinator + ``n_agencies`` enrolled SuperNodes on benign digits partitions."""
    fed = LocalFederation(root, [f"agency{i + 1}" for i in range(n_agencies)])
    try:
        fed.start_server()
        nodes = []
        for i, agency in enumerate(fed.agencies):
            config: dict[str, str | int] = {
                "dataset": "digits",
                "partition-id": i,
                "num-partitions": n_agencies,
                "data": str(_materialise_partition(fed, agency, i, n_agencies)),
            }
            if workspaces:
                from grace.workspace import Workspace

                Workspace.init(fed.agency_home(agency)).close()
                config["workspace"] = str(fed.agency_home(agency))
            nodes.append(fed.start_client(agency, config))
        for node in nodes:
            wait_for_log(node.log, "SuperNode ID", 120, node)
    except BaseException:
        fed.stop()
        raise
    return fed


def _materialise_partition(fed: LocalFederation, agency: str, index: int, total: int) -> Path:
    """Write the agency's benign partition once, as its own data file (see ``agency_data``)."""
    X, y = data.load_partition("digits", index, total, 0.5)
    path = fed.root / "data" / f"{agency}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, X=X, y=y)
    return path


def measure(root: Path | None = None) -> dict[str, float]:
    """See ``deploy.measure_rounds``: Flower's own "Run finished N round(s) in X s"."""
    with tempfile.TemporaryDirectory(prefix="grace-fl-") as tmp:
        fed = start_local(Path(root or tmp))
        try:
            plain = deploy.run_app(fed.coordinator, {"num-rounds": 2, "secagg": False}, 600)
            secure = deploy.run_app(fed.coordinator, {"num-rounds": 2, "secagg": True}, 600)
        finally:
            fed.stop()
    return {
        "round_s_tls": round(plain.seconds / plain.rounds, 2),
        "round_s_secagg": round(secure.seconds / secure.rounds, 2),
    }
