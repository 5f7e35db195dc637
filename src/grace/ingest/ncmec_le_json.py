"""The JSON download NCMEC gives law enforcement for a CyberTipline report, into the model.

There is no published schema: field names come from open-source police parsers, and
those parsers agree that any field may be missing, null or shaped differently from one
ESP to the next (``screenName`` as ``{"value": ...}`` or a plain string, lists wrapped in
an object of the same name or not). So every read here tolerates absence silently and a
wrong type with a warning; a report is refused only when it is not JSON or not an object.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from grace.ingest.base import Ingestor, Parsed
from grace.ingest.grace_json import load_json_object
from grace.model import FileRef, IncidentDetail, IpEvent, NameValue, Party, PartyRole, Referral

_STRONG = (b'"reportedInformation"', b'"uploadedFiles"')
_KINDS = {k.lower(): k for k in ("webPage", "email", "newsgroup", "chatIm", "onlineGaming")}
_KINDS |= {k.lower(): k for k in ("cellPhone", "nonInternet", "peer2peer")}
_PEOPLE = {
    "reportedPeople": ("reportedPersons", PartyRole.REPORTED),
    "intendedRecipients": ("intendedRecipients", PartyRole.RECIPIENT),
    "victims": ("victims", PartyRole.VICTIM),
}
_PERSON_KEYS = {"firstName", "lastName", "dateOfBirth", "approximateAge", "espService"}
_PERSON_KEYS |= {"espUserId", "screenName", "emails", "phones", "sourceInformation"}
_PERSON_KEYS |= {"additionalInformations", "displayName", "profileUrl"}
_FILE_KEYS = {"filename", "originalFilename", "verificationHash", "viewedByEsp", "ncmecTags"}
_FILE_KEYS |= {"industryClassification", "sourceInformation", "espMetadata"}
_FILE_KEYS |= {"additionalInformations", "publiclyAvailable"}
_INFO_KEYS = {"incidentSummary", "reportingEsp", "incidentDetails", "additionalInformations"}
_INFO_KEYS |= {"uploadedFiles", *_PEOPLE}
_SUMMARY_KEYS = {"incidentType", "incidentDateTime", "platform", "escalateToHighPriority"}
_SUMMARY_KEYS |= {"reportAnnotations"}
_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class NcmecLeJsonIngestor(Ingestor):
    """NCMEC's CyberTipline report as downloaded by a police unit (JSON)."""

    name: ClassVar[str] = "ncmec_le_json"

    def sniff(self, member_name: str, head: bytes) -> float:
        if not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith((b"{", b"[")):
            return 0.0
        if b'"reportId"' not in head:
            return 0.0
        return 0.9 if any(key in head for key in _STRONG) else 0.3

    def parse(self, data: bytes, member_name: str) -> Parsed:
        return _Reader().report(load_json_object(data, member_name))


class _Reader:
    """Lenient typed reads from decoded JSON, collecting a warning per wrong type."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def report(self, doc: dict[str, Any]) -> Referral:
        info = self.obj(doc, "reportedInformation", "")
        summary = self.obj(info, "incidentSummary", "reportedInformation")
        esp = self.obj(info, "reportingEsp", "reportedInformation")
        escalated, reason = _escalation(summary.get("escalateToHighPriority"))
        parties = [self.reporter(esp)] if esp.get("firstName") or esp.get("lastName") else []
        for key, (inner, role) in _PEOPLE.items():
            holder = info if key in info else doc
            parties += [self.person(p, role, key) for p in self.wrapped(holder, key, inner)]
        holder = info if "uploadedFiles" in info else doc
        files = [self.file(f) for f in self.wrapped(holder, "uploadedFiles", "uploadedFiles")]
        return Referral(
            source_format=NcmecLeJsonIngestor.name,
            external_id=self.text(doc, "reportId"),
            received_at=self.text(doc, "dateReceived"),
            esp_name=self.text(esp, "espName"),
            incident_type=self.text(summary, "incidentType"),
            incident_time=self.text(summary, "incidentDateTime"),
            platform=self.text(summary, "platform"),
            escalated=escalated,
            escalation_reason=reason,
            report_annotations=self.names(summary.get("reportAnnotations")),
            incidents=self.incidents(self.obj(info, "incidentDetails", "reportedInformation")),
            parties=parties,
            files=files,
            additional_info=self.infos(info),
            raw=_report_raw(doc, info, summary, esp),
            warnings=self.warnings,  # last: every read above may have added one
        )

    def reporter(self, esp: dict[str, Any]) -> Party:
        first, last = self.text(esp, "firstName"), self.text(esp, "lastName")
        emails = self.values(esp.get("emails") or esp.get("email"), "reportingEsp.emails")
        return Party(role=PartyRole.REPORTER, first_name=first, last_name=last, emails=emails)

    def person(self, p: dict[str, Any], role: PartyRole, where: str) -> Party:
        ips, urls, other = self.captures(p, where)
        raw = _drop(p, _PERSON_KEYS)
        if other:
            raw["sourceCaptures"] = other
        return Party(
            role=role,
            first_name=self.text(p, "firstName"),
            last_name=self.text(p, "lastName"),
            age=self.integer(p, "approximateAge", where, raw),
            date_of_birth=self.text(p, "dateOfBirth"),
            emails=self.values(p.get("emails"), f"{where}.emails"),
            phones=self.values(p.get("phones"), f"{where}.phones"),
            esp_service=self.text(p, "espService"),
            esp_user_id=self.text(p, "espUserId"),
            screen_name=self.text(p, "screenName"),
            display_names=self.values(p.get("displayName"), f"{where}.displayName"),
            profile_urls=self.values(p.get("profileUrl"), f"{where}.profileUrl") + urls,
            ip_events=ips,
            additional_info=self.infos(p),
            raw=raw,
        )

    def file(self, f: dict[str, Any]) -> FileRef:
        name = self.text(f, "filename")
        ips, urls, other = self.captures(f, f"uploadedFiles.{name}")
        raw = _drop(f, _FILE_KEYS)
        if other or urls:
            raw["sourceCaptures"] = other + [{"captureType": "URL", "value": u} for u in urls]
        md5 = self.text(f, "verificationHash")
        tags = self.obj(f, "ncmecTags", "uploadedFiles")
        metadata = self.obj(f, "espMetadata", "uploadedFiles")
        return FileRef(
            name=name,
            original_name=self.text(f, "originalFilename"),
            viewed_by_esp=self.flag(f, "viewedByEsp"),
            publicly_available=self.flag(f, "publiclyAvailable"),
            industry_classification=self.text(f, "industryClassification"),
            declared_hashes={"md5": md5} if md5 else {},
            ip_events=ips,
            details=[
                NameValue(name=n, value=self.text(m, "value"), kind="espMetadata")
                for m in self.items(metadata.get("metadatas"), "espMetadata.metadatas")
                if (n := self.text(m, "name"))
            ],
            tags=[
                t
                for g in self.items(tags.get("groups"), "ncmecTags.groups")
                for t in self.values(g.get("tags"), "ncmecTags.groups.tags")
            ],
            additional_info=self.infos(f),
            raw=raw,
        )

    def incidents(self, details: dict[str, Any]) -> list[IncidentDetail]:
        found = []
        for key, entries in details.items():
            short = key.removesuffix("Incident")
            kind = _KINDS.get(short.lower(), short)
            for entry in self.items(entries, f"incidentDetails.{key}"):
                ips, urls, other = self.captures(entry, key)
                contents = self.values(entry.get("contents") or entry.get("content"), key)
                raw = _drop(entry, {"url", "urls", "contents", "content", "additionalInformations"})
                if ips or other:
                    raw["sourceCaptures"] = [*other, *(e.model_dump() for e in ips)]
                found.append(
                    IncidentDetail(
                        kind=kind,
                        urls=self.values(entry.get("urls") or entry.get("url"), key) + urls,
                        content="\n".join(contents) or None,
                        additional_info=self.infos(entry),
                        raw=raw,
                    )
                )
        return found

    def captures(
        self, holder: dict[str, Any], where: str
    ) -> tuple[list[IpEvent], list[str], list[Any]]:
        """``sourceInformation.sourceCaptures``: IP events, URLs, and anything else as sent."""
        source = self.obj(holder, "sourceInformation", where)
        ips: list[IpEvent] = []
        urls: list[str] = []
        other: list[Any] = []
        for c in self.items(source.get("sourceCaptures"), f"{where}.sourceCaptures"):
            kind = (self.text(c, "captureType") or "").lower()
            value = self.text(c, "value")
            if value and "ip" in kind.split():
                port = self.integer(c, "port", f"{where}.sourceCaptures", {})
                at, event = self.text(c, "dateTime"), self.text(c, "eventName")
                ips.append(IpEvent(ip=value, event=event, at=at, port=port))
            elif value and "url" in kind.split():
                urls.append(value)
            else:
                other.append(c)
        return ips, urls, other

    def infos(self, holder: dict[str, Any]) -> list[str]:
        return self.values(holder.get("additionalInformations"), "additionalInformations")

    def wrapped(self, holder: dict[str, Any], key: str, inner: str) -> list[dict[str, Any]]:
        """``{key: {inner: [...]}}`` or ``{key: [...]}``: NCMEC uses both."""
        value = holder.get(key)
        if isinstance(value, dict):
            value = value.get(inner)
        return self.items(value, key)

    def items(self, value: Any, where: str) -> list[dict[str, Any]]:
        value = value if isinstance(value, list) else [] if value is None else [value]
        good = [v for v in value if isinstance(v, dict)]
        if len(good) < len(value):
            self.warn(where, f"{len(value) - len(good)} entries are not objects; ignored")
        return good

    def values(self, value: Any, where: str) -> list[str]:
        """Strings from ``[{value}]``, ``[str]``, ``{x: [...]}`` or a single item."""
        if isinstance(value, dict) and "value" not in value:
            value = next((v for v in value.values() if isinstance(v, list)), None)
        listed = value if isinstance(value, list) else [] if value is None else [value]
        found = [v.get("value") if isinstance(v, dict) else v for v in listed]
        if any(isinstance(v, list | dict) for v in found):
            self.warn(where, "nested values where text was expected; ignored")
        return [text for v in found if (text := _scalar(v))]

    def names(self, value: Any) -> list[str]:
        if isinstance(value, dict):
            return [k for k, v in value.items() if v not in (False, None, "false")]
        return self.values(value, "reportAnnotations")

    def obj(self, holder: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = holder.get(key)
        if value is None or isinstance(value, dict):
            return value or {}
        self.warn(f"{where}.{key}".lstrip("."), f"expected an object, got {type(value).__name__}")
        return {}

    def text(self, holder: dict[str, Any], key: str) -> str | None:
        value = holder.get(key)
        if isinstance(value, dict):
            value = value.get("value")
        return _scalar(value)

    def flag(self, holder: dict[str, Any], key: str) -> bool | None:
        value = holder.get(key)
        if value is None or isinstance(value, bool):
            return value
        found = _BOOLS.get(str(value).strip().lower())
        if found is None:
            self.warn(key, f"{str(value)[:80]!r} is not a yes/no value; ignored")
        return found

    def integer(
        self, holder: dict[str, Any], key: str, where: str, raw: dict[str, Any]
    ) -> int | None:
        value = self.text(holder, key)
        if value is None:
            return None
        if re.fullmatch(r"\s*\d{1,9}\s*", value):
            return int(value)
        raw[key] = holder[key]  # e.g. an age range "13-15": kept as sent
        self.warn(f"{where}.{key}", f"{value[:80]!r} is not a whole number; kept in raw")
        return None

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")


def _escalation(value: Any) -> tuple[bool, str | None]:
    """``escalateToHighPriority``: a reason text in ESP XML, sometimes a flag in JSON."""
    if isinstance(value, bool) or value is None:
        return bool(value), None
    text = str(value).strip()
    if text.lower() in _BOOLS:
        return _BOOLS[text.lower()], None
    return bool(text), text or None


def _report_raw(
    doc: dict[str, Any], info: dict[str, Any], summary: dict[str, Any], esp: dict[str, Any]
) -> dict[str, Any]:
    """Everything at report level that has no field in the model, keyed as NCMEC sends it."""
    raw = _drop(doc, {"reportId", "dateReceived", "reportedInformation", "uploadedFiles", *_PEOPLE})
    raw |= _drop(info, _INFO_KEYS)
    if rest := _drop(summary, _SUMMARY_KEYS):
        raw["incidentSummary"] = rest
    if rest := _drop(esp, {"espName", "firstName", "lastName", "emails", "email"}):
        raw["reportingEsp"] = rest
    return raw


def _scalar(value: Any) -> str | None:
    """A JSON scalar as text; numbers become strings (report ids arrive as both)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _drop(d: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in keys and v is not None}
