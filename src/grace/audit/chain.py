"""A tamper-evident audit log kept in the ordinary database.

Each event's hash is an HMAC over its fields and the previous event's hash, so editing,
deleting or reordering rows breaks the chain. The HMAC key is derived from the vault key,
which does not live in the database: someone with only database access cannot forge a
consistent chain. The sequence number is the primary key, so two writers racing for the
same position fail loudly instead of forking the chain. A small anchor file in the
workspace remembers the newest event written, so deleting the tail is caught too; it may
lag the database after a crash but never runs ahead of it, so it raises no false alarms.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.tables import AuditEvent

GENESIS = "0" * 64
_HEAD = "grace.audit.head"


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
        self._anchor_file = anchor_file
        self._last_written: tuple[int, str] | None = None

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
        """Add the next event in the same transaction as the action it records."""
        seq, prev = self._head(session)
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
        session.info[_HEAD] = (seq, event.hash)
        self._last_written = (seq, event.hash)
        return event

    @staticmethod
    def _head(session: Session) -> tuple[int, str]:
        """Next position and previous hash; cached per transaction (its session is discarded
        on rollback, so a cached head never outlives the events it describes)."""
        cached = session.info.get(_HEAD)
        if cached is not None:
            return int(cached[0]) + 1, str(cached[1])
        last = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        return (last[0] + 1, last[1]) if last else (1, GENESIS)

    def save_anchor(self) -> None:
        """Record the newest committed event; call after the transaction commits."""
        if self._anchor_file is None or self._last_written is None:
            return
        seq, digest = self._last_written
        current = self._read_anchor()
        if current and current[0] >= seq:
            return
        tmp = self._anchor_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seq": seq, "hash": digest}), encoding="utf-8")
        tmp.replace(self._anchor_file)

    def verify(self, session: Session) -> AuditReport:
        """Walk the chain and report every break; no problems means the trail is intact."""
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
        problems.extend(self._check_anchor(seen))
        return AuditReport(len(seen), problems)

    def _check_anchor(self, seen: dict[int, str]) -> list[str]:
        anchor = self._read_anchor()
        if anchor is None:
            return []
        seq, digest = anchor
        if seq not in seen:
            return [f"event {seq}: recorded in the anchor but missing (tail deleted?)"]
        if seen[seq] != digest:
            return [f"event {seq}: differs from the anchor (rewritten?)"]
        return []

    def _read_anchor(self) -> tuple[int, str] | None:
        if self._anchor_file is None or not self._anchor_file.exists():
            return None
        data = json.loads(self._anchor_file.read_text(encoding="utf-8"))
        return int(data["seq"]), str(data["hash"])

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
