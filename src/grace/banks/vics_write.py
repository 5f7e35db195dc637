"""Write hash sets as VICS 2.0 JSON: one Case wrapping the Media records.

Units exchange sets with partners' forensic tools, which import VICS 2.0. The writer is the
exact inverse of ``grace.banks.vics``: for any entries it reads back, reading the output gives
equal entries. How each field is written:

* MD5, SHA1, PhotoDNA, MediaSize, booleans, Series, Tags (a list) at the top level;
  MediaID and Category as JSON numbers when they are plain decimals, else as strings.
* SHA256 and PDQ as ``AlternativeHashes`` items ``{"HashName": "SHA256"|"PDQ", ...}``,
  followed by ``alternative_hashes`` in order.
* ``file_names`` as ``MediaFiles`` (path split into FilePath/FileName, the Media's MD5
  added), merged with the matching ``media_file_extra`` keys.
* ``CategoryScheme`` only for records whose scheme differs from the document's profile.
* ``extra`` keys last, verbatim (a known key's field wins when both exist).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from grace.banks.categories import DEFAULT_REGISTRY, DEFAULT_SCHEME, SchemeRegistry
from grace.banks.model import BankEntry
from grace.banks.values import split_path
from grace.banks.vics import SCHEME_KEY

CONTEXT_BASE = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml"
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,17}")


def context_url(profile: str) -> str:
    """The 2.0 ``@odata.context`` for a profile (US, UK, CUSTOM, Default)."""
    return f"{CONTEXT_BASE}/{profile}/$metadata#Cases"


def _number_or_text(value: str) -> int | str:
    return int(value) if _DECIMAL.fullmatch(value) else value


def media_record(entry: BankEntry, doc_scheme: str) -> dict[str, Any]:
    """One VICS 2.0 Media object for ``entry``."""
    out: dict[str, Any] = {}
    if entry.media_id is not None:
        out["MediaID"] = _number_or_text(entry.media_id)
    if entry.category is not None:
        out["Category"] = _number_or_text(entry.category.code)
        if entry.category.scheme != doc_scheme:
            out[SCHEME_KEY] = entry.category.scheme
    plain = (
        ("MD5", entry.md5),
        ("SHA1", entry.sha1),
        ("PhotoDNA", entry.photodna),
        ("MediaSize", entry.size),
        ("IsDistributed", entry.is_distributed),
        ("Series", entry.series),
        ("VictimIdentified", entry.victim_identified),
        ("OffenderIdentified", entry.offender_identified),
    )
    out.update((key, value) for key, value in plain if value is not None)
    if entry.tags:
        out["Tags"] = list(entry.tags)
    alternatives = [("SHA256", entry.sha256), ("PDQ", entry.pdq), *entry.alternative_hashes.items()]
    hashes = [
        {"HashName": name, "HashValue": value} for name, value in alternatives if value is not None
    ]
    if hashes:
        out["AlternativeHashes"] = hashes
    if entry.file_names:
        out["MediaFiles"] = _media_files(entry)
    for key, value in entry.extra.items():
        out.setdefault(odata_v4_key(key), value)
    return out


# OData v3 JSON (VICS 1.x) annotation names and their OData v4 (VICS 2.0) spellings.
_V3_SUFFIXES = {
    "@odata.navigationLinkUrl": "@odata.navigationLink",
    "@odata.associationLinkUrl": "@odata.associationLink",
}


def as_vics2(entry: BankEntry) -> BankEntry:
    """``entry`` as reading its VICS 2.0 export gives it back: OData annotation keys in
    their 2.0 spelling, everything else unchanged."""
    return entry.model_copy(
        update={
            "extra": {odata_v4_key(k): v for k, v in entry.extra.items()},
            "media_file_extra": [
                {odata_v4_key(k): v for k, v in item.items()} for item in entry.media_file_extra
            ],
        }
    )


def odata_v4_key(key: str) -> str:
    """A 1.x key as VICS 2.0 spells it: ``odata.id`` -> ``@odata.id``,
    ``MediaFiles@odata.navigationLinkUrl`` -> ``MediaFiles@odata.navigationLink``.

    A 1.2 set re-exported as 2.0 otherwise keeps v3 annotations that 2.0 readers take for
    unknown properties. Other keys are returned unchanged.
    """
    if key.startswith("odata."):
        return "@" + key
    for old, new in _V3_SUFFIXES.items():
        if key.endswith(old):
            return key[: -len(old)] + new
    return key


def _media_files(entry: BankEntry) -> list[dict[str, Any]]:
    files = []
    for i, full in enumerate(entry.file_names):
        path, name = split_path(full)
        item: dict[str, Any] = {"FileName": name}
        if path:
            item["FilePath"] = path
        rest = entry.media_file_extra[i] if i < len(entry.media_file_extra) else {}
        if entry.md5 and not any(k.lower() == "md5" for k in rest):
            item["MD5"] = entry.md5
        item.update((odata_v4_key(k), v) for k, v in rest.items())
        files.append(item)
    return files


def write_vics2(
    entries: Iterable[BankEntry],
    case_info: Mapping[str, Any] | None = None,
    *,
    scheme: str = DEFAULT_SCHEME,
    registry: SchemeRegistry | None = None,
) -> bytes:
    """VICS 2.0 JSON (UTF-8, 2-space indent) with one Case holding every entry.

    ``case_info`` gives the Case's own keys (CaseID, CaseNumber, Contact*, ...). ``scheme``
    picks the profile in ``@odata.context`` (US for Project VIC, UK for CAID, else CUSTOM).
    """
    registry = registry or DEFAULT_REGISTRY
    profile = registry.profile_for_scheme(scheme) or "CUSTOM"
    doc_scheme = registry.scheme_for_profile(profile) or DEFAULT_SCHEME
    case = dict(case_info or {})
    if "Media" in case:
        raise ValueError("case_info must not contain 'Media'")
    case["Media"] = [media_record(entry, doc_scheme) for entry in entries]
    doc = {"@odata.context": context_url(profile), "value": [case]}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
