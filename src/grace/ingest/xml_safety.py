"""Parse untrusted XML without letting the document reach the file system or the network.

Referral XML comes from outside (providers, NCMEC, whoever hands a unit a USB stick), so
it is treated as hostile. Following defusedxml's rules, a document that declares entities
or points at an external DTD is refused *before* lxml sees it (XXE, billion laughs,
external DTD fetches); the parser then runs with entity resolution, DTD loading and
network access off anyway, in case a declaration hides in an encoding the byte scan does
not read. Every refusal is an ``IngestError`` with one line naming the file and the reason.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from grace.ingest.base import IngestError

Groups = dict[str, list[etree._Element]]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_DOCTYPE = re.compile(rb"<!DOCTYPE\b(?P<body>[^>\[]*)(?P<subset>\[)?", re.IGNORECASE)
_EXTERNAL = re.compile(rb"\b(SYSTEM|PUBLIC)\b", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def parse_xml(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Return the root element of ``data``, or raise ``IngestError`` saying why not."""
    if len(data) > max_bytes:
        raise IngestError(
            f"{name}: XML document is {len(data)} bytes, over the limit of {max_bytes}"
        )
    if not data.strip():
        raise IngestError(f"{name}: empty document")
    _refuse_dtd(_ascii_view(data), name)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise IngestError(_syntax_message(exc, data, name)) from None
    except ValueError as exc:  # lxml refuses some inputs (e.g. unknown encodings) this way
        raise IngestError(f"{name}: not readable as XML: {_first_line(str(exc))}") from None
    _refuse_parsed_dtd(root, name)
    return root


def _ascii_view(data: bytes) -> bytes:
    """The bytes to scan for declarations: UTF-16 is narrowed so ASCII markup shows."""
    for bom, codec in _BOMS[1:]:
        if data.startswith(bom):
            return data.decode(codec, errors="replace").encode("ascii", errors="replace")
    return data


def _refuse_dtd(data: bytes, name: str) -> None:
    if b"<!ENTITY" in data:
        raise IngestError(f"{name}: XML declares entities (DTD/XXE protection)")
    for match in _DOCTYPE.finditer(data):
        if match.group("subset") or _EXTERNAL.search(match.group("body")):
            raise IngestError(f"{name}: XML declares entities (DTD/XXE protection)")


def _refuse_parsed_dtd(root: etree._Element, name: str) -> None:
    """Belt and braces: refuse what the byte scan could not see (exotic encodings)."""
    info = root.getroottree().docinfo
    dtd = info.internalDTD
    # lxml-stubs lacks DTD.iterentities and DocInfo.system_url; both exist in lxml >= 2.
    has_entities = dtd is not None and any(True for _ in dtd.iterentities())  # type: ignore[attr-defined]
    if has_entities or info.system_url or info.public_id:  # type: ignore[attr-defined]
        raise IngestError(f"{name}: XML declares entities (DTD/XXE protection)")


def _syntax_message(exc: etree.XMLSyntaxError, data: bytes, name: str) -> str:
    text = _first_line(exc.msg or str(exc))
    lowered = text.lower()
    if "encoding" in lowered or "utf-8" in lowered:
        declared = _declared_encoding(data)
        return f"{name}: wrong encoding: bytes are not valid {declared} as declared ({text})"
    if "amplification" in lowered or "entity" in lowered:
        return f"{name}: XML declares entities (DTD/XXE protection)"
    if "start tag expected" in lowered or "document is empty" in lowered:
        return f"{name}: not an XML document ({text})"
    return f"{name}: malformed XML: {text}"


def _declared_encoding(data: bytes) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec.upper()
    match = _DECLARED_ENCODING.match(data)
    return match.group(1).decode("ascii").upper() if match else "UTF-8"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return " ".join(lines[0].split()) if lines else "unknown error"


# Plain readers for a parsed tree: comments skipped, text stripped, nothing lost.


def local_name(el: etree._Element) -> str:
    return etree.QName(el).localname


def child_elements(el: etree._Element) -> list[etree._Element]:
    """Child elements only: comments and processing instructions are not data."""
    return [child for child in el if isinstance(child.tag, str)]


def group_children(el: etree._Element) -> Groups:
    grouped: Groups = {}
    for child in child_elements(el):
        grouped.setdefault(local_name(child), []).append(child)
    return grouped


def pop_one(g: Groups, key: str) -> etree._Element:
    """The first element named ``key`` (removed from ``g``), or an empty stand-in."""
    found = g.pop(key, [])
    return found[0] if found else etree.Element(key)


def text_of(el: etree._Element) -> str | None:
    text = (el.text or "").strip()
    return text or None


def pop_text(g: Groups, key: str) -> str | None:
    found = g.pop(key, [])
    return text_of(found[0]) if found else None


def pop_texts(g: Groups, key: str) -> list[str]:
    return [t for el in g.pop(key, []) if (t := text_of(el)) is not None]


def attributes(el: etree._Element) -> dict[str, Any]:
    return {f"@{etree.QName(k).localname}": v for k, v in el.attrib.items()}


def leftovers(g: Groups, skip: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    """What was not mapped, as plain data, so nothing a provider sent is lost."""
    rest: dict[str, Any] = {}
    for key, els in g.items():
        if key not in skip:
            values = [as_data(el) for el in els]
            rest[key] = values[0] if len(values) == 1 else values
    return rest


def as_data(el: etree._Element) -> Any:
    children = leftovers(group_children(el))
    attrs = attributes(el)
    if not children and not attrs:
        return text_of(el)
    if text := text_of(el):
        attrs["#text"] = text
    return {**attrs, **children}
