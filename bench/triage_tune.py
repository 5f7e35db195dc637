"""Tune ``rules_v1``'s default weights on training streams (never on the bench's stream).

Training streams (default seeds 101 and 102 of every generator under ``bench/streams``;
``bench/triage.py`` evaluates seed 3) go through the same path as the bench: generated,
ingested, analysed by grace's intelligence stage. ``bench/triage.py`` also calls
``fit_weights`` for its leave-one-generator-out figures (tuned on the other generators).
Each rules factor becomes one number per referral in exactly the shape
``rules_v1`` computes it (binary tags, capped counts, log2 file count, exponential
recency), a logistic regression on the generators' truth weighs them (penalised towards the
expert prior of ``triage_prior.yaml``, so factors a training stream never shows keep a
reasoned weight instead of none), and the weights are
printed as YAML: points = 10 x log-odds, the map's midpoint at -10 x intercept and spread
10, so a default score reads as the chance (%) that a referral like it is urgent, on the
training streams. The recency scale is picked from a few candidates by training
log-loss. Paste the output into ``src/grace/triage/rules_v1.yaml`` and round as you like.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from grace.triage.features import CUE_FACTORS, DECOYS, FILE_FLAGS, REPORT_FLAGS, Facts

sys.path.insert(0, str(Path(__file__).parent))
from triage_run import GENERATORS, analysed  # a sibling bench script

POINTS = 10.0  # points per unit of log-odds
CAPS = {"new": 3, "known": 10, "viral": 3, "linked": 2, "prior": 2, "files": 2.0}
INCIDENTS = (
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
)
SCALES = (3.0, 7.0, 14.0, 30.0)
PRIOR = Path(__file__).with_name("triage_prior.yaml")
SIGMA = 3.0  # points: how far the data may pull a weight from the expert prior cheaply


def columns(f: Facts, scale: float) -> dict[str, float]:
    """One referral's rules factors, each in the unit its weight multiplies."""
    out = {"escalation": float(f.escalated)}
    out |= {f"report_annotations.{t}": float(t in f.report_flags) for t in REPORT_FLAGS}
    for tag in FILE_FLAGS:
        n = f.file_flags.get(tag, 0)
        out[f"file_annotations.{tag}"] = 0.0 if not n else 1.5 if n >= 3 else 1.0
    for kind in ("new", "known", "viral"):
        out[f"media.{kind}"] = float(min(f.media.get(kind, 0), CAPS[kind]))
    out["files.per_doubling"] = min(math.log2(1 + f.files), CAPS["files"]) if f.files else 0.0
    days = f.days_since_activity
    out["recency.points"] = 0.0 if days is None or not f.situation else math.exp(-days / scale)
    out["linked.per"] = float(min(f.linked, CAPS["linked"]))
    out["prior.per"] = float(min(f.prior, CAPS["prior"]))
    out["access"] = float(bool(f.access))
    out["contact"] = float(bool(f.contact))
    out |= {f"cues.{c}": float(bool(f.cue(c))) for c in CUE_FACTORS}
    decoys = f.decoys()
    out |= {f"decoys.{d}": float(d in decoys) for d in DECOYS}
    out["incident_recent"] = float(f.incident_recent)
    out["incident_this_month"] = float(f.incident_this_month)
    out["victim_listed"] = float(f.victim_listed)
    out["child_age"] = float(bool(f.child_ages))
    out |= {f"incident_types.{t}": float(f.incident_type == t) for t in INCIDENTS}
    return out


def training_facts(
    referrals: int, seeds: list[int], generators: list[str]
) -> tuple[list[Facts], list[bool]]:
    all_facts: list[Facts] = []
    truth: list[bool] = []
    for name in generators:
        for seed in seeds:
            with tempfile.TemporaryDirectory(prefix="grace-tune-") as tmp:
                run = analysed(Path(tmp), name, referrals, seed)
                all_facts += [run.facts[i] for i in sorted(run.facts)]
                truth += [run.urgent[i] for i in sorted(run.facts)]
    return all_facts, truth


def fit_weights(all_facts: list[Facts], truth: list[bool]) -> tuple[dict[str, object], float]:
    """``rules_v1.yaml``'s default section fitted on these facts, and its training log-loss."""
    fits = {scale: fit(all_facts, truth, scale) for scale in SCALES}
    scale = min(fits, key=lambda s: fits[s][1][1])
    names, (model, loss) = fits[scale]
    return to_yaml(names, model, scale), loss


def prior_points(names: list[str]) -> np.ndarray:
    """The expert prior (``triage_prior.yaml``) for each column, in points."""
    doc = yaml.safe_load(PRIOR.read_text())
    out = []
    for name in names:
        section, _, key = name.partition(".")
        value = doc[section][key] if key else doc[section]
        out.append(float(value))
    return np.array(out)


def fit(all_facts: list[Facts], truth: list[bool], scale: float) -> tuple[list[str], Any]:
    """Penalised logistic regression: log-loss + a Gaussian prior around the expert weights
    (``SIGMA`` points); the intercept is free. L-BFGS with the exact gradient."""
    from scipy.optimize import minimize

    names = list(columns(all_facts[0], scale))
    x = np.array([list(columns(f, scale).values()) for f in all_facts])
    y = np.array(truth, dtype=float)
    prior = prior_points(names) / POINTS
    precision = (POINTS / SIGMA) ** 2

    def objective(beta: np.ndarray) -> tuple[float, np.ndarray]:
        z = beta[0] + x @ beta[1:]
        p = 1.0 / (1.0 + np.exp(-z))
        loss = float(np.sum(np.logaddexp(0.0, z) - y * z))
        diff = beta[1:] - prior
        grad = np.concatenate([[np.sum(p - y)], x.T @ (p - y) + precision * diff])
        return loss + 0.5 * precision * float(diff @ diff), grad

    start = np.concatenate([[-4.0], prior])
    bounds = [(None, None)] + [_sign_bound(p) for p in prior]
    beta = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds).x
    model = _Fitted(float(beta[0]), beta[1:])
    z = beta[0] + x @ beta[1:]
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return names, (model, loss)


def _sign_bound(prior: float) -> tuple[float | None, float | None]:
    """The data may change how much a factor counts, not which way: a sign of danger in the
    expert prior never becomes a reason to look later (nor a decoy a reason to look sooner),
    however one training stream happens to correlate (a prior of 0 leaves it free)."""
    if prior > 0:
        return (0.0, None)
    if prior < 0:
        return (None, 0.0)
    return (None, None)


class _Fitted:
    """The fitted intercept and coefficients, shaped like scikit-learn's."""

    def __init__(self, intercept: float, coef: np.ndarray) -> None:
        self.intercept_ = np.array([intercept])
        self.coef_ = np.array([coef])


def to_yaml(names: list[str], model: _Fitted, scale: float) -> dict[str, object]:
    """The default section of ``rules_v1.yaml`` from a fitted model."""
    w: dict[str, object] = {
        "map": {"midpoint": round(-POINTS * float(model.intercept_[0]), 1), "spread": POINTS},
        "jurisdiction": 1.0,
    }
    for name, coef in zip(names, model.coef_[0], strict=True):
        section, _, key = name.partition(".")
        points = round(POINTS * float(coef), 1)
        if key:
            w.setdefault(section, {})[key] = points  # type: ignore[index]
        else:
            w[section] = points
    media = w["media"]
    for kind in ("new", "known", "viral"):
        media[f"{kind}_cap"] = round(media[kind] * CAPS[kind], 1)  # type: ignore[index]
    w["files"]["cap"] = round(w["files"]["per_doubling"] * CAPS["files"], 1)  # type: ignore[index]
    w["recency"]["scale_days"] = scale  # type: ignore[index]
    for key in ("linked", "prior"):
        w[key]["cap"] = round(w[key]["per"] * CAPS[key], 1)  # type: ignore[index]
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=6_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102])
    parser.add_argument("--generators", nargs="+", default=list(GENERATORS))
    args = parser.parse_args()
    all_facts, truth = training_facts(args.referrals, args.seeds, args.generators)
    weights, loss = fit_weights(all_facts, truth)
    print(f"# {len(truth)} training referrals, {sum(truth)} urgent; log-loss {loss:.4f}")
    print(yaml.safe_dump({"default": weights}, sort_keys=False))


if __name__ == "__main__":
    main()
