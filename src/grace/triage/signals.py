"""Where triage reads text, and provider tags in one spelling.

The phrase tables themselves are data (``grace/triage/cues/<language>.yaml``, see
``grace.triage.cues``); this module says which fields are free text (every one a provider
or user wrote: report notes, escalation reason, incident content, party notes and bios,
file notes and metadata values) and folds the many spellings of provider tags
(``minorToMinor``, ``MINOR_TO_MINOR_INTERACTION``...) to the names the weights use.
"""

from __future__ import annotations

import re

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


def free_texts(referral: Referral) -> list[str]:
    """Every free-text field: notes, escalation reason, incident content, party and file
    notes, file metadata values (captions, classifier notes)."""
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
    return out


def access_signals(referral: Referral) -> list[str]:
    """Phrases suggesting access to children, from bios and party notes (any language)."""
    return [h.matched for h in find_cues(profile_texts(referral)) if h.category == "access"]


def contact_signals(referral: Referral) -> list[str]:
    """Phrases suggesting planned in-person contact, from any free text (any language)."""
    return [h.matched for h in find_cues(free_texts(referral)) if h.category == "contact"]
