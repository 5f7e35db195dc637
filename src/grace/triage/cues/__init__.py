"""Multilingual cues: phrases in free text that bear on urgency, from data files.

Analysts read bios, provider notes and chat excerpts for a few things: someone arranging
to meet a child, access to children, sextortion, new material being produced, a child in
distress; and for what *lowers* urgency: both sides minors, AI-generated pictures, a viral
clip, old content. Referrals arrive in every European language, so each language has a
YAML file here (``en.yaml``, ``de.yaml``...) with one phrase a line per category, and an
agency adds its own (``$GRACE_TRIAGE_CUES``: a folder of files in the same format, whose
phrases are added to those of the same language).

Matching is on normalised text (``normalise``): case folded, accents removed (umlauts
also as ``ae``/``oe``/``ue``), leetspeak inside words undone, a letter typed three or more
times in a row counted twice ("pleeease" as "pleease", "meeeet" as "meet"), punctuation as
spaces; an apostrophe inside a word is read both as a space and as nothing, so "don't",
"dont" and "don t" are one spelling, and so are "j'envoie" and "j envoie". In a
phrase, ``word*`` matches any ending (inflections) and a lone ``*`` up to three words.
Every hit keeps its language, so an explanation reads "signs of planned contact (de):
'treffen wir uns'". Plain phrase tables on purpose: an analyst can see exactly why a
referral rose, and the weights (``rules_v1.yaml``) decide how much each category counts.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PACKAGED = Path(__file__).parent
CATEGORIES: dict[str, str] = {
    "contact": "signs of planned contact",
    "access": "signs of access to children",
    "sextortion": "signs of sextortion",
    "production": "signs of new material being produced",
    "paid_abuse": "signs of abuse ordered and paid for (live distant child abuse)",
    "urgency": "signs of a child in distress or danger now",
    "risk": "a reporter's assessment that a child is at risk now",
    "grooming": "signs of grooming",
    "minor_to_minor": "signs that both sides are minors",
    "generative_ai": "signs of AI-generated content",
    "viral": "signs of a viral or meme circulation",
    "historical": "signs that the content is old",
    "family_context": "signs of an innocent family or medical context",
    "malicious_report": "signs of a malicious or unfounded report",
    "scam_spam": "signs of mass sextortion scam spam aimed at adults",
}
_LEET = str.maketrans({"4": "a", "@": "a", "3": "e", "1": "i", "0": "o", "5": "s", "$": "s",
                       "7": "t"})  # fmt: skip
_LEET_TOKEN = re.compile(r"(?=\S*[a-z])(?=\S*[4@30$57])(?:[a-z]|[4@30$57]|1(?=[a-z]))+")
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
# letters that carry no combining accent to strip (Polish ł, Danish ø...)
_PLAIN = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe",  # noqa: RUF001
                        "þ": "th"})  # fmt: skip


class CueError(ValueError):
    """A cue file that cannot be used; the message is one line naming the problem."""


@dataclass(frozen=True)
class CueHit:
    """One cue found: its category, language, the phrase as listed and the text matched."""

    category: str
    language: str
    cue: str
    matched: str
    by_meaning: bool = False  # found by ``semantic_cues`` (close in meaning to ``cue``)

    def explain(self) -> str:
        return f"{CATEGORIES[self.category]} {self.quoted()}"

    def quoted(self) -> str:
        """The language and the text matched, e.g. ``(de): 'treffen wir uns'``; a hit by
        meaning also names the prototype sentence it was close to."""
        if self.by_meaning:
            return f"({self.language}, close in meaning to '{self.cue}'): '{self.matched}'"
        return f"({self.language}): '{self.matched}'"


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_APOSTROPHE = re.compile(r"(?<=\w)['\u2019\u2018`\u00b4](?=\w)")
_RUN = re.compile(r"([^\W\d])\1{2,}")


def normalise(text: str) -> str:
    """Folded text that cues are matched on (see module doc)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    folded = _LEET_TOKEN.sub(lambda m: m.group().translate(_LEET), folded)
    folded = _strip_accents(folded).translate(_PLAIN).replace("ß", "ss")
    folded = _RUN.sub(r"\1\1", folded)
    return " ".join(re.sub(r"[^\w*]+|_", " ", folded).split())


def _readings(text: str) -> list[str]:
    """The text normalised with in-word apostrophes as nothing and (if different) as spaces."""
    spaced, joined = normalise(text), normalise(_APOSTROPHE.sub("", text))
    return [joined] if joined == spaced else [joined, spaced]


def _spellings(phrase: str) -> set[str]:
    """The phrase normalised, plus its umlauts spelt out (``für`` -> ``fuer``)."""
    low = phrase.casefold()
    return {s for v in (low, low.translate(_UMLAUT)) for s in _readings(v)} - {""}


def _regex(phrase: str) -> str:
    parts = []
    tokens = phrase.split()
    while len(tokens) > 1 and tokens[-1] == "*":  # "up to three words" at the end adds nothing
        tokens.pop()
    for token in tokens:
        if token == "*":
            parts.append(r"(?:\w+ ){0,3}")
            continue
        stem = re.escape(token.rstrip("*"))
        parts.append((stem + r"\w*" if token.endswith("*") else stem) + " ")
    return "".join(parts)[:-1]  # the last word has no space after it


@dataclass(frozen=True)
class _Table:
    patterns: dict[str, re.Pattern[str]]  # category -> every language's phrases
    by_language: dict[str, dict[str, list[tuple[str, re.Pattern[str]]]]]  # cat -> lang -> cues
    languages: tuple[str, ...]


def _read(path: Path) -> tuple[str, dict[str, list[str]]]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CueError(f"{path}: cannot read cues ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("language"), str):
        raise CueError(f"{path}: needs 'language' and a 'cues' mapping")
    cues = doc.get("cues") or {}
    if not isinstance(cues, dict):
        raise CueError(f"{path}: 'cues' must map categories to lists of phrases")
    for category, phrases in cues.items():
        if category not in CATEGORIES:
            raise CueError(f"{path}: unknown cue category '{category}'")
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise CueError(f"{path}: '{category}' must be a list of phrases")
    return doc["language"].strip().lower(), cues


def cue_dirs() -> tuple[Path, ...]:
    """The packaged cues, then an agency's folder from ``$GRACE_TRIAGE_CUES`` if set."""
    extra = os.environ.get("GRACE_TRIAGE_CUES")
    return (PACKAGED, Path(extra)) if extra else (PACKAGED,)


@lru_cache(maxsize=8)
def load(dirs: tuple[Path, ...] | None = None) -> _Table:
    """Every language's cues from ``dirs`` (default ``cue_dirs()``), compiled once."""
    merged: dict[str, dict[str, set[str]]] = {c: {} for c in CATEGORIES}
    for folder in dirs or cue_dirs():
        for path in sorted(folder.glob("*.yaml")):
            language, cues = _read(path)
            for category, phrases in cues.items():
                bucket = merged[category].setdefault(language, set())
                bucket.update(s for p in phrases for s in _spellings(p))
    patterns: dict[str, re.Pattern[str]] = {}
    by_language: dict[str, dict[str, list[tuple[str, re.Pattern[str]]]]] = {}
    for category, langs in merged.items():
        every = sorted({_regex(p) for ps in langs.values() for p in ps}, key=lambda r: -len(r))
        if every:
            patterns[category] = re.compile(r"(?<!\w)(?:" + "|".join(every) + r")(?!\w)")
        by_language[category] = {
            lang: [(p, re.compile(r"(?<!\w)" + _regex(p) + r"(?!\w)")) for p in sorted(ps)]
            for lang, ps in sorted(langs.items())
        }
    languages = tuple(sorted({lang for langs in merged.values() for lang in langs}))
    return _Table(patterns, by_language, languages)


def _languages_of(table: _Table, category: str, matched: str) -> list[tuple[str, str]]:
    """Every language whose phrase matched, with that phrase ("paga o" is es and it)."""
    found = []
    for lang, cues in table.by_language[category].items():
        phrase = next((p for p, pattern in cues if pattern.fullmatch(matched)), None)
        if phrase is not None:
            found.append((lang, phrase))
    return found or [("?", matched)]


def find_cues(texts: list[str], dirs: tuple[Path, ...] | None = None) -> list[CueHit]:
    """Every distinct cue in ``texts``, in category order then order of appearance. A phrase
    shared by several languages is credited to the one most other hits are in (then
    English, then alphabetical)."""
    table = load(dirs or cue_dirs())
    folded = [r for t in texts if t and not t.isspace() for r in _readings(t)]
    found: list[tuple[str, str, list[tuple[str, str]]]] = []
    for category, pattern in table.patterns.items():
        seen: list[str] = []  # "don t tell" and "dont tell" are one hit
        for text in folded:
            for match in pattern.finditer(text):
                glued = match.group().replace(" ", "")
                if not any(glued in s for s in seen):  # nor part of a longer one
                    seen.append(glued)
                    found.append(
                        (category, match.group(), _languages_of(table, category, match.group()))
                    )
    votes = Counter(cands[0][0] for _, _, cands in found if len(cands) == 1)
    hits = []
    for category, matched, cands in found:
        lang, phrase = min(cands, key=lambda c: (-votes[c[0]], c[0] != "en", c[0]))
        hits.append(CueHit(category, lang, phrase, matched))
    return hits
