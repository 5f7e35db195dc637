"""Children's ages stated in free text: "I'm 13", "je mi 14", "mam 12 lat", "13 vuotias".

A referral's structured fields often omit the victim, yet a chat excerpt or a reporter's
comment says how old the other person is; an age under 18 in the conversation is a sign of a
child in a situation, not just a file. Phrase tables (``grace.triage.cues``) cannot list
every number, so this reads a number next to an age word, in the languages of the cue
tables, on text with case and accents folded (not leetspeak: "13yo" must stay a number). Written by
hand because no library reads stated ages across European languages; the word lists are
short and conservative on purpose: "vor 13 Jahren", "13 lat temu", "il y a 13 ans" and
"13 years ago" are times, not ages, and "am 13." is a German date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

YOUNGEST, ADULT = 5, 18
# words right after the number that make it an age ("13 years old", "13 ans", "13 lat")
AFTER = {
    "yo", "yrs", "jahre", "jahrig", "jaehrig", "ans", "anos", "anni", "jaar", "jarig", "lat",
    "letnia", "letni", "let", "rokov", "rocna", "ani", "eves", "vuotias", "vjec",
    "aastane", "gadus", "gadi", "metu", "metai", "godina", "godine", "χρονων", "ετων",
}  # fmt: skip
# two words after the number ("13 years old", "13 y o", "13 ar gammal", "13 ar gammel")
AFTER_PAIRS = {
    ("years", "old"), ("year", "old"), ("y", "o"), ("ar", "gammal"), ("ar", "gammel"),
    ("jahre", "alt"), ("roku", "zivota"),
}  # fmt: skip
# words right before the number ("I'm 13", "ich bin 13", "je mi 13", "olen 13", "age 13")
BEFORE = {
    ("im",), ("i", "m"), ("i", "am"), ("age",), ("aged",), ("alter",), ("ich", "bin"),
    ("ik", "ben"), ("je", "mi"), ("jsem",), ("olen",), ("jag", "ar"), ("jeg", "er"),
    ("tengo",), ("tenho",), ("ho",), ("j", "ai"), ("jai",), ("mam",), ("imam",),
    ("vagyok",), ("ειμαι",), ("man", "ir"),
}  # fmt: skip
# nouns for "age" up to four words before the number ("age in chat: 11", "Alter laut Chat 12")
AGE_NOUNS = {
    "age", "aged", "alter", "edad", "idade", "eta", "wiek", "vek", "vecums", "amzius",
    "leeftijd", "ika", "varsta", "eletkor", "ηλικια", "alder", "vanus", "starost",
}  # fmt: skip
# a time, not an age: "13 years ago", "13 lat temu", "13 anni fa", "vor 13 jahren"
AGO_AFTER = {"ago", "temu", "fa", "geleden", "sedan", "siden", "zpet", "nazad", "tagasi", "atras"}
AGO_BEFORE = {"vor", "hace", "seit", "pred", "od", "przez", "depuis", "sinds"}
_NUMBER = re.compile(r"^(\d{1,2})(yo|y|j|v|yrs|ans)?$")


def stated_minor_ages(texts: Iterable[str]) -> tuple[int, ...]:
    """Distinct ages under 18 (5 and over) that a text states someone has, in text order."""
    found: list[int] = []
    for text in texts:
        words = _folded(text).split()
        for i, word in enumerate(words):
            age = _age_at(words, i, word)
            if age is not None and age not in found:
                found.append(age)
    return tuple(found)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w]+|_", " ", plain.replace("ł", "l"))


def _age_at(words: list[str], i: int, word: str) -> int | None:
    match = _NUMBER.match(word)
    if match is None:
        return None
    age = int(match.group(1))
    if not YOUNGEST <= age < ADULT:
        return None
    after = words[i + 1 : i + 3]
    before = words[max(0, i - 2) : i]
    if (after[1:2] and after[1] in AGO_AFTER) or (after[:1] and after[0] in AGO_AFTER):
        return None
    if (before[-1:] and before[-1] in AGO_BEFORE) or tuple(before) == ("y", "a"):
        return None  # "il y a 13 ans"
    if match.group(2):  # "13yo", "13j", "13v": the unit is glued to the number
        return age
    if after[:1] and after[0] in AFTER:
        return age
    if tuple(after) in AFTER_PAIRS:
        return age
    if tuple(before[-1:]) in BEFORE or tuple(before[-2:]) in BEFORE:
        return age
    if AGE_NOUNS.intersection(words[max(0, i - 4) : i]):
        return age
    return None
