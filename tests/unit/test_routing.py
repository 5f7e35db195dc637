"""Country evidence, routing decisions and the routing table (all data synthetic)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import iptocc
import pytest

from grace.intel.geo import IpGeolocator
from grace.intel.routing import (
    CountryResolver,
    RoutingTable,
    RoutingTableError,
    decide,
    load_routing_table,
    route,
)
from grace.intel.routing_table import ENV_TABLE
from grace.model import FileRef, IpEvent, Location, Party, PartyRole, Referral
from grace.model.intel import Identifier, RoutingDecision

# The 27 EU member states (Greece as ISO GR, not EL).
EU_CODES = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU = EU_CODES.split(" ")
# Well-known provider addresses; the countries iptocc gives them are checked in ``known_ips``.
PUBLIC = {"DE": "193.99.144.80", "FR": "217.70.184.38", "NL": "145.97.39.155"}


@pytest.fixture(scope="module", autouse=True)
def known_ips() -> None:
    for country, ip in PUBLIC.items():
        if iptocc.country_code(ip) != country:
            pytest.skip(f"iptocc data changed: {ip} is no longer {country}")


@pytest.fixture(scope="module")
def table() -> RoutingTable:
    return load_routing_table()


@pytest.fixture(scope="module")
def geo() -> IpGeolocator:
    return IpGeolocator(use_env=False)


def reported(
    *events: IpEvent, country: str | None = None, verified: bool | None = None
) -> Referral:
    location = Location(country_code=country, verified=verified) if country is not None else None
    party = Party(role=PartyRole.REPORTED, ip_events=list(events), location=location)
    return Referral(incident_time="2024-05-01T12:00:00Z", parties=[party])


def phone(country: str | None, valid: bool = True, role: str | None = "reported") -> Identifier:
    return Identifier(
        kind="phone", value="+4930901820", raw="030 901820", source="parties[0].phones[0]",
        role=role, attributes={"country": country, "valid": valid},
    )  # fmt: skip


def up(ip: str, event: str = "Upload", at: str = "2024-04-30T10:00:00Z", **kw: bool) -> IpEvent:
    return IpEvent(ip=ip, event=event, at=at, **kw)


def run(
    referral: Referral, table: RoutingTable, geo: IpGeolocator, ids: Sequence[Identifier] = ()
) -> RoutingDecision:
    return route(referral, ids, table=table, geolocator=geo)


def agency_id(table: RoutingTable, country: str) -> str | None:
    agency = table.agency_for(country)
    return agency.id if agency else None


# --- the default table ----------------------------------------------------------------------


def test_default_table_covers_the_eu(table: RoutingTable) -> None:
    assert table.coordinator.id == "europol"
    for code in EU:
        agency = table.agency_for(code)
        assert agency is not None and agency.countries == [code], code
    assert agency_id(table, "de") == "de-bka"
    assert agency_id(table, "GB") == "gb-nca"
    assert agency_id(table, "NO") == "no-kripos"
    assert agency_id(table, "EU") is None


# --- each evidence source alone ---------------------------------------------------------


@pytest.mark.parametrize("country", sorted(PUBLIC))
def test_ip_alone(country: str, table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(up(PUBLIC[country])), table, geo)
    assert (decision.country, decision.confidence, decision.unresolved) == (country, 1.0, False)
    assert decision.agency == agency_id(table, country)
    assert decision.evidence[0].source == "ip" and decision.evidence[0].weight == 1.0


def test_file_upload_ip_counts_once_when_repeated(table: RoutingTable, geo: IpGeolocator) -> None:
    referral = reported(up(PUBLIC["DE"]))
    referral.files.append(FileRef(name="a.bin", ip_events=[up(PUBLIC["DE"]), up(PUBLIC["NL"])]))
    evidence = CountryResolver(geo).evidence(referral)
    assert [(e.country, e.detail.split(" in ")[1].split()[0]) for e in evidence] == [
        ("DE", "parties[0]"), ("NL", "files[0]"),
    ]  # fmt: skip


def test_phone_alone(table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(), table, geo, [phone("DE")])
    assert (decision.country, decision.agency) == ("DE", "de-bka")
    assert decision.evidence[0].source == "phone"


@pytest.mark.parametrize(
    "ident",
    [phone("DE", valid=False), phone("DE", role="reporter"), phone(None)],
    ids=["invalid", "reporter", "non-geographic"],
)
def test_unusable_phones(ident: Identifier, table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(), table, geo, [ident])
    assert decision.unresolved and decision.reason == "no usable location evidence"


def test_esp_location_alone(table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(country="fr"), table, geo)
    assert (decision.country, decision.agency) == ("FR", "fr-police")
    assert decision.evidence[0].source == "esp_location"
    assert run(reported(country="UK"), table, geo).agency == "gb-nca"


def test_recipient_location_weighs_less(table: RoutingTable, geo: IpGeolocator) -> None:
    referral = reported(country="DE")
    referral.parties.append(Party(role=PartyRole.RECIPIENT, location=Location(country_code="FR")))
    decision = run(referral, table, geo)
    assert decision.country == "DE"
    assert decision.confidence == pytest.approx(0.8 / 1.1, abs=1e-3)


# --- pseudo-codes and unusable codes ----------------------------------------------------


@pytest.mark.parametrize(
    ("code", "meaning"),
    [
        ("A1", "anonymous proxy"),
        ("A2", "satellite provider"),
        ("O1", "other country"),
        ("AP", "Asia/Pacific region"),
        ("EU", "Europe region"),
    ],
)
def test_pseudo_codes_are_unresolved(
    code: str, meaning: str, table: RoutingTable, geo: IpGeolocator
) -> None:
    decision = run(reported(country=code), table, geo)
    assert decision.unresolved and decision.country is None and decision.agency == "europol"
    assert decision.reason == f"no usable location evidence; pseudo-codes seen: {code} ({meaning})"
    (ev,) = decision.evidence
    assert ev.source == "pseudo_code" and ev.country is None and ev.weight == 0
    assert ev.detail.startswith(f"unresolved: {meaning} [{code}]")


@pytest.mark.parametrize(("code", "why"), [("", "no country code"), ("ZZ", "unrecognised")])
def test_empty_and_unknown_codes(
    code: str, why: str, table: RoutingTable, geo: IpGeolocator
) -> None:
    decision = run(reported(country=code), table, geo)
    assert decision.unresolved and decision.agency == "europol"
    assert why in decision.evidence[0].detail


def test_pseudo_code_does_not_block_real_evidence(table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(up(PUBLIC["NL"]), country="A1"), table, geo)
    assert (decision.country, decision.agency, decision.confidence) == ("NL", "nl-police", 1.0)


# --- weights ------------------------------------------------------------------------------


def test_proxy_is_down_weighted(table: RoutingTable, geo: IpGeolocator) -> None:
    referral = reported(up(PUBLIC["DE"], possible_proxy=True), up(PUBLIC["FR"], "Login"))
    decision = run(referral, table, geo)
    de = next(e for e in decision.evidence if e.country == "DE")
    assert de.weight == 0.25 and "possible proxy" in de.detail
    assert decision.country == "FR"


def test_event_kind_and_age_weights(geo: IpGeolocator) -> None:
    events = [
        up(PUBLIC["DE"], "Upload"),
        up(PUBLIC["DE"], "Login"),
        up(PUBLIC["DE"], "Registration"),
        up(PUBLIC["DE"], "Login", at="2021-01-01T00:00:00+01:00"),
        up(PUBLIC["DE"], "Login", at="not a time"),
    ]
    weights = [e.weight for e in CountryResolver(geo).evidence(reported(*events))]
    assert weights == [1.0, 0.8, 0.4, 0.4, 0.8]


def test_private_and_documentation_ips_are_ignored(table: RoutingTable, geo: IpGeolocator) -> None:
    noise = [up("10.0.0.7"), up("192.0.2.44"), up("100.64.3.3"), up("fe80::1")]
    decision = run(reported(*noise), table, geo)
    assert decision.unresolved and decision.reason == "no usable location evidence"
    assert all(e.weight == 0 and e.detail.startswith("ignored") for e in decision.evidence)
    decision = run(reported(*noise, up(PUBLIC["DE"])), table, geo)
    assert (decision.country, decision.confidence) == ("DE", 1.0)


# --- decisions ------------------------------------------------------------------------------


def test_conflicting_countries_go_to_coordinator(table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(up(PUBLIC["DE"]), up(PUBLIC["FR"])), table, geo)
    assert decision.unresolved and decision.agency == "europol" and decision.country is None
    assert decision.confidence == 0.5
    assert decision.reason.startswith("multi-country: DE 50%, FR 50%")


def test_two_country_split_within_margin(table: RoutingTable, geo: IpGeolocator) -> None:
    # DE upload + login (1.8) vs FR login + registration (1.2): 60% passes the threshold but
    # the 20-point gap is inside the default 25% margin.
    events = [up(PUBLIC["DE"]), up(PUBLIC["DE"], "Login"), up(PUBLIC["FR"], "Login")]
    events.append(up(PUBLIC["FR"], "Registration"))
    decision = run(reported(*events), table, geo)
    assert decision.unresolved and "DE and FR within margin 25%" in decision.reason
    evidence = CountryResolver(geo).evidence(reported(*events))
    assert decide(evidence, table, margin=0.1).agency == "de-bka"
    assert decide(evidence, table, threshold=0.7, margin=0.0).unresolved


def test_country_without_agency(table: RoutingTable, geo: IpGeolocator) -> None:
    decision = run(reported(country="JP"), table, geo)
    assert (decision.country, decision.agency, decision.unresolved) == ("JP", "europol", False)
    assert decision.reason.startswith("no agency for JP")


# --- loading tables -------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "table.yaml"
    path.write_text(text, encoding="utf-8")
    return path


COORD = "coordinator: {id: hub, name: Hub}\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("coordinator: [unclosed\n", "invalid YAML at line 2"),
        ("- just\n- a list\n", "expected a mapping"),
        ("agencies: []\n", "coordinator: Field required"),
        ("coordinator: {id: hub}\n", "coordinator.name: Field required"),
        (COORD + "agencies: [{id: a, name: A}]", "agencies[0].countries: Field required"),
        (COORD + "agencies: [{id: a, name: A, countries: [DE], fax: 1}]", "agencies[0].fax"),
        (
            COORD + "agencies: [{id: a, name: A, countries: [DE]}, {id: b, name: B, "
            "countries: [FR, DE]}]",
            "country DE is claimed by both a and b",
        ),
        (COORD + "agencies: [{id: a, name: A, countries: [EU]}]", "EU is a pseudo-code"),
        (COORD + "agencies: [{id: a, name: A, countries: [NO]}]", 'quote it (e.g. "NO")'),
        (COORD + "agencies: [{id: a, name: A, countries: [Germany]}]", "not an upper-case"),
        (COORD + "agencies: [{id: hub, name: A, countries: [DE]}]", "'hub' is used twice"),
    ],
)
def test_bad_tables_fail_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(RoutingTableError) as info:
        load_routing_table(path)
    text = str(info.value)
    assert "\n" not in text and text.startswith(f"routing table {path}: ") and message in text


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RoutingTableError, match="cannot read"):
        load_routing_table(tmp_path / "absent.yaml")


def test_table_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, COORD + "settings: {threshold: 0.9}\n"
                  "agencies: [{id: x, name: X, countries: [DE, AT]}]")  # fmt: skip
    monkeypatch.setenv(ENV_TABLE, str(path))
    custom = load_routing_table()
    assert agency_id(custom, "AT") == "x" and custom.settings.threshold == 0.9
    assert route(reported(country="AT"), geolocator=IpGeolocator(use_env=False)).agency == "x"
