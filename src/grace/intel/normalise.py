"""One normaliser per identifier kind: raw field text in, canonical linking value out.

Linking only works if the same account written two ways gets the same value, so each
function here owns one kind's canonical form (documented in ``grace.model.intel``) and
returns None for text that is not a usable identifier of that kind: nothing invalid is
kept. None of them touch the network: e-mail is checked for syntax only and phone
metadata is bundled with ``phonenumbers``.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import imei

from grace.intel.wallets import Found

# Dots that NFKC leaves alone but IDNA (and readers) treat as a full stop.
_EXTRA_FOLDS = {"\u3002": ".", "\uff61": ".", "\u2024": ".", "\ufe52": "."}

# Cyrillic and Greek letters that render like Latin ones. Unicode's full confusables table
# (UTS #39) is ~6,000 entries and not shipped with any installed package; these are the
# ones seen in practice in look-alike domains, and they are applied only to mixed-script
# domains (see ``fold_domain``) so genuine Cyrillic or Greek domains are left intact.
_HOMOGLYPHS = str.maketrans(
    # Cyrillic lower, Cyrillic upper, Greek lower, Greek upper (escaped: they are look-alikes)
    "\u0430\u0432\u0435\u043a\u043c\u043d\u043e\u0440"
    "\u0441\u0442\u0443\u0445\u0455\u0456\u0458\u0501"
    "\u04bb\u04cf\u051b\u051d\u0261\u0251\u0410\u0412"
    "\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422"
    "\u0425\u0423\u0405\u0406\u0408\u03b1\u03b5\u03b9"
    "\u03ba\u03bd\u03bf\u03c1\u03c4\u03c5\u03c7\u0391"
    "\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d"
    "\u039f\u03a1\u03a4\u03a5\u03a7",
    "abekmhopctyxsijdhlqwgaabekmhopctxysijaeikvoptuxabezhikmnoptyx",
)
_HOMOGLYPH_KEYS = frozenset(chr(k) for k in _HOMOGLYPHS)

_PSEUDO_COUNTRIES = frozenset({"A1", "A2", "O1", "AP", "EU", "ZZ"})
_SUPPORTED_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_PHONE_E164 = phonenumbers.PhoneNumberFormat.E164
_HEXISH_RE = re.compile(r"^[0-9a-fA-F-]+$")


def nfkc(text: str) -> str:
    """NFKC plus the stray dot forms, so fullwidth at signs and full stops read as @ and '.'."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKC", text)
    for odd, plain in _EXTRA_FOLDS.items():
        folded = folded.replace(odd, plain)
    return folded


def fold_with_offsets(text: str) -> tuple[str, list[int] | None]:
    """``nfkc`` character by character, with each output character's index in ``text``.

    The map lets free-text matches report the provider's original spelling as ``raw``
    while matching runs on the folded text. Per-character folding misses compositions
    across characters (e + combining accent), which no identifier pattern depends on.
    """
    if text.isascii():
        return text, None
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = _EXTRA_FOLDS.get(char) or unicodedata.normalize("NFKC", char)
        out.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(out), offsets


def fold_domain(domain: str) -> tuple[str, bool]:
    """Lower-case a domain and undo Latin look-alikes; also whether any were undone.

    Only a domain mixing ASCII letters with look-alikes, every non-ASCII letter of which
    has a Latin twin, is rewritten (``example.com`` typed with Cyrillic ie and ha): that mix is
    a spoof, while ``пример.рф`` is a real Cyrillic domain and must keep its letters.
    """
    domain = nfkc(domain).strip().strip(".").lower()
    if domain.isascii():
        return domain, False
    letters = [c for c in domain if c.isalpha()]
    foreign = [c for c in letters if not c.isascii()]
    if len(foreign) == len(letters) or not _HOMOGLYPH_KEYS.issuperset(foreign):
        return domain, False
    return domain.translate(_HOMOGLYPHS), True


@lru_cache(maxsize=65536)
def _validated_email(address: str) -> str | None:
    """email-validator's syntax check (cached: it costs ~80 us and addresses repeat)."""
    try:
        result = validate_email(address, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


def email(raw: str) -> Found | None:
    """A lower-cased, syntax-valid e-mail address with look-alike domains folded."""
    text = nfkc(raw).strip().strip("<>").strip()
    if text[:7].lower() == "mailto:":
        text = text[7:]
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return None
    folded, spoofed = fold_domain(domain)
    value = _validated_email(f"{local}@{folded}")
    if value is None:
        return None
    attributes: dict[str, Any] = {"domain": value.rpartition("@")[2]}
    if spoofed:
        attributes["homoglyphs"] = True
    return "email", value, attributes


def name(kind: str, raw: str, esp: str | None) -> Found | None:
    """A screen or display name: NFKC, casefolded, surrounding whitespace and @ stripped."""
    value = nfkc(raw).strip().strip("@").strip().casefold()
    if not value:
        return None
    return kind, value, {"esp": esp_key(esp)}


def esp_key(esp: str | None) -> str:
    """The ESP an account belongs to, as the scope for its ids and names."""
    key = nfkc(esp or "").strip().casefold()
    return key or "unknown-esp"


def esp_user_id(raw: str, esp: str | None) -> Found | None:
    """``esp/user-id``: a numeric id means nothing without the provider that issued it."""
    user_id = nfkc(raw).strip()
    if not user_id:
        return None
    key = esp_key(esp)
    return "esp_user_id", f"{key}/{user_id}", {"esp": key}


def parse_ip(raw: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int | None] | None:
    """An address and optional port from ``1.2.3.4``, ``1.2.3.4:443``, ``[2001:db8::1]:443``."""
    text = nfkc(raw).strip()
    port: str | None = None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            if not rest.startswith(":"):
                return None
            port = rest[1:]
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    else:
        host = text
    host = host.partition("%")[0]  # an IPv6 zone id names a local interface, not a host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address, int(port) if port else None


@lru_cache(maxsize=65536)
def ip(raw: str, port: int | None = None) -> Found | None:
    """A compressed IP (IPv4-mapped IPv6 as IPv4) with its version, port and scope flags."""
    parsed = parse_ip(raw)
    if parsed is None:
        return None
    address, embedded_port = parsed
    attributes: dict[str, Any] = {
        "version": address.version,
        "port": port if port is not None else embedded_port,
        "is_global": address.is_global,
        "is_private": address.is_private,
        "is_loopback": address.is_loopback,
        "is_reserved": address.is_reserved,
        "is_multicast": address.is_multicast,
        "is_link_local": address.is_link_local,
    }
    if address.version == 4 and raw.count(":") > 1:
        attributes["ipv4_mapped"] = True
    return "ip", address.compressed, attributes


def phone_region(country_code: str | None) -> str | None:
    """A phonenumbers region hint from an ISO country code; None for NCMEC pseudo-codes."""
    if not country_code:
        return None
    code = country_code.strip().upper()
    if code in _PSEUDO_COUNTRIES or code not in _SUPPORTED_REGIONS:
        return None
    return code


def phone_number(number: phonenumbers.PhoneNumber) -> Found | None:
    """E.164 with region and line type; numbers libphonenumber calls invalid are dropped."""
    # number_type is UNKNOWN exactly when is_valid_number is False; asking it alone saves
    # a second region lookup, the costly part for +1 numbers shared by ~25 regions.
    region = phonenumbers.region_code_for_number(number)
    line_type = phonenumbers.number_type(number)
    if region is None or line_type == phonenumbers.PhoneNumberType.UNKNOWN:
        return None
    return "phone", phonenumbers.format_number(number, _PHONE_E164), {
        "country": region,
        "valid": True,
        "type": phonenumbers.PhoneNumberType.to_string(line_type),
    }  # fmt: skip


@lru_cache(maxsize=65536)
def phone(raw: str, region: str | None) -> Found | None:
    """A party's phone field, read with the party's country as the default region.

    Cached, like ``ip``: the same number and address recur across a unit's referrals and
    libphonenumber's region lookup is the costliest step of extraction. Callers must copy
    the attributes dict before changing it (``identifiers`` always does).
    """
    try:
        number = phonenumbers.parse(nfkc(raw).strip(), region)
    except phonenumbers.NumberParseException:
        return None
    return phone_number(number)


def device_id(id_type: str | None, raw: str) -> Found | None:
    """``type:value``; IMEIs are compacted and Luhn-checked, hex/UUID ids lower-cased."""
    kind = nfkc(id_type or "").strip().casefold() or "unknown"
    value = nfkc(raw).strip()
    if not value:
        return None
    attributes: dict[str, Any] = {"id_type": kind}
    if kind in ("imei", "imeisv") or (kind == "unknown" and value.isdigit() and len(value) == 15):
        value = imei.compact(value)
        attributes["valid"] = imei.is_valid(value)
    elif _HEXISH_RE.match(value):
        value = value.lower()  # UUID-style advertising ids are case-insensitive
    return "device_id", f"{kind}:{value}", attributes
