"""Packages, VICS and queue CSV against the real database, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from export_data import KNOWN, NEW_A, NEW_B, populate
from grace.banks import read_vics
from grace.exports import QUEUE_COLUMNS, build_package, queue_csv, verify_package
from grace.exports.selection import ExportError
from grace.exports.vics import vics_entries, write_vics_export
from grace.media.analyse import analyse_bytes
from grace.store.intel_tables import Decision
from grace.store.tables import AuditEvent, Custody
from grace.vault.verify import verify_vault
from grace.workspace import Workspace


def _zip_bytes(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_package_round_trip_audit_and_custody(workspace: Workspace, tmp_path: Path) -> None:
    data = populate(workspace, tmp_path)
    with workspace.sessions() as session:
        custody_before = session.scalar(select(func.count()).select_from(Custody))
    out = tmp_path / "out" / "pkg.zip"
    out.parent.mkdir()
    result = build_package(workspace, [data.de], actor="test:alice", out=out)
    assert result.path == out.resolve() and out.exists()
    assert not list(out.parent.glob(".*.tmp"))  # the temporary file was renamed away
    assert verify_package(out).ok
    members = _zip_bytes(out)
    assert (
        NEW_A in members.values()
        and KNOWN not in members.values()
        and NEW_B not in members.values()
    )
    manifest = json.loads(members["manifest.json"])
    assert manifest["creator"] == "test:alice"
    assert manifest["workspace_id"] == workspace.settings["workspace_id"]
    document = json.loads(members[f"referrals/{data.de}.json"])
    assert document["external_id"] == "DE-1" and document["routing"]["agency"] == data.de_agency
    assert document["priority_explanation"]["factors"]
    assert {"kind": "email", "value": "de-1@example.com"}.items() <= next(
        i for i in document["identifiers"] if i["kind"] == "email"
    ).items()
    with workspace.sessions() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "export").order_by(AuditEvent.seq)
        ).all()
        assert session.scalar(select(func.count()).select_from(Custody)) == custody_before
        assert verify_vault(session, workspace.vault).ok
        assert workspace.audit.verify(session).ok
    package_event, referral_event = events
    assert (package_event.object_type, package_event.object_id) == (
        "export_package",
        result.package_id,
    )
    assert package_event.actor == "test:alice"
    assert package_event.details["manifest_sha256"] == result.manifest_sha256
    assert package_event.details["files"] == 1 and package_event.details["excluded"] == 1
    assert (referral_event.object_type, referral_event.object_id) == ("referral", str(data.de))


def test_selection_all_files_and_file_ids(workspace: Workspace, tmp_path: Path) -> None:
    data = populate(workspace, tmp_path)
    everything = build_package(workspace, [data.de], actor="t", all_files=True)
    assert everything.files == 2 and everything.excluded == 0
    assert KNOWN in _zip_bytes(everything.path).values()
    picked = build_package(workspace, [data.de, data.fr], actor="t", file_ids=[data.known_file])
    members = _zip_bytes(picked.path)
    assert picked.files == 1 and KNOWN in members.values() and NEW_A not in members.values()
    assert json.loads(members["manifest.json"])["selection"]["mode"] == "file_ids"
    with pytest.raises(ExportError, match=r"^no referral with id 999$"):
        build_package(workspace, [data.de, 999], actor="t")
    with pytest.raises(ExportError, match=r"^no referrals given$"):
        build_package(workspace, [], actor="t")
    with pytest.raises(ExportError, match="not in these referrals"):
        build_package(workspace, [data.fr], actor="t", file_ids=[data.known_file])
    assert not list((workspace.home / "exports").glob(".*"))


def _decide(workspace: Workspace, referral_id: int, data: dict[str, object]) -> None:
    with workspace.sessions.begin() as session:
        session.add(
            Decision(
                referral_id=referral_id,
                label="actionable",
                actor="t",
                at=datetime.now(UTC),
                notes=None,
                data=data,
            )
        )


def test_vics_keeps_bank_and_analyst_categories(workspace: Workspace, tmp_path: Path) -> None:
    data = populate(workspace, tmp_path)
    known_md5, new_md5 = analyse_bytes(KNOWN).md5, analyse_bytes(NEW_A).md5
    with workspace.sessions() as session:
        before = read_vics(write_vics_export(vics_entries(session)))
    (bank,) = before.entries
    assert bank.md5 == known_md5 and bank.size == len(KNOWN)
    assert bank.category and (bank.category.scheme, bank.category.code) == ("projectvic-us", "1")
    assert bank.tags == ["grace:bank:known-set"]
    _decide(workspace, data.de, {"categories": {str(data.new_file): "2"}})  # by file id
    # what the desk's decision API records; a later analyst grading overrides the bank's
    _decide(workspace, data.de, {"media_categories": {analyse_bytes(KNOWN).sha256: "4"}})
    with workspace.sessions() as session:
        parsed = read_vics(write_vics_export(vics_entries(session)))
    assert parsed.format == "vics-2.0" and not parsed.warnings
    by_hash = {e.md5: e for e in parsed.entries}
    known, graded = by_hash[known_md5], by_hash[new_md5]
    assert known.category and known.category.code == "4" and known.tags == ["grace:analyst"]
    assert graded.category and graded.category.code == "2" and graded.tags == ["grace:analyst"]
    assert graded.sha256 and graded.sha1 and graded.pdq and graded.size == len(NEW_A)
    assert analyse_bytes(NEW_B).md5 not in by_hash  # uncategorised media are not exported


def test_queue_csv_columns_order_and_agency(workspace: Workspace, tmp_path: Path) -> None:
    data = populate(workspace, tmp_path)
    with workspace.sessions() as session:
        rows = list(csv.DictReader(io.StringIO("".join(queue_csv(session)))))
        only_de = list(csv.DictReader(io.StringIO("".join(queue_csv(session, data.de_agency)))))
    assert rows and tuple(rows[0]) == QUEUE_COLUMNS
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert {int(r["id"]) for r in rows} == {data.de, data.fr}
    de = next(r for r in rows if int(r["id"]) == data.de)
    assert (de["media_known"], de["media_new"], de["agency"]) == ("1", "1", data.de_agency)
    assert de["top_factors"]
    assert [int(r["id"]) for r in only_de] == [data.de]
