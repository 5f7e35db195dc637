"""Record assembled referrals: evidence into the vault, rows into the database.

Work is split so that a batch of referrals costs one disk flush and one transaction:
``prepare`` hashes every blob and lays out the rows without touching storage,
``write_blobs`` puts the bytes in the vault (unsynced), the caller flushes the disk once,
and ``record`` inserts the rows. The database never names bytes that are not durably
stored. Rows are inserted with SQLAlchemy Core ``executemany`` (RETURNING the new ids, in
order), table by table for the whole batch: the ORM's unit of work cost more than all the
rest of ingest together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from grace.ingest.assemble import Unit
from grace.model import FileRef
from grace.model import IpEvent as IpEventModel
from grace.model import Party as PartyModel
from grace.model.times import parse_utc
from grace.store import tables as t
from grace.store.upsert import insert_new
from grace.vault import Digests, Vault, digests
from grace.vault.records import vault_object_row

Row = dict[str, Any]


@dataclass
class Blob:
    """Bytes to keep, with their digests and how they arrived."""

    found: Digests
    data: bytes
    role: str  # document | media
    name: str | None


@dataclass
class Prepared:
    """A referral ready to record: its key, its blobs and its rows (ids filled by ``record``)."""

    unit: Unit
    key: str
    blobs: list[Blob] = field(default_factory=list)
    referral: Row = field(default_factory=dict)
    parties: list[tuple[Row, list[Row]]] = field(default_factory=list)
    files: list[Row] = field(default_factory=list)
    file_ips: list[Row] = field(default_factory=list)
    custody: list[Row] = field(default_factory=list)
    id: int | None = None

    @property
    def warnings(self) -> list[str]:
        return list(self.referral["warnings"])


def natural_key(unit: Unit, document: Digests) -> str:
    """Same sender report id, or the same document bytes, means the same referral."""
    ref = unit.referral
    if ref.external_id:
        return f"{ref.source_format}:{ref.external_id}"
    return f"sha256:{document.sha256}"


def existing_keys(session: Session, keys: Iterable[str]) -> dict[str, int]:
    wanted = list(set(keys))
    query = select(t.Referral.natural_key, t.Referral.id).where(t.Referral.natural_key.in_(wanted))
    return {key: ident for key, ident in session.execute(query)}


def prepare(unit: Unit, actor: str) -> Prepared:
    """Hash every blob and lay out the rows; nothing is stored yet."""
    ref = unit.referral
    now = datetime.now(UTC)
    document = digests(unit.document)
    prepared = Prepared(unit, natural_key(unit, document))
    prepared.blobs.append(Blob(document, unit.document, "document", unit.document_name))
    for name, data in unit.extra_documents:
        prepared.blobs.append(Blob(digests(data), data, "document", name))
    warnings = list(ref.warnings)
    prepared.parties = [_party_rows(party) for party in ref.parties]
    for index, file in enumerate(ref.files):
        prepared.files.append(_file_row(prepared, index, file, warnings))
        prepared.file_ips.extend(_ip_row(event) for event in file.ip_events)
    prepared.referral = {
        "natural_key": prepared.key,
        "source_format": ref.source_format,
        "external_id": ref.external_id,
        "esp_name": ref.esp_name,
        "incident_type": ref.incident_type,
        "incident_time": ref.incident_time,
        "incident_at": parse_utc(ref.incident_time),
        "received_at": parse_utc(ref.received_at) or now,
        "escalated": ref.escalated,
        "file_count": len(ref.files),
        "status": "new",
        "document_sha256": document.sha256,
        "source": unit.source,
        "warnings": warnings,
        "data": ref.model_dump(mode="json", exclude_none=True) | {"warnings": warnings},
    }
    prepared.custody = [
        {
            "sha256": blob.found.sha256,
            "role": blob.role,
            "original_name": blob.name,
            "source": unit.source,
            "received_at": now,
            "actor": actor,
        }
        for blob in prepared.blobs
    ]
    return prepared


def write_blobs(vault: Vault, batch: Iterable[Prepared]) -> list[Path]:
    """Put every distinct blob in the vault without syncing; return the files that are new."""
    unique = {blob.found.sha256: blob for prepared in batch for blob in prepared.blobs}
    written: list[Path] = []
    for blob in unique.values():
        _, new = vault.put(blob.data, blob.found, sync=False)
        if new:
            written.append(vault.path_for(blob.found.sha256))
    return written


def record(session: Session, batch: list[Prepared]) -> None:
    """Insert missing vault-object rows, then each table's rows for the whole batch."""
    _insert_vault_objects(session, batch)
    ids = _insert_returning(session, t.Referral, [p.referral for p in batch])
    for prepared, ident in zip(batch, ids, strict=True):
        prepared.id = ident
    party_rows = [row | {"referral_id": p.id} for p in batch for row, _ in p.parties]
    party_ids = iter(_insert_returning(session, t.Party, party_rows))
    ip_rows: list[Row] = []
    for prepared in batch:
        for _, events in prepared.parties:
            party_id = next(party_ids)
            ip_rows += [e | {"referral_id": prepared.id, "party_id": party_id} for e in events]
        ip_rows += [e | {"referral_id": prepared.id, "party_id": None} for e in prepared.file_ips]
    _insert(session, t.IpEvent, ip_rows)
    _insert(session, t.ReferralFile, [f | {"referral_id": p.id} for p in batch for f in p.files])
    _insert(session, t.Custody, [c | {"referral_id": p.id} for p in batch for c in p.custody])


def _insert_vault_objects(session: Session, batch: list[Prepared]) -> None:
    """Rows for the batch's blobs; one another writer (a quarantine, a concurrent ingest of
    the same bytes) already recorded is kept as it is."""
    blobs = {blob.found.sha256: blob for prepared in batch for blob in prepared.blobs}
    now = datetime.now(UTC)
    rows = [vault_object_row(b.found, b.data, now) for b in blobs.values()]
    insert_new(session, t.VaultObject, rows)


def _insert(session: Session, model: type[t.Base], rows: list[Row]) -> None:
    """Core executemany on the table (the ORM's bulk path costs several times more)."""
    if rows:
        session.execute(insert(cast(Table, model.__table__)), rows)


def _insert_returning(session: Session, model: type[t.Base], rows: list[Row]) -> list[int]:
    if not rows:
        return []
    table = cast(Table, model.__table__)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.scalars(statement, rows))


def _party_rows(party: PartyModel) -> tuple[Row, list[Row]]:
    row = {
        "role": party.role.value,
        "esp_service": party.esp_service,
        "esp_user_id": party.esp_user_id,
        "screen_name": party.screen_name,
        "display_name": party.display_names[0] if party.display_names else None,
        "country_code": party.location.country_code if party.location else None,
        "data": party.model_dump(mode="json", exclude_none=True),
    }
    return row, [_ip_row(event) for event in party.ip_events]


def _ip_row(event: IpEventModel) -> Row:
    # A "port" outside 0-65535 is no port; the column (32-bit) would refuse it, or on
    # SQLite raise OverflowError past 2**63 and stop the batch. The data JSON keeps it.
    port = event.port if event.port is not None and 0 <= event.port <= 65535 else None
    return {
        "ip": event.ip[:64],
        "port": port,
        "event": event.event,
        "at": event.at,
        "possible_proxy": event.possible_proxy,
    }


def _file_row(prepared: Prepared, index: int, file: FileRef, warnings: list[str]) -> Row:
    sha256: str | None = None
    verdict: bool | None = None
    if index in prepared.unit.media:
        member, data = prepared.unit.media[index]
        found = digests(data)
        prepared.blobs.append(Blob(found, data, "media", file.original_name or member))
        sha256 = found.sha256
        verdict = _check_declared(file, found, warnings)
    return {
        "sha256": sha256,
        "name": file.name,
        "original_name": file.original_name,
        "viewed_by_esp": file.viewed_by_esp,
        "industry_classification": file.industry_classification,
        "annotations": list(file.annotations),
        "declared_hash_ok": verdict,
        "media_status": None,
        "data": file.model_dump(mode="json", exclude_none=True),
    }


def _check_declared(file: FileRef, found: Digests, warnings: list[str]) -> bool | None:
    """Compare the hashes the sender declared with the bytes received."""
    actual = {"md5": found.md5, "sha1": found.sha1, "sha256": found.sha256}
    verdict: bool | None = None
    for kind, value in file.declared_hashes.items():
        kind = kind.lower().replace("-", "")
        if kind not in actual:
            continue
        ok = value.strip().lower() == actual[kind]
        verdict = ok if verdict is None else verdict and ok
        if not ok:
            warnings.append(f"file {file.name}: declared {kind} {value} does not match the bytes")
    return verdict
