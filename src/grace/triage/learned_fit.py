"""learned_v1's fit-time bridges to scikit-learn (imported only when a model is trained).

``rules_start`` makes boosting start from each referral's own rules_v1 log-odds;
``tree_lists`` turns a fitted regression tree into the plain lists ``LearnedV1`` scores with.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def rules_start(column: int, edge: float) -> Any:
    """Boosting's starting point: each referral's own rules_v1 probability (nothing to fit),
    so the trees learn only where the unit's decisions disagree with the rules. Built on
    first use: scikit-learn is imported only when a model is trained (CLI start-up)."""
    from sklearn.base import BaseEstimator, ClassifierMixin

    class _RulesStart(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
        def fit(self, x: Any, y: Any, sample_weight: Any = None) -> Any:
            self.classes_ = np.array([0, 1])
            return self

        def predict_proba(self, x: Any) -> Any:
            p = np.clip(np.asarray(x)[:, column], edge, 1.0 - edge)
            return np.column_stack([1.0 - p, p])

    return _RulesStart()


def tree_lists(tree: Any) -> dict[str, list[Any]]:
    """One fitted regression tree as plain lists, with every node's value set to the
    sample-weighted mean of the leaves below it (sklearn only updates leaf values after the
    boosting line search), so that path attributions add up exactly to the leaf."""
    left, right = tree.children_left.tolist(), tree.children_right.tolist()
    weight = tree.weighted_n_node_samples.tolist()
    value = [float(v) for v in tree.value[:, 0, 0]]
    for node in reversed(range(len(left))):  # children always have larger ids
        if left[node] >= 0:
            lw, rw = weight[left[node]], weight[right[node]]
            value[node] = (lw * value[left[node]] + rw * value[right[node]]) / (lw + rw)
    return {
        "feature": [int(v) for v in tree.feature],
        "threshold": [float(v) for v in tree.threshold],
        "left": left,
        "right": right,
        "value": value,
    }
