"""Format sniffing: each format is recognised by content; everything else is refused cleanly."""

from __future__ import annotations

import contextlib
import json
import random

import pytest

from grace.banks import BankFormatError, read_bank
from shared_data import CONFORMANCE

VICS = CONFORMANCE / "formats" / "vics" / "NSRL-CAID-MPG.json"
MD5 = "0123456789abcdef0123456789abcdef"


def test_vics_by_content_whatever_the_name() -> None:
    if not VICS.is_file():
        pytest.skip(f"conformance samples not found at {VICS}")
    bank = read_bank(b"\xef\xbb\xbf" + VICS.read_bytes(), "partner.txt")
    assert bank.format == "vics-1.x" and len(bank.entries) == 3


def test_csv_and_pdq_and_utf16() -> None:
    assert read_bank(f"MD5\n{MD5}\n".encode(), "a.json").format == "csv"
    assert read_bank(f"{'a' * 64}\n\n{'b' * 64},50\n".encode(), "x").format == "pdq-list"
    assert read_bank(f"md5\r\n{MD5}\r\n".encode("utf-16"), "w.csv").entries[0].md5 == MD5


def test_scheme_argument_overrides() -> None:
    doc = {"@odata.context": "x", "Media": [{"MD5": MD5, "Category": "b"}]}
    bank = read_bank(json.dumps(doc).encode(), "uk.json", scheme="caid-uk")
    assert bank.entries[0].category is not None and bank.entries[0].category.code == "B"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"  \n", "empty file"),
        (b'{"odata.metadata": "x", "value": [', "invalid JSON"),
        (b'{"a": 1}', "not VICS"),
        (b'{"@odata.context": "x"}', "no value"),
        (b"[1, 2]", "not a VICS object"),
        (b"[" * 100000, "invalid JSON"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not UTF-8"),
        (b"abc\x00def", "binary data"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"hello world\nthis is prose\n", "not a recognised hash set"),
        (b"name,age\nx,1\n", "not a recognised hash set"),
    ],
)
def test_bad_inputs_raise_one_line(data: bytes, reason: str) -> None:
    with pytest.raises(BankFormatError) as caught:
        read_bank(data, "upload.bin")
    message = str(caught.value)
    assert message.startswith("upload.bin: ") and reason in message
    assert "\n" not in message


def test_size_limit() -> None:
    with pytest.raises(BankFormatError, match="exceeds the 10-byte limit"):
        read_bank(b"x" * 11, "big", max_bytes=10)


SEEDS = [
    json.dumps(
        {
            "@odata.context": "x",
            "value": [
                {
                    "Media": [
                        {
                            "MD5": MD5,
                            "Category": 1,
                            "MediaSize": "3",
                            "Tags": "a;b",
                            "IsDistributed": "1",
                            "MediaFiles": [{"FileName": "f", "FilePath": "p"}],
                            "AlternativeHashes": [{"HashName": "PDQ", "HashValue": "a" * 64}],
                        }
                    ]
                }
            ],
        }
    ).encode(),
    f"md5,category,size,tags\n{MD5},1,3,a;b\n".encode(),
    f"{'a' * 64},90\n".encode(),
]


def test_mutated_inputs_never_crash() -> None:
    """Byte-level mutations of valid files: a result or BankFormatError, nothing else."""
    rng = random.Random(7)
    for _ in range(2000):
        data = bytearray(rng.choice(SEEDS))
        for _ in range(rng.randrange(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        with contextlib.suppress(BankFormatError):
            read_bank(bytes(data), "fuzz")
