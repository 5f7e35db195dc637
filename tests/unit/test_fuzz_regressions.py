"""Inputs the atheris fuzzers (tests/fuzz) crashed a parser with, each fixed and kept here.

Each inline case is the crashing input cut down by hand; it fails on the code before its
fix. Every saved input under ``tests/fuzz/regressions/<target>/`` is also replayed through
the same check the fuzzer applies, so a crash file dropped there becomes a test.
"""

from __future__ import annotations

import struct
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[1] / "fuzz"
sys.path.insert(0, str(FUZZ))

from sqlalchemy import select  # noqa: E402
from targets import checks  # noqa: E402

from builders import grace_referral  # noqa: E402
from grace.banks import read_bank, write_vics2  # noqa: E402
from grace.ingest.assemble import Unit, assemble  # noqa: E402
from grace.ingest.cybertip_xml import CybertipXmlIngestor  # noqa: E402
from grace.ingest.grace_json import GraceJsonIngestor  # noqa: E402
from grace.ingest.inputs import Bundle, Member, open_inputs  # noqa: E402
from grace.ingest.ncmec_le_json import NcmecLeJsonIngestor  # noqa: E402
from grace.ingest.persist import prepare  # noqa: E402
from grace.ingest.pipeline import IngestPipeline  # noqa: E402
from grace.media.decode import MediaError, decode_media  # noqa: E402
from grace.model import Referral  # noqa: E402
from grace.model.times import parse_utc  # noqa: E402
from grace.store.tables import IpEvent as IpEventRow  # noqa: E402
from grace.workspace import Workspace  # noqa: E402

SAVED = sorted((FUZZ / "regressions").glob("*/*"))


def test_malformed_reporter_url_costs_only_the_esp_name() -> None:
    """urlsplit raised ValueError("Invalid IPv6 URL"), which assemble does not catch:
    one ESP report with a broken legalURL stopped the whole ingest batch."""
    xml = (
        b"<report><reportId>9001</reportId><reporter><legalURL>http://[x</legalURL>"
        b"</reporter></report>"
    )
    referral = CybertipXmlIngestor().parse(xml, "report.xml")
    assert isinstance(referral, Referral)
    assert referral.external_id == "9001" and referral.esp_name is None
    units, problems = assemble(Bundle("tip", {"report.xml": Member.from_bytes("report.xml", xml)}))
    assert [u.referral.external_id for u in units] == ["9001"] and problems == []


def test_lone_surrogate_escape_is_replaced_so_the_referral_can_be_stored() -> None:
    """json decodes "\\ud800" into a str that SQLite and PostgreSQL refuse (not UTF-8)."""
    doc = (
        b'{"reportId": "77", "reportedInformation": {"reportingEsp": '
        b'{"espName": "Chat\\ud800App", "firstName": "A\\udc00"}}}'
    )
    referral = NcmecLeJsonIngestor().parse(doc, "report.json")
    assert isinstance(referral, Referral)
    assert referral.esp_name == "Chat\ufffdApp"
    prepared = prepare(Unit(referral, "tip", "report.json", doc), "test")
    prepared.referral["data"]["esp_name"].encode("utf-8")
    assert prepared.parties[0][0]["data"]["first_name"] == "A\ufffd"


def test_a_valid_surrogate_pair_is_kept() -> None:
    doc = b'{"reportId": "78", "reportedInformation": {"reportingEsp": '
    doc += b'{"espName": "\\ud83d\\ude00"}}}'
    referral = NcmecLeJsonIngestor().parse(doc, "report.json")
    assert isinstance(referral, Referral) and referral.esp_name == "\U0001f600"


def test_time_past_year_one_in_utc_is_unreadable_not_a_crash() -> None:
    """parse_utc raised OverflowError: persist.prepare runs outside any handler in ingest."""
    assert parse_utc("0001-01-01T00:00:00+01:00") is None
    assert parse_utc("9999-12-31T23:59:59-01:00") is None
    assert parse_utc("2026-10-01T12:00:00+02:00") == datetime(2026, 10, 1, 10, tzinfo=UTC)
    doc = b'{"source_format": "grace_json", "received_at": "0001-01-01T00:00:00+01:00"}'
    referral = GraceJsonIngestor().parse(doc, "r.json")
    assert isinstance(referral, Referral)
    prepared = prepare(Unit(referral, "tip", "r.json", doc), "test")
    assert prepared.referral["received_at"].year >= 2026  # unreadable: the arrival time


def test_zip_entry_with_an_empty_name_is_refused_not_raised(tmp_path: Path) -> None:
    """ZipInfo.is_dir() indexes filename[-1]: an empty name raised IndexError out of
    open_inputs, which the ingest pipeline iterates without a handler."""
    archive = tmp_path / "tip.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x", b"lorem")
        zf.writestr("good.txt", b"ipsum")
    archive.write_bytes(_empty_first_name(archive.read_bytes()))
    [bundle] = list(open_inputs([archive]))
    assert isinstance(bundle, Bundle)
    assert list(bundle.members) == ["good.txt"]
    assert [p.reason for p in bundle.problems] == ["empty name"]


def _empty_first_name(data: bytes) -> bytes:
    """The zip with its first entry's one-character name removed from both headers."""
    out = bytearray(data)
    for header, length_at, name_at in ((b"PK\x03\x04", 26, 30), (b"PK\x01\x02", 28, 46)):
        at = out.index(header)
        assert struct.unpack_from("<H", out, at + length_at)[0] == 1
        struct.pack_into("<H", out, at + length_at, 0)
        del out[at + name_at]
    end = out.index(b"PK\x05\x06")  # the central directory moved up by one byte
    directory_at = struct.unpack_from("<I", out, end + 16)[0]
    struct.pack_into("<I", out, end + 16, directory_at - 1)
    size = struct.unpack_from("<I", out, end + 12)[0]
    struct.pack_into("<I", out, end + 12, size - 1)
    return bytes(out)


def test_heif_that_grows_while_decoding_is_a_media_error() -> None:
    """pillow-heif raised RuntimeError (libheif's security limit) past decode_media's
    handler: one hostile upload stopped media processing."""
    data = (FUZZ / "regressions/decode/crash-7551388dcf06929dcc4c7e75d1728130105023c0")
    with pytest.raises(MediaError):
        decode_media(data.read_bytes(), colour=False)


def test_vics_lone_surrogate_is_replaced_so_the_set_can_be_stored_and_exported() -> None:
    """write_vics2 (and the bank_entries row) raised UnicodeEncodeError on "\\udc00"."""
    doc = (
        b'{"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml'
        b'/US/$metadata#Cases", "value": [{"MD5": "d41d8cd98f00b204e9800998ecf8427e",'
        b' "Series": "x\\udc00", "Extra\\ud800": 1}]}'
    )
    parsed = read_bank(doc, "set.json")
    [entry] = parsed.entries
    assert entry.series == "x\ufffd" and entry.extra == {"Extra\ufffd": 1}
    write_vics2(parsed.entries).decode("utf-8")


def test_csv_byte_count_past_64_bits_is_a_warning_not_a_failed_import() -> None:
    """A 90-digit MediaSize reached the BIGINT column and failed the whole import."""
    md5 = "d41d8cd98f00b204e9800998ecf8427e"
    parsed = read_bank(f"md5,size\n{md5},{'9' * 90}\n{md5},488\n".encode(), "set.csv")
    assert [e.size for e in parsed.entries] == [None, 488]
    assert any("size" in w and "kept verbatim" in w for w in parsed.warnings)
    assert read_bank(f"md5,size\n{md5},{2**63 - 1}\n".encode(), "s.csv").entries[0].size


def test_port_past_64_bits_does_not_stop_the_ingest(tmp_path: Path) -> None:
    """SQLite raised OverflowError on the ip_events.port column, outside the pipeline's
    handlers: one referral with a 21-digit port stopped the whole ingest."""
    referral = grace_referral(5, [])
    referral.parties[0].ip_events[0].port = 10**20
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r.json").write_text(referral.model_dump_json(exclude_none=True))
    workspace = Workspace.init(tmp_path / "home")
    try:
        report = IngestPipeline(workspace).run([inbox])
        assert [o.status for o in report.outcomes] == ["ingested"]
        with workspace.sessions() as session:
            assert session.scalars(select(IpEventRow.port)).all() == [None]
    finally:
        workspace.close()


@pytest.mark.parametrize("path", SAVED, ids=[f"{p.parent.name}/{p.name[:12]}" for p in SAVED])
def test_saved_fuzz_input_passes_its_check(path: Path, tmp_path: Path) -> None:
    checks(tmp_path)[path.parent.name](path.read_bytes())
