"""ESP XML ingest against NCMEC's own examples, real 2016 wire captures and the XSD.

The conformance README ("What these can check", items 2, 3 and 5) is the spec here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from grace.ingest import xsd
from grace.ingest.base import FileDetails
from grace.ingest.cybertip_xml import CybertipXmlIngestor
from grace.model import PartyRole, Referral

ING = CybertipXmlIngestor()
CP = "Child Pornography (possession, manufacture, and distribution)"
VALID = [
    "ncmecdoc-report.xml",
    "ncmecdoc-fileDetails.xml",
    "ncmecdoc-submit-response.xml",
    "ncmecdoc-upload-response.xml",
    "ncmecdoc-finish-response.xml",
    "ello-submit-request.xml",
    "ello-submit-response.xml",
    "ello-fileinfo-request.xml",
    "ello-upload-response.xml",
    "ello-finish-response.xml",
    "ello-response-1000-auth-required.xml",
    "ello-response-1001-no-incidentSummary.xml",
    "ello-response-1001-no-incidentDateTime.xml",
    "lumeweb-valid-report.xml",
]
INVALID = {
    "ello-submit-request-no-incidentSummary.xml": "Element 'reporter'",
    "ello-submit-request-no-incidentDateTime.xml": "incidentDateTime",
    "lumeweb-invalid-report-no-incidentSummary.xml": "Element 'reporter'",
    "nachtalb-example-report.xml": "Element 'informational'",
}
REPORTS = [
    "ncmecdoc-report.xml",
    "ello-submit-request.xml",
    "lumeweb-valid-report.xml",
    *[n for n in INVALID],
]


@pytest.fixture
def with_xsd(ncmec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(xsd.ENV_VAR, str(ncmec_dir / "cyber_tipline.xsd"))
    return ncmec_dir


def _parse(path: Path) -> Referral | FileDetails:
    return ING.parse(path.read_bytes(), path.name)


def _report(path: Path) -> Referral:
    parsed = _parse(path)
    assert isinstance(parsed, Referral)
    return parsed


def test_ncmec_doc_report(with_xsd: Path) -> None:
    ref = _report(with_xsd / "ncmecdoc-report.xml")
    assert ref.source_format == "cybertip_xml"
    assert ref.incident_type == CP
    assert ref.incident_time == "2012-10-15T08:00:00-07:00"
    assert ref.report_annotations == [
        "sextortion",
        "csamSolicitation",
        "minorToMinorInteraction",
        "spam",
        "sadisticOnlineExploitation",
    ]
    assert [(i.kind, i.urls) for i in ref.incidents] == [
        ("webPage", ["http://badsite.com/baduri.html"])
    ]
    (reporter,) = ref.party(PartyRole.REPORTER)
    assert (reporter.first_name, reporter.last_name, reporter.emails) == (
        "John",
        "Smith",
        ["jsmith@example.com"],
    )
    assert ref.warnings == [] and ref.raw == {} and not ref.escalated


@pytest.mark.parametrize("name", ["ncmecdoc-fileDetails.xml", "ello-fileinfo-request.xml"])
def test_file_details_docs(with_xsd: Path, name: str) -> None:
    parsed = _parse(with_xsd / name)
    assert isinstance(parsed, FileDetails)
    assert parsed.warnings == []
    f = parsed.file
    if name.startswith("ncmecdoc"):
        assert parsed.report_id == "4564654"
        assert f.file_id == "b0754af766b426f2928a02c651ed4b99"
        assert f.original_name == "mypic.jpg"
        (ip,) = f.ip_events
        assert (ip.ip, ip.event, ip.at) == ("63.116.246.17", "Upload", "2011-10-31T12:00:00Z")
        assert f.additional_info == ["File was originally posted with 6 others"]
    else:
        assert parsed.report_id == "7855776"
        assert f.file_id == "e6cb48fbb2b565e69ccded9b9cda62fb"
        assert [(d.name, d.value) for d in f.details] == [
            ("Got details", "Here they are"),
            ("Got more details", "Here they all are"),
        ]


def _reserialise(data: bytes, pretty: bool) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    root = etree.fromstring(data, parser)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=pretty)


@pytest.mark.parametrize(
    "name", ["ncmecdoc-report.xml", "ello-submit-request.xml", "ncmecdoc-fileDetails.xml"]
)
def test_pretty_and_single_line_give_same_model(ncmec_dir: Path, name: str) -> None:
    data = (ncmec_dir / name).read_bytes()
    forms = [data, _reserialise(data, pretty=False), _reserialise(data, pretty=True)]
    models = [ING.parse(form, name).model_dump(exclude={"warnings"}) for form in forms]
    assert models[0] == models[1] == models[2]


def test_doc_example_and_nachtalb_reserialisation_agree(ncmec_dir: Path) -> None:
    """NCMEC's pretty doc example vs Nachtalb's single-line copy (plus ``informational``)."""
    doc = _report(ncmec_dir / "ncmecdoc-report.xml")
    nachtalb = _report(ncmec_dir / "nachtalb-example-report.xml")
    assert nachtalb.report_annotations == [*doc.report_annotations, "informational"]
    skip = {"warnings", "report_annotations"}
    assert nachtalb.model_dump(exclude=skip) == doc.model_dump(exclude=skip)


@pytest.mark.parametrize("name", VALID)
def test_xsd_accepts_valid_samples(with_xsd: Path, name: str) -> None:
    root = etree.fromstring((with_xsd / name).read_bytes())
    assert xsd.validate(root) == []


@pytest.mark.parametrize("name", sorted(INVALID))
def test_xsd_names_offending_element(with_xsd: Path, name: str) -> None:
    ref = _report(with_xsd / name)  # still a referral: schema problems are warnings
    xsd_warnings = [w for w in ref.warnings if w.startswith("XSD: line ")]
    assert len(xsd_warnings) == 1
    assert INVALID[name] in xsd_warnings[0]


@pytest.mark.parametrize("name", REPORTS)
def test_every_report_sample_parses(ncmec_dir: Path, name: str) -> None:
    ref = _report(ncmec_dir / name)
    assert ref.party(PartyRole.REPORTER)[0].last_name in {"Smith", "User"}


def test_sniff_claims_reports_not_api_responses(ncmec_dir: Path) -> None:
    scores = {p.name: ING.sniff(p.name, p.read_bytes()[:4096]) for p in ncmec_dir.glob("*.xml")}
    for name, score in scores.items():
        root = etree.fromstring((ncmec_dir / name).read_bytes()).tag
        assert (score > 0.5) == (root in {"report", "fileDetails"}), name
    assert ING.sniff("x.xml", b"\xef\xbb\xbf<!-- c --><?pi x?>\n<report>") > 0.5
    assert ING.sniff("x.xml", b"<!DOCTYPE fileDetails [" + b" " * 5000) > 0.5
    assert ING.sniff("x.xml", b"<reportResponse><responseCode>0") == 0.0
    assert ING.sniff("x.xml", b"<?a?>" * 900) == 0.0
    assert ING.sniff("x.png", b"\x89PNG\r\n\x1a\n") == 0.0
    assert ING.sniff("x.xml", "<report/>".encode("utf-16")) > 0.5


def test_find_xsd_configuration(
    ncmec_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A checkout whose sibling ``shared/`` holds the XSD (linked in place, never copied):
    # with no setting, the lookup walks up from the working directory and finds it.
    target = tmp_path / "shared" / "conformance" / "formats" / "ncmec"
    target.mkdir(parents=True)
    (target / "cyber_tipline.xsd").symlink_to(ncmec_dir / "cyber_tipline.xsd")
    (tmp_path / "repo" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "repo" / "sub")
    monkeypatch.delenv(xsd.ENV_VAR, raising=False)
    found = xsd.find_xsd()
    assert found is not None and found.samefile(ncmec_dir / "cyber_tipline.xsd")
    monkeypatch.setenv(xsd.ENV_VAR, str(ncmec_dir / "missing.xsd"))
    assert xsd.find_xsd() is None
    root = etree.fromstring((ncmec_dir / "nachtalb-example-report.xml").read_bytes())
    assert xsd.validate(root) == []  # no XSD: nothing checked, nothing claimed


RICH = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- synthetic, benign -->
<report>
  <batchedReport reason="VIRAL_POTENTIAL_MEME"/>
  <incidentSummary>
    <incidentType>Online Enticement of Children for Sexual Acts</incidentType>
    <platform>Example Chat</platform>
    <escalateToHighPriority>Ongoing contact reported</escalateToHighPriority>
    <reportAnnotations><sextortion/></reportAnnotations>
    <incidentDateTime>2024-03-01T10:00:00+01:00</incidentDateTime>
    <incidentDateTimeDescription>approximate</incidentDateTimeDescription>
  </incidentSummary>
  <internetDetails>
    <chatImIncident><chatClient>ExampleIM</chatClient><content>hello</content>
      <additionalInfo>room log kept</additionalInfo></chatImIncident>
  </internetDetails>
  <lawEnforcement><agencyName>Example Police</agencyName></lawEnforcement>
  <reporter>
    <reportingPerson><firstName>Ann</firstName><email>safety@example.com</email></reportingPerson>
    <companyTemplate>Example Corp</companyTemplate>
  </reporter>
  <personOrUserReported>
    <personOrUserReportedPerson>
      <firstName>Sam</firstName><email>sam@example.com</email><email>s2@example.com</email>
      <phone>+1 555 0100</phone><age>forty</age>
      <address type="Home"><city>Springfield</city></address>
    </personOrUserReportedPerson>
    <espIdentifier>u-123</espIdentifier><espService>Chat</espService>
    <screenName>sam_x</screenName><displayName>Sam</displayName><displayName>S</displayName>
    <profileUrl>https://example.com/u/123</profileUrl><profileBio>bio</profileBio>
    <ipCaptureEvent><ipAddress>192.0.2.10</ipAddress><eventName>Login</eventName>
      <dateTime>2024-03-01T09:00:00Z</dateTime><possibleProxy>TRUE</possibleProxy>
      <port>443</port></ipCaptureEvent>
    <ipCaptureEvent><ipAddress>2001:db8::1</ipAddress><port>http</port>
      <possibleProxy>maybe</possibleProxy></ipCaptureEvent>
    <ipCaptureEvent><eventName>Login</eventName></ipCaptureEvent>
    <deviceId><idType>IMEI</idType><idValue>490154203237518</idValue></deviceId>
    <estimatedLocation verified="false"><city>Lyon</city><countryCode>FR</countryCode>
    </estimatedLocation>
    <accountPermanentlyDisabled disabledDate="2024-03-02">true</accountPermanentlyDisabled>
    <additionalInfo>note</additionalInfo>
  </personOrUserReported>
  <intendedRecipient><intendedRecipientPerson><age>14</age></intendedRecipientPerson>
    <screenName>kid_a</screenName></intendedRecipient>
  <victim><victimPerson><firstName>V</firstName></victimPerson><schoolName>X</schoolName></victim>
  <fileDetails><fileId>f1</fileId><fileName>a.jpg</fileName>
    <fileViewedByEsp>1</fileViewedByEsp></fileDetails>
  <additionalInfo>top note</additionalInfo>
  <futureElement kind="new">text<child>1</child></futureElement>
</report>
"""


def test_rich_report_mapping() -> None:
    ref = ING.parse(RICH, "rich.xml")
    assert isinstance(ref, Referral)
    assert ref.batched_reason == "VIRAL_POTENTIAL_MEME"
    assert (ref.escalated, ref.escalation_reason) == (True, "Ongoing contact reported")
    assert ref.platform == "Example Chat" and ref.esp_name == "Example Corp"
    assert ref.raw["incidentDateTimeDescription"] == "approximate"
    assert ref.raw["lawEnforcement"] == {"agencyName": "Example Police"}
    assert ref.raw["futureElement"] == {"@kind": "new", "#text": "text", "child": "1"}
    (chat,) = ref.incidents
    assert (chat.kind, chat.content, chat.additional_info) == ("chatIm", "hello", ["room log kept"])
    assert chat.raw == {"chatClient": "ExampleIM"}
    (sam,) = ref.party(PartyRole.REPORTED)
    assert sam.emails == ["sam@example.com", "s2@example.com"] and sam.age is None
    assert (sam.esp_user_id, sam.screen_name, sam.display_names) == ("u-123", "sam_x", ["Sam", "S"])
    first, second = sam.ip_events
    assert (first.ip, first.port, first.possible_proxy) == ("192.0.2.10", 443, True)
    assert (second.ip, second.port, second.possible_proxy) == ("2001:db8::1", None, None)
    assert sam.device_ids[0].value == "490154203237518"
    assert sam.location is not None and sam.location.verified is False
    assert sam.raw["personOrUserReportedPerson"]["address"]["city"] == "Springfield"
    assert sam.raw["accountPermanentlyDisabled"]["@disabledDate"] == "2024-03-02"
    assert ref.party(PartyRole.RECIPIENT)[0].age == 14
    assert ref.party(PartyRole.VICTIM)[0].raw == {"schoolName": "X"}
    assert ref.files[0].name == "a.jpg" and ref.files[0].viewed_by_esp is True
    assert ref.additional_info == ["top note"]
    problems = " | ".join(ref.warnings)
    for needle in ("'forty'", "'http'", "'maybe'", "without ipAddress"):
        assert needle in problems
    assert "/report/personOrUserReported" in problems


def test_file_details_fields() -> None:
    doc = b"""<fileDetails><reportId>9</reportId><fileId>abc</fileId>
      <originalFileName>C:\\pics\\x.jpg</originalFileName>
      <uploadedToEspTimestamp>2024-01-01T00:00:00Z</uploadedToEspTimestamp>
      <locationOfFile>https://cdn.example.com/x</locationOfFile>
      <fileViewedByEsp>false</fileViewedByEsp><publiclyAvailable>yes</publiclyAvailable>
      <fileRelevance>Reported</fileRelevance>
      <fileAnnotations><generativeAi/><viral/></fileAnnotations>
      <industryClassification>B2</industryClassification>
      <originalFileHash hashType="MD5">d41d8cd98f00b204e9800998ecf8427e</originalFileHash>
      <originalFileHash hashType="SHA1">da39a3ee5e6b4b0d3255bfef95601890afd80709</originalFileHash>
      <deviceId><idValue>dev-1</idValue></deviceId>
      <details type="EXIF"><nameValuePair><name>Make</name><value>Example</value>
      </nameValuePair></details></fileDetails>"""
    parsed = ING.parse(doc, "fd.xml")
    assert isinstance(parsed, FileDetails) and parsed.report_id == "9"
    f = parsed.file
    assert f.original_name == "C:\\pics\\x.jpg" and f.uploaded_at == "2024-01-01T00:00:00Z"
    assert (f.viewed_by_esp, f.publicly_available) == (False, None)
    assert f.annotations == ["generativeAi", "viral"] and f.industry_classification == "B2"
    assert set(f.declared_hashes) == {"md5", "sha1"}
    assert f.details[0].kind == "EXIF" and f.device_ids[0].value == "dev-1"
    assert f.raw == {"fileRelevance": "Reported"}
    assert any("'yes' is not a boolean" in w for w in parsed.warnings)
