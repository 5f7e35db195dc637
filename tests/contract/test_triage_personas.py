"""A "child" account that many unrelated suspects write to reads as a persona, on every
backend: through ingest, grace's intelligence stage, triage inputs and rules_v1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from grace.ingest.pipeline import IngestPipeline
from grace.intel.links import links_of
from grace.intel.service import IntelProcessor
from grace.intel.subjects import subjects
from grace.model import IpEvent, Party, PartyRole, Referral
from grace.store.tables import Referral as ReferralRow
from grace.triage.features import facts
from grace.triage.inputs import triage_inputs
from grace.triage.rules import RulesV1
from grace.workspace import Workspace

NOW = datetime(2026, 10, 2, tzinfo=UTC)


def _chat(report: str, suspect: str, recipient: str, ip: str) -> Referral:
    """A messenger's report: ``suspect`` wrote to ``recipient`` (who says they are 13)."""
    return Referral(
        source_format="grace_json",
        external_id=report,
        esp_name="Chatterly",
        incident_type="Online Enticement of Children for Sexual Acts",
        incident_time="2026-10-01T12:00:00Z",
        parties=[
            Party(
                role=PartyRole.REPORTED,
                esp_user_id=suspect,
                screen_name=f"h_{suspect}",
                ip_events=[IpEvent(ip=ip, event="Login", at="2026-10-01T11:00:00Z")],
            ),
            Party(role=PartyRole.RECIPIENT, esp_user_id=recipient, screen_name=f"r_{recipient}"),
        ],
        additional_info=["The recipient states they are 13. The user asked to meet in person."],
    )


def _ingest(workspace: Workspace, tmp: Path, referrals: list[Referral]) -> dict[str, int]:
    inbox = tmp / "in"
    for referral in referrals:
        folder = inbox / str(referral.external_id)
        folder.mkdir(parents=True)
        (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    assert IngestPipeline(workspace).run([inbox]).ok
    IntelProcessor(workspace, "t").run()
    with workspace.sessions() as session:
        rows = session.execute(select(ReferralRow.external_id, ReferralRow.id)).all()
    return {str(report): ident for report, ident in rows}


def test_a_recipient_of_many_suspects_is_a_persona_and_one_suspect_is_not(
    workspace: Workspace, tmp_path: Path
) -> None:
    ids = _ingest(
        workspace,
        tmp_path,
        [
            # three unrelated adults write to one "child": a persona
            _chat("P-1", "s1", "persona", "91.30.110.1"),
            _chat("P-2", "s2", "persona", "91.30.110.2"),
            _chat("P-3", "s3", "persona", "91.30.110.3"),
            # one adult reported twice for one child, and a second adult: a real child
            _chat("K-1", "s4", "kid", "81.169.145.4"),
            _chat("K-2", "s4", "kid", "81.169.145.5"),
            _chat("K-3", "s5", "kid", "81.169.145.6"),
            _chat("U-1", "s6", "alone", "81.169.145.7"),
        ],
    )
    with workspace.sessions() as session:
        items = {item.referral_id: item for item in triage_inputs(session, NOW)}
    counts = {report: items[ident].recipient_suspects for report, ident in ids.items()}
    assert counts == {"P-1": 2, "P-2": 2, "P-3": 2, "K-1": 1, "K-2": 1, "K-3": 1, "U-1": 0}

    rules = RulesV1()
    persona = rules.score(items[ids["P-1"]])
    decoy = {f.name: f for f in persona.factors}["decoy:recurring_recipient"]
    assert decoy.contribution < 0
    assert "2 other suspects" in decoy.explanation and "deconflict" in decoy.explanation
    child = rules.score(items[ids["K-3"]])
    assert "recurring_recipient" not in facts(items[ids["K-3"]]).decoys()
    assert child.score > persona.score  # the same words, but a real child's case ranks first


def test_no_recipients_no_personas(workspace: Workspace, tmp_path: Path) -> None:
    referral = _chat("N-1", "s9", "x", "91.30.110.9")
    referral.parties = referral.parties[:1]
    ids = _ingest(workspace, tmp_path, [referral])
    with workspace.sessions() as session:
        (item,) = triage_inputs(session, NOW)
    assert item.referral_id == ids["N-1"] and item.recipient_suspects == 0


def test_adults_who_wrote_to_one_child_stay_separate_suspects(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A shared recipient links the cases as a lead; it does not make one person of them."""
    ids = _ingest(
        workspace,
        tmp_path,
        [
            _chat("C-1", "s1", "child", "91.30.110.1"),
            _chat("C-2", "s2", "child", "91.30.110.2"),
            _chat("S-1", "s3", "other", "81.169.145.1"),
            _chat("S-2", "s3", "another", "81.169.145.2"),
        ],
    )
    with workspace.sessions() as session:
        between = links_of(session, ids["C-1"])
        clusters = [sorted(c["referrals"]) for c in subjects(session)]
    assert {(x["referral"], x["strength"]) for x in between} == {(ids["C-2"], "weak")}
    assert all("not the same suspect" in x["reason"] for x in between)
    assert clusters == [sorted([ids["S-1"], ids["S-2"]])]  # one adult, reported twice
