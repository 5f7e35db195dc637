"""Per-media and per-referral model signals: scores, faces, ages, embeddings (issue 6).

Shares ``Base.metadata`` with the other table modules; its migration is 0006.

Embeddings are stored as raw little-endian float32 bytes (``embedding``) with their
dimension beside them, not as JSON lists: a 1024-d image vector is 4 KiB of bytes against
~20 KiB of JSON text, it round-trips exactly, and ``numpy.frombuffer`` turns a column of
them into the (n, d) matrix the learning code trains on without parsing text. The bytes
are identical on SQLite (BLOB) and PostgreSQL (bytea).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, JsonDict

__all__ = ["Base", "MediaSignal", "ReferralTextSignal"]


class MediaSignal(Base):
    """What the shipped models saw in one media item (an image, or a video's key frames).

    Factors for triage, never verdicts: a score, face boxes with an age estimate and its
    uncertainty each, and an embedding for learned heads. ``models`` names every model
    and version that produced the row, so rows from an older model can be found and redone.
    """

    __tablename__ = "media_signals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("vault_objects.sha256"), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # image | video
    models: Mapped[JsonDict] = mapped_column()  # {model name: version}
    nsfw_score: Mapped[float | None] = mapped_column(Float, index=True)
    face_count: Mapped[int | None] = mapped_column(Integer)
    faces: Mapped[list[Any]] = mapped_column(default=list)  # [{box, age, age_sd, ...}]
    youngest_age: Mapped[float | None] = mapped_column(Float, index=True)
    youngest_age_sd: Mapped[float | None] = mapped_column(Float)
    frames: Mapped[int | None] = mapped_column(Integer)  # video key frames analysed
    embedding_model: Mapped[str | None] = mapped_column(String(60))
    embedding_dim: Mapped[int | None] = mapped_column(Integer)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32, little-endian
    error: Mapped[str | None] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReferralTextSignal(Base):
    """The language and a sentence embedding of a referral's free text (chat, notes, bios)."""

    __tablename__ = "referral_text_signals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), unique=True)
    language: Mapped[str | None] = mapped_column(String(16), index=True)
    language_score: Mapped[float | None] = mapped_column(Float)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    models: Mapped[JsonDict] = mapped_column()  # {model name: version}
    embedding_model: Mapped[str | None] = mapped_column(String(60))
    embedding_dim: Mapped[int | None] = mapped_column(Integer)
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32, little-endian
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
