"""Which master keys a workspace has, which one writes, and the audit key that outlives them.

The master key itself stays where it always was: ``vault.key`` (0600) or ``GRACE_VAULT_KEY``.
``vault.keyring.json`` (written at the first rotation; absent in older workspaces) records
the current key id, a rotation in progress (``next``), retired key ids, and the audit
chain's HMAC key wrapped by each live master key. The audit key used to be derived from
the vault key; keeping it wrapped instead lets the master key change while every past
audit event still verifies. During a rotation the new key is ``vault.key.next`` (or
``GRACE_VAULT_NEXT_KEY`` when keys live in the environment) and new objects are written
with it, so that nothing written meanwhile depends on the key being retired.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grace.audit import audit_key
from grace.vault.envelope import EnvelopeError, Wrap, key_id, unwrap, wrap
from grace.vault.keys import ENV_KEY, VaultKeyError, decode_key, load_or_create_key

ENV_NEXT_KEY = "GRACE_VAULT_NEXT_KEY"
KEY_FILE = "vault.key"
NEXT_KEY_FILE = "vault.key.next"
KEYRING_FILE = "vault.keyring.json"
_AUDIT_NAME = "audit-key"  # the associated data that binds a wrapped audit key to its role


@dataclass
class MasterKeys:
    """The master keys this process holds, by id, and the one new objects are wrapped with."""

    keys: dict[bytes, bytes]
    writing: bytes
    audit_key: bytes
    retired: set[bytes] = field(default_factory=set)

    @classmethod
    def single(cls, master: bytes) -> MasterKeys:
        """A workspace of the first kind: one key, the audit key derived from it."""
        kid = key_id(master)
        return cls({kid: master}, kid, audit_key(master))

    @property
    def writing_key(self) -> bytes:
        return self.keys[self.writing]


def read_keyring(home: Path) -> dict[str, Any] | None:
    path = home / KEYRING_FILE
    if not path.exists():
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_keyring(home: Path, data: dict[str, Any]) -> None:
    """Replace the keyring atomically and durably: a crash leaves the old or the new one."""
    fd, tmp = tempfile.mkstemp(dir=home, prefix=".vault.keyring.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, home / KEYRING_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(home)


def sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def wrap_audit_key(audit: bytes, master: bytes) -> str:
    found = wrap(audit, master, _AUDIT_NAME)
    return base64.b64encode(found.encode()).decode("ascii")


def _unwrap_audit_key(text: str, master: bytes) -> bytes:
    return unwrap(Wrap.decode(base64.b64decode(text)), master, _AUDIT_NAME)


def next_key(home: Path) -> bytes | None:
    """The key a rotation in progress moves to, if this process can see it."""
    from_env = os.environ.get(ENV_NEXT_KEY)
    if from_env:
        return decode_key(from_env)
    path = home / NEXT_KEY_FILE
    return decode_key(path.read_text(encoding="ascii")) if path.exists() else None


def key_files_stamp(home: Path) -> tuple[tuple[int, int, int] | None, ...]:
    """What changes when a rotation moves on: the keyring and the key files."""
    stamps: list[tuple[int, int, int] | None] = []
    for name in (KEYRING_FILE, KEY_FILE, NEXT_KEY_FILE):
        try:
            found = os.stat(home / name)
        except FileNotFoundError:
            stamps.append(None)
        else:
            stamps.append((found.st_ino, found.st_mtime_ns, found.st_size))
    return tuple(stamps)


def load_master_keys(home: Path) -> MasterKeys:
    """The keys to open this workspace's vault with, or a one-line reason why not."""
    current = load_or_create_key(home / KEY_FILE)
    ring = read_keyring(home)
    if ring is None:
        return MasterKeys.single(current)
    candidates = {key_id(k): k for k in (current, next_key(home)) if k is not None}
    live = [bytes.fromhex(kid) for kid in (ring["current"], ring.get("next")) if kid]
    retired = {bytes.fromhex(r["id"]) for r in ring.get("retired", [])}
    keys = {kid: candidates[kid] for kid in live if kid in candidates}
    if not keys:
        held = key_id(current).hex()
        state = "a retired key" if bytes.fromhex(held) in retired else "not this vault's key"
        raise VaultKeyError(
            f"the vault key ({ENV_KEY} or {KEY_FILE}, id {held}) is {state}; "
            f"this vault's key is {ring.get('next') or ring['current']}"
        )
    if len(live) == 2 and live[1] not in keys:
        raise VaultKeyError(
            f"a vault key rotation is in progress: set {ENV_NEXT_KEY} to the new key "
            "or finish it with `grace vault rotate-key`"
        )
    writing = live[-1] if live[-1] in keys else live[0]
    return MasterKeys(keys, writing, _audit_key(ring, keys), retired)


def _audit_key(ring: dict[str, Any], keys: dict[bytes, bytes]) -> bytes:
    wrapped: dict[str, str] = ring.get("audit", {})
    for kid, master in keys.items():
        if kid.hex() in wrapped:
            try:
                return _unwrap_audit_key(wrapped[kid.hex()], master)
            except EnvelopeError as exc:
                raise VaultKeyError(f"{KEYRING_FILE}: audit key wrapping altered") from exc
    raise VaultKeyError(f"{KEYRING_FILE} holds no audit key for the vault key")
