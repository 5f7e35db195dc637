"""Vault writes paired with their database record, so bytes and custody never drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from grace.media.kinds import sniff_mime
from grace.store.tables import VaultObject
from grace.store.upsert import insert_new
from grace.vault.store import Digests, Vault


def vault_object_row(found: Digests, data: bytes, stored_at: datetime) -> dict[str, Any]:
    """The ``vault_objects`` record of stored bytes: the digests courts ask for, and the type."""
    return {
        "sha256": found.sha256,
        "md5": found.md5,
        "sha1": found.sha1,
        "size": found.size,
        "mime": sniff_mime(data[:64]),
        "stored_at": stored_at,
    }


def store_blob(
    session: Session, vault: Vault, data: bytes, known: Digests | None = None
) -> Digests:
    """Put bytes in the vault and make sure their ``vault_objects`` row exists.

    Idempotent (``ON CONFLICT DO NOTHING``): another writer storing the same bytes at the
    same moment is no error, and the first row written is the one kept.
    """
    found, _ = vault.put(data, known)
    insert_new(session, VaultObject, [vault_object_row(found, data, datetime.now(UTC))])
    return found
