"""NCMEC's law-enforcement JSON: a rich synthetic report, a sparse one full of nulls, junk.

All data is invented and benign: example.com addresses, documentation IP ranges
(192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import hostile
from grace.ingest.base import IngestError
from grace.ingest.cybertip_xml import CybertipXmlIngestor
from grace.ingest.grace_json import GraceJsonIngestor
from grace.ingest.ncmec_le_json import NcmecLeJsonIngestor
from grace.ingest.registry import INGESTORS, by_name, choose
from grace.model import PartyRole, Referral

ING = NcmecLeJsonIngestor()


def _capture(kind: str, value: str, **more: Any) -> dict[str, Any]:
    return {"captureType": kind, "value": value, **more}


RICH: dict[str, Any] = {
    "reportId": 123456789,
    "dateReceived": "2024-05-01T12:00:00Z",
    "reportedInformation": {
        "reportingEsp": {"espName": "Example Social", "firstName": "Ann", "lastName": "Lee"},
        "incidentSummary": {
            "incidentType": "Online Enticement of Children for Sexual Acts",
            "incidentDateTime": "2024-04-30T22:15:00-04:00",
            "incidentDateTimeDescription": "first message",
            "escalateToHighPriority": "Imminent meeting planned",
        },
        "additionalInformations": [{"value": "Account reviewed by safety team."}, "plain note"],
        "incidentDetails": {
            "webpageIncident": [
                {
                    "sourceInformation": {
                        "sourceCaptures": [_capture("URL", "https://example.com/post/1")]
                    },
                    "additionalInformations": [{"value": "public post"}],
                }
            ],
            "emailIncident": [{"contents": [{"value": "hello"}, {"value": "again"}]}],
        },
        "reportedPeople": {
            "reportedPersons": [
                {
                    "firstName": "Sam",
                    "middleName": "Q",
                    "lastName": "Example",
                    "dateOfBirth": "1990-01-01",
                    "approximateAge": "34",
                    "espService": "Messenger",
                    "espUserId": "u-42",
                    "screenName": {"value": "sam_example"},
                    "emails": {"emails": [{"value": "sam@example.com", "verified": True}]},
                    "phones": {"phones": [{"value": "+1-555-0100", "verified": False}]},
                    "addresses": {"addresses": [{"city": "Springfield", "country": "US"}]},
                    "sourceInformation": {
                        "sourceCaptures": [
                            _capture(
                                "IP Address",
                                "192.0.2.7",
                                dateTime="2024-04-30T22:00:00Z",
                                port=443,
                                eventName="Login",
                            ),
                            _capture("IP Address", "2001:db8::7", port="not-a-port"),
                            _capture("Profile URL", "https://example.com/u/42"),
                            _capture("Phone Lookup", "whatever"),
                        ]
                    },
                    "additionalInformations": [{"value": "Sent 3 messages."}],
                }
            ]
        },
        "intendedRecipients": {
            "intendedRecipients": [
                {"screenName": "kid_a", "approximateAge": "13-15", "emails": ["k@example.com"]}
            ]
        },
    },
    "uploadedFiles": {
        "uploadedFiles": [
            {
                "filename": "file1.jpg",
                "originalFilename": "IMG_0001.JPG",
                "submittalId": "sub-1",
                "verificationHash": "0123456789abcdef0123456789abcdef",
                "viewedByEsp": "Yes",
                "industryClassification": "A2",
                "ncmecTags": {"groups": [{"tags": [{"value": "tag-a"}, {"value": "tag-b"}]}]},
                "sourceInformation": {
                    "sourceCaptures": [_capture("IP Address", "198.51.100.9", eventName="Upload")]
                },
                "espMetadata": {
                    "metadatas": [
                        {"name": "upload_time", "value": "2024-04-30T21:00:00Z"},
                        {"name": "report_surface", "value": '{"surface": "chat"}'},
                    ]
                },
                "additionalInformations": [{"value": "Deleted by ESP."}],
            }
        ]
    },
}

SPARSE: dict[str, Any] = {
    "reportId": "987",
    "dateReceived": None,
    "reportedInformation": {
        "reportingEsp": None,
        "incidentSummary": {"incidentType": None, "incidentDateTime": None},
        "additionalInformations": None,
        "incidentDetails": None,
        "reportedPeople": {"reportedPersons": [None, {"firstName": None, "emails": None}]},
        "intendedRecipients": None,
    },
    "uploadedFiles": {"uploadedFiles": [{"filename": None, "verificationHash": None}]},
}


def _parse(doc: object, name: str = "r.json") -> Referral:
    parsed = ING.parse(json.dumps(doc).encode(), name)
    assert isinstance(parsed, Referral)
    return parsed


def test_rich_report() -> None:
    ref = _parse(RICH)
    assert ref.source_format == "ncmec_le_json"
    assert (ref.external_id, ref.received_at, ref.esp_name) == (
        "123456789",
        "2024-05-01T12:00:00Z",
        "Example Social",
    )
    assert ref.incident_time == "2024-04-30T22:15:00-04:00"
    assert (ref.escalated, ref.escalation_reason) == (True, "Imminent meeting planned")
    assert ref.additional_info == ["Account reviewed by safety team.", "plain note"]
    assert ref.raw["incidentSummary"] == {"incidentDateTimeDescription": "first message"}
    web, email = ref.incidents
    assert (web.kind, web.urls, web.additional_info) == (
        "webPage",
        ["https://example.com/post/1"],
        ["public post"],
    )
    assert (email.kind, email.content) == ("email", "hello\nagain")
    (reporter,) = ref.party(PartyRole.REPORTER)
    assert (reporter.first_name, reporter.last_name) == ("Ann", "Lee")
    (sam,) = ref.party(PartyRole.REPORTED)
    assert (sam.first_name, sam.last_name, sam.age, sam.date_of_birth) == (
        "Sam",
        "Example",
        34,
        "1990-01-01",
    )
    assert (sam.esp_service, sam.esp_user_id, sam.screen_name) == (
        "Messenger",
        "u-42",
        "sam_example",
    )
    assert (sam.emails, sam.phones) == (["sam@example.com"], ["+1-555-0100"])
    assert sam.profile_urls == ["https://example.com/u/42"]
    assert [(e.ip, e.port, e.event) for e in sam.ip_events] == [
        ("192.0.2.7", 443, "Login"),
        ("2001:db8::7", None, None),
    ]
    assert sam.additional_info == ["Sent 3 messages."]
    assert sam.raw["middleName"] == "Q" and sam.raw["sourceCaptures"][0]["value"] == "whatever"
    (kid,) = ref.party(PartyRole.RECIPIENT)
    assert (kid.screen_name, kid.age, kid.emails) == ("kid_a", None, ["k@example.com"])
    assert kid.raw["approximateAge"] == "13-15"
    (f,) = ref.files
    assert (f.name, f.original_name, f.viewed_by_esp) == ("file1.jpg", "IMG_0001.JPG", True)
    assert f.declared_hashes == {"md5": "0123456789abcdef0123456789abcdef"}
    assert f.tags == ["tag-a", "tag-b"] and f.industry_classification == "A2"
    assert [(d.name, d.kind) for d in f.details] == [
        ("upload_time", "espMetadata"),
        ("report_surface", "espMetadata"),
    ]
    assert [(e.ip, e.event) for e in f.ip_events] == [("198.51.100.9", "Upload")]
    assert f.raw == {"submittalId": "sub-1"} and f.additional_info == ["Deleted by ESP."]
    warnings = " | ".join(ref.warnings)
    assert "'not-a-port'" in warnings and "'13-15'" in warnings


def test_sparse_report_with_nulls() -> None:
    ref = _parse(SPARSE)
    assert ref.external_id == "987" and ref.incident_type is None and ref.esp_name is None
    assert [p.role for p in ref.parties] == [PartyRole.REPORTED]
    assert ref.parties[0].emails == [] and ref.files[0].declared_hashes == {}
    assert any("not objects" in w for w in ref.warnings)


def test_wrong_types_warn_not_crash() -> None:
    doc = {
        "reportId": "1",
        "reportedInformation": {
            "incidentSummary": ["not", "an", "object"],
            "reportingEsp": "Example",
            "incidentDetails": {"webpageIncident": "http://example.com"},
            "additionalInformations": [{"value": {"nested": True}}],
        },
        "reportedPeople": [{"firstName": "Top", "emails": [["x"]]}],  # top-level, bare list
        "uploadedFiles": [{"filename": "a.bin", "viewedByEsp": "perhaps"}],
    }
    ref = _parse(doc)
    assert ref.party(PartyRole.REPORTED)[0].first_name == "Top"
    assert ref.files[0].name == "a.bin" and ref.files[0].viewed_by_esp is None
    warnings = " | ".join(ref.warnings)
    for needle in ("incidentSummary: expected an object", "'perhaps'", "nested values"):
        assert needle in warnings


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (hostile.PLAIN["bad-truncated.json"], "invalid JSON"),
        (hostile.PLAIN["bad-array.json"], "top level is an array"),
        (hostile.PLAIN["bad-utf8.json"], "wrong encoding: not valid UTF-8"),
        (b"", "empty document"),
        (b"[" * 100_000, "JSON"),
    ],
)
def test_unreadable_documents_refused(data: bytes, reason: str) -> None:
    with pytest.raises(IngestError) as info:
        ING.parse(data, "bad.json")
    assert str(info.value).startswith("bad.json: ") and reason in str(info.value)


def test_bom_allowed() -> None:
    assert _parse_bytes(b"\xef\xbb\xbf" + json.dumps(SPARSE).encode()).external_id == "987"


def _parse_bytes(data: bytes) -> Referral:
    parsed = ING.parse(data, "bom.json")
    assert isinstance(parsed, Referral)
    return parsed


def test_sniff_and_registry() -> None:
    rich = json.dumps(RICH).encode()
    assert ING.sniff("r.json", rich[:4096]) >= 0.9
    assert choose("r.json", rich[:4096]) is by_name("ncmec_le_json")
    assert choose("x", hostile.PLAIN["bad-truncated.json"]) is by_name("ncmec_le_json")
    grace = Referral(external_id="7").model_dump_json().encode()
    assert ING.sniff("g.json", grace) == 0.0
    assert isinstance(choose("g.json", grace), GraceJsonIngestor)
    assert isinstance(choose("r", b"<?xml version='1.0'?><report>"), CybertipXmlIngestor)
    for name in ("bad-png.xml", "notes.txt", "empty.xml", "fake.zip"):
        assert choose(name, hostile.PLAIN[name]) is None
    assert choose("resp.xml", b"<reportResponse/>") is None
    assert {i.name for i in INGESTORS} == {"cybertip_xml", "ncmec_le_json", "grace_json"}
