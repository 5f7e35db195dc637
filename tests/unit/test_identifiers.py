"""``extract_identifiers`` over whole referrals: sources, roles, dedup, no network, speed.

Every referral here is synthetic (example.* domains, documentation IP ranges, fictional
people and numbers).
"""

from __future__ import annotations

import importlib
import socket
import time
from typing import Any

import pytest

from grace.intel import web
from grace.intel.identifiers import extract_identifiers
from grace.model.intel import Identifier
from grace.model.referral import (
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

EIP55_EXAMPLE = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def _referral(i: int = 0, eth: str = EIP55_EXAMPLE) -> Referral:
    return Referral(
        esp_name="ExampleChat",
        parties=[
            Party(
                role=PartyRole.REPORTED,
                emails=[
                    f"  User{i}@Example.COM ",
                    "not an email",
                    f"user{i}\uff20example\uff0ecom",
                ],
                phones=[f"(202) 555-01{i % 100:02d}", "12345"],
                screen_name=f" @User_{i} ",
                display_names=["\uff35\uff53\uff45\uff52 Example"],
                esp_user_id=f"{1000 + i}",
                profile_urls=[f"HTTPS://Profiles.Example.co.uk/u/User{i}"],
                profile_bio=f"dm @side_{i} or user{i} [at] example [dot] org",
                ip_events=[
                    IpEvent(ip="192.0.2.10", event="login", at="2024-01-02T03:04:05Z"),
                    IpEvent(ip=f"[2001:db8::{i + 1:x}]:443", possible_proxy=True),
                    IpEvent(ip="::ffff:198.51.100.7"),
                    IpEvent(ip="not-an-ip"),
                ],
                device_ids=[DeviceId(id_type="IMEI", value="49-015420-323751-8")],
                location=Location(country_code="US"),
                additional_info=["call 202-555-0199 after 5"],
                raw={"meta": {"contact": {"wallet": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}}},
            ),
            Party(
                role=PartyRole.VICTIM,
                esp_service="Example Photos",
                esp_user_id=f"{1000 + i}",
                profile_bio="reach me on 0491 570 006 at 203.0.113.9",
            ),
        ],
        incidents=[
            IncidentDetail(
                kind="webPage",
                urls=["http://www.example.net:80/page"],
                content="mirror at https://sub.example.co.uk/x",
            )
        ],
        files=[
            FileRef(name="a"),
            FileRef(
                name="b",
                location_url="https://cdn.example.org/f/1",
                ip_events=[IpEvent(ip="203.0.113.77:51234")],
                details=[
                    NameValue(name="Camera", value="ExampleCam"),
                    NameValue(name="Uploader IP", value="uploaded from 198.51.100.23"),
                ],
            ),
        ],
        additional_info=["IBAN GB82 WEST 1234 5698 7654 32 and $ExampleTips"],
        raw={"foo": {"bar": ["x", f"eth {eth}"]}},
    )


def _index(ids: list[Identifier]) -> dict[tuple[str, str], list[Identifier]]:
    out: dict[tuple[str, str], list[Identifier]] = {}
    for ident in ids:
        out.setdefault((ident.kind, ident.source), []).append(ident)
    return out


def _one(ids: list[Identifier], kind: str, source: str) -> Identifier:
    found = _index(ids)[(kind, source)]
    assert len(found) == 1, found
    return found[0]


def test_party_fields() -> None:
    ids = extract_identifiers(_referral(7))
    email = _one(ids, "email", "parties[0].emails[0]")
    assert (email.value, email.raw, email.role) == (
        "user7@example.com",
        "User7@Example.COM",
        "reported",
    )
    assert _one(ids, "email", "parties[0].emails[2]").value == "user7@example.com"
    assert ("email", "parties[0].emails[1]") not in _index(ids)
    phone = _one(ids, "phone", "parties[0].phones[0]")
    assert phone.value == "+12025550107" and phone.attributes["country"] == "US"
    assert ("phone", "parties[0].phones[1]") not in _index(ids)
    name = _one(ids, "screen_name", "parties[0].screen_name")
    assert name.value == "user_7" and name.attributes == {"esp": "examplechat"}
    assert _one(ids, "display_name", "parties[0].display_names[0]").value == "user example"
    device = _one(ids, "device_id", "parties[0].device_ids[0]")
    assert device.value == "imei:490154203237518" and device.attributes["valid"] is True


def test_esp_user_ids_scoped_per_party_esp() -> None:
    ids = extract_identifiers(_referral(1))
    assert _one(ids, "esp_user_id", "parties[0].esp_user_id").value == "examplechat/1001"
    victim = _one(ids, "esp_user_id", "parties[1].esp_user_id")
    assert victim.value == "example photos/1001" and victim.role == "victim"


def test_ip_events() -> None:
    ids = extract_identifiers(_referral())
    first = _one(ids, "ip", "parties[0].ip_events[0]")
    assert first.value == "192.0.2.10"
    assert first.attributes["event"] == "login" and first.attributes["at"] == "2024-01-02T03:04:05Z"
    v6 = _one(ids, "ip", "parties[0].ip_events[1]")
    assert (v6.value, v6.attributes["port"], v6.attributes["possible_proxy"]) == (
        "2001:db8::1", 443, True,
    )  # fmt: skip
    mapped = _one(ids, "ip", "parties[0].ip_events[2]")
    assert mapped.value == "198.51.100.7" and mapped.attributes["version"] == 4
    assert ("ip", "parties[0].ip_events[3]") not in _index(ids)
    file_ip = _one(ids, "ip", "files[1].ip_events[0]")
    assert (file_ip.value, file_ip.attributes["port"], file_ip.role) == (
        "203.0.113.77",
        51234,
        None,
    )


def test_free_text_sources_and_roles() -> None:
    ids = extract_identifiers(_referral(3))
    index = _index(ids)
    bio = {i.kind: i for i in ids if i.source == "parties[0].profile_bio"}
    assert bio["screen_name"].value == "side_3" and bio["screen_name"].attributes["from_text"]
    assert bio["email"].value == "user3@example.org" and bio["email"].role == "reported"
    info = _one(ids, "phone", "parties[0].additional_info[0]")
    assert info.value == "+12025550199"
    # the victim has no location: only an international number could be read, none is
    assert ("phone", "parties[1].profile_bio") not in index
    assert _one(ids, "ip", "parties[1].profile_bio").role == "victim"
    wallet = _one(ids, "crypto_wallet", "parties[0].raw.meta.contact.wallet")
    assert wallet.attributes["chain"] == "bitcoin"
    eth = _one(ids, "crypto_wallet", "raw.foo.bar[1]")
    assert eth.attributes == {"chain": "ethereum", "checksum_valid": True} and eth.role is None
    assert _one(ids, "ip", "files[1].details[1]").value == "198.51.100.23"
    assert _one(ids, "domain", "incidents[0].content").value == "example.co.uk"
    payments = {i.value for i in ids if i.source == "additional_info[0]"}
    assert payments == {"GB82WEST12345698765432", "$exampletips"}


def test_urls_and_domains() -> None:
    ids = extract_identifiers(_referral(2))
    url = _one(ids, "url", "parties[0].profile_urls[0]")
    assert url.value == "https://profiles.example.co.uk/u/User2"
    domain = _one(ids, "domain", "parties[0].profile_urls[0]")
    assert domain.value == "example.co.uk" and domain.attributes["subdomain"] == "profiles"
    assert _one(ids, "url", "incidents[0].urls[0]").value == "http://www.example.net/page"
    assert _one(ids, "url", "files[1].location_url").value == "https://cdn.example.org/f/1"


def test_dedup_per_kind_value_source() -> None:
    referral = Referral(
        parties=[Party(role=PartyRole.REPORTED, profile_bio="a@example.com, A@EXAMPLE.COM")],
        additional_info=["a@example.com"],
    )
    ids = extract_identifiers(referral)
    assert [(i.value, i.source) for i in ids] == [
        ("a@example.com", "parties[0].profile_bio"),
        ("a@example.com", "additional_info[0]"),
    ]


def test_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suffix list comes from tldextract's bundled snapshot, even on a cold start."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    importlib.reload(web)  # a fresh TLDExtract whose suffix list is loaded under the patch
    try:
        found = web.domain("sub.example.co.uk")
        assert found is not None and found[1] == "example.co.uk"
        ids = extract_identifiers(_referral(9))
        assert any(i.kind == "domain" and i.value == "example.co.uk" for i in ids)
    finally:
        monkeypatch.undo()
        importlib.reload(web)


def test_throughput(capsys: pytest.CaptureFixture[str]) -> None:
    # distinct values per referral so the normalisers' caches don't flatter the figure
    referrals = [_referral(i, f"0x{i:040x}") for i in range(1000)]
    extract_identifiers(referrals[0])  # warm-up: suffix list, phone metadata
    start = time.perf_counter()
    total = sum(len(extract_identifiers(r)) for r in referrals)
    elapsed = time.perf_counter() - start
    with capsys.disabled():
        print(
            f"\nextract_identifiers: 1000 referrals, {total} identifiers, {elapsed:.2f} s "
            f"({elapsed:.3f} ms/referral)"
        )
    assert elapsed < 10
