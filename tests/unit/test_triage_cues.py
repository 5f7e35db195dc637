# ruff: noqa: RUF001  (Greek test phrases look like Latin letters to the linter)
"""Multilingual cue files: every language finds its phrases (inflected, misspelt, accents and
case dropped, leetspeak), says which language it read, and an agency can add its own."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from grace.model import FileRef, IncidentDetail, Party, PartyRole, Referral
from grace.triage.base import TriageInput
from grace.triage.cues import PACKAGED, CueError, find_cues, load, normalise
from grace.triage.rules import RulesV1

# language -> (text a user or provider might write, category, phrase expected to match)
EXAMPLES: dict[str, list[tuple[str, str, str]]] = {
    "en": [("ok i'll PICK U UP after practice", "contact", "pick u up"),
           ("pay or i post everything", "sextortion", "pay or")],
    "de": [("Treffen wir uns am Samstag?", "contact", "treffen wir uns"),
           ("ich hole dich morgen ab", "contact", "ich hole dich morgen ab"),
           ("Trainerin? nein: Jugendtrainerin beim TSV", "access", "jugendtrainerin"),
           ("zahl 200 euro oder alle sehen es", "sextortion", "zahl 200 euro oder")],
    "fr": [("On se voit samedi ?", "contact", "on se voit"),
           ("je suis entraîneur de foot", "access", "entraineur de foot")],
    "es": [("no le digas nada a tus padres", "contact", "no le digas nada a tus padres"),
           ("soy niñera los findes", "access", "ninera")],
    "it": [("ti vengo a prendere dopo scuola", "contact", "ti vengo a prendere"),
           ("pagami o mando le tue foto a tutti", "sextortion", "pagami o")],
    "pl": [("Spotkajmy się w sobotę", "contact", "spotkajmy sie"),
           ("pracuję jako nauczycielka", "access", "nauczycielka")],
    "ro": [("nu le spune părinților", "contact", "nu le spune parintilor"),
           ("lucrez ca educatoare", "access", "educatoare")],
    "nl": [("zullen we afspreken bij het station", "contact", "zullen we afspreken"),
           ("betaal of ik stuur je foto's naar iedereen", "sextortion", "betaal of")],
    "pt": [("vou te buscar depois da escola", "contact", "vou te buscar"),
           ("tenho medo", "urgency", "tenho medo")],
    "sv": [("Jag hämtar dig efter skolan", "contact", "jag hamtar dig"),
           ("jobbar som barnvakt", "access", "barnvakt")],
    "cs": [("Neříkej nic rodičům", "contact", "nerikej nic rodicum"),
           ("zaplať nebo pošlu fotky všem", "sextortion", "zaplat nebo")],
    "el": [("Να βρεθούμε αύριο;", "contact", "να βρεθουμε"),
           ("είμαι προπονητής", "access", "προπονητησ")],
    "hu": [("Találkozzunk holnap!", "contact", "talalkozzunk"),
           ("fizess vagy mindenki latja", "sextortion", "fizess vagy")],
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(EXAMPLES))
def test_each_language_finds_its_cues(language: str) -> None:
    for text, category, matched in EXAMPLES[language]:
        hits = find_cues([text])
        assert (category, language, matched) in [(h.category, h.language, h.matched) for h in hits]
        assert {h.language for h in hits} == {language}, text


def test_every_packaged_language_covers_the_five_urgency_categories() -> None:
    table = load((PACKAGED,))
    assert len(table.languages) >= 10
    raising = ("contact", "access", "sextortion", "production", "urgency", "risk", "grooming")
    for category in raising:
        missing = [x for x in table.languages if not table.by_language[category].get(x)]
        assert not missing, f"{category} has no phrases in {missing}"


# language -> (a reporter's assessment of risk now, an approach typical of grooming): every
# packaged language reads both, with the language named
RISK_AND_GROOMING: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "en": (("Reporter indicates ongoing contact with a minor", "ongoing contact"),
           ("how old r u? add me on snap", "how old r u")),
    "de": (("Kontakt besteht weiterhin, Kind in akuter Gefahr", "kontakt besteht weiterhin"),
           ("Wie alt bist du? Bist du allein?", "wie alt bist du")),
    "fr": (("La mère a signalé un contact en cours", "la mere a signale"),
           ("t'as quel âge ? t'es seule ?", "tas quel age")),
    "es": (("Peligro inminente: siguen en contacto", "peligro inminente"),
           ("¿Cuántos años tienes? ¿Estás sola?", "cuantos anos tienes")),
    "it": (("Minore in pericolo, ancora in contatto", "minore in pericolo"),
           ("quanti anni hai? sei sola?", "quanti anni hai")),
    "pl": (("Dziecko w niebezpieczeństwie, nadal w kontakcie", "dziecko w niebezpieczenstwie"),
           ("Ile masz lat? Jesteś sama?", "ile masz lat")),
    "ro": (("Pericol iminent pentru copil", "pericol iminent"),
           ("Câți ani ai? Ești singură?", "cati ani ai")),
    "nl": (("Kind in gevaar, nog steeds contact", "kind in gevaar"),
           ("Hoe oud ben je? Ben je alleen?", "hoe oud ben je")),
    "pt": (("Perigo iminente, ainda em contato", "perigo iminente"),
           ("Quantos anos tens? Estás sozinha?", "quantos anos tens")),
    "sv": (("Barn i fara, pågående kontakt", "barn i fara"),
           ("Hur gammal är du? Är du ensam?", "hur gammal ar du")),
    "cs": (("Dítě v nebezpečí, stále v kontaktu", "dite v nebezpeci"),
           ("Kolik ti je? Jsi sama?", "kolik ti je")),
    "el": (("Παιδί σε κίνδυνο, συνεχής επαφή", "παιδι σε κινδυνο"),
           ("Πόσο χρονών είσαι; Είσαι μόνη;", "ποσο χρονων εισαι")),
    "hu": (("A gyermek veszélyben, folyamatos kapcsolat", "gyermek veszelyben"),
           ("Hány éves vagy? Egyedül vagy?", "hany eves vagy")),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(RISK_AND_GROOMING))
def test_each_language_reads_risk_assessments_and_grooming(language: str) -> None:
    pairs = zip(RISK_AND_GROOMING[language], ("risk", "grooming"), strict=True)
    for (text, matched), category in pairs:
        hits = [(h.category, h.language, h.matched) for h in find_cues([text])]
        assert (category, language, matched) in hits, (text, hits)


def test_apostrophes_and_stretched_letters_are_one_spelling() -> None:
    for text in ("don't tell anyone about us", "dont tell anyone about us", "don t tell anyone"):
        assert [h.category for h in find_cues([text])] == ["contact"], text
    assert "j envoie tes photos" in [h.matched for h in find_cues(["j'envoie tes photos"])]
    assert normalise("pleeeease heeelp") == "pleease heelp"
    assert [h.matched for h in find_cues(["meeeet up?"])] == ["meet up"]
    hits = find_cues(["don't tell anyone", "dont tell anyone"])
    assert len(hits) == 1  # two spellings of one phrase are one hit


def test_normalisation_undoes_case_accents_leetspeak_and_umlaut_spelling() -> None:
    assert normalise("M33T me IRL!!") == "meet me irl"
    assert normalise("Spotkajmy  się, ŻÓŁW") == "spotkajmy sie zolw"
    assert find_cues(["wir treffen uns persoenlich treffen"])[0].language == "de"
    assert find_cues(["ich bin erzieherin"])[0].matched == "erzieherin"  # inflection via *
    assert not find_cues(["wecome overall", "coaching fans"])  # word boundaries


def _referral() -> Referral:
    return Referral(
        received_at="2026-03-01T10:00:00Z",
        additional_info=["Moderator note."],
        incidents=[IncidentDetail(kind="chatIm", content="treffen wir uns bei mir?")],
        parties=[Party(role=PartyRole.REPORTED, additional_info=["Bio: entraîneur de foot"])],
        files=[FileRef(additional_info=["Caption: spotkajmy się"])],
    )


def test_explanations_name_the_language() -> None:
    item = TriageInput(referral=_referral(), now=datetime(2026, 3, 1, tzinfo=UTC))
    factors = {f.name: f for f in RulesV1().score(item).factors}
    contact = factors["contact"].explanation
    assert contact.startswith("signs of planned contact")
    assert "(de): 'treffen wir uns'" in contact and "(pl): 'spotkajmy sie'" in contact
    assert factors["access"].explanation == "signs of access to children (fr): 'entraineur de foot'"
    assert "de: treffen wir uns" in factors["contact"].value


def test_an_agency_adds_phrases_and_a_bad_file_fails_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "lb.yaml").write_text("language: lb\ncues:\n  contact: [mir treffen eis]\n")
    monkeypatch.setenv("GRACE_TRIAGE_CUES", str(tmp_path))
    hits = find_cues(["Mir treffen eis muer"])
    assert [(h.category, h.language) for h in hits] == [("contact", "lb")]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "xx.yaml").write_text("language: xx\ncues:\n  gossip: [a]\n")
    with pytest.raises(CueError, match="unknown cue category 'gossip'") as err:
        load((PACKAGED, bad))
    assert "\n" not in str(err.value)


def test_a_trailing_wildcard_still_matches_the_phrase_before_it(tmp_path: Path) -> None:
    (tmp_path / "en.yaml").write_text("language: en\ncues:\n  grooming: ['add me on *']\n")
    table = load((tmp_path,))
    assert table.patterns["grooming"].search(normalise("ok add me on snap"))
