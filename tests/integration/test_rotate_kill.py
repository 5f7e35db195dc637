"""``grace vault rotate-key`` SIGKILLed half way, then run again: nothing lost, old key gone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from grace.vault import flush_to_disk
from grace.vault.records import store_blob
from grace.workspace import Workspace

GRACE = [sys.executable, "-m", "grace.cli.main"]


def _grace(*args: str, home: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "GRACE_HOME": str(home)}
    for name in ("GRACE_DATABASE_URL", "GRACE_VAULT_KEY", "GRACE_VAULT_NEXT_KEY"):
        env.pop(name, None)
    return subprocess.Popen(
        [*GRACE, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_rotation_killed_mid_pass_resumes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    workspace = Workspace.init(home)
    plain: dict[str, bytes] = {}
    with workspace.sessions.begin() as session:
        for i in range(3000):  # enough objects that the re-wrap pass takes a while
            data = f"benign object {i}".encode()
            workspace.vault.put(data, sync=False)  # one flush below, not 3,000 fsyncs
            plain[store_blob(session, workspace.vault, data).sha256] = data
    flush_to_disk()
    workspace.close()
    old_key = (home / "vault.key").read_text()
    first = _grace("vault", "rotate-key", home=home)
    wraps = home / "vault" / "wraps"
    deadline = time.monotonic() + 120
    while not (wraps.exists() and any(wraps.glob("*/*"))) and time.monotonic() < deadline:
        time.sleep(0.005)
    first.send_signal(signal.SIGKILL)
    first.wait()
    ring = json.loads((home / "vault.keyring.json").read_text())
    assert ring.get("next"), "the rotation finished before it could be killed"
    assert (home / "vault.key").read_text() == old_key  # not retired: objects still need it
    second = _grace("vault", "rotate-key", "--json", home=home)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    report = json.loads(out)
    assert report["retired"] and report["already"] > 0 and report["rewrapped"] > 0
    assert report["already"] + report["rewrapped"] == len(plain)
    assert (home / "vault.key").read_text() != old_key
    again = Workspace.open(home)
    try:
        assert all(again.vault.get(name) == data for name, data in plain.items())
        with again.sessions() as session:
            assert again.audit.verify(session).ok
    finally:
        again.close()
