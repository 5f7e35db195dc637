"""Whether a referral was disseminated to a peer node, and the proof the sender holds.

The ``exchange_sent`` row is the mark (one per referral per package); the receiver's
signed receipt, checked against its pinned key, names the receiver's own referral id. The
state shown is the best proof over every attempt. Light on purpose (no package or HTTP
code): ``grace referrals show``, the referral API and ``grace stats`` all read it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.exchange_tables import ExchangeSent
from grace.store.tables import Referral

RANK = ("acknowledged", "delivered", "outbox", "failed")


def _state(row: ExchangeSent) -> tuple[str, dict[str, Any] | None]:
    """One delivery's state, and the receiver's answer about this referral (if any)."""
    answer = next(
        (
            a
            for a in (row.receipt or {}).get("referrals", [])
            if a.get("sender_referral_id") == row.referral_id
        ),
        None,
    )
    if row.delivery == "delivered" and row.receipt_ok:
        status = (answer or {}).get("status") or (row.receipt or {}).get("status")
        if status in ("ingested", "already_present"):
            return "acknowledged", answer
    return (row.delivery if row.delivery in RANK else "failed"), answer


def dissemination(session: Session, referral_id: int) -> dict[str, Any] | None:
    """Whether this node disseminated the referral, and the best proof it holds: a receipt
    signed by the receiver's pinned key naming the receiver's referral id (acknowledged),
    a delivery without one (delivered), a package left in an outbox folder, or failures.
    None when it was never sent."""
    rows = list(
        session.scalars(
            select(ExchangeSent)
            .where(ExchangeSent.referral_id == referral_id, ExchangeSent.kind == "referral")
            .order_by(ExchangeSent.id)
        )
    )
    if not rows:
        return None
    states = [(_state(r), r) for r in rows]
    (status, answer), best = min(states, key=lambda s: RANK.index(s[0][0]))
    return {
        "status": status,
        "peer": best.peer,
        "package_id": best.package_id,
        "package_sha256": best.package_sha256,
        "sent_at": best.sent_at.isoformat(),
        "receipt_ok": best.receipt_ok,
        "receipt_at": (best.receipt or {}).get("at"),
        "receiver": (best.receipt or {}).get("receiver"),
        "receiver_referral_id": (answer or {}).get("referral_id"),
        "attempts": len(rows),
    }


def dissemination_stats(session: Session, scope: Any = None) -> dict[str, int]:
    """Routed referrals by dissemination state (best per referral), and those pending."""
    query = select(ExchangeSent).where(ExchangeSent.kind == "referral")
    if scope is not None:
        query = query.where(ExchangeSent.referral_id.in_(select(Referral.id).where(scope)))
    best: dict[int, str] = {}
    for row in session.scalars(query):
        state = _state(row)[0]
        ident = row.referral_id or 0
        if ident not in best or RANK.index(state) < RANK.index(best[ident]):
            best[ident] = state
    routed = select(Referral.id).where(Referral.agency.is_not(None))
    if scope is not None:
        routed = routed.where(scope)
    counts = {state: 0 for state in RANK}
    for state in best.values():
        counts[state] += 1
    counts["not_sent"] = sum(1 for i in session.scalars(routed) if i not in best)
    return counts
