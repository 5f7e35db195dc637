"""Each party's own record of a federated run: database rows, audit events, registry.

The coordinator records who took part, the per-round metrics and the model version the run
produced; each agency records that it took part, what it sent (array shapes and byte counts
only, never values) and the global model it received, which enters its registry as a
candidate it may activate, decline or roll back. Flower's processes never see a grace
database: these functions run in the party's own process against its own workspace.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.store.fl_tables import FlRound, FlRun
from grace.workspace import Workspace

MODEL_NAME = "federated_head"


def _run_row(session: Session, run_id: str, role: str, **create: Any) -> FlRun:
    row = session.scalar(select(FlRun).where(FlRun.flower_run_id == run_id, FlRun.role == role))
    if row is None:
        row = FlRun(
            flower_run_id=run_id,
            role=role,
            status="running",
            started_at=datetime.now(UTC),
            participants=[],
            metrics={},
            **create,
        )
        session.add(row)
        session.flush()
    return row


def _run_fields(run_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "strategy": str(run_config.get("strategy", "fedavg")),
        "secagg": bool(run_config.get("secagg", False)),
        "num_rounds": int(run_config.get("num-rounds", 0)),
        "config": {k: v for k, v in run_config.items() if k != "output-dir"},
    }


def record_participation(
    home: Path,
    *,
    agency: str,
    run_id: str,
    run_config: dict[str, Any],
    server_round: int,
    phase: str,
    sent: dict[str, Any],
) -> None:
    """An agency notes, in its own workspace, that it sent an update in this round."""
    workspace = Workspace.open(home)
    try:
        with workspace.sessions.begin() as session:
            run = _run_row(session, run_id, "participant", agency=agency, **_run_fields(run_config))
            session.add(
                FlRound(
                    run_id=run.id,
                    round=server_round,
                    phase=phase,
                    at=datetime.now(UTC),
                    participants=[],
                    metrics={},
                    sent=sent,
                )
            )
            workspace.audit.append(
                session,
                actor=f"federation:{agency or 'agency'}",
                action="fl_participate",
                object_type="fl_run",
                object_id=run_id,
                details={"round": server_round, "phase": phase, "sent": sent},
            )
        workspace.audit.save_anchor()
    finally:
        workspace.close()


def _register(
    workspace: Workspace, run_id: str, params: list[np.ndarray], meta: dict[str, Any],
    metrics: dict[str, Any], actor: str,
) -> int:  # fmt: skip
    """Through the learn registry as a head grace can evaluate and predict with (a candidate:
    each agency decides whether to activate, decline or roll it back).

    Labels are the class indices the federation trained on (``[W (d, k), b (k,)]``), so the
    class names are ``"0" .. "k-1"``, the same in every party.
    """
    # Imported here: it pulls in scikit-learn (~2 s), and every fit message in an agency
    # starts a fresh process that records its participation but registers nothing.
    from grace.learn.federated import register_federated

    classes = [str(i) for i in range(int(np.asarray(params[-1]).shape[0]))]
    return register_federated(
        workspace, MODEL_NAME, params, classes=classes, run_id=run_id, metrics=metrics,
        meta=meta, activate=False, actor=actor,
    )  # fmt: skip


def digest(params: list[np.ndarray]) -> str:
    """SHA-256 over the arrays' dtypes, shapes and bytes: the same model, the same digest."""
    h = hashlib.sha256()
    for p in params:
        arr = np.ascontiguousarray(p)
        h.update(f"{arr.dtype.str}{arr.shape}".encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def receive_global_model(
    home: Path,
    *,
    agency: str,
    run_id: str,
    run_config: dict[str, Any],
    params: list[np.ndarray],
    metrics: dict[str, float],
) -> int | None:
    """An agency stores the final global model of a run as a registry candidate."""
    workspace = Workspace.open(home)
    actor = f"federation:{agency or 'agency'}"
    try:
        with workspace.sessions.begin() as session:
            if session.scalar(
                select(FlRun.model_version).where(
                    FlRun.flower_run_id == run_id, FlRun.role == "participant"
                )
            ):
                return None  # already received (Flower may deliver a message twice)
        meta = {"task": "federated", "run": run_id, "agency": agency}
        version = _register(workspace, run_id, params, meta, metrics, actor)
        with workspace.sessions.begin() as session:
            run = _run_row(session, run_id, "participant", agency=agency, **_run_fields(run_config))
            run.status, run.finished_at = "finished", datetime.now(UTC)
            run.metrics = {"local_validation": metrics}
            run.model_name, run.model_version = MODEL_NAME, version
            run.model_sha256 = digest(params)
            workspace.audit.append(
                session,
                actor=actor,
                action="fl_receive_model",
                object_type="fl_run",
                object_id=run_id,
                details={"model": MODEL_NAME, "version": version, "sha256": run.model_sha256},
            )
        workspace.audit.save_anchor()
        return version
    finally:
        workspace.close()


def record_coordinator_run(
    workspace: Workspace, record: dict[str, Any], *, actor: str, seconds: float
) -> FlRun:
    """The coordinator's record of a finished run, from the ServerApp's ``record.json``
    and ``global.npz`` in its own output folder; the model goes to its registry."""
    run_id = str(record["run_id"])
    folder = Path(str(record["output_dir"]))
    with np.load(folder / "global.npz", allow_pickle=False) as npz:
        params = [np.asarray(npz[k]) for k in sorted(npz.files, key=lambda k: int(k[4:]))]
    final = record.get("rounds", [])[-1:] or [{}]
    version = _register(
        workspace, run_id, params, {"task": "federated", "run": run_id},
        dict(final[0].get("evaluate", {}).get("metrics", {})), actor,
    )  # fmt: skip
    with workspace.sessions.begin() as session:
        run = _run_row(session, run_id, "coordinator", **_run_fields(record.get("config", {})))
        run.status, run.finished_at, run.seconds = "finished", datetime.now(UTC), seconds
        run.started_at = run.finished_at - timedelta(seconds=seconds)  # recorded at the end
        run.participants = sorted(record.get("participants", []))
        run.metrics = {"history": record.get("history", {})}
        run.model_name, run.model_version, run.model_sha256 = MODEL_NAME, version, digest(params)
        for item in record.get("rounds", []):
            for phase in ("fit", "evaluate"):
                part = item.get(phase) or {}
                session.add(
                    FlRound(
                        run_id=run.id, round=int(item["round"]), phase=phase,
                        at=datetime.now(UTC), participants=list(part.get("participants", [])),
                        metrics=dict(part.get("metrics", {})), sent={},
                    )
                )  # fmt: skip
        workspace.audit.append(
            session,
            actor=actor,
            action="fl_run",
            object_type="fl_run",
            object_id=run_id,
            details={
                "participants": run.participants,
                "rounds": run.num_rounds,
                "metrics": {
                    str(item["round"]): (item.get("evaluate") or {}).get("metrics", {})
                    for item in record.get("rounds", [])
                },
                "strategy": run.strategy,
                "secagg": run.secagg,
                "model": MODEL_NAME,
                "version": version,
                "sha256": run.model_sha256,
            },
        )
        session.flush()
        session.expunge(run)
    workspace.audit.save_anchor()
    return run
