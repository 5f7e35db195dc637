"""IP address → country, offline.

Routing needs a country for each IP a provider logged, and a police network usually cannot
call a web service for it (nor should it leak the addresses under investigation). Two local
sources are used:

* an operator-supplied MMDB file (MaxMind GeoIP2/GeoLite2 or DB-IP, country or city format),
  which is more precise because it tracks where networks are *used*; it takes precedence;
* ``iptocc``, the RIR allocation data shipped inside its wheel, which is always present but only
  says where a block was *allocated* (a multinational's block may be used far from there).

Addresses that can never locate anyone (private, loopback, link-local, documentation, CGNAT,
...) are refused with a reason rather than looked up, so that a mistyped or internal address
in a referral cannot send it to the wrong country.
"""

from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import iptocc
import maxminddb

ENV_MMDB = "GRACE_GEOIP_MMDB"
IPTOCC_SOURCE = "iptocc (RIR allocation data)"

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Ranges that ipaddress does not single out by a flag of their own but that analysts should see
# named, because "documentation range" explains a sample address better than "private".
_NAMED_RANGES: tuple[tuple[_Network, str], ...] = tuple(
    (ipaddress.ip_network(net), why)
    for net, why in (
        ("192.0.2.0/24", "documentation range"),
        ("198.51.100.0/24", "documentation range"),
        ("203.0.113.0/24", "documentation range"),
        ("2001:db8::/32", "documentation range"),
        ("3fff::/20", "documentation range"),
        ("100.64.0.0/10", "shared address space (CGNAT)"),
        ("198.18.0.0/15", "benchmarking range"),
    )
)


class GeoDatabaseError(RuntimeError):
    """The configured MMDB file is missing or unreadable: fail loudly rather than fall back."""


def non_global_reason(ip: str) -> str | None:
    """Why ``ip`` cannot locate a person (``None`` when it is a public unicast address).

    IPv4-mapped and 6to4 IPv6 addresses are judged by the IPv4 address inside them, which is
    what a provider's dual-stack logs usually mean.
    """
    addr = parse_ip(ip)
    if addr is None:
        return "not an IP address"
    if addr.is_unspecified:
        return "unspecified address"
    if addr.is_loopback:
        return "loopback address"
    if addr.is_link_local:
        return "link-local address"
    if addr.is_multicast:
        return "multicast address"
    for net, why in _NAMED_RANGES:
        if addr.version == net.version and addr in net:
            return why
    if addr.is_reserved:
        return "reserved range"
    if addr.is_private:
        return "private range"
    if not addr.is_global:
        return "not globally routable"
    return None


def parse_ip(ip: str) -> _IPAddress | None:
    """Parse an address as providers write it (IPv6 zone ids and brackets tolerated)."""
    text = ip.strip().strip("[]").split("%", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        inner = addr.ipv4_mapped or addr.sixtofour
        if inner is not None:
            return inner
    return addr


class IpGeolocator:
    """Country of an IP address from an optional MMDB file, else from ``iptocc``.

    ``mmdb_path`` defaults to the ``GRACE_GEOIP_MMDB`` environment variable; pass
    ``use_env=False`` to ignore it (tests, or deliberately RIR-only routing). Results are
    cached per instance because referrals repeat the same few addresses many times.
    """

    def __init__(
        self,
        mmdb_path: str | Path | None = None,
        *,
        use_env: bool = True,
        cache_size: int = 65_536,
    ) -> None:
        if mmdb_path is None and use_env:
            mmdb_path = os.environ.get(ENV_MMDB) or None
        self._reader: Any = None
        self.mmdb_source: str | None = None
        if mmdb_path is not None:
            self._reader, self.mmdb_source = _open_mmdb(Path(mmdb_path))
        self._cached = lru_cache(maxsize=cache_size)(self._lookup)

    def country(self, ip: str) -> tuple[str | None, str]:
        """``(ISO country or None, which database answered or why there is no answer)``.

        The country is upper-cased as the database gives it, so a pseudo-code such as ``EU`` or
        ``AP`` (RIR data has a few region-wide allocations) passes through for the caller to
        treat as unresolved.
        """
        return self._cached(ip)

    def close(self) -> None:
        """Release the MMDB file (lookups then use ``iptocc`` only)."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._cached.cache_clear()

    def _lookup(self, ip: str) -> tuple[str | None, str]:
        reason = non_global_reason(ip)
        if reason is not None:
            return None, reason
        addr = parse_ip(ip)
        assert addr is not None  # non_global_reason rejected unparseable input
        text = str(addr)
        if self._reader is not None and self.mmdb_source is not None:
            code = _mmdb_country(self._reader, text)
            if code:
                return code.upper(), self.mmdb_source
        code = iptocc.country_code(text)
        if code:
            return code.upper(), IPTOCC_SOURCE
        if self._reader is not None:
            return None, f"not found in {self.mmdb_source} or {IPTOCC_SOURCE}"
        return None, f"not found in {IPTOCC_SOURCE}"


def _open_mmdb(path: Path) -> tuple[Any, str]:
    if not path.is_file():
        raise GeoDatabaseError(f"GeoIP database {path}: no such file")
    try:
        reader = maxminddb.open_database(str(path))
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        raise GeoDatabaseError(f"GeoIP database {path}: {exc}") from exc
    return reader, f"mmdb:{reader.metadata().database_type} ({path.name})"


def _mmdb_country(reader: Any, ip: str) -> str | None:
    """``country.iso_code``, else ``registered_country.iso_code`` (where the block is held)."""
    try:
        record = reader.get(ip)
    except ValueError:  # e.g. an IPv6 address in an IPv4-only database
        return None
    if not isinstance(record, dict):
        return None
    for key in ("country", "registered_country"):
        sub = record.get(key)
        if isinstance(sub, dict):
            code = sub.get("iso_code")
            if isinstance(code, str) and code:
                return code
    return None
