"""The database schema. One module, because Alembic compares against one metadata.

Types are chosen so that the same code runs on SQLite and PostgreSQL: JSON columns for
what varies by format, ISO strings where the sender's UTC offset must be kept verbatim,
integer surrogate keys so that every object has an id usable in URLs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDict = dict[str, Any]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        JsonDict: JSON,
        list[str]: JSON,
        list[Any]: JSON,
    }


class VaultObject(Base):
    """One stored blob, by content. Stored once however many referrals carry it."""

    __tablename__ = "vault_objects"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    md5: Mapped[str] = mapped_column(String(32), index=True)
    sha1: Mapped[str] = mapped_column(String(40), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str | None] = mapped_column(String(100))
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Custody(Base):
    """A receipt: these bytes arrived under this name, from this source, for this referral."""

    __tablename__ = "custody"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("vault_objects.sha256"), index=True)
    referral_id: Mapped[int | None] = mapped_column(ForeignKey("referrals.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # document | media | quarantined
    original_name: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))


class Referral(Base):
    """A referral's searchable summary; the full mapped model is kept in ``data``."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(200), unique=True)
    source_format: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    esp_name: Mapped[str | None] = mapped_column(String(200), index=True)
    incident_type: Mapped[str | None] = mapped_column(String(200))
    incident_time: Mapped[str | None] = mapped_column(String(40))
    incident_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    file_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(30), default="new", index=True)
    agency: Mapped[str | None] = mapped_column(String(100), index=True)
    country_of_action: Mapped[str | None] = mapped_column(String(8), index=True)
    priority: Mapped[float | None] = mapped_column(index=True)
    media_counts: Mapped[JsonDict | None] = mapped_column()
    routing: Mapped[JsonDict | None] = mapped_column()
    subject_id: Mapped[int | None] = mapped_column(Integer, index=True)
    document_sha256: Mapped[str] = mapped_column(ForeignKey("vault_objects.sha256"))
    source: Mapped[str] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    data: Mapped[JsonDict] = mapped_column()

    parties: Mapped[list[Party]] = relationship(order_by="Party.id")
    files: Mapped[list[ReferralFile]] = relationship(order_by="ReferralFile.id")
    ip_events: Mapped[list[IpEvent]] = relationship()
    custody: Mapped[list[Custody]] = relationship(order_by="Custody.id")


class Party(Base):
    """A person or account named in a referral, with the fields later linking keys on."""

    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    esp_service: Mapped[str | None] = mapped_column(String(200))
    esp_user_id: Mapped[str | None] = mapped_column(String(200), index=True)
    screen_name: Mapped[str | None] = mapped_column(String(200), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    country_code: Mapped[str | None] = mapped_column(String(8))
    data: Mapped[JsonDict] = mapped_column()

    ip_events: Mapped[list[IpEvent]] = relationship()


class IpEvent(Base):
    """An IP address observation, from a party or a file, kept apart for geolocation."""

    __tablename__ = "ip_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    ip: Mapped[str] = mapped_column(String(64), index=True)
    port: Mapped[int | None] = mapped_column(Integer)
    event: Mapped[str | None] = mapped_column(String(50))
    at: Mapped[str | None] = mapped_column(String(40))
    possible_proxy: Mapped[bool | None] = mapped_column(Boolean)


class ReferralFile(Base):
    """A file as the referral describes it, linked to its bytes in the vault when present."""

    __tablename__ = "referral_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("vault_objects.sha256"), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    original_name: Mapped[str | None] = mapped_column(Text)
    viewed_by_esp: Mapped[bool | None] = mapped_column(Boolean)
    industry_classification: Mapped[str | None] = mapped_column(String(10))
    annotations: Mapped[list[str]] = mapped_column(default=list)
    declared_hash_ok: Mapped[bool | None] = mapped_column(Boolean)
    media_status: Mapped[str | None] = mapped_column(String(20), index=True)
    data: Mapped[JsonDict] = mapped_column()


class MediaHash(Base):
    """A hash of a vault object. Many kinds per item (md5...pdq, vpdq), each hasher versioned."""

    __tablename__ = "media_hashes"
    __table_args__ = (UniqueConstraint("sha256", "kind", "variant", name="uq_media_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("vault_objects.sha256"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    variant: Mapped[str] = mapped_column(String(30), default="")
    value: Mapped[str] = mapped_column(Text)
    quality: Mapped[int | None] = mapped_column(Integer)
    hasher_version: Mapped[str] = mapped_column(String(30))


Index("ix_media_hashes_kind_value", MediaHash.kind, MediaHash.value)


class AuditEvent(Base):
    """One link of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50), index=True)
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(200), index=True)
    details: Mapped[JsonDict] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Quarantine(Base):
    """Input that could not be ingested, with why; its bytes are kept in the vault if small."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("vault_objects.sha256"))
