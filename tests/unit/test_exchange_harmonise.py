"""Category harmonisation: every code maps, and every dropped distinction is stated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grace.banks.categories import DEFAULT_SCHEMES
from grace.exchange.harmonise import EU_DEFAULT, load_eu_scheme, table, translate


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("projectvic-us", "caid-uk"),
        ("caid-uk", "projectvic-us"),
        ("projectvic-us", "eu-default"),
        ("caid-uk", "eu-default"),
    ],
)
def test_every_code_of_the_source_scheme_is_mapped(source: str, target: str) -> None:
    assert set(table(source, target)) == set(DEFAULT_SCHEMES[source]["codes"])


def test_losses_are_stated_and_exact_tiers_are_not() -> None:
    assert translate("caid-uk", "A", "projectvic-us") == ("1", "CAID severity A dropped")
    code, loss = translate("projectvic-us", "1", "caid-uk")
    assert code is None and loss is not None and "regrade" in loss
    assert translate("projectvic-us", "1", "eu-default") == ("1", None)
    assert translate("projectvic-us", "2", "projectvic-us") == ("2", None)
    assert translate("projectvic-us", "8", "eu-default")[0] is None  # unknown: never guessed


def test_a_configured_eu_scheme_replaces_the_default(tmp_path: Path) -> None:
    custom = {**EU_DEFAULT, "scheme": "eu-ec3", "from": {"caid-uk": {"A": ["x", None]}}}
    path = tmp_path / "eu.json"
    path.write_text(json.dumps(custom))
    assert translate("caid-uk", "A", "eu-ec3", load_eu_scheme(path)) == ("x", None)
    with pytest.raises(ValueError, match="no mapping"):
        table("projectvic-us", "eu-ec3", load_eu_scheme(path))
