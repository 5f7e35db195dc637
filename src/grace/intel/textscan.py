"""Identifiers in free text: bios, additional-info notes, chat excerpts, raw fields.

Scanners run in a fixed order over a working copy of the text in which each match is
blanked out once taken, so a URL's host is not also read as a bare e-mail domain, an
e-mail's ``@user`` is not also a handle, and the digits of a card, IBAN or IP are not
offered to the phone matcher. Matching runs on NFKC-folded text (fullwidth at signs and
full stops become @ and .) while ``raw`` reports the text exactly as the provider wrote it.
Regexes are compiled once and the slow scanner (libphonenumber's matcher, ~0.3 ms a call)
only runs when a digit run that could be a phone number is left.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from grace.intel import normalise, wallets, web
from grace.intel.wallets import Found

Hit = tuple[Found, str]
"""One identifier and the original text it was read from."""

_URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.|\b(?:paypal\.me|cash\.app|venmo\.com)/)[^\s<>\"'`]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*"
_EMAIL_RE = re.compile(r"(?<![\w.+%-])[\w.+%-]{1,64}@[\w-]+(?:\.[\w-]+)+")
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+)"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_OBFUSCATED_RE = re.compile(
    rf"(?<![\w.+%-])(?P<local>[\w.+%-]{{1,64}})(?P<at>{_AT})(?P<domain>[\w-]+(?:{_DOT}[\w-]+)+)",
    re.IGNORECASE,
)
_DOT_SEP_RE = re.compile(_DOT, re.IGNORECASE)
# Words that make "x at y dot z" prose rather than an address ("look at this dot com").
_PROSE = frozenset((
    "a", "an", "the", "this", "that", "these", "those", "it", "its", "me", "my", "you", "your",
    "him", "her", "his", "them", "our", "us", "we", "they", "home", "work", "school", "night",
    "noon", "least", "last", "first", "once", "all", "any", "some", "what", "which", "who",
))  # fmt: skip
_IPV6_BRACKET_RE = re.compile(r"\[[0-9A-Fa-f:.]+(?:%\w+)?\](?::\d{1,5})?")
_IPV6_RE = re.compile(
    r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?"
    r"(?![\w:]|\.\d)"
)
_IPV4_RE = re.compile(r"(?<![\w.:])(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?(?!\.?\d)(?!\w)")
_HANDLE_RE = re.compile(r"(?<![\w@.+-])@([\w](?:[\w.]{0,62}\w)?)")
_PHONE_HINT_RE = re.compile(r"\d[\d\s().-]{5,}\d")
_INTL_PHONE_HINT_RE = re.compile(r"\+\s*\(?\d[\d\s().-]{5,}\d")


class _Scan:
    """The folded text, the blanked working copy and the hits so far."""

    def __init__(self, text: str) -> None:
        self.original = text
        self.folded, self.offsets = normalise.fold_with_offsets(text)
        self.work = self.folded
        self.hits: list[Hit] = []

    def raw(self, start: int, end: int) -> str:
        if self.offsets is None:
            return self.original[start:end]
        return self.original[self.offsets[start] : self.offsets[end - 1] + 1]

    def take(self, start: int, end: int, found: list[Found]) -> None:
        """Record what a span yielded and blank it; a span that yields nothing stays."""
        if not found:
            return
        raw = self.raw(start, end)
        for item in found:
            # A card's raw text is its full number: report the masked value instead.
            self.hits.append((item, item[1] if item[2].get("service") == "card" else raw))
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]

    def each(self, pattern: re.Pattern[str], read: Callable[[str], list[Found]]) -> None:
        for match in pattern.finditer(self.work):
            self.take(match.start(), match.end(), read(match.group()))


def _one(found: Found | None) -> list[Found]:
    return [] if found is None else [found]


def _urls(scan: _Scan) -> None:
    for match in _URL_RE.finditer(scan.work):
        text = match.group()
        while text and (
            text[-1] in _TRAILING
            or (
                text[-1] in ")]"
                and text.count(text[-1]) > text.count("(" if text[-1] == ")" else "[")
            )
        ):
            text = text[:-1]
        scan.take(match.start(), match.start() + len(text), web.url(text))


def _obfuscated_email(match: re.Match[str]) -> Found | None:
    domain_words = match.group("domain")
    domain = _DOT_SEP_RE.sub(".", domain_words)
    local = match.group("local")
    if not any(c in match.group("at") for c in "[({<"):  # bare "at": only if clearly one
        labels = domain.lower().split(".")
        if (
            re.search(r"\sdot\s", domain_words, re.IGNORECASE) is None
            or local.lower() in _PROSE
            or _PROSE.intersection(labels)
            or web.domain(domain) is None
        ):
            return None
    found = normalise.email(f"{local}@{domain}")
    if found is None:
        return None
    return found[0], found[1], {**found[2], "obfuscated": True}


def _emails(scan: _Scan) -> None:
    if "@" in scan.work:
        scan.each(_EMAIL_RE, lambda text: _one(normalise.email(text)))
    for match in _OBFUSCATED_RE.finditer(scan.work):
        scan.take(match.start(), match.end(), _one(_obfuscated_email(match)))


def _ip_text(text: str) -> list[Found]:
    parsed = normalise.parse_ip(text)
    if parsed is None or parsed[0].is_unspecified:
        return []
    return _one(normalise.ip(text))


def _ips(scan: _Scan) -> None:
    if ":" in scan.work:
        scan.each(_IPV6_BRACKET_RE, _ip_text)
        scan.each(_IPV6_RE, _ip_text)
    if "." in scan.work:
        scan.each(_IPV4_RE, _ip_text)


def _money(scan: _Scan) -> None:
    scan.each(wallets.ETH_RE, lambda text: [wallets.ethereum_address(text)])
    scan.each(wallets.BTC_BECH32_RE, lambda text: _one(wallets.bitcoin_address(text)))
    scan.each(wallets.BTC_BASE58_RE, lambda text: _one(wallets.bitcoin_address(text)))
    scan.each(wallets.XMR_RE, lambda text: _one(wallets.monero_address(text)))
    _ibans(scan)
    scan.each(wallets.CARD_RE, lambda text: _one(wallets.card_number(text)))
    if "$" in scan.work:
        for match in wallets.CASHTAG_RE.finditer(scan.work):
            scan.take(match.start(), match.end(), [wallets.cashtag(match.group(1))])


def _ibans(scan: _Scan) -> None:
    """The longest valid IBAN at each match's start (a match may run into trailing words)."""
    for match in wallets.IBAN_RE.finditer(scan.work):
        groups = match.group().split(" ")
        for end in range(len(groups), 0, -1):
            found = wallets.iban_number("".join(groups[:end]))
            if found is not None:
                length = len(" ".join(groups[:end]))
                scan.take(match.start(), match.start() + length, [found])
                break


def _handles(scan: _Scan) -> None:
    if "@" not in scan.work:
        return
    for match in _HANDLE_RE.finditer(scan.work):
        handle = match.group(1).rstrip(".")
        value = normalise.nfkc(handle).casefold()
        scan.take(
            match.start(),
            match.start() + 1 + len(handle),
            [("screen_name", value, {"from_text": True})],
        )


def _phones(scan: _Scan, region: str | None) -> None:
    hint = _PHONE_HINT_RE if region else _INTL_PHONE_HINT_RE
    if hint.search(scan.work) is None:
        return
    for match in phonenumbers.PhoneNumberMatcher(scan.work, region or "ZZ"):
        found = normalise.phone_number(match.number)
        scan.take(match.start, match.end, _one(found))


def scan_text(text: str, region: str | None = None) -> list[Hit]:
    """Every identifier in ``text``; ``region`` is the default country for phone numbers."""
    if not text or text.isspace():
        return []
    scan = _Scan(text)
    _urls(scan)
    _emails(scan)
    _ips(scan)
    _money(scan)
    _handles(scan)
    _phones(scan, region)
    return scan.hits
