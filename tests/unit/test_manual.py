"""The manual: its API reference is generated from the OpenAPI document, whole."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> object:
    spec = importlib.util.spec_from_file_location(
        "openapi_reference", ROOT / "docs" / "hooks" / "openapi_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_reference_lists_every_operation() -> None:
    spec = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    page = _hook().render(spec)  # type: ignore[attr-defined]
    for path, item in spec["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                assert f"`{method.upper()} {path}`" in page


def test_manual_pages_are_in_the_nav_and_readme_links_the_manual() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in ("manual/analyst.md", "manual/operator.md", "manual/api.md"):
        assert page in config and (ROOT / "docs" / page).exists()
    assert "docs/index.md" in (ROOT / "README.md").read_text(encoding="utf-8")
