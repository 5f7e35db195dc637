""" "Text similar to earlier urgent referrals" on SQLite and PostgreSQL, benign texts only.

Referrals are ingested with everyday sentences (meeting at a station to collect school
books, a quarterly report, the weather) in German, French, Polish and English; analysts'
decisions are written through the desk's own ``add_decision``. The factor must name the
urgent referral whose text means the same in another language, never the referral itself,
never one whose latest decision is no longer urgent, and never a decision made after
``as_of``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import select

from builders import grace_referral
from grace.desk.decisions import add_decision
from grace.ingest.pipeline import IngestPipeline
from grace.model import IncidentDetail
from grace.signals.factors import as_triage_factors, referral_signal_factors
from grace.signals.run import SignalRunner
from grace.signals.similar import similar_urgent, text_urgency
from grace.signals.store import to_bytes
from grace.store.intel_tables import ScoreRow
from grace.store.signal_tables import ReferralTextSignal
from grace.triage.service import reproduce, run_triage
from grace.workspace import Workspace

TEXTS = {
    1: "Wir treffen uns morgen am Bahnhof, um die Bücher für die Schule abzuholen.",
    2: "The quarterly tax report lists the depreciation of office furniture.",
    3: "Nous nous retrouvons demain à la gare pour récupérer les livres pour l'école.",
    4: "Spotkamy się jutro na dworcu, żeby odebrać książki do szkoły.",
    5: "Morgen wird es sonnig und warm, am Abend zieht Regen auf.",
}


def _ingest(workspace: Workspace, inbox: Path) -> None:
    for n, text in TEXTS.items():
        referral = grace_referral(n, [])
        referral.external_id = f"M-{n}"
        referral.incidents = [IncidentDetail(kind="chatIm", content=text)]
        folder = inbox / f"M-{n}"
        folder.mkdir(parents=True)
        (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    assert IngestPipeline(workspace).run([inbox]).ok
    assert SignalRunner(workspace, "t").run(media=False).referrals == len(TEXTS)


def _decide(workspace: Workspace, referral_id: int, label: str) -> datetime:
    with workspace.sessions.begin() as session:
        return add_decision(session, "analyst", referral_id, label).at


def test_similar_to_an_urgent_referral_across_languages(
    workspace: Workspace, tmp_path: Path
) -> None:
    _ingest(workspace, tmp_path / "in")
    first = _decide(workspace, 1, "urgent")  # German: meeting at the station
    _decide(workspace, 2, "urgent")  # English: a tax report
    with workspace.sessions() as session:
        near = similar_urgent(session, [1, 2, 3, 4, 5])
        factors = referral_signal_factors(session, [3, 4, 5])
        before = similar_urgent(session, [3], as_of=first - timedelta(seconds=1))
        dense = text_urgency(session, [3, 5])
    assert set(near) == {3, 4}  # French and Polish paraphrases; the weather is unrelated
    assert [n.referral_id for n in near[3]] == [1] and near[3][0].similarity > 0.6
    assert 1 not in near and 2 not in near  # never similar to itself
    assert before == {}  # the urgent decision came later
    assert dense == {3: 1.0, 5: 1.0}  # a feature for every referral: all decided are urgent
    [factor] = factors[3]
    assert factor.name == "similar_urgent"
    assert factor.label == f"text similar to urgent referral 1 ({near[3][0].similarity:.2f})"
    assert factor.value["neighbours"][0] == {"referral_id": 1, "similarity": factor.strength}
    assert 5 not in factors
    [points] = as_triage_factors(factors[3])
    assert points.name == "signal:similar_urgent" and 6.0 < points.contribution <= 10.0

    _decide(workspace, 1, "not_actionable")  # re-decided: no longer an urgent example
    with workspace.sessions() as session:
        assert similar_urgent(session, [3, 4]) == {}
        assert text_urgency(session, [3])[3] < 0.3  # its close neighbour is no longer urgent

    _decide(workspace, 4, "urgent")  # Polish
    _decide(workspace, 1, "urgent")  # German, urgent again
    run = run_triage(workspace, "rules_v1", "t")
    assert run.referrals == len(TEXTS)
    with workspace.sessions() as session:
        factors = referral_signal_factors(session, [3])
        [scored] = session.scalars(
            select(ScoreRow.factors).where(ScoreRow.run_id == run.run_id, ScoreRow.referral_id == 3)
        ).all()
    [factor] = factors[3]
    assert [n["referral_id"] for n in factor.value["neighbours"]] == [1, 4]
    assert factor.value["urgent_share"] == 1.0 and "also 4 (" in factor.explanation
    assert "signal:similar_urgent" in {f["name"] for f in scored}
    _decide(workspace, 1, "not_actionable")  # a later decision does not change the past run
    with workspace.sessions() as session:
        assert [n.referral_id for n in similar_urgent(session, [3]).get(3, [])] != [1, 4]
    assert reproduce(workspace, run.run_id)["identical"] is True


def test_rows_of_an_older_text_model_are_recomputed(workspace: Workspace, tmp_path: Path) -> None:
    _ingest(workspace, tmp_path / "in")
    with workspace.sessions.begin() as session:
        row = session.scalars(
            select(ReferralTextSignal).where(ReferralTextSignal.referral_id == 1)
        ).one()
        row.embedding_model = "minilm_int8@all-MiniLM-L6-v2-onnx-int8-1.0.0"
        row.embedding_dim = 384
        row.embedding = to_bytes(np.ones(384, dtype=np.float32) / np.sqrt(384))
    assert SignalRunner(workspace, "t").run(media=False).referrals == 1
    with workspace.sessions() as session:
        rows = list(session.scalars(select(ReferralTextSignal)))
    assert len(rows) == len(TEXTS)
    assert {(r.embedding_model, r.embedding_dim) for r in rows} == {
        ("use_m3@use-multilingual-v3-numpy-0.2.1", 512)
    }
