"""``learned_v1``: a calibrated logistic model trained on the unit's own decisions.

Target: *urgent vs the rest*. Analysts label "urgent" > "actionable" > "not_actionable",
but the queue exists to put urgent referrals first, and the actionable/not-actionable line
depends more on local law and capacity than on anything in the referral; an ordinal model
would spend its few urgent examples on that line. So the model learns P(urgent) and the
score is 100 * P(urgent).

Model: features from ``features.vector`` (the facts the rules see plus the rules' score),
standardised, logistic regression with balanced class weights (urgent is rare) inside
``CalibratedClassifierCV`` (sigmoid with few decisions, isotonic once there are many),
fixed ``random_state`` and unshuffled folds, so a fit is reproducible. Everything needed
to predict (scaler, each fold's coefficients and calibration curve) is kept as plain
numbers and prediction is reimplemented from them: ``to_json`` / ``from_json`` round-trip
exactly, and no pickle is ever loaded. Factors are coefficient x standardised value, in
log-odds of urgency, so each says how far it pushed this referral up or down.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

from grace.model.intel import Factor, Score
from grace.triage.base import Scorer, TriageInput
from grace.triage.features import FEATURES, Facts, facts, vector
from grace.triage.rules import RulesV1

LABELS = ("urgent", "actionable", "not_actionable")
ISOTONIC_MIN_DECISIONS = 1000  # isotonic curves overfit small samples; sigmoid until then
ISOTONIC_MIN_URGENT = 50
MIN_EXPLAINED = 0.01  # log-odds below which a factor is not listed


class LearnedV1(Scorer):
    """Calibrated logistic regression on the shared feature vector (see module doc)."""

    name = "learned_v1"
    version = "1.0"

    def __init__(self, rules: RulesV1 | None = None) -> None:
        self.rules = rules or RulesV1()
        self.model: dict[str, Any] | None = None
        self._version = ""

    def fit(self, items: Sequence[TriageInput], labels: Sequence[str]) -> LearnedV1:
        """Train on analyst decisions (``labels[i]`` decides ``items[i]``)."""
        bad = sorted(set(labels) - set(LABELS))
        if bad or len(items) != len(labels):
            raise ValueError(f"labels must be one of {LABELS}, one per item (got {bad[:3]})")
        x = np.array([self._vector(facts(it)) for it in items], dtype=np.float64)
        y = np.array([lab == "urgent" for lab in labels], dtype=np.int64)
        urgent, other = int(y.sum()), int(len(y) - y.sum())
        if min(urgent, other) < 2:
            raise ValueError(f"learned_v1 needs 2+ urgent and 2+ other decisions ({urgent} urgent)")
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale == 0] = 1.0
        z = (x - mean) / scale
        big = len(y) >= ISOTONIC_MIN_DECISIONS and urgent >= ISOTONIC_MIN_URGENT
        method = "isotonic" if big else "sigmoid"
        base = LogisticRegression(class_weight="balanced", C=1.0, max_iter=5000, random_state=0)
        model = CalibratedClassifierCV(base, method=method, cv=min(3, urgent, other))
        model.fit(z, y)
        folds = []
        for cc in model.calibrated_classifiers_:
            est, cal = cc.estimator, cc.calibrators[0]
            fold: dict[str, Any] = {
                "coef": [float(c) for c in est.coef_[0]],
                "intercept": float(est.intercept_[0]),
            }
            if method == "sigmoid":
                fold["a"], fold["b"] = float(cal.a_), float(cal.b_)
            else:
                fold["x"] = [float(v) for v in cal.X_thresholds_]
                fold["y"] = [float(v) for v in cal.y_thresholds_]
            folds.append(fold)
        self.model = {
            "scorer": self.name,
            "version": self.version,
            "features": list(FEATURES),
            "rules_version": self.rules.config_version,
            "method": method,
            "decisions": len(y),
            "urgent": urgent,
            "mean": [float(v) for v in mean],
            "scale": [float(v) for v in scale],
            "folds": folds,
        }
        self._version = self._digest()
        return self

    def _vector(self, f: Facts) -> list[float]:
        return vector(f, self.rules.score_facts(f).score)

    def _require(self) -> dict[str, Any]:
        if self.model is None:
            raise RuntimeError("learned_v1 is not trained: call fit() or from_json() first")
        return self.model

    def probability(self, x: Sequence[float]) -> float:
        """P(urgent) for one raw feature vector: the mean of the folds' calibrated outputs."""
        m = self._require()
        z = [(v - mu) / s for v, mu, s in zip(x, m["mean"], m["scale"], strict=True)]
        total = 0.0
        for fold in m["folds"]:
            t = sum(c * v for c, v in zip(fold["coef"], z, strict=True)) + fold["intercept"]
            if m["method"] == "sigmoid":
                e = max(-700.0, min(700.0, fold["a"] * t + fold["b"]))
                total += 1.0 / (1.0 + math.exp(e))
            else:
                total += float(np.interp(t, fold["x"], fold["y"]))
        return min(1.0, max(0.0, total / len(m["folds"])))

    def coefficients(self) -> list[float]:
        """Mean coefficient per feature over the folds (per standardised unit)."""
        folds = self._require()["folds"]
        return [sum(f["coef"][j] for f in folds) / len(folds) for j in range(len(FEATURES))]

    def score(self, item: TriageInput) -> Score:
        """100 * P(urgent), with each feature's push in log-odds."""
        return self.score_facts(facts(item))

    def score_facts(self, f: Facts, rules_score: float | None = None) -> Score:
        """Score already-read facts (``rules_score`` saves recomputing the rules)."""
        m = self._require()
        x = vector(f, self.rules.score_facts(f).score if rules_score is None else rules_score)
        factors = []
        for name, value, coef, mu, s in zip(
            FEATURES, x, self.coefficients(), m["mean"], m["scale"], strict=True
        ):
            push = coef * (value - mu) / s
            if abs(push) >= MIN_EXPLAINED:
                way = "raises" if push > 0 else "lowers"
                factors.append(
                    Factor(
                        name=name,
                        value=round(value, 4),
                        contribution=round(push, 4),
                        explanation=f"{_label(name)} = {value:.3g}: {way} the odds of urgent "
                        f"({push:+.2f} log-odds vs the average decided referral)",
                    )
                )
        factors.sort(key=lambda fc: (-abs(fc.contribution), fc.name))
        return Score(
            scorer=self.name,
            version=self.model_version,
            score=round(100.0 * self.probability(x), 4),
            factors=factors,
        )

    @property
    def model_version(self) -> str:
        """``1.0+m<digest>``: names the trained parameters, as rules name their weights."""
        self._require()
        return self._version

    def _digest(self) -> str:
        return f"{self.version}+m{hashlib.sha256(self.to_json().encode()).hexdigest()[:7]}"

    def to_json(self) -> str:
        """The trained model as canonical JSON (numbers only; no pickle)."""
        return json.dumps(self._require(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, rules: RulesV1 | None = None) -> LearnedV1:
        """A model saved by ``to_json``; refuses one built on another feature list."""
        model = json.loads(text)
        if not isinstance(model, dict) or model.get("features") != list(FEATURES):
            raise ValueError("learned_v1 model was trained on a different feature list")
        out = cls(rules)
        out.model = model
        out._version = out._digest()
        return out


def _label(feature: str) -> str:
    kind, _, detail = feature.partition(":")
    labels = {
        "report": f"report tagged {detail}",
        "files": f"files tagged {detail} (log count)",
        "media": f"{detail.replace('_', ' ')} media (log count)",
        "incident": f"incident type is {detail}",
    }
    if detail and kind in labels:
        return labels[kind]
    return {
        "escalated": "ESP escalation",
        "files": "number of files (log)",
        "recency": "recency of activity",
        "linked": "linked referrals (log)",
        "prior": "earlier referrals of the subject (log)",
        "access": "signs of access to children",
        "contact": "signs of planned contact",
        "victim_listed": "victim identified",
        "rules_score": "rules_v1 score / 100",
    }.get(feature, feature)
