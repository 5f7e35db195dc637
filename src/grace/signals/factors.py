"""Explainable triage factors from stored media signals: facts to weigh, never verdicts.

Each factor says what a model estimated, how sure it was, and which file it came from,
in words an analyst can check against the file ("explicit-content score 0.91",
"youngest face estimated under 18 (age 15 ± 6), low confidence"). ``strength`` in [0, 1]
is the model's own number (the score, or the probability mass below 18), so a scorer
multiplies it by an agency-chosen weight; ``as_triage_factors`` does exactly that with
``DEFAULT_WEIGHTS`` for a scorer that has no weights of its own. Factors are only emitted
past a floor (``EXPLICIT_FLOOR``, ``MINOR_FLOOR``): a referral without notable signals
gets none, rather than a list of near-zero noise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.model.intel import Factor
from grace.signals.multilingual import MultilingualEmbedding
from grace.signals.similar import SIMILAR_FLOOR, TextNeighbourhood, neighbourhoods
from grace.store.signal_tables import MediaSignal
from grace.store.tables import ReferralFile

EXPLICIT_FLOOR = 0.5
"""open_nsfw's own decision threshold: below it the model calls the image safe."""
MINOR_FLOOR = 0.3
"""Least probability mass below 18 worth showing (an adult's face rarely exceeds 0.1)."""
DEFAULT_WEIGHTS = {"explicit_content": 12.0, "young_face": 20.0, "similar_urgent": 10.0}
"""Points at full strength, on the ``rules_v1`` scale (where ESP escalation is 31)."""


@dataclass(frozen=True)
class SignalFactor:
    """One explainable fact from a model about a referral's media."""

    name: str  # explicit_content | young_face | similar_urgent
    label: str  # the short human phrase
    strength: float  # 0-1, the model's number behind the label
    value: dict[str, Any]  # estimate, uncertainty, file, model versions
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "strength": self.strength,
            "value": self.value,
            "explanation": self.explanation,
        }


def confidence_word(p: float) -> str:
    """A probability in words, so a label never reads more certain than the model is."""
    return "high confidence" if p >= 0.9 else "medium confidence" if p >= 0.7 else "low confidence"


def referral_signal_factors(
    session: Session, referral_ids: list[int], as_of: datetime | None = None
) -> dict[int, list[SignalFactor]]:
    """Signal factors per referral id (referrals with none are absent from the result).

    ``as_of`` leaves out signals computed after that time, so that reproducing a past triage
    run sees what that run saw, not signals added since.
    """
    if not referral_ids:
        return {}
    query = (
        select(ReferralFile.referral_id, MediaSignal)
        .join(MediaSignal, MediaSignal.sha256 == ReferralFile.sha256)
        .where(ReferralFile.referral_id.in_(set(referral_ids)), MediaSignal.error.is_(None))
        .order_by(ReferralFile.referral_id, ReferralFile.id)
    )
    if as_of is not None:
        query = query.where(MediaSignal.computed_at <= as_of)
    rows = session.execute(query)
    by_referral: dict[int, list[MediaSignal]] = defaultdict(list)
    for referral_id, signal in rows:
        by_referral[referral_id].append(signal)
    found: dict[int, list[SignalFactor]] = {}
    for referral_id, signals in by_referral.items():
        factors = [f for f in (_explicit(signals), _young_face(signals)) if f is not None]
        if factors:
            found[referral_id] = factors
    for referral_id, hood in neighbourhoods(session, referral_ids, as_of).items():
        if hood.notable:
            found.setdefault(referral_id, []).append(_similar_text(hood))
    return found


def _similar_text(hood: TextNeighbourhood) -> SignalFactor:
    best, near = hood.neighbours[0], hood.neighbours
    others = ", ".join(f"{n.referral_id} ({n.similarity:.2f})" for n in near[1:])
    return SignalFactor(
        name="similar_urgent",
        label=f"text similar to urgent referral {best.referral_id} ({best.similarity:.2f})",
        strength=round(max(best.similarity, 0.0), 4),
        value={
            "neighbours": [
                {"referral_id": n.referral_id, "similarity": n.similarity} for n in near
            ],
            "urgent_share": hood.urgent_share,
            "decided_near": hood.decided_near,
            "floor": SIMILAR_FLOOR,
            "model": {MultilingualEmbedding.name: MultilingualEmbedding.version},
        },
        explanation=(
            "the multilingual sentence embedding of its text is close (cosine) to a referral "
            "analysts decided was urgent"
            + (f"; also {others}" if others else "")
            + f"; {hood.urgent_share:.0%} of its {hood.decided_near} nearest decided referrals "
            "(by similarity) were urgent; read both before relying on it"
        ),
    )


def _explicit(signals: list[MediaSignal]) -> SignalFactor | None:
    scored = [s for s in signals if s.nsfw_score is not None]
    top = max(scored, key=lambda s: s.nsfw_score or 0.0, default=None)
    if top is None or (top.nsfw_score or 0.0) < EXPLICIT_FLOOR:
        return None
    score = float(top.nsfw_score or 0.0)
    over = len({s.sha256 for s in scored if (s.nsfw_score or 0.0) >= EXPLICIT_FLOOR})
    files = f"{over} file{'s' * (over != 1)}"
    return SignalFactor(
        name="explicit_content",
        label=f"explicit-content score {score:.2f}",
        strength=round(score, 4),
        value={
            "score": round(score, 4),
            "sha256": top.sha256,
            "files_over_floor": over,
            "model": dict(top.models or {}),
        },
        explanation=(
            f"open_nsfw scored {files} at or above {EXPLICIT_FLOOR:g} (highest {score:.2f}); "
            "a model estimate of explicit content, to be checked by an analyst"
        ),
    )


def _young_face(signals: list[MediaSignal]) -> SignalFactor | None:
    faces = [(f, s) for s in signals for f in (s.faces or [])]
    face, signal = max(faces, key=lambda fs: fs[0].get("p_under_18", 0.0), default=(None, None))
    if face is None or signal is None or face.get("p_under_18", 0.0) < MINOR_FLOOR:
        return None
    p = float(face["p_under_18"])
    age, sd = float(face["age"]), float(face["age_sd"])
    where = "under 18" if age < 18 else "near 18"
    label = f"youngest face estimated {where} (age {age:.0f} ± {sd:.0f}), {confidence_word(p)}"
    return SignalFactor(
        name="young_face",
        label=label,
        strength=round(p, 4),
        value={
            "age": age,
            "age_sd": sd,
            "p_under_18": p,
            "sha256": signal.sha256,
            "box": face.get("box"),
            "time": face.get("time"),
            "model": dict(signal.models or {}),
        },
        explanation=(
            f"the age model puts {p:.0%} of its estimate below 18 for one face "
            f"(expected age {age:.1f}, spread ± {sd:.1f} years); an estimate, never an "
            "age determination"
        ),
    )


def as_triage_factors(
    factors: list[SignalFactor], weights: dict[str, float] | None = None
) -> list[Factor]:
    """The factors as triage ``Factor``s: contribution = weight x strength, in points."""
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    return [
        Factor(
            name=f"signal:{f.name}",
            value=f.value,
            contribution=round(w.get(f.name, 0.0) * f.strength, 4),
            explanation=f"{f.label}: {f.explanation}",
        )
        for f in factors
    ]
