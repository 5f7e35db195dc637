"""Media processing survives a crash: unfinished work is withheld, and a re-run finishes it.

A crashed run is reproduced exactly as it leaves the database: the analysis of every item
committed (stage 1), nothing matched. On SQLite and PostgreSQL alike, the desk must then
refuse every item (thumbnail and reveal 403, the wall withholds them), and the next run
must match them and give every file its status, equal to a run that never crashed.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from builders import encoded, textured_image, write_media_referral
from grace.accounts.users import add_user
from grace.banks.repository import BankKind, import_bank
from grace.desk.wall import wall_items
from grace.ingest.pipeline import IngestPipeline
from grace.media.process import MediaProcessor, ProcessReport, _pending
from grace.store.db import alembic_config
from grace.store.media_tables import Media, MediaMatch
from grace.store.tables import Referral, ReferralFile
from grace.web import create_app
from grace.workspace import Workspace

os.environ["GRACE_PASSWORD_HASH_PROFILE"] = "test"
PASSWORD = "benign-test-password"
KNOWN = encoded(textured_image(41), quality=90)
NEW = encoded(textured_image(42, (640, 480)), quality=90)
SHA_KNOWN = hashlib.sha256(KNOWN).hexdigest()
SHA_NEW = hashlib.sha256(NEW).hexdigest()


def _prepare(workspace: Workspace, inbox: Path) -> None:
    md5 = hashlib.md5(KNOWN, usedforsecurity=False).hexdigest()
    bank = f"md5,category\n{md5},1\n".encode()
    import_bank(workspace, bank, "k.csv", name="known-set", kind=BankKind.KNOWN, actor="t")
    write_media_referral(inbox, "R-1", {"k.jpg": KNOWN, "n.jpg": NEW})
    assert IngestPipeline(workspace).run([inbox]).ok
    with workspace.sessions.begin() as session:
        session.scalars(select(Referral)).one().agency = "nl-police"
        add_user(session, "ana", PASSWORD, "analyst", "nl-police")


def _crash_after_analysis(workspace: Workspace) -> None:
    """What a run SIGKILLed after committing its analysis leaves behind."""
    processor = MediaProcessor(workspace, "t", workers=1)
    with workspace.sessions() as session:
        pending = _pending(session)
    for chunk in processor._analysed(pending):
        processor._store(chunk, ProcessReport())


def _client(workspace: Workspace) -> tuple[TestClient, str]:
    client = TestClient(create_app(workspace))
    login = client.post("/api/v1/auth/login", json={"username": "ana", "password": PASSWORD})
    assert login.status_code == 200, login.text
    return client, str(login.json()["csrf_token"])


def _desk(workspace: Workspace) -> dict[str, tuple[int, int, bool]]:
    """Per item: thumbnail status, reveal status, and whether the wall hides it."""
    client, csrf = _client(workspace)
    with workspace.sessions() as session:
        referral_id = session.scalars(select(Referral.id)).one()
        hidden = {i.sha256: i.hidden for i in wall_items(session, referral_id)}
    return {
        sha: (
            client.get(f"/api/v1/media/{sha}/thumbnail").status_code,
            client.post(
                f"/api/v1/media/{sha}/reveal", json={}, headers={"X-CSRF-Token": csrf}
            ).status_code,
            hidden[sha],
        )
        for sha in (SHA_KNOWN, SHA_NEW)
    }


def _outcome(workspace: Workspace) -> tuple[dict[str, str | None], Counter[tuple[str, str]]]:
    with workspace.sessions() as session:
        rows = session.execute(select(ReferralFile.sha256, ReferralFile.media_status)).all()
        statuses = {str(sha): status for sha, status in rows}
        matches = Counter(
            (sha, method)
            for sha, method in session.execute(
                select(Media.sha256, MediaMatch.method).join(
                    Media, Media.id == MediaMatch.media_id
                )
            )
        )
    return statuses, matches


def test_unmatched_items_are_withheld_until_a_rerun_matches_them(
    workspace: Workspace, tmp_path: Path
) -> None:
    _prepare(workspace, tmp_path / "in")
    refused = (403, 403, True)
    assert _desk(workspace) == {SHA_KNOWN: refused, SHA_NEW: refused}  # ingested, not analysed

    _crash_after_analysis(workspace)
    assert _desk(workspace) == {SHA_KNOWN: refused, SHA_NEW: refused}  # analysed, unmatched
    statuses, matches = _outcome(workspace)
    assert statuses == {SHA_KNOWN: None, SHA_NEW: None} and not matches

    report = MediaProcessor(workspace, "t", workers=1).run()
    assert report.analysed == 0 and report.matches == 1  # nothing analysed twice
    assert _desk(workspace) == {SHA_KNOWN: refused, SHA_NEW: (200, 200, False)}
    statuses, matches = _outcome(workspace)
    assert statuses == {SHA_KNOWN: "known", SHA_NEW: "new"}
    assert matches == Counter({(SHA_KNOWN, "md5"): 1})

    again = MediaProcessor(workspace, "t", workers=1).run()  # nothing left: changes nothing
    assert (again.analysed, again.matches) == (0, 0)
    assert _outcome(workspace) == (statuses, matches)


def test_a_later_referral_with_an_item_already_matched_gets_its_status(
    workspace: Workspace, tmp_path: Path
) -> None:
    _prepare(workspace, tmp_path / "in")
    MediaProcessor(workspace, "t", workers=1).run()
    write_media_referral(tmp_path / "later", "R-2", {"again.jpg": KNOWN, "copy.jpg": NEW})
    assert IngestPipeline(workspace).run([tmp_path / "later"]).ok
    report = MediaProcessor(workspace, "t", workers=1).run()
    assert report.analysed == 0 and report.referrals == 1
    with workspace.sessions() as session:
        later = session.scalars(select(Referral).where(Referral.external_id == "R-2")).one()
        files = {f.sha256: f.media_status for f in later.files}
        assert files == {SHA_KNOWN: "known", SHA_NEW: "duplicate"}
        assert later.media_counts and later.media_counts["known"] == 1


def test_upgrading_marks_finished_items_and_leaves_a_crashed_runs_items_to_the_next(
    workspace: Workspace, tmp_path: Path
) -> None:
    _prepare(workspace, tmp_path / "in")
    MediaProcessor(workspace, "t", workers=1).run()
    finished = _outcome(workspace)
    config = alembic_config(workspace.engine)
    command.downgrade(config, "0009")
    with workspace.engine.begin() as conn:  # as the old code left an item a crash cut short
        conn.execute(
            text("UPDATE referral_files SET media_status = NULL WHERE sha256 = :s"), {"s": SHA_NEW}
        )
    command.upgrade(config, "head")
    with workspace.sessions() as session:
        marked = dict(session.execute(select(Media.sha256, Media.matched_at)).tuples().all())
    assert marked[SHA_KNOWN] is not None and marked[SHA_NEW] is None
    MediaProcessor(workspace, "t", workers=1).run()
    assert _outcome(workspace) == finished  # the known item's match is not stored twice
