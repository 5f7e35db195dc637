"""Filing receipts of air-gapped packages against the outbox.

A package written to an outbox folder travels by hand; the receiver's ``grace receive
--json`` prints the receipts it signed, and they travel back the same way. ``grace
exchange receipts FILE`` checks each against the receiver's pinned key and files it on
the ``exchange_sent`` rows of that package, exactly as an HTTP delivery's receipt is
kept: the referral is then acknowledged (``grace.exchange.dissemination``). A receipt
that does not verify, or names a package never sent to that peer, is refused, one line.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from grace.exchange import package
from grace.exchange.node import ExchangeError
from grace.exchange.peers import find_peer
from grace.exports.signing import load_public_key
from grace.store.exchange_tables import ExchangeSent
from grace.store.locks import hold_write_lock
from grace.workspace import Workspace


def file_receipts(
    workspace: Workspace, receipts: list[dict[str, Any]], actor: str
) -> list[dict[str, Any]]:
    """File each signed receipt; one result per receipt (filed, or refused and why)."""
    results = []
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        for receipt in receipts:
            receiver = str(receipt.get("receiver"))
            digest = str(receipt.get("package_sha256"))
            result: dict[str, Any] = {"receiver": receiver, "package_sha256": digest}
            try:
                peer = find_peer(session, receiver)
            except ExchangeError as exc:
                results.append(result | {"status": "refused", "reason": str(exc)})
                continue
            if not package.receipt_ok(load_public_key(bytes.fromhex(peer.public_key)), receipt):
                reason = f"bad signature: not signed by the key pinned for {receiver}"
                results.append(result | {"status": "refused", "reason": reason})
                continue
            rows = list(
                session.scalars(
                    select(ExchangeSent).where(
                        ExchangeSent.package_sha256 == digest, ExchangeSent.peer == receiver
                    )
                )
            )
            if not rows:
                reason = f"no package {digest[:16]}... was sent to {receiver}"
                results.append(result | {"status": "refused", "reason": reason})
                continue
            for row in rows:
                row.receipt, row.receipt_ok = receipt, True
                if receipt.get("status") == "quarantined":
                    row.delivery, row.error = "failed", f"refused: {receipt.get('reason')}"
                elif row.delivery == "outbox":
                    row.delivery = "delivered"
            workspace.audit.append(
                session,
                actor=actor,
                action="exchange.receipt_filed",
                object_type="exchange_package",
                object_id=str(receipt.get("package_id")),
                details={"peer": receiver, "status": receipt.get("status"), "rows": len(rows)},
            )
            results.append(result | {"status": "filed", "referrals": len(rows)})
    workspace.audit.save_anchor()
    return results
