"""Spell a synthetic referral as NCMEC's law-enforcement JSON download or as grace JSON.

The law-enforcement shape follows the field names that two open-source police parsers
read (no official specification is public); like real downloads, absent values are left
out or null, and identifiers hide in free-text ``additionalInformations``. grace JSON is
by definition ``Referral.model_dump_json(exclude_none=True)``, so it is built from the
model itself and can never drift from it.
"""

from __future__ import annotations

import json
from typing import Any

from grace.demo.synth import IpCapture, Subject, SynthReferral
from grace.model import (
    FileRef,
    IncidentDetail,
    IpEvent,
    Location,
    NameValue,
    Party,
    PartyRole,
    Referral,
)


def _captures(events: list[IpCapture]) -> list[dict[str, Any]]:
    return [
        {
            "captureType": "IP Address",
            "value": e.ip,
            "dateTime": e.at,
            "port": e.port,
            "eventName": e.event,
        }
        for e in events
    ]


def _le_person(
    s: Subject, esp_service: str, events: list[IpCapture], info: list[str], profile: str
) -> dict[str, Any]:
    person: dict[str, Any] = {
        "firstName": s.first_name,
        "lastName": s.last_name,
        "dateOfBirth": s.date_of_birth,
        "approximateAge": s.age,
        "espService": esp_service,
        "espUserId": s.esp_user_id,
        "screenName": {"value": s.screen_name},
        "emails": {"emails": [{"value": m, "verified": i == 0} for i, m in enumerate(s.emails)]},
        "phones": {"phones": [{"value": p, "verified": False} for p, _ in s.phones]},
        "sourceInformation": {
            "sourceCaptures": [
                *_captures(events),
                {"captureType": "Profile URL", "value": profile},
            ]
        },
        "additionalInformations": [{"value": text} for text in info],
    }
    return {k: v for k, v in person.items() if v is not None}


def le_json(r: SynthReferral) -> bytes:
    """NCMEC's law-enforcement JSON for a referral (``report.json``)."""
    s = r.subject
    summary: dict[str, Any] = {
        "incidentType": r.incident_type,
        "incidentDateTime": r.incident_time,
        "incidentDateTimeDescription": r.incident_time_description,
    }
    if r.escalation:
        summary["escalateToHighPriority"] = r.escalation
    if r.report_annotations:
        summary["reportAnnotations"] = list(r.report_annotations)
    files = []
    for f in r.files:
        tags = [{"value": a} for a in f.annotations]
        meta = [{"name": n, "value": v} for n, v in f.exif]
        if f.uploaded_at:
            meta.append({"name": "upload_time", "value": f.uploaded_at})
        files.append(
            {
                "filename": f.member_name,
                "originalFilename": f.original_name,
                "submittalId": f.file_id,
                "verificationHash": f.md5,
                "viewedByEsp": f.viewed_by_esp,
                "industryClassification": f.industry_classification,
                "publiclyAvailable": f.publicly_available,
                "ncmecTags": {"groups": [{"tags": tags}]} if tags else None,
                "sourceInformation": {
                    "sourceCaptures": _captures([f.upload_ip] if f.upload_ip else [])
                    + ([{"captureType": "URL", "value": f.location_url}] if f.location_url else [])
                },
                "espMetadata": {"metadatas": meta},
                "additionalInformations": [{"value": t} for t in f.additional_info],
            }
        )
    incident: dict[str, Any] = {}
    if r.incident_kind == "email":
        incident["emailIncident"] = [{"contents": [{"value": f"Sender: {s.emails[0]}"}]}]
    else:
        incident["webpageIncident"] = [
            {
                "sourceInformation": {
                    "sourceCaptures": [{"captureType": "URL", "value": u} for u in r.urls]
                },
                "additionalInformations": [{"value": f"Platform: {r.platform}"}]
                if r.platform
                else [],
            }
        ]
    people = _le_person(
        s, r.esp.service, r.subject_ips, r.subject_info, f"https://{r.esp.domain}/u/{s.screen_name}"
    )
    if r.location is not None and r.location[2]:
        people["addresses"] = {"addresses": [{"city": r.location[0], "country": r.location[2]}]}
    info: dict[str, Any] = {
        "reportingEsp": {
            "espName": r.esp.name,
            "firstName": r.esp.reporter_first,
            "lastName": r.esp.reporter_last,
        },
        "incidentSummary": summary,
        "additionalInformations": [{"value": t} for t in r.additional_info],
        "incidentDetails": incident,
        "reportedPeople": {"reportedPersons": [people]},
        "uploadedFiles": {"uploadedFiles": files},
    }
    if r.recipient is not None:
        rec = r.recipient
        info["intendedRecipients"] = {
            "intendedRecipients": [
                {
                    "espService": r.esp.service,
                    "espUserId": rec.esp_user_id,
                    "screenName": {"value": rec.screen_name},
                }
            ]
        }
    doc = {"reportId": r.report_id, "dateReceived": r.received_at, "reportedInformation": info}
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def _ip_event(e: IpCapture) -> IpEvent:
    return IpEvent(ip=e.ip, event=e.event, at=e.at, port=e.port, possible_proxy=e.possible_proxy)


def grace_referral(r: SynthReferral) -> Referral:
    """The referral as grace's own model (source_format ``grace_json``)."""
    s = r.subject
    location = None
    if r.location is not None:
        location = Location(
            city=r.location[0],
            region=r.location[1],
            country_code=r.location[2],
            verified=r.location_verified,
        )
    parties = [
        Party(
            role=PartyRole.REPORTED,
            first_name=s.first_name,
            last_name=s.last_name,
            age=s.age,
            date_of_birth=s.date_of_birth,
            emails=list(s.emails),
            phones=[p for p, _ in s.phones],
            esp_service=r.esp.service,
            esp_user_id=s.esp_user_id,
            screen_name=s.screen_name,
            display_names=[s.display_name] if s.display_name else [],
            profile_urls=[f"https://{r.esp.domain}/u/{s.screen_name}"],
            ip_events=[_ip_event(e) for e in r.subject_ips],
            location=location,
            additional_info=list(r.subject_info),
        )
    ]
    if r.recipient is not None:
        parties.append(
            Party(
                role=PartyRole.RECIPIENT,
                esp_service=r.esp.service,
                esp_user_id=r.recipient.esp_user_id,
                screen_name=r.recipient.screen_name,
            )
        )
    if r.victim_age is not None:
        parties.append(Party(role=PartyRole.VICTIM, age=r.victim_age))
    files = [
        FileRef(
            name=f.member_name,
            original_name=f.original_name,
            file_id=f.file_id,
            viewed_by_esp=f.viewed_by_esp,
            publicly_available=f.publicly_available,
            annotations=list(f.annotations),
            industry_classification=f.industry_classification,
            declared_hashes={"md5": f.md5, "sha1": f.sha1},
            uploaded_at=f.uploaded_at,
            location_url=f.location_url,
            ip_events=[_ip_event(f.upload_ip)] if f.upload_ip else [],
            details=[NameValue(name=n, value=v, kind="EXIF") for n, v in f.exif],
            additional_info=list(f.additional_info),
        )
        for f in r.files
    ]
    return Referral(
        source_format="grace_json",
        external_id=f"GR-{r.report_id}",
        esp_name=r.esp.name,
        incident_type=r.incident_type,
        incident_time=r.incident_time,
        received_at=r.received_at,
        platform=r.platform,
        escalated=r.escalation is not None,
        escalation_reason=r.escalation,
        report_annotations=list(r.report_annotations),
        batched_reason="VIRAL_POTENTIAL_MEME" if r.batched else None,
        incidents=[IncidentDetail(kind=r.incident_kind, urls=list(r.urls))],
        parties=parties,
        files=files,
        additional_info=list(r.additional_info),
    )


def grace_json(r: SynthReferral) -> bytes:
    """grace's own referral JSON (``referral.json``)."""
    return grace_referral(r).model_dump_json(exclude_none=True).encode("utf-8")
