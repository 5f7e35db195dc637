"""``grace backup`` / ``grace restore`` round trips on SQLite and PostgreSQL (real processes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from builders import write_grace_bundle
from grace.backup.restore import restore_backup
from grace.backup.stream import BackupCryptoError
from grace.ingest.pipeline import IngestPipeline
from grace.store import tables as t
from grace.vault.rotate import rotate
from grace.vault.verify import verify_vault
from grace.workspace import Workspace
from pg import throwaway_database

GRACE = [sys.executable, "-m", "grace.cli.main"]
PASSPHRASE = "benign test passphrase, long enough"


def grace(*args: str, passphrase: str = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRACE_BACKUP_PASSPHRASE": passphrase}
    for name in ("GRACE_HOME", "GRACE_DATABASE_URL", "GRACE_VAULT_KEY"):
        env.pop(name, None)
    return subprocess.run([*GRACE, *args], capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def empty_database(workspace: Workspace) -> Iterator[str | None]:
    """For a PostgreSQL workspace, a new empty database to restore into (dropped after)."""
    if workspace.engine.dialect.name == "sqlite":
        yield None
        return
    with throwaway_database("restore") as url:
        yield url


def _fill(workspace: Workspace, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for n in range(3):
        write_grace_bundle(inbox, n, images=2, as_zip=n == 2)
    assert IngestPipeline(workspace, actor="tester").run([inbox]).ok
    assert rotate(workspace.home, workspace.vault.root).ok  # wrap files travel too


def _state(workspace: Workspace) -> dict[str, object]:
    with workspace.sessions() as session:
        names = sorted(session.scalars(select(t.VaultObject.sha256)))
        return {
            "referrals": session.scalar(select(func.count()).select_from(t.Referral)),
            "objects": {n: workspace.vault.get(n) for n in names},
            "events": [
                (e.seq, e.hash) for e in session.scalars(select(t.AuditEvent).order_by("seq"))
            ],
            "workspace_id": workspace.settings["workspace_id"],
        }


def test_backup_and_restore_round_trip(
    workspace: Workspace, tmp_path: Path, empty_database: str | None
) -> None:
    _fill(workspace, tmp_path)
    before = _state(workspace)
    backup = tmp_path / "out" / "cases.grace"
    made = grace("backup", str(backup), "--home", str(workspace.home), "--json")
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["members"] > len(before["objects"])  # type: ignore[arg-type]
    assert b"PhotoShareCo" not in backup.read_bytes()  # nothing readable without the passphrase
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    target = tmp_path / "restored"
    args = ["restore", str(backup), "--home", str(target), "--json"]
    done = grace(*args, *(["--database-url", empty_database] if empty_database else []))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] and report["problems"] == []
    for private in (target / "vault.key", target / "workspace.json", target / "vault"):
        assert private.stat().st_mode & 0o077 == 0, private
    restored = Workspace.open(target)
    try:
        with restored.sessions() as session:  # what `grace vault/audit verify` run
            vault = verify_vault(session, restored.vault)
            assert vault.ok and not vault.unrecorded and vault.checked == len(before["objects"])  # type: ignore[arg-type]
            assert restored.audit.verify(session).ok
        after = _state(restored)
        # the restored trail is the source's at backup time, then the restore and verifies
        assert after["events"][: len(before["events"])] == before["events"]  # type: ignore[index,arg-type]
        with restored.sessions() as session:
            actions = list(session.scalars(select(t.AuditEvent.action).order_by(t.AuditEvent.seq)))
        assert actions[len(before["events"])] == "restore"  # type: ignore[arg-type]
        assert {k: after[k] for k in ("referrals", "objects", "workspace_id")} == {
            k: before[k] for k in ("referrals", "objects", "workspace_id")
        }
    finally:
        restored.close()
    with workspace.sessions() as session:  # the backup itself is audited in the source
        last = session.scalars(select(t.AuditEvent).order_by(t.AuditEvent.seq.desc())).first()
    assert last is not None and last.action == "backup"
    assert PASSPHRASE not in json.dumps(last.details)


def test_wrong_passphrase_and_tampering_are_refused_in_one_line(tmp_path: Path) -> None:
    """The container does not depend on the backend, so SQLite alone covers it."""
    workspace = Workspace.init(tmp_path / "home")
    _fill(workspace, tmp_path)
    workspace.close()
    backup = tmp_path / "cases.grace"
    assert grace("backup", str(backup), "--home", str(workspace.home)).returncode == 0
    data = backup.read_bytes()
    cases = {
        "altered": data[:-5000] + bytes([data[-5000] ^ 1]) + data[-4999:],
        "truncated": data[: len(data) // 2],
        "wrong passphrase": data,
    }
    for expected, content in cases.items():
        bad = tmp_path / f"{expected.replace(' ', '-')}.grace"
        bad.write_bytes(content)
        target = tmp_path / f"restored-{bad.stem}"
        if expected != "wrong passphrase":  # in-process: the same code, without a start-up
            with pytest.raises(BackupCryptoError, match=expected):
                restore_backup(bad, PASSPHRASE.encode(), target)
        else:
            done = grace(
                "restore", str(bad), "--home", str(target), passphrase="not the right passphrase"
            )
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 1 and len(lines) == 1 and expected in lines[0], done.stderr
        assert not target.exists()
        assert not [p for p in tmp_path.iterdir() if ".restoring-" in p.name]
    short = grace(
        "backup", str(tmp_path / "x.grace"), "--home", str(workspace.home), passphrase="short"
    )
    assert short.returncode == 1 and "passphrase" in short.stderr
