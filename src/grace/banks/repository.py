"""Banks in the workspace: import a hash-set file, list banks, export them again.

This is the one module of ``grace.banks`` that touches storage. The imported file itself
is kept byte-exact in the vault (a hash list is evidence of what was known when), each
import is audited, and re-importing the same file into the same bank changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from grace.banks.csvfmt import write_csv
from grace.banks.detect import read_bank
from grace.banks.model import BankEntry, ParsedBank
from grace.banks.pdqlist import write_pdq_list
from grace.banks.vics_write import write_vics2
from grace.store.media_tables import BankEntry as EntryRow
from grace.store.media_tables import BankImport, HashBank
from grace.vault.records import store_blob
from grace.workspace import Workspace

INSERT_CHUNK = 5000


class BankKind(StrEnum):
    """How a hit on the bank is treated by matching and triage."""

    KNOWN = "known"  # known illegal material: hide from analysts, count as known
    VIRAL = "viral"  # viral / meme material: known, and lowers priority
    SUPPRESSION = "suppression"  # known benign: never alert


class BankError(ValueError):
    """A bank operation cannot be done; the message is one line."""


@dataclass
class ImportResult:
    bank: str
    kind: str
    format: str
    entries: int
    already_imported: bool = False
    warnings: list[str] = field(default_factory=list)


def import_bank(
    workspace: Workspace,
    data: bytes,
    source_name: str,
    *,
    name: str,
    kind: BankKind | None = None,
    scheme: str | None = None,
    actor: str,
) -> ImportResult:
    """Read ``data`` (any supported format) into bank ``name``, creating it if needed."""
    parsed = read_bank(data, source_name, scheme)
    with workspace.sessions.begin() as session:
        bank = _bank(session, name, kind, scheme)
        hint = reference_set_hint(f"{source_name} {name}", parsed, bank.kind)
        if hint:
            parsed.warnings.append(hint)
        stored = store_blob(session, workspace.vault, data)
        repeat = session.scalar(
            select(BankImport.id).where(
                BankImport.bank_id == bank.id, BankImport.sha256 == stored.sha256
            )
        )
        if repeat is not None:
            return ImportResult(name, bank.kind, parsed.format, 0, True, parsed.warnings)
        record = BankImport(
            bank_id=bank.id,
            sha256=stored.sha256,
            source_name=source_name,
            format=parsed.format,
            entries=len(parsed.entries),
            warnings=parsed.warnings,
            imported_at=datetime.now(UTC),
        )
        session.add(record)
        session.flush()
        _insert_entries(session, bank.id, record.id, parsed)
        workspace.audit.append(
            session,
            actor=actor,
            action="hashset_import",
            object_type="bank",
            object_id=name,
            details={
                "file": source_name,
                "sha256": stored.sha256,
                "format": parsed.format,
                "entries": len(parsed.entries),
            },
        )
    workspace.audit.save_anchor()
    return ImportResult(name, bank.kind, parsed.format, len(parsed.entries), False, parsed.warnings)


def reference_set_hint(names: str, parsed: ParsedBank, kind: str) -> str | None:
    """Steer a benign reference set (NIST NSRL, all non-pertinent) to a suppression bank.

    Imported as ``known`` (the default), every match on an ordinary app icon or system file
    would count as known abuse material and raise an alert; a suppression bank only keeps
    such files out of the way. Recognised by the NSRL name or by categories that are all
    Project VIC 0 (non-pertinent); a hint, because only the operator knows the set.
    """
    if kind == BankKind.SUPPRESSION.value:
        return None
    codes = {
        (e.category.scheme, e.category.code) for e in parsed.entries if e.category is not None
    }
    nsrl = "nsrl" in names.lower()
    non_pertinent = bool(codes) and codes == {("projectvic-us", "0")}
    if not (nsrl or non_pertinent):
        return None
    what = "a NIST NSRL reference set" if nsrl else "all non-pertinent (category 0)"
    return (
        f"this looks like a benign reference set ({what}): import it into a bank made with "
        "--kind suppression, so its files never alert instead of counting as known material"
    )


def _bank(session: Session, name: str, kind: BankKind | None, scheme: str | None) -> HashBank:
    bank = session.scalar(select(HashBank).where(HashBank.name == name))
    if bank is None:
        bank = HashBank(
            name=name,
            kind=(kind or BankKind.KNOWN).value,
            scheme=scheme,
            created_at=datetime.now(UTC),
            data={},
        )
        session.add(bank)
        session.flush()
    elif kind is not None and bank.kind != kind.value:
        raise BankError(f"bank {name!r} is a {bank.kind} bank; use another name for a {kind} bank")
    return bank


def _insert_entries(session: Session, bank_id: int, import_id: int, parsed: ParsedBank) -> None:
    """Bulk insert (Core executemany): VICS files run to hundreds of thousands of records."""
    rows = [_entry_row(bank_id, import_id, entry) for entry in parsed.entries]
    for start in range(0, len(rows), INSERT_CHUNK):
        session.execute(insert(EntryRow), rows[start : start + INSERT_CHUNK])


def _entry_row(bank_id: int, import_id: int, entry: BankEntry) -> dict[str, Any]:
    return {
        "bank_id": bank_id,
        "import_id": import_id,
        "category_scheme": entry.category.scheme if entry.category else None,
        "category_code": entry.category.code if entry.category else None,
        "md5": entry.md5,
        "sha1": entry.sha1,
        "sha256": entry.sha256,
        "pdq": entry.pdq,
        "size": entry.size,
        "data": entry.model_dump(mode="json", exclude_defaults=True),
    }


def list_banks(session: Session) -> list[dict[str, Any]]:
    """Every bank with its kind, entry count and imports."""
    counts = dict(
        session.execute(select(EntryRow.bank_id, func.count()).group_by(EntryRow.bank_id)).all()
    )
    imports = dict(
        session.execute(select(BankImport.bank_id, func.count()).group_by(BankImport.bank_id)).all()
    )
    schemes: dict[int, set[str]] = {}
    for bank_id, used in session.execute(
        select(EntryRow.bank_id, EntryRow.category_scheme)
        .where(EntryRow.category_scheme.is_not(None))
        .distinct()
    ):
        if used:
            schemes.setdefault(bank_id, set()).add(used)
    return [
        {
            "id": bank.id,
            "name": bank.name,
            "kind": bank.kind,
            # the scheme given at import, else the ones its entries' categories use
            "scheme": bank.scheme or ", ".join(sorted(schemes.get(bank.id, ()))) or None,
            "entries": counts.get(bank.id, 0),
            "imports": imports.get(bank.id, 0),
            "created_at": bank.created_at.isoformat(),
        }
        for bank in session.scalars(select(HashBank).order_by(HashBank.name))
    ]


def bank_entries(session: Session, name: str) -> list[BankEntry]:
    bank = session.scalar(select(HashBank).where(HashBank.name == name))
    if bank is None:
        raise BankError(f"no bank named {name!r} (see `grace hashset list`)")
    rows = session.scalars(
        select(EntryRow.data).where(EntryRow.bank_id == bank.id).order_by(EntryRow.id)
    )
    return [BankEntry.model_validate(data) for data in rows]


def export_bank(session: Session, name: str, fmt: str) -> bytes:
    """Write bank ``name`` as VICS 2.0 JSON, CSV or a PDQ list."""
    entries = bank_entries(session, name)
    if fmt == "vics":
        return write_vics2(entries, {"CaseNumber": name})
    if fmt == "csv":
        return write_csv(entries)
    if fmt == "pdq":
        return write_pdq_list(entries)
    raise BankError(f"unknown export format {fmt!r}: use vics, csv or pdq")
