"""The coordinator: blind evaluation under rate limits, the token index, and its alerts.

What it holds is tokens (hex SHA-256 of OPRF outputs), each with its kind and the uploading
node's opaque reference; never an identifier, never a blinded element (those are random
and are not kept either). Every evaluation, upload and withdrawal is audited with counts only.
A token held by two active nodes raises one alert per side and kind; tokens of older epochs,
expired tokens and a revoked node's tokens never match.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session, aliased

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
    epoch = admit(workspace, session, node, oprf.check_batch(packed))
    return oprf.evaluate(oprf.seed_path(workspace.home), epoch, packed)


def admit(workspace: Workspace, session: Session, node: DeconflictNode, count: int) -> int:
    """Count an evaluation of ``count`` elements against ``node``'s hourly budget and audit
    it; returns the epoch to evaluate under. The curve work itself can then run outside
    the transaction (and its write lock), on another core: ``grace.deconflict.pool``."""
    epoch = _epoch(session)
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
    insert_new(session, DeconflictUsage, [
        {"node_id": node.id, "epoch": epoch, "window": window, "evaluated": 0}
    ])  # fmt: skip
    usage = session.get(DeconflictUsage, (node.id, epoch, window))
    if usage is not None:
        usage.evaluated += count
    _audit(workspace, session, node, "deconflict.evaluate", {"count": count, "epoch": epoch})
    return epoch


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
    """Index ``node``'s tokens and raise alerts for those another node holds.

    Lean on purpose (1 M tokens should index in seconds, not minutes): one multi-row
    ``INSERT ... ON CONFLICT DO NOTHING`` through the driver with the timestamps converted
    once, then one set-based query that joins the rows just inserted (ids above the
    newest before this upload; the write lock keeps other uploads out meanwhile) to every
    other active node's holding of the same token.
    """
    if epoch != _epoch(session):
        raise CoordinatorError(f"epoch {epoch} is not current: run sync again", 409)
    hold_write_lock(session)
    _cap(session, node, epoch, len(entries))
    now = datetime.now(UTC)
    session.execute(delete(DeconflictToken).where(DeconflictToken.expires_at <= now))
    before = session.scalar(select(func.coalesce(func.max(DeconflictToken.id), 0)))
    _insert(session, _rows(session, node, epoch, entries, now))
    alerts = _match(session, node, epoch, int(before or 0), now)
    details = {"tokens": len(entries), "alerts": alerts}
    _audit(workspace, session, node, "deconflict.upload", details)
    return {"accepted": len(entries), "alerts": alerts}


COLUMNS = "epoch, token, node_id, kind, ref, expires_at, added_at"


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


def _insert(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """``INSERT ... ON CONFLICT DO NOTHING`` through the driver's own executemany."""
    connection = session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    values = ", ".join([mark] * len(COLUMNS.split(", ")))
    statement = (
        f"INSERT INTO deconflict_tokens ({COLUMNS}) VALUES ({values}) ON CONFLICT DO NOTHING"
    )
    connection.exec_driver_sql(statement, rows)


def _rows(
    session: Session, node: DeconflictNode, epoch: int, entries: list[Any], now: datetime
) -> list[tuple[Any, ...]]:
    """Driver-ready rows: each distinct timestamp converted once (SQLite stores text)."""
    dialect = session.get_bind().dialect
    column_type = DeconflictToken.__table__.c.expires_at.type
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    convert: Callable[[datetime], Any] = processor or (lambda value: value)
    cache: dict[datetime, Any] = {}
    added = convert(now)
    latest = now + timedelta(days=3660)
    rows = []
    for entry in entries:
        if entry.kind not in KINDS:
            raise CoordinatorError(f"unknown identifier kind {entry.kind!r}")
        expires = entry.expires_at
        if expires not in cache:
            cache[expires] = convert(min(expires, latest))
        rows.append((epoch, entry.token, node.id, entry.kind, entry.ref, cache[expires], added))
    return rows


def _match(session: Session, node: DeconflictNode, epoch: int, before: int, now: datetime) -> int:
    """Alerts for every (new token, other active node's holding) pair, both directions."""
    mine = aliased(DeconflictToken)
    hits = session.execute(
        select(mine.ref, mine.kind, DeconflictToken.node_id, DeconflictToken.ref)
        .join(
            DeconflictToken,
            and_(DeconflictToken.epoch == mine.epoch, DeconflictToken.token == mine.token),
        )
        .join(DeconflictNode, DeconflictNode.id == DeconflictToken.node_id)
        .where(
            mine.id > before,
            mine.node_id == node.id,
            DeconflictToken.node_id != node.id,
            DeconflictToken.expires_at > now,
            DeconflictNode.status == "active",
        )
    )
    alerts: list[dict[str, Any]] = []
    for ref, kind, other, other_ref in hits:
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
