"""One key per reporting provider, however its name is spelled in a referral.

Providers appear under their brand ("PhotoShareCo"), a legal name ("PhotoShare Co.",
"Backup Box GmbH"), a domain ("photoshare.example.com") or in capitals. Counting them as
different providers splits every per-provider statistic (how often a provider's
escalations prove urgent, queue filters, the dashboard) and lets one provider's habits
hide among its spellings. ``esp_key`` folds a name to lower-case letters and digits of
its brand: accents and company forms dropped, a domain reduced to its brand label (the
label before the public suffix, or the one before a reserved ``example`` domain). Hand
written because no library knows provider brands; ``tldextract`` (already a dependency,
bundled suffix list, never fetched) splits domains.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tldextract

_FORMS = frozenset((
    "inc", "incorporated", "ltd", "limited", "llc", "plc", "gmbh", "ag", "sa", "sas", "sarl",
    "srl", "spa", "bv", "nv", "ab", "as", "oy", "co", "corp", "corporation", "company", "kg",
    "the", "se", "sl", "sp", "zoo", "kft", "pty",
))  # fmt: skip
# product words that follow a brand ("ChatterBox Messenger", "PixelForge AI"), dropped when
# a brand word remains
_PRODUCT = frozenset((
    "messenger", "app", "apps", "ai", "online", "platform", "service", "services", "labs",
    "technologies", "technology", "group", "holdings", "international", "mobile",
))  # fmt: skip
_GLUED = ("incorporated", "corporation", "company", "gmbh", "corp", "inc", "ltd", "llc", "co")
_RESERVED = frozenset(("example", "test", "invalid", "localhost", "www", "m", "app", "web"))
_DOMAIN_RE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?:[/:].*)?$")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """Built on first use: importing tldextract (and requests) costs CLI start-up time."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _brand_of_domain(host: str) -> str | None:
    parts = _extractor()(host)
    labels = [*parts.subdomain.split("."), parts.domain] if parts.subdomain else [parts.domain]
    labels = [x for x in labels if x and x not in _RESERVED]
    return labels[-1] if labels else None


@lru_cache(maxsize=4096)
def esp_key(name: str | None) -> str | None:
    """The provider's key (``"photoshare"`` for every spelling above), or None if empty."""
    if not name or not name.strip():
        return None
    text = _ascii(name.strip())
    domain = _DOMAIN_RE.match(text.lower())
    key = ""
    if domain and "." in domain.group(1) and " " not in text:
        key = re.sub(r"[^a-z0-9]", "", _brand_of_domain(domain.group(1)) or "")
    if not key:
        words = [w.lower() for w in re.split(r"[^A-Za-z0-9]+", text) if w]
        kept = [w for w in words if w not in _FORMS]
        while len(kept) > 1 and kept[-1] in _PRODUCT:
            kept.pop()
        key = "".join(kept) or "".join(words)
    for form in _GLUED:  # "PhotoShareCo": a company form glued on, where the rest stays long
        if key.endswith(form) and len(key) - len(form) >= 5:
            key = key[: -len(form)]
            break
    return key or None


def same_esp(a: str | None, b: str | None) -> bool:
    """Whether two spellings name the same provider."""
    key = esp_key(a)
    return key is not None and key == esp_key(b)


def spellings(name: str, known: Iterable[str | None]) -> list[str]:
    """Every spelling in ``known`` of the provider ``name`` names (``name`` itself included),
    so a filter on one spelling finds them all."""
    key = esp_key(name)
    found = {k for k in known if k and key is not None and esp_key(k) == key}
    return sorted(found | {name})


def labels(names: Iterable[str | None]) -> list[str]:
    """One label per provider: its most common spelling among ``names`` (ties: first sorted)."""
    return sorted(fold_counts(Counter(n for n in names if n)))


def fold_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts per spelling folded into one count per provider, labelled by the provider's
    most common spelling; ``unknown`` and other keyless names are kept as they are."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for name, n in counts.items():
        groups.setdefault(esp_key(name) or f"\0{name}", []).append((n, name))
    folded = {
        min(group, key=lambda x: (-x[0], x[1]))[1]: sum(n for n, _ in group)
        for group in groups.values()
    }
    return dict(sorted(folded.items(), key=lambda x: (-x[1], x[0])))
