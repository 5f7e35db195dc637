"""grace's own referral JSON: exact round trip, strict refusals, and a schema that cannot drift."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from grace.ingest.base import IngestError
from grace.ingest.grace_json import SCHEMA_ID, GraceJsonIngestor, referral_json_schema
from grace.model import (
    DeviceId,
    FileRef,
    IncidentDetail,
    IpEvent,
    Location,
    NameValue,
    Party,
    PartyRole,
    Referral,
)

ING = GraceJsonIngestor()
DOCS_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "referral.schema.json"

FULL = Referral(
    source_format="grace_json",
    external_id="R-1",
    esp_name="Example Social",
    incident_type="Online Enticement of Children for Sexual Acts",
    incident_time="2024-04-30T22:15:00-04:00",
    escalated=True,
    escalation_reason="meeting planned",
    report_annotations=["sextortion"],
    incidents=[IncidentDetail(kind="webPage", urls=["https://example.com/p"], raw={"a": [1]})],
    parties=[
        Party(
            role=PartyRole.REPORTED,
            first_name="Sam",
            age=30,
            emails=["sam@example.com"],
            ip_events=[IpEvent(ip="192.0.2.1", port=443, possible_proxy=False, at="2024-01-01")],
            device_ids=[DeviceId(id_type="IMEI", value="490154203237518")],
            location=Location(city="Lyon", country_code="FR", verified=True),
        ),
        Party(role=PartyRole.VICTIM, age=14),
    ],
    files=[
        FileRef(
            name="a.jpg",
            declared_hashes={"md5": "00" * 16},
            details=[NameValue(name="Make", value="Example", kind="EXIF")],
            tags=["t"],
        )
    ],
    additional_info=["note"],
    warnings=["kept"],
    raw={"nested": {"x": None}},
)


def _parse(data: bytes) -> Referral:
    parsed = ING.parse(data, "g.json")
    assert isinstance(parsed, Referral)
    return parsed


def test_round_trip() -> None:
    assert _parse(FULL.model_dump_json().encode()) == FULL
    with_schema = {"$schema": SCHEMA_ID, **FULL.model_dump(mode="json")}
    assert _parse(json.dumps(with_schema, indent=2).encode()) == FULL
    assert _parse(Referral().model_dump_json().encode()) == Referral()


def test_sniff() -> None:
    assert ING.sniff("g.json", FULL.model_dump_json().encode()[:4096]) > 0.9
    assert ING.sniff("g.json", b'{"$schema": "' + SCHEMA_ID.encode() + b'"}') > 0.9
    assert ING.sniff("g.json", b'{"reportId": 1, "reportedInformation": {}}') == 0.0
    assert ING.sniff("g.xml", b"<report/>") == 0.0


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        (
            {"schema_version": "1.0", "escalated": "very"},
            "escalated: Input should be a valid boolean",
        ),
        ({"parties": [{"first_name": "x"}]}, "parties.0.role: Field required"),
        ({"unknown_field": 1}, "unknown_field: Extra inputs are not permitted"),
        ({"$schema": "https://grace.example/schemas/referral-9.json"}, "unsupported $schema"),
    ],
)
def test_invalid_documents_refused_in_one_line(doc: dict[str, object], reason: str) -> None:
    with pytest.raises(IngestError) as info:
        ING.parse(json.dumps(doc).encode(), "g.json")
    message = str(info.value)
    assert message.startswith("g.json: ") and reason in message and "\n" not in message


def test_non_object_and_bad_bytes_refused() -> None:
    for data, reason in [(b"[]", "array"), (b"{", "invalid JSON"), (b"\xff{}", "UTF-8")]:
        with pytest.raises(IngestError, match=reason):
            ING.parse(data, "g.json")


def test_docs_schema_matches_model() -> None:
    committed = json.loads(DOCS_SCHEMA.read_text(encoding="utf-8"))
    assert committed == referral_json_schema(), (
        "docs/referral.schema.json is stale; regenerate with "
        "`python -m grace.ingest.grace_json > docs/referral.schema.json`"
    )


def test_schema_validates_what_grace_writes() -> None:
    schema = referral_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    validator.validate({"$schema": SCHEMA_ID, **FULL.model_dump(mode="json")})
    assert not validator.is_valid({"parties": [{"first_name": "no role"}]})
