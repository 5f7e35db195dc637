"""Ingest through the real pipeline, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from builders import le_json, write_grace_bundle
from grace.ingest.pipeline import IngestPipeline
from grace.referrals import list_referrals, referral_detail
from grace.store import tables as t
from grace.vault.verify import verify_vault
from grace.workspace import Workspace
from hostile import build_hostile_inputs


def _count(workspace: Workspace, table: type[t.Base]) -> int:
    with workspace.sessions() as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_folders_and_zips_ingest_with_media_custody_and_audit(
    workspace: Workspace, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in range(4):
        write_grace_bundle(inbox, n, images=2, as_zip=n % 2 == 1)
    report = IngestPipeline(workspace, actor="tester").run([inbox])
    assert report.ok, [o.reason for o in report.outcomes]
    assert report.count("ingested") == 4
    with workspace.sessions() as session:
        rows = list_referrals(session)
        first = next(r for r in rows if r["external_id"] == "T-00000")
        detail = referral_detail(session, first["id"])
    assert len(rows) == 4
    assert first["escalated"] is True  # the builder escalates T-00000 only
    assert [r["escalated"] for r in rows].count(True) == 1
    assert detail is not None
    assert [f["sha256"] is not None for f in detail["files"]] == [True, True]
    roles = sorted(c["role"] for c in detail["custody"])
    assert roles == ["document", "media", "media"]
    assert detail["referral"]["parties"][0]["emails"] == ["user0@example.com"]
    assert _count(workspace, t.ReferralFile) == 8
    assert _count(workspace, t.VaultObject) == 4 + 8
    assert _count(workspace, t.AuditEvent) == 4
    with workspace.sessions() as session:
        assert verify_vault(session, workspace.vault).ok
        assert workspace.audit.verify(session).ok


def test_reingest_is_idempotent(workspace: Workspace, tmp_path: Path) -> None:
    bundle = write_grace_bundle(tmp_path, 7, images=1, as_zip=True)
    first = IngestPipeline(workspace).run([bundle])
    second = IngestPipeline(workspace).run([bundle, bundle])
    assert first.count("ingested") == 1
    assert [o.status for o in second.outcomes] == ["already_present", "already_present"]
    assert second.outcomes[0].referral_id == first.outcomes[0].referral_id
    assert _count(workspace, t.Referral) == 1
    assert _count(workspace, t.ReferralFile) == 1
    assert _count(workspace, t.Custody) == 2


def test_same_media_in_two_referrals_is_stored_once(workspace: Workspace, tmp_path: Path) -> None:
    from builders import drawn_png

    for report_id in ("A-1", "A-2"):
        folder = tmp_path / "in" / report_id
        folder.mkdir(parents=True)
        (folder / "report.json").write_bytes(le_json(report_id, "pic.png"))
        (folder / "pic.png").write_bytes(drawn_png(3))
    report = IngestPipeline(workspace).run([tmp_path / "in"])
    assert report.count("ingested") == 2
    assert _count(workspace, t.VaultObject) == 3  # two documents, one picture
    assert _count(workspace, t.Custody) == 4  # but four receipts


def test_declared_hash_mismatch_is_a_warning(workspace: Workspace, tmp_path: Path) -> None:
    from builders import drawn_png

    folder = tmp_path / "r"
    folder.mkdir()
    doc = le_json("H-1", "pic.png").replace(
        b'"originalFilename"', b'"verificationHash": "' + b"0" * 32 + b'", "originalFilename"'
    )
    (folder / "report.json").write_bytes(doc)
    (folder / "pic.png").write_bytes(drawn_png(4))
    outcome = IngestPipeline(workspace).run([folder]).outcomes[0]
    assert outcome.status == "ingested"
    assert any("does not match" in w for w in outcome.warnings)


def test_hostile_batch_quarantines_bad_and_keeps_good(workspace: Workspace, tmp_path: Path) -> None:
    hostile = build_hostile_inputs(tmp_path / "hostile")
    good_dir = tmp_path / "good"
    good_dir.mkdir()
    good = [write_grace_bundle(good_dir, n, images=1, as_zip=n % 2 == 0) for n in range(3)]
    batch: list[Path] = []
    for i, path in enumerate(hostile.values()):
        batch.append(path)
        if i < len(good):
            batch.append(good[i])
    report = IngestPipeline(workspace, actor="tester").run(batch)
    assert not report.ok
    assert report.count("ingested") == 3
    quarantined = [o for o in report.outcomes if o.status == "quarantined"]
    for name, path in hostile.items():
        hits = [o for o in quarantined if o.source.startswith(str(path))]
        assert hits, f"{name} was not quarantined"
        for outcome in hits:
            assert outcome.reason and "\n" not in outcome.reason
    assert _count(workspace, t.Quarantine) == len(quarantined)
    with workspace.sessions() as session:
        assert workspace.audit.verify(session).ok
        actions = session.scalars(select(t.AuditEvent.action)).all()
    assert actions.count("ingest") == 3
    assert actions.count("quarantine") == len(quarantined)


def test_the_workspace_itself_is_never_ingested(workspace: Workspace) -> None:
    report = IngestPipeline(workspace).run([workspace.home, workspace.home.parent])
    assert [o.status for o in report.outcomes] == ["quarantined", "quarantined"]
    assert "workspace" in (report.outcomes[0].reason or "")
