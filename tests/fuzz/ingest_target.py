"""The contract every referral ingestor is fuzzed against (imported inside instrumentation).

A document either parses or raises ``IngestError`` (quarantined with one line). What parses
must also be storable: ``persist.prepare`` (the row layout ingest commits, with its time
parsing) must not raise, every row must encode as UTF-8 JSON (SQLite and PostgreSQL
refuse lone surrogates), and integer columns must fit 32 bits. Anything else would escape
``assemble`` or the store and stop the whole ingest batch instead of one document.
"""

from __future__ import annotations

import json

from grace.ingest.assemble import SNIFF_BYTES, Unit
from grace.ingest.base import FileDetails, IngestError, Ingestor
from grace.ingest.persist import prepare
from grace.model import Referral

NAME = "fuzz/document"


def check(ingestor: Ingestor, data: bytes) -> None:
    """Sniff and parse ``data``; check that what parses can be stored."""
    score = ingestor.sniff(NAME, data[:SNIFF_BYTES])
    if not 0.0 <= score <= 1.0:
        raise AssertionError(f"sniff score {score} outside [0, 1]")
    try:
        parsed = ingestor.parse(data, NAME)
    except IngestError:
        return  # refused: assemble quarantines it with the message made one line
    if isinstance(parsed, FileDetails):  # as assemble stores an orphan fileDetails
        parsed = Referral(source_format=ingestor.name, files=[parsed.file])
    prepared = prepare(Unit(parsed, NAME, "document", data), "fuzz")
    rows = [prepared.referral, *prepared.files, *prepared.file_ips, *prepared.custody]
    rows += [row for party, events in prepared.parties for row in (party, *events)]
    json.dumps(rows, default=str, ensure_ascii=False).encode("utf-8")
    for row in rows:
        for column, value in row.items():
            if isinstance(value, int) and not -(2**31) <= value < 2**31:
                raise AssertionError(f"{column}={value} does not fit an integer column")
