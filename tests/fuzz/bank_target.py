"""The contract every hash-set reader is fuzzed against (imported inside instrumentation).

A file either reads or raises ``BankFormatError`` (one line, the import refused). What
reads must be storable and exportable again: each entry's row (as ``import_bank`` inserts
it) encodes as UTF-8 JSON with sizes inside a 64-bit column, and the three writers accept
the entries, because ``grace hashset export`` must give back whatever was imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from grace.banks import BankFormatError, ParsedBank, write_csv, write_pdq_list, write_vics2
from grace.banks.detect import read_bank

INT64_MAX = 2**63 - 1
Reader = Callable[[bytes], ParsedBank]


def check(reader: Reader, data: bytes) -> None:
    """Read ``data`` with ``reader`` and through format detection; check what reads."""
    for read in (reader, lambda d: read_bank(d, "fuzz")):
        try:
            parsed = read(data)
        except BankFormatError:
            continue  # refused with one line (the error collapses whitespace itself)
        for entry in parsed.entries:
            if entry.size is not None and entry.size > INT64_MAX:
                raise AssertionError(f"size {entry.size} does not fit the size column")
            row = entry.model_dump(mode="json", exclude_defaults=True)
            json.dumps(row, ensure_ascii=False).encode("utf-8")
        write_vics2(parsed.entries, {"CaseNumber": "fuzz"})
        write_csv(parsed.entries)
        write_pdq_list(parsed.entries)
