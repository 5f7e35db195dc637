"""Text signals: signs of access to children and of planned contact, found in free text.

Analysts read profile bios and provider notes for two things that raise urgency most: the
subject works or volunteers with children, and the subject is trying to meet someone.
These tables make that reading explicit and reviewable: word-boundary, case-insensitive
regular expressions over short neutral phrases (English plus common German, French and
Spanish forms). They are deliberately plain keyword tables, so an agency can see exactly
why a referral was raised and extend them; the learned scorer decides how much they count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from grace.model import Referral

ACCESS_TERMS: dict[str, tuple[str, ...]] = {
    "en": (
        "teacher",
        "teaching assistant",
        "coach",
        "swimming coach",
        "football coach",
        "swimming instructor",
        "babysitter",
        "babysitting",
        "nanny",
        "tutor",
        "youth leader",
        "youth worker",
        "scout leader",
        "camp counsellor",
        "camp counselor",
        "childminder",
        "daycare",
        "nursery worker",
        "school bus driver",
    ),
    "de": (
        "lehrer",
        "lehrerin",
        "erzieher",
        "erzieherin",
        "jugendtrainer",
        "jugendleiter",
        "babysitterin",
        "tagesmutter",
        "nachhilfe",
    ),
    "fr": (
        "enseignant",
        "enseignante",
        "instituteur",
        "institutrice",
        "animateur",
        "animatrice",
        "entraîneur",
        "nounou",
        "baby-sitter",
    ),
    "es": ("profesor", "profesora", "maestro", "maestra", "entrenador", "niñera", "monitor"),
}
CONTACT_TERMS: tuple[str, ...] = (
    "meet in person",
    "meet up",
    "meet irl",
    "come over",
    "my address is",
    "send your location",
    "send me your location",
    "where do you live",
    "pick you up",
    "pick them up",
    "pick her up",
    "pick him up",
    "pick the other account up",
    "offered to pick",
    "intention to meet",
    "visit you",
    "after school",
    "treffen uns",
    "komm vorbei",
    "se voir en vrai",
    "nos vemos",
)


def _pattern(terms: Iterable[str]) -> re.Pattern[str]:
    # Longest first, so "scout leader" wins over a shorter overlapping term.
    alternatives = sorted({re.escape(t) for t in terms}, key=lambda t: (-len(t), t))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


ACCESS_RE = _pattern(t for terms in ACCESS_TERMS.values() for t in terms)
CONTACT_RE = _pattern(CONTACT_TERMS)


def find(pattern: re.Pattern[str], texts: Iterable[str]) -> list[str]:
    """Distinct matches (lower-cased, in order of first appearance)."""
    found: dict[str, None] = {}
    for text in texts:
        for m in pattern.finditer(text):
            found.setdefault(m.group(0).lower(), None)
    return list(found)


def profile_texts(referral: Referral) -> list[str]:
    """What parties say about themselves or providers say about them (bios, party notes)."""
    out: list[str] = []
    for party in referral.parties:
        if party.profile_bio:
            out.append(party.profile_bio)
        out.extend(party.additional_info)
    return out


def free_texts(referral: Referral) -> list[str]:
    """Every free-text field: notes, incident content, party and file notes, escalation."""
    out = [*referral.additional_info, *profile_texts(referral)]
    for incident in referral.incidents:
        if incident.content:
            out.append(incident.content)
        out.extend(incident.additional_info)
    for f in referral.files:
        out.extend(f.additional_info)
    return out


def access_signals(referral: Referral) -> list[str]:
    """Occupation words suggesting access to children, from bios and party notes."""
    return find(ACCESS_RE, profile_texts(referral))


def contact_signals(referral: Referral) -> list[str]:
    """Phrases suggesting planned in-person contact, from any free text."""
    return find(CONTACT_RE, free_texts(referral))
