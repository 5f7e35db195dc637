"""VICS reading against NIST's real 1.2 exports, synthetic 1.3 / 2.0 documents, and round trips.

The NIST files are read in place from the ``shared`` checkout (never copied), so the counts
and values checked here are those the formats README documents for the producer's output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grace.banks import BankEntry, BankFormatError, Category, read_vics, write_vics2
from grace.banks.vics_write import as_vics2, context_url
from shared_data import CONFORMANCE

REPO_ROOT = Path(__file__).resolve().parents[2]
VICS_DIR = CONFORMANCE / "formats" / "vics"
NIST_COUNTS = {"ART": 1, "MPG": 3, "MOV": 9}
MD5 = "0123456789abcdef0123456789abcdef"
SHA1 = "0123456789abcdef0123456789abcdef01234567"
SHA256 = "ab" * 32
PDQ = "f" * 64


def nist(kind: str) -> bytes:
    path = VICS_DIR / f"NSRL-CAID-{kind}.json"
    if not path.is_file():
        pytest.skip(f"conformance samples not found at {VICS_DIR}")
    return path.read_bytes()


def encode(doc: Any) -> bytes:
    return json.dumps(doc).encode("utf-8")


@pytest.mark.parametrize(("kind", "count"), sorted(NIST_COUNTS.items()))
def test_nist_files_import_with_documented_counts(kind: str, count: int) -> None:
    bank = read_vics(nist(kind))
    assert bank.format == "vics-1.x"
    assert bank.version == "1.2"
    assert bank.metadata["context_key"] == "odata.metadata"
    assert len(bank.entries) == count
    for entry in bank.entries:
        assert entry.media_id == "0"
        assert len(entry.file_names) == 1
        assert entry.category == Category(scheme="projectvic-us", code="8", label=None)
        assert entry.md5 is not None and entry.sha1 is not None and entry.size is not None
        assert entry.extra["odata.id"] == f'Media("{entry.md5}")'
        assert "MediaFiles@odata.navigationLinkUrl" in entry.extra
    # Category 8 is unexplained: one summary warning, no label invented.
    assert bank.warnings == [
        f"category code '8' is not in scheme 'projectvic-us'; "
        f"kept without a label ({count} records)"
    ]


def test_nist_art_values() -> None:
    (entry,) = read_vics(nist("ART")).entries
    assert entry.md5 == "588cd1c0e48916d8e7403310402d0a68"
    assert entry.sha1 == "e65706b487c73e992bab2a50707a9fd8b0bd6866"
    assert entry.size == 488
    assert entry.file_names == [
        "Like a Dragon Gaiden- The Man Who Erased His Name/Content/runtime/media/ylad8/data/"
        "artisan/build2.art"
    ]
    assert list(entry.media_file_extra[0]) == ["Media@odata.navigationLinkUrl"]


@pytest.mark.parametrize("kind", sorted(NIST_COUNTS))
def test_nist_12_to_20_round_trip(kind: str) -> None:
    first = read_vics(nist(kind))
    written = write_vics2(first.entries, {"CaseNumber": "NIST-" + kind})
    doc = json.loads(written)
    assert doc["@odata.context"] == context_url("US")
    assert doc["value"][0]["CaseNumber"] == "NIST-" + kind
    again = read_vics(written)
    assert again.format == "vics-2.0" and again.version == "2.0"
    # the 1.x (OData v3) annotations come back in their 2.0 (OData v4) spelling
    assert again.entries == [as_vics2(entry) for entry in first.entries]
    media = doc["value"][0]["Media"]
    keys = {k for m in media for k in [*m, *(k for f in m.get("MediaFiles", []) for k in f)]}
    assert not {k for k in keys if k.startswith("odata.") or k.endswith("@odata.navigationLinkUrl")}
    assert "@odata.id" in keys and "Media@odata.navigationLink" in keys


SYNTHETIC_20 = {
    "@odata.context": context_url("US"),
    "value": [
        {
            "CaseID": "6d1f9a1e-0000-4000-8000-000000000001",
            "CaseNumber": "SYN-1",
            "Media": [
                {
                    "MediaID": 17,
                    "Category": 1,
                    "MD5": MD5.upper(),
                    "SHA1": SHA1,
                    "PhotoDNA": "QUJD" * 48,
                    "MediaSize": "1024",
                    "IsDistributed": "true",
                    "VictimIdentified": "0",
                    "OffenderIdentified": "yes",
                    "Series": "SER-01",
                    "Tags": "alpha; beta",
                    "DateUpdated": "2024-01-02T03:04:05+01:00",
                    "IsPrecategorized": "false",
                    "MediaFiles": [
                        {
                            "FileName": "a.jpg",
                            "FilePath": "C:\\case\\img",
                            "MD5": MD5,
                            "Deleted": "true",
                        }
                    ],
                },
                {
                    "MediaID": "007",
                    "Category": None,
                    "MD5": "",
                    "SHA1": SHA1.upper(),
                    "Tags": ["x", "y"],
                    "IsDistributed": False,
                },
            ],
        },
        {"CaseID": "second", "Media": [{"MediaID": 3, "Category": "2", "MD5": MD5}]},
    ],
}


def test_synthetic_20_fields() -> None:
    bank = read_vics(encode(SYNTHETIC_20))
    assert bank.format == "vics-2.0" and bank.version == "2.0"
    assert bank.metadata["profile"] == "US"
    assert [c["CaseID"] for c in bank.metadata["cases"]] == [
        "6d1f9a1e-0000-4000-8000-000000000001",
        "second",
    ]
    first, second, third = bank.entries
    assert first.media_id == "17" and first.md5 == MD5
    assert first.category == Category(
        scheme="projectvic-us", code="1", label="category 1: illegal (Project VIC)"
    )
    assert first.photodna == "QUJD" * 48 and first.size == 1024
    assert (first.is_distributed, first.victim_identified, first.offender_identified) == (
        True,
        False,
        True,
    )
    assert first.series == "SER-01" and first.tags == ["alpha", "beta"]
    assert first.file_names == ["C:\\case\\img\\a.jpg"]
    assert first.media_file_extra == [{"Deleted": "true"}]
    assert first.extra == {"DateUpdated": "2024-01-02T03:04:05+01:00", "IsPrecategorized": "false"}
    assert second.media_id == "007" and second.md5 is None and second.sha1 == SHA1
    assert second.category is None and second.tags == ["x", "y"]
    assert third.category is not None and third.category.code == "2"
    assert bank.warnings == []


def test_synthetic_20_round_trip() -> None:
    first = read_vics(encode(SYNTHETIC_20))
    again = read_vics(write_vics2(first.entries))
    assert again.entries == first.entries
    assert read_vics(write_vics2(again.entries)).entries == first.entries


def test_13_alternative_hashes_list_and_object() -> None:
    doc = {
        "odata.metadata": "http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Cases",
        "value": [
            {
                "odata.id": "Case(1)",
                "Media@odata.navigationLinkUrl": "/Case(1)/Media",
                "Media": [
                    {
                        "MD5": MD5,
                        "AlternativeHashes": [
                            {"HashName": "SHA1", "HashValue": SHA1, "MD5": MD5},
                            {"HashName": "PhotoDNA", "HashValue": "AAEC", "MD5": MD5},
                            {"HashName": "SHA256", "HashValue": SHA256.upper()},
                            {"HashName": "PDQ", "HashValue": PDQ},
                            {"HashName": "TMK", "HashValue": "opaque"},
                        ],
                    },
                    {"MD5": MD5, "AlternativeHashes": {"SHA-256": SHA256, "PDQ": "abc"}},
                ],
            }
        ],
    }
    bank = read_vics(encode(doc))
    assert bank.format == "vics-1.x" and bank.version == "1.3"
    assert bank.metadata["entity_set"] == "Cases"
    a, b = bank.entries
    assert (a.sha1, a.photodna, a.sha256, a.pdq) == (SHA1, "AAEC", SHA256, PDQ)
    assert a.alternative_hashes == {"TMK": "opaque"}
    assert b.sha256 == SHA256 and b.pdq is None
    assert b.alternative_hashes == {"PDQ": "abc"}  # invalid: kept verbatim, warned
    assert any("AlternativeHashes[PDQ]" in w for w in bank.warnings)
    assert read_vics(write_vics2(bank.entries)).entries == bank.entries


def test_bad_values_become_warnings_and_survive_round_trip() -> None:
    doc = {
        "@odata.context": context_url("US"),
        "Media": [
            {
                "MD5": "xyz",
                "SHA1": SHA1,
                "MediaSize": "-4",
                "IsDistributed": "maybe",
                "Tags": 5,
                "MediaFiles": "nope",
                "AlternativeHashes": 3,
                "Category": {"x": 1},
            },
        ],
    }
    bank = read_vics(encode(doc))
    (entry,) = bank.entries
    assert entry.md5 is None and entry.size is None and entry.is_distributed is None
    assert set(entry.extra) == {
        "MD5",
        "MediaSize",
        "IsDistributed",
        "Tags",
        "MediaFiles",
        "AlternativeHashes",
        "Category",
    }
    assert len(bank.warnings) == 7
    assert read_vics(write_vics2(bank.entries)).entries == bank.entries


def test_uk_profile_and_mixed_schemes() -> None:
    entries = [
        BankEntry(
            md5=MD5,
            category=Category(scheme="caid-uk", code="B", label="category B: serious (UK CAID)"),
        ),
        BankEntry(
            md5=MD5,
            category=Category(
                scheme="projectvic-us", code="0", label="category 0: non-pertinent (Project VIC)"
            ),
        ),
    ]
    written = write_vics2(entries, scheme="caid-uk")
    doc = json.loads(written)
    assert doc["@odata.context"] == context_url("UK")
    assert "CategoryScheme" not in doc["value"][0]["Media"][0]
    assert doc["value"][0]["Media"][1]["CategoryScheme"] == "projectvic-us"
    assert read_vics(written).entries == entries


def test_programmatic_entries_round_trip() -> None:
    entry = BankEntry(
        md5=MD5,
        sha256=SHA256,
        pdq=PDQ,
        file_names=["x/y.png", "z.png", "a/"],
        alternative_hashes={"Custom": "1"},
        extra={"Comments": ["n", 1]},
    )
    assert read_vics(write_vics2([entry])).entries == [entry]


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"value": []},
        {"@odata.context": context_url("US")},
        {"@odata.context": context_url("US"), "value": {"not": "a list"}},
    ],
)
def test_not_vics_raises(doc: Any) -> None:
    with pytest.raises(BankFormatError):
        read_vics(encode(doc))


def test_invalid_json_raises_one_line() -> None:
    with pytest.raises(BankFormatError, match=r"invalid JSON: .* line 1 column"):
        read_vics(b'{"odata.metadata": ')


def test_empty_value_is_an_empty_bank_with_warning() -> None:
    bank = read_vics(encode({"@odata.context": context_url("US"), "value": []}))
    assert bank.entries == [] and bank.warnings == ["no Media records"]
