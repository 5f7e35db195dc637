"""Blending rules and model as decisions accumulate.

A model trained on a few dozen decisions is noise, and one trained on the unit's own queue
only ever saw what the rules put first; so the rules keep the ranking until
``min_decisions`` decisions exist, then the model's weight grows with the evidence
(``min(max_weight, decisions / full_weight_at)``) and never fully replaces the rules;
and only once it predicts or ranks the unit's decisions better than the rules out of fold
(``beats_rules``).
Below the threshold the score *is* the rules' score (same name, version and factors), so a
small unit sees exactly ``rules_v1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grace.model.intel import Factor, Score
from grace.triage.base import Scorer, TriageInput
from grace.triage.features import facts
from grace.triage.learned import LearnedV1
from grace.triage.rules import RulesV1

MIN_DECISIONS = 200
LOSS_TOLERANCE = 1.05  # a model that ranks better may predict probabilities this much worse


class Blended(Scorer):
    """``w * learned + (1 - w) * rules``; ``w = 0`` below ``min_decisions`` (see module doc)."""

    name = "learned_v1"
    version = "1.0"

    def __init__(
        self,
        rules: RulesV1,
        learned: LearnedV1 | None,
        decisions: int,
        *,
        min_decisions: int = MIN_DECISIONS,
        max_weight: float = 0.8,
        full_weight_at: int = 1000,
    ) -> None:
        self.rules = rules
        self.learned = learned if learned is not None and learned.model is not None else None
        self.decisions = decisions
        self.min_decisions = min_decisions
        self.max_weight = max_weight
        self.full_weight_at = full_weight_at

    @classmethod
    def train(
        cls,
        items: Sequence[TriageInput],
        labels: Sequence[str],
        rules: RulesV1 | None = None,
        *,
        min_decisions: int = MIN_DECISIONS,
    ) -> Blended:
        """Fit the model on the decisions when there are enough (and both kinds of label)."""
        rules = rules or RulesV1()
        learned = None
        if len(labels) >= min_decisions:
            try:
                learned = LearnedV1(rules).fit(items, labels)
            except ValueError:
                learned = None  # e.g. no urgent decision yet: stay with the rules
        return cls(rules, learned, len(labels), min_decisions=min_decisions)

    @property
    def weight(self) -> float:
        """The model's share of the score now: none until it predicts the unit's decisions
        better than the rules out of fold (a unit's decisions can also mislead: few urgent
        ones, wrong labels, a queue that only ever saw what the rules put on top)."""
        if self.learned is None or self.decisions < self.min_decisions:
            return 0.0
        if not beats_rules(self.learned.model or {}):
            return 0.0
        return min(self.max_weight, self.decisions / self.full_weight_at)

    def score(self, item: TriageInput) -> Score:
        """Rules alone below the threshold, else the weighted mean with both factor lists."""
        w = self.weight
        if w == 0.0 or self.learned is None:
            return self.rules.score(item)
        f = facts(item)
        rules = self.rules.score_facts(f)
        learned = self.learned.score_facts(f, rules.score)
        value = round(w * learned.score + (1.0 - w) * rules.score, 4)
        blend = Factor(
            name="blend",
            value=round(w, 4),
            contribution=0.0,
            explanation=f"{w:.0%} model ({learned.score:.1f}) + {1 - w:.0%} rules "
            f"({rules.score:.1f}), from {self.decisions} labels (decisions and outcomes)",
        )
        parts = [
            *(_tagged(x, "rules", "points") for x in rules.factors),
            *(_tagged(x, "model", "log-odds") for x in learned.factors),
        ]
        version = f"{self.version}+{rules.version.split('+')[-1]}+{learned.version.split('+')[-1]}"
        return Score(scorer=self.name, version=version, score=value, factors=[blend, *parts])


def beats_rules(model: dict[str, Any]) -> bool:
    """Whether the model did better than the rules on the unit's labels out of fold: lower
    log-loss, or (the queue being a ranking) a higher average precision with a log-loss
    no more than ``LOSS_TOLERANCE`` worse. A model stored before average precision was
    recorded is judged on log-loss alone."""
    held = model.get("out_of_fold_log_loss")
    if held is None:
        return True
    if held["model"] < held["rules"]:
        return True
    ranked = model.get("out_of_fold_average_precision")
    return (
        ranked is not None
        and ranked["model"] > ranked["rules"]
        and held["model"] <= held["rules"] * LOSS_TOLERANCE
    )


def _tagged(f: Factor, part: str, unit: str) -> Factor:
    return Factor(
        name=f"{part}:{f.name}",
        value=f.value,
        contribution=f.contribution,
        explanation=f"{part} ({unit}): {f.explanation}",
    )
