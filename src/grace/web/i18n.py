"""The desk in the analyst's language: gettext catalogues (Babel) and locale-aware formats.

Why this shape: the catalogues are plain ``.po`` files in the package (reviewable text, no
compiled ``.mo`` artefacts to keep in step); they are compiled in memory once per process
with Babel. Templates call ``_()`` through Jinja's i18n extension; the language of each
render comes from the template context (``locale``), never from process-global state, so two
analysts with different languages can be served by the same worker at once.

The language is the user's own setting (``users.language``), then the browser's
``Accept-Language``, then English.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "nl": "Nederlands",
    "pl": "Polski",
}
"""Languages the desk speaks, each named in itself (what the language menu shows)."""


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (English, the source language, needs none)."""
    po_file = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_file.exists():
        return NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogues without translating it yet (translated on use)."""
    return message


def gettext(language: str | None, message: str) -> str:
    """``message`` in ``language`` (for strings built in Python, e.g. sign-in errors)."""
    return translations(supported(language)).gettext(message)


def supported(language: str | None) -> str:
    """``language`` if the desk speaks it, else English."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def negotiate(preferred: str | None, accept_language: str | None) -> str:
    """The user's setting if any, else the best match in the browser's Accept-Language."""
    if preferred in LANGUAGES:
        return str(preferred)
    for language, _quality in _parse_accept(accept_language or ""):
        base = language.split("-")[0].lower()
        if base in LANGUAGES:
            return base
    return DEFAULT_LANGUAGE


def _parse_accept(header: str) -> list[tuple[str, float]]:
    """Accept-Language ranges by descending quality (malformed parts are skipped)."""
    ranges: list[tuple[str, float]] = []
    for part in header.split(",")[:20]:
        name, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if name:
            ranges.append((name, quality))
    return sorted(ranges, key=lambda r: -r[1])


def _language_of(context: Context) -> str:
    return supported(context.get("locale"))


@pass_context
def _template_gettext(context: Context, message: str) -> str:
    return translations(_language_of(context)).gettext(message)


@pass_context
def _template_ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(_language_of(context)).ngettext(singular, plural, n)


@pass_context
def _number(context: Context, value: float | int | None, digits: int = 0) -> str:
    """A number with the locale's separators (1,234.5 / 1.234,5 / 1 234,5)."""
    if value is None:
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=Locale.parse(_language_of(context)))


@pass_context
def _percent(context: Context, share: float | None) -> str:
    """A share 0..1 as a percentage written the locale's way (12 %, 12%, %12...)."""
    if share is None:
        return "—"
    return format_percent(share, locale=Locale.parse(_language_of(context)))


@pass_context
def _datetime(context: Context, value: str | datetime | date | None) -> str:
    """An ISO time or datetime in the locale's medium format (UTC, as the audit keeps it)."""
    if not value:
        return "—"
    locale = Locale.parse(_language_of(context))
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        return format_datetime(value, format="medium", locale=locale, tzinfo=value.tzinfo)
    return format_date(value, format="medium", locale=locale)


def install(env: Environment) -> None:
    """Give ``env`` the ``_``/``ngettext`` callables and the locale-aware filters."""
    env.add_extension("jinja2.ext.i18n")
    install_callables: Any = env.install_gettext_callables  # type: ignore[attr-defined]
    install_callables(_template_gettext, _template_ngettext, newstyle=True)
    env.filters.update(number=_number, percent=_percent, when=_datetime)
    env.globals.update(languages=LANGUAGES)
