"""Pinned nodes: who may ask the coordinator (or a peer) for anything, and with which key.

Trust is explicit and audited: an operator pins a node's Ed25519 public key (the key a node
prints with ``grace deconflict key``) under a name, with an hourly evaluation budget, and
may revoke it. A revoked node's requests are refused and its tokens are deleted at once, so
they stop matching; its past alerts stay in the audit trail as history.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grace.deconflict.signed import SignatureError, Verified, verify
from grace.exports.signing import fingerprint, load_public_key, raw_public
from grace.store.deconflict_tables import DeconflictNode, DeconflictNonce, DeconflictToken
from grace.store.locks import hold_write_lock
from grace.store.upsert import insert_new
from grace.workspace import Workspace

DEFAULT_RATE = 200_000  # evaluations per node per hour: a unit's yearly intake in minutes
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class NodeError(ValueError):
    """A node cannot be added, found or used; the message is one line."""


def add_node(
    workspace: Workspace,
    name: str,
    key_text: bytes,
    actor: str,
    url: str | None = None,
    rate_per_hour: int = DEFAULT_RATE,
) -> dict[str, Any]:
    """Pin ``name``'s public key (a second add with another key is refused: revoke first)."""
    if not NAME_RE.match(name):
        raise NodeError("node names are lower-case letters, digits, '.', '_' and '-'")
    if rate_per_hour < 1:
        raise NodeError("the rate limit must be at least 1 evaluation per hour")
    key = load_public_key(key_text)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        if session.scalar(select(DeconflictNode).where(DeconflictNode.name == name)):
            raise NodeError(f"node {name} is already pinned")
        row = DeconflictNode(
            name=name,
            public_key=raw_public(key).hex(),
            fingerprint=fingerprint(key),
            url=url,
            status="active",
            rate_per_hour=rate_per_hour,
            added_at=datetime.now(UTC),
        )
        session.add(row)
        details = {"fingerprint": row.fingerprint, "url": url, "rate_per_hour": rate_per_hour}
        _audit(workspace, session, actor, "deconflict.node_add", name, details)
        return describe(row)


def revoke_node(workspace: Workspace, name: str, actor: str) -> int:
    """Revoke ``name``: its requests are refused and its tokens deleted (returns how many)."""
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        row = session.scalar(select(DeconflictNode).where(DeconflictNode.name == name))
        if row is None:
            raise NodeError(f"no pinned node named {name}")
        row.status = "revoked"
        row.revoked_at = datetime.now(UTC)
        gone = session.execute(delete(DeconflictToken).where(DeconflictToken.node_id == row.id))
        count = int(getattr(gone, "rowcount", 0) or 0)
        _audit(workspace, session, actor, "deconflict.node_revoke", name, {"tokens": count})
        return count


def list_nodes(workspace: Workspace) -> list[dict[str, Any]]:
    with workspace.sessions() as session:
        rows = session.scalars(select(DeconflictNode).order_by(DeconflictNode.name))
        return [describe(row) for row in rows]


def describe(row: DeconflictNode) -> dict[str, Any]:
    return {
        "name": row.name,
        "fingerprint": row.fingerprint,
        "url": row.url,
        "status": row.status,
        "rate_per_hour": row.rate_per_hour,
    }


def find_node(session: Session, name: str) -> DeconflictNode:
    row = session.scalar(select(DeconflictNode).where(DeconflictNode.name == name))
    if row is None:
        raise NodeError(f"no pinned node named {name}")
    return row


def authenticate(
    session: Session, name: str, signature: str, method: str, path: str, body: bytes
) -> tuple[DeconflictNode, Verified]:
    """The pinned, active node that signed this request; its nonce is claimed once."""
    row = session.scalar(select(DeconflictNode).where(DeconflictNode.name == name))
    if row is None:
        raise SignatureError("unknown node")
    if row.status != "active":
        raise NodeError(f"node {name} is revoked")
    key = load_public_key(bytes.fromhex(row.public_key))
    verified = verify(key, name, signature, method, path, body)
    claim = {"node_id": row.id, "nonce": verified.nonce, "seen_at": datetime.now(UTC)}
    if _claimed(session, claim):
        raise SignatureError("nonce already used: replayed request")
    return row, verified


def _claimed(session: Session, claim: dict[str, Any]) -> bool:
    known = session.scalar(
        select(DeconflictNonce.nonce).where(
            DeconflictNonce.node_id == claim["node_id"], DeconflictNonce.nonce == claim["nonce"]
        )
    )
    if known is not None:
        return True
    insert_new(session, DeconflictNonce, [claim])  # a racing twin leaves one row: one wins
    return False


def _audit(
    workspace: Workspace,
    session: Session,
    actor: str,
    action: str,
    name: str,
    details: dict[str, Any],
) -> None:
    workspace.audit.append(
        session,
        actor=actor,
        action=action,
        object_type="deconflict_node",
        object_id=name,
        details=details,
    )
