"""The intelligence stage after media processing: identifiers, routing, links, subjects.

Runs over referrals not yet analysed (``referrals.routing`` is empty) in chunks, writing
with bulk statements so that 100,000 referrals take minutes, not hours. The link graph and
subjects are then brought up to date for the referrals touched, and one audit event records
what the stage did.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
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
from grace.model import Referral as ReferralModel
from grace.store.intel_tables import IdentifierRow
from grace.store.tables import Referral
from grace.workspace import Workspace

CHUNK = 1000


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
        for start in range(0, len(pending), CHUNK):
            chunk = pending[start : start + CHUNK]
            with self.workspace.sessions.begin() as session:
                self._analyse(session, chunk, report, agencies)
            if progress:
                progress(min(start + CHUNK, len(pending)), len(pending))
        with self.workspace.sessions.begin() as session:
            for start in range(0, len(pending), CHUNK):
                report.links += relink(session, pending[start : start + CHUNK])
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
        self, session: Session, ids: Sequence[int], report: IntelReport, agencies: Counter[str]
    ) -> None:
        rows = session.execute(select(Referral.id, Referral.data).where(Referral.id.in_(ids)))
        identifier_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for referral_id, data in rows:
            referral = ReferralModel.model_validate(data)
            found = extract_identifiers(referral)
            identifier_rows += [
                {
                    "referral_id": referral_id,
                    "kind": i.kind,
                    "value": i.value[:500],
                    "raw": i.raw,
                    "source": i.source[:200],
                    "role": i.role,
                    "attributes": i.attributes,
                }
                for i in found
            ]
            decision = route(referral, found, self.table, self.geolocator)
            agencies[decision.agency] += 1
            report.unresolved += decision.unresolved
            updates.append(
                {
                    "rid": referral_id,
                    "routing": decision.model_dump(mode="json"),
                    "agency": decision.agency,
                    "country": decision.country,
                }
            )
        if identifier_rows:
            session.execute(insert(IdentifierRow), identifier_rows)
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
