"""Tune ``rules_v1``'s default weights on training streams (never on the bench's stream).

Training streams (default seeds 101 and 102; ``bench/triage.py`` evaluates seed 3) go
through the same path as the bench: described, loaded, analysed by grace's intelligence
stage. Each rules factor becomes one number per referral in exactly the shape
``rules_v1`` computes it (binary tags, capped counts, log2 file count, exponential
recency), a logistic regression on the generator's truth weighs them, and the weights are
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
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

from grace.triage.features import FILE_FLAGS, REPORT_FLAGS, Facts, facts

sys.path.insert(0, str(Path(__file__).parent))
from triage import scorer_inputs, stream  # a sibling bench script

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
    out["recency.points"] = 0.0 if days is None else math.exp(-days / scale)
    out["linked.per"] = float(min(f.linked, CAPS["linked"]))
    out["prior.per"] = float(min(f.prior, CAPS["prior"]))
    out["access"] = float(bool(f.access))
    out["contact"] = float(bool(f.contact))
    out["victim_listed"] = float(f.victim_listed)
    out |= {f"incident_types.{t}": float(f.incident_type == t) for t in INCIDENTS}
    return out


def training_facts(referrals: int, seeds: list[int]) -> tuple[list[Facts], list[bool]]:
    all_facts: list[Facts] = []
    truth: list[bool] = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="grace-tune-") as tmp:
            workspace, sketch, index = stream(Path(tmp), referrals, seed)
            for rid, item in sorted(scorer_inputs(workspace, sketch).items()):
                all_facts.append(facts(item))
                truth.append(sketch.referrals[index[rid]].truly_urgent)
            workspace.close()
    return all_facts, truth


def fit(all_facts: list[Facts], truth: list[bool], scale: float) -> tuple[list[str], Any]:
    names = list(columns(all_facts[0], scale))
    x = np.array([[columns(f, scale)[n] for n in names] for f in all_facts])
    model = LogisticRegression(C=0.5, max_iter=5000).fit(x, np.array(truth))
    loss = log_loss(truth, model.predict_proba(x)[:, 1])
    return names, (model, loss)


def to_yaml(names: list[str], model: LogisticRegression, scale: float) -> dict[str, object]:
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
    parser.add_argument("--referrals", type=int, default=12_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102])
    args = parser.parse_args()
    all_facts, truth = training_facts(args.referrals, args.seeds)
    fits = {scale: fit(all_facts, truth, scale) for scale in SCALES}
    scale = min(fits, key=lambda s: fits[s][1][1])
    names, (model, loss) = fits[scale]
    print(f"# {len(truth)} training referrals, {sum(truth)} urgent; log-loss {loss:.4f}")
    print(yaml.safe_dump({"default": to_yaml(names, model, scale)}, sort_keys=False))


if __name__ == "__main__":
    main()
