"""Federated-learning records: runs, rounds, participants, resulting versions (issue 6).

Shares ``Base.metadata`` with the other table modules; its migration is 0008.

Both sides of a federation keep their own record of the same run: the coordinator
(``role = "coordinator"``: who took part, the metrics, the model version it produced) and
every agency (``role = "participant"``: that it took part, and per round only the shape and
size of what it sent, never data). Flower's run ids are unsigned 64-bit numbers, wider than
a signed BIGINT, so they are stored as text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, JsonDict

__all__ = ["Base", "FlRound", "FlRun"]


class FlRun(Base):
    """One Flower run as seen by one party of it."""

    __tablename__ = "fl_runs"
    __table_args__ = (UniqueConstraint("flower_run_id", "role", name="uq_fl_runs_flower_run_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flower_run_id: Mapped[str] = mapped_column(String(24), index=True)
    role: Mapped[str] = mapped_column(String(20))  # coordinator | participant
    agency: Mapped[str | None] = mapped_column(String(100))
    strategy: Mapped[str] = mapped_column(String(40))
    secagg: Mapped[bool] = mapped_column(Boolean)
    num_rounds: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # running | finished | failed
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    participants: Mapped[list[Any]] = mapped_column()  # Flower node ids
    metrics: Mapped[JsonDict] = mapped_column()
    config: Mapped[JsonDict] = mapped_column()
    model_name: Mapped[str | None] = mapped_column(String(50))
    model_version: Mapped[int | None] = mapped_column(Integer)
    model_sha256: Mapped[str | None] = mapped_column(String(64))


class FlRound(Base):
    """One round of a run: its participants and metrics (coordinator), or what was sent
    (participant: array shapes and byte count only)."""

    __tablename__ = "fl_rounds"
    __table_args__ = (UniqueConstraint("run_id", "round", "phase", name="uq_fl_rounds_run_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("fl_runs.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    phase: Mapped[str] = mapped_column(String(10))  # fit | evaluate
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    participants: Mapped[list[Any]] = mapped_column()
    metrics: Mapped[JsonDict] = mapped_column()
    sent: Mapped[JsonDict] = mapped_column()
