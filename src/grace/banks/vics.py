"""Read Project VIC / CAID hash sets in VICS JSON, versions 1.x and 2.0.

VICS has no public specification (domain notes section 4), so this reader follows what real
producers write and tolerates their differences: the ``odata.metadata`` (1.x) or
``@odata.context`` (2.0) envelope, Media directly under ``value``/``Media`` or nested in
Cases, string sizes and booleans, upper-case hex, hashes in ``AlternativeHashes`` as a list
or an object, and OData annotation keys. Known keys match case-insensitively; every other
key, and any value that fails to parse, is kept verbatim in ``extra`` (with a warning for the
latter) so that ``write_vics2`` can give it back unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from grace.banks.categories import DEFAULT_SCHEME, CategoryResolver, SchemeRegistry
from grace.banks.model import BankEntry, BankFormatError, ParsedBank
from grace.banks.values import (
    WarningLog,
    category_code,
    coerce,
    decode_text,
    join_path,
    parse_text,
)
from grace.jsontext import without_lone_surrogates

CONTEXT_1X = "odata.metadata"
CONTEXT_2 = "@odata.context"
SCHEME_KEY = "CategoryScheme"  # grace's own per-record key, written only when needed

# lower-cased VICS key -> BankEntry field (or pseudo-field), in processing order.
KNOWN_KEYS: dict[str, str] = {
    "categoryscheme": "scheme",
    "mediaid": "media_id",
    "md5": "md5",
    "sha1": "sha1",
    "sha256": "sha256",
    "pdq": "pdq",
    "photodna": "photodna",
    "mediasize": "size",
    "isdistributed": "is_distributed",
    "series": "series",
    "victimidentified": "victim_identified",
    "offenderidentified": "offender_identified",
    "tags": "tags",
    "mediafiles": "file_names",
    "alternativehashes": "alternative_hashes",
    "category": "category",
}
ORDER = {field: i for i, field in enumerate(KNOWN_KEYS.values())}
ALT_NAMES = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "pdq": "pdq", "photodna": "photodna"}
_VERSION = re.compile(r"DataModels/(\d+(?:\.\d+)*)\.xml(?:/([^/$#]+))?")


def read_vics(
    data: bytes, *, scheme: str | None = None, registry: SchemeRegistry | None = None
) -> ParsedBank:
    """Decode and parse VICS JSON bytes; ``BankFormatError`` when it is not VICS at all."""
    return parse_vics_text(decode_text(data), scheme=scheme, registry=registry)


def parse_vics_text(
    text: str, *, scheme: str | None = None, registry: SchemeRegistry | None = None
) -> ParsedBank:
    """Parse already-decoded VICS JSON text (shared by ``read_vics`` and format detection)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BankFormatError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    except (ValueError, RecursionError) as exc:
        raise BankFormatError(f"invalid JSON: {exc}") from exc
    try:
        doc = without_lone_surrogates(doc, text)
    except RecursionError as exc:
        raise BankFormatError("invalid JSON: nested too deeply") from exc
    return parse_vics(doc, scheme=scheme, registry=registry)


def parse_vics(
    doc: object, *, scheme: str | None = None, registry: SchemeRegistry | None = None
) -> ParsedBank:
    """Parse a decoded VICS document. ``scheme`` overrides the one implied by the profile."""
    if not isinstance(doc, dict):
        raise BankFormatError(f"JSON top level is a {type(doc).__name__}, not a VICS object")
    key = CONTEXT_2 if CONTEXT_2 in doc else CONTEXT_1X if CONTEXT_1X in doc else None
    if key is None:
        raise BankFormatError("JSON has no odata.metadata or @odata.context; not VICS")
    url = doc[key] if isinstance(doc[key], str) else ""
    found = _VERSION.search(url)
    version, profile = (found.group(1), found.group(2)) if found else (None, None)
    resolver = CategoryResolver(registry)
    default = scheme or resolver.registry.scheme_for_profile(profile) or DEFAULT_SCHEME
    log = WarningLog()
    metadata: dict[str, Any] = {
        "context_key": key,
        "context": doc[key],
        "profile": profile,
        "entity_set": url.rpartition("#")[2] if "#" in url else None,
        "scheme": default,
        "cases": [],
        "document": {k: v for k, v in doc.items() if k not in (key, "value", "Media")},
    }
    entries: list[BankEntry] = []
    for where, record in _media_records(doc, metadata["cases"], log):
        entry = _entry(record, where, default, resolver, log)
        if entry is not None:
            entries.append(entry)
    if not entries:
        log.add("no Media records")
    return ParsedBank(
        entries=entries,
        format="vics-2.0" if key == CONTEXT_2 else "vics-1.x",
        version=version,
        warnings=log.finish(resolver.warnings()),
        metadata=metadata,
    )


def _media_records(
    doc: Mapping[str, Any], cases: list[dict[str, Any]], log: WarningLog
) -> list[tuple[str, Mapping[str, Any]]]:
    """(location, record) for every Media record, flattening Cases wrappers."""
    if isinstance(doc.get("value"), list):
        root, top = doc["value"], "value"
    elif isinstance(doc.get("Media"), list):
        root, top = doc["Media"], "Media"
    else:
        raise BankFormatError("VICS document has no value[] or Media[] array")
    out: list[tuple[str, Mapping[str, Any]]] = []
    for i, item in enumerate(root):
        where = f"{top}[{i}]"
        if not isinstance(item, dict):
            log.add(f"{where}: not an object; skipped")
        elif isinstance(item.get("Media"), list):
            cases.append({k: v for k, v in item.items() if k != "Media"})
            for j, media in enumerate(item["Media"]):
                if isinstance(media, dict):
                    out.append((f"{where}.Media[{j}]", media))
                else:
                    log.add(f"{where}.Media[{j}]: not an object; skipped")
        else:
            out.append((where, item))
    return out


def _entry(
    record: Mapping[str, Any],
    where: str,
    default_scheme: str,
    resolver: CategoryResolver,
    log: WarningLog,
) -> BankEntry | None:
    """One BankEntry; a known key whose value fails to parse stays verbatim in ``extra``."""
    known: dict[str, tuple[str, Any]] = {}
    extra: dict[str, Any] = {}
    for key, value in record.items():
        field = KNOWN_KEYS.get(key.lower())
        if field is None or field in known:
            extra[key] = value
        else:
            known[field] = (key, value)
    fields: dict[str, Any] = {}
    scheme = default_scheme
    for field in sorted(known, key=ORDER.__getitem__):
        key, value = known[field]
        try:
            if field == "scheme":
                scheme = (parse_text(value).strip() if value is not None else "") or default_scheme
            elif field == "category":
                code = category_code(value)
                fields["category"] = resolver.category(scheme, code) if code else None
            elif field == "tags":
                fields["tags"] = _tags(value)
            elif field == "file_names":
                fields["file_names"], fields["media_file_extra"] = _files(value, fields.get("md5"))
            elif field == "alternative_hashes":
                fields["alternative_hashes"] = _alt_hashes(value, fields, where, log)
            else:
                fields[field] = coerce(field, value)
        except ValueError as exc:
            log.add(f"{where}.{key}: {exc}; kept verbatim")
            extra[key] = value
    if not any(fields.get(k) for k in ALT_NAMES.values()):
        log.add(f"{where}: no usable hash")
    try:
        return BankEntry(**fields, extra=extra)
    except ValidationError as exc:  # coerce() should prevent this; never crash an import
        log.add(f"{where}: record skipped: {exc.errors()[0]['msg']}")
        return None


def _tags(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in re.split(r"[;,]", value) if t.strip()]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return list(value)
    raise ValueError("Tags must be a string or a list of strings")


def _files(value: object, md5: str | None) -> tuple[list[str], list[dict[str, Any]]]:
    """Display paths from MediaFiles, plus each file's other keys. A file's MD5 equal to the
    Media's MD5 is dropped as redundant (the writer puts it back)."""
    if value is None:
        return [], []
    if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
        raise ValueError("MediaFiles must be a list of objects")
    names: list[str] = []
    rest: list[dict[str, Any]] = []
    for item in value:
        parts = {"filename": "", "filepath": ""}
        residual: dict[str, Any] = {}
        seen: set[str] = set()
        for key, val in item.items():
            low = key.lower()
            if low in parts:
                if low in seen or not isinstance(val, str | None):
                    raise ValueError(f"MediaFiles has a repeated or non-text {key}")
                seen.add(low)
                parts[low] = val or ""
            elif low == "md5" and isinstance(val, str) and md5 and val.strip().lower() == md5:
                continue
            else:
                residual[key] = val
        names.append(join_path(parts["filepath"], parts["filename"]))
        rest.append(residual)
    return names, rest if any(rest) else []


def _alt_hashes(
    value: object, fields: dict[str, Any], where: str, log: WarningLog
) -> dict[str, str]:
    """Promote recognised alternative hashes (SHA256, PDQ, PhotoDNA, ...) to fields; keep the
    rest, and any that fail to parse, by their original name."""
    pairs: list[tuple[str, str]] = []
    items: list[tuple[object, object]]
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
        items = []
        for item in value:
            low = {k.lower(): v for k, v in item.items()}
            items.append((low.get("hashname"), low.get("hashvalue")))
    elif value is None:
        return {}
    else:
        raise ValueError("AlternativeHashes must be a list or an object")
    for name, hashed in items:
        if not isinstance(name, str) or not isinstance(hashed, str):
            raise ValueError("AlternativeHashes entries need a string name and value")
        pairs.append((name, hashed))
    kept: dict[str, str] = {}
    for name, hashed in pairs:
        target = ALT_NAMES.get(re.sub(r"[^a-z0-9]", "", name.lower()))
        try:
            parsed = coerce(target, hashed) if target else None
        except ValueError as exc:
            log.add(f"{where}.AlternativeHashes[{name}]: {exc}; kept verbatim")
            parsed = None
        if target and parsed is not None and fields.get(target) in (None, parsed):
            fields[target] = parsed
        elif name in kept:
            log.add(f"{where}.AlternativeHashes: duplicate {name!r}; first kept")
        else:
            kept[name] = hashed
    return kept
