"""grace's own referral JSON: the ``Referral`` model serialised, with a published schema.

This is the format for direct referrals (another unit, a partner hotline, a form) and for
moving a referral between grace installations. Because it *is* the model, parsing is
strict where the others are lenient: a document that does not validate is refused with
the first problem named, since the sender controls the format and can fix it. The JSON
Schema in ``docs/referral.schema.json`` is generated from the model by
``referral_json_schema`` and a test keeps the two equal, so the docs cannot drift.

Regenerate the docs file with ``python -m grace.ingest.grace_json > docs/referral.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import ValidationError

from grace.ingest.base import IngestError, Ingestor, Parsed
from grace.jsontext import without_lone_surrogates
from grace.model import Referral

SCHEMA_ID = "https://grace.example/schemas/referral-1.json"
_SNIFF_KEYS = (b'"schema_version"', b'"source_format"')


def load_json_object(data: bytes, name: str) -> dict[str, Any]:
    """Decode UTF-8 (a BOM is allowed) JSON whose top level is an object, or raise."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name}: wrong encoding: not valid UTF-8 at byte {exc.start}") from None
    if not text.strip():
        raise IngestError(f"{name}: empty document")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise IngestError(
            f"{name}: invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise IngestError(f"{name}: invalid JSON: nested too deeply") from None
    try:
        value = without_lone_surrogates(value, text)
    except RecursionError:
        raise IngestError(f"{name}: invalid JSON: nested too deeply") from None
    if not isinstance(value, dict):
        raise IngestError(f"{name}: JSON top level is {_kind(value)}, expected one report object")
    return value


def referral_json_schema() -> dict[str, Any]:
    """The published JSON Schema of grace referral JSON (``docs/referral.schema.json``)."""
    schema = Referral.model_json_schema()
    properties = {"$schema": {"type": "string", "const": SCHEMA_ID}, **schema["properties"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "grace referral",
        "properties": properties,
    }


class GraceJsonIngestor(Ingestor):
    """Referral JSON as grace writes it (``Referral.model_dump_json``)."""

    name: ClassVar[str] = "grace_json"

    def sniff(self, member_name: str, head: bytes) -> float:
        if not head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
            return 0.0
        if SCHEMA_ID.encode() in head or all(key in head for key in _SNIFF_KEYS):
            return 0.95
        return 0.0

    def parse(self, data: bytes, member_name: str) -> Parsed:
        document = load_json_object(data, member_name)
        declared = document.pop("$schema", SCHEMA_ID)
        if declared != SCHEMA_ID:
            raise IngestError(f"{member_name}: unsupported $schema {str(declared)[:200]!r}")
        try:
            return Referral.model_validate(document)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"]) or "(top level)"
            more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
            message = f"{member_name}: not a valid grace referral: {where}: {first['msg']}{more}"
            raise IngestError(message) from None


def _kind(value: object) -> str:
    return {list: "an array", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number"
    )


if __name__ == "__main__":
    print(json.dumps(referral_json_schema(), indent=2, ensure_ascii=False))
