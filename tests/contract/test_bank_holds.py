"""Held bank entries stop alerting: disputes past a threshold, match floods, review.

Real ingest, media processing and matching on SQLite and PostgreSQL; the statuses the
desk shows are the proof that a held entry raised no alert.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from builders import encoded, textured_image, write_media_referral
from grace.banks.repository import BankKind, import_bank
from grace.banks.review import check_disputes, keep_vote, list_holds, review, set_guard
from grace.exchange.shares import publish
from grace.ingest.pipeline import IngestPipeline
from grace.media.analyse import analyse_bytes
from grace.media.process import MediaProcessor
from grace.referrals import referral_detail
from grace.store.media_tables import MediaMatch
from grace.store.tables import AuditEvent, Referral, ReferralFile
from grace.workspace import Workspace


def _statuses(workspace: Workspace) -> dict[str, list[str | None]]:
    with workspace.sessions() as session:
        rows = session.execute(
            select(Referral.external_id, ReferralFile.media_status)
            .join(ReferralFile, ReferralFile.referral_id == Referral.id)
            .order_by(Referral.id, ReferralFile.id)
        ).all()
    found: dict[str, list[str | None]] = {}
    for report, status in rows:
        found.setdefault(report or "", []).append(status)
    return found


def _ingest(workspace: Workspace, folder: Path, files: dict[str, dict[str, bytes]]) -> None:
    for report, media in files.items():
        write_media_referral(folder, report, media)
    assert IngestPipeline(workspace).run([folder]).ok


def test_disputed_entry_stops_alerting_until_reinstated(
    workspace: Workspace, tmp_path: Path
) -> None:
    known, other = encoded(textured_image(3)), encoded(textured_image(5))
    md5s = [analyse_bytes(known).md5, analyse_bytes(other).md5]
    text = "md5,category\n" + "".join(f"{m},1\n" for m in md5s)
    import_bank(workspace, text.encode(), "k.csv", name="k", kind=BankKind.KNOWN, actor="t")
    set_guard(workspace, "k", {"dispute_threshold": 2}, "t")
    with workspace.sessions.begin() as session:
        keep_vote(session, "k", f"md5:{md5s[0]}", "nl-police", "dispute", "a logo")
        assert check_disputes(session, "k", [f"md5:{md5s[0]}"]) == []  # one node: below 2
        keep_vote(session, "k", f"md5:{md5s[0]}", "fr-pn", "dispute", None)
        keep_vote(session, "k", f"md5:{md5s[1]}", "fr-pn", "confirm", None)
        held = check_disputes(session, "k", [f"md5:{md5s[0]}", f"md5:{md5s[1]}"])
        assert len(held) == 1 and "disputed by 2 node(s) (fr-pn, nl-police)" in held[0].detail
    _ingest(workspace, tmp_path / "in", {"R-1": {"a.jpg": known, "b.jpg": other}})
    report = MediaProcessor(workspace, "t", workers=1).run()
    assert report.held == 1
    # the disputed entry's match is kept (evidence history) but gives no "known" alert
    assert _statuses(workspace) == {"R-1": ["new", "known"]}
    with workspace.sessions() as session:
        rows = session.execute(select(MediaMatch.hold_id, MediaMatch.suppressed)).all()
        assert sorted(r[0] is not None for r in rows) == [False, True]
        assert all(suppressed == (hold is not None) for hold, suppressed in rows)
        [hold] = list_holds(session)
        detail = referral_detail(session, 1)
    assert hold["reason"] == "disputed" and hold["held_matches"] == 1
    assert detail is not None  # the desk and API show the match, and why it is held
    held = [m["held"] for f in detail["files"] for m in f["matches"] if m["held"]]
    assert len(held) == 1 and held[0].startswith("disputed by 2 node(s)")
    done = review(workspace, str(hold["entry_id"]), "reinstate", "checked: it is graded", "lead")
    assert done["status"] == "reinstated" and done["released_items"] == 1
    assert _statuses(workspace) == {"R-1": ["known", "known"]}
    with workspace.sessions.begin() as session:  # the same old votes do not hold it again
        assert check_disputes(session, "k", [f"md5:{md5s[0]}"]) == []
    with workspace.sessions() as session:
        events = set(session.scalars(select(AuditEvent.action)))
    assert "bank.guard" in events and "bank_entry.reinstate" in events


def test_flood_guard_holds_an_entry_matching_too_many_items(
    workspace: Workspace, tmp_path: Path
) -> None:
    # one picture saved at four qualities: four items, all near the one PDQ entry
    variants = {
        f"R-{i}": {"x.jpg": encoded(textured_image(7), quality=60 + 10 * i)} for i in range(4)
    }
    pdq = analyse_bytes(variants["R-0"]["x.jpg"]).pdq
    import_bank(workspace, f"{pdq}\n".encode(), "p.txt", name="p", kind=BankKind.KNOWN, actor="t")
    set_guard(workspace, "p", {"flood_limit": 2}, "t")
    _ingest(workspace, tmp_path / "in", variants)
    report = MediaProcessor(workspace, "t", workers=1).run()
    assert len(report.notices) == 1 and "flood" in report.notices[0]
    assert "more than 2 items in 24 h" in report.notices[0]
    statuses = [s for files in _statuses(workspace).values() for s in files]
    assert statuses.count("known") == 2 and report.held == 2
    with workspace.sessions() as session:
        [hold] = list_holds(session)
    assert hold["reason"] == "flood" and hold["bank"] == "p"
    done = review(workspace, str(hold["entry_id"]), "remove", "a logo", "lead")
    assert done["status"] == "removed"
    with workspace.sessions() as session:
        assert list_holds(session) == [] and len(list_holds(session, every=True)) == 1
    # a removed entry is not published to subscribers (it stays here: it matched)
    assert publish(workspace, "p", "t", tmp_path / "p.zip").added == 0
