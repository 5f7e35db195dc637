"""What the desk shows of the exchange between nodes: inbox, outbox, a referral's history.

Read-only views over the exchange tables (``grace.store.exchange_tables``) for the pages
and the API alike, so both show the same thing. Agency scoping follows the local referral
a row is about: a user sees a package's or delivery's rows for the referrals they may
open. Rows about no referral here (a quarantined package, an outcomes or votes package)
belong to no agency, so only users who see every agency (the coordinator, admins) see
them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from grace.exchange.history import referral_history
from grace.store.exchange_tables import (
    ExchangeOutcome,
    ExchangePeer,
    ExchangeReceived,
    ExchangeSent,
)
from grace.store.tables import Referral

MAX_ROWS = 1000


def _scoped(query: Any, column: Any, scope: ColumnElement[bool], sees_all: bool) -> Any:
    """Rows whose local referral is in scope (and, for ``sees_all``, also rows with none)."""
    query = query.outerjoin(Referral, Referral.id == column)
    if sees_all:
        return query
    return query.where(column.is_not(None), scope)


def peers_by_name(session: Session) -> dict[str, ExchangePeer]:
    return {p.name: p for p in session.scalars(select(ExchangePeer))}


def inbox_packages(
    session: Session, scope: ColumnElement[bool], sees_all: bool, limit: int = 100
) -> list[dict[str, Any]]:
    """Received packages, newest first, each with its sender and what checking found.

    ``result`` is ``accepted`` when any referral was stored, ``already_present`` when all
    were here before, else ``quarantined`` (``reason``: the one line). A package refused
    twice is two entries (two attempts); a stored one is one entry whatever its size.
    """
    last = func.max(ExchangeReceived.id).label("last")
    newest = _scoped(
        select(ExchangeReceived.package_sha256, last), ExchangeReceived.referral_id, scope, sees_all
    )
    digests = [
        d
        for d, _ in session.execute(
            newest.group_by(ExchangeReceived.package_sha256).order_by(last.desc()).limit(limit)
        )
    ]
    rows = session.scalars(
        _scoped(select(ExchangeReceived), ExchangeReceived.referral_id, scope, sees_all)
        .where(ExchangeReceived.package_sha256.in_(digests or [""]))
        .order_by(ExchangeReceived.id)
    ).all()
    peers = peers_by_name(session)
    packages: dict[tuple[str, int], dict[str, Any]] = {}
    newest_row: dict[int, int] = {}  # entry -> its newest row id, for newest-first order
    for row in rows:
        refused = row.status == "quarantined" and row.remote_referral_id is None
        attempt = row.id if refused else 0  # a refused package: one entry per attempt
        found = packages.get((row.package_sha256, attempt))
        if found is None:
            found = packages[(row.package_sha256, attempt)] = _package(row, peers)
        found["referrals"].append(
            {
                "referral_id": row.referral_id,
                "sender_referral_id": row.remote_referral_id,
                "status": row.status,
                "reason": row.reason,
            }
        )
        found["reason"] = found["reason"] or row.reason
        newest_row[id(found)] = row.id
    out = sorted(packages.values(), key=lambda p: -newest_row[id(p)])
    for entry in out:
        statuses = {r["status"] for r in entry["referrals"]}
        entry["result"] = (
            "accepted"
            if "ingested" in statuses
            else "already_present"
            if "already_present" in statuses
            else "quarantined"
        )
        entry["referrals"] = [
            r
            for r in entry["referrals"]
            if r["referral_id"] is not None or r["sender_referral_id"] is not None
        ]
    return out[:limit]


def _package(row: ExchangeReceived, peers: dict[str, ExchangePeer]) -> dict[str, Any]:
    peer = peers.get(row.sender or "")
    return {
        "package_id": row.package_id,
        "package_sha256": row.package_sha256,
        "kind": row.kind,
        "sender": row.sender,
        "sender_agency": peer.agency if peer else None,
        "signer_fingerprint": row.signer_fingerprint,
        "signer_pinned": bool(peer and peer.fingerprint == row.signer_fingerprint),
        "received_at": row.received_at.isoformat(),
        "result": "",
        "reason": None,
        "referrals": [],
    }


def outbox_rows(
    session: Session, scope: ColumnElement[bool], sees_all: bool, limit: int = 100
) -> list[dict[str, Any]]:
    """Deliveries, newest first: one per referral sent (and per outcomes or votes package),
    with the destination, how it went, the receipt, and the outcome the peer returned."""
    rows = session.scalars(
        _scoped(select(ExchangeSent), ExchangeSent.referral_id, scope, sees_all)
        .order_by(ExchangeSent.id.desc())
        .limit(limit)
    ).all()
    peers = peers_by_name(session)
    ids = [r.referral_id for r in rows if r.referral_id is not None]
    outcomes = {
        (o.referral_id, o.source): o
        for o in session.scalars(
            select(ExchangeOutcome).where(ExchangeOutcome.referral_id.in_(ids or [0]))
        )
    }
    return [_sent(row, peers, outcomes) for row in rows]


def _sent(
    row: ExchangeSent,
    peers: dict[str, ExchangePeer],
    outcomes: dict[tuple[int, str], ExchangeOutcome],
) -> dict[str, Any]:
    peer = peers.get(row.peer)
    receipt = row.receipt or {}
    theirs = next(
        (
            r.get("referral_id")
            for r in receipt.get("referrals", [])
            if r.get("sender_referral_id") == row.referral_id and row.referral_id is not None
        ),
        None,
    )
    outcome = outcomes.get((row.referral_id or 0, row.peer))
    via = None
    if row.delivery == "outbox":
        via = "outbox"
    elif row.receipt is not None or row.delivery == "delivered":
        via = "https" if peer and (peer.url or "").startswith("https:") else "http"
    return {
        "referral_id": row.referral_id,
        "kind": row.kind,
        "peer": row.peer,
        "peer_agency": peer.agency if peer else None,
        "package_id": row.package_id,
        "package_sha256": row.package_sha256,
        "sent_at": row.sent_at.isoformat(),
        "delivery": row.delivery,
        "via": via,
        "error": row.error,
        "acknowledged": bool(row.receipt_ok),
        "receipt_status": receipt.get("status"),
        "receiver_referral_id": theirs,
        "outcome": _outcome(outcome) if outcome else None,
    }


def _outcome(row: ExchangeOutcome) -> dict[str, Any]:
    return {
        "source": row.source,
        "outcome": row.outcome,
        "reason": row.reason,
        "recorded_at": row.recorded_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


def desk_history(session: Session, referral_id: int) -> dict[str, Any]:
    """``grace exchange history`` with each peer's agency and each delivery's outcome."""
    history = referral_history(session, referral_id)
    peers = peers_by_name(session)
    for arrival in history["received_from"]:
        peer = peers.get(arrival["sender"] or "")
        arrival["sender_agency"] = peer.agency if peer else None
    sent = session.scalars(
        select(ExchangeSent)
        .where(ExchangeSent.referral_id == referral_id)
        .order_by(ExchangeSent.id)
    ).all()
    outcomes = {
        (o.referral_id, o.source): o
        for o in session.scalars(
            select(ExchangeOutcome).where(ExchangeOutcome.referral_id == referral_id)
        )
    }
    history["sent_to"] = [_sent(row, peers, outcomes) for row in sent]
    history["outcomes"] = [
        _outcome(o) for o in sorted(outcomes.values(), key=lambda o: o.recorded_at)
    ]
    return history
