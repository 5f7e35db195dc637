"""Decoded JSON made safe to store: unpaired UTF-16 surrogates replaced by U+FFFD.

JSON may escape a lone surrogate (``"\\ud800"``) and Python's ``json`` decodes it into a
``str`` that is not Unicode text: SQLite, PostgreSQL and UTF-8 encoding all refuse it, so
one such escape in a referral or a hash set failed the whole store or export. Every reader
of outside JSON passes its decoded value through ``without_lone_surrogates``; the original
bytes are kept unchanged in the vault, so only the parsed copy is repaired.
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def without_lone_surrogates(value: Any, source: str) -> Any:
    """``value`` (decoded from ``source``) with lone surrogates replaced in every string.

    ``source`` is the JSON text: when it holds no surrogate escape (nearly always), the
    value is returned as it is without walking it. Raises ``RecursionError`` only for
    nesting that ``json`` itself barely accepted.
    """
    if not _SURROGATE_ESCAPE.search(source):
        return value
    return _replace(value)


def _replace(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_replace(item) for item in value]
    if isinstance(value, dict):
        return {_replace(key): _replace(item) for key, item in value.items()}
    return value
