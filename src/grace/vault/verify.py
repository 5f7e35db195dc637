"""Re-read and re-hash every stored object against its custody record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.store.tables import VaultObject
from grace.vault.store import Vault, VaultError, digests


@dataclass
class VaultReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_vault(
    session: Session, vault: Vault, on_object: Callable[[int, int], None] | None = None
) -> VaultReport:
    """Decrypt each object, and compare size, MD5, SHA-1 and SHA-256 with its record.

    Objects on disk that no record names are listed apart: they are harmless leftovers
    of an interrupted ingest, not altered evidence.
    """
    report = VaultReport()
    total = session.scalar(select(func.count()).select_from(VaultObject)) or 0
    known: set[str] = set()
    rows = session.scalars(select(VaultObject).order_by(VaultObject.sha256))
    for row in rows:
        known.add(row.sha256)
        report.checked += 1
        report.problems.extend(_check(vault, row))
        if on_object:
            on_object(report.checked, total)
    report.unrecorded = [name for name in vault.stored_names() if name not in known]
    return report


def _check(vault: Vault, row: VaultObject) -> list[str]:
    try:
        data = vault.get(row.sha256)
    except VaultError as exc:
        return [str(exc)]
    found = digests(data)
    expected = {"size": row.size, "md5": row.md5, "sha1": row.sha1}
    actual = {"size": found.size, "md5": found.md5, "sha1": found.sha1}
    return [
        f"{row.sha256}: {name} is {actual[name]}, custody record says {expected[name]}"
        for name in expected
        if expected[name] != actual[name]
    ]
