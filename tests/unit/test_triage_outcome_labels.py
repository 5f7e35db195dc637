"""Outcomes as learned_v1 labels: the documented mapping, decision by decision."""

from __future__ import annotations

import pytest

from grace.exchange.outcomes import OUTCOMES
from grace.learn.triage_labels import OUTCOME_RULES, Example, label_for, source_key, summary


def test_every_exchange_outcome_has_a_rule() -> None:
    assert set(OUTCOME_RULES) == set(OUTCOMES)


@pytest.mark.parametrize(
    ("decision", "outcome", "expected"),
    [
        (None, "safeguarded_child", ("urgent", "outcome")),
        ("not_actionable", "safeguarded_child", ("urgent", "outcome")),
        (None, "arrest_or_search", ("actionable", "outcome")),
        ("urgent", "arrest_or_search", ("urgent", "decision")),  # a floor, not a demotion
        ("not_actionable", "investigation_opened", ("actionable", "outcome")),
        ("urgent", "investigation_opened", ("urgent", "decision")),
        ("urgent", "no_offence", ("not_actionable", "outcome")),
        ("actionable", "not_actionable", ("not_actionable", "outcome")),
        ("urgent", "duplicate_national_case", ("urgent", "decision")),
        (None, "duplicate_national_case", (None, "decision")),  # no example
        ("needs_information", None, (None, "decision")),  # says nothing about priority
        ("needs_information", "no_offence", ("not_actionable", "outcome")),
        ("actionable", None, ("actionable", "decision")),
    ],
)
def test_mapping(
    decision: str | None, outcome: str | None, expected: tuple[str | None, str]
) -> None:
    assert label_for(decision, outcome) == expected


def test_summary_counts_sources_per_node_and_digests_the_labels() -> None:
    examples = [
        Example(1, "urgent", "decision", "local", "urgent", None),
        Example(2, "urgent", "outcome", "de-bka", None, "safeguarded_child"),
        Example(3, "not_actionable", "outcome", "local", "actionable", "no_offence"),
    ]
    done = summary(examples)
    assert done["sources"] == {"decision": 1, "outcome:de-bka": 1, "outcome:local": 1}
    assert done["labels"] == {"not_actionable": 1, "urgent": 2} and done["examples"] == 3
    assert [source_key(e) for e in examples] == ["decision", "outcome:de-bka", "outcome:local"]
    changed = summary([*examples[:2], Example(3, "actionable", "decision", "local", "actionable")])
    assert changed["labels_sha256"] != done["labels_sha256"]
    assert summary(list(examples))["labels_sha256"] == done["labels_sha256"]
