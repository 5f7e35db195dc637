"""Country evidence: every location signal in a referral, weighted and explained.

Kept apart from the decision (``routing.decide``) so that the weights, which analysts will
want to argue about, sit in one short module with the reasons for each of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from grace.intel.geo import ENV_MMDB, IpGeolocator, non_global_reason
from grace.intel.routing_table import PSEUDO_CODES
from grace.model.intel import CountryEvidence, Identifier
from grace.model.referral import IpEvent, Party, PartyRole, Referral

# What the account holder did from an address says how much it tells about where they are:
# an upload or login is an act in the period reported, a registration may be years old.
EVENT_WEIGHTS: dict[str, float] = {
    "upload": 1.0,
    "login": 0.8,
    "purchase": 0.7,
    "other": 0.5,
    "unknown": 0.5,
    "registration": 0.4,
}
DEFAULT_EVENT_WEIGHT = 0.5
PROXY_FACTOR = 0.25  # the provider suspects a proxy/VPN: the exit node's country, not the user's
RECENT = timedelta(days=180)
OLD_FACTOR = 0.5  # events this long before the incident describe where the user *was*
PHONE_WEIGHTS: dict[str | None, float] = {"reported": 0.6, None: 0.3}
OTHER_PHONE_WEIGHT = 0.2  # a recipient's or victim's number
ESP_LOCATION_WEIGHT = 0.8
ESP_LOCATION_VERIFIED_WEIGHT = 1.0
OTHER_LOCATION_WEIGHT = 0.3
# ISO 3166 user-assigned codes (AA, QM-QZ, XA-XZ, ZZ) mean "unknown" in practice; XK (Kosovo)
# is user-assigned too but used by everyone, so it stays a country.
_USER_ASSIGNED = re.compile(r"^(AA|Q[M-Z]|X[A-JL-Z]|ZZ)$")


def normalise_code(code: str | None) -> tuple[str | None, str | None]:
    """``(country, None)`` for a usable ISO alpha-2 code, else ``(None, why unresolved)``."""
    text = (code or "").strip().upper()
    if not text:
        return None, "no country code"
    if text in PSEUDO_CODES:
        return None, f"{PSEUDO_CODES[text]} [{text}]"
    if text == "UK":  # exceptionally reserved for GB; providers send it
        return "GB", None
    if len(text) != 2 or not text.isascii() or not text.isalpha() or _USER_ASSIGNED.match(text):
        return None, f"unrecognised country code {code!r}"
    return text, None


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class CountryResolver:
    """Collects country evidence from a referral and the identifiers extracted from it."""

    def __init__(self, geolocator: IpGeolocator | None = None) -> None:
        self.geolocator = (
            geolocator
            if geolocator is not None
            else default_geolocator(os.environ.get(ENV_MMDB) or None)
        )

    def evidence(
        self, referral: Referral, identifiers: Iterable[Identifier] = ()
    ) -> list[CountryEvidence]:
        """Every location signal in ``referral``, each weighted and explained."""
        out: list[CountryEvidence] = []
        self._ip_evidence(referral, out)
        _phone_evidence(identifiers, out)
        for index, party in enumerate(referral.parties):
            _location_evidence(index, party, out)
        return out

    def _ip_evidence(self, referral: Referral, out: list[CountryEvidence]) -> None:
        events: list[tuple[str, IpEvent]] = []
        for index, party in enumerate(referral.parties):
            if party.role == PartyRole.REPORTED:
                events += [(f"parties[{index}]", e) for e in party.ip_events]
        for index, file in enumerate(referral.files):
            events += [(f"files[{index}]", e) for e in file.ip_events]
        if not events:
            return
        reference = _parse_time(referral.incident_time)
        if reference is None:
            times = [t for _, e in events if (t := _parse_time(e.at)) is not None]
            reference = max(times) if times else None
        seen: set[tuple[str, str, str]] = set()
        for where, event in events:
            key = (event.ip.strip().lower(), (event.event or "").lower(), event.at or "")
            if key in seen:  # the same capture listed on the account and on its file
                continue
            seen.add(key)
            out.append(self._one_ip(where, event, reference))

    def _one_ip(self, where: str, event: IpEvent, reference: datetime | None) -> CountryEvidence:
        label = f"{event.ip} ({event.event or 'no event'}{', ' + event.at if event.at else ''})"
        code, database = self.geolocator.country(event.ip)  # cached: ask it first
        ignored = non_global_reason(event.ip) if code is None else None
        if ignored is not None:
            return CountryEvidence(
                source="ip", country=None, weight=0, detail=f"ignored {label}: {ignored}"
            )
        country, unresolved = normalise_code(code)
        if country is None:
            why = unresolved if code else database
            source = "pseudo_code" if code in PSEUDO_CODES else "ip"
            return CountryEvidence(
                source=source,
                country=None,
                weight=0,
                detail=f"unresolved: {why} from IP {label} in {where} via {database}",
            )
        weight = EVENT_WEIGHTS.get((event.event or "").strip().lower(), DEFAULT_EVENT_WEIGHT)
        notes = []
        at = _parse_time(event.at)
        if reference is not None and at is not None and reference - at > RECENT:
            weight *= OLD_FACTOR
            notes.append(f"older than {RECENT.days} days before the incident")
        if event.possible_proxy:
            weight *= PROXY_FACTOR
            notes.append("possible proxy: weight reduced")
        suffix = f"; {'; '.join(notes)}" if notes else ""
        return CountryEvidence(
            source="ip",
            country=country,
            weight=round(weight, 4),
            detail=f"IP {label} in {where} -> {country} via {database}{suffix}",
        )


def _phone_evidence(identifiers: Iterable[Identifier], out: list[CountryEvidence]) -> None:
    """Valid phone numbers' countries; the reporter's (the provider's own staff) never count."""
    best: dict[str, CountryEvidence] = {}
    for ident in identifiers:
        if ident.kind != "phone" or ident.attributes.get("valid") is not True:
            continue
        if ident.role == PartyRole.REPORTER.value:
            continue
        raw_code = ident.attributes.get("country")
        country, unresolved = normalise_code(raw_code if isinstance(raw_code, str) else None)
        weight = PHONE_WEIGHTS.get(ident.role, OTHER_PHONE_WEIGHT) if country else 0.0
        detail = (
            f"phone {ident.value} ({ident.role or 'no party'}, {ident.source}) -> {country}"
            if country
            else f"unresolved: phone {ident.value} ({ident.source}) has {unresolved}"
        )
        ev = CountryEvidence(source="phone", country=country, weight=weight, detail=detail)
        current = best.get(ident.value)
        if current is None or ev.weight > current.weight:  # one number listed twice counts once
            best[ident.value] = ev
    out.extend(best.values())


def _location_evidence(index: int, party: Party, out: list[CountryEvidence]) -> None:
    """The provider's ``estimatedLocation``: the reported user's, and others' at low weight."""
    location = party.location
    if location is None or party.role == PartyRole.REPORTER:
        return
    where = f"estimatedLocation of {party.role.value} party (parties[{index}])"
    country, unresolved = normalise_code(location.country_code)
    if country is None:
        code = (location.country_code or "").strip().upper()
        out.append(
            CountryEvidence(
                source="pseudo_code" if code in PSEUDO_CODES else "esp_location",
                country=None,
                weight=0,
                detail=f"unresolved: {unresolved} from {where}",
            )
        )
        return
    if party.role == PartyRole.REPORTED:
        weight = ESP_LOCATION_VERIFIED_WEIGHT if location.verified else ESP_LOCATION_WEIGHT
    else:
        weight = OTHER_LOCATION_WEIGHT
    verified = ", verified" if location.verified else ""
    out.append(
        CountryEvidence(
            source="esp_location",
            country=country,
            weight=weight,
            detail=f"{where}{verified} -> {country}",
        )
    )


@lru_cache(maxsize=4)
def default_geolocator(mmdb: str | None) -> IpGeolocator:
    """One shared geolocator per MMDB path, so its lookup cache serves every referral."""
    return IpGeolocator(mmdb, use_env=False)
