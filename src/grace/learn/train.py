"""Train, evaluate and register a task's model from the workspace's own labels.

A quarter of the labelled rows (stratified, fixed seed) is held out: the head never sees
them, the metrics and the agencies' thresholds are measured on them, and their ids are
stored with the version so that ``evaluate`` later scores the same rows again, not ones
the model was trained on. A model that came from a federated round was trained on none of
this workspace's rows, so it is evaluated on all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from grace.learn import data
from grace.learn.head import Head, Kind, fit_head
from grace.learn.metrics import evaluate
from grace.learn.registry import load_version, register_version
from grace.learn.thresholds import load_policy, per_agency
from grace.workspace import Workspace

TASKS = ("referral_priority", "media_category")
TEST_SHARE = 0.25
STEPS = ("reading labels", "fitting and calibrating", "measuring on held-out", "registering")
Step = Callable[[str], None]


@dataclass
class TrainResult:
    task: str
    version: int
    activated: bool
    training: dict[str, Any]
    metrics: dict[str, Any]
    thresholds: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def dataset(
    workspace: Workspace,
    task: str,
    now: datetime | None = None,
    embeddings: data.Embeddings | None = None,
) -> data.Dataset:
    """The labelled rows of ``task`` as they stand in the workspace now."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}: use one of {', '.join(TASKS)}")
    with workspace.sessions() as session:
        if task == "referral_priority":
            return data.referral_priority(session, now or datetime.now(UTC))
        return data.media_category(session, embeddings)


def split(labels: list[str], seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train / held-out indices (unstratified if a class is too rare to split)."""
    from sklearn.model_selection import train_test_split  # on use: costs seconds

    index = np.arange(len(labels))
    counts = np.unique(labels, return_counts=True)[1]
    stratify = labels if len(counts) > 1 and counts.min() >= 2 else None
    train_idx, test_idx = train_test_split(
        index, test_size=TEST_SHARE, random_state=seed, stratify=stratify
    )
    return np.sort(train_idx), np.sort(test_idx)


def train(
    workspace: Workspace,
    task: str,
    *,
    kind: Kind = "logistic",
    policy: dict[str, dict[str, Any]] | None = None,
    seed: int = 0,
    activate: bool = True,
    actor: str = "system",
    now: datetime | None = None,
    embeddings: data.Embeddings | None = None,
    step: Step | None = None,
) -> TrainResult:
    """Fit, measure and register a new version of ``task``'s model (see module doc)."""
    advance = step or (lambda _: None)
    now = now or datetime.now(UTC)
    advance(STEPS[0])
    rows = dataset(workspace, task, now, embeddings)
    if len(rows.ids) < 8:
        raise ValueError(f"{task}: only {len(rows.ids)} labelled rows; need at least 8")
    train_idx, test_idx = split(rows.labels, seed)
    fit_rows, held = rows.subset(train_idx), rows.subset(test_idx)
    advance(STEPS[1])
    features = rows.features if task == "referral_priority" else []
    head = fit_head(fit_rows.x, fit_rows.labels, kind=kind, features=features, seed=seed)
    advance(STEPS[2])
    proba = head.predict_proba(held.x)
    metrics = evaluate(held.labels, proba, head.classes)
    thresholds = per_agency(policy or load_policy(), held.labels, proba, head.classes)
    training = {**rows.summary(), "train_rows": len(train_idx), "held_out_rows": len(test_idx)}
    meta = {
        **head.meta(),
        "task": task,
        "input": "triage_features" if task == "referral_priority" else "image_embedding",
        "dim": int(rows.x.shape[1]),
        "calibration": "temperature scaling (CalibratedClassifierCV, ensemble=False)",
        "reference_time": now.isoformat(),
        "seed": seed,
        "held_out": held.ids,
        "training": training,
        "thresholds": thresholds,
    }
    advance(STEPS[3])
    version = register_version(
        workspace,
        task,
        head.arrays,
        meta=meta,
        metrics=metrics,
        origin="local",
        activate=activate,
        actor=actor,
    )
    return TrainResult(task, version, activate, training, metrics, thresholds)


def evaluate_version(
    workspace: Workspace,
    task: str,
    version: int | None = None,
    *,
    now: datetime | None = None,
    embeddings: data.Embeddings | None = None,
) -> dict[str, Any]:
    """Metrics of a stored version on rows it was not trained on (see module doc)."""
    arrays, info = load_version(workspace, task, version)
    head = Head.from_registry(arrays, info)
    rows = dataset(workspace, task, now, embeddings)
    held = set(info.get("held_out") or [])
    local = info["origin"] == "local"
    pick = np.array([i for i, r in enumerate(rows.ids) if r in held or not local], dtype=np.int64)
    chosen = rows.subset(pick)
    if chosen.x.shape[1] != head.mean.shape[0] and len(pick):
        raise ValueError(f"{task} v{info['version']} expects {head.mean.shape[0]} features")
    proba = head.predict_proba(chosen.x) if len(pick) else np.zeros((0, len(head.classes)))
    return {
        "task": task,
        "version": info["version"],
        "origin": info["origin"],
        "status": info["status"],
        "evaluated_on": "held-out split" if local else "all local labels",
        "metrics": evaluate(chosen.labels, proba, head.classes),
    }
