"""Decoys (what raises alarm falsely) are explained factors that lower a score, and age is
measured against the report's receipt, not against today."""

from __future__ import annotations

from datetime import UTC, datetime

from grace.model import FileRef, IncidentDetail, IpEvent, Party, PartyRole, Referral
from grace.triage.base import TriageInput
from grace.triage.features import facts
from grace.triage.rules import RulesV1

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def factors(referral: Referral, media: dict[str, int] | None = None) -> dict[str, str]:
    item = TriageInput(referral=referral, now=NOW, media_counts=media or {})
    score = RulesV1().score(item)
    return {f.name: f.explanation for f in score.factors if f.contribution}


def test_each_decoy_is_an_explained_negative_factor() -> None:
    viral = Referral(files=[FileRef(publicly_available=True)], additional_info=["went viral"])
    assert "viral / meme media" in factors(viral, {"viral": 1})["decoy:viral"]
    teen = Referral(parties=[Party(role=PartyRole.REPORTED, age=15)])
    assert "reported account holder is a minor" in factors(teen)["decoy:minor_to_minor"]
    ai = Referral(additional_info=["Classifier: likely AI-generated (synthetic)"])
    assert "(en): 'ai generated'" in factors(ai)["decoy:generative_ai"]
    bulk = Referral(files=[FileRef() for _ in range(30)])
    assert "30 known files and none new" in factors(bulk, {"known": 30})["decoy:bulk_known"]
    for referral, media in ((viral, {"viral": 1}), (teen, {}), (ai, {}), (bulk, {"known": 30})):
        item = TriageInput(referral=referral, now=NOW, media_counts=media)
        assert all(f.contribution < 0 for f in RulesV1().score(item).factors if "decoy" in f.name)


def test_staleness_is_measured_against_receipt_not_today() -> None:
    old = Referral(incident_time="2021-05-01T00:00:00Z", received_at="2024-06-01T00:00:00Z")
    assert factors(old)["decoy:stale"] == "decoy: incident 3.1 years before the report was received"
    # received long ago about an incident days before: old for us, but it was fresh news then
    fresh = Referral(
        incident_time="2022-05-01T00:00:00Z",
        received_at="2022-05-03T00:00:00Z",
        parties=[Party(role=PartyRole.VICTIM, age=12)],
    )
    found = factors(fresh)
    assert "decoy:stale" not in found
    assert found["incident_recent"] == "incident 2 days before the report was received"


def test_recency_counts_only_with_signs_of_a_child_in_a_situation() -> None:
    ip = IpEvent(ip="198.51.100.7", event="Login", at="2026-02-28T00:00:00Z")
    plain = Referral(parties=[Party(role=PartyRole.REPORTED, ip_events=[ip])])
    assert "recency" not in factors(plain)
    chat = IncidentDetail(kind="chatIm", content="can i pick you up after school")
    situation = plain.model_copy(update={"incidents": [chat]})
    assert "recency" in factors(situation) and "contact" in factors(situation)
    assert facts(TriageInput(referral=situation, now=NOW)).situation


def test_learned_v1_learns_which_providers_escalations_prove_urgent() -> None:
    """One provider escalates everything (its escalations were rarely urgent), another only
    what matters; the model learns it per provider, under one key for all spellings."""
    from grace.triage.learned import LearnedV1

    items: list[TriageInput] = []
    labels: list[str] = []
    for i in range(400):
        loud = i % 2 == 0
        name = ("LoudCo" if i % 4 else "loudco.example.com") if loud else "QuietCo"
        escalated = loud or i % 10 == 1
        urgent = escalated and not loud and i % 20 != 1
        victim = [Party(role=PartyRole.VICTIM, age=12)] if i % 7 == 0 else []
        referral = Referral(esp_name=name, escalated=escalated, parties=victim)
        items.append(TriageInput(referral=referral, now=NOW))
        labels.append("urgent" if urgent else "not_actionable")
    model = LearnedV1().fit(items, labels)
    assert {"esc:loudco", "esc:quiet", "esp:loudco"} <= set(model.extra_features())
    loud = model.score(TriageInput(referral=Referral(esp_name="LoudCo", escalated=True), now=NOW))
    quiet = model.score(TriageInput(referral=Referral(esp_name="QuietCo", escalated=True), now=NOW))
    assert loud.score < quiet.score
    # the trees split on either provider's escalations (two sides of one fact)
    assert any(e in f.explanation for f in loud.factors for e in ("by loudco", "by quiet"))


def test_the_model_takes_a_share_only_when_it_beats_the_rules_out_of_fold() -> None:
    from grace.triage.blend import Blended

    rules = RulesV1()
    items, loud_labels, rule_labels = [], [], []
    for i in range(400):
        loud = i % 2 == 0
        victim = [Party(role=PartyRole.VICTIM, age=12)] if i % 5 == 0 else []
        referral = Referral(esp_name="LoudCo" if loud else "QuietCo", escalated=i % 3 == 0,
                            parties=victim)  # fmt: skip
        items.append(TriageInput(referral=referral, now=NOW))
        loud_labels.append("urgent" if i % 3 == 0 and not loud else "not_actionable")
        # labels that follow the rules' own order exactly: nothing for a model to add
        rule_labels.append("urgent" if rules.score(items[-1]).score > 20 else "not_actionable")
    assert Blended.train(items, loud_labels, rules).weight > 0
    assert Blended.train(items, rule_labels, rules).weight == 0


def test_a_family_setting_lowers_a_score_unless_a_listed_phrase_names_a_danger() -> None:
    bath = Referral(additional_info=["Moderator: no sexual context, appears to be a family photo"])
    found = factors(bath)
    assert "(en): 'no sexual context'" in found["decoy:family_context"]
    item = TriageInput(referral=bath, now=NOW)
    family = [f for f in RulesV1().score(item).factors if f.name == "decoy:family_context"]
    assert family and family[0].contribution < 0
    # a relative filming a child at bath time is a danger, not a parent's photo
    filmed = Referral(additional_info=["Stepfather filmed the girl at bath time, babysits daily"])
    assert "decoy:family_context" not in factors(filmed)


def test_paid_live_abuse_is_a_situation_that_raises_a_score() -> None:
    memo = Referral(
        esp_name="Payments AG",
        additional_info=[
            "Frequent low value transfers to the Philippines",
            "memo: extra if longer",
        ],
    )
    found = factors(memo)
    assert "paid_abuse" in found and "(en): 'extra if longer'" in found["paid_abuse"]
    assert facts(TriageInput(referral=memo, now=NOW)).situation


def test_a_malicious_report_and_scam_spam_are_explained_decoys() -> None:
    dispute = Referral(
        additional_info=["Reporter and reported user are in an ongoing dispute", "pedo lol ban him"]
    )
    assert "decoy:malicious_report" in factors(dispute)
    spam = Referral(additional_info=["I hacked your device. Send 500 USD to my bitcoin address."])
    found = factors(spam)
    assert "(en)" in found["decoy:scam_spam"] and "sextortion" not in found
    # a child sextorted is no spam
    child = Referral(additional_info=["he says he will send my pics to my friends unless i pay"])
    assert "decoy:scam_spam" not in factors(child)
