"""``rules_v1``: a transparent points scorer with agency-customisable weights.

Before a unit has made enough decisions to train a model, it needs a ranking it can read
and argue with. Every fact adds points (``rules_v1.yaml``: escalation, tags, media novelty,
recency, recidivism, signs of access to children or planned contact...), the agency's
jurisdiction multiplier scales the total, and a logistic curve maps it to 0-100::

    score = 100 / (1 + exp(-(total * jurisdiction - midpoint) / spread))

The curve keeps the order of totals (no ties at a clipped 100) and saturates gently. The
score's version names the weights file by digest (``1.0+w3f2a1c9``), so a recorded score
says which configuration produced it.
"""

from __future__ import annotations

import hashlib
import math
import os
from pathlib import Path
from typing import Any

import yaml

from grace.model.intel import Factor, Score
from grace.signals.factors import as_triage_factors
from grace.triage.base import Scorer, TriageInput
from grace.triage.cues import CATEGORIES, CueHit
from grace.triage.features import CUE_FACTORS, Facts, facts

DEFAULT_WEIGHTS = Path(__file__).with_name("rules_v1.yaml")
OPEN_SECTIONS = ("report_annotations", "file_annotations", "incident_types")  # any tag names
MEDIA_LABELS = {
    "new": "new (never-seen) media",
    "known": "known media (in a hash set)",
    "viral": "viral / meme media",
}


class WeightsError(ValueError):
    """A weights file that cannot be used; the message is one line naming the problem."""


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _merge(base: dict[str, Any], over: Any, where: str, src: str) -> dict[str, Any]:
    """``base`` with ``over`` laid on top; unknown keys and non-numbers are errors."""
    if not isinstance(over, dict):
        raise WeightsError(f"{src}: '{where}' must be a mapping")
    out = dict(base)
    for key, value in over.items():
        name = f"{where}.{key}"
        if key not in base and where.rsplit(".", 1)[-1] not in OPEN_SECTIONS:
            raise WeightsError(f"{src}: unknown weight '{name}'")
        if isinstance(base.get(key), dict):
            out[key] = _merge(base[key], value, name, src)
        elif _number(value):
            out[key] = float(value)
        else:
            raise WeightsError(f"{src}: weight '{name}' must be a number, not {value!r}")
    return out


def _read(path: Path) -> tuple[dict[str, Any], str]:
    try:
        data = path.read_bytes()
        doc = yaml.safe_load(data)
    except OSError as exc:
        raise WeightsError(f"{path}: cannot read weights ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise WeightsError(f"{path}: not valid YAML{line}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("default"), dict):
        raise WeightsError(f"{path}: needs a 'default' mapping of weights")
    agencies = doc.get("agencies") or {}
    if not isinstance(agencies, dict):
        raise WeightsError(f"{path}: 'agencies' must map agency ids to overrides")
    unknown = set(doc) - {"default", "agencies"}
    if unknown:
        raise WeightsError(f"{path}: unknown top-level key '{sorted(unknown)[0]}'")
    return doc, hashlib.sha256(data).hexdigest()[:7]


def _resolve(doc: dict[str, Any], agency: str | None, src: str) -> dict[str, Any]:
    packaged, _ = _read(DEFAULT_WEIGHTS)
    weights = _merge(_as_floats(packaged["default"]), doc["default"], "default", src)
    overrides = (doc.get("agencies") or {}).get(agency) if agency else None
    if overrides is not None:
        weights = _merge(weights, overrides, f"agencies.{agency}", src)
    return weights


def _as_floats(d: dict[str, Any]) -> dict[str, Any]:
    return {k: _as_floats(v) if isinstance(v, dict) else float(v) for k, v in d.items()}


def configured_weights() -> Path:
    """``$GRACE_TRIAGE_WEIGHTS`` if set (an agency's own file), else the packaged defaults."""
    configured = os.environ.get("GRACE_TRIAGE_WEIGHTS")
    return Path(configured) if configured else DEFAULT_WEIGHTS


def load_weights(path: Path | None = None, agency: str | None = None) -> dict[str, Any]:
    """The weights for ``agency`` (its overrides on the file's default, which itself lies on
    the packaged default so a unit's file only needs what it changes)."""
    path = path or configured_weights()
    doc, _ = _read(path)
    return _resolve(doc, agency, str(path))


class RulesV1(Scorer):
    """Points per fact, agency weights, logistic map to 0-100 (see module doc)."""

    name = "rules_v1"
    version = "1.0"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or configured_weights()
        self._doc, digest = _read(self.path)
        self.config_version = f"{self.version}+w{digest}"
        self._weights: dict[str | None, dict[str, Any]] = {}
        self.weights(None)  # fail at construction, not on the first referral

    def weights(self, agency: str | None) -> dict[str, Any]:
        """Resolved weights for one agency (cached)."""
        if agency not in self._weights:
            self._weights[agency] = _resolve(self._doc, agency, str(self.path))
        return self._weights[agency]

    def score(self, item: TriageInput) -> Score:
        """Score one referral from its facts."""
        return self.score_facts(facts(item))

    def score_facts(self, f: Facts) -> Score:
        """Score already-read facts (the learned scorer reuses them)."""
        w = self.weights(f.agency)
        factors = [x for x in _factors(f, w) if x.contribution != 0]
        total = sum(x.contribution for x in factors)
        mult = w["jurisdiction"]
        if mult != 1.0:
            factors.append(
                Factor(
                    name="jurisdiction",
                    value=mult,
                    contribution=round(total * (mult - 1.0), 4),
                    explanation=f"agency {f.agency or 'default'} weighs its referrals x{mult:g}",
                )
            )
        scaled = total * mult
        m = w["map"]
        z = max(-50.0, min(50.0, (scaled - m["midpoint"]) / m["spread"]))
        value = round(100.0 / (1.0 + math.exp(-z)), 4)
        return Score(scorer=self.name, version=self.config_version, score=value, factors=factors)


def _cue_text(hits: tuple[CueHit, ...]) -> str:
    """'signs of planned contact (de): 'treffen wir uns', (en): 'pick you up''."""
    label = CATEGORIES[hits[0].category]
    return f"{label} " + ", ".join(h.quoted() for h in hits)


def _capped(n: float, per: float, cap: float) -> float:
    raw = n * per
    return max(raw, cap) if cap < 0 else min(raw, cap)


def _factors(f: Facts, w: dict[str, Any]) -> list[Factor]:
    out: list[Factor] = []

    def add(name: str, value: Any, points: float, why: str) -> None:
        out.append(Factor(name=name, value=value, contribution=round(points, 4), explanation=why))

    if f.escalated:
        reason = f": '{f.escalation_reason}'" if f.escalation_reason else ""
        add("escalation", True, w["escalation"], f"ESP escalated{reason}")
    for tag in f.report_flags:
        add(f"report:{tag}", True, w["report_annotations"].get(tag, 0.0), f"ESP tagged: {tag}")
    for tag, n in f.file_flags.items():
        points = w["file_annotations"].get(tag, 0.0) * (1.5 if n >= 3 else 1.0)
        add(f"files:{tag}", n, points, f"{n} file{'s' * (n != 1)} tagged {tag} by the ESP")
    for kind, label in MEDIA_LABELS.items():
        n = f.media.get(kind, 0)
        if n:
            points = _capped(n, w["media"][kind], w["media"][f"{kind}_cap"])
            add(f"media:{kind}", n, points, f"{n} {label}")
    if f.files:
        points = _capped(math.log2(1 + f.files), w["files"]["per_doubling"], w["files"]["cap"])
        add("files", f.files, points, f"{f.files} file{'s' * (f.files != 1)} reported")
    if f.days_since_activity is not None and f.situation:  # recency makes a situation urgent
        days = f.days_since_activity
        points = w["recency"]["points"] * math.exp(-days / w["recency"]["scale_days"])
        why = f"latest upload or login {days:.0f} days ago, with signs of a child involved"
        add("recency", round(days, 2), points, why)
    if f.linked:
        points = _capped(f.linked, w["linked"]["per"], w["linked"]["cap"])
        plural = "s" * (f.linked != 1)
        add("linked", f.linked, points, f"linked to {f.linked} other referral{plural}")
    if f.prior:
        points = _capped(f.prior, w["prior"]["per"], w["prior"]["cap"])
        plural = "s" * (f.prior != 1)
        add("prior", f.prior, points, f"{f.prior} earlier referral{plural} of this subject")
    for category in ("access", "contact", *CUE_FACTORS):
        hits = f.cue(category)
        if hits:
            points = w[category] if category in ("access", "contact") else w["cues"][category]
            add(category, [f"{h.language}: {h.matched}" for h in hits], points, _cue_text(hits))
    for name, why in f.decoys().items():
        add(f"decoy:{name}", True, w["decoys"][name], f"decoy: {why}")
    for tier, applies in (("incident_recent", f.incident_recent),
                          ("incident_this_month", f.incident_this_month)):  # fmt: skip
        if applies:
            days = f.incident_age_days or 0.0
            add(tier, round(days, 2), w[tier],
                f"incident {days:.0f} days before the report was received")  # fmt: skip
    out.extend(as_triage_factors(list(f.signals), w.get("signals")))
    if f.victim_listed:
        add("victim_listed", True, w["victim_listed"], "a victim is identified in the report")
    if f.child_ages:
        ages = ", ".join(map(str, f.child_ages))
        add(
            "child_age",
            list(f.child_ages),
            w["child_age"],
            f"a child's age stated in the text: {ages}",
        )
    if f.incident_type:
        points = w["incident_types"].get(f.incident_type, 0.0)
        add("incident_type", f.incident_type, points, f"incident type: {f.incident_type}")
    return out
