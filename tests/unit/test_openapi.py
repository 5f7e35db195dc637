"""The committed OpenAPI document is what the code serves (regenerate it otherwise)."""

from __future__ import annotations

import json
from pathlib import Path

from grace.web.openapi import render

COMMITTED = Path(__file__).parents[2] / "docs" / "openapi.json"


def test_committed_openapi_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(), (
        "docs/openapi.json is stale: run `python -m grace.web.openapi`"
    )


def test_every_api_error_is_documented_as_json() -> None:
    document = json.loads(render())
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/media", "/api/v1/exp")):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "HTTPValidationError" not in json.dumps(responses), (method, path)
            assert responses["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }
