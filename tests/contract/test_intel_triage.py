"""Identifiers, links, subjects, routing and triage through the real stages, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from builders import encoded, textured_image
from grace.ingest.pipeline import IngestPipeline
from grace.intel.links import links_of
from grace.intel.service import IntelProcessor
from grace.intel.subjects import judge, recompute_subjects, subjects
from grace.media.process import MediaProcessor
from grace.model import FileRef, IpEvent, Location, Party, PartyRole, Referral
from grace.store.intel_tables import IdentifierRow
from grace.store.tables import Referral as ReferralRow
from grace.triage.service import reproduce, run_triage
from grace.workspace import Workspace

MEME = encoded(textured_image(99))


def _referral(
    report: str, user: str, esp: str, ip: str, media: list[str], **extra: object
) -> Referral:
    return Referral(
        source_format="grace_json",
        external_id=report,
        esp_name=esp,
        incident_type="Child Pornography (possession, manufacture, and distribution)",
        incident_time="2026-10-01T12:00:00Z",
        parties=[
            Party(
                role=PartyRole.REPORTED,
                esp_user_id=user,
                screen_name=f"h_{user}",
                ip_events=[IpEvent(ip=ip, event="Upload", at="2026-10-01T11:00:00Z")],
                location=Location(country_code=str(extra.get("country", "DE"))),
            )
        ],
        files=[FileRef(name=name) for name in media],
        additional_info=[str(extra.get("note", ""))] if extra.get("note") else [],
    )


def _write(inbox: Path, referral: Referral, media: dict[str, bytes]) -> None:
    folder = inbox / (referral.external_id or "x")
    folder.mkdir(parents=True)
    (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    for name, data in media.items():
        (folder / name).write_bytes(data)


def _stream(workspace: Workspace, tmp: Path, memes: int = 8) -> None:
    """Two referrals of one account, one unrelated, and many referrals sharing one meme."""
    inbox = tmp / "in"
    _write(
        inbox,
        _referral(
            "A-1",
            "777",
            "PhotoShareCo",
            "91.30.110.86",
            ["a.jpg"],
            note="Reporter adds: contact was mail.one@example.com",
        ),
        {"a.jpg": encoded(textured_image(1))},
    )
    _write(
        inbox,
        _referral("A-2", "777", "PhotoShareCo", "91.30.110.87", ["b.jpg"]),
        {"b.jpg": encoded(textured_image(2))},
    )
    _write(
        inbox,
        _referral("B-1", "777", "OtherESP", "81.169.145.1", ["c.jpg"], country="FR"),
        {"c.jpg": encoded(textured_image(3))},
    )
    for n in range(memes):
        _write(
            inbox,
            _referral(
                f"M-{n}", f"meme{n}", "ChatterApp", f"88.{n}.1.1", ["meme.jpg"], country="NL"
            ),
            {"meme.jpg": MEME},
        )
    assert IngestPipeline(workspace).run([inbox]).ok
    MediaProcessor(workspace, "t", workers=1).run()
    IntelProcessor(workspace, "t").run()


def _id(workspace: Workspace, report: str) -> int:
    with workspace.sessions() as session:
        found = session.scalar(select(ReferralRow.id).where(ReferralRow.external_id == report))
    assert found is not None
    return found


def test_links_subjects_and_viral_media(workspace: Workspace, tmp_path: Path) -> None:
    _stream(workspace, tmp_path)
    a1, a2, b1, m0 = (_id(workspace, r) for r in ("A-1", "A-2", "B-1", "M-0"))
    with workspace.sessions() as session:
        a_links = links_of(session, a1)
        kinds = {(link["referral"], link["kind"], link["strength"]) for link in a_links}
        assert (a2, "esp_user_id", "strong") in kinds  # same user id on the same ESP
        to_b1 = {(link["kind"], link["strength"]) for link in a_links if link["referral"] == b1}
        assert to_b1 == {("screen_name", "weak")}  # same id on another ESP: only a weak lead
        assert links_of(session, m0) == []  # one meme shared by 8 referrals links nothing
        emails = session.scalars(
            select(IdentifierRow.value).where(
                IdentifierRow.referral_id == a1, IdentifierRow.kind == "email"
            )
        ).all()
        assert "mail.one@example.com" in emails
        clusters = subjects(session)
    assert [c["referrals"] for c in clusters] == [[a1, a2]]
    assert any("esp user id" in reason for reason in clusters[0]["reasons"])


def test_a_merge_can_be_undone(workspace: Workspace, tmp_path: Path) -> None:
    _stream(workspace, tmp_path, memes=0)
    a1, a2 = _id(workspace, "A-1"), _id(workspace, "A-2")
    with workspace.sessions.begin() as session:
        judge(session, a1, a2, "separate", "different people sharing a device", "analyst")
        recompute_subjects(session)
    with workspace.sessions() as session:
        assert subjects(session) == []
        assert session.get(ReferralRow, a1).subject_id is None  # type: ignore[union-attr]


def test_routing_evidence_and_agency(workspace: Workspace, tmp_path: Path) -> None:
    _stream(workspace, tmp_path, memes=1)
    with workspace.sessions() as session:
        a1 = session.get(ReferralRow, _id(workspace, "A-1"))
        assert a1 is not None and a1.routing is not None
        assert (a1.country_of_action, a1.agency) == ("DE", "de-bka")
        sources = {e["source"] for e in a1.routing["evidence"]}
        assert {"ip", "esp_location"} <= sources


def test_scoring_is_recorded_and_reproducible(workspace: Workspace, tmp_path: Path) -> None:
    _stream(workspace, tmp_path, memes=2)
    now = datetime(2026, 10, 2, tzinfo=UTC)
    first = run_triage(workspace, "rules_v1", "t", now)
    second = run_triage(workspace, "rules_v1", "t", now)
    assert first.version == second.version and first.referrals == second.referrals == 5
    check = reproduce(workspace, first.run_id)
    assert check["identical"] is True and check["differing"] == []
    with workspace.sessions() as session:
        priorities = session.scalars(select(ReferralRow.priority)).all()
    assert all(p is not None and 0 <= p <= 100 for p in priorities)
