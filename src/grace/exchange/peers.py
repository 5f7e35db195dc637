"""Pinned peers: which nodes this one trusts, with which key, for which agency.

Trust is explicit: an operator pins a peer's public key (the PEM ``grace node show
--key`` prints) under a name. Every package received is checked against the key pinned
for the name it claims; a revoked peer's packages are quarantined. Each add, token
change, revoke and remove is in the audit trail. Tokens: the token a peer must present
at our inbox is generated here and stored only as its SHA-256; the token we present at
theirs is the one they gave us (``--send-token``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.exchange.node import ExchangeError, check_name
from grace.exports.signing import fingerprint, load_public_key, raw_public
from grace.store.exchange_tables import ExchangePeer
from grace.store.locks import hold_write_lock
from grace.workspace import Workspace


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_peer(
    workspace: Workspace,
    name: str,
    key_text: bytes,
    actor: str,
    url: str | None = None,
    agency: str | None = None,
    send_token: str | None = None,
) -> tuple[dict[str, Any], str]:
    """Pin ``name``; returns the peer and the inbound token to hand to it (shown once)."""
    check_name(name)
    key = load_public_key(key_text)
    inbound = secrets.token_urlsafe(32)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        if session.scalar(select(ExchangePeer).where(ExchangePeer.name == name)):
            raise ExchangeError(f"peer {name} is already pinned (remove it first)")
        row = ExchangePeer(
            name=name,
            public_key=raw_public(key).hex(),
            fingerprint=fingerprint(key),
            url=url.rstrip("/") if url else None,
            agency=agency,
            status="active",
            send_token=send_token,
            inbound_token_sha256=token_hash(inbound),
            added_at=datetime.now(UTC),
        )
        session.add(row)
        details = {"fingerprint": row.fingerprint, "url": row.url, "agency": agency}
        _audit(workspace, session, actor, "exchange.peer_add", name, details)
        described = describe(row)
    workspace.audit.save_anchor()
    return described, inbound


def set_send_token(workspace: Workspace, name: str, token: str, actor: str) -> None:
    """Store the token ``name`` issued to us (it is never logged or audited in clear)."""
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        find_peer(session, name).send_token = token
        _audit(workspace, session, actor, "exchange.peer_token", name, {})
    workspace.audit.save_anchor()


def revoke_peer(workspace: Workspace, name: str, actor: str) -> None:
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row = find_peer(session, name)
        row.status, row.revoked_at, row.inbound_token_sha256 = "revoked", datetime.now(UTC), None
        _audit(workspace, session, actor, "exchange.peer_revoke", name, {})
    workspace.audit.save_anchor()


def remove_peer(workspace: Workspace, name: str, actor: str) -> None:
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row = find_peer(session, name)
        details = {"fingerprint": row.fingerprint}
        session.delete(row)
        _audit(workspace, session, actor, "exchange.peer_remove", name, details)
    workspace.audit.save_anchor()


def list_peers(workspace: Workspace) -> list[dict[str, Any]]:
    with workspace.sessions() as session:
        rows = session.scalars(select(ExchangePeer).order_by(ExchangePeer.name))
        return [describe(row) for row in rows]


def describe(row: ExchangePeer) -> dict[str, Any]:
    return {
        "name": row.name,
        "agency": row.agency,
        "fingerprint": row.fingerprint,
        "url": row.url,
        "status": row.status,
        "send_token": "set" if row.send_token else "none",
    }


def find_peer(session: Session, name: str) -> ExchangePeer:
    row = session.scalar(select(ExchangePeer).where(ExchangePeer.name == name))
    if row is None:
        raise ExchangeError(f"no pinned peer named {name}")
    return row


def peer_for_agency(session: Session, agency: str) -> ExchangePeer | None:
    query = select(ExchangePeer).where(
        ExchangePeer.agency == agency, ExchangePeer.status == "active"
    )
    return session.scalars(query.order_by(ExchangePeer.id)).first()


def token_ok(row: ExchangePeer, token: str | None) -> bool:
    """Constant-time check of the token a peer presented at our inbox."""
    if not token or not row.inbound_token_sha256 or row.status != "active":
        return False
    return hmac.compare_digest(token_hash(token), row.inbound_token_sha256)


def _audit(
    workspace: Workspace, session: Session, actor: str, action: str, name: str, details: Any
) -> None:
    workspace.audit.append(
        session,
        actor=actor,
        action=action,
        object_type="exchange_peer",
        object_id=name,
        details=details,
    )
