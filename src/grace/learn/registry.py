"""The versioned model registry: register, load (digest-checked), activate, roll back, decline.

A model version is a list of plain numeric arrays (coefficients, intercepts, scaler,
calibration parameters), the same ``list[np.ndarray]`` the federated layer exchanges.
They are saved as one ``.npz`` under ``<home>/models/<name>/`` with ``allow_pickle=False``
both ways, because a model file may come from another agency (a federated round) and a
pickle would let it run code here. The file's SHA-256 is recorded in the database and
checked on every load, so a parameters file altered on disk is refused, not silently used.
Every change of state (register, activate, rollback, decline) is written to the audit
trail in the same transaction, because which model ranked a referral is evidence too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grace.learn.params_file import MODELS_DIR as MODELS_DIR
from grace.learn.params_file import RegistryError as RegistryError
from grace.learn.params_file import encode, read_checked, write_new
from grace.store.learn_tables import LearnedModel
from grace.workspace import Workspace

NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
ORIGIN = re.compile(r"^(local|federated:run-[A-Za-z0-9_.-]{1,80})$")


@dataclass(frozen=True)
class VersionInfo:
    """What the registry knows about one version (everything but the arrays)."""

    name: str
    version: int
    origin: str
    status: str
    created_at: str
    actor: str
    activated_at: str | None
    training: dict[str, Any]
    metrics: dict[str, Any]
    thresholds: dict[str, Any]
    meta: dict[str, Any]
    params_path: str
    params_sha256: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def register_version(
    workspace: Workspace,
    name: str,
    arrays: list[np.ndarray],
    *,
    meta: dict[str, Any],
    metrics: dict[str, Any],
    origin: str,
    activate: bool = False,
    actor: str = "system",
) -> int:
    """Store a new version of ``name``; its number. ``meta["training"]`` and
    ``meta["thresholds"]`` (optional) go to their own columns, the rest stays in ``meta``."""
    _check_name(name)
    if not ORIGIN.match(origin):
        raise RegistryError(f"origin {origin!r} must be 'local' or 'federated:run-<id>'")
    data, digest = encode(arrays)
    rest = {k: v for k, v in meta.items() if k not in ("training", "thresholds")}
    with workspace.sessions.begin() as session:
        number = (session.scalar(select(func.max(LearnedModel.version)).where(
            LearnedModel.name == name)) or 0) + 1  # fmt: skip
        rel = f"{MODELS_DIR}/{name}/v{number}-{digest[:12]}.npz"
        write_new(workspace.home / rel, data)
        try:
            row = LearnedModel(
                name=name,
                version=number,
                created_at=datetime.now(UTC),
                actor=actor,
                origin=origin,
                status="candidate",
                training=dict(meta.get("training") or {}),
                metrics=dict(metrics),
                thresholds=dict(meta.get("thresholds") or {}),
                meta=rest,
                params_path=rel,
                params_sha256=digest,
            )
            session.add(row)
            session.flush()
            _audit(workspace, session, actor, "model_register", row, {"origin": origin})
            if activate:
                _make_active(workspace, session, row, actor, "model_activate")
        except Exception:
            (workspace.home / rel).unlink(missing_ok=True)
            raise
    workspace.audit.save_anchor()
    return number


def load_version(
    workspace: Workspace, name: str, version: int | None = None
) -> tuple[list[np.ndarray], dict[str, Any]]:
    """The arrays and description of a version (the active one if ``version`` is None).

    The description is ``meta`` as registered plus the registry's own keys: name, version,
    origin, status, created_at, metrics, training, thresholds, sha256.
    """
    with workspace.sessions() as session:
        row = _find(session, name, version)
        info = _info(row)
    label = f"{name} v{info.version}"
    arrays = read_checked(workspace.home, info.params_path, info.params_sha256, label)
    description = dict(info.meta)
    description.update(
        name=info.name,
        version=info.version,
        origin=info.origin,
        status=info.status,
        created_at=info.created_at,
        metrics=info.metrics,
        training=info.training,
        thresholds=info.thresholds,
        sha256=info.params_sha256,
    )
    return arrays, description


def activate(workspace: Workspace, name: str, version: int, actor: str = "system") -> None:
    """Put ``version`` in use; the version it replaces is retired (audited)."""
    with workspace.sessions.begin() as session:
        row = _find(session, name, version)
        if row.status != "active":
            _make_active(workspace, session, row, actor, "model_activate")
    workspace.audit.save_anchor()


def rollback(workspace: Workspace, name: str, actor: str = "system") -> int:
    """Take the active version out of use and restore the one in use before it; its number."""
    with workspace.sessions.begin() as session:
        current = _find(session, name, None)
        target = _previous(session, current)
        if target is None:
            raise RegistryError(f"{name}: no earlier version to roll back to")
        current.rolled_back_at = datetime.now(UTC)
        _make_active(workspace, session, target, actor, "model_rollback", current.version)
        number = target.version
    workspace.audit.save_anchor()
    return number


def decline(
    workspace: Workspace, name: str, version: int, actor: str = "system", reason: str = ""
) -> int | None:
    """Refuse a version (e.g. a federated model this agency does not accept).

    A declined active version is rolled back to the one before it (if any); returns the
    version now active, or None when none is.
    """
    with workspace.sessions.begin() as session:
        row = _find(session, name, version)
        now_active: int | None = None
        if row.status == "active":
            target = _previous(session, row)
            if target is not None:
                _make_active(workspace, session, target, actor, "model_rollback", row.version)
                now_active = target.version
            row.rolled_back_at = datetime.now(UTC)
        else:
            active = _active(session, name)
            now_active = active.version if active else None
        row.status = "declined"
        _audit(workspace, session, actor, "model_decline", row, {"reason": reason})
    workspace.audit.save_anchor()
    return now_active


def list_versions(workspace: Workspace, name: str | None = None) -> list[VersionInfo]:
    """Every version (of one model, or of all), by name then version."""
    with workspace.sessions() as session:
        query = select(LearnedModel).order_by(LearnedModel.name, LearnedModel.version)
        if name is not None:
            query = query.where(LearnedModel.name == name)
        return [_info(row) for row in session.scalars(query)]


def active_version(workspace: Workspace, name: str) -> int | None:
    """The number of the version in use, or None."""
    with workspace.sessions() as session:
        row = _active(session, name)
        return row.version if row else None


def _check_name(name: str) -> None:
    if not NAME.match(name):
        raise RegistryError(f"model name {name!r} must be lower-case letters, digits and _")


def _find(session: Session, name: str, version: int | None) -> LearnedModel:
    _check_name(name)
    if version is None:
        row = _active(session, name)
        if row is None:
            raise RegistryError(f"{name}: no active version (train one or `grace learn activate`)")
        return row
    row = session.scalars(
        select(LearnedModel).where(LearnedModel.name == name, LearnedModel.version == version)
    ).first()
    if row is None:
        raise RegistryError(f"{name}: no version {version}")
    return row


def _active(session: Session, name: str) -> LearnedModel | None:
    query = select(LearnedModel).where(LearnedModel.name == name, LearnedModel.status == "active")
    return session.scalars(query).first()


def _previous(session: Session, current: LearnedModel) -> LearnedModel | None:
    """The most recently activated other version not declined nor itself rolled back."""
    query = (
        select(LearnedModel)
        .where(
            LearnedModel.name == current.name,
            LearnedModel.id != current.id,
            LearnedModel.activated_at.is_not(None),
            LearnedModel.rolled_back_at.is_(None),
            LearnedModel.status != "declined",
        )
        .order_by(LearnedModel.activated_at.desc(), LearnedModel.version.desc())
    )
    return session.scalars(query).first()


def _make_active(
    workspace: Workspace,
    session: Session,
    row: LearnedModel,
    actor: str,
    action: str,
    replaced: int | None = None,
) -> None:
    old = _active(session, row.name)
    if old is not None and old.id != row.id:
        old.status = "retired"
        replaced = replaced or old.version
    row.status = "active"
    row.activated_at = datetime.now(UTC)
    row.rolled_back_at = None
    session.flush()
    _audit(workspace, session, actor, action, row, {"replaced": replaced})


def _audit(
    workspace: Workspace,
    session: Session,
    actor: str,
    action: str,
    row: LearnedModel,
    extra: dict[str, Any],
) -> None:
    details = {"name": row.name, "version": row.version, "sha256": row.params_sha256, **extra}
    workspace.audit.append(
        session,
        actor=actor,
        action=action,
        object_type="learned_model",
        object_id=f"{row.name}:v{row.version}",
        details=details,
    )


def _info(row: LearnedModel) -> VersionInfo:
    return VersionInfo(
        name=row.name,
        version=row.version,
        origin=row.origin,
        status=row.status,
        created_at=row.created_at.isoformat(),
        actor=row.actor,
        activated_at=row.activated_at.isoformat() if row.activated_at else None,
        training=dict(row.training),
        metrics=dict(row.metrics),
        thresholds=dict(row.thresholds),
        meta=dict(row.meta),
        params_path=row.params_path,
        params_sha256=row.params_sha256,
    )
