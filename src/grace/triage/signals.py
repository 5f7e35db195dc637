"""Where triage reads text, and provider tags in one spelling.

The phrase tables themselves are data (``grace/triage/cues/<language>.yaml``, see
``grace.triage.cues``); this module says which fields are free text (every one a provider
or user wrote: report notes, escalation reason, incident content, party notes and bios,
file notes and metadata values) and folds the many spellings of provider tags
(``minorToMinor``, ``MINOR_TO_MINOR_INTERACTION``...) to the names the weights use.
"""

from __future__ import annotations

import re
from typing import Any

from grace.model import Referral
from grace.triage.cues import find_cues

# folded spelling (letters and digits, lower case) -> the name rules_v1.yaml weighs
TAG_ALIASES = {
    "minortominor": "minorToMinorInteraction",
    "minortominorinteraction": "minorToMinorInteraction",
    "peertopeerminors": "minorToMinorInteraction",
    "generativeai": "generativeAi",
    "aigenerated": "generativeAi",
    "genai": "generativeAi",
    "syntheticmedia": "generativeAi",
    "viral": "potentialMeme",
    "meme": "potentialMeme",
    "potentialmeme": "potentialMeme",
    "viralpotentialmeme": "potentialMeme",
    "financialsextortion": "sextortion",
    "sextortion": "sextortion",
    "csamsolicitation": "csamSolicitation",
    "sadisticonlineexploitation": "sadisticOnlineExploitation",
    "livestreaming": "liveStreaming",
    "livestream": "liveStreaming",
    "possibleselfproduction": "possibleSelfProduction",
    "selfproduced": "possibleSelfProduction",
    "physicalharm": "physicalHarm",
    "violencegore": "violenceGore",
    "infant": "infant",
    "spam": "spam",
}


def canonical_tag(tag: str) -> str:
    """A provider tag in the spelling the weights use (unknown tags are kept as sent)."""
    return TAG_ALIASES.get(re.sub(r"[^a-z0-9]", "", tag.lower()), tag)


def profile_texts(referral: Referral) -> list[str]:
    """What parties say about themselves or providers say about them (bios, party notes)."""
    out: list[str] = []
    for party in referral.parties:
        if party.profile_bio:
            out.append(party.profile_bio)
        out.extend(party.additional_info)
    return out


_PROSE = re.compile(r"[^\W\d_]{2,}\W+[^\W\d_]{2,}")  # two words of letters
_NOT_PROSE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://|www\.)|@\S+\.\w", re.IGNORECASE)
_PRIORITY_KEY = re.compile(r"priority|urgen|exigen|imminent|escalat", re.IGNORECASE)
_HIGH = {"1", "p1", "priority1", "level1", "high", "urgent", "immediate", "imminent",
         "critical", "exigent", "emergency", "true", "yes"}  # fmt: skip


def raw_texts(value: Any, depth: int = 0) -> list[str]:
    """Prose among the fields a format sent that grace's model has no place for (``raw``,
    kept as sent): a provider's or NCMEC's notes may live there (``chatExcerpt``,
    ``moderatorComment``...). Identifiers, URLs and e-mail addresses are not prose."""
    if depth > 6:
        return []
    if isinstance(value, str):
        ok = _PROSE.search(value) and not _NOT_PROSE.search(value)
        return [value] if ok else []
    if isinstance(value, dict):
        return [t for v in value.values() for t in raw_texts(v, depth + 1)]
    if isinstance(value, list):
        return [t for v in value for t in raw_texts(v, depth + 1)]
    return []


def raw_priority(value: Any, depth: int = 0) -> str | None:
    """A high priority stated in a field grace's model has no place for (an NCMEC priority
    level 1, ``urgent: true``, ``escalation: "immediate"``), as ``key: value``."""
    if depth > 6 or not isinstance(value, dict | list):
        return None
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    for key, v in pairs:
        stated = isinstance(key, str) and bool(_PRIORITY_KEY.search(key))
        if stated and not isinstance(v, dict | list) and _folded(v) in _HIGH:
            return f"{key}: {v}"
        if found := raw_priority(v, depth + 1):
            return found
    return None


def _folded(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower())


def free_texts(referral: Referral) -> list[str]:
    """Every free-text field: notes, escalation reason, incident content, party and file
    notes, file metadata values (captions, classifier notes), and prose among the fields
    kept as sent (``raw``) at every level."""
    out = [*referral.additional_info, *profile_texts(referral)]
    if referral.escalation_reason:
        out.append(referral.escalation_reason)
    for incident in referral.incidents:
        if incident.content:
            out.append(incident.content)
        out.extend(incident.additional_info)
    for f in referral.files:
        out.extend(f.additional_info)
        out.extend(d.value for d in f.details if d.value and not d.value[:1].isdigit())
    raws = [referral.raw, *(p.raw for p in referral.parties)]
    raws += [*(i.raw for i in referral.incidents), *(f.raw for f in referral.files)]
    out.extend(t for raw in raws for t in raw_texts(raw))
    return out


def access_signals(referral: Referral) -> list[str]:
    """Phrases suggesting access to children, from bios and party notes (any language)."""
    return [h.matched for h in find_cues(profile_texts(referral)) if h.category == "access"]


def contact_signals(referral: Referral) -> list[str]:
    """Phrases suggesting planned in-person contact, from any free text (any language)."""
    return [h.matched for h in find_cues(free_texts(referral)) if h.category == "contact"]
