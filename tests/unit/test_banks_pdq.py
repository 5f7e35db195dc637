"""Plain PDQ lists as ThreatExchange writes them, including the PDQ reference needles."""

from __future__ import annotations

from pathlib import Path

import pytest

from grace.banks import BankEntry, read_pdq_list, write_pdq_list
from shared_data import CONFORMANCE

REPO_ROOT = Path(__file__).resolve().parents[2]
NEEDLES = CONFORMANCE / "pdq" / "reg-test-input" / "needles.txt"
PDQ = "9" * 64


def test_reference_needles() -> None:
    if not NEEDLES.is_file():
        pytest.skip(f"PDQ samples not found at {NEEDLES}")
    bank = read_pdq_list(NEEDLES.read_text(encoding="ascii"))
    assert bank.format == "pdq-list" and bank.warnings == []
    assert len(bank.entries) == 100
    assert bank.entries[0].pdq == (
        "98736629670cc19fc9f23862f66cce1f599e32c78e236c78619d202e9e66c157"
    )


def test_quality_comments_and_bad_lines() -> None:
    text = f"# header\n\n{PDQ.upper()},90\n{PDQ} 100\n{PDQ}\tabc\nnot-a-hash\n{PDQ[:-2]}\n"
    bank = read_pdq_list(text)
    assert [e.extra for e in bank.entries] == [
        {"quality": 90},
        {"quality": 100},
        {"quality": "abc"},
    ]
    assert all(e.pdq == PDQ for e in bank.entries)
    assert [w.split(":")[0] for w in bank.warnings] == ["line 5", "line 6", "line 7"]


def test_round_trip() -> None:
    entries = [BankEntry(pdq=PDQ, extra={"quality": 70}), BankEntry(pdq="0" * 64)]
    assert read_pdq_list(write_pdq_list(entries).decode()).entries == entries
    assert write_pdq_list([BankEntry(md5="0" * 32)]) == b""
