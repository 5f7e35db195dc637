"""Pick the reader for a hash-set file by its content, and refuse anything else clearly.

Operators upload whatever a partner sent, often with a misleading extension, so the format
is sniffed from the bytes: JSON with an OData key is VICS, text whose header names a hash
column is CSV, and text whose first line is a 64-hex hash is a PDQ list. Everything that is
none of these (binary data, invalid JSON, another JSON shape, a wrong encoding, a file over
the size limit) raises ``BankFormatError`` with one line naming the file and the reason,
never a traceback. A 64-hex list could equally be SHA-256; content cannot tell, so such
lists are read as PDQ, the format that publishes them.
"""

from __future__ import annotations

from grace.banks.categories import SchemeRegistry
from grace.banks.csvfmt import header_line, looks_like_csv, read_csv
from grace.banks.model import BankFormatError, ParsedBank
from grace.banks.pdqlist import looks_like_pdq_line, read_pdq_list
from grace.banks.values import decode_text
from grace.banks.vics import parse_vics_text

DEFAULT_MAX_BYTES = 1024**3  # national sets run to a few hundred MB of VICS JSON


def read_bank(
    data: bytes,
    name: str,
    scheme: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    registry: SchemeRegistry | None = None,
) -> ParsedBank:
    """Read one hash-set file of any supported format.

    ``scheme`` overrides the category scheme (default: from the VICS profile, else
    Project VIC US). Raises ``BankFormatError`` (message ``"<name>: <reason>"``).
    """
    try:
        return _read(data, scheme, max_bytes, registry)
    except BankFormatError as exc:
        raise BankFormatError(exc.reason, name=name) from exc


def _read(
    data: bytes, scheme: str | None, max_bytes: int, registry: SchemeRegistry | None
) -> ParsedBank:
    if len(data) > max_bytes:
        raise BankFormatError(f"{len(data)} bytes exceeds the {max_bytes}-byte limit")
    text = decode_text(data)
    start = text.lstrip()
    if not start:
        raise BankFormatError("empty file")
    if start[0] in "{[":
        return parse_vics_text(text, scheme=scheme, registry=registry)
    if looks_like_csv(text):
        return read_csv(text, scheme=scheme, registry=registry)
    first = header_line(text)
    if first is not None and looks_like_pdq_line(first[1]):
        return read_pdq_list(text)
    raise BankFormatError(
        "not a recognised hash set (VICS JSON, CSV with a hash-column header, or PDQ list)"
    )
