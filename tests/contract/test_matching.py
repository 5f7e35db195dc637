"""Media processing and matching end to end, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from builders import encoded, textured_image, write_media_referral
from grace.banks.repository import BankKind, import_bank
from grace.ingest.pipeline import IngestPipeline
from grace.matching.indexes import WorkspaceIndexes
from grace.matching.matcher import Matcher, Query
from grace.media.analyse import analyse_bytes
from grace.media.process import MediaProcessor, query_of
from grace.store.media_tables import Media
from grace.store.tables import Referral, ReferralFile
from grace.workspace import Workspace

FLAT = Image.new("RGB", (200, 200), (120, 120, 120))


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, bytes]:
    base = textured_image(1)
    return {
        "original": encoded(base, quality=92),
        "resized": encoded(base.resize((240, 180)), quality=80),
        "rotated": encoded(base.transpose(Image.Transpose.ROTATE_90), quality=90),
        "other": encoded(textured_image(2)),
        "known": encoded(textured_image(3)),
        "meme": encoded(textured_image(4)),
        "flat": encoded(FLAT, "PNG"),
    }


def _statuses(workspace: Workspace) -> dict[str, list[str]]:
    with workspace.sessions() as session:
        rows = session.execute(
            select(Referral.external_id, ReferralFile.media_status)
            .join(ReferralFile, ReferralFile.referral_id == Referral.id)
            .order_by(Referral.id, ReferralFile.id)
        ).all()
    found: dict[str, list[str]] = {}
    for report, status in rows:
        found.setdefault(report or "", []).append(status)
    return found


def _bank(workspace: Workspace, name: str, kind: BankKind, text: str) -> None:
    import_bank(workspace, text.encode(), f"{name}.txt", name=name, kind=kind, actor="t")


def test_statuses_groups_and_banks(
    workspace: Workspace, tmp_path: Path, corpus: dict[str, bytes]
) -> None:
    known_md5 = analyse_bytes(corpus["known"]).md5
    meme_pdq = analyse_bytes(
        encoded(
            Image.open(__import__("io").BytesIO(corpus["meme"])).transpose(
                Image.Transpose.FLIP_LEFT_RIGHT
            )
        )
    ).pdq
    _bank(workspace, "known-set", BankKind.KNOWN, f"md5,category\n{known_md5},1\n")
    _bank(workspace, "memes", BankKind.VIRAL, f"{meme_pdq}\n")
    inbox = tmp_path / "in"
    write_media_referral(inbox, "R-1", {"a.jpg": corpus["original"], "flat.png": corpus["flat"]})
    write_media_referral(inbox, "R-2", {"b.jpg": corpus["resized"], "c.jpg": corpus["rotated"]})
    write_media_referral(inbox, "R-3", {"a.jpg": corpus["original"], "o.jpg": corpus["other"]})
    write_media_referral(inbox, "R-4", {"k.jpg": corpus["known"], "m.jpg": corpus["meme"]})
    assert IngestPipeline(workspace).run([inbox]).ok
    report = MediaProcessor(workspace, "t", workers=1).run()
    assert report.analysed == 7  # the duplicate original is analysed once
    assert _statuses(workspace) == {
        "R-1": ["new", "new"],
        "R-2": ["near_duplicate", "near_duplicate"],  # resize; rotation via dihedral variants
        "R-3": ["duplicate", "new"],
        "R-4": ["known", "viral"],
    }
    with workspace.sessions() as session:
        counts = session.scalar(select(Referral.media_counts).where(Referral.external_id == "R-2"))
        groups = session.execute(select(Media.group_id, Media.pdq_quality)).all()
    assert counts is not None and counts["near_duplicate"] == 2 and counts["new"] == 0
    sizes: dict[int, int] = {}
    for group, _ in groups:
        sizes[group] = sizes.get(group, 0) + 1
    assert sorted(sizes.values()) == [1, 1, 1, 1, 3]  # original + resized + rotated together


def test_match_names_bank_distance_and_referrals(
    workspace: Workspace, tmp_path: Path, corpus: dict[str, bytes]
) -> None:
    write_media_referral(tmp_path / "in", "R-7", {"a.jpg": corpus["original"]})
    IngestPipeline(workspace).run([tmp_path / "in"])
    MediaProcessor(workspace, "t", workers=1).run()
    query = query_of(analyse_bytes(corpus["rotated"]))
    with workspace.sessions() as session:
        hits = Matcher(session, WorkspaceIndexes(workspace.home / "index")).match(query)
        unrelated = query_of(analyse_bytes(corpus["other"]))
        strict = Matcher(session, WorkspaceIndexes(workspace.home / "index")).match(unrelated)
    assert len(hits) == 1 and hits[0].method == "pdq" and hits[0].distance <= 31
    with workspace.sessions() as session:
        r7 = session.scalar(select(Referral.id).where(Referral.external_id == "R-7"))
    assert hits[0].referrals == [r7]
    assert strict == []


def test_low_quality_hashes_never_match(
    workspace: Workspace, tmp_path: Path, corpus: dict[str, bytes]
) -> None:
    flat = analyse_bytes(corpus["flat"])
    assert flat.pdq_quality is not None and flat.pdq_quality < 50
    _bank(workspace, "flat-bank", BankKind.KNOWN, f"{flat.pdq}\n")
    write_media_referral(tmp_path / "in", "R-8", {"f.png": corpus["flat"]})
    IngestPipeline(workspace).run([tmp_path / "in"])
    MediaProcessor(workspace, "t", workers=1).run()
    assert _statuses(workspace) == {"R-8": ["new"]}
    with workspace.sessions() as session:
        hits = Matcher(session, WorkspaceIndexes(workspace.home / "index")).match(query_of(flat))
    assert [(h.target, h.method) for h in hits] == [("media", "sha256")]  # itself, exactly


def test_index_reloads_from_disk_and_rebuilds_when_lost(
    workspace: Workspace, tmp_path: Path, corpus: dict[str, bytes]
) -> None:
    write_media_referral(tmp_path / "in", "R-9", {"a.jpg": corpus["original"]})
    IngestPipeline(workspace).run([tmp_path / "in"])
    MediaProcessor(workspace, "t", workers=1).run()
    query = Query(pdq=[analyse_bytes(corpus["resized"]).pdq or ""])
    index_dir = workspace.home / "index"
    assert (index_dir / "media-pdq" / "grace-sync.json").exists()
    with workspace.sessions() as session:
        assert len(Matcher(session, WorkspaceIndexes(index_dir)).match(query)) == 1
    for path in sorted((index_dir / "media-pdq").iterdir()):
        path.write_bytes(b"garbage")
    with workspace.sessions() as session:
        assert len(Matcher(session, WorkspaceIndexes(index_dir)).match(query)) == 1
