"""Tables of intelligence and triage: identifiers, links, subject judgements, scores, decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, JsonDict


class IdentifierRow(Base):
    """One normalised identifier found in a referral, and where."""

    __tablename__ = "identifiers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(500))
    raw: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(20))
    attributes: Mapped[JsonDict] = mapped_column()


Index("ix_identifiers_kind_value", IdentifierRow.kind, IdentifierRow.value)


class ReferralLink(Base):
    """Two referrals share something: which identifier or media, and how much that means."""

    __tablename__ = "referral_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_a: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    referral_b: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # esp_user_id, email, ..., media
    value: Mapped[str] = mapped_column(String(500))
    strength: Mapped[str] = mapped_column(String(10))  # strong | medium | weak
    weight: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)


class SubjectJudgement(Base):
    """A recorded decision that two referrals are (or are not) the same subject.

    The linker records ``merge`` judgements for strong and medium links; an analyst can add
    ``separate`` to undo one. Subjects are the connected components of active merges that no
    ``separate`` judgement cuts, so every cluster can be explained and reversed.
    """

    __tablename__ = "subject_judgements"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_a: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    referral_b: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    verdict: Mapped[str] = mapped_column(String(10))  # merge | separate
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class TriageRun(Base):
    """One scoring of the queue: scorer, version, config digest and the reference time."""

    __tablename__ = "triage_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scorer: Mapped[str] = mapped_column(String(50))
    version: Mapped[str] = mapped_column(String(50))
    reference_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    referrals: Mapped[int] = mapped_column(Integer, default=0)
    config: Mapped[JsonDict] = mapped_column()


class ScoreRow(Base):
    """A referral's score in one run, with every factor's contribution."""

    __tablename__ = "scores"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("triage_runs.id"), index=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    score: Mapped[float] = mapped_column(Float)
    factors: Mapped[list[Any]] = mapped_column()


class Decision(Base):
    """An analyst's decision on a referral (labels for learned_v1)."""

    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    label: Mapped[str] = mapped_column(String(30))  # urgent | actionable | not_actionable | ...
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
    data: Mapped[JsonDict] = mapped_column()


class ModelVersion(Base):
    """A trained model (no pickle: parameters as JSON), for reproducible scoring."""

    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decisions: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[JsonDict] = mapped_column()
    metrics: Mapped[JsonDict] = mapped_column()
