"""``grace ingest``: read inputs, store good referrals, quarantine the rest, never stop early.

Each referral commits in its own transaction, so one bad document can cost only itself.
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

from grace.ingest import persist
from grace.ingest.assemble import Unit, assemble
from grace.ingest.inputs import Bundle, InputProblem, Limits, open_inputs
from grace.ingest.xsd import find_xsd
from grace.metrics import count_ingest
from grace.store import tables as t
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

    def _store_batch(self, units: list[Unit]) -> list[Outcome]:
        """Store referrals with one disk flush and one transaction for the whole batch.

        If the batch fails, each referral is retried alone, so one bad referral costs only
        itself (it is quarantined with the reason) and never its neighbours.
        """
        if not units:
            return []
        batch = [persist.prepare(unit, self.actor) for unit in units]
        with self.workspace.sessions() as session:
            known = persist.existing_keys(session, [p.key for p in batch])
        fresh: dict[str, persist.Prepared] = {}
        repeats: list[persist.Prepared] = []
        for prepared in batch:
            if prepared.key in known or prepared.key in fresh:
                repeats.append(prepared)
            else:
                fresh[prepared.key] = prepared
        try:
            ingested = self._commit(list(fresh.values()))
        except (SQLAlchemyError, OSError, ValueError) as exc:
            if len(fresh) <= 1:
                return [self._failed(p.unit, exc) for p in fresh.values()]
            return [o for p in batch for o in self._store_batch([p.unit])]
        ids = known | {p.key: p.id for p in fresh.values() if p.id is not None}
        repeated = [
            Outcome(p.unit.source, "already_present", ids[p.key], files=len(p.unit.referral.files))
            for p in repeats
        ]
        return ingested + repeated

    def _commit(self, fresh: list[persist.Prepared]) -> list[Outcome]:
        if persist.write_blobs(self.workspace.vault, fresh):
            flush_to_disk()
        outcomes: list[Outcome] = []
        with self.workspace.sessions.begin() as session:
            persist.record(session, fresh)
            for prepared in fresh:
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
                outcomes.append(
                    Outcome(
                        prepared.unit.source,
                        "ingested",
                        prepared.id,
                        warnings=prepared.warnings,
                        files=referral["file_count"],
                    )
                )
        return outcomes

    def _failed(self, unit: Unit, exc: BaseException) -> Outcome:
        reason = f"could not store: {' '.join(str(exc).split())[:300]}"
        return self.quarantine(InputProblem(unit.source, reason, unit.document))

    def quarantine(self, problem: InputProblem) -> Outcome:
        """Keep a record (and the bytes, when small) of input that could not be ingested."""
        with self.workspace.sessions.begin() as session:
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
        return Outcome(problem.source, "quarantined", reason=problem.reason)
