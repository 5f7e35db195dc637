"""Exposure: how many items each analyst revealed today, counted from the audit trail.

The audit trail already records every reveal (action ``reveal``, with the revealer's agency
in ``details``), so counting from it needs no second table that could disagree with it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.store.tables import AuditEvent

REVEAL = "reveal"


def start_of_day(now: datetime | None = None) -> str:
    """Midnight UTC today, in the audit trail's ISO form (events compare as strings)."""
    now = now or datetime.now(UTC)
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.isoformat(timespec="microseconds")


def revealed_today(session: Session, actor: str, now: datetime | None = None) -> int:
    """Items this actor revealed since midnight UTC."""
    found = session.scalar(
        select(func.count()).where(
            AuditEvent.action == REVEAL,
            AuditEvent.actor == actor,
            AuditEvent.at >= start_of_day(now),
        )
    )
    return int(found or 0)


def team_exposure(
    session: Session, agency: str | None, now: datetime | None = None
) -> dict[str, int]:
    """Reveals today per actor, for one agency (``None``: every agency), most exposed first."""
    rows = session.execute(
        select(AuditEvent.actor, AuditEvent.details).where(
            AuditEvent.action == REVEAL, AuditEvent.at >= start_of_day(now)
        )
    ).all()
    counts: Counter[str] = Counter(
        actor
        for actor, details in rows
        if agency is None or (details or {}).get("agency") == agency
    )
    return dict(counts.most_common())
