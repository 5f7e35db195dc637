"""Between a local head and the federated layer's parameters, exactly and without pickle.

The federation trains softmax regression on ``Params = [W (d, k), b (k,)]`` (see
``grace.federation.task``); a local head is ``[mean, scale, beta, W (out, d), b]``. A
logistic head folds into federated parameters exactly, because standardising and the
temperature are both linear in the logits:

    beta * (((x - mean) / scale) @ W.T + b)  ==  x @ W_f + b_f
    W_f = (beta * W / scale).T,   b_f = beta * (b - W @ (mean / scale))

A binary head's single output ``z`` becomes the two logits ``(-z/2, z/2)``, whose softmax
is ``sigmoid(z)``. So a local model can seed a federated run, and a federated global model
comes back as a head with the same classes, stored through the same registry with its
origin ``federated:run-<id>`` so that each agency may activate, decline or roll it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from grace.learn.head import Head
from grace.learn.registry import register_version
from grace.workspace import Workspace


def params_from_head(head: Head) -> list[np.ndarray]:
    """Federated ``[W (d, k), b (k,)]`` giving the same probabilities as a logistic head."""
    if len(head.layers) != 1:
        raise ValueError("only a logistic head (one layer) maps onto federated parameters")
    w, b = head.layers[0]
    if w.shape[0] == 1:  # binary: z -> (-z/2, z/2)
        w, b = np.vstack([-w / 2, w / 2]), np.concatenate([-b / 2, b / 2])
    w_f = (head.beta * w / head.scale).T
    b_f = head.beta * (b - w @ (head.mean / head.scale))
    return [np.ascontiguousarray(w_f, dtype=np.float64), np.asarray(b_f, dtype=np.float64)]


def head_from_params(
    params: Sequence[np.ndarray], classes: Sequence[str], features: Sequence[str] = ()
) -> Head:
    """A head over raw features from federated ``[W (d, k), b (k,)]`` (identity scaler)."""
    w, b = np.asarray(params[0], dtype=np.float64), np.asarray(params[1], dtype=np.float64)
    if w.ndim != 2 or b.shape != (w.shape[1],) or w.shape[1] != len(classes):
        raise ValueError(
            f"federated parameters {w.shape}/{b.shape} do not fit {len(classes)} classes"
        )
    d = w.shape[0]
    arrays = [np.zeros(d), np.ones(d), np.array([1.0]), w.T.copy(), b.copy()]
    return Head([str(c) for c in classes], arrays, "logistic", list(features))


def register_federated(
    workspace: Workspace,
    task: str,
    params: Sequence[np.ndarray],
    *,
    classes: Sequence[str],
    run_id: str,
    metrics: dict[str, Any],
    meta: dict[str, Any] | None = None,
    activate: bool = False,
    actor: str = "federation",
) -> int:
    """Store a federated global model as a version of ``task`` (a candidate by default)."""
    head = head_from_params(params, classes, (meta or {}).get("features", ()))
    info = {**(meta or {}), **head.meta(), "task": task, "run": run_id}
    info["calibration"] = "none locally (federated softmax)"
    return register_version(
        workspace,
        task,
        head.arrays,
        meta=info,
        metrics=metrics,
        origin=f"federated:run-{run_id}",
        activate=activate,
        actor=actor,
    )
