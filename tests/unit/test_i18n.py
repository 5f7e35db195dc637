"""The desk's catalogues: every template string is marked, and every language translates it.

Fails when a template gains text outside ``_()`` (it would stay English for everyone), when
a marked string has no translation in one of the languages, or when a translation drops or
renames a placeholder (the page would then crash or show the wrong number).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from grace.web.i18n import LANGUAGES, LOCALES_DIR, gettext, negotiate, translations

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "src" / "grace" / "web" / "templates"
sys.path.insert(0, str(ROOT / "scripts"))
from i18n_update import template_catalog  # noqa: E402

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Words that are the same in every language: product and format names, units, symbols.
UNTRANSLATED = {"grace", "SHA-256", "PDQ"}


def _marked() -> list[str | tuple[str, ...]]:
    return [m.id for m in template_catalog() if m.id]


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {"en"}))
def test_every_marked_string_is_translated(language: str) -> None:
    po_file = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing, broken = [], []
    for msgid in _marked():
        message = catalog.get(msgid)
        strings = (message.string if message else None) or ()
        strings = (strings,) if isinstance(strings, str) else strings
        if not message or not all(strings):
            missing.append(msgid)
            continue
        wanted = set(PLACEHOLDER.findall(msgid if isinstance(msgid, str) else msgid[-1]))
        broken += [msgid for s in strings if set(PLACEHOLDER.findall(s)) - wanted]
        if isinstance(msgid, str):
            broken += [msgid for s in strings if set(PLACEHOLDER.findall(s)) != wanted]
    assert not missing, f"{language}: untranslated (run scripts/i18n_update.py): {missing}"
    assert not broken, f"{language}: placeholders differ: {broken}"


def _bare_text(template: str) -> list[str]:
    """Words a template shows outside ``_()``: markup, expressions and data blocks removed."""
    text = re.sub(r"\{#.*?#\}", " ", template, flags=re.S)
    text = re.sub(r"<script.*?</script>", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]+", text) if w not in UNTRANSLATED]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_show_no_unmarked_text(template: str) -> None:
    assert _bare_text((TEMPLATES / template).read_text(encoding="utf-8")) == []


def test_attribute_text_is_marked_too() -> None:
    """title=, alt=, aria-label= and placeholder= text is read by people: it is marked."""
    for path in TEMPLATES.glob("*.html"):
        source = path.read_text(encoding="utf-8")
        for attribute in re.findall(r'(?:title|alt|aria-label)="([^"]*)"', source):
            bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", attribute)
            assert not re.search(r"[A-Za-z]{3,}", bare), f"{path.name}: {attribute!r}"


def test_polish_plurals_have_three_forms() -> None:
    forms = [translations("pl").ngettext("%(num)s file", "%(num)s files", n) for n in (1, 3, 5)]
    assert forms == ["%(num)s plik", "%(num)s pliki", "%(num)s plików"]


def test_negotiation_prefers_the_user_then_the_browser() -> None:
    assert negotiate("nl", "de-DE,de;q=0.9") == "nl"
    assert negotiate(None, "pt-PT;q=1, fr-BE;q=0.8, de;q=0.5") == "fr"
    assert negotiate(None, "q=;;,,") == "en"
    assert negotiate("xx", None) == "en"
    assert gettext("es", "Queue") == "Cola" and gettext(None, "Queue") == "Queue"
