"""Hash banks in the workspace: import, idempotence, export round trip, on every backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from grace.banks import read_bank
from grace.banks.repository import (
    BankError,
    BankKind,
    bank_entries,
    export_bank,
    import_bank,
    list_banks,
)
from grace.banks.vics_write import as_vics2
from grace.workspace import Workspace
from shared_data import CONFORMANCE

VICS = CONFORMANCE / "formats" / "vics"
NEEDLES = VICS.parents[1] / "pdq" / "reg-test-input" / "needles.txt"


def _import(workspace: Workspace, path: Path, name: str, kind: BankKind | None = None) -> int:
    result = import_bank(workspace, path.read_bytes(), str(path), name=name, kind=kind, actor="t")
    return result.entries


def test_nist_vics_files_import_with_their_counts(workspace: Workspace) -> None:
    if not VICS.exists():
        pytest.skip("shared conformance data not present")
    counts = {p.name: _import(workspace, p, "nist") for p in sorted(VICS.glob("*.json"))}
    assert counts == {"NSRL-CAID-ART.json": 1, "NSRL-CAID-MOV.json": 9, "NSRL-CAID-MPG.json": 3}
    with workspace.sessions() as session:
        banks = list_banks(session)
        art = [
            e for e in bank_entries(session, "nist") if e.md5 == "588cd1c0e48916d8e7403310402d0a68"
        ]
    assert banks[0]["entries"] == 13 and banks[0]["imports"] == 3
    assert art[0].sha1 == "e65706b487c73e992bab2a50707a9fd8b0bd6866" and art[0].size == 488


def test_reimport_changes_nothing_and_kind_conflicts_are_refused(workspace: Workspace) -> None:
    if not NEEDLES.exists():
        pytest.skip("shared conformance data not present")
    assert _import(workspace, NEEDLES, "memes", BankKind.VIRAL) == 100
    again = import_bank(workspace, NEEDLES.read_bytes(), "n", name="memes", actor="t")
    assert again.already_imported and again.kind == "viral"
    with pytest.raises(BankError, match="viral bank"):
        _import(workspace, NEEDLES, "memes", BankKind.SUPPRESSION)
    with workspace.sessions() as session:
        assert list_banks(session)[0]["entries"] == 100


def test_export_round_trip_loses_nothing(workspace: Workspace) -> None:
    if not VICS.exists():
        pytest.skip("shared conformance data not present")
    for path in sorted(VICS.glob("*.json")):
        _import(workspace, path, "nist")
    with workspace.sessions() as session:
        original = bank_entries(session, "nist")
        for fmt in ("vics", "csv"):
            exported = export_bank(session, "nist", fmt)
            # VICS 2.0 spells the 1.x OData annotations its own way (odata.id -> @odata.id)
            expected = [as_vics2(e) for e in original] if fmt == "vics" else original
            assert read_bank(exported, f"export.{fmt}").entries == expected
