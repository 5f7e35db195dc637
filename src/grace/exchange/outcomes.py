"""Outcomes: what the acting node did with a referral, reported back to its sender.

The receiving desk records one outcome per referral (``grace outcome``); ``grace send
--outcomes`` groups the unsent ones by the node each referral came from and sends each
group as a signed ``outcomes`` package to that node's inbox. The sender accepts an
outcome only for a referral it actually sent to that peer, keeps it under the peer's name,
and counts it in ``grace stats`` (per agency, ESP and incident type, and time to outcome).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from grace.exchange import package
from grace.exchange.node import ExchangeError, load_node
from grace.exchange.send import Delivery, deliver, peer_named, record_delivery
from grace.store.exchange_tables import ExchangeOutcome, ExchangeReceived, ExchangeSent
from grace.store.locks import hold_write_lock
from grace.store.tables import Referral
from grace.workspace import Workspace

if TYPE_CHECKING:
    from grace.exchange.receive import Checked

OUTCOMES = (
    "safeguarded_child",
    "arrest_or_search",
    "investigation_opened",
    "no_offence",
    "not_actionable",
    "duplicate_national_case",
)


def record_outcome(
    workspace: Workspace, referral_id: int, outcome: str, reason: str | None, actor: str
) -> None:
    """Record (or replace, while unsent) this desk's outcome for a referral; audited."""
    if outcome not in OUTCOMES:
        raise ExchangeError(f"outcome must be one of {', '.join(OUTCOMES)}")
    if outcome == "not_actionable" and not reason:
        raise ExchangeError("not_actionable needs --reason (why it cannot be acted on)")
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        if session.get(Referral, referral_id) is None:
            raise ExchangeError(f"no referral with id {referral_id}")
        _upsert(session, referral_id, "local", outcome, reason, actor, datetime.now(UTC))
        workspace.audit.append(
            session,
            actor=actor,
            action="exchange.outcome",
            object_type="referral",
            object_id=str(referral_id),
            details={"outcome": outcome, "reason": reason},
        )
    workspace.audit.save_anchor()


def _upsert(
    session: Session,
    referral_id: int,
    source: str,
    outcome: str,
    reason: str | None,
    actor: str,
    at: datetime,
) -> None:
    row = session.scalar(
        select(ExchangeOutcome).where(
            ExchangeOutcome.referral_id == referral_id, ExchangeOutcome.source == source
        )
    )
    if row is None:
        row = ExchangeOutcome(referral_id=referral_id, source=source)
        session.add(row)
    row.outcome, row.reason, row.actor, row.recorded_at, row.sent_at = (
        outcome,
        reason,
        actor,
        at,
        None,
    )


def send_outcomes(workspace: Workspace, actor: str, outbox: Path | None = None) -> list[Delivery]:
    """Send unsent local outcomes, as one signed package per originating node."""
    node = load_node(workspace)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    ids: dict[str, list[int]] = defaultdict(list)
    with workspace.sessions() as session:
        rows = session.execute(
            select(ExchangeOutcome, ExchangeReceived)
            .join(ExchangeReceived, ExchangeReceived.referral_id == ExchangeOutcome.referral_id)
            .where(
                ExchangeOutcome.source == "local",
                ExchangeOutcome.sent_at.is_(None),
                ExchangeReceived.status.in_(("ingested", "already_present")),
                ExchangeReceived.kind == "referral",
            )
        ).all()
        for outcome, received in rows:
            groups[str(received.sender)].append(
                {
                    "referral_id": received.remote_referral_id,
                    "outcome": outcome.outcome,
                    "reason": outcome.reason,
                    "recorded_at": outcome.recorded_at.isoformat(),
                    "received_at": received.received_at.isoformat(),
                }
            )
            ids[str(received.sender)].append(outcome.id)
    results = []
    with httpx.Client(timeout=60.0) as client:
        for sender, entries in groups.items():
            peer = peer_named(workspace, sender)
            members = {"outcomes.json": json.dumps(entries, ensure_ascii=False).encode()}
            recipient = {"node": peer.name, "agency": peer.agency}
            data = package.build(node, "outcomes", recipient, members, {"count": len(entries)})
            result = deliver(client, node, peer, data, None, outbox)
            record_delivery(workspace, actor, result, "outcomes")
            if result.delivery != "failed":
                _mark_sent(workspace, ids[sender])
            results.append(result)
    return results


def _mark_sent(workspace: Workspace, ids: list[int]) -> None:
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        for row in session.scalars(select(ExchangeOutcome).where(ExchangeOutcome.id.in_(ids))):
            row.sent_at = datetime.now(UTC)


def apply_outcomes(workspace: Workspace, checked: Checked, actor: str) -> int:
    """Keep each reported outcome for a referral we sent to that peer; returns how many."""
    entries = package.Package(checked.manifest, checked.members).member_json("outcomes.json")
    if not isinstance(entries, list):
        raise package.PackageError("malformed document: outcomes.json is not a list")
    kept = 0
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("outcome") not in OUTCOMES:
                raise package.PackageError("malformed document: an outcome is not recognised")
            referral_id = entry.get("referral_id")
            sent = session.scalar(
                select(ExchangeSent.id).where(
                    ExchangeSent.referral_id == referral_id,
                    ExchangeSent.peer == checked.sender,
                    ExchangeSent.kind == "referral",
                )
            )
            if sent is None or not isinstance(referral_id, int):
                continue  # not ours to hear about from this peer: ignored, counted in audit
            at = datetime.fromisoformat(str(entry["recorded_at"]))
            _upsert(
                session,
                referral_id,
                checked.sender,
                entry["outcome"],
                entry.get("reason"),
                actor,
                at,
            )
            kept += 1
        workspace.audit.append(
            session,
            actor=actor,
            action="exchange.outcomes_received",
            object_type="exchange_package",
            object_id=str(checked.manifest["package_id"]),
            details={"sender": checked.sender, "entries": len(entries), "kept": kept},
        )
    return kept


def outcome_stats(session: Session, scope: ColumnElement[bool] | None = None) -> dict[str, Any]:
    """Outcomes per agency, ESP and incident type, and days from receipt to outcome.

    ``scope`` limits it to the referrals a desk user may see (``referral_scope``).
    """
    rows = session.execute(
        select(
            ExchangeOutcome.outcome,
            ExchangeOutcome.source,
            ExchangeOutcome.recorded_at,
            Referral.agency,
            Referral.esp_name,
            Referral.incident_type,
            Referral.received_at,
        )
        .join(Referral, Referral.id == ExchangeOutcome.referral_id)
        .where(scope if scope is not None else true())
    ).all()
    by: dict[str, dict[str, Counter[str]]] = {
        k: defaultdict(Counter) for k in ("agency", "esp", "incident_type")
    }
    days: list[float] = []
    totals: Counter[str] = Counter()
    for outcome, _source, at, agency, esp, itype, received in rows:
        totals[outcome] += 1
        by["agency"][agency or "unrouted"][outcome] += 1
        by["esp"][esp or "unknown"][outcome] += 1
        by["incident_type"][itype or "unknown"][outcome] += 1
        days.append((_aware(at) - _aware(received)).total_seconds() / 86400)
    return {
        "total": dict(totals),
        **{f"by_{k}": {name: dict(c) for name, c in v.items()} for k, v in by.items()},
        "median_days_to_outcome": round(median(days), 2) if days else None,
    }


def referral_outcomes(session: Session, referral_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(ExchangeOutcome).where(ExchangeOutcome.referral_id == referral_id)
    )
    return [
        {
            "source": r.source,
            "outcome": r.outcome,
            "reason": r.reason,
            "recorded_at": r.recorded_at.isoformat(),
        }
        for r in rows
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
