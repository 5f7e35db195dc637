"""Vault and audit trail: what must hold on every storage backend."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import text

from grace.vault.verify import verify_vault
from grace.workspace import Workspace

PLAIN = b"benign evidence bytes: a picture of a bridge" * 100


def test_init_is_idempotent_and_key_is_private(workspace: Workspace) -> None:
    again = Workspace.init(workspace.home, workspace.database_url)
    again.close()
    mode = stat.S_IMODE((workspace.home / "vault.key").stat().st_mode)
    assert mode == 0o600


def test_vault_stores_once_encrypted_and_returns_exact_bytes(workspace: Workspace) -> None:
    first, new = workspace.vault.put(PLAIN)
    second, again = workspace.vault.put(PLAIN)
    assert (new, again) == (True, False)
    assert first == second
    on_disk = workspace.vault.path_for(first.sha256).read_bytes()
    assert b"bridge" not in on_disk
    assert workspace.vault.get(first.sha256) == PLAIN


def _store(workspace: Workspace, data: bytes) -> str:
    from grace.vault.records import store_blob

    with workspace.sessions.begin() as session:
        return store_blob(session, workspace.vault, data).sha256


def test_vault_verify_finds_a_changed_byte(workspace: Workspace) -> None:
    sha = _store(workspace, PLAIN)
    _store(workspace, b"another benign object")
    with workspace.sessions() as session:
        assert verify_vault(session, workspace.vault).ok
    path = workspace.vault.path_for(sha)
    path.chmod(0o600)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0x01
    path.write_bytes(bytes(blob))
    with workspace.sessions() as session:
        report = verify_vault(session, workspace.vault)
    assert report.checked == 2
    assert len(report.problems) == 1 and sha in report.problems[0]


def test_vault_verify_finds_a_missing_object(workspace: Workspace) -> None:
    sha = _store(workspace, PLAIN)
    workspace.vault.path_for(sha).unlink()
    with workspace.sessions() as session:
        assert "missing" in verify_vault(session, workspace.vault).problems[0]


def _events(workspace: Workspace, n: int) -> None:
    for i in range(n):
        with workspace.sessions.begin() as session:
            workspace.audit.append(
                session,
                actor="tester",
                action="view",
                object_type="referral",
                object_id=str(i),
                details={"i": i},
            )
        workspace.audit.save_anchor()


def _verify(workspace: Workspace) -> list[str]:
    with workspace.sessions() as session:
        return workspace.audit.verify(session).problems


def test_audit_chain_verifies_when_untouched(workspace: Workspace) -> None:
    _events(workspace, 5)
    assert _verify(workspace) == []


@pytest.mark.parametrize(
    "tamper, expected",
    [
        ("UPDATE audit_events SET actor = 'someone else' WHERE seq = 3", "edited"),
        ("DELETE FROM audit_events WHERE seq = 3", "deleted"),
        ("DELETE FROM audit_events WHERE seq = 5", "tail deleted"),
        ("UPDATE audit_events SET seq = seq + 100 WHERE seq = 2", "expected event"),
    ],
)
def test_audit_verify_detects_tampering(workspace: Workspace, tamper: str, expected: str) -> None:
    _events(workspace, 5)
    with workspace.engine.begin() as conn:
        conn.execute(text(tamper))
    problems = _verify(workspace)
    assert problems, "tampering went unnoticed"
    assert any(expected in p for p in problems)


def test_audit_verify_detects_swapped_events(workspace: Workspace) -> None:
    _events(workspace, 4)
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET seq = 100 WHERE seq = 2"))
        conn.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 3"))
        conn.execute(text("UPDATE audit_events SET seq = 3 WHERE seq = 100"))
    assert any("link" in p for p in _verify(workspace))
