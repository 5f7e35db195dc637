"""A tamper-evident audit log kept in the ordinary database.

Each event's hash is an HMAC over its fields and the previous event's hash, so editing,
deleting or reordering rows breaks the chain. The HMAC key is derived from the vault key,
which does not live in the database: someone with only database access cannot forge a
consistent chain. The sequence number is the primary key, so two writers racing for the
same position could only fail, never fork the chain; to keep them from racing at all, the
first append of a transaction takes the workspace write lock (``grace.store.locks``)
before it reads the chain head, and holds it until the transaction ends. Writers in other
threads and processes queue for the lock and then read the head the last one committed,
so the sequence stays gap-free and no audited action fails for contention. A small anchor
file in the workspace remembers the newest event committed (advanced right after each
commit), so deleting the tail is caught too; it may lag the database after a crash but
never runs ahead of it, so it raises no false alarms.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.audit.anchor import AnchorFile
from grace.store.locks import hold_write_lock
from grace.store.tables import AuditEvent

GENESIS = "0" * 64
_HEAD = "grace.audit.head"  # (transaction, seq, hash): the head as this transaction leaves it
_WATCHED = "grace.audit.watched"


@dataclass
class AuditReport:
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_key(vault_key: bytes) -> bytes:
    """Derive the audit HMAC key so one secret protects both, yet neither reveals the other."""
    return HKDF(hashes.SHA256(), 32, salt=None, info=b"grace audit chain v1").derive(vault_key)


class AuditTrail:
    """Appends and verifies events; callers own the transaction the event belongs to."""

    def __init__(self, key: bytes, anchor_file: Path | None = None) -> None:
        self._key = key
        self._anchor = AnchorFile(anchor_file) if anchor_file is not None else None
        self._committed: tuple[int, str] | None = None  # newest event this process committed
        self._lock = threading.Lock()

    def append(
        self,
        session: Session,
        *,
        actor: str,
        action: str,
        object_type: str,
        object_id: str,
        details: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Add the next event in the same transaction as the action it records.

        The first append of a transaction waits for the workspace write lock (held until
        the transaction ends); callers that write other rows first should take the lock
        themselves at the start of the transaction (``hold_write_lock``), so that no
        transaction ever holds row locks while it waits for this one.
        """
        seq, prev = self._next(session)
        event = AuditEvent(
            seq=seq,
            at=datetime.now(UTC).isoformat(timespec="microseconds"),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=details or {},
            prev_hash=prev,
        )
        event.hash = self._digest(event)
        session.add(event)  # the sequence number is explicit: no flush needed until commit
        session.info[_HEAD] = (session.get_transaction(), seq, event.hash)
        return event

    def _next(self, session: Session) -> tuple[int, str]:
        """Next position and previous hash. Read once per transaction, under the write
        lock (so no other writer can take the same position before this one commits),
        then carried forward in the session for the transaction's further events."""
        self._watch(session)
        cached = session.info.get(_HEAD)
        if cached is not None and cached[0] is session.get_transaction():
            return int(cached[1]) + 1, str(cached[2])
        hold_write_lock(session)
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        return (last[0] + 1, last[1]) if last else (1, GENESIS)

    def _watch(self, session: Session) -> None:
        """Anchor this session's events as soon as their transaction commits."""
        if session.info.get(_WATCHED) is not self:
            session.info[_WATCHED] = self
            sa_event.listen(session, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        head = session.info.get(_HEAD)
        if head is None or head[0] is not session.get_transaction():
            return  # no events in this transaction (a rolled-back one's head is stale)
        with self._lock:
            if self._committed is None or self._committed[0] < head[1]:
                self._committed = (int(head[1]), str(head[2]))
        self.save_anchor()

    def save_anchor(self) -> None:
        """Anchor the newest event this process committed (done after every commit already;
        calling it again is harmless). Never moves the anchor backwards."""
        with self._lock:
            committed = self._committed
        if self._anchor is not None and committed is not None:
            self._anchor.advance(*committed)

    def verify(self, session: Session) -> AuditReport:
        """Walk the chain and report every break; no problems means the trail is intact.

        The anchor is read first: events committed while the walk runs may move it past
        what the walk sees, but never the other way round.
        """
        try:
            anchor = self._anchor.read() if self._anchor is not None else None
        except (OSError, ValueError, KeyError) as exc:
            return AuditReport(0, [f"audit anchor unreadable: {exc}"])
        problems: list[str] = []
        expected_seq, prev = 1, GENESIS
        seen: dict[int, str] = {}
        for event in _ordered(session):
            if event.seq != expected_seq:
                problems.append(f"event {event.seq}: expected event {expected_seq} (deleted?)")
            if event.prev_hash != prev:
                problems.append(f"event {event.seq}: link to previous event broken")
            if not hmac.compare_digest(event.hash, self._digest(event)):
                problems.append(f"event {event.seq}: content does not match its hash (edited)")
            seen[event.seq] = event.hash
            expected_seq, prev = event.seq + 1, event.hash
        problems.extend(self._check_anchor(anchor, seen))
        return AuditReport(len(seen), problems)

    @staticmethod
    def _check_anchor(anchor: tuple[int, str] | None, seen: dict[int, str]) -> list[str]:
        if anchor is None:
            return []
        seq, digest = anchor
        if seq not in seen:
            return [f"event {seq}: recorded in the anchor but missing (tail deleted?)"]
        if seen[seq] != digest:
            return [f"event {seq}: differs from the anchor (rewritten?)"]
        return []

    def _digest(self, event: AuditEvent) -> str:
        fields = [
            event.seq,
            event.at,
            event.actor,
            event.action,
            event.object_type,
            event.object_id,
            event.details,
            event.prev_hash,
        ]
        body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hmac.new(self._key, body.encode(), hashlib.sha256).hexdigest()


def _ordered(session: Session) -> Iterator[AuditEvent]:
    yield from session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=1000)
    )
