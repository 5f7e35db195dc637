"""Write the API's OpenAPI document: ``python -m grace.web.openapi [PATH]``.

The committed copy is ``docs/openapi.json``; a test fails when it differs from what the
code generates, so regenerate it with this module after changing the API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from grace.web.app import build_app

DEFAULT = Path("docs/openapi.json")


def document() -> dict[str, Any]:
    return build_app().openapi()


def render() -> str:
    """Stable text: sorted keys, so regenerating an unchanged API changes no line."""
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> None:
    target = Path(argv[0]) if argv else DEFAULT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
