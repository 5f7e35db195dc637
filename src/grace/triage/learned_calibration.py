"""learned_v1's calibration: Platt scaling, globally and per agency, on out-of-fold scores.

Why per agency: agencies decide differently (one unit calls "urgent" what another calls
"actionable", outcomes differ with local law and capacity), so the same raw log-odds mean a
different P(urgent) for each. Why Platt and not isotonic: Platt maps the raw log-odds
``z`` to ``sigmoid(a * z + b)``, so each factor's push stays an exact share of the
calibrated log-odds (scaled by the agency's ``a``) and the ranking within an agency never
changes; isotonic would turn the score into a step function in which factors no longer add
up, and it needs far more labels per agency than a unit typically has.

An agency gets its own ``(a, b)`` only with at least ``MIN_AGENCY_LABELS`` labelled
referrals, ``MIN_AGENCY_CLASS`` of each kind (urgent and the rest) and a positive slope;
otherwise it falls back to the global calibration, and the factor list says which applied.
scikit-learn is imported only here, at fit time: scoring uses the stored numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

MIN_AGENCY_LABELS = 60
MIN_AGENCY_CLASS = 5


def platt(scores: Any, y: Any) -> tuple[float, float]:
    """``(a, b)`` with ``P = sigmoid(a * score + b)``; ``(1, 0)`` when the scores carry no
    order (a non-positive slope, e.g. tiny samples): then the raw odds are kept."""
    from sklearn.linear_model import LogisticRegression

    z = np.asarray(scores, dtype=np.float64)
    mu, sd = float(z.mean()), float(z.std()) or 1.0  # lbfgs stalls on unscaled log-odds
    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(((z - mu) / sd).reshape(-1, 1), y)
    slope, intercept = float(fitted.coef_[0][0]), float(fitted.intercept_[0])
    a, b = slope / sd, intercept - slope * mu / sd  # back to the raw log-odds
    return (a, b) if a > 0 else (1.0, 0.0)


def per_agency(
    oof: Any, y: Any, agencies: Sequence[str | None]
) -> dict[str, dict[str, float | int]]:
    """Agency -> ``{a, b, labels, urgent}`` for every agency with enough labels of both kinds."""
    counts = Counter(a for a in agencies if a)
    out: dict[str, dict[str, float | int]] = {}
    for agency, n in sorted(counts.items()):
        if n < MIN_AGENCY_LABELS:
            continue
        mask = np.array([a == agency for a in agencies])
        urgent = int(y[mask].sum())
        if min(urgent, n - urgent) < MIN_AGENCY_CLASS:
            continue
        a, b = platt(oof[mask], y[mask])
        if (a, b) != (1.0, 0.0):
            out[agency] = {"a": a, "b": b, "labels": n, "urgent": urgent}
    return out


def choose(model: dict[str, Any], agency: str | None) -> tuple[float, float, str]:
    """The ``(a, b)`` a referral of ``agency`` is calibrated with, and a sentence saying so."""
    own = (model.get("agency_calibration") or {}).get(agency or "")
    if own:
        why = f"calibrated for {agency} (Platt on its {own['labels']} labels)"
        return float(own["a"]), float(own["b"]), why
    cal = model["calibration"]
    least = model.get("agency_min_labels", MIN_AGENCY_LABELS)
    why = (
        f"global calibration ({agency} has too few labels of its own: under {least}, "
        f"or under {MIN_AGENCY_CLASS} of a kind)"
        if agency
        else "global calibration (referral routed to no agency)"
    )
    return float(cal["a"]), float(cal["b"]), why


def out_of_fold_ranking(oof: Any, rules_logits: Any, y: Any) -> dict[str, float]:
    """Average precision of the unit's urgent labels under the trees' out-of-fold scores and
    under the rules' own order: a queue is a ranking, and a model can rank the unit's
    labels better while predicting their probabilities no better (``Blended`` uses both)."""
    from sklearn.metrics import average_precision_score

    return {
        "model": float(average_precision_score(y, oof)),
        "rules": float(average_precision_score(y, np.asarray(rules_logits, dtype=np.float64))),
    }


def out_of_fold_loss(oof: Any, rules_logits: Any, y: Any, a: float, b: float) -> dict[str, float]:
    """Mean log-loss on the labels of the trees' out-of-fold scores and of the rules' own
    log-odds (each Platt-mapped): whether the model predicts the unit's labels better than
    the rules do, on referrals it was not fitted on (``Blended`` uses it)."""
    from sklearn.linear_model import LogisticRegression

    def loss(p: Any) -> float:
        p = np.clip(p, 1e-9, 1 - 1e-9)
        return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))

    rules = np.asarray(rules_logits, dtype=np.float64)
    rules = ((rules - rules.mean()) / (rules.std() or 1.0)).reshape(-1, 1)  # lbfgs likes scale
    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(rules, y)
    model = 1.0 / (1.0 + np.exp(-np.clip(a * oof + b, -700.0, 700.0)))
    return {"model": loss(model), "rules": loss(fitted.predict_proba(rules)[:, 1])}
