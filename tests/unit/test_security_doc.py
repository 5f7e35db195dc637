"""docs/security.md names, for each threat, the tests that cover it. A renamed or removed
test would leave the threat model claiming a cover that no longer exists, so every
``tests/….py::test_…`` it names must be a file holding that test function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "security.md"
REFERENCE = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def _references(text: str) -> list[tuple[str, str]]:
    return REFERENCE.findall(text)


def _test_functions(path: Path) -> set[str]:
    """Module-level test functions, read with ``ast`` (importing a test module would run its
    fixtures' imports; a commented-out ``def`` must not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions = (n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))
    return {node.name for node in functions if node.name.startswith("test_")}


def _missing(text: str) -> list[str]:
    missing: list[str] = []
    for file, name in _references(text):
        path = ROOT / file
        if not path.is_file():
            missing.append(f"{file}::{name} (no such file)")
        elif name not in _test_functions(path):
            missing.append(f"{file}::{name} (no such test)")
    return missing


def test_every_test_named_in_the_threat_model_exists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert len(_references(text)) >= 40  # the page names tests; a broken pattern finds none
    assert _missing(text) == []


def test_a_stale_reference_is_reported() -> None:
    stale = (
        "`tests/unit/test_security_doc.py::test_a_stale_reference_is_reported` and "
        "`tests/unit/test_security_doc.py::test_that_was_renamed` and "
        "`tests/unit/test_gone.py::test_anything`"
    )
    assert _missing(stale) == [
        "tests/unit/test_security_doc.py::test_that_was_renamed (no such test)",
        "tests/unit/test_gone.py::test_anything (no such file)",
    ]


def test_the_threat_model_is_in_the_manual_and_the_readme() -> None:
    assert "security.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "docs/security.md" in (ROOT / "README.md").read_text(encoding="utf-8")
