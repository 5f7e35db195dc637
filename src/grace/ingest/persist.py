"""Write one assembled referral into the vault and the database, in one transaction.

The vault write comes first and is idempotent (content-addressed); the database rows and
the audit event then commit together, so a referral is either wholly recorded, with its
custody receipts and audit event, or not at all.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.ingest.assemble import Unit
from grace.model import FileRef
from grace.model import Party as PartyModel
from grace.store import tables as t
from grace.vault import Digests, Vault
from grace.vault.records import store_blob


def natural_key(unit: Unit, document: Digests) -> str:
    """Same sender report id, or the same document bytes, means the same referral."""
    ref = unit.referral
    if ref.external_id:
        return f"{ref.source_format}:{ref.external_id}"
    return f"sha256:{document.sha256}"


def existing_id(session: Session, key: str) -> int | None:
    return session.scalar(select(t.Referral.id).where(t.Referral.natural_key == key))


def record_referral(
    session: Session, vault: Vault, unit: Unit, document: Digests, key: str, actor: str
) -> t.Referral:
    """Insert the referral, its parties, IP events, files and custody receipts."""
    ref = unit.referral
    now = datetime.now(UTC)
    store_blob(session, vault, unit.document, document)
    row = t.Referral(
        natural_key=key,
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
        data=ref.model_dump(mode="json", exclude_none=True),
    )
    session.add(row)
    session.flush()
    _custody(session, document.sha256, row.id, "document", unit.document_name, unit, actor, now)
    for name, data in unit.extra_documents:
        extra = store_blob(session, vault, data)
        _custody(session, extra.sha256, row.id, "document", name, unit, actor, now)
    for party in ref.parties:
        _record_party(session, row.id, party)
    for index, file in enumerate(ref.files):
        _record_file(session, vault, row, index, file, unit, actor, now)
    return row


def _record_party(session: Session, referral_id: int, party: PartyModel) -> None:
    row = t.Party(
        referral_id=referral_id,
        role=party.role.value,
        esp_service=party.esp_service,
        esp_user_id=party.esp_user_id,
        screen_name=party.screen_name,
        display_name=party.display_names[0] if party.display_names else None,
        country_code=party.location.country_code if party.location else None,
        data=party.model_dump(mode="json", exclude_none=True),
    )
    session.add(row)
    session.flush()
    for event in party.ip_events:
        session.add(
            t.IpEvent(
                referral_id=referral_id,
                party_id=row.id,
                ip=event.ip[:64],
                port=event.port,
                event=event.event,
                at=event.at,
                possible_proxy=event.possible_proxy,
            )
        )


def _record_file(
    session: Session,
    vault: Vault,
    referral: t.Referral,
    index: int,
    file: FileRef,
    unit: Unit,
    actor: str,
    now: datetime,
) -> None:
    sha256: str | None = None
    verdict: bool | None = None
    if index in unit.media:
        member, data = unit.media[index]
        found = store_blob(session, vault, data)
        sha256 = found.sha256
        verdict = _check_declared(file, found, referral)
        _custody(
            session, sha256, referral.id, "media", file.original_name or member, unit, actor, now
        )
    session.add(
        t.ReferralFile(
            referral_id=referral.id,
            sha256=sha256,
            name=file.name,
            original_name=file.original_name,
            viewed_by_esp=file.viewed_by_esp,
            industry_classification=file.industry_classification,
            annotations=list(file.annotations),
            declared_hash_ok=verdict,
            data=file.model_dump(mode="json", exclude_none=True),
        )
    )
    for event in file.ip_events:
        session.add(
            t.IpEvent(
                referral_id=referral.id,
                ip=event.ip[:64],
                port=event.port,
                event=event.event,
                at=event.at,
                possible_proxy=event.possible_proxy,
            )
        )


def _check_declared(file: FileRef, found: Digests, referral: t.Referral) -> bool | None:
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
            referral.warnings = [
                *referral.warnings,
                f"file {file.name}: declared {kind} {value} does not match the bytes received",
            ]
    return verdict


def _custody(
    session: Session,
    sha256: str,
    referral_id: int,
    role: str,
    name: str | None,
    unit: Unit,
    actor: str,
    now: datetime,
) -> None:
    session.add(
        t.Custody(
            sha256=sha256,
            referral_id=referral_id,
            role=role,
            original_name=name,
            source=unit.source,
            received_at=now,
            actor=actor,
        )
    )


def _parse_time(value: str | None) -> datetime | None:
    """Sortable UTC time; the verbatim string (with its offset) is kept beside it."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
