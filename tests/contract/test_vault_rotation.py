"""Vault key rotation (envelope encryption) on SQLite and PostgreSQL alike."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from builders import write_grace_bundle
from grace.ingest.pipeline import IngestPipeline
from grace.store.tables import VaultObject
from grace.vault import envelope
from grace.vault.keys import VaultKeyError, decode_key
from grace.vault.records import store_blob
from grace.vault.rotate import begin, rewrap_object, rotate
from grace.vault.store import Vault, digests
from grace.vault.verify import verify_vault
from grace.workspace import Workspace


def _fill(workspace: Workspace, tmp_path: Path) -> dict[str, bytes]:
    """A real workspace: three ingested referrals (documents and images) plus loose blobs."""
    inbox = tmp_path / "inbox"
    for n in range(3):
        write_grace_bundle(inbox, n, images=2, as_zip=n == 1)
    assert IngestPipeline(workspace, actor="tester").run([inbox]).ok
    with workspace.sessions.begin() as session:
        for i in range(3):
            store_blob(session, workspace.vault, f"benign loose blob {i}".encode() * 50)
    with workspace.sessions() as session:
        names = list(session.scalars(select(VaultObject.sha256)))
    return {name: workspace.vault.get(name) for name in names}


def _reopen(workspace: Workspace) -> Workspace:
    return Workspace.open(workspace.home, workspace.database_url)


def _clean(workspace: Workspace) -> None:
    with workspace.sessions() as session:
        vault = verify_vault(session, workspace.vault)
        assert vault.ok and not vault.unrecorded, vault.problems
        assert workspace.audit.verify(session).ok


def _key(home: Path) -> bytes:
    return decode_key((home / "vault.key").read_text(encoding="ascii"))


def test_rotation_rewraps_without_touching_evidence_and_retires_the_old_key(
    workspace: Workspace, tmp_path: Path
) -> None:
    plain = _fill(workspace, tmp_path)
    old_key = _key(workspace.home)
    sealed_before = {n: workspace.vault.path_for(n).read_bytes() for n in plain}
    report = rotate(workspace.home, workspace.vault.root)
    assert report.ok and report.retired and report.rewrapped == len(plain)
    # evidence files are byte-for-byte what they were: only the data keys were re-wrapped
    assert {n: workspace.vault.path_for(n).read_bytes() for n in plain} == sealed_before
    new_key = _key(workspace.home)
    assert new_key != old_key and not (workspace.home / "vault.key.next").exists()
    # a process that opened the workspace before the rotation (the desk) follows it
    assert {n: workspace.vault.get(n) for n in plain} == plain
    with workspace.sessions.begin() as session:
        late = store_blob(session, workspace.vault, b"benign object written after rotation")
    late_wrap = envelope.header_wrap(workspace.vault.path_for(late.sha256).read_bytes())
    assert late_wrap.kid == envelope.key_id(new_key)
    plain[late.sha256] = b"benign object written after rotation"
    # the old key is nowhere in the workspace any more
    for path in workspace.home.glob("*"):
        if path.is_file():
            assert old_key.hex().encode() not in path.read_bytes(), path
    again = _reopen(workspace)
    try:
        assert again.vault.keys.keys == {envelope.key_id(new_key): new_key}
        assert {n: again.vault.get(n) for n in plain} == plain
        _clean(again)  # the audit chain written under the old key still verifies
        second = rotate(again.home, again.vault.root)
        assert second.ok and second.rewrapped == len(plain)
    finally:
        again.close()
    third = _reopen(workspace)
    try:
        assert {n: third.vault.get(n) for n in plain} == plain
        _clean(third)
    finally:
        third.close()


def test_interrupted_rotation_reads_both_keys_and_a_rerun_finishes(
    workspace: Workspace, tmp_path: Path
) -> None:
    plain = _fill(workspace, tmp_path)
    ring = begin(workspace.home)
    assert begin(workspace.home) == ring  # repeating a step changes nothing
    mid = _reopen(workspace)
    try:
        half = sorted(plain)[: len(plain) // 2]
        for name in half:  # then "killed" half way
            assert rewrap_object(mid.vault, name) == "rewrapped"
        assert {n: mid.vault.get(n) for n in plain} == plain
        with mid.sessions.begin() as session:  # written during the rotation: on the new key
            fresh = store_blob(session, mid.vault, b"benign object written mid-rotation")
        sealed = mid.vault.path_for(fresh.sha256).read_bytes()
        assert envelope.header_wrap(sealed).kid.hex() == ring["next"]
        plain[fresh.sha256] = b"benign object written mid-rotation"
    finally:
        mid.close()
    report = rotate(workspace.home, workspace.vault.root)
    assert report.ok and report.retired
    assert report.already == len(half) + 1 and report.rewrapped == len(plain) - len(half) - 1
    done = _reopen(workspace)
    try:
        assert {n: done.vault.get(n) for n in plain} == plain
        _clean(done)
    finally:
        done.close()


def _legacy_put(vault: Vault, key: bytes, data: bytes) -> str:
    """An object exactly as grace wrote it before envelope encryption (``GRV1``)."""
    sha = digests(data).sha256
    nonce = secrets.token_bytes(12)
    path = vault.path_for(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"GRV1" + nonce + AESGCM(key).encrypt(nonce, data, sha.encode()))
    return sha


def test_a_vault_of_the_first_format_still_reads_and_migrates(workspace: Workspace) -> None:
    key = _key(workspace.home)
    plain = {}
    with workspace.sessions.begin() as session:
        for i in range(4):
            data = f"benign legacy object {i}".encode() * 30
            sha = _legacy_put(workspace.vault, key, data)
            store_blob(session, workspace.vault, data)  # the record; the object exists
            plain[sha] = data
    assert {n: workspace.vault.get(n) for n in plain} == plain
    _clean(workspace)
    report = rotate(workspace.home, workspace.vault.root)
    assert report.ok and report.converted == 4
    migrated = _reopen(workspace)
    try:
        for name in plain:
            assert migrated.vault.path_for(name).read_bytes().startswith(b"GRV2")
        assert {n: migrated.vault.get(n) for n in plain} == plain
        _clean(migrated)
    finally:
        migrated.close()


def test_a_rewrapped_key_moved_to_another_object_is_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    plain = _fill(workspace, tmp_path)
    assert rotate(workspace.home, workspace.vault.root).ok
    first, second = sorted(plain)[:2]
    swapped = workspace.vault.wrap_path_for(first).read_bytes()
    target = workspace.vault.wrap_path_for(second)
    target.chmod(0o600)
    target.write_bytes(swapped)
    after = _reopen(workspace)
    try:
        with after.sessions() as session:
            report = verify_vault(session, after.vault)
        assert len(report.problems) == 1 and second in report.problems[0]
    finally:
        after.close()


def test_rotation_with_the_key_in_the_environment(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _fill(workspace, tmp_path)
    old = _key(workspace.home)
    (workspace.home / "vault.key").unlink()  # the key lives in a secrets manager
    monkeypatch.setenv("GRACE_VAULT_KEY", old.hex())
    with pytest.raises(VaultKeyError, match="GRACE_VAULT_NEXT_KEY"):
        rotate(workspace.home, workspace.vault.root)
    new = secrets.token_bytes(32)
    monkeypatch.setenv("GRACE_VAULT_NEXT_KEY", new.hex())
    assert rotate(workspace.home, workspace.vault.root).retired
    assert not (workspace.home / "vault.key").exists()  # grace wrote no key to disk
    monkeypatch.delenv("GRACE_VAULT_NEXT_KEY")
    with pytest.raises(VaultKeyError, match="retired"):
        _reopen(workspace)
    monkeypatch.setenv("GRACE_VAULT_KEY", new.hex())
    after = _reopen(workspace)
    try:
        assert {n: after.vault.get(n) for n in plain} == plain
        _clean(after)
    finally:
        after.close()
