"""Record assembled referrals: evidence into the vault, rows into the database.

Work is split so that a batch of referrals costs one disk flush and one transaction:
``prepare`` hashes every blob and builds the row graph without touching storage,
``write_blobs`` puts the bytes in the vault (unsynced), the caller flushes the disk once,
and ``record`` adds the rows. The database never names bytes that are not durably stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.ingest.assemble import Unit
from grace.media.kinds import sniff_mime
from grace.model import FileRef
from grace.model import IpEvent as IpEventModel
from grace.model import Party as PartyModel
from grace.store import tables as t
from grace.vault import Digests, Vault, digests


@dataclass
class Blob:
    """Bytes to keep, with their digests and how they arrived."""

    found: Digests
    data: bytes
    role: str  # document | media
    name: str | None


@dataclass
class Prepared:
    """A referral ready to record: its key, its blobs and its row graph."""

    unit: Unit
    key: str
    blobs: list[Blob] = field(default_factory=list)
    row: t.Referral | None = None


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
    """Hash every blob and build the rows; nothing is stored yet."""
    ref = unit.referral
    now = datetime.now(UTC)
    document = digests(unit.document)
    prepared = Prepared(unit, natural_key(unit, document))
    prepared.blobs.append(Blob(document, unit.document, "document", unit.document_name))
    for name, data in unit.extra_documents:
        prepared.blobs.append(Blob(digests(data), data, "document", name))
    row = t.Referral(
        natural_key=prepared.key,
        source_format=ref.source_format,
        external_id=ref.external_id,
        esp_name=ref.esp_name,
        incident_type=ref.incident_type,
        incident_time=ref.incident_time,
        incident_at=_parse_time(ref.incident_time),
        received_at=_parse_time(ref.received_at) or now,
        escalated=ref.escalated,
        file_count=len(ref.files),
        document_sha256=document.sha256,
        source=unit.source,
        warnings=list(ref.warnings),
        data={},
    )
    warnings = list(ref.warnings)
    row.parties = [_party_row(row, party) for party in ref.parties]
    row.files = [
        _file_row(row, prepared, index, file, warnings) for index, file in enumerate(ref.files)
    ]
    row.warnings = warnings
    row.data = ref.model_dump(mode="json", exclude_none=True) | {"warnings": warnings}
    row.custody = [
        t.Custody(
            sha256=blob.found.sha256,
            role=blob.role,
            original_name=blob.name,
            source=unit.source,
            received_at=now,
            actor=actor,
        )
        for blob in prepared.blobs
    ]
    prepared.row = row
    return prepared


def write_blobs(vault: Vault, batch: Iterable[Prepared]) -> list[Path]:
    """Put every blob in the vault without syncing; return the files that are new."""
    written: list[Path] = []
    for prepared in batch:
        for blob in prepared.blobs:
            _, new = vault.put(blob.data, blob.found, sync=False)
            if new:
                written.append(vault.path_for(blob.found.sha256))
    return written


def record(session: Session, batch: list[Prepared]) -> None:
    """Add vault-object rows that are missing, then each referral's row graph."""
    blobs = {blob.found.sha256: blob for prepared in batch for blob in prepared.blobs}
    have = set(
        session.scalars(select(t.VaultObject.sha256).where(t.VaultObject.sha256.in_(list(blobs))))
    )
    now = datetime.now(UTC)
    for sha256, blob in blobs.items():
        if sha256 not in have:
            session.add(
                t.VaultObject(
                    sha256=sha256,
                    md5=blob.found.md5,
                    sha1=blob.found.sha1,
                    size=blob.found.size,
                    mime=sniff_mime(blob.data[:64]),
                    stored_at=now,
                )
            )
    session.flush()
    session.add_all([prepared.row for prepared in batch if prepared.row is not None])
    session.flush()  # one flush: the ORM batches each table's inserts across the batch


def _party_row(referral: t.Referral, party: PartyModel) -> t.Party:
    row = t.Party(
        role=party.role.value,
        esp_service=party.esp_service,
        esp_user_id=party.esp_user_id,
        screen_name=party.screen_name,
        display_name=party.display_names[0] if party.display_names else None,
        country_code=party.location.country_code if party.location else None,
        data=party.model_dump(mode="json", exclude_none=True),
    )
    row.ip_events = [_ip_row(referral, event) for event in party.ip_events]
    return row


def _ip_row(referral: t.Referral, event: IpEventModel) -> t.IpEvent:
    row = t.IpEvent(
        ip=event.ip[:64],
        port=event.port,
        event=event.event,
        at=event.at,
        possible_proxy=event.possible_proxy,
    )
    referral.ip_events.append(row)
    return row


def _file_row(
    referral: t.Referral, prepared: Prepared, index: int, file: FileRef, warnings: list[str]
) -> t.ReferralFile:
    sha256: str | None = None
    verdict: bool | None = None
    if index in prepared.unit.media:
        member, data = prepared.unit.media[index]
        found = digests(data)
        prepared.blobs.append(Blob(found, data, "media", file.original_name or member))
        sha256 = found.sha256
        verdict = _check_declared(file, found, warnings)
    for event in file.ip_events:
        _ip_row(referral, event)
    return t.ReferralFile(
        sha256=sha256,
        name=file.name,
        original_name=file.original_name,
        viewed_by_esp=file.viewed_by_esp,
        industry_classification=file.industry_classification,
        annotations=list(file.annotations),
        declared_hash_ok=verdict,
        data=file.model_dump(mode="json", exclude_none=True),
    )


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


def _parse_time(value: str | None) -> datetime | None:
    """Sortable UTC time; the verbatim string (with its offset) is kept beside it."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
