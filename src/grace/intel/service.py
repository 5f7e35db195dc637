"""The intelligence stage after media processing: identifiers, routing, links, subjects.

Runs over referrals not yet analysed (``referrals.routing`` is empty) in chunks, writing
with bulk statements so that 100,000 referrals take minutes, not hours. The link graph and
subjects are then brought up to date for the referrals touched, and one audit event records
what the stage did.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from grace.intel.geo import IpGeolocator
from grace.intel.identifiers import extract_identifiers
from grace.intel.links import relink
from grace.intel.routing import route
from grace.intel.routing_table import RoutingTable, load_routing_table
from grace.intel.subjects import propose_merges, recompute_subjects
from grace.media.workers import worker_pool
from grace.model import Referral as ReferralModel
from grace.store.intel_tables import IdentifierRow
from grace.store.locks import hold_write_lock
from grace.store.tables import Referral
from grace.workspace import Workspace

CHUNK = 1000
PARALLEL_FROM = 2000  # below this, starting worker processes costs more than it saves


def _pool(table: RoutingTable) -> Executor:
    """Worker processes for the pure extraction and routing (the referral data is local)."""
    workers = min(2, os.cpu_count() or 1)
    return worker_pool(workers, initializer=_init_worker, initargs=(table,))


@dataclass
class IntelReport:
    referrals: int = 0
    identifiers: int = 0
    links: int = 0
    subjects: int = 0
    agencies: dict[str, int] = field(default_factory=dict)
    unresolved: int = 0


class IntelProcessor:
    """Extracts identifiers, routes, links and clusters the referrals not yet analysed."""

    def __init__(
        self,
        workspace: Workspace,
        actor: str,
        table: RoutingTable | None = None,
        geolocator: IpGeolocator | None = None,
    ) -> None:
        self.workspace = workspace
        self.actor = actor
        self.table = table or load_routing_table()
        self.geolocator = geolocator or IpGeolocator()

    def run(self, progress: Callable[[int, int], None] | None = None) -> IntelReport:
        report = IntelReport()
        agencies: Counter[str] = Counter()
        with self.workspace.sessions() as session:
            pending = list(
                session.scalars(
                    select(Referral.id).where(Referral.routing.is_(None)).order_by(Referral.id)
                )
            )
        _init_worker(self.table)
        pool = _pool(self.table) if len(pending) >= PARALLEL_FROM else None
        try:
            for start in range(0, len(pending), CHUNK):
                chunk = pending[start : start + CHUNK]
                with self.workspace.sessions.begin() as session:
                    hold_write_lock(session)  # another process may route the same referrals
                    self._analyse(session, chunk, report, agencies, pool)
                if progress:
                    progress(min(start + CHUNK, len(pending)), len(pending))
        finally:
            if pool is not None:
                pool.shutdown()
        with self.workspace.sessions.begin() as session:
            hold_write_lock(session)  # links and subjects are read, then rewritten
            report.links += relink(session, pending)
            propose_merges(session, self.actor)
            report.subjects = recompute_subjects(session)
            report.referrals = len(pending)
            report.agencies = dict(agencies.most_common())
            if pending:
                self.workspace.audit.append(
                    session,
                    actor=self.actor,
                    action="intel",
                    object_type="referrals",
                    object_id=f"{pending[0]}-{pending[-1]}",
                    details=report.__dict__,
                )
        self.workspace.audit.save_anchor()
        return report

    def _analyse(
        self,
        session: Session,
        ids: Sequence[int],
        report: IntelReport,
        agencies: Counter[str],
        pool: Executor | None,
    ) -> None:
        rows = session.execute(  # those another process routed meanwhile are done
            select(Referral.id, Referral.data).where(
                Referral.id.in_(ids), Referral.routing.is_(None)
            )
        ).all()
        datas = [data for _, data in rows]
        results = pool.map(_analyse_one, datas, chunksize=50) if pool else map(_analyse_one, datas)
        identifier_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for (referral_id, _), (found, decision) in zip(rows, results, strict=True):
            identifier_rows += [row | {"referral_id": referral_id} for row in found]
            agencies[decision["agency"]] += 1
            report.unresolved += bool(decision["unresolved"])
            updates.append(
                {
                    "rid": referral_id,
                    "routing": decision,
                    "agency": decision["agency"],
                    "country": decision["country"],
                }
            )
        if identifier_rows:
            session.execute(insert(cast(Table, IdentifierRow.__table__)), identifier_rows)
        if updates:
            table = cast(Table, Referral.__table__)
            session.execute(
                update(table)
                .where(table.c.id == bindparam("rid"))
                .values(
                    routing=bindparam("routing"),
                    agency=bindparam("agency"),
                    country_of_action=bindparam("country"),
                ),
                updates,
            )
        report.identifiers += len(identifier_rows)


_TABLE: RoutingTable | None = None
_GEO: IpGeolocator | None = None


def _init_worker(table: RoutingTable) -> None:
    global _TABLE, _GEO
    _TABLE, _GEO = table, IpGeolocator()


def _analyse_one(data: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Identifiers and routing of one referral: pure, so it can run in a worker process."""
    referral = ReferralModel.model_validate(data)
    found = extract_identifiers(referral)
    decision = route(referral, found, _TABLE, _GEO)
    rows = [
        {
            "kind": i.kind,
            "value": i.value[:500],
            "raw": i.raw,
            "source": i.source[:200],
            "role": i.role,
            "attributes": i.attributes,
        }
        for i in found
    ]
    return rows, decision.model_dump(mode="json")
