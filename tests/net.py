"""Network helpers for tests that start real servers on loopback."""

from __future__ import annotations

import os
import socket
import ssl
import time
from collections.abc import Iterable
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def handshake(port: int, ca: Path, role: Path | None = None, wait: float = 10.0) -> str:
    """TLS to 127.0.0.1:``port`` trusting ``ca``, offering ``role``'s certificate
    (``role.pem``/``role.key``) or none: "accepted" when the server keeps talking, else how
    it ended the connection. Under TLS 1.3 the server checks the client's certificate after
    the client's side of the handshake is done and then sends the CERTIFICATE_REQUIRED alert
    or, under load, only closes; a Dask server that accepts sends its own handshake at once.
    ``wait`` bounds that read, generously, so a slow machine does not pass for an open door."""
    ctx = ssl.create_default_context(cafile=str(ca))
    ctx.check_hostname = False
    if role is not None:
        ctx.load_cert_chain(role.with_suffix(".pem"), role.with_suffix(".key"))
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=wait) as raw,
            ctx.wrap_socket(raw) as tls,
        ):
            tls.settimeout(wait)
            if not tls.recv(64):  # the server's first bytes, its alert, or the close
                return "closed"
    except TimeoutError:
        return "accepted"  # still open: waiting for our side of the Dask handshake
    except (ssl.SSLError, ConnectionError) as exc:
        return str(exc)
    return "accepted"


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, exited but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False


def wait_gone(pids: Iterable[int], timeout: float = 60.0) -> list[int]:
    """Poll until none of ``pids`` runs or ``timeout`` passes; those still running."""
    deadline = time.monotonic() + timeout
    left = [pid for pid in pids if alive(pid)]
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = [pid for pid in left if alive(pid)]
    return left
