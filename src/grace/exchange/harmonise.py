"""Category harmonisation between grading schemes, saying where information is lost.

Project VIC US (0-4) grades *what kind* of file it is; UK CAID (A/B/C) grades *how
serious* an illegal image is; an EU scheme is whatever the network agrees (configurable,
default below: illegal / exploitative-not-illegal / non-pertinent, after Directive
2011/93/EU's split). A mapping is a table per pair of schemes: each code goes to one code,
or to none, and every step that drops a distinction carries a one-line ``loss`` note, so a
receiver never reads a translated grade as if it had been graded in its own scheme.
Hand-written tables: there is no library for this, and the tiers are few.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Mapping = dict[str, tuple[str | None, str | None]]  # code -> (target code, loss note)

_SEVERITY_LOST = "CAID severity (A/B/C) is not recorded in Project VIC US: regrade to know it"
_NOT_GRADED_UK = "no CAID grade: CAID grades only indecent images"
EU_DEFAULT: dict[str, Any] = {
    "scheme": "eu-default",
    "codes": {"1": "illegal", "2": "exploitative, not illegal", "0": "non-pertinent"},
    "from": {
        "projectvic-us": {
            "0": ["0", None],
            "1": ["1", None],
            "2": ["2", None],
            "3": ["1", "CGI/animation folded into illegal: member states differ on CGI"],
            "4": ["0", "comparison image folded into non-pertinent"],
        },
        "caid-uk": {
            "A": ["1", "CAID severity A dropped"],
            "B": ["1", "CAID severity B dropped"],
            "C": ["1", "CAID severity C dropped"],
        },
    },
}

TABLES: dict[tuple[str, str], Mapping] = {
    ("projectvic-us", "caid-uk"): {
        "0": (None, _NOT_GRADED_UK),
        "1": (None, _SEVERITY_LOST),
        "2": (None, _NOT_GRADED_UK),
        "3": (None, "CGI/animation: a UK prohibited-image question, not a CAID grade"),
        "4": (None, _NOT_GRADED_UK),
    },
    ("caid-uk", "projectvic-us"): {
        "A": ("1", "CAID severity A dropped"),
        "B": ("1", "CAID severity B dropped"),
        "C": ("1", "CAID severity C dropped"),
    },
}


def load_eu_scheme(path: Path | None = None) -> dict[str, Any]:
    """The EU scheme: ``path`` (JSON shaped like ``EU_DEFAULT``) or the default."""
    return json.loads(path.read_text(encoding="utf-8")) if path else EU_DEFAULT


def table(source: str, target: str, eu: dict[str, Any] | None = None) -> Mapping:
    """The mapping from ``source`` to ``target`` (identity when they are the same)."""
    eu = eu or EU_DEFAULT
    if source == target:
        return {}
    if target == eu["scheme"] and source in eu["from"]:
        return {code: (to, loss) for code, (to, loss) in eu["from"][source].items()}
    if (source, target) in TABLES:
        return TABLES[(source, target)]
    raise ValueError(f"no mapping from {source} to {target}")


def translate(
    scheme: str, code: str, target: str, eu: dict[str, Any] | None = None
) -> tuple[str | None, str | None]:
    """(code in ``target`` or None, what was lost or None)."""
    if scheme == target:
        return code, None
    mapped = table(scheme, target, eu).get(code)
    if mapped is None:
        return None, f"{scheme} code {code} is not in the mapping to {target}"
    return mapped
