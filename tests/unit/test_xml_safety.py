"""Hostile XML is refused calmly: one line naming the file and the reason, never a crash."""

from __future__ import annotations

import re

import pytest

import hostile
from grace.ingest.base import IngestError
from grace.ingest.cybertip_xml import CybertipXmlIngestor
from grace.ingest.xml_safety import parse_xml

CASES = {
    "bad-xxe.xml": "entities",
    "bad-laughs.xml": "entities",
    "bad-extdtd.xml": "entities",
    "bad-malformed.xml": "malformed XML: Opening and ending tag mismatch",
    "bad-truncated.xml": "malformed XML",
    "bad-latin1.xml": "encoding",
    "bad-png.xml": "not an XML document",
    "empty.xml": "empty document",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_xml_refused(name: str) -> None:
    with pytest.raises(IngestError) as info:
        parse_xml(hostile.PLAIN[name], name)
    message = str(info.value)
    assert message.startswith(f"{name}: ") and CASES[name] in message
    assert "\n" not in message


@pytest.mark.parametrize("name", sorted(CASES))
def test_ingestor_refuses_too(name: str) -> None:
    with pytest.raises(IngestError, match=re.escape(name)):
        CybertipXmlIngestor().parse(hostile.PLAIN[name], name)


def test_xxe_never_reads_the_file() -> None:
    with pytest.raises(IngestError) as info:
        parse_xml(hostile.PLAIN["bad-xxe.xml"], "x.xml")
    assert "root:" not in str(info.value)


def test_entities_hidden_in_utf16_are_refused() -> None:
    data = hostile.PLAIN["bad-xxe.xml"].decode().replace('"1.0"?', '"1.0" encoding="UTF-16"?')
    with pytest.raises(IngestError, match="entities"):
        parse_xml(data.encode("utf-16"), "u16.xml")


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE report PUBLIC "-//X//DTD X//EN" "x.dtd">',
        b"<!DOCTYPE report [<!ELEMENT report ANY>]>",
    ],
)
def test_any_internal_subset_or_external_id_is_refused(doctype: bytes) -> None:
    with pytest.raises(IngestError, match="entities"):
        parse_xml(b"<?xml version='1.0'?>" + doctype + b"<report/>", "d.xml")


def test_plain_doctype_and_comments_are_fine() -> None:
    root = parse_xml(b"<!DOCTYPE report><!-- hi --><report><!-- c --><a>1</a></report>", "ok")
    assert root.tag == "report" and root.findtext("a") == "1"


def test_size_limit() -> None:
    data = b"<report>" + b" " * 2000 + b"</report>"
    with pytest.raises(IngestError, match="over the limit of 1000"):
        parse_xml(data, "big.xml", max_bytes=1000)
    assert parse_xml(data, "big.xml").tag == "report"


def test_latin1_declared_is_fine_and_wrong_declaration_names_encoding() -> None:
    body = "<report><n>José</n></report>".encode("latin-1")
    root = parse_xml(b'<?xml version="1.0" encoding="ISO-8859-1"?>' + body, "l1.xml")
    assert root.findtext("n") == "José"
    with pytest.raises(IngestError, match=r"l1\.xml: wrong encoding: .*UTF-8"):
        parse_xml(body, "l1.xml")


def test_deep_nesting_is_refused_not_a_crash() -> None:
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    with pytest.raises(IngestError, match=r"deep\.xml"):
        parse_xml(data, "deep.xml")
