"""rules_v1: deterministic, explained, agency-customisable, and clear about bad weights."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from grace.model import FileRef, Party, PartyRole, Referral
from grace.signals.factors import SignalFactor
from grace.triage.base import TriageInput
from grace.triage.rules import RulesV1, WeightsError, load_weights
from grace.triage.signals import access_signals, contact_signals

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def item(agency: str | None = None, **changes: object) -> TriageInput:
    referral = Referral(
        incident_type="Online Enticement of Children for Sexual Acts",
        escalated=True,
        escalation_reason="User stated an intention to meet a minor in person",
        report_annotations=["sextortion"],
        parties=[
            Party(
                role=PartyRole.REPORTED,
                profile_bio="Works as a Swimming Coach at the local club.",
                additional_info=["Account created 2024-01-01."],
            ),
            Party(role=PartyRole.VICTIM, age=14),
        ],
        files=[
            FileRef(annotations=["liveStreaming"], uploaded_at="2026-10-29T12:00:00Z"),
            FileRef(annotations=["viral", "potentialMeme"]),
        ],
        additional_info=["Messages include a request to meet in person."],
    )
    values: dict[str, object] = {
        "referral": referral,
        "now": NOW,
        "media_counts": {"new": 3, "known": 1, "viral": 1},
        "linked_referrals": 1,
        "prior_referrals": 2,
        "agency": agency,
    }
    values.update(changes)
    return TriageInput(**values)  # type: ignore[arg-type]


def test_same_input_same_score_json() -> None:
    a = RulesV1().score(item()).model_dump_json()
    b = RulesV1().score(item()).model_dump_json()
    assert a == b
    assert RulesV1().score(item()).version.startswith("1.0+w")


def test_every_factor_explained_and_readable() -> None:
    score = RulesV1().score(item())
    assert 0 <= score.score <= 100 and score.scorer == "rules_v1"
    assert all(f.explanation and f.contribution != 0 for f in score.factors)
    text = {f.name: f.explanation for f in score.factors}
    assert text["escalation"] == (
        "ESP escalated: 'User stated an intention to meet a minor in person'"
    )
    assert text["media:new"] == "3 new (never-seen) media"
    assert text["prior"] == "2 earlier referrals of this subject"
    assert "'swimming coach'" in text["access"]
    assert "'meet in person'" in text["contact"]
    assert text["recency"] == "latest upload or login 3 days ago, with signs of a child involved"


def test_more_evidence_ranks_higher() -> None:
    plain = TriageInput(referral=Referral(), now=NOW, media_counts={"known": 2})
    assert RulesV1().score(item()).score > RulesV1().score(plain).score


def test_agency_override_changes_a_contribution(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("default: {}\nagencies:\n  de-bka: {access: 40, jurisdiction: 1.5}\n")
    rules = RulesV1(path)
    base = {f.name: f.contribution for f in rules.score(item()).factors}
    unit = {f.name: f.contribution for f in rules.score(item("de-bka")).factors}
    packaged = load_weights()["access"]
    assert base["access"] == packaged and unit["access"] == 40.0
    assert "jurisdiction" in unit and "jurisdiction" not in base
    assert load_weights(path, "de-bka")["access"] == 40.0
    assert load_weights(path, "other")["access"] == packaged
    assert rules.score(item()).version != RulesV1().score(item()).version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("default: [1, 2\n", "not valid YAML at line"),
        ("agencies: {}\n", "needs a 'default' mapping"),
        ("default: {escalation: high}\n", "weight 'default.escalation' must be a number"),
        ("default: {escalaton: 3}\n", "unknown weight 'default.escalaton'"),
        ("default: {}\nagencies: {x: {media: {new: '4'}}}\n", "'agencies.x.media.new'"),
    ],
)
def test_bad_weights_fail_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(WeightsError, match=message) as err:
        RulesV1(path).score(item("x"))
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_text_signals_use_word_boundaries() -> None:
    ref = Referral(
        parties=[Party(role=PartyRole.REPORTED, profile_bio="Coaching fan; TEACHER; tutoring")],
        additional_info=["Please come over later", "wecome overall"],
    )
    assert access_signals(ref) == ["teacher"]
    assert contact_signals(ref) == ["come over"]


def test_model_signals_are_weighed_and_explained() -> None:
    young = SignalFactor(
        name="young_face",
        label="youngest face estimated under 18 (age 15 ± 6), low confidence",
        strength=0.6,
        value={"age": 15.0, "age_sd": 6.0, "p_under_18": 0.6},
        explanation="age model on 1 face",
    )
    plain = RulesV1().score(item())
    with_signal = RulesV1().score(item(signal_factors=(young,)))
    [factor] = [f for f in with_signal.factors if f.name == "signal:young_face"]
    assert factor.contribution == pytest.approx(20.0 * 0.6)  # packaged weight x strength
    assert "low confidence" in factor.explanation
    assert with_signal.score > plain.score
    assert not [f for f in plain.factors if f.name.startswith("signal:")]
