"""Category schemes: built-in labels, unknown codes kept unlabelled, operator overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grace.banks import Category, CategorySchemeError, load_schemes, resolve


def test_builtin_labels() -> None:
    assert resolve("projectvic-us", "4") == (
        Category(
            scheme="projectvic-us", code="4", label="category 4: comparison images (Project VIC)"
        ),
        None,
    )
    category, problem = resolve("caid-uk", "c")
    assert category.code == "C" and category.label is not None and problem is None


def test_unknown_code_and_scheme_kept_without_label() -> None:
    category, problem = resolve("projectvic-us", "8")
    assert category == Category(scheme="projectvic-us", code="8", label=None)
    assert problem is not None and "'8'" in problem
    category, problem = resolve("nowhere", "1")
    assert category.label is None and problem == "unknown category scheme 'nowhere'"


def test_operator_file_adds_and_overrides(tmp_path: Path) -> None:
    path = tmp_path / "schemes.json"
    path.write_text(
        json.dumps(
            {
                "schemes": {
                    "unit-x": {
                        "title": "Unit X",
                        "codes": {"1": "tier 1", "2": "tier 2"},
                        "alert": ["1"],
                        "vics_profile": "CUSTOM",
                    },
                    "caid-uk": {
                        "codes": {"A": "A", "B": "B", "C": "C", "0": "not indecent"},
                        "vics_profile": "UK",
                    },
                }
            }
        )
    )
    registry = load_schemes(path)
    assert registry.resolve("unit-x", "2")[0].label == "tier 2"
    assert registry.resolve("caid-uk", "0")[0].label == "not indecent"
    assert registry.scheme_for_profile("custom") == "unit-x"
    assert registry.resolve("projectvic-us", "1")[0].label is not None
    unit_x = registry.get("unit-x")
    assert unit_x is not None and unit_x.alert == frozenset({"1"})


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[1]",
        '{"s": 1}',
        '{"s": {"codes": {"1": 2}}}',
        '{"s": {"codes": {"1": "x"}, "alert": ["9"]}}',
    ],
)
def test_bad_operator_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CategorySchemeError):
        load_schemes(path)


def test_missing_operator_file(tmp_path: Path) -> None:
    with pytest.raises(CategorySchemeError):
        load_schemes(tmp_path / "absent.json")
