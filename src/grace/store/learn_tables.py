"""Model registry of the learning layer: versions, metrics, origin, activation (issue 6).

Shares ``Base.metadata`` with the other table modules; its migration is 0007.

A version's parameters are NOT in the database: they are a ``.npz`` file of plain arrays
under the workspace's ``models/`` folder (no pickle), named here with its SHA-256 so that a
file changed on disk is refused when loaded. The database keeps what an analyst or an
auditor asks about a model: where it came from, what it was trained on, how well it did,
which thresholds each agency uses, and whether it is in use.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, JsonDict

__all__ = ["Base", "LearnedModel"]


class LearnedModel(Base):
    """One registered version of a named model (e.g. ``media_category`` v3).

    ``status``: ``candidate`` (registered, not in use), ``active`` (at most one per name),
    ``retired`` (was replaced) or ``declined`` (the agency refused it, e.g. a federated
    model it does not accept). ``rolled_back_at`` marks a version taken out of use by a
    rollback, so that repeated rollbacks walk further back instead of flip-flopping.
    """

    __tablename__ = "learned_models"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_learned_models_name_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(String(100))  # local | federated:run-<id>
    status: Mapped[str] = mapped_column(String(20), index=True)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rolled_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    training: Mapped[JsonDict] = mapped_column()  # counts per label, date range, agency
    metrics: Mapped[JsonDict] = mapped_column()
    thresholds: Mapped[JsonDict] = mapped_column()  # agency -> threshold(s)
    meta: Mapped[JsonDict] = mapped_column()  # task, classes, features, calibration...
    params_path: Mapped[str] = mapped_column(Text)  # relative to the workspace home
    params_sha256: Mapped[str] = mapped_column(String(64))
