"""URLs and the registrable domains behind them.

A profile URL links accounts exactly; its registrable domain (``example.co.uk`` for
``sub.example.co.uk``) links referrals that point at the same site. The public-suffix
split uses tldextract's bundled snapshot only: grace runs on air-gapped networks, and a
default ``TLDExtract()`` would try to download the live list on first use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

import idna

if TYPE_CHECKING:
    import tldextract

from grace.intel import normalise
from grace.intel.wallets import Found, payment_from_url

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """Built once, on first use (importing tldextract and requests slows CLI start-up):
    construction parses the ~10k-rule suffix list. Private suffixes (blogspot.com,
    github.io) are kept so ``alice.github.io`` stays distinct from every other site there,
    which is what linking needs."""
    import tldextract

    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True,
        include_psl_private_domains=True,
    )  # fmt: skip


@lru_cache(maxsize=65536)
def domain(host: str) -> Found | None:
    """The registrable domain of ``host``, or None for IPs, bare names and bare suffixes."""
    parts = _extractor()(host)
    registrable = parts.top_domain_under_public_suffix
    if not registrable or not parts.suffix:
        return None
    return "domain", registrable, {
        "subdomain": parts.subdomain, "suffix": parts.suffix, "is_private": parts.is_private,
    }  # fmt: skip


def _split(raw: str) -> SplitResult | None:
    text = normalise.nfkc(raw).strip()
    if "://" not in text[:12]:
        text = "http://" + text  # www.example.com/... as written in text and some fields
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a non-numeric or out-of-range port
    except ValueError:
        return None
    if not parts.hostname or any(c.isspace() for c in parts.netloc):
        return None
    return parts


def url(raw: str) -> list[Found]:
    """The normalised URL plus the domain (or IP) and any payment handle it carries.

    Scheme and host are lower-cased, default ports and passwords dropped, an empty path
    becomes ``/``; path, query and fragment are kept as sent since they can be
    case-sensitive (``/u/Alice`` and ``/u/alice`` may be different accounts).
    """
    parts = _split(raw)
    if parts is None or parts.hostname is None:
        return []
    scheme = parts.scheme.lower()
    found: list[Found] = []
    address = normalise.parse_ip(parts.hostname)
    if address is not None:
        host = parts.hostname if address[0].version == 4 else f"[{address[0].compressed}]"
        ip_found = normalise.ip(address[0].compressed)
        if ip_found is not None:
            found.append(ip_found)
        spoofed = False
    else:
        host, spoofed = normalise.fold_domain(parts.hostname)
        if "xn--" in host:  # one canonical spelling: Unicode, as people read and type it
            try:
                host = idna.decode(host)
            except idna.IDNAError:
                return []
    netloc = host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    value = f"{scheme}://{netloc}{parts.path or '/'}"
    if parts.query:
        value += f"?{parts.query}"
    if parts.fragment:
        value += f"#{parts.fragment}"
    attributes: dict[str, Any] = {"host": host, "scheme": scheme}
    if spoofed:
        attributes["homoglyphs"] = True
    found.insert(0, ("url", value, attributes))
    if address is None:
        registrable = domain(host)
        if registrable is not None:
            found.append(registrable)
        payment = payment_from_url(host, parts.path)
        if payment is not None:
            found.append(payment)
    return found
