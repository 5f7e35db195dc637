"""Held-out metrics of a head: accuracy, AUC, calibration error, per-class figures.

Scikit-learn computes the standard figures. Expected calibration error is written here
because scikit-learn has only the binary reliability curve (``calibration_curve``), not
the multiclass top-label ECE used to judge calibrated classifiers (Guo et al. 2017): with
equal-width bins, the mean |confidence - accuracy| weighted by the share in each bin.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

ECE_BINS = 10


def expected_calibration_error(
    y_true: np.ndarray, proba: np.ndarray, bins: int = ECE_BINS
) -> float:
    """Top-label ECE: ``y_true`` are column indices into ``proba`` (n, k)."""
    confidence = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


def evaluate(labels: Sequence[str], proba: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Metrics of probabilities ``proba`` (columns in ``classes`` order) against ``labels``.

    Labels of a class the model does not know count as errors for accuracy and are left out
    of AUC / log loss / ECE, which need a column to score them against.
    """
    from sklearn.metrics import accuracy_score, brier_score_loss, log_loss

    index = {c: i for i, c in enumerate(classes)}
    known = np.array([lab in index for lab in labels], dtype=bool)
    predicted = [classes[i] for i in proba.argmax(axis=1)] if len(labels) else []
    out: dict[str, Any] = {
        "n": len(labels),
        "unknown_labels": int((~known).sum()),
        "accuracy": float(accuracy_score(list(labels), predicted)) if len(labels) else None,
    }
    y = np.array([index[lab] for lab, k in zip(labels, known, strict=True) if k], dtype=np.int64)
    p = proba[known]
    present = sorted(set(y.tolist()))
    out["ece"] = expected_calibration_error(y, p) if len(y) else None
    out["log_loss"] = float(log_loss(y, p, labels=list(range(len(classes))))) if len(y) else None
    out["auc"] = _auc(y, p, present)
    out["brier_top"] = (
        float(brier_score_loss((p.argmax(axis=1) == y).astype(int), p.max(axis=1)))
        if len(y)
        else None
    )
    out["per_class"] = _per_class(list(labels), predicted, classes)
    return out


def _auc(y: np.ndarray, p: np.ndarray, present: list[int]) -> float | None:
    """Binary AUC, or the macro one-vs-rest AUC over classes present in the sample."""
    from sklearn.metrics import roc_auc_score

    if len(present) < 2:
        return None
    if p.shape[1] == 2:
        return float(roc_auc_score(y, p[:, 1]))
    scores = [roc_auc_score(y == c, p[:, c]) for c in present]
    return float(np.mean(scores))


def _per_class(
    labels: list[str], predicted: list[str], classes: Sequence[str]
) -> dict[str, dict[str, float | int]]:
    from sklearn.metrics import precision_recall_fscore_support

    if not labels:
        return {}
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predicted, labels=list(classes), zero_division=0
    )
    return {
        c: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, c in enumerate(classes)
    }
