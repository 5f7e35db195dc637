"""learned_v1 in the model registry: trained from labels, stored as arrays, loaded checked.

The trees and calibrations of a ``LearnedV1`` are packed into plain numeric arrays (one
``.npz``, no pickle, SHA-256 recorded and checked on every load by ``registry``); the names
that give them meaning (features, agencies) and the training set's description go to the
version's ``meta``. On load the model is rebuilt and its own digest (``model_version``,
e.g. ``2.2+m1a2b3c4``) must equal the one recorded at training, so a changed ``meta`` is
refused as surely as a changed file. The versions are managed like any other model:
``grace learn models|activate|rollback|decline learned_v1``.

Arrays, in order: tree offsets (n_trees + 1), then per node: feature, threshold, left,
right, value (all trees concatenated); global calibration ``[a, b]``; agency calibrations
``(k, 2)`` in ``meta["agencies"]`` order; ``[start_mean, learning_rate]``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import numpy as np

from grace.learn import registry, triage_labels
from grace.triage.learned import LearnedV1
from grace.triage.rules import RulesV1
from grace.workspace import Workspace

NAME = "learned_v1"
TREE_KEYS = ("feature", "threshold", "left", "right", "value")
SCALARS = ("start_mean", "learning_rate")


def to_registry(model: LearnedV1) -> tuple[list[np.ndarray], dict[str, Any]]:
    """The arrays and the meta that ``from_registry`` rebuilds ``model`` from exactly."""
    m = model._require()
    trees = m["trees"]
    offsets = np.cumsum([0, *(len(t["left"]) for t in trees)]).astype(np.int64)
    arrays: list[np.ndarray] = [offsets]
    for key in TREE_KEYS:
        kind = np.float64 if key in ("threshold", "value") else np.int64
        arrays.append(np.array([v for t in trees for v in t[key]], dtype=kind).reshape(-1))
    agencies = sorted(m.get("agency_calibration") or {})
    arrays.append(np.array([m["calibration"]["a"], m["calibration"]["b"]], dtype=np.float64))
    per = m.get("agency_calibration") or {}
    rows = [[per[g]["a"], per[g]["b"]] for g in agencies]
    arrays.append(np.array(rows, dtype=np.float64).reshape(len(agencies), 2))
    arrays.append(np.array([m[k] for k in SCALARS], dtype=np.float64))
    rest = {k: v for k, v in m.items() if k not in ("trees", "calibration", *SCALARS)}
    rest["agency_calibration"] = {g: {"labels": per[g]["labels"], "urgent": per[g]["urgent"]}
                                  for g in agencies}  # fmt: skip
    meta = {"task": NAME, "model": rest, "agencies": agencies, "model_version": model.model_version}
    return arrays, meta


def from_registry(
    arrays: list[np.ndarray], meta: dict[str, Any], rules: RulesV1 | None = None
) -> LearnedV1:
    """Rebuild a ``LearnedV1`` from a registry version, refusing any inconsistency."""
    label = f"{NAME} v{meta.get('version', '?')}"
    if len(arrays) != 9 or not isinstance(meta.get("model"), dict):
        raise registry.RegistryError(f"{label}: not a learned_v1 parameters layout")
    offsets, *nodes = arrays[:6]
    overall, agency_rows, scalars = arrays[6:]
    agencies = [str(g) for g in meta.get("agencies") or []]
    if agency_rows.shape != (len(agencies), 2) or overall.shape != (2,) or scalars.shape != (2,):
        raise registry.RegistryError(f"{label}: calibration arrays do not match the agencies")
    model = dict(meta["model"])
    trees = []
    for start, end in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        trees.append({k: nodes[i][start:end].tolist() for i, k in enumerate(TREE_KEYS)})
    model["trees"] = trees
    model["calibration"] = {"a": float(overall[0]), "b": float(overall[1])}
    counts = model.get("agency_calibration") or {}
    model["agency_calibration"] = {
        g: {"a": float(r[0]), "b": float(r[1]), **counts.get(g, {})}
        for g, r in zip(agencies, agency_rows, strict=True)
    }
    model.update({k: float(v) for k, v in zip(SCALARS, scalars.tolist(), strict=True)})
    try:
        out = LearnedV1.from_json(_canonical(model), rules)
    except (ValueError, KeyError, TypeError) as exc:
        raise registry.RegistryError(f"{label}: {exc}") from exc
    if out.model_version != meta.get("model_version"):
        raise registry.RegistryError(
            f"{label}: rebuilt model {out.model_version} is not the trained "
            f"{meta.get('model_version')} (meta altered?): refused"
        )
    return out


def _canonical(model: dict[str, Any]) -> str:
    return json.dumps(model, sort_keys=True, separators=(",", ":"))


def load(
    workspace: Workspace, version: int | None = None, rules: RulesV1 | None = None
) -> tuple[LearnedV1, dict[str, Any]] | None:
    """The active (or a given) version, digest-checked; None when none is active."""
    try:
        arrays, info = registry.load_version(workspace, NAME, version)
    except registry.RegistryError as exc:
        if version is None and "no active version" in str(exc):
            return None
        raise
    return from_registry(arrays, info, rules), info


def train(
    workspace: Workspace,
    now: datetime | None = None,
    actor: str = "system",
    *,
    activate: bool = True,
    force: bool = False,
) -> dict[str, Any] | None:
    """Fit on every label (decisions and outcomes) and register a version.

    Returns the registration (version, activated, training) or None when nothing was
    registered: too few labels of a kind, or (unless ``force``) the same labels as the
    latest version, so that a triage run does not undo a ``grace learn rollback``.
    """
    from grace.triage.blend import MIN_DECISIONS
    from grace.triage.inputs import triage_inputs

    now = now or datetime.now(UTC)
    with workspace.sessions() as session:
        examples = triage_labels.gather(session)
    training = triage_labels.summary(examples)
    latest = registry.list_versions(workspace, NAME)
    if not force and latest and _same(latest[-1].training, training):
        return None
    if len(examples) < MIN_DECISIONS and not force:
        return None
    by_id = {e.referral_id: e for e in examples}
    with workspace.sessions() as session:
        items = list(triage_inputs(session, now, sorted(by_id)))
    ordered = [by_id[int(it.referral_id or 0)] for it in items]
    rules = RulesV1()
    try:
        model = LearnedV1(rules).fit(
            items, [e.label for e in ordered], [triage_labels.source_key(e) for e in ordered]
        )
    except ValueError:
        if force:
            raise
        return None  # e.g. no urgent label yet: triage stays with the rules
    arrays, meta = to_registry(model)
    meta.update(
        reference_time=now.isoformat(),
        examples=[e.to_row() for e in ordered],
        training=training,
        label_rules={k: list(v) for k, v in triage_labels.OUTCOME_RULES.items()},
    )
    held = model._require()["out_of_fold_log_loss"]
    ranked = model._require().get("out_of_fold_average_precision")
    metrics = {
        "out_of_fold_log_loss": held,
        "out_of_fold_average_precision": ranked,
        "labels": training["labels"],
    }
    version = registry.register_version(
        workspace, NAME, arrays, meta=meta, metrics=metrics, origin="local",
        activate=activate, actor=actor,
    )  # fmt: skip
    return {"version": version, "activated": activate, "training": training, "metrics": metrics}


def _same(previous: dict[str, Any], now: dict[str, Any]) -> bool:
    return bool(previous.get("labels_sha256")) and previous["labels_sha256"] == now["labels_sha256"]
