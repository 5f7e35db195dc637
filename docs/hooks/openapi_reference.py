"""MkDocs hook: the API reference page is written from ``docs/openapi.json`` at build time.

Why a hook and not a plugin package: one page, one small transformation, no dependency to
install. The OpenAPI document itself is generated from the FastAPI app and kept current by
``tests/unit/test_openapi.py``, so the reference cannot drift from the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MARKER = "<!-- openapi-reference -->"
METHODS = ("get", "post", "put", "patch", "delete")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if MARKER not in markdown:
        return markdown
    spec = json.loads((Path(config["docs_dir"]) / "openapi.json").read_text(encoding="utf-8"))
    return markdown.replace(MARKER, render(spec))


def render(spec: dict[str, Any]) -> str:
    """Markdown for every operation, grouped by tag: method, path, summary, parameters, codes."""
    by_tag: dict[str, list[str]] = {}
    for path, item in sorted(spec.get("paths", {}).items()):
        for method in METHODS:
            operation = item.get(method)
            if operation:
                tag = (operation.get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append(_operation(method, path, operation))
    parts = [f"*{spec['info']['title']} {spec['info']['version']}*\n"]
    for tag in sorted(by_tag):
        parts.append(f"## {tag}\n")
        parts.extend(by_tag[tag])
    return "\n".join(parts)


def _operation(method: str, path: str, operation: dict[str, Any]) -> str:
    lines = [f"### `{method.upper()} {path}`\n"]
    summary = operation.get("description") or operation.get("summary") or ""
    if summary:
        lines.append(summary.strip() + "\n")
    params = operation.get("parameters") or []
    if params:
        lines.append("| parameter | in | required | description |")
        lines.append("| --- | --- | --- | --- |")
        for p in params:
            text = (p.get("description") or "").replace("\n", " ").replace("|", "\\|")
            lines.append(f"| `{p['name']}` | {p['in']} | {p.get('required', False)} | {text} |")
        lines.append("")
    codes = ", ".join(f"`{code}`" for code in sorted(operation.get("responses", {})))
    if codes:
        lines.append(f"Responses: {codes}\n")
    return "\n".join(lines)
