"""``learned_v1``: rules_v1 corrected by small boosted trees trained on the unit's labels.

Labels: analysts' decisions and returned outcomes (what the acting agency did: a child
safeguarded, an arrest, no offence...), gathered and mapped to urgency by
``grace.learn.triage_labels``, which also records each example's source and node.
Target: *urgent vs the rest*. Analysts label "urgent" > "actionable" > "not_actionable",
but the queue exists to put urgent referrals first, and the actionable/not-actionable line
depends more on local law and capacity than on anything in the referral; so the model
learns P(urgent) and the score is 100 * P(urgent).

Why trees rather than a linear model: ``rules_v1`` already is a well-tuned linear model of
the same facts, so a linear model of a unit's decisions can only re-learn it. What the
rules cannot express is context: an escalation means little from a provider that
auto-escalates on keywords, a "minor to minor" tag little from one that sets it on any
young-looking account, several weak signs together more than each alone. So boosting
starts from each referral's own rules log-odds and depth-2 trees on the shared facts, the
rules' score and the reporting provider learn only the corrections the labels support
(``features.vector`` + one indicator per provider seen in labels); with few or
uninformative labels the corrections stay small and the ranking stays the rules'.

Model: scikit-learn ``GradientBoostingClassifier`` (fixed ``random_state``), calibrated by
Platt scaling on out-of-fold scores (unshuffled folds), globally and per agency with
enough labels (``learned_calibration``), so a fit is reproducible. The trees and the
calibrations are kept as plain numbers and prediction is reimplemented from them:
``to_json`` / ``from_json`` round-trip exactly, no pickle is ever loaded, and scoring never
imports scikit-learn. Each factor is a feature's exact share of the log-odds (tree-path
attribution: every split passes the change in the node's mean to the feature it split
on), relative to the average labelled referral, so the factors of a score add up to it;
a last 0-point factor names the calibration used. The registry form (numeric arrays,
digest-checked) is ``grace.learn.triage_model``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from grace.model.intel import Factor, Score
from grace.triage import learned_calibration as calibration
from grace.triage import learned_fit as fitting
from grace.triage.base import Scorer, TriageInput
from grace.triage.features import FEATURES, Facts, facts, vector
from grace.triage.rules import RulesV1

LABELS = ("urgent", "actionable", "not_actionable")
MIN_EXPLAINED = 0.01  # log-odds below which a factor is not listed
MIN_PROVIDER_DECISIONS = 20  # a provider gets its own feature once this many were decided
MIN_ESCALATION_DECISIONS = 8  # ...and its escalations one once this many escalated were decided
TREES = {"n_estimators": 60, "max_depth": 2, "learning_rate": 0.05, "subsample": 0.8}
RULES = FEATURES.index("rules_score")  # the rules' score / 100 in the feature vector
EDGE = 1e-4  # rules probabilities are clipped to [EDGE, 1 - EDGE] before the logit


def rules_logit(x: Sequence[float]) -> float:
    """The rules' score as log-odds: where the trees start from."""
    p = min(1.0 - EDGE, max(EDGE, float(x[RULES])))
    return math.log(p / (1.0 - p))


class LearnedV1(Scorer):
    """Calibrated boosted trees on the shared feature vector (see module doc)."""

    name = "learned_v1"
    version = "2.2"  # 2.2: outcomes as labels, per-agency calibration; 2.1: cues, decoys

    def __init__(self, rules: RulesV1 | None = None) -> None:
        self.rules = rules or RulesV1()
        self.model: dict[str, Any] | None = None
        self._version = ""

    def fit(
        self,
        items: Sequence[TriageInput],
        labels: Sequence[str],
        sources: Sequence[str] | None = None,
    ) -> LearnedV1:
        """Train on labels (``labels[i]`` labels ``items[i]``): analysts' decisions or
        returned outcomes; ``sources[i]`` says which (counted in the model, default all
        ``decision``; per-example sources live in the registry, ``grace.learn``)."""
        from sklearn.ensemble import GradientBoostingClassifier
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        bad = sorted(set(labels) - set(LABELS))
        if bad or len(items) != len(labels):
            raise ValueError(f"labels must be one of {LABELS}, one per item (got {bad[:3]})")
        read = [facts(it) for it in items]
        y = np.array([lab == "urgent" for lab in labels], dtype=np.int64)
        urgent, other = int(y.sum()), int(len(y) - y.sum())
        if min(urgent, other) < 2:
            raise ValueError(f"learned_v1 needs 2+ urgent and 2+ other decisions ({urgent} urgent)")
        seen = Counter(f.esp for f in read if f.esp)
        providers = sorted(p for p, n in seen.items() if n >= MIN_PROVIDER_DECISIONS)
        escalated = Counter(f.esp for f in read if f.esp and f.escalated)
        escalators = sorted(p for p, n in escalated.items() if n >= MIN_ESCALATION_DECISIONS)
        extra = [*(f"esp:{p}" for p in providers), *(f"esc:{p}" for p in escalators)]
        x = np.array([self._vector(f, extra) for f in read], dtype=np.float64)
        trees = GradientBoostingClassifier(
            init=fitting.rules_start(RULES, EDGE), random_state=0, min_samples_leaf=5, **TREES
        )
        trees.fit(x, y)
        folds = StratifiedKFold(min(3, urgent, other), shuffle=False)
        oof = cross_val_predict(trees, x, y, cv=folds, method="decision_function")
        a, b = calibration.platt(oof, y)
        rules = [rules_logit(row) for row in x]
        self.model = {
            "scorer": self.name,
            "version": self.version,
            "features": [*FEATURES, *extra],
            "rules_version": self.rules.config_version,
            "method": "sigmoid",
            "decisions": len(y),
            "urgent": urgent,
            "start": "rules_v1",
            "start_mean": float(np.mean(rules)),
            "learning_rate": TREES["learning_rate"],
            "trees": [fitting.tree_lists(est[0].tree_) for est in trees.estimators_],
            "calibration": {"a": a, "b": b},
            "agency_calibration": calibration.per_agency(oof, y, [f.agency for f in read]),
            "agency_min_labels": calibration.MIN_AGENCY_LABELS,
            "label_sources": dict(sorted(Counter(sources or ["decision"] * len(y)).items())),
            "out_of_fold_log_loss": calibration.out_of_fold_loss(oof, rules, y, a, b),
            "out_of_fold_average_precision": calibration.out_of_fold_ranking(oof, rules, y),
        }
        self._version = self._digest()
        return self

    def _vector(self, f: Facts, extra: Sequence[str], rules: float | None = None) -> list[float]:
        """The shared vector, then one indicator per provider (``esp:``) and per provider's
        escalation (``esc:``: how often a provider's escalations proved urgent is learned)."""
        score = self.rules.score_facts(f).score if rules is None else rules
        out = vector(f, score)
        for name in extra:
            kind, _, provider = name.partition(":")
            out.append(float(f.esp == provider and (kind == "esp" or f.escalated)))
        return out

    def _require(self) -> dict[str, Any]:
        if self.model is None:
            raise RuntimeError("learned_v1 is not trained: call fit() or from_json() first")
        return self.model

    def extra_features(self) -> list[str]:
        """The per-provider features of this model (``esp:<key>``, ``esc:<key>``)."""
        return list(self._require()["features"][len(FEATURES) :])

    def providers(self) -> list[str]:
        """Providers with their own feature in this model."""
        return [n[4:] for n in self.extra_features() if n.startswith("esp:")]

    def attribution(self, x: Sequence[float]) -> tuple[float, list[float]]:
        """Raw log-odds of the average labelled referral, and each feature's push from it
        (the rules' own log-odds count as the ``rules_score`` feature's push)."""
        m = self._require()
        pushes = [0.0] * len(m["features"])
        base = m["start_mean"]
        pushes[RULES] = rules_logit(x) - base
        for tree in m["trees"]:
            node = 0
            base += m["learning_rate"] * tree["value"][0]
            while tree["left"][node] >= 0:
                j = tree["feature"][node]
                child = tree["left" if x[j] <= tree["threshold"][node] else "right"][node]
                pushes[j] += m["learning_rate"] * (tree["value"][child] - tree["value"][node])
                node = child
        return base, pushes

    def probability(self, x: Sequence[float], agency: str | None = None) -> float:
        """P(urgent) for one raw feature vector, calibrated for ``agency`` if it has its
        own calibration (else globally)."""
        a, b, _ = calibration.choose(self._require(), agency)
        base, pushes = self.attribution(x)
        z = max(-700.0, min(700.0, a * (base + sum(pushes)) + b))
        return 1.0 / (1.0 + math.exp(-z))

    def score(self, item: TriageInput) -> Score:
        """100 * P(urgent), with each feature's push in log-odds."""
        return self.score_facts(facts(item))

    def score_facts(self, f: Facts, rules_score: float | None = None) -> Score:
        """Score already-read facts (``rules_score`` saves recomputing the rules)."""
        m = self._require()
        x = self._vector(f, self.extra_features(), rules_score)
        _, pushes = self.attribution(x)
        scale, _, how = calibration.choose(m, f.agency)
        factors = []
        for name, value, raw in zip(m["features"], x, pushes, strict=True):
            push = raw * scale
            if abs(push) >= MIN_EXPLAINED:
                way = "raises" if push > 0 else "lowers"
                factors.append(
                    Factor(
                        name=name,
                        value=round(value, 4),
                        contribution=round(push, 4),
                        explanation=f"{_label(name)} = {value:.3g}: {way} the odds of urgent "
                        f"({push:+.2f} log-odds vs the average labelled referral)",
                    )
                )
        factors.sort(key=lambda fc: (-abs(fc.contribution), fc.name))
        factors.append(
            Factor(name="calibration", value=round(scale, 4), contribution=0.0, explanation=how)
        )
        return Score(
            scorer=self.name,
            version=self.model_version,
            score=round(100.0 * self.probability(x, f.agency), 4),
            factors=factors,
        )

    @property
    def model_version(self) -> str:
        """``2.2+m<digest>``: names the trained parameters, as rules name their weights."""
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
        names = model.get("features") if isinstance(model, dict) else None
        if (
            not isinstance(names, list)
            or names[: len(FEATURES)] != list(FEATURES)
            or not all(str(n).startswith(("esp:", "esc:")) for n in names[len(FEATURES) :])
            or "trees" not in model
        ):
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
        "esp": f"reported by {detail}",
        "esc": f"escalated by {detail}",
        "cue": f"{detail} cues",
        "decoy": f"decoy: {detail.replace('_', ' ')}",
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
        "incident_recent": "incident days before receipt, with a situation",
        "rules_score": "rules_v1 score / 100",
    }.get(feature, feature)
