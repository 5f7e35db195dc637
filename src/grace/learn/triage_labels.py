"""learned_v1's training labels: analysts' decisions and returned outcomes, with their source.

A decision is the analyst's judgement when the referral arrived; an outcome is what the
acting agency found (``grace outcome`` at that desk, returned by ``grace send --outcomes``
and kept here under the peer's name, or recorded at this desk: ``local``). An outcome is
evidence of what the referral really was, so it can correct a decision; but most outcomes
say that something could be acted on, not how urgent it was, so they set a floor, not the
label. The mapping (``OUTCOME_RULES``):

=========================  ==================  =========================================
outcome                    label               when the referral was also decided
=========================  ==================  =========================================
safeguarded_child          urgent              urgent (a child was at risk: proof)
arrest_or_search           actionable          the decision if urgent, else actionable
investigation_opened       actionable          the decision if urgent, else actionable
no_offence                 not_actionable      not_actionable (nothing to act on)
not_actionable             not_actionable      not_actionable
duplicate_national_case    (no label)          the decision (a known case says nothing
                                               about the referral's urgency)
=========================  ==================  =========================================

Of several outcomes for one referral (from this desk and from peers), the latest recorded
is used. Every example records where its label came from: ``source`` (``decision`` or
``outcome``: the one that set the label), ``node`` (``local`` for this desk's decisions and
outcomes, else the peer that returned the outcome), and the decision and outcome seen.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from grace.learn.data import latest_decisions
from grace.store.exchange_tables import ExchangeOutcome

LABELS = ("urgent", "actionable", "not_actionable")
Rule = Literal["set", "floor", "none"]
OUTCOME_RULES: dict[str, tuple[str | None, Rule]] = {
    "safeguarded_child": ("urgent", "set"),
    "arrest_or_search": ("actionable", "floor"),
    "investigation_opened": ("actionable", "floor"),
    "no_offence": ("not_actionable", "set"),
    "not_actionable": ("not_actionable", "set"),
    "duplicate_national_case": (None, "none"),
}


@dataclass(frozen=True)
class Example:
    """One labelled referral and where its label came from."""

    referral_id: int
    label: str
    source: str  # "decision" or "outcome": which set the label
    node: str  # "local", or the peer that returned the outcome
    decision: str | None = None
    outcome: str | None = None

    def to_row(self) -> list[Any]:
        """Compact form for the registry: ``[id, label, source, node, decision, outcome]``."""
        return list(asdict(self).values())


def label_for(decision: str | None, outcome: str | None) -> tuple[str | None, str]:
    """The label and which of the two set it (see the module's table)."""
    decided = decision if decision in LABELS else None
    if outcome is None or outcome not in OUTCOME_RULES:
        return decided, "decision"
    label, rule = OUTCOME_RULES[outcome]
    if rule == "none" or label is None:
        return decided, "decision"
    if rule == "floor" and decided == "urgent":
        return decided, "decision"
    return label, "outcome"


def gather(session: Session) -> list[Example]:
    """Every referral with a usable label, by id (see module doc)."""
    decisions = {r: d.label for r, d in latest_decisions(session).items()}
    outcomes: dict[int, tuple[str | None, str]] = {}
    rows = session.execute(
        select(
            ExchangeOutcome.referral_id, ExchangeOutcome.outcome, ExchangeOutcome.source
        ).order_by(ExchangeOutcome.recorded_at, ExchangeOutcome.id)
    )
    for referral_id, what, reporter in rows:
        outcomes[int(referral_id)] = (str(what), str(reporter))
    out = []
    for rid in sorted(set(decisions) | set(outcomes)):
        decision = decisions.get(rid)
        outcome, node = outcomes.get(rid, (None, "local"))
        label, source = label_for(decision, outcome)
        if label is None:
            continue
        out.append(
            Example(rid, label, source, node if source == "outcome" else "local", decision, outcome)
        )
    return out


def summary(examples: list[Example]) -> dict[str, Any]:
    """What the registry keeps about a training set: counts per label, per source and node,
    and a digest of the examples (the same labels give the same digest: no retraining)."""
    canonical = json.dumps([e.to_row() for e in examples], separators=(",", ":"))
    return {
        "examples": len(examples),
        "labels": dict(sorted(Counter(e.label for e in examples).items())),
        "sources": dict(sorted(Counter(source_key(e) for e in examples).items())),
        "outcomes": dict(sorted(Counter(e.outcome for e in examples if e.outcome).items())),
        "labels_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        "gathered_at": datetime.now(UTC).isoformat(),
    }


def source_key(example: Example) -> str:
    """``decision`` or ``outcome:<node>``: the key ``summary`` counts by."""
    return "decision" if example.source == "decision" else f"outcome:{example.node}"
