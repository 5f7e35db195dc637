"""Holds: bank entries that stop alerting until a person reviews them.

Two things put an entry on hold (issue 12; HMA roadmap issue #1873 asks for the second):

- **Disputes.** Nodes confirm or dispute entries of a shared bank (``grace hashset
  vote``). Once disputes from distinct nodes reach the bank's ``dispute_threshold``
  (default 3), the entry is held. Votes cast before the entry's last review do not count
  again: a reviewer who reinstated it has answered them.
- **Floods.** An entry that matches more than ``flood_limit`` items (default 1,000) in
  ``flood_window_hours`` (default 24) is almost certainly a mistake (a logo, a blank frame):
  the match that passes the limit, and every later one, is held, and one notice says so.

A held entry's matches are still stored (they are evidence history) with ``hold_id`` set
and ``suppressed`` true: they give no file status (known, viral) and feed no export or
model. ``grace hashset review ENTRY --reinstate`` releases them; ``--remove`` keeps the
entry held for good (and the next ``share publish`` withdraws it from subscribers).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.store.media_tables import BankEntry, BankEntryHold, HashBank, Media, MediaMatch

DISPUTE_THRESHOLD = 3
FLOOD_LIMIT = 1000
FLOOD_WINDOW_HOURS = 24
ACTIVE = ("held", "removed")  # a removed entry never alerts again


@dataclass(frozen=True)
class Guard:
    """A bank's settings (kept in ``hash_banks.data``; ``grace hashset guard``)."""

    dispute_threshold: int = DISPUTE_THRESHOLD
    flood_limit: int = FLOOD_LIMIT
    flood_window_hours: int = FLOOD_WINDOW_HOURS

    @classmethod
    def of(cls, bank: HashBank) -> Guard:
        data = bank.data or {}
        return cls(
            int(data.get("dispute_threshold", DISPUTE_THRESHOLD)),
            int(data.get("flood_limit", FLOOD_LIMIT)),
            int(data.get("flood_window_hours", FLOOD_WINDOW_HOURS)),
        )

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def active_holds(session: Session, entry_ids: Iterable[int]) -> dict[int, BankEntryHold]:
    """The hold in force on each of these entries (held or removed), if any."""
    ids = list(set(entry_ids))
    if not ids:
        return {}
    rows = session.scalars(
        select(BankEntryHold).where(
            BankEntryHold.bank_entry_id.in_(ids), BankEntryHold.status.in_(ACTIVE)
        )
    )
    return {row.bank_entry_id: row for row in rows}


def place_hold(session: Session, entry_id: int, reason: str, detail: str) -> BankEntryHold:
    """Hold an entry (the caller audits and commits); an entry already held keeps its hold."""
    current = active_holds(session, [entry_id]).get(entry_id)
    if current is not None:
        return current
    hold = BankEntryHold(
        bank_entry_id=entry_id,
        reason=reason,
        detail=detail[:500],
        status="held",
        held_at=datetime.now(UTC),
    )
    session.add(hold)
    session.flush()
    return hold


def last_review(session: Session, entry_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(BankEntryHold.reviewed_at)).where(BankEntryHold.bank_entry_id == entry_id)
    )


def recent_matches(session: Session, entry_id: int, since: datetime) -> int:
    """Items matched to the entry since ``since`` (committed rows only)."""
    with session.no_autoflush:
        return int(
            session.scalar(
                select(func.count(func.distinct(MediaMatch.media_id)))
                .join(Media, Media.id == MediaMatch.media_id)
                .where(MediaMatch.bank_entry_id == entry_id, Media.matched_at >= since)
            )
            or 0
        )


class FloodGuard:
    """Decides, match by match within one matching run, whether a bank hit may alert."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now = datetime.now(UTC)
        self.counts: dict[int, int] = {}
        self.guards: dict[int, Guard] = {}
        self.notices: list[str] = []
        self.placed: list[BankEntryHold] = []

    def hold_for(self, entry_id: int, bank: str) -> BankEntryHold | None:
        """The hold this match is kept under, or None when it may alert."""
        current = active_holds(self.session, [entry_id]).get(entry_id)
        if current is not None:
            return current
        entry = self.session.get(BankEntry, entry_id)
        if entry is None:
            return None
        if entry.bank_id not in self.guards:
            row = self.session.get(HashBank, entry.bank_id)
            self.guards[entry.bank_id] = Guard.of(row) if row is not None else Guard()
        guard = self.guards[entry.bank_id]
        if entry_id not in self.counts:
            since = self.now - timedelta(hours=guard.flood_window_hours)
            reviewed = last_review(self.session, entry_id)
            if reviewed is not None and reviewed.tzinfo is None:
                reviewed = reviewed.replace(tzinfo=UTC)
            self.counts[entry_id] = recent_matches(
                self.session, entry_id, max(since, reviewed or since)
            )
        self.counts[entry_id] += 1
        if self.counts[entry_id] <= guard.flood_limit:
            return None
        detail = (
            f"flood: entry {entry_id} of bank {bank} matched more than {guard.flood_limit} "
            f"items in {guard.flood_window_hours} h; further alerts held for review "
            f"(grace hashset review {entry_id} --reinstate|--remove)"
        )
        hold = place_hold(self.session, entry_id, "flood", detail)
        self.placed.append(hold)
        self.notices.append(detail)
        return hold


def entry_summary(session: Session, hold: BankEntryHold) -> dict[str, Any]:
    entry = session.get(BankEntry, hold.bank_entry_id)
    bank = session.get(HashBank, entry.bank_id) if entry is not None else None
    held = session.scalar(select(func.count()).where(MediaMatch.hold_id == hold.id))
    return {
        "hold_id": hold.id,
        "entry_id": hold.bank_entry_id,
        "bank": bank.name if bank is not None else None,
        "reason": hold.reason,
        "detail": hold.detail,
        "status": hold.status,
        "held_at": hold.held_at.isoformat(),
        "held_matches": int(held or 0),
        "reviewed_by": hold.reviewed_by,
        "reviewed_at": hold.reviewed_at.isoformat() if hold.reviewed_at else None,
        "review_note": hold.review_note,
    }
