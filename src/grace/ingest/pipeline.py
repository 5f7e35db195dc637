"""``grace ingest``: read inputs, store good referrals, quarantine the rest, never stop early.

Referrals commit in batches, and a failed batch is retried one referral at a time, so one
bad document can cost only itself. Several ingests may run at once (overlapping inputs
included): each batch decides "new or already present" under the workspace write lock, and
a conflict with another writer is retried, never mistaken for bad input (docs/ingest.md).
Every outcome (ingested, already present, quarantined) is returned for the caller to
print; every stored referral and every quarantine record is in the audit trail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from grace.ingest import persist
from grace.ingest.assemble import Unit, assemble
from grace.ingest.inputs import Bundle, InputProblem, Limits, open_inputs
from grace.ingest.xsd import find_xsd
from grace.metrics import count_ingest
from grace.store import tables as t
from grace.store.locks import hold_write_lock
from grace.store.retry import is_contention, retry_on_contention
from grace.vault import flush_to_disk
from grace.vault.records import store_blob
from grace.workspace import Workspace

log = logging.getLogger(__name__)
QUARANTINE_KEEP_BYTES = 1 << 20
BATCH_SIZE = 64

Status = Literal["ingested", "already_present", "quarantined"]


@dataclass
class Outcome:
    """What happened to one input: a referral stored, skipped as known, or quarantined."""

    source: str
    status: Status
    referral_id: int | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    files: int = 0

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, [])}


@dataclass
class IngestReport:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        return self.count("quarantined") == 0


class IngestPipeline:
    """Runs ingest against one workspace on behalf of one actor."""

    def __init__(self, workspace: Workspace, actor: str = "cli", limits: Limits | None = None):
        self.workspace = workspace
        self.actor = actor
        self.limits = limits or Limits()
        if find_xsd() is None:
            log.info("NCMEC XSD not configured (GRACE_NCMEC_XSD): ESP XML is not schema-checked")

    def run(
        self, paths: Iterable[Path], on_outcome: Callable[[Outcome], None] | None = None
    ) -> IngestReport:
        report = IngestReport()

        def emit(outcomes: Iterable[Outcome]) -> None:
            for outcome in outcomes:
                report.outcomes.append(outcome)
                count_ingest(outcome.status)  # Prometheus: grace_ingest_outcomes_total
                if on_outcome:
                    on_outcome(outcome)

        accepted: list[Path] = []
        for path in paths:
            problem = self._overlaps_workspace(path)
            if problem is None:
                accepted.append(path)
            else:
                emit([self.quarantine(problem)])
        pending: list[Unit] = []
        for item in open_inputs(accepted, self.limits):
            units, problems = self._read(item)
            emit(self.quarantine(problem) for problem in problems)
            pending.extend(units)
            if len(pending) >= BATCH_SIZE:
                emit(self._store_batch(pending))
                pending = []
        emit(self._store_batch(pending))
        self.workspace.audit.save_anchor()
        return report

    def _overlaps_workspace(self, path: Path) -> InputProblem | None:
        """Refuse to ingest the workspace's own vault and database as if they were evidence."""
        resolved, home = path.resolve(), self.workspace.home.resolve()
        vault = home / "vault"
        if resolved in (home, vault) or vault in resolved.parents:
            return InputProblem(str(path), "is the grace workspace's own vault")
        if resolved in home.parents:
            return InputProblem(
                str(path), "contains the grace workspace; ingest a folder that does not"
            )
        return None

    @staticmethod
    def _read(item: Bundle | InputProblem) -> tuple[list[Unit], list[InputProblem]]:
        if isinstance(item, InputProblem):
            return [], [item]
        try:
            return assemble(item)
        finally:
            item.close()

    def store(self, units: list[Unit]) -> list[Outcome]:
        """Store units assembled elsewhere (``grace receive``) exactly as ingest does."""
        return self._store_batch(units)

    def _store_batch(self, units: list[Unit]) -> list[Outcome]:
        """Store referrals with one disk flush and one transaction for the whole batch.

        If the batch fails, each referral is retried alone, so one bad referral costs only
        itself (it is quarantined with the reason) and never its neighbours. A failure
        caused by another writer (a lock, a deadlock, a key committed first) says nothing
        about the input: the whole transaction is repeated instead, and if it still fails
        the error propagates. Valid input is never quarantined because of a race.
        """
        if not units:
            return []
        batch = [persist.prepare(unit, self.actor) for unit in units]
        try:
            return retry_on_contention(lambda: self._commit(batch), what="ingest batch")
        except (SQLAlchemyError, OSError, ValueError) as exc:
            if is_contention(exc):
                raise
            if len(batch) <= 1:
                return [self._failed(p.unit, exc) for p in batch]
            return [o for p in batch for o in self._store_batch([p.unit])]

    def _commit(self, batch: list[persist.Prepared]) -> list[Outcome]:
        """One transaction: decide new or already present under the write lock, record."""
        with self.workspace.sessions() as session:  # a cheap first look, outside the lock
            seen = persist.existing_keys(session, [p.key for p in batch])
        unseen: dict[str, persist.Prepared] = {}
        for prepared in batch:  # the first of several with one key is the one stored
            if prepared.key not in seen:
                unseen.setdefault(prepared.key, prepared)
        candidates = list(unseen.values())
        if persist.write_blobs(self.workspace.vault, candidates):
            flush_to_disk()  # the database never names bytes that are not durably stored
        with self.workspace.sessions.begin() as session:
            # Taken before any write: another ingest may have stored some of these since the
            # first look, and only a look under the lock is final.
            hold_write_lock(session)
            known = persist.existing_keys(session, [p.key for p in candidates]) | seen
            fresh = [p for p in candidates if p.key not in known]
            persist.record(session, fresh)
            for prepared in fresh:
                self._audit_ingest(session, prepared)
        ids = known | {p.key: p.id for p in fresh if p.id is not None}
        first = {id(p) for p in fresh}
        return [
            Outcome(
                p.unit.source,
                "ingested" if id(p) in first else "already_present",
                ids[p.key],
                warnings=p.warnings if id(p) in first else [],
                files=len(p.unit.referral.files),
            )
            for p in batch
        ]

    def _audit_ingest(self, session: Session, prepared: persist.Prepared) -> None:
        referral = prepared.referral
        self.workspace.audit.append(
            session,
            actor=self.actor,
            action="ingest",
            object_type="referral",
            object_id=str(prepared.id),
            details={
                "source": prepared.unit.source,
                "document_sha256": referral["document_sha256"],
                "files": referral["file_count"],
            },
        )

    def _failed(self, unit: Unit, exc: BaseException) -> Outcome:
        reason = f"could not store: {' '.join(str(exc).split())[:300]}"
        return self.quarantine(InputProblem(unit.source, reason, unit.document))

    def quarantine(self, problem: InputProblem) -> Outcome:
        """Keep a record (and the bytes, when small) of input that could not be ingested."""
        retry_on_contention(lambda: self._record_quarantine(problem), what="quarantine")
        return Outcome(problem.source, "quarantined", reason=problem.reason)

    def _record_quarantine(self, problem: InputProblem) -> None:
        with self.workspace.sessions.begin() as session:
            hold_write_lock(session)
            sha256 = None
            if problem.data is not None and len(problem.data) <= QUARANTINE_KEEP_BYTES:
                sha256 = store_blob(session, self.workspace.vault, problem.data).sha256
            row = t.Quarantine(
                at=datetime.now(UTC), source=problem.source, reason=problem.reason, sha256=sha256
            )
            session.add(row)
            session.flush()
            self.workspace.audit.append(
                session,
                actor=self.actor,
                action="quarantine",
                object_type="input",
                object_id=str(row.id),
                details={"source": problem.source, "reason": problem.reason},
            )
