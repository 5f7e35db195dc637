"""The model registry on every backend: round trip, tamper refusal, lifecycle, audit trail."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select

from grace.learn.registry import (
    RegistryError,
    activate,
    active_version,
    decline,
    list_versions,
    load_version,
    register_version,
    rollback,
)
from grace.store.tables import AuditEvent
from grace.workspace import Workspace


def _arrays(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 4)), rng.normal(size=3).astype(np.float32), np.arange(4)]


def _register(ws: Workspace, seed: int, **kw: object) -> int:
    return register_version(
        ws,
        "media_category",
        _arrays(seed),
        meta={"task": "media_category", "training": {"counts": {"a": 3}}, "thresholds": {"X": 0.5}},
        metrics={"accuracy": 0.9},
        origin=str(kw.pop("origin", "local")),
        **kw,  # type: ignore[arg-type]
    )


def test_round_trip_keeps_arrays_and_description(workspace: Workspace) -> None:
    version = _register(workspace, 1, activate=True)
    arrays, info = load_version(workspace, "media_category")
    assert version == 1
    for got, want in zip(arrays, _arrays(1), strict=True):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    assert info["version"] == 1 and info["status"] == "active" and info["task"] == "media_category"
    assert info["training"] == {"counts": {"a": 3}} and info["thresholds"] == {"X": 0.5}
    assert info["metrics"] == {"accuracy": 0.9} and len(info["sha256"]) == 64
    assert (workspace.home / "models" / "media_category").is_dir()


def test_a_modified_parameters_file_is_refused(workspace: Workspace) -> None:
    _register(workspace, 1, activate=True)
    path = workspace.home / list_versions(workspace, "media_category")[0].params_path
    data = bytearray(path.read_bytes())
    data[-30] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(RegistryError, match="SHA-256"):
        load_version(workspace, "media_category")


def test_object_arrays_and_bad_names_are_refused(workspace: Workspace) -> None:
    with pytest.raises(RegistryError, match="numeric"):
        register_version(
            workspace,
            "m",
            [np.array([{"a": 1}], dtype=object)],
            meta={},
            metrics={},
            origin="local",
        )
    with pytest.raises(RegistryError, match="model name"):
        register_version(workspace, "../x", [np.zeros(2)], meta={}, metrics={}, origin="local")
    with pytest.raises(RegistryError, match="origin"):
        register_version(workspace, "m", [np.zeros(2)], meta={}, metrics={}, origin="elsewhere")
    assert list_versions(workspace) == []


def test_activate_rollback_decline_and_their_audit(workspace: Workspace) -> None:
    assert _register(workspace, 1, activate=True) == 1
    assert _register(workspace, 2, activate=True) == 2
    assert _register(workspace, 3, origin="federated:run-7") == 3
    assert active_version(workspace, "media_category") == 2
    assert [v.status for v in list_versions(workspace)] == ["retired", "active", "candidate"]

    activate(workspace, "media_category", 3)
    assert active_version(workspace, "media_category") == 3
    assert decline(workspace, "media_category", 3, reason="not accepted") == 2
    assert rollback(workspace, "media_category") == 1
    with pytest.raises(RegistryError, match="no earlier version"):
        rollback(workspace, "media_category")
    statuses = {v.version: v.status for v in list_versions(workspace, "media_category")}
    assert statuses == {1: "active", 2: "retired", 3: "declined"}
    arrays, _ = load_version(workspace, "media_category")
    assert np.array_equal(arrays[0], _arrays(1)[0])

    with workspace.sessions() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "learned_model")
            .order_by(AuditEvent.seq)
        ).all()
        actions = [(e.action, e.object_id) for e in events]
        assert workspace.audit.verify(session).ok
    assert actions == [
        ("model_register", "media_category:v1"),
        ("model_activate", "media_category:v1"),
        ("model_register", "media_category:v2"),
        ("model_activate", "media_category:v2"),
        ("model_register", "media_category:v3"),
        ("model_activate", "media_category:v3"),
        ("model_rollback", "media_category:v2"),
        ("model_decline", "media_category:v3"),
        ("model_rollback", "media_category:v1"),
    ]


def test_load_without_active_version_explains(workspace: Workspace) -> None:
    _register(workspace, 1)
    with pytest.raises(RegistryError, match="no active version"):
        load_version(workspace, "media_category")
    arrays, info = load_version(workspace, "media_category", 1)
    assert info["status"] == "candidate" and len(arrays) == 3


def test_a_federated_model_arrives_as_a_candidate_and_can_be_declined(
    workspace: Workspace,
) -> None:
    from grace.learn.federated import register_federated
    from grace.learn.predict import Predictor

    _register(workspace, 1, activate=True)
    params = [np.array([[1.0, -1.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), np.zeros(2)]
    version = register_federated(
        workspace, "media_category", params, classes=["a", "b"], run_id="42", metrics={}
    )
    latest = list_versions(workspace, "media_category")[-1]
    assert (version, latest.origin, latest.status) == (2, "federated:run-42", "candidate")
    activate(workspace, "media_category", 2)
    seen = Predictor.load(workspace, "media_category").predict("x", np.array([2.0, 0, 0, 0]))
    assert seen.top == "a" and seen.probabilities["a"] == pytest.approx(0.982, abs=1e-3)
    assert decline(workspace, "media_category", 2, reason="not ours") == 1
