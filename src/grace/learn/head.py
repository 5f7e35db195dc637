"""A calibrated classifier head, fitted with scikit-learn and kept as plain arrays.

Fit: features standardised, then ``LogisticRegression`` (or a small ``MLPClassifier``)
inside ``CalibratedClassifierCV(method="temperature", ensemble=False)``: the classifier is
fitted on all the training data and one temperature is fitted on its cross-validated
logits. Temperature scaling was chosen over Platt/isotonic because it has one parameter
for any number of classes (sigmoid/isotonic fit one curve per class and renormalise), it
keeps the ranking of the classifier unchanged, and a single number is easy to exchange and
average in a federated round.

Export: ``[mean, scale, beta, W1, b1, ..., Wn, bn]``: the scaler, the inverse temperature
and each layer (``W`` is ``(out, in)``, hidden layers ReLU). Binary heads have one output
``z`` and ``P(class 1) = sigmoid(beta * z)``; others ``softmax(beta * z)`` (a federated
head has one output per class even for two classes).
Prediction is reimplemented from those arrays with numpy, so a stored or federated model
is used without unpickling anything, and the test checks it matches scikit-learn exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:  # scikit-learn is imported where a head is fitted: it costs seconds
    from sklearn.calibration import CalibratedClassifierCV

Kind = Literal["logistic", "mlp"]
MIN_PER_CLASS = 3  # cross-validated calibration needs a few examples of every class


@dataclass
class Head:
    """A fitted head: class names, feature names and the exported arrays."""

    classes: list[str]
    arrays: list[np.ndarray]
    kind: Kind = "logistic"
    features: list[str] = field(default_factory=list)

    @property
    def mean(self) -> np.ndarray:
        return self.arrays[0]

    @property
    def scale(self) -> np.ndarray:
        return self.arrays[1]

    @property
    def beta(self) -> float:
        return float(self.arrays[2][0])

    @property
    def layers(self) -> list[tuple[np.ndarray, np.ndarray]]:
        rest = self.arrays[3:]
        return [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]

    def logits(self, x: np.ndarray) -> np.ndarray:
        """The output layer's raw values ``z`` (n, 1 or k) before calibration."""
        h = (np.asarray(x, dtype=np.float64) - self.mean) / self.scale
        layers = self.layers
        for i, (w, b) in enumerate(layers):
            h = h @ w.T + b
            if i < len(layers) - 1:
                h = np.maximum(h, 0.0)
        return np.asarray(h, dtype=np.float64)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities (n, k), columns in ``classes`` order."""
        z = self.beta * self.logits(np.atleast_2d(x))
        if z.shape[1] == 1:
            p1 = 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -500, 500)))
            return np.column_stack([1.0 - p1, p1])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def meta(self) -> dict[str, Any]:
        """What the registry keeps beside the arrays to use them again."""
        return {"classes": self.classes, "features": self.features, "head": self.kind}

    @classmethod
    def from_registry(cls, arrays: list[np.ndarray], meta: dict[str, Any]) -> Head:
        """Rebuild from ``registry.load_version`` output, checking the layout fits."""
        classes = [str(c) for c in meta.get("classes", [])]
        head = cls(
            classes, list(arrays), meta.get("head", "logistic"), list(meta.get("features", []))
        )
        _check_layout(head)
        return head


def fit_head(
    x: np.ndarray,
    y: Sequence[str],
    *,
    kind: Kind = "logistic",
    features: Sequence[str] = (),
    seed: int = 0,
    hidden: int = 32,
) -> Head:
    """Fit and calibrate a head on features ``x`` (n, d) and string labels ``y``."""
    return fit_with_estimator(x, y, kind=kind, features=features, seed=seed, hidden=hidden)[0]


def fit_with_estimator(
    x: np.ndarray,
    y: Sequence[str],
    *,
    kind: Kind = "logistic",
    features: Sequence[str] = (),
    seed: int = 0,
    hidden: int = 32,
) -> tuple[Head, CalibratedClassifierCV]:
    """``fit_head`` and the scikit-learn estimator it exported (to check the export)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier

    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray([str(v) for v in y])
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or counts.min() < MIN_PER_CLASS:
        seen = dict(zip(classes.tolist(), counts.tolist(), strict=True))
        raise ValueError(f"need 2+ classes with {MIN_PER_CLASS}+ examples each (have {seen})")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    # a feature constant in training (up to rounding) carries no information: dividing by
    # its ~1e-17 spread would turn any later drift (e.g. recency) into a huge push
    scale[scale < 1e-9 * (1.0 + np.abs(mean))] = 1.0
    z = (x - mean) / scale
    target = np.searchsorted(classes, labels)  # temperature scaling wants encoded labels
    base: LogisticRegression | MLPClassifier
    if kind == "logistic":
        base = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    else:
        # L-BFGS: scikit-learn's advice for small data sets, and far faster than Adam there
        base = MLPClassifier(
            hidden_layer_sizes=(hidden,),
            solver="lbfgs",
            alpha=1e-2,
            max_iter=300,
            random_state=seed,
        )
    calibrated = CalibratedClassifierCV(
        base, method="temperature", ensemble=False, cv=min(3, int(counts.min()))
    )
    calibrated.fit(z, target)
    fitted = calibrated.calibrated_classifiers_[0]
    beta = float(fitted.calibrators[0].beta_)
    layers = _layers(fitted.estimator)
    if layers[-1][0].shape[0] == 1 and kind == "logistic":
        beta *= 2.0  # sklearn turns a binary decision z into logits (-z, z): see module doc
    arrays = [mean, scale, np.array([beta])]
    for w, b in layers:
        arrays += [w, b]
    return Head([str(c) for c in classes], arrays, kind, list(features)), calibrated


def _layers(estimator: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer as ``(W (out, in), b (out,))`` whatever scikit-learn's own layout."""
    from sklearn.linear_model import LogisticRegression

    if isinstance(estimator, LogisticRegression):
        return [(np.array(estimator.coef_), np.array(estimator.intercept_))]
    return [
        (np.array(w).T, np.array(b))
        for w, b in zip(estimator.coefs_, estimator.intercepts_, strict=True)
    ]


def _check_layout(head: Head) -> None:
    a = head.arrays
    if len(a) < 5 or len(a) % 2 == 0 or a[2].shape != (1,):
        raise ValueError("head arrays must be [mean, scale, beta, W1, b1, ...]")
    width = a[0].shape[0]
    for w, b in head.layers:
        if w.ndim != 2 or w.shape[1] != width or b.shape != (w.shape[0],):
            raise ValueError(f"head layer shapes do not chain: {w.shape} after width {width}")
        width = w.shape[0]
    if width != len(head.classes) and not (width == 1 and len(head.classes) == 2):
        raise ValueError(f"head has {width} outputs for {len(head.classes)} classes")
