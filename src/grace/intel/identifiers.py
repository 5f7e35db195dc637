"""Every identifier in a referral, typed, normalised and tied to where it was found.

This is the entry point the link graph, routing and scoring build on. Structured fields
(a party's e-mails, phones, IP events...) go through the normaliser for their kind; free
text (bios, additional info, incident content, file details and every string inside the
``raw`` dicts ingestors keep) goes through the text scanner. Each identifier carries a
``source`` path such as ``parties[0].emails[1]`` so an analyst can see exactly which part
of the referral said so, and the party's ``role`` so a victim's e-mail is never mistaken
for the reported user's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from grace.intel import normalise, web
from grace.intel.textscan import scan_text
from grace.intel.wallets import Found
from grace.model.intel import Identifier
from grace.model.referral import DeviceId, FileRef, IncidentDetail, IpEvent, Party, Referral

_MAX_RAW_DEPTH = 16  # ingestors keep provider JSON/XML as-is; don't trust its nesting


class _Collector:
    """Identifiers in document order, one per (kind, value, source)."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str, str], Identifier] = {}

    def add(
        self,
        found: Found | None,
        raw: str,
        source: str,
        role: str | None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if found is None:
            return
        kind, value, attributes = found
        key = (kind, value, source)
        if key in self.items:
            return
        merged = {**attributes, **extra} if extra else dict(attributes)
        self.items[key] = Identifier(
            kind=kind, value=value, raw=raw, source=source, role=role, attributes=merged
        )

    def many(self, found: list[Found], raw: str, source: str, role: str | None) -> None:
        for item in found:
            self.add(item, raw, source, role)

    def text(
        self, text: str | None, source: str, role: str | None, region: str | None = None
    ) -> None:
        if text:
            for item, raw in scan_text(text, region):
                self.add(item, raw, source, role)


def _event_attributes(event: IpEvent | DeviceId) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if event.event is not None:
        extra["event"] = event.event
    if event.at is not None:
        extra["at"] = event.at
    if isinstance(event, IpEvent) and event.possible_proxy is not None:
        extra["possible_proxy"] = event.possible_proxy
    return extra


def _ip_events(out: _Collector, events: list[IpEvent], prefix: str, role: str | None) -> None:
    for j, event in enumerate(events):
        out.add(
            normalise.ip(event.ip, event.port),
            event.ip,
            f"{prefix}.ip_events[{j}]",
            role,
            _event_attributes(event),
        )


def _device_ids(out: _Collector, ids: list[DeviceId], prefix: str, role: str | None) -> None:
    for j, device in enumerate(ids):
        out.add(
            normalise.device_id(device.id_type, device.value),
            device.value,
            f"{prefix}.device_ids[{j}]",
            role,
            _event_attributes(device),
        )


def _raw_strings(value: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    """(path, text) for every string in a ``raw`` dict: ``raw.foo.bar``, ``raw.list[2]``."""
    if depth > _MAX_RAW_DEPTH:
        return
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _raw_strings(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _raw_strings(item, f"{path}[{index}]", depth + 1)


def _raw(
    out: _Collector, raw: dict[str, Any], prefix: str, role: str | None, region: str | None = None
) -> None:
    for path, text in _raw_strings(raw, f"{prefix}raw"):
        out.text(text, path, role, region)


def _party(out: _Collector, party: Party, index: int, referral_esp: str | None) -> None:
    prefix = f"parties[{index}]"
    role = party.role.value
    esp = party.esp_service or referral_esp
    region = normalise.phone_region(party.location.country_code if party.location else None)
    for j, text in enumerate(party.emails):
        out.add(normalise.email(text), text, f"{prefix}.emails[{j}]", role)
    for j, text in enumerate(party.phones):
        out.add(normalise.phone(text, region), text, f"{prefix}.phones[{j}]", role)
    if party.screen_name:
        out.add(
            normalise.name("screen_name", party.screen_name, esp),
            party.screen_name,
            f"{prefix}.screen_name",
            role,
        )
    for j, text in enumerate(party.display_names):
        out.add(
            normalise.name("display_name", text, esp), text, f"{prefix}.display_names[{j}]", role
        )
    if party.esp_user_id:
        out.add(
            normalise.esp_user_id(party.esp_user_id, esp),
            party.esp_user_id,
            f"{prefix}.esp_user_id",
            role,
        )
    for j, text in enumerate(party.profile_urls):
        out.many(web.url(text), text, f"{prefix}.profile_urls[{j}]", role)
    _ip_events(out, party.ip_events, prefix, role)
    _device_ids(out, party.device_ids, prefix, role)
    out.text(party.profile_bio, f"{prefix}.profile_bio", role, region)
    for j, text in enumerate(party.additional_info):
        out.text(text, f"{prefix}.additional_info[{j}]", role, region)
    _raw(out, party.raw, f"{prefix}.", role, region)


def _incident(out: _Collector, incident: IncidentDetail, index: int) -> None:
    prefix = f"incidents[{index}]"
    for j, text in enumerate(incident.urls):
        out.many(web.url(text), text, f"{prefix}.urls[{j}]", None)
    out.text(incident.content, f"{prefix}.content", None)
    for j, text in enumerate(incident.additional_info):
        out.text(text, f"{prefix}.additional_info[{j}]", None)
    _raw(out, incident.raw, f"{prefix}.", None)


def _file(out: _Collector, file: FileRef, index: int) -> None:
    prefix = f"files[{index}]"
    if file.location_url:
        out.many(web.url(file.location_url), file.location_url, f"{prefix}.location_url", None)
    _ip_events(out, file.ip_events, prefix, None)
    _device_ids(out, file.device_ids, prefix, None)
    for j, detail in enumerate(file.details):
        out.text(detail.value, f"{prefix}.details[{j}]", None)
    for j, text in enumerate(file.additional_info):
        out.text(text, f"{prefix}.additional_info[{j}]", None)
    _raw(out, file.raw, f"{prefix}.", None)


def extract_identifiers(referral: Referral) -> list[Identifier]:
    """Every identifier in ``referral``, in document order, deduplicated per source.

    The same value found in two places is reported twice (two sources): where an
    identifier appears is evidence in itself, and the link graph collapses by value.
    """
    out = _Collector()
    for index, party in enumerate(referral.parties):
        _party(out, party, index, referral.esp_name)
    for index, incident in enumerate(referral.incidents):
        _incident(out, incident, index)
    for index, file in enumerate(referral.files):
        _file(out, file, index)
    for index, text in enumerate(referral.additional_info):
        out.text(text, f"additional_info[{index}]", None)
    _raw(out, referral.raw, "", None)
    return list(out.items.values())
