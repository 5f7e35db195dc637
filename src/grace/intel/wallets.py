"""Crypto-currency addresses and payment identifiers: validation and canonical values.

Payment and wallet identifiers link referrals across providers better than almost
anything else (an address is reused, a name is not), but free text is full of long
alphanumeric strings, so every format here is accepted only when its own checksum says so
where one exists. Base58check Bitcoin addresses use python-stdnum; bech32/bech32m is done
here because ``stdnum.bitcoin`` only knows the original bech32 constant and so rejects
every Taproot (``bc1p...``, BIP 350) address.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from stdnum import bitcoin, iban, luhn
from stdnum.exceptions import ValidationError

from grace.intel.keccak import keccak256

Found = tuple[str, str, dict[str, Any]]
"""(kind, canonical value, attributes) for one identifier, before a source is attached."""

_BASE58 = "1-9A-HJ-NP-Za-km-z"
_B58_CHARS = frozenset("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST = 1
_BECH32M_CONST = 0x2BC830A3

BTC_BASE58_RE = re.compile(rf"(?<![A-Za-z0-9])[13][{_BASE58}]{{25,34}}(?![A-Za-z0-9])")
BTC_BECH32_RE = re.compile(r"(?<![A-Za-z0-9])bc1[a-z0-9]{8,87}(?![A-Za-z0-9])", re.IGNORECASE)
ETH_RE = re.compile(r"(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])")
XMR_RE = re.compile(rf"(?<![A-Za-z0-9])[48][{_BASE58}]{{94}}(?:[{_BASE58}]{{11}})?(?![A-Za-z0-9])")
IBAN_RE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])")
CARD_RE = re.compile(r"(?<![\d+.])\d(?:[ -]?\d){12,18}(?![\d.])")
CASHTAG_RE = re.compile(r"(?<![\w$])\$([A-Za-z][A-Za-z0-9_-]{0,19})(?![\w$])")

# Longest prefixes first: the first match wins.
_CARD_SCHEMES = (("34", "amex"), ("37", "amex"), ("35", "jcb"), ("30", "diners"),
                 ("36", "diners"), ("38", "diners"), ("4", "visa"), ("5", "mastercard"),
                 ("2", "mastercard"), ("6", "discover"))  # fmt: skip


def bitcoin_address(text: str) -> Found | None:
    """A Bitcoin address if ``text`` is one with a valid checksum (base58check or bech32/m)."""
    candidate = text.strip()
    if candidate[:3].lower() == "bc1":
        kind = _segwit_type(candidate)
        if kind is None:
            return None
        return "crypto_wallet", candidate.lower(), {"chain": "bitcoin", "type": kind}
    try:
        bitcoin.validate(candidate)
    except ValidationError:
        return None
    kind = "p2pkh" if candidate[0] == "1" else "p2sh"
    return "crypto_wallet", candidate, {"chain": "bitcoin", "type": kind}


def _segwit_type(address: str) -> str | None:
    """BIP 173/350 check: bech32 for witness v0, bech32m for v1+; the script type or None."""
    if address != address.lower() and address != address.upper():
        return None  # BIP 173 forbids mixed case
    address = address.lower()
    if not 14 <= len(address) <= 90 or any(c not in _BECH32 for c in address[3:]):
        return None
    data = [_BECH32.index(c) for c in address[3:]]
    hrp = [ord(c) >> 5 for c in "bc"] + [0] + [ord(c) & 31 for c in "bc"]
    constant = bitcoin.bech32_checksum(hrp + data)
    version = data[0]
    if constant != (_BECH32_CONST if version == 0 else _BECH32M_CONST) or version > 16:
        return None
    try:
        program = bitcoin.b32decode(data[1:-6])
    except ValidationError:
        return None
    if not 2 <= len(program) <= 40:
        return None
    if version == 0:
        return {20: "p2wpkh", 32: "p2wsh"}.get(len(program))
    return "p2tr" if version == 1 and len(program) == 32 else f"witness_v{version}"


def ethereum_address(text: str) -> Found:
    """An Ethereum address, lower-cased; ``checksum_valid`` is None when it carries none.

    EIP-55 only encodes a checksum in mixed-case addresses; an all-lower or all-upper one
    is legal and simply unchecked. A failed checksum is kept (flagged), not dropped: the
    0x + 40 hex shape is specific enough that a typo'd address is still worth linking.
    """
    body = text.strip()[2:]
    checksum_valid: bool | None = None
    if body != body.lower() and body != body.upper():
        checksum_valid = _eip55_valid(body)
    return "crypto_wallet", "0x" + body.lower(), {
        "chain": "ethereum", "checksum_valid": checksum_valid,
    }  # fmt: skip


@lru_cache(maxsize=4096)
def _eip55_valid(body: str) -> bool:
    """EIP-55: a letter is upper-case iff its nibble of keccak256(lower-case hex) >= 8.

    Cached because the pure-Python Keccak costs ~0.5 ms and a wallet worth linking is,
    by definition, one that turns up again.
    """
    digest = keccak256(body.lower().encode("ascii")).hex()
    return all(
        (c.isupper() if int(digest[i], 16) >= 8 else c.islower())
        for i, c in enumerate(body)
        if c.isalpha()
    )


def monero_address(text: str) -> Found | None:
    """A Monero address by shape only (its Keccak checksum over a 69-byte decode is skipped)."""
    candidate = text.strip()
    if len(candidate) not in (95, 106) or candidate[0] not in "48":
        return None
    if not _B58_CHARS.issuperset(candidate):
        return None
    kind = "integrated" if len(candidate) == 106 else (
        "subaddress" if candidate[0] == "8" else "standard")  # fmt: skip
    return "crypto_wallet", candidate, {"chain": "monero", "type": kind}


def iban_number(text: str) -> Found | None:
    """An IBAN (mod-97 and country length checked), compact and upper-case."""
    compact = iban.compact(text)
    if not iban.is_valid(compact):
        return None
    return "payment", compact, {"service": "iban", "country": compact[:2]}


def card_number(text: str) -> Found | None:
    """A payment card number, masked: never keep a full PAN in clear.

    Only Luhn-valid 13-19 digit numbers whose first digit is a card-network one (2-6) are
    taken, which keeps long account ids and timestamps out. The SHA-256 lets two referrals
    with the same card be linked without storing the number; note a bare hash of a PAN is
    brute-forceable, so it must be treated as sensitive as the masked value is not.
    """
    digits = "".join(c for c in text if c.isdigit())
    if not 13 <= len(digits) <= 19 or digits[0] not in "23456" or not luhn.is_valid(digits):
        return None
    if len(set(digits)) == 1:
        return None  # 0000... / 5555... style fillers can pass Luhn but are never real
    scheme = next((name for prefix, name in _CARD_SCHEMES if digits.startswith(prefix)), None)
    masked = f"{digits[:6]}…{digits[-4:]}"
    return "payment", masked, {
        "service": "card", "scheme": scheme, "length": len(digits),
        "sha256": hashlib.sha256(digits.encode("ascii")).hexdigest(),
    }  # fmt: skip


def cashtag(tag: str) -> Found:
    """A Cash App ``$cashtag`` (case-insensitive on Cash App, hence casefolded)."""
    return "payment", "$" + tag.casefold(), {"service": "cashapp"}


_PAYMENT_URLS = (
    (re.compile(r"^(?:www\.)?paypal\.me$"), re.compile(r"^/([\w.-]+)"), "paypal"),
    (re.compile(r"^(?:www\.)?paypal\.com$"), re.compile(r"^/paypalme/([\w.-]+)", re.I), "paypal"),
    (re.compile(r"^(?:www\.)?cash\.app$"), re.compile(r"^/\$([\w-]+)"), "cashapp"),
    (re.compile(r"^(?:www\.|account\.)?venmo\.com$"), re.compile(r"^/(?:u/)?([\w-]+)"), "venmo"),
)


def payment_from_url(host: str, path: str) -> Found | None:
    """A payment handle hidden in a PayPal.me / cash.app / Venmo link, if it is one."""
    for host_re, path_re, service in _PAYMENT_URLS:
        if host_re.match(host):
            match = path_re.match(path)
            if match is None:
                return None
            handle = match.group(1).casefold()
            value = f"${handle}" if service == "cashapp" else f"{service}/{handle}"
            return "payment", value, {"service": service, "from_url": True}
    return None
