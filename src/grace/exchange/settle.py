"""Received referrals join this node's work: analysed, assigned to its agency, scored.

Why: a referral package reaches a national node only after the coordinator routed its
referrals to that node's agency, and ``receive`` checked the package was addressed to it.
The local routing table may still place a referral elsewhere (a multi-country referral goes
to the coordinator, a table may not know the agency), and then the analysts it was sent to
would never see it in their queue. So the sender's addressing decides the agency; the local
routing decision is kept in the reason, for the record. A coordinator node keeps its own routing:
it passes referrals on rather than working them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update

from grace.exchange.node import load_node
from grace.intel.routing_table import load_routing_table
from grace.intel.service import IntelProcessor
from grace.store.exchange_tables import ExchangeReceived
from grace.store.locks import hold_write_lock
from grace.store.tables import Referral
from grace.triage.service import run_triage
from grace.workspace import Workspace


@dataclass
class SettleReport:
    routed: int
    assigned: int
    triage_run: int | None


def settle_received(workspace: Workspace, actor: str) -> SettleReport:
    """Identifiers, routing and links (as ingest does), the agency, then one triage run."""
    intel = IntelProcessor(workspace, actor).run()
    assigned = assign_received(workspace, actor)
    changed = intel.referrals or assigned
    run = run_triage(workspace, "rules_v1", actor) if changed else None
    return SettleReport(intel.referrals, assigned, run.run_id if run else None)


def assign_received(workspace: Workspace, actor: str) -> int:
    """Give every referral received here this node's agency; returns how many changed."""
    agency = load_node(workspace).agency
    if not agency or agency == load_routing_table().coordinator.id:
        return 0
    with workspace.sessions.begin() as session:
        hold_write_lock(session)  # read and rewrite the routing of the same rows
        rows = session.execute(
            select(Referral.id, Referral.routing, ExchangeReceived.sender)
            .join(ExchangeReceived, ExchangeReceived.referral_id == Referral.id)
            .where(
                ExchangeReceived.status == "ingested",
                Referral.routing.is_not(None),
                or_(Referral.agency.is_(None), Referral.agency != agency),
            )
        ).all()
        if rows:  # one UPDATE by primary key for all of them (executemany)
            session.execute(
                update(Referral),
                [
                    {
                        "id": rid,
                        "agency": agency,
                        "routing": _addressed(routing or {}, agency, sender),
                    }
                    for rid, routing, sender in rows
                ],
            )
            workspace.audit.append(
                session,
                actor=actor,
                action="exchange.assign",
                object_type="referrals",
                object_id=",".join(str(r[0]) for r in rows)[:200],
                details={"agency": agency, "referrals": [r[0] for r in rows]},
            )
    if rows:
        workspace.audit.save_anchor()
    return len(rows)


def _addressed(routing: dict[str, Any], agency: str, sender: str | None) -> dict[str, Any]:
    """The routing record keeps its country and evidence; the reason names both decisions."""
    local = f"local routing {routing.get('agency')}: {routing.get('reason')}"
    reason = f"received from {sender or 'a peer'}, addressed to {agency}; {local}"
    return routing | {"agency": agency, "unresolved": False, "reason": reason}
