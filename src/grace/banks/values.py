"""Coerce loosely typed hash-set values the same way in every format, and collect warnings.

Producers disagree on types: NIST writes ``MediaSize`` as a string, VICS exporters write
booleans as "true"/"1"/"yes", distributed sets use upper-case MD5. Every reader goes through
these helpers so a value means the same thing whatever file it came in, and a bad value raises
``ValueError`` for the reader to turn into a warning; one bad row must not abort an import of
a hundred thousand good ones.
"""

from __future__ import annotations

import codecs
from typing import Any

from grace.banks.model import HEX_LENGTHS, BankFormatError, normalise_hex

_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f"})
BOOL_FIELDS = frozenset({"is_distributed", "victim_identified", "offender_identified"})
TEXT_FIELDS = frozenset({"media_id", "series", "photodna"})
MAX_SIZE = 2**63 - 1  # the size column is a signed 64-bit integer


def parse_bool(raw: object) -> bool:
    """True/False from a JSON bool, 0/1, or the usual strings; anything else is an error."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValueError(f"not a boolean: {raw!r:.40}")


def parse_size(raw: object) -> int:
    """A non-negative byte count from an int or a decimal string (NIST writes "488").

    Counts past 2**63 - 1 are refused too: no file is that large, and the database's
    64-bit size column would make the whole import fail on the value.
    """
    size: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        size = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        text = raw.strip().lstrip("0") or "0"
        size = int(text) if len(text) <= 19 else MAX_SIZE + 1
    if size is None or size > MAX_SIZE:
        raise ValueError(f"not a byte count: {raw!r:.40}")
    return size


def parse_text(raw: object) -> str:
    """A string field; integers are accepted (MediaID, Series) and written back as text."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise ValueError(f"not text: {raw!r:.40}")


def coerce(field: str, raw: object) -> Any:
    """Coerce ``raw`` for the BankEntry field ``field``; None or "" (hashes) means absent."""
    if raw is None:
        return None
    if field in HEX_LENGTHS:
        if not isinstance(raw, str):
            raise ValueError(f"{field} is not a string")
        return normalise_hex(field, raw) if raw.strip() else None
    if field == "size":
        return parse_size(raw)
    if field in BOOL_FIELDS:
        return parse_bool(raw)
    if field == "photodna":
        text = parse_text(raw).strip()
        return text or None
    if field in TEXT_FIELDS:
        return parse_text(raw)
    raise KeyError(field)


def category_code(raw: object) -> str | None:
    """A category code as text (VICS writes ints, CSV text); blank means uncategorised."""
    if raw is None:
        return None
    text = parse_text(raw).strip()
    return text or None


def join_path(path: str, name: str) -> str:
    """One display path from VICS ``FilePath`` and ``FileName``, keeping the path's separator."""
    if not path:
        return name
    if not name or path.endswith(("/", "\\")):
        return path + name
    sep = "\\" if "\\" in path and "/" not in path else "/"
    return path + sep + name


def split_path(full: str) -> tuple[str, str]:
    """Inverse of ``join_path`` for writing: (FilePath, FileName)."""
    sep = "/" if "/" in full else "\\"
    head, found, tail = full.rpartition(sep)
    if not found or not tail:
        return ("", full) if not found else (full, "")
    return head, tail


def decode_text(data: bytes) -> str:
    """Decode a text hash set: UTF-8 (BOM tolerated, VICS exports often carry one) or BOM'd
    UTF-16. NUL characters mean binary data, which no supported format contains."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BankFormatError(
            f"not UTF-8 (or BOM-marked UTF-16) text: bad byte at offset {exc.start}"
        ) from exc
    if "\x00" in text:
        raise BankFormatError("binary data (NUL bytes), not a text hash set")
    return text


class WarningLog:
    """Warnings for one import, capped so a million bad rows cannot flood memory or the UI."""

    def __init__(self, limit: int = 500) -> None:
        self.limit = limit
        self.items: list[str] = []
        self.dropped = 0

    def add(self, message: str) -> None:
        if len(self.items) < self.limit:
            self.items.append(message)
        else:
            self.dropped += 1

    def finish(self, tail: list[str] | None = None) -> list[str]:
        """All kept warnings, then ``tail`` (summaries), then a count of any dropped."""
        out = self.items + (tail or [])
        if self.dropped:
            out.append(f"{self.dropped} further warnings not shown")
        return out
