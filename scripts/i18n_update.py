"""Extract the desk's messages and update every language's catalogue (maintainers' tool).

    .venv/bin/python scripts/i18n_update.py          # refresh src/grace/web/locales/*/messages.po

New messages arrive untranslated (tests/unit/test_i18n.py then fails until a translator
fills them in); messages no longer used are dropped. Uses Babel's own extractor and
catalogue updater, with Jinja2's extractor for templates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "grace" / "web"
LOCALES = WEB / "locales"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}


def template_catalog() -> Catalog:
    """Every message the desk's templates and page code mark for translation."""
    catalog = Catalog(project="grace", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        WEB, METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def main() -> int:
    template = template_catalog()
    for po_path in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parents[1].name)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        with po_path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(f"{po_path.relative_to(ROOT)}: {len(catalog)} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
