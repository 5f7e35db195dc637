"""A referral's story across nodes: custody here, how it arrived, where it went, outcomes.

Read-only; the desk API and ``grace exchange history`` show the same document. A sent
referral's *dissemination* state (acknowledged by a signed receipt, delivered, in an
outbox, failed) is shown by ``grace referrals show``, the referral API and ``grace stats``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.exchange.dissemination import dissemination
from grace.exchange.outcomes import referral_outcomes
from grace.store.exchange_tables import ExchangeReceived, ExchangeSent
from grace.store.tables import Custody


def referral_history(session: Session, referral_id: int) -> dict[str, Any]:
    custody = session.scalars(
        select(Custody).where(Custody.referral_id == referral_id).order_by(Custody.id)
    )
    received = session.scalars(
        select(ExchangeReceived)
        .where(ExchangeReceived.referral_id == referral_id)
        .order_by(ExchangeReceived.id)
    )
    sent = session.scalars(
        select(ExchangeSent)
        .where(ExchangeSent.referral_id == referral_id)
        .order_by(ExchangeSent.id)
    )
    return {
        "referral_id": referral_id,
        "custody": [
            {
                "sha256": c.sha256,
                "role": c.role,
                "source": c.source,
                "received_at": c.received_at.isoformat(),
                "actor": c.actor,
            }
            for c in custody
        ],
        "received_from": [
            {
                "sender": r.sender,
                "signer_fingerprint": r.signer_fingerprint,
                "package_sha256": r.package_sha256,
                "package_id": r.package_id,
                "received_at": r.received_at.isoformat(),
                "status": r.status,
                "sender_referral_id": r.remote_referral_id,
                "sender_custody": (r.custody or {}).get("records", []),
            }
            for r in received
        ],
        "sent_to": [sent_row(s) for s in sent],
        "dissemination": dissemination(session, referral_id),
        "outcomes": referral_outcomes(session, referral_id),
    }


def sent_row(s: ExchangeSent) -> dict[str, Any]:
    return {
        "peer": s.peer,
        "kind": s.kind,
        "referral_id": s.referral_id,
        "package_id": s.package_id,
        "package_sha256": s.package_sha256,
        "sent_at": s.sent_at.isoformat(),
        "delivery": s.delivery,
        "error": s.error,
        "receipt_ok": s.receipt_ok,
        "receipt_status": (s.receipt or {}).get("status"),
    }


def received_row(r: ExchangeReceived) -> dict[str, Any]:
    return {
        "sender": r.sender,
        "kind": r.kind,
        "package_id": r.package_id,
        "package_sha256": r.package_sha256,
        "signer_fingerprint": r.signer_fingerprint,
        "received_at": r.received_at.isoformat(),
        "status": r.status,
        "reason": r.reason,
        "referral_id": r.referral_id,
    }
