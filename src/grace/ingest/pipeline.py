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
from grace.store import tables as t
from grace.vault import digests
from grace.vault.records import store_blob
from grace.workspace import Workspace

log = logging.getLogger(__name__)
QUARANTINE_KEEP_BYTES = 1 << 20

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
        accepted: list[Path] = []
        for path in paths:
            problem = self._overlaps_workspace(path)
            if problem is None:
                accepted.append(path)
            else:
                report.outcomes.append(self.quarantine(problem))
        for item in open_inputs(accepted, self.limits):
            for outcome in self._handle(item):
                report.outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
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

    def _handle(self, item: Bundle | InputProblem) -> list[Outcome]:
        if isinstance(item, InputProblem):
            return [self.quarantine(item)]
        try:
            units, problems = assemble(item)
        finally:
            item.close()
        outcomes = [self.quarantine(problem) for problem in problems]
        outcomes.extend(self._store(unit) for unit in units)
        return outcomes

    def _store(self, unit: Unit) -> Outcome:
        document = digests(unit.document)
        key = persist.natural_key(unit, document)
        files = len(unit.referral.files)
        try:
            with self.workspace.sessions.begin() as session:
                found = persist.existing_id(session, key)
                if found is not None:
                    return Outcome(unit.source, "already_present", found, files=files)
                row = persist.record_referral(
                    session, self.workspace.vault, unit, document, key, self.actor
                )
                self.workspace.audit.append(
                    session,
                    actor=self.actor,
                    action="ingest",
                    object_type="referral",
                    object_id=str(row.id),
                    details={
                        "source": unit.source,
                        "document_sha256": document.sha256,
                        "files": files,
                    },
                )
                return Outcome(unit.source, "ingested", row.id, warnings=row.warnings, files=files)
        except (SQLAlchemyError, OSError, ValueError) as exc:
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
