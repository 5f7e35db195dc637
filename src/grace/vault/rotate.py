"""``grace vault rotate-key``: move every object to a new master key, then retire the old one.

Three steps, each safe to interrupt and repeat (a re-run picks up where a killed one
stopped, because every step is idempotent and the state lives in files, not in memory):

1. *begin*: make the new key (``vault.key.next``, 0600, or ``GRACE_VAULT_NEXT_KEY``) and
   record ``next`` in the keyring with the audit key wrapped under it. From then on every
   process that opens the workspace writes new objects with the new key.
2. *re-wrap*: for each object whose data key is wrapped by another key, write a wrap file
   with the data key wrapped by the new key. The evidence file is not touched. Objects of
   the first format (``GRV1``, encrypted directly with the old key) have no data key: they
   are re-encrypted once under a fresh one, after their plaintext has been proved to hash
   to their name.
3. *retire*: only when every object is on the new key: ``vault.key.next`` replaces
   ``vault.key`` (the old key's file is gone) and the keyring names the old key retired
   (its id and time only; no key material is kept).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grace.vault import envelope
from grace.vault.keyring import (
    KEY_FILE,
    NEXT_KEY_FILE,
    MasterKeys,
    load_master_keys,
    next_key,
    read_keyring,
    sync_folder,
    wrap_audit_key,
    write_keyring,
)
from grace.vault.keys import ENV_KEY, KEY_BYTES, VaultKeyError, load_or_create_key
from grace.vault.store import Vault, VaultError, _atomic_write, flush_to_disk


@dataclass
class RotationReport:
    old_key: str
    new_key: str
    objects: int = 0
    rewrapped: int = 0
    converted: int = 0
    already: int = 0
    problems: list[str] = field(default_factory=list)
    retired: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def begin(home: Path) -> dict[str, Any]:
    """Step 1 (idempotent): a new key exists and the keyring names it ``next``."""
    keys = load_master_keys(home)
    current = load_or_create_key(home / KEY_FILE)
    ring = read_keyring(home) or {
        "format": 1,
        "current": envelope.key_id(current).hex(),
        "audit": {envelope.key_id(current).hex(): wrap_audit_key(keys.audit_key, current)},
        "retired": [],
    }
    if ring.get("next"):
        return ring
    new = next_key(home) or _new_key_file(home)
    new_id = envelope.key_id(new).hex()
    ring["next"] = new_id
    ring["audit"][new_id] = wrap_audit_key(keys.audit_key, new)
    write_keyring(home, ring)
    return ring


def _new_key_file(home: Path) -> bytes:
    """Generate the new key beside the old one, durably, before anything depends on it."""
    if os.environ.get(ENV_KEY):
        raise VaultKeyError(
            f"the vault key comes from {ENV_KEY}: set GRACE_VAULT_NEXT_KEY to the new key "
            "(grace does not write keys to disk for a workspace whose key lives elsewhere)"
        )
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(home / NEXT_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    sync_folder(home)
    return key


def rewrap_object(vault: Vault, sha256: str) -> str:
    """Step 2 for one object: ``rewrapped``, ``converted`` or ``already`` on the new key."""
    keys, target = vault.keys, vault.keys.writing
    path = vault.path_for(sha256)
    with open(path, "rb") as handle:
        head = handle.read(envelope.HEADER_BYTES)
    if head.startswith(envelope.LEGACY_MAGIC):
        data = vault.get(sha256)  # proves the plaintext still hashes to its name
        _atomic_write(path, envelope.seal(data, sha256, keys.writing_key), sync=False)
        vault.wrap_path_for(sha256).unlink(missing_ok=True)
        return "converted"
    try:
        found = vault.current_wrap(sha256, head)
    except envelope.EnvelopeError as exc:
        raise VaultError(f"{sha256}: {exc}") from exc
    if found.kid == target:
        return "already"
    master = keys.keys.get(found.kid)
    if master is None:
        raise VaultError(f"{sha256}: wrapped by key {found.kid.hex()}, which is not available")
    try:
        data_key = envelope.unwrap(found, master, sha256)
    except envelope.EnvelopeError as exc:
        raise VaultError(f"{sha256}: {exc}") from exc
    wrap_file = vault.wrap_path_for(sha256)
    wrap_file.parent.mkdir(parents=True, exist_ok=True)
    sealed = envelope.encode_wrap_file(envelope.wrap(data_key, keys.writing_key, sha256))
    _atomic_write(wrap_file, sealed, sync=False)
    return "rewrapped"


def retire(home: Path) -> str:
    """Step 3 (idempotent): the new key becomes the only key; return the retired key's id."""
    ring = read_keyring(home)
    if ring is None or not ring.get("next"):
        raise VaultKeyError("no key rotation in progress")
    new_file = home / NEXT_KEY_FILE
    if new_file.exists():
        os.replace(new_file, home / KEY_FILE)  # the old key's file is gone from here on
        sync_folder(home)
    old: str = ring["current"]
    ring["current"] = ring.pop("next")
    ring["audit"].pop(old, None)
    ring.setdefault("retired", []).append(
        {"id": old, "retired_at": datetime.now(UTC).isoformat(timespec="seconds")}
    )
    write_keyring(home, ring)
    return old


def rotate(
    home: Path, vault_root: Path, on_object: Callable[[int, int], None] | None = None
) -> RotationReport:
    """All three steps; the old key is retired only if every object moved to the new one."""
    ring = begin(home)
    keys: MasterKeys = load_master_keys(home)
    vault = Vault(vault_root, keys)
    report = RotationReport(old_key=ring["current"], new_key=ring["next"])
    names = list(vault.stored_names())
    report.objects = len(names)
    _rewrap_all(vault, names, report, on_object)
    # A second look catches objects a writer was storing with the old key as step 1 ran
    # (writers switch keys at their next write; by now any such write has finished).
    _rewrap_all(vault, names, report, None, count_already=False)
    known = set(names)
    late = [name for name in vault.stored_names() if name not in known]
    report.objects += len(late)
    _rewrap_all(vault, late, report, None)
    flush_to_disk()  # every new wrapping is durable before the key it replaces goes
    if report.ok:
        retire(home)
        report.retired = True
    return report


def _rewrap_all(
    vault: Vault,
    names: list[str],
    report: RotationReport,
    on_object: Callable[[int, int], None] | None,
    count_already: bool = True,
) -> None:
    for done, sha256 in enumerate(names, 1):
        try:
            outcome = rewrap_object(vault, sha256)
        except (VaultError, OSError) as exc:
            if count_already:  # the second pass would only repeat the same problem
                report.problems.append(str(exc))
        else:
            if outcome != "already" or count_already:
                setattr(report, outcome, getattr(report, outcome) + 1)
        if on_object:
            on_object(done, len(names))
