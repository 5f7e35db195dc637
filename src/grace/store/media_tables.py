"""Tables of the media and matching engine: analysed media, hash banks, matches.

Kept apart from the referral tables so that each module stays small; both share one
``Base.metadata``, which Alembic compares against.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, JsonDict


class Media(Base):
    """The analysis of one vault object: type, size, perceptual hash, metadata, group."""

    __tablename__ = "media"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("vault_objects.sha256"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # image | video | other
    mime: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    pdq: Mapped[str | None] = mapped_column(String(64), index=True)
    pdq_quality: Mapped[int | None] = mapped_column(Integer)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    group_id: Mapped[int | None] = mapped_column(Integer, index=True)
    status: Mapped[str | None] = mapped_column(String(20), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    analysed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set in the same transaction as the item's matches and its files' statuses: NULL means
    # unfinished (a crashed run), so the desk withholds the item and the next run matches it.
    matched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    data: Mapped[JsonDict] = mapped_column()


class HashBank(Base):
    """An imported hash set (Project VIC / CAID VICS, CSV, PDQ list) and how to treat hits."""

    __tablename__ = "hash_banks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # known | viral | suppression
    scheme: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[JsonDict] = mapped_column()


class BankImport(Base):
    """One file imported into a bank: which bytes (kept in the vault), when, how many entries."""

    __tablename__ = "bank_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("hash_banks.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("vault_objects.sha256"))
    source_name: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(30))
    entries: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[list[str]] = mapped_column(default=list)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class BankEntry(Base):
    """One hash-set record; searchable columns plus the full record in ``data``."""

    __tablename__ = "bank_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("hash_banks.id"), index=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("bank_imports.id"))
    category_scheme: Mapped[str | None] = mapped_column(String(50))
    category_code: Mapped[str | None] = mapped_column(String(20))
    md5: Mapped[str | None] = mapped_column(String(32), index=True)
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdq: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    data: Mapped[JsonDict] = mapped_column()


class MediaMatch(Base):
    """A media item matched a bank entry or another media item, by which hash, how closely."""

    __tablename__ = "media_matches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id"), index=True)
    bank_entry_id: Mapped[int | None] = mapped_column(ForeignKey("bank_entries.id"), index=True)
    other_media_id: Mapped[int | None] = mapped_column(ForeignKey("media.id"), index=True)
    method: Mapped[str] = mapped_column(String(20))  # md5 | sha1 | sha256 | pdq | vpdq
    distance: Mapped[int] = mapped_column(Integer, default=0)
    share: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)
    # set when the entry was held (disputed, flooding): kept as evidence, never an alert
    hold_id: Mapped[int | None] = mapped_column(Integer, index=True)


class BankEntryHold(Base):
    """An entry that must not alert until reviewed: disputed past its bank's threshold, or
    matching more new items in a window than its bank allows (a flood: a logo, a mistake).
    ``status`` is held until a review reinstates it (alerts again) or removes it (never)."""

    __tablename__ = "bank_entry_holds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_entry_id: Mapped[int] = mapped_column(ForeignKey("bank_entries.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))  # disputed | flood
    detail: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)  # held | reinstated | removed
    held_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)


Index("ix_bank_entries_pdq", BankEntry.pdq)
