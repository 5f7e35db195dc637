"""A URL where material was found (webPageIncident, a file's location) is not an identity:
it may link referrals weakly, and never merges them into one subject (issue 11, item 10)."""

from __future__ import annotations

from pathlib import Path

from grace.ingest.pipeline import IngestPipeline
from grace.intel.links import links_of
from grace.intel.service import IntelProcessor
from grace.intel.subjects import subjects
from grace.model import IncidentDetail, Party, PartyRole, Referral
from grace.workspace import Workspace

FORUM = "https://forum.example.org/thread/12345"


def _referral(report: str, user: str, *, incident_url: str = "", profile: str = "") -> Referral:
    return Referral(
        source_format="grace_json",
        external_id=report,
        esp_name="PhotoShareCo",
        incident_type="Child Pornography (possession, manufacture, and distribution)",
        incident_time="2026-10-01T12:00:00Z",
        parties=[
            Party(
                role=PartyRole.REPORTED,
                esp_user_id=user,
                profile_urls=[profile] if profile else [],
            )
        ],
        incidents=[IncidentDetail(kind="webPage", urls=[incident_url])] if incident_url else [],
    )


def _analyse(tmp_path: Path, referrals: list[Referral]) -> Workspace:
    inbox = tmp_path / "in"
    for referral in referrals:
        folder = inbox / str(referral.external_id)
        folder.mkdir(parents=True)
        (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    workspace = Workspace.init(tmp_path / "home")
    assert IngestPipeline(workspace, actor="test").run([inbox]).ok
    IntelProcessor(workspace, "test").run()
    return workspace


def test_shared_incident_page_links_weakly_and_never_merges(tmp_path: Path) -> None:
    workspace = _analyse(
        tmp_path,
        [
            _referral("R-1", "alice", incident_url=FORUM),
            _referral("R-2", "bob", incident_url=FORUM),
        ],
    )
    with workspace.sessions() as session:
        found = [x for x in links_of(session, 1) if x["kind"] == "url"]
        assert found and {x["strength"] for x in found} == {"weak"}
        assert "where material was found" in str(found[0]["reason"])
        assert subjects(session) == []
    workspace.close()


def test_a_shared_profile_url_still_merges(tmp_path: Path) -> None:
    """The control: the same URL given as the account's profile is an identity."""
    profile = "https://social.example.org/u/carol"
    workspace = _analyse(
        tmp_path,
        [
            _referral("R-1", "carol1", profile=profile, incident_url=FORUM),
            _referral("R-2", "carol2", profile=profile),
        ],
    )
    with workspace.sessions() as session:
        strengths = {x["value"]: x["strength"] for x in links_of(session, 1) if x["kind"] == "url"}
        assert strengths[profile] == "medium"
        assert [s["referrals"] for s in subjects(session)] == [[1, 2]]
    workspace.close()
