"""Read and write hash sets as CSV with a header row naming the columns.

Spreadsheet exports are the lowest common denominator between units, so the reader accepts
the spellings people actually use (``SHA-256``, ``PDQ Hash``, ``Media ID``; compared ignoring
case and punctuation), a UTF-8 BOM, and comma, tab, semicolon or pipe delimiters. Columns it
does not know are kept in ``extra`` under their header text, and ``alt:NAME`` columns map to
``alternative_hashes``, so ``write_csv`` round-trips a file without loss. List cells use
``;`` for tags and ``|`` for file names. A known cell that fails to parse becomes a warning
and is kept in ``extra`` under the canonical column name, where the writer finds it again.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from grace.banks.categories import DEFAULT_SCHEME, CategoryResolver, SchemeRegistry
from grace.banks.model import BankEntry, BankFormatError, ParsedBank
from grace.banks.values import WarningLog, category_code, coerce
from grace.jsontext import without_lone_surrogates

COLUMNS = (
    "media_id",
    "category",
    "scheme",
    "md5",
    "sha1",
    "sha256",
    "pdq",
    "photodna",
    "size",
    "is_distributed",
    "series",
    "victim_identified",
    "offender_identified",
    "tags",
    "file_names",
    "media_file_extra",
)
HASH_COLUMNS = frozenset({"md5", "sha1", "sha256", "pdq", "photodna"})
ALIASES: dict[str, str] = {
    "mediaid": "media_id",
    "category": "category",
    "cat": "category",
    "categorycode": "category",
    "scheme": "scheme",
    "categoryscheme": "scheme",
    "md5": "md5",
    "md5hash": "md5",
    "sha1": "sha1",
    "sha1hash": "sha1",
    "sha256": "sha256",
    "sha256hash": "sha256",
    "pdq": "pdq",
    "pdqhash": "pdq",
    "photodna": "photodna",
    "photodnahash": "photodna",
    "size": "size",
    "mediasize": "size",
    "filesize": "size",
    "isdistributed": "is_distributed",
    "distributed": "is_distributed",
    "series": "series",
    "victimidentified": "victim_identified",
    "offenderidentified": "offender_identified",
    "tags": "tags",
    "tag": "tags",
    "filename": "file_names",
    "filenames": "file_names",
    "mediafileextra": "media_file_extra",
}
ALT_PREFIX = "alt:"
DELIMITERS = (",", "\t", ";", "|")
_NEWLINE = re.compile(r"\r\n|\r|\n")


def column_for(header: str) -> str | None:
    """The canonical column a header names, ignoring case and punctuation; None if unknown."""
    return ALIASES.get(re.sub(r"[^a-z0-9]", "", header.lower()))


def _split_header(line: str) -> tuple[str, list[str]]:
    """Pick the delimiter that makes the header name the most known columns."""
    best: tuple[int, str, list[str]] = (-1, ",", [])
    for delim in DELIMITERS:
        cells = next(csv.reader([line], delimiter=delim), [])
        score = sum(column_for(c) is not None for c in cells)
        if score > best[0]:
            best = (score, delim, cells)
    return best[1], best[2]


def header_line(text: str) -> tuple[int, str] | None:
    """(index, line) of the first line that is not blank or a ``#`` comment."""
    for i, line in enumerate(_NEWLINE.split(text)):
        if line.strip() and not line.lstrip().startswith("#"):
            return i, line
    return None


def looks_like_csv(text: str) -> bool:
    """True when the first content line is a header naming at least one hash column."""
    found = header_line(text)
    if found is None:
        return False
    _, cells = _split_header(found[1])
    return any(column_for(c) in HASH_COLUMNS for c in cells)


def read_csv(
    text: str, *, scheme: str | None = None, registry: SchemeRegistry | None = None
) -> ParsedBank:
    """Parse CSV text (already decoded); ``scheme`` applies to rows with no scheme cell."""
    found = header_line(text)
    if found is None or not looks_like_csv(text):
        raise BankFormatError("no CSV header naming a hash column (md5, sha1, sha256, pdq, ...)")
    start, line = found
    delim, headers = _split_header(line)
    log = WarningLog()
    resolver = CategoryResolver(registry)
    roles: list[tuple[str, str]] = []  # (kind, key): kind is field / alt / extra / skip
    for header in headers:
        field = column_for(header)
        kind, key = (
            ("field", field)
            if field
            else (
                ("alt", header[len(ALT_PREFIX) :])
                if header.lower().startswith(ALT_PREFIX)
                else ("extra", header)
            )
        )
        if (kind, key) in roles:
            log.add(f"header: duplicate column {header!r} ignored")
            kind = "skip"
        roles.append((kind, key))
    body = "\n".join(_NEWLINE.split(text)[start + 1 :])
    entries: list[BankEntry] = []
    try:
        reader = csv.reader(io.StringIO(body), delimiter=delim)
        for row in reader:
            n = start + 1 + reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(roles):
                log.add(f"line {n}: {len(row) - len(roles)} cells beyond the header ignored")
            entry = _row(row, roles, n, scheme or DEFAULT_SCHEME, resolver, log)
            if entry is not None:
                entries.append(entry)
    except csv.Error as exc:
        raise BankFormatError(f"CSV error: {exc}") from exc
    return ParsedBank(
        entries=entries,
        format="csv",
        warnings=log.finish(resolver.warnings()),
        metadata={"delimiter": delim, "columns": headers},
    )


def _row(
    row: list[str],
    roles: list[tuple[str, str]],
    n: int,
    default_scheme: str,
    resolver: CategoryResolver,
    log: WarningLog,
) -> BankEntry | None:
    fields: dict[str, Any] = {}
    alt: dict[str, str] = {}
    extra: dict[str, Any] = {}
    for (kind, key), cell in zip(roles, row, strict=False):
        if kind == "skip" or not cell.strip():
            continue
        if kind == "alt":
            alt[key] = cell
        elif kind == "extra":
            extra[key] = cell
        elif key == "tags":
            fields["tags"] = [t.strip() for t in cell.split(";") if t.strip()]
        elif key == "file_names":
            fields["file_names"] = cell.split("|")
        elif key == "media_file_extra":
            _json_cell(fields, extra, key, cell, n, log)
        elif key in ("category", "scheme"):
            fields[key] = cell.strip()
        else:
            try:
                fields[key] = coerce(key, cell.strip() if key != "series" else cell)
            except ValueError as exc:
                log.add(f"line {n}: {key}: {exc}; kept verbatim")
                extra[key] = cell
    scheme = fields.pop("scheme", None) or default_scheme
    code = category_code(fields.pop("category", None))
    fields["category"] = resolver.category(scheme, code) if code else None
    if not any(fields.get(k) for k in HASH_COLUMNS):
        log.add(f"line {n}: no usable hash")
    try:
        return BankEntry(**fields, alternative_hashes=alt, extra=extra)
    except ValidationError as exc:
        log.add(f"line {n}: row skipped: {exc.errors()[0]['msg']}")
        return None


def _json_cell(
    fields: dict[str, Any], extra: dict[str, Any], key: str, cell: str, n: int, log: WarningLog
) -> None:
    """A column grace writes as JSON (per-file VICS keys), so VICS -> CSV -> VICS is lossless."""
    try:
        fields[key] = without_lone_surrogates(json.loads(cell), cell)
    except (ValueError, RecursionError):
        log.add(f"line {n}: {key}: not JSON; kept verbatim")
        extra[key] = cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _fields(entry: BankEntry) -> dict[str, str]:
    """The canonical cells of one entry; an empty field falls back to a same-named extra."""
    values: dict[str, Any] = entry.model_dump(include=set(COLUMNS) - {"scheme"})
    values["category"] = entry.category.code if entry.category else None
    values["scheme"] = entry.category.scheme if entry.category else None
    values["tags"] = ";".join(entry.tags) or None
    values["file_names"] = "|".join(entry.file_names) or None
    values["media_file_extra"] = entry.media_file_extra or None
    for key, value in entry.extra.items():
        column = column_for(key)
        if column and values.get(column) is None:
            values[column] = value
    return {column: _cell(values.get(column)) for column in COLUMNS}


def write_csv(entries: Iterable[BankEntry]) -> bytes:
    """UTF-8 CSV (no BOM, ``\\n`` line ends) with the columns any entry uses."""
    entries = list(entries)
    rows = [_fields(e) for e in entries]
    columns = [c for c in COLUMNS if any(r[c] for r in rows)]
    alt_names = list(dict.fromkeys(n for e in entries for n in e.alternative_hashes))
    extra_names = list(dict.fromkeys(k for e in entries for k in e.extra if column_for(k) is None))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns + [ALT_PREFIX + n for n in alt_names] + extra_names)
    for entry, row in zip(entries, rows, strict=True):
        writer.writerow(
            [row[c] for c in columns]
            + [entry.alternative_hashes.get(n, "") for n in alt_names]
            + [_cell(entry.extra.get(k)) for k in extra_names]
        )
    return out.getvalue().encode("utf-8")
