"""The coordinator: blind evaluation under rate limits, the token index, and its alerts.

What it holds is tokens (hex SHA-256 of OPRF outputs), each with its kind and the uploading
node's opaque reference; never an identifier, never a blinded element (those are random
and are not kept either). Every evaluation, upload and withdrawal is audited with counts only.
A token held by two active nodes raises one alert per side and kind; tokens of older epochs,
expired tokens and a revoked node's tokens never match.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from grace.deconflict import oprf
from grace.deconflict.canonical import KINDS, LABELS
from grace.store.deconflict_tables import (
    DeconflictAlert,
    DeconflictEpoch,
    DeconflictNode,
    DeconflictToken,
    DeconflictUsage,
)
from grace.store.locks import hold_write_lock
from grace.store.upsert import insert_new
from grace.workspace import Workspace

CHUNK = 500  # tokens per IN (...) lookup: well under SQLite's and PostgreSQL's limits


class CoordinatorError(ValueError):
    """A request the coordinator refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def setup(workspace: Workspace, actor: str) -> dict[str, Any]:
    """Create the OPRF seed and epoch 1 (idempotent); returns the current configuration."""
    created = oprf.create_seed(workspace.home)
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        if current_epoch(session) is None:
            session.add(DeconflictEpoch(epoch=1, started_at=datetime.now(UTC)))
            session.flush()
        if created:
            workspace.audit.append(
                session, actor=actor, action="deconflict.setup", object_type="deconflict",
                object_id="coordinator", details={"epoch": 1},
            )  # fmt: skip
    return config(workspace)


def current_epoch(session: Session) -> int | None:
    return session.scalar(select(func.max(DeconflictEpoch.epoch)))


def config(workspace: Workspace) -> dict[str, Any]:
    """What a node pins: the suite, the current epoch and its OPRF public key."""
    with workspace.sessions() as session:
        epoch = current_epoch(session)
    if epoch is None or not oprf.seed_path(workspace.home).exists():
        raise CoordinatorError("this workspace is not a deconfliction coordinator", 404)
    key = oprf.public_key_hex(oprf.seed_path(workspace.home), epoch)
    return {"suite": oprf.SUITE, "epoch": epoch, "public_key": key, "max_batch": oprf.MAX_BATCH}


def rotate(workspace: Workspace, actor: str) -> int:
    """Start the next epoch: older tokens are deleted, nodes re-sync under the new key."""
    with workspace.sessions.begin() as session:
        hold_write_lock(session)
        epoch = (current_epoch(session) or 0) + 1
        session.add(DeconflictEpoch(epoch=epoch, started_at=datetime.now(UTC)))
        session.execute(delete(DeconflictToken).where(DeconflictToken.epoch < epoch))
        workspace.audit.append(
            session, actor=actor, action="deconflict.rotate", object_type="deconflict",
            object_id="coordinator", details={"epoch": epoch},
        )  # fmt: skip
    return epoch


def evaluate(workspace: Workspace, session: Session, node: DeconflictNode, packed: bytes) -> bytes:
    """Evaluate a blinded batch for ``node`` within its hourly budget (audited either way)."""
    epoch = _epoch(session)
    count = len(packed) // oprf.ELEMENT
    window = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    used = session.scalar(
        select(func.coalesce(func.sum(DeconflictUsage.evaluated), 0)).where(
            DeconflictUsage.node_id == node.id, DeconflictUsage.window == window
        )
    )
    if int(used or 0) + count > node.rate_per_hour:
        raise CoordinatorError(
            f"rate limit: {node.rate_per_hour} evaluations per hour, {used} used", 429
        )
    output = oprf.evaluate(oprf.seed_path(workspace.home), epoch, packed)
    insert_new(session, DeconflictUsage, [
        {"node_id": node.id, "epoch": epoch, "window": window, "evaluated": 0}
    ])  # fmt: skip
    usage = session.get(DeconflictUsage, (node.id, epoch, window))
    if usage is not None:
        usage.evaluated += count
    _audit(workspace, session, node, "deconflict.evaluate", {"count": count, "epoch": epoch})
    return output


def record_refusal(workspace: Workspace, name: str, count: int, reason: str) -> None:
    """Audit a refused evaluation (the request's own transaction was rolled back)."""
    with workspace.sessions.begin() as session:
        workspace.audit.append(
            session, actor=f"node:{name}", action="deconflict.refused",
            object_type="deconflict_node", object_id=name,
            details={"count": count, "reason": reason},
        )  # fmt: skip


def upload(
    workspace: Workspace, session: Session, node: DeconflictNode, epoch: int, entries: list[Any]
) -> dict[str, int]:
    """Index ``node``'s tokens and raise alerts for those another node holds."""
    if epoch != _epoch(session):
        raise CoordinatorError(f"epoch {epoch} is not current: run sync again", 409)
    _cap(session, node, epoch, len(entries))
    now = datetime.now(UTC)
    session.execute(delete(DeconflictToken).where(DeconflictToken.expires_at <= now))
    rows = [_row(node, epoch, entry, now) for entry in entries]
    insert_new(session, DeconflictToken, rows)
    alerts = _match(session, node, epoch, rows, now)
    _audit(workspace, session, node, "deconflict.upload", {"tokens": len(rows), "alerts": alerts})
    return {"accepted": len(rows), "alerts": alerts}


def withdraw(workspace: Workspace, session: Session, node: DeconflictNode, refs: list[str]) -> int:
    """Delete ``node``'s tokens and alerts for the given references."""
    gone = session.execute(
        delete(DeconflictToken).where(
            DeconflictToken.node_id == node.id, DeconflictToken.ref.in_(refs)
        )
    )
    session.execute(
        delete(DeconflictAlert).where(
            or_(
                and_(DeconflictAlert.node_id == node.id, DeconflictAlert.ref.in_(refs)),
                and_(DeconflictAlert.other_node_id == node.id, DeconflictAlert.other_ref.in_(refs)),
            )
        )
    )
    count = int(getattr(gone, "rowcount", 0) or 0)
    _audit(workspace, session, node, "deconflict.withdraw", {"refs": len(refs), "tokens": count})
    return count


def alerts_for(session: Session, node: DeconflictNode, after: int = 0) -> list[dict[str, Any]]:
    """``node``'s alerts newer than id ``after``, with the other node named."""
    names = dict(session.execute(select(DeconflictNode.id, DeconflictNode.name)).all())
    rows = session.scalars(
        select(DeconflictAlert)
        .where(DeconflictAlert.node_id == node.id, DeconflictAlert.id > after)
        .order_by(DeconflictAlert.id)
    )
    return [
        {"id": a.id, "ref": a.ref, "kind": a.kind, "other_node": names.get(a.other_node_id, "?"),
         "other_ref": a.other_ref, "epoch": a.epoch, "text": notice_text(
             a.ref, a.kind, names.get(a.other_node_id, "?"), a.other_ref)}
        for a in rows
    ]  # fmt: skip


def notice_text(referral: str, kind: str, other_node: str, other_ref: str) -> str:
    """The sentence an analyst reads: the kind of identifier, never its value."""
    return (
        f"your referral {referral} shares {LABELS.get(kind, kind)} with a referral of "
        f"{other_node} (their reference {other_ref}); contact them through the usual channel"
    )


def _epoch(session: Session) -> int:
    epoch = current_epoch(session)
    if epoch is None:
        raise CoordinatorError("this workspace is not a deconfliction coordinator", 404)
    return epoch


def _cap(session: Session, node: DeconflictNode, epoch: int, adding: int) -> None:
    """A node cannot upload more tokens than it had evaluated: invented tokens cost budget."""
    evaluated = session.scalar(
        select(func.coalesce(func.sum(DeconflictUsage.evaluated), 0)).where(
            DeconflictUsage.node_id == node.id, DeconflictUsage.epoch == epoch
        )
    )
    held = session.scalar(
        select(func.count()).where(
            DeconflictToken.node_id == node.id, DeconflictToken.epoch == epoch
        )
    )
    if int(held or 0) + adding > int(evaluated or 0):
        raise CoordinatorError("more tokens than evaluations this epoch: refused", 403)


def _row(node: DeconflictNode, epoch: int, entry: Any, now: datetime) -> dict[str, Any]:
    if entry.kind not in KINDS:
        raise CoordinatorError(f"unknown identifier kind {entry.kind!r}")
    expires = min(entry.expires_at, now + timedelta(days=3660))
    return {"epoch": epoch, "token": entry.token, "node_id": node.id, "kind": entry.kind,
            "ref": entry.ref, "expires_at": expires, "added_at": now}  # fmt: skip


def _match(
    session: Session, node: DeconflictNode, epoch: int, rows: list[dict[str, Any]], now: datetime
) -> int:
    """Alerts for every (new token, other active node's holding) pair, both directions."""
    mine: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        mine[row["token"]].append((row["ref"], row["kind"]))
    tokens = list(mine)
    alerts: list[dict[str, Any]] = []
    for start in range(0, len(tokens), CHUNK):
        hits = session.execute(
            select(DeconflictToken.token, DeconflictToken.node_id, DeconflictToken.ref)
            .join(DeconflictNode, DeconflictNode.id == DeconflictToken.node_id)
            .where(
                DeconflictToken.epoch == epoch,
                DeconflictToken.token.in_(tokens[start : start + CHUNK]),
                DeconflictToken.node_id != node.id,
                DeconflictToken.expires_at > now,
                DeconflictNode.status == "active",
            )
        )
        for token, other, other_ref in hits:
            for ref, kind in mine[token]:
                base = {"kind": kind, "epoch": epoch, "created_at": now}
                alerts.append({**base, "node_id": node.id, "ref": ref,
                               "other_node_id": other, "other_ref": other_ref})  # fmt: skip
                alerts.append({**base, "node_id": other, "ref": other_ref,
                               "other_node_id": node.id, "other_ref": ref})  # fmt: skip
    insert_new(session, DeconflictAlert, alerts)
    return len(alerts) // 2


def _audit(
    workspace: Workspace, session: Session, node: DeconflictNode, action: str, details: Any
) -> None:
    workspace.audit.append(
        session, actor=f"node:{node.name}", action=action, object_type="deconflict_node",
        object_id=node.name, details=details,
    )  # fmt: skip
