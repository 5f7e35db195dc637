"""CSV hash sets: header aliases, delimiters, BOM, unknown columns and a lossless round trip."""

from __future__ import annotations

import pytest

from grace.banks import BankEntry, BankFormatError, Category, read_csv, write_csv
from grace.banks.csvfmt import column_for

MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32
PDQ = "f" * 64


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("MD5", "md5"),
        ("SHA-1", "sha1"),
        ("sha_256", "sha256"),
        ("SHA256", "sha256"),
        ("PDQ Hash", "pdq"),
        ("pdq_hash", "pdq"),
        ("pdqhash", "pdq"),
        ("PhotoDNA", "photodna"),
        ("Media ID", "media_id"),
        ("MediaSize", "size"),
        ("File Name", "file_names"),
        ("Tags", "tags"),
        ("Category", "category"),
        ("scheme", "scheme"),
        ("quality", None),
        ("notes", None),
    ],
)
def test_header_aliases(header: str, column: str | None) -> None:
    assert column_for(header) == column


def test_read_fields_and_unknown_columns() -> None:
    text = (
        "\ufeff# exported by a partner\n"
        f"Media ID,Category,SHA-256,PDQ Hash,quality,MD5,Size,Tags,Series,Is Distributed,notes\n"
        f"5,1,{SHA256.upper()},{PDQ},90,{MD5},12,a; b,S1,yes,hello\n"
        "\n"
        f"6,,,,,{MD5},,,,,\n"
    )
    bank = read_csv(text.lstrip("\ufeff"))
    assert bank.format == "csv" and bank.warnings == []
    first, second = bank.entries
    assert first.media_id == "5" and first.sha256 == SHA256 and first.pdq == PDQ
    assert first.category == Category(
        scheme="projectvic-us", code="1", label="category 1: illegal (Project VIC)"
    )
    assert first.size == 12 and first.tags == ["a", "b"] and first.series == "S1"
    assert first.is_distributed is True
    assert first.extra == {"quality": "90", "notes": "hello"}
    assert second.category is None and second.extra == {}


def test_semicolon_delimiter_and_scheme_column() -> None:
    bank = read_csv(f"md5;category;scheme\n{MD5};a;caid-uk\n{MD5};9;\n")
    assert bank.metadata["delimiter"] == ";"
    uk, us = bank.entries
    assert uk.category == Category(
        scheme="caid-uk", code="A", label="category A: most serious (UK CAID)"
    )
    assert us.category == Category(scheme="projectvic-us", code="9", label=None)
    assert bank.warnings == [
        "category code '9' is not in scheme 'projectvic-us'; kept without a label (1 records)"
    ]


def test_bad_cells_warn_with_line_numbers_and_round_trip() -> None:
    text = f"md5,sha1,size\nnothex,{SHA1},x\n{MD5},{SHA1[:-1]},3,extra-cell\n"
    bank = read_csv(text)
    assert [w.split(":")[0] for w in bank.warnings] == ["line 2", "line 2", "line 3", "line 3"]
    first, second = bank.entries
    assert first.md5 is None and first.extra == {"md5": "nothex", "size": "x"}
    assert second.sha1 is None and second.extra == {"sha1": SHA1[:-1]}
    assert read_csv(write_csv(bank.entries).decode()).entries == bank.entries


def test_round_trip_every_field() -> None:
    entries = [
        BankEntry(
            media_id="1",
            md5=MD5,
            sha1=SHA1,
            sha256=SHA256,
            pdq=PDQ,
            photodna="AAEC",
            size=5,
            is_distributed=False,
            series="S, with comma",
            victim_identified=True,
            offender_identified=False,
            tags=["t1", "t2"],
            file_names=["a/b.jpg", "c.png"],
            category=Category(
                scheme="caid-uk", code="C", label="category C: other indecent (UK CAID)"
            ),
            alternative_hashes={"TMK": "zz"},
            extra={"quality": "80", "note": 'q"uote'},
        ),
        BankEntry(md5=MD5, extra={"other": "x"}),
    ]
    text = write_csv(entries).decode()
    again = read_csv(text)
    assert again.entries == entries and again.warnings == []
    assert read_csv(write_csv(again.entries).decode()).entries == entries


def test_no_hash_header_raises() -> None:
    with pytest.raises(BankFormatError, match="no CSV header"):
        read_csv("name,age\nx,1\n")
