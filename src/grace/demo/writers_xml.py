"""Spell a synthetic referral as CyberTipline ESP XML: one ``report`` and one ``fileDetails``
per file, exactly as a provider submits them to NCMEC's reporting API.

NCMEC's server rejects children out of XSD sequence order, so every builder below adds
elements in the schema's order; the unit tests validate every document against NCMEC's
own XSD. The report carries no report id (NCMEC assigns it on ``/submit``); each
``fileDetails`` names it, which is how grace pairs them in a bundle.
"""

from __future__ import annotations

from lxml import etree

from grace.demo.synth import IpCapture, Subject, SynthFile, SynthReferral

_Element = etree._Element


def _sub(parent: _Element, tag: str, text: str | None = None, **attrs: str) -> _Element:
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _ip(parent: _Element, event: IpCapture) -> None:
    el = _sub(parent, "ipCaptureEvent")
    _sub(el, "ipAddress", event.ip)
    _sub(el, "eventName", event.event)
    _sub(el, "dateTime", event.at)
    if event.possible_proxy is not None:
        _sub(el, "possibleProxy", _bool(event.possible_proxy))
    if event.port is not None:
        _sub(el, "port", str(event.port))


def _person(parent: _Element, tag: str, s: Subject, *, with_age: bool = True) -> None:
    el = _sub(parent, tag)
    if s.first_name:
        _sub(el, "firstName", s.first_name)
    if s.last_name:
        _sub(el, "lastName", s.last_name)
    for number, code in s.phones:
        _sub(el, "phone", number, type="Mobile", countryCallingCode=code)
    for i, mail in enumerate(s.emails):
        attrs = {"verified": "true"} if i == 0 else {"type": "Recovery"}
        _sub(el, "email", mail, **attrs)
    if with_age and s.age is not None:
        _sub(el, "age", str(s.age))
    if with_age and s.date_of_birth:
        _sub(el, "dateOfBirth", s.date_of_birth)


def _incident(root: _Element, r: SynthReferral) -> None:
    details = _sub(root, "internetDetails")
    kind = r.incident_kind
    if kind == "chatIm":
        el = _sub(details, "chatImIncident")
        _sub(el, "chatClient", r.esp.service)
        if r.chat_room:
            _sub(el, "chatRoomName", r.chat_room)
    elif kind == "email":
        el = _sub(details, "emailIncident")
        _sub(el, "emailAddress", r.subject.emails[0])
    elif kind == "onlineGaming":
        el = _sub(details, "onlineGamingIncident")
        _sub(el, "gameName", "Block Builders Online")
    elif kind == "peer2peer":
        el = _sub(details, "peer2peerIncident")
        _sub(el, "client", r.esp.service)
        for event in r.subject_ips:
            _ip(el, event)
    else:
        el = _sub(details, "webPageIncident")
        for url in r.urls:
            _sub(el, "url", url)


def report_xml(r: SynthReferral) -> bytes:
    """The ``report`` document of a referral."""
    root = etree.Element("report")
    if r.batched:
        _sub(root, "batchedReport", reason="VIRAL_POTENTIAL_MEME")
    summary = _sub(root, "incidentSummary")
    _sub(summary, "incidentType", r.incident_type)
    if r.platform:
        _sub(summary, "platform", r.platform)
    if r.escalation:
        _sub(summary, "escalateToHighPriority", r.escalation)
    if r.report_annotations:
        notes = _sub(summary, "reportAnnotations")
        for flag in r.report_annotations:
            _sub(notes, flag)
    _sub(summary, "incidentDateTime", r.incident_time)
    if r.incident_time_description:
        _sub(summary, "incidentDateTimeDescription", r.incident_time_description)
    _incident(root, r)
    reporter = _sub(root, "reporter")
    person = _sub(reporter, "reportingPerson")
    _sub(person, "firstName", r.esp.reporter_first)
    _sub(person, "lastName", r.esp.reporter_last)
    slug = r.esp.name.lower().replace(" ", "")
    _sub(person, "email", f"tns-{slug}@example.com", type="Work")
    _sub(reporter, "legalURL", f"https://{r.esp.domain}/legal")
    s = r.subject
    reported = _sub(root, "personOrUserReported")
    if s.first_name or s.last_name or s.emails or s.phones:
        _person(reported, "personOrUserReportedPerson", s)
    _sub(reported, "espIdentifier", s.esp_user_id)
    _sub(reported, "espService", r.esp.service)
    _sub(reported, "screenName", s.screen_name)
    if s.display_name:
        _sub(reported, "displayName", s.display_name)
    _sub(reported, "profileUrl", f"https://{r.esp.domain}/u/{s.screen_name}")
    if r.incident_kind != "peer2peer":
        for event in r.subject_ips:
            _ip(reported, event)
    if s.device_id:
        device = _sub(reported, "deviceId")
        _sub(device, "idType", s.device_id[0])
        _sub(device, "idValue", s.device_id[1])
    if r.location is not None:
        attrs = {} if r.location_verified is None else {"verified": _bool(r.location_verified)}
        loc = _sub(reported, "estimatedLocation", **attrs)
        city, region, country = r.location
        if city:
            _sub(loc, "city", city)
        if region:
            _sub(loc, "region", region)
        if country:
            _sub(loc, "countryCode", country)
    if r.subject_info:
        _sub(reported, "additionalInfo", " ".join(r.subject_info))
    if r.recipient is not None:
        rec = _sub(root, "intendedRecipient")
        _sub(rec, "espIdentifier", r.recipient.esp_user_id)
        _sub(rec, "espService", r.esp.service)
        _sub(rec, "screenName", r.recipient.screen_name)
    if r.victim_age is not None:
        victim = _sub(root, "victim")
        _sub(_sub(victim, "victimPerson"), "age", str(r.victim_age))
    if r.additional_info:
        _sub(root, "additionalInfo", "\n".join(r.additional_info)[:3000])
    return _serialise(root)


def file_details_xml(r: SynthReferral, f: SynthFile) -> bytes:
    """The ``fileDetails`` document of one file of a referral."""
    root = etree.Element("fileDetails")
    _sub(root, "reportId", str(r.report_id))
    _sub(root, "fileId", f.file_id)
    if f.original_name:
        _sub(root, "originalFileName", f.original_name)
    if f.uploaded_at:
        _sub(root, "uploadedToEspTimestamp", f.uploaded_at)
    if f.location_url:
        _sub(root, "locationOfFile", f.location_url)
    if f.viewed_by_esp is not None:
        _sub(root, "fileViewedByEsp", _bool(f.viewed_by_esp))
    if f.exif:
        _sub(root, "exifViewedByEsp", "false")
    if f.publicly_available is not None:
        _sub(root, "publiclyAvailable", _bool(f.publicly_available))
    if f.supplemental:
        _sub(root, "fileRelevance", "Supplemental Reported")
    if f.annotations:
        notes = _sub(root, "fileAnnotations")
        for flag in f.annotations:
            _sub(notes, flag)
    if f.industry_classification:
        _sub(root, "industryClassification", f.industry_classification)
    _sub(root, "originalFileHash", f.md5, hashType="MD5")
    if f.upload_ip is not None:
        _ip(root, f.upload_ip)
    if f.exif:
        details = _sub(root, "details", type="EXIF")
        for name, value in f.exif:
            pair = _sub(details, "nameValuePair")
            _sub(pair, "name", name)
            _sub(pair, "value", value)
    for info in f.additional_info:
        _sub(root, "additionalInfo", info)
    return _serialise(root)


def _serialise(root: _Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
