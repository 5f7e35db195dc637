"""NCMEC CyberTipline ESP XML (``report`` and ``fileDetails`` documents) into the model.

This is the XML a provider sends to NCMEC; units receive it from ESPs directly, from
partner hotlines and inside NCMEC downloads. The schema moves (NCMEC adds annotations
and drops elements between versions), so mapping is by element name and lenient: what is
understood fills the model, bad values become ``None`` with a warning, and every element
not understood is kept in ``raw``. XSD violations are warnings too. ``reportResponse``
documents are API replies, not referrals, so the sniffer leaves them alone.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from lxml import etree

from grace.ingest import xsd
from grace.ingest.base import FileDetails, IngestError, Ingestor, Parsed
from grace.ingest.xml_safety import (
    Groups,
    attributes,
    child_elements,
    group_children,
    leftovers,
    local_name,
    parse_xml,
    pop_one,
    pop_text,
    pop_texts,
    text_of,
)
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

_NAME = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_DOCTYPE_NAME = re.compile(r"<!DOCTYPE\s+([A-Za-z_][\w.-]*)")
_MINE = {"report": 0.95, "fileDetails": 0.95}
_PARTIES: dict[str, tuple[PartyRole, str]] = {
    "reporter": (PartyRole.REPORTER, "reportingPerson"),
    "personOrUserReported": (PartyRole.REPORTED, "personOrUserReportedPerson"),
    "intendedRecipient": (PartyRole.RECIPIENT, "intendedRecipientPerson"),
    "victim": (PartyRole.VICTIM, "victimPerson"),
}
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


class CybertipXmlIngestor(Ingestor):
    """ESP report XML and fileDetails XML, as defined by NCMEC's CyberTipline XSD."""

    name: ClassVar[str] = "cybertip_xml"

    def sniff(self, member_name: str, head: bytes) -> float:
        return _MINE.get(_root_name(_head_text(head)) or "", 0.0)

    def parse(self, data: bytes, member_name: str) -> Parsed:
        root = parse_xml(data, member_name)
        kind = local_name(root)
        mapper = _Mapper()
        parsed: Parsed
        if kind == "report":
            parsed = mapper.report(root)
        elif kind == "fileDetails":
            g = group_children(root)
            report_id = pop_text(g, "reportId")
            parsed = FileDetails(report_id=report_id, file=mapper.file(root, g))
        else:
            raise IngestError(f"{member_name}: XML root <{kind}> is not a CyberTipline report")
        parsed.warnings.extend(mapper.warnings)
        parsed.warnings.extend(xsd.validate(root))
        return parsed


class _Mapper:
    """Maps elements to model objects, collecting warnings about values it cannot use."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def report(self, root: etree._Element) -> Referral:
        g = group_children(root)
        summary = group_children(pop_one(g, "incidentSummary"))
        escalation = summary.pop("escalateToHighPriority", [])
        batched = pop_one(g, "batchedReport")
        annotations = pop_one(summary, "reportAnnotations")
        reporter = pop_one(g, "reporter")
        parties = (
            [self.party(reporter, _PARTIES["reporter"])] if len(reporter) or reporter.text else []
        )
        parties += [self.party(el, _PARTIES[k]) for k in list(_PARTIES)[1:] for el in g.pop(k, [])]
        return Referral(
            source_format=CybertipXmlIngestor.name,
            external_id=pop_text(g, "reportId"),
            esp_name=_esp_name(reporter),
            incident_type=pop_text(summary, "incidentType"),
            incident_time=pop_text(summary, "incidentDateTime"),
            platform=pop_text(summary, "platform"),
            escalated=bool(escalation),
            escalation_reason=text_of(escalation[0]) if escalation else None,
            report_annotations=[local_name(el) for el in child_elements(annotations)],
            batched_reason=batched.get("reason"),
            incidents=[
                self.incident(i) for d in g.pop("internetDetails", []) for i in child_elements(d)
            ],
            parties=parties,
            files=[self.file(el, group_children(el)) for el in g.pop("fileDetails", [])],
            additional_info=pop_texts(g, "additionalInfo"),
            raw={**leftovers(summary), **leftovers(g)},  # last: keywords evaluate in order
        )

    def incident(self, el: etree._Element) -> IncidentDetail:
        g = group_children(el)
        tag = local_name(el)
        return IncidentDetail(
            kind=tag.removesuffix("Incident") or tag,
            urls=pop_texts(g, "url"),
            content=pop_text(g, "content"),
            additional_info=pop_texts(g, "additionalInfo"),
            raw={**attributes(el), **leftovers(g)},
        )

    def party(self, el: etree._Element, how: tuple[PartyRole, str]) -> Party:
        role, person_tag = how
        g = group_children(el)
        person = group_children(pop_one(g, person_tag))
        age = person.pop("age", [])
        return Party(
            role=role,
            first_name=pop_text(person, "firstName"),
            last_name=pop_text(person, "lastName"),
            age=self.integer(age[0]) if age else None,
            date_of_birth=pop_text(person, "dateOfBirth"),
            emails=pop_texts(person, "email"),
            phones=pop_texts(person, "phone"),
            esp_service=pop_text(g, "espService"),
            esp_user_id=pop_text(g, "espIdentifier"),
            screen_name=pop_text(g, "screenName"),
            display_names=pop_texts(g, "displayName"),
            profile_urls=pop_texts(g, "profileUrl"),
            profile_bio=pop_text(g, "profileBio"),
            ip_events=self.ip_events(g),
            device_ids=self.device_ids(g),
            location=self.location(g),
            additional_info=pop_texts(g, "additionalInfo"),
            raw=_party_raw(g, person, person_tag),
        )

    def file(self, el: etree._Element, g: Groups) -> FileRef:
        """A ``fileDetails`` element (document root or, leniently, inside a report)."""
        g.pop("reportId", None)
        flags = {k: self.boolean(pop_one(g, k)) for k in ("fileViewedByEsp", "publiclyAvailable")}
        annotations = [local_name(a) for a in child_elements(pop_one(g, "fileAnnotations"))]
        if g.pop("potentialMeme", []):  # older XSDs had the flag here
            annotations.append("potentialMeme")
        hashes = {
            (h.get("hashType") or "unknown").strip().lower(): value
            for h in g.pop("originalFileHash", [])
            if (value := text_of(h))
        }
        details = [
            NameValue(name=name, value=pop_text(p, "value"), kind=d.get("type"))
            for d in g.pop("details", [])
            for p in map(group_children, child_elements(d))
            if (name := pop_text(p, "name"))
        ]
        return FileRef(
            name=pop_text(g, "fileName"),
            original_name=pop_text(g, "originalFileName"),
            file_id=pop_text(g, "fileId"),
            viewed_by_esp=flags["fileViewedByEsp"],
            publicly_available=flags["publiclyAvailable"],
            annotations=annotations,
            industry_classification=pop_text(g, "industryClassification"),
            declared_hashes=hashes,
            uploaded_at=pop_text(g, "uploadedToEspTimestamp"),
            location_url=pop_text(g, "locationOfFile"),
            ip_events=self.ip_events(g),
            device_ids=self.device_ids(g),
            details=details,
            additional_info=pop_texts(g, "additionalInfo"),
            raw=leftovers(g),
        )

    def ip_events(self, g: Groups) -> list[IpEvent]:
        events = []
        for el in g.pop("ipCaptureEvent", []):
            e = group_children(el)
            ip = pop_text(e, "ipAddress")
            if ip is None:
                self.warn(el, "ipCaptureEvent without ipAddress ignored")
                continue
            port, proxy = pop_one(e, "port"), pop_one(e, "possibleProxy")
            event, at = pop_text(e, "eventName"), pop_text(e, "dateTime")
            port_number, possible_proxy = self.integer(port), self.boolean(proxy)
            events.append(
                IpEvent(ip=ip, event=event, at=at, port=port_number, possible_proxy=possible_proxy)
            )
        return events

    def device_ids(self, g: Groups) -> list[DeviceId]:
        found = []
        for el in g.pop("deviceId", []):
            d = group_children(el)
            value = pop_text(d, "idValue")
            if value is None:
                self.warn(el, "deviceId without idValue ignored")
                continue
            id_type, event, at = (pop_text(d, k) for k in ("idType", "eventName", "dateTime"))
            found.append(DeviceId(id_type=id_type, value=value, event=event, at=at))
        return found

    def location(self, g: Groups) -> Location | None:
        el = pop_one(g, "estimatedLocation")
        if not len(el) and not el.attrib:
            return None
        loc = group_children(el)
        return Location(
            city=pop_text(loc, "city"),
            region=pop_text(loc, "region"),
            country_code=pop_text(loc, "countryCode"),
            verified=self.boolean(el, el.get("verified")) if "verified" in el.attrib else None,
        )

    def boolean(self, el: etree._Element, value: str | None = None) -> bool | None:
        text = value if value is not None else text_of(el)
        if text is None:
            return None
        if (word := text.strip().lower()) in _TRUE | _FALSE:
            return word in _TRUE
        self.warn(el, f"{text!r} is not a boolean (true/false/1/0); ignored")
        return None

    def integer(self, el: etree._Element) -> int | None:
        text = text_of(el)
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            self.warn(el, f"{text!r} is not a whole number; ignored")
            return None

    def warn(self, el: etree._Element, message: str) -> None:
        path = el.getroottree().getpath(el)
        self.warnings.append(f"{path} (line {el.sourceline}): {message}")


def _party_raw(g: Groups, person: Groups, person_tag: str) -> dict[str, Any]:
    """The party's unmapped elements; the person's own under the person element's name."""
    raw = leftovers(g, skip={"companyTemplate"})  # the reporter's is Referral.esp_name
    if rest := leftovers(person):
        raw[person_tag] = rest
    return raw


def _root_name(text: str) -> str | None:
    """The root element's name, skipping the XML declaration, comments and PIs.

    A loop rather than one regex: lazy patterns over a hostile head can backtrack badly.
    A DOCTYPE names the root itself, which also covers a subset too long for the head.
    """
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        for opener, closer in (("<?", "?>"), ("<!--", "-->")):
            if text.startswith(opener, pos):
                end = text.find(closer, pos + len(opener))
                if end < 0:
                    return None
                pos = end + len(closer)
                break
        else:
            match = (_DOCTYPE_NAME if text.startswith("<!", pos) else _NAME).match(text, pos)
            return match.group(1) if match else None


def _head_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _esp_name(reporter: etree._Element) -> str | None:
    """The report XML never names the ESP (NCMEC knows it from the login): use the reporter's
    ``companyTemplate``, else the host of its ``legalURL`` / ``termsOfService`` link."""
    g = group_children(reporter)
    template = text_of(pop_one(g, "companyTemplate"))
    if template:
        return template
    for key in ("legalURL", "termsOfService"):
        if host := _host(text_of(pop_one(g, key))):
            return host.removeprefix("www.")
    return None


def _host(link: str | None) -> str | None:
    """The host of a URL, or None; ``urlsplit`` raises ``ValueError`` on a malformed one
    (``http://[x``), which must cost the referral its ESP name, not stop the ingest."""
    if not link or "://" not in link:
        return None
    try:
        return urlsplit(link).hostname
    except ValueError:
        return None
