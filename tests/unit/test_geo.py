"""IP geolocation: refused ranges, the offline RIR fallback, and an operator MMDB taking over.

The MMDB used here is written by the test itself (a minimal writer of the MaxMind DB format,
IPv4 tree with 24-bit records), so the precedence rules are checked against the real
``maxminddb`` reader without shipping or downloading a GeoIP database.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path
from typing import Any

import iptocc
import pytest

from grace.intel.geo import (
    ENV_MMDB,
    IPTOCC_SOURCE,
    GeoDatabaseError,
    IpGeolocator,
    non_global_reason,
)
from grace.intel.routing import load_routing_table, route
from grace.model import IpEvent, Party, PartyRole, Referral

# A well-known German publisher's address (heise.de); iptocc's answer is checked in tests.
DE_IP = "193.99.144.80"


# --- a minimal MaxMind DB writer --------------------------------------------------------


class _U16(int):
    """An integer the writer must store as uint16 (libmaxminddb checks metadata types)."""


class _U64(int):
    """An integer the writer must store as uint64."""


def _ctrl(type_num: int, size: int) -> bytes:
    first, extended = (type_num << 5, b"") if type_num <= 7 else (0, bytes([type_num - 7]))
    if size < 29:
        return bytes([first | size]) + extended
    if size < 285:
        return bytes([first | 29]) + extended + bytes([size - 29])
    return bytes([first | 30]) + extended + struct.pack(">H", size - 285)


def _encode(value: Any) -> bytes:
    if isinstance(value, str):
        data = value.encode()
        return _ctrl(2, len(data)) + data
    if isinstance(value, int):
        type_num = 5 if isinstance(value, _U16) else 9 if isinstance(value, _U64) else 6
        data = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return _ctrl(type_num, len(data)) + data
    if isinstance(value, dict):
        return _ctrl(7, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())
    if isinstance(value, list):
        return _ctrl(11, len(value)) + b"".join(_encode(v) for v in value)
    raise TypeError(type(value))


def write_mmdb(path: Path, networks: dict[str, dict[str, Any]]) -> Path:
    """Write an IPv4 MMDB (24-bit records) mapping each CIDR to its record."""
    data = b""
    offsets: list[int] = []
    for record in networks.values():
        offsets.append(len(data))
        data += _encode(record)
    # Binary trie: node -> [left, right]; an int >= 0 is a child node, ("data", i) a record.
    nodes: list[list[Any]] = [[None, None]]
    for index, cidr in enumerate(networks):
        net = ipaddress.IPv4Network(cidr)
        bits = int(net.network_address)
        node = 0
        for depth in range(net.prefixlen):
            bit = (bits >> (31 - depth)) & 1
            if depth == net.prefixlen - 1:
                nodes[node][bit] = ("data", index)
            else:
                if nodes[node][bit] is None:
                    nodes.append([None, None])
                    nodes[node][bit] = len(nodes) - 1
                node = nodes[node][bit]
    count = len(nodes)

    def record_value(slot: Any) -> int:
        if slot is None:
            return count  # "no data"
        if isinstance(slot, tuple):
            return count + 16 + offsets[slot[1]]
        return int(slot)

    tree = b"".join(
        record_value(left).to_bytes(3, "big") + record_value(right).to_bytes(3, "big")
        for left, right in nodes
    )
    metadata = {
        "node_count": count,
        "record_size": _U16(24),
        "ip_version": _U16(4),
        "database_type": "Grace-Test-Country",
        "languages": ["en"],
        "binary_format_major_version": _U16(2),
        "binary_format_minor_version": _U16(0),
        "build_epoch": _U64(1_700_000_000),
        "description": {"en": "synthetic test database"},
    }
    blob = tree + b"\x00" * 16 + data + b"\xab\xcd\xefMaxMind.com" + _encode(metadata)
    path.write_bytes(blob)
    return path


@pytest.fixture
def mmdb(tmp_path: Path) -> Path:
    """DE_IP's /24 placed in FR by country; 8.8.8.0/24 with only a registered country."""
    return write_mmdb(
        tmp_path / "test-country.mmdb",
        {
            "193.99.144.0/24": {"country": {"iso_code": "FR"}, "continent": {"code": "EU"}},
            "8.8.8.0/24": {"registered_country": {"iso_code": "CH"}},
        },
    )


@pytest.fixture(autouse=True)
def _no_env_mmdb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_MMDB, raising=False)


# --- tests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ip", "reason"),
    [
        ("10.1.2.3", "private range"),
        ("192.168.0.1", "private range"),
        ("fc00::1", "private range"),
        ("127.0.0.1", "loopback address"),
        ("::1", "loopback address"),
        ("169.254.10.1", "link-local address"),
        ("fe80::1", "link-local address"),
        ("192.0.2.7", "documentation range"),
        ("198.51.100.1", "documentation range"),
        ("203.0.113.9", "documentation range"),
        ("2001:db8::5", "documentation range"),
        ("100.64.1.1", "shared address space (CGNAT)"),
        ("224.0.0.1", "multicast address"),
        ("0.0.0.0", "unspecified address"),
        ("240.0.0.1", "reserved range"),
        ("::ffff:10.0.0.1", "private range"),
        ("not-an-ip", "not an IP address"),
        ("8.8.8.8", None),
        ("::ffff:8.8.8.8", None),
        ("[2001:4860:4860::8888]", None),
    ],
)
def test_non_global_reason(ip: str, reason: str | None) -> None:
    assert non_global_reason(ip) == reason


def test_iptocc_fallback_agrees_with_iptocc() -> None:
    expected = iptocc.country_code(DE_IP)
    assert expected == "DE", f"iptocc data changed: {DE_IP} -> {expected}"
    assert IpGeolocator(use_env=False).country(DE_IP) == ("DE", IPTOCC_SOURCE)


def test_non_global_is_refused_with_reason() -> None:
    geo = IpGeolocator(use_env=False)
    assert geo.country("10.0.0.1") == (None, "private range")
    assert geo.country("192.0.2.1") == (None, "documentation range")


def test_lookups_are_cached() -> None:
    geo = IpGeolocator(use_env=False)
    for _ in range(3):
        geo.country(DE_IP)
    info = geo._cached.cache_info()
    assert (info.hits, info.misses) == (2, 1)


def test_mmdb_takes_precedence(mmdb: Path) -> None:
    geo = IpGeolocator(mmdb)
    country, source = geo.country(DE_IP)
    assert country == "FR"
    assert source == "mmdb:Grace-Test-Country (test-country.mmdb)"


def test_mmdb_registered_country_when_no_country(mmdb: Path) -> None:
    assert IpGeolocator(mmdb).country("8.8.8.8")[0] == "CH"


def test_mmdb_miss_and_ipv6_fall_back_to_iptocc(mmdb: Path) -> None:
    geo = IpGeolocator(mmdb)
    assert geo.country("145.97.39.155") == (iptocc.country_code("145.97.39.155"), IPTOCC_SOURCE)
    v6 = "2001:4860:4860::8888"  # an IPv4-only database cannot answer for IPv6
    assert geo.country(v6) == (iptocc.country_code(v6), IPTOCC_SOURCE)


def test_mmdb_from_environment(mmdb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_MMDB, str(mmdb))
    assert IpGeolocator().country(DE_IP)[0] == "FR"
    assert IpGeolocator(use_env=False).country(DE_IP)[0] == "DE"


def test_missing_or_corrupt_mmdb_fails_loudly(tmp_path: Path) -> None:
    with pytest.raises(GeoDatabaseError, match="no such file"):
        IpGeolocator(tmp_path / "absent.mmdb")
    bad = tmp_path / "bad.mmdb"
    bad.write_bytes(b"not a database")
    with pytest.raises(GeoDatabaseError, match=r"bad\.mmdb"):
        IpGeolocator(bad)


def test_mmdb_override_changes_routing(mmdb: Path) -> None:
    referral = Referral(
        parties=[Party(role=PartyRole.REPORTED, ip_events=[IpEvent(ip=DE_IP, event="Upload")])]
    )
    table = load_routing_table()
    assert route(referral, table=table, geolocator=IpGeolocator(use_env=False)).agency == "de-bka"
    decision = route(referral, table=table, geolocator=IpGeolocator(mmdb))
    assert (decision.country, decision.agency) == ("FR", "fr-police")
    assert "mmdb:Grace-Test-Country" in decision.evidence[0].detail
