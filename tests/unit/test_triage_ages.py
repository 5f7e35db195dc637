"""Children's ages stated in free text: read in many languages, and times are not ages."""

from __future__ import annotations

import pytest

from grace.triage.ages import stated_minor_ages

AGES = [
    ("Stated age in chat: 11", 11),
    ("age of the victim: 9", 9),
    ("i am 14 and scared", 14),
    ("Im 15 lol", 15),
    ("she said she is a 13 year old", 13),
    ("13yo", 13),
    ("13 y/o", 13),
    ("ich bin 12", 12),
    ("Sie ist erst 13 Jahre alt", 13),
    ("j'ai 12 ans", 12),
    ("tengo 12 años", 12),
    ("ho 13 anni", 13),
    ("tenho 11 anos", 11),
    ("ik ben 12", 12),
    ("mam 13 lat", 13),
    ("je mi 14", 14),
    ("jag är 13 år gammal", 13),
    ("olen 13", 13),
    ("13 vuotias", 13),
    ("είμαι 12", 12),
    ("12 éves vagyok", 12),
    ("am 13 ani", 13),
    ("imam 12 godina", 12),
]
NOT_AGES = [
    "il y a 13 ans",
    "vor 13 Jahren",
    "am 13. Mai um 14 Uhr",
    "13 lat temu",
    "hace 13 años",
    "13 anni fa",
    "he is 35 years old",
    "room 12, floor 3",
    "cena 13 euro",
    "13 years ago",
    "born 2011, reported 2024",
]


@pytest.mark.parametrize(("text", "age"), AGES)
def test_reads_a_stated_minor_age(text: str, age: int) -> None:
    assert stated_minor_ages([text]) == (age,)


@pytest.mark.parametrize("text", NOT_AGES)
def test_times_dates_and_adult_ages_are_not_children(text: str) -> None:
    assert stated_minor_ages([text]) == ()


def test_distinct_ages_in_text_order() -> None:
    assert stated_minor_ages(["how old r u? im 13", "ok im 13 too, my sister is 9 years old"]) == (
        13,
        9,
    )


def test_rules_explain_a_stated_age_and_it_raises_the_score() -> None:
    from datetime import UTC, datetime

    from grace.model import IncidentDetail, Referral
    from grace.triage.base import TriageInput
    from grace.triage.rules import RulesV1

    def scored(text: str) -> tuple[float, dict[str, str]]:
        referral = Referral(incidents=[IncidentDetail(kind="chatIm", content=text)])
        item = TriageInput(referral=referral, now=datetime(2026, 3, 1, tzinfo=UTC))
        score = RulesV1().score(item)
        return score.score, {f.name: f.explanation for f in score.factors}

    with_age, factors = scored("chat excerpt: 'je mi 12, nechci'")
    without, _ = scored("chat excerpt: 'nechci'")
    assert factors["child_age"] == "a child's age stated in the text: 12"
    assert with_age > without
