"""Votes, dispute holds, reviews and guard settings of bank entries (see ``holds``).

A vote is kept per bank, entry and voting node (``exchange_bank_votes``): at a publisher
the voters are its subscribers; at a subscriber (``<bank>@<publisher>``) the only voter it
knows is itself. Either way the same rule holds the entry: disputes from distinct nodes,
cast since the entry's last review, reaching the bank's threshold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from grace.banks.holds import ACTIVE, Guard, active_holds, entry_summary, last_review, place_hold
from grace.media.status import refresh_statuses
from grace.store.exchange_tables import ExchangeBankVote
from grace.store.locks import hold_write_lock
from grace.store.media_tables import BankEntry, BankEntryHold, HashBank, MediaMatch
from grace.workspace import Workspace

KINDS = ("sha256", "md5", "sha1", "pdq")


class ReviewError(ValueError):
    """One line: what is wrong with the entry, vote or review asked for."""


def resolve_entry(session: Session, entry: str, bank: str | None = None) -> BankEntry:
    """An entry by its id (as ``grace match`` shows it) or by ``kind:hex`` (and bank)."""
    if entry.isdigit():
        row = session.get(BankEntry, int(entry))
        if row is None:
            raise ReviewError(f"no bank entry {entry}")
        return row
    kind, _, value = entry.partition(":")
    if kind not in KINDS or not value:
        raise ReviewError("name the entry by id or as kind:hex (sha256:..., md5:..., pdq:...)")
    query = select(BankEntry).where(getattr(BankEntry, kind) == value.lower())
    if bank:
        query = query.join(HashBank, HashBank.id == BankEntry.bank_id).where(HashBank.name == bank)
    rows = list(session.scalars(query.limit(2)))
    if not rows:
        raise ReviewError(f"no entry {entry}" + (f" in bank {bank}" if bank else ""))
    if len(rows) > 1:
        raise ReviewError(f"{entry} is in more than one bank: name it with --bank")
    return rows[0]


def entry_key_of(entry: BankEntry) -> str:
    for kind in KINDS:
        value = getattr(entry, kind)
        if value:
            return f"{kind}:{value}"
    raise ReviewError(f"entry {entry.id} has no hash")


def keep_vote(
    session: Session, bank: str, key: str, voter: str, vote: str, reason: str | None
) -> None:
    """One vote per bank, entry and voter: a later vote replaces an earlier one."""
    row = session.scalar(
        select(ExchangeBankVote).where(
            ExchangeBankVote.bank == bank,
            ExchangeBankVote.entry_key == key[:100],
            ExchangeBankVote.voter == voter,
        )
    )
    if row is None:
        row = ExchangeBankVote(bank=bank, entry_key=key[:100], voter=voter)
        session.add(row)
    row.vote, row.reason, row.at = vote, reason, datetime.now(UTC)


def check_disputes(session: Session, bank: str, keys: list[str]) -> list[BankEntryHold]:
    """Hold each named entry of ``bank`` disputed past its threshold; returns new holds."""
    row = session.scalar(select(HashBank).where(HashBank.name == bank))
    if row is None:
        return []
    guard, placed = Guard.of(row), []
    session.flush()
    for key in dict.fromkeys(keys):
        kind, _, value = key.partition(":")
        if kind not in KINDS:
            continue
        entries = session.scalars(
            select(BankEntry).where(BankEntry.bank_id == row.id, getattr(BankEntry, kind) == value)
        ).all()
        for entry in entries:
            if entry.id in active_holds(session, [entry.id]):
                continue
            since = last_review(session, entry.id)
            votes = select(ExchangeBankVote.voter).where(
                ExchangeBankVote.bank == bank,
                ExchangeBankVote.entry_key == key,
                ExchangeBankVote.vote == "dispute",
            )
            if since is not None:
                votes = votes.where(ExchangeBankVote.at > since)
            voters = sorted(set(session.scalars(votes)))
            if len(voters) >= guard.dispute_threshold:
                detail = (
                    f"disputed by {len(voters)} node(s) ({', '.join(voters)[:200]}), threshold "
                    f"{guard.dispute_threshold}; held until reviewed "
                    f"(grace hashset review {entry.id} --reinstate|--remove)"
                )
                placed.append(place_hold(session, entry.id, "disputed", detail))
    return placed


def review(
    workspace: Workspace, entry: str, action: str, note: str | None, actor: str
) -> dict[str, Any]:
    """Reinstate (its held matches alert again) or remove (held for good); audited."""
    if action not in ("reinstate", "remove"):
        raise ReviewError("a review either reinstates or removes the entry")
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row = resolve_entry(session, entry)
        hold = session.scalar(
            select(BankEntryHold).where(
                BankEntryHold.bank_entry_id == row.id, BankEntryHold.status.in_(ACTIVE)
            )
        )
        if hold is None:
            raise ReviewError(f"entry {row.id} is not held")
        hold.status = "reinstated" if action == "reinstate" else "removed"
        hold.reviewed_by, hold.reviewed_at = actor, datetime.now(UTC)
        hold.review_note = note
        released: list[int] = []
        if action == "reinstate":
            bank = session.get(HashBank, row.bank_id)
            released = list(
                session.scalars(select(MediaMatch.media_id).where(MediaMatch.hold_id == hold.id))
            )
            session.execute(
                update(MediaMatch)
                .where(MediaMatch.hold_id == hold.id)
                .values(hold_id=None, suppressed=bank is not None and bank.kind == "suppression")
            )
            refresh_statuses(session, released)
        summary = entry_summary(session, hold)
        workspace.audit.append(
            session,
            actor=actor,
            action=f"bank_entry.{action}",
            object_type="bank_entry",
            object_id=str(row.id),
            details={
                "hold_id": hold.id,
                "reason": hold.reason,
                "note": note,
                "released": len(released),
            },
        )
    workspace.audit.save_anchor()
    return summary | {"released_items": len(released)}


def set_guard(
    workspace: Workspace, bank: str, changes: dict[str, int | None], actor: str
) -> dict[str, int]:
    """Change a bank's dispute threshold and flood limits (audited); returns them all."""
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row = session.scalar(select(HashBank).where(HashBank.name == bank))
        if row is None:
            raise ReviewError(f"no bank named {bank}")
        given = {k: v for k, v in changes.items() if v is not None}
        if any(v < 1 for v in given.values()):
            raise ReviewError("a threshold, limit or window is at least 1")
        if given:
            row.data = {**(row.data or {}), **given}
            workspace.audit.append(
                session,
                actor=actor,
                action="bank.guard",
                object_type="bank",
                object_id=bank,
                details=given,
            )
        result = Guard.of(row).as_dict()
    workspace.audit.save_anchor()
    return result


def list_holds(session: Session, every: bool = False) -> list[dict[str, Any]]:
    query = select(BankEntryHold).order_by(BankEntryHold.id)
    if not every:
        query = query.where(BankEntryHold.status == "held")
    return [entry_summary(session, hold) for hold in session.scalars(query)]
