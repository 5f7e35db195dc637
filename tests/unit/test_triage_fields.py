"""Triage reads every field a provider or NCMEC sent, including those grace's model keeps
only as sent (``raw``): prose there is searched for cues, a stated high priority counts as
an escalation, and identifiers are not mistaken for prose."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from grace.ingest.ncmec_le_json import NcmecLeJsonIngestor
from grace.model import Referral
from grace.triage.base import TriageInput
from grace.triage.features import facts
from grace.triage.rules import RulesV1
from grace.triage.signals import free_texts, raw_priority, raw_texts


def _ncmec(summary: dict[str, object], extra: dict[str, object]) -> Referral:
    doc = {
        "reportId": 1,
        "dateReceived": "2026-03-01T10:00:00Z",
        "reportedInformation": {
            "incidentSummary": {"incidentType": "Child Pornography", **summary},
            "reportingEsp": {"espName": "PhotoShareCo"},
            **extra,
        },
    }
    model = NcmecLeJsonIngestor().parse(json.dumps(doc).encode(), "r.json")
    assert isinstance(model, Referral)
    return model


def test_prose_in_unmodelled_fields_is_read_for_cues_in_its_language() -> None:
    r = _ncmec({}, {"chatExcerpts": [{"text": "Treffen wir uns morgen? Sag deinen Eltern nichts"}]})
    assert "Treffen wir uns morgen? Sag deinen Eltern nichts" in free_texts(r)
    item = TriageInput(referral=r, now=datetime(2026, 3, 1, tzinfo=UTC))
    factor = {f.name: f for f in RulesV1().score(item).factors}["contact"]
    assert "(de): 'treffen wir uns'" in factor.explanation


def test_identifiers_are_not_prose() -> None:
    raw = {"hash": "9f8e7d", "url": "https://x.example/a b", "mail": "someone@example.com said"}
    assert raw_texts(raw) == []
    assert raw_texts({"note": ["ok", {"deep": "the child is home alone"}]}) == [
        "the child is home alone"
    ]


def test_a_stated_high_priority_counts_as_an_escalation_with_its_reason() -> None:
    r = _ncmec({}, {"ncmecPriorityLevel": "1"})
    f = facts(TriageInput(referral=r, now=datetime(2026, 3, 1, tzinfo=UTC)))
    assert f.escalated and f.escalation_reason == "ncmecPriorityLevel: 1"
    assert raw_priority({"priorityLevel": "3", "urgent": False}) is None
    assert raw_priority({"review": {"isUrgent": "yes"}}) == "isUrgent: yes"
