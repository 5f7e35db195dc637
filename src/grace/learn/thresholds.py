"""Thresholds per agency: the score at which a model's class is flagged, from a target.

Agencies differ in what they can afford to miss and to review: one wants 90% of urgent
referrals flagged whatever the reviewing cost (a recall target), another only flags when
8 in 10 flags are right (a precision target). The policy is YAML (``--thresholds FILE`` or
``GRACE_LEARN_THRESHOLDS``)::

    default: {target: recall, value: 0.9}
    agencies:
      NL-POLICE: {target: precision, value: 0.8}

Each class is treated one-vs-rest on the held-out split's calibrated probabilities; the
recall target takes the highest threshold still reaching the recall, the precision target
the lowest threshold reaching the precision. The achieved recall and precision are stored
next to each threshold; they are measured on the same split the threshold was chosen on,
so they are optimistic by construction and are labelled so.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ENV_POLICY = "GRACE_LEARN_THRESHOLDS"
DEFAULT_POLICY: dict[str, dict[str, Any]] = {"default": {"target": "recall", "value": 0.9}}
TARGETS = ("recall", "precision")


def load_policy(path: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """Agency -> ``{target, value}`` (always with a ``default`` entry), validated."""
    chosen = path or os.environ.get(ENV_POLICY)
    if not chosen:
        return dict(DEFAULT_POLICY)
    raw = yaml.safe_load(Path(chosen).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{chosen}: threshold policy must be a mapping")
    policy = {"default": _rule("default", raw.get("default", DEFAULT_POLICY["default"]))}
    for agency, rule in (raw.get("agencies") or {}).items():
        policy[str(agency)] = _rule(str(agency), rule)
    return policy


def _rule(agency: str, rule: Any) -> dict[str, Any]:
    if not isinstance(rule, dict) or rule.get("target") not in TARGETS:
        raise ValueError(f"threshold rule for {agency}: target must be one of {TARGETS}")
    value = float(rule.get("value", -1))
    if not 0.0 < value <= 1.0:
        raise ValueError(f"threshold rule for {agency}: value must be in (0, 1]")
    return {"target": rule["target"], "value": value}


def choose(y_true: np.ndarray, scores: np.ndarray, target: str, value: float) -> dict[str, Any]:
    """One class's threshold for one rule; ``threshold`` None when the target is unreachable."""
    from sklearn.metrics import precision_recall_curve  # on use: importing it costs seconds

    if y_true.sum() == 0 or y_true.sum() == len(y_true):
        return {"threshold": None, "reason": "held-out split lacks positives or negatives"}
    precision, recall, cuts = precision_recall_curve(y_true, scores)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    ok = recall >= value if target == "recall" else precision >= value
    if not ok.any():
        return {"threshold": None, "reason": f"{target} {value} not reachable"}
    i = int(np.flatnonzero(ok)[-1] if target == "recall" else np.flatnonzero(ok)[0])
    return {
        "threshold": float(cuts[i]),
        "recall": float(recall[i]),
        "precision": float(precision[i]),
    }


def per_agency(
    policy: dict[str, dict[str, Any]],
    labels: Sequence[str],
    proba: np.ndarray,
    classes: Sequence[str],
) -> dict[str, Any]:
    """Agency -> rule and, per class, the chosen threshold with what it achieved."""
    y = np.asarray(list(labels))
    out: dict[str, Any] = {}
    for agency, rule in policy.items():
        out[agency] = {
            **rule,
            "measured_on": "held-out split (optimistic)",
            "per_class": {
                c: choose((y == c).astype(np.int64), proba[:, i], rule["target"], rule["value"])
                for i, c in enumerate(classes)
            },
        }
    return out


def threshold_for(thresholds: dict[str, Any], agency: str | None, cls: str) -> float | None:
    """The threshold an agency uses for a class (its own rule, else the default)."""
    rule = thresholds.get(agency or "default") or thresholds.get("default") or {}
    value = (rule.get("per_class") or {}).get(cls, {}).get("threshold")
    return None if value is None else float(value)
