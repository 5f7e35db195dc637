"""Signals stored and read back on SQLite and PostgreSQL: rows, embeddings, factors, CLI.

Benign media only (scikit-image photos, a synthesised clip, a truncated file). The factor
wording for notable signals is checked on numbers written into a row by hand, not on any
image: no test input may be explicit or show a minor.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from builders import grace_referral
from grace.cli.main import app
from grace.ingest.pipeline import IngestPipeline
from grace.media.process import MediaProcessor
from grace.model import IncidentDetail
from grace.signals.factors import as_triage_factors, referral_signal_factors
from grace.signals.run import SignalRunner
from grace.signals.store import load_embeddings, media_signals, text_signals
from grace.store.intel_tables import ScoreRow
from grace.store.signal_tables import MediaSignal
from grace.store.tables import AuditEvent, Referral
from grace.triage.service import reproduce, run_triage
from grace.workspace import Workspace
from signal_builders import clip, jpeg, photo

ENGLISH = "He asked where the children go to school and said he would send photos tonight."
GERMAN = "Er hat gefragt, wo die Kinder zur Schule gehen, und wollte heute Abend Fotos schicken."


def _referral(inbox: Path, n: int, media: dict[str, bytes], text: str | None) -> None:
    referral = grace_referral(n, list(media))
    referral.external_id = f"S-{n}"
    if text:
        referral.incidents = [IncidentDetail(kind="chatIm", content=text)]
        referral.additional_info = [text.split(",")[0]]
    folder = inbox / f"S-{n}"
    folder.mkdir(parents=True)
    (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    for name, data in media.items():
        (folder / name).write_bytes(data)


@pytest.fixture
def media() -> dict[str, bytes]:
    return {
        "astronaut": jpeg(photo("astronaut")),
        "coffee": jpeg(photo("coffee")),
        "broken": jpeg(photo("rocket"))[:300],
        "clip": clip(photo("astronaut"), frames=20),
    }


def _ingest(
    workspace: Workspace, tmp_path: Path, media: dict[str, bytes], full: bool = True
) -> None:
    inbox = tmp_path / "in"
    _referral(inbox, 1, {"a.jpg": media["astronaut"], "b.jpg": media["broken"]}, ENGLISH)
    if full:
        _referral(inbox, 2, {"c.jpg": media["coffee"], "v.mp4": media["clip"]}, GERMAN)
        _referral(inbox, 3, {"c.jpg": media["coffee"]}, None)
    assert IngestPipeline(workspace).run([inbox]).ok


def _sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def test_signals_stored_and_read_back(
    workspace: Workspace, tmp_path: Path, media: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(workspace, tmp_path, media)
    monkeypatch.setenv("GRACE_SIGNALS", "1")  # media processing runs the signals pass
    processed = MediaProcessor(workspace, "t", workers=1).run()
    assert processed.signals == 4
    report = SignalRunner(workspace, "t").run()
    assert report.media == 0  # nothing left to do; text signals were computed above
    with workspace.sessions() as session:
        found = media_signals(session, [_sha(d) for d in media.values()])
        ids, matrix = load_embeddings(session, "image")
        text_ids, text_matrix = load_embeddings(session, "text")
        languages = text_signals(session, list(range(1, 4)))
        factors = referral_signal_factors(session, [1, 2, 3])
        actions = list(session.scalars(select(AuditEvent.action)))
        assert workspace.audit.verify(session).ok
    astronaut = found[_sha(media["astronaut"])]
    assert astronaut["face_count"] == 1 and astronaut["kind"] == "image"
    assert 20 <= astronaut["youngest_age"] <= 60 and astronaut["youngest_age_sd"] > 1
    assert found[_sha(media["coffee"])]["face_count"] == 0
    broken = found[_sha(media["broken"])]
    assert broken["error"] and broken["nsfw_score"] is None  # a per-item error, not a crash
    video = found[_sha(media["clip"])]
    assert video["kind"] == "video" and video["frames"] == 2 and video["face_count"] == 1
    assert sorted(ids) == sorted(
        _sha(media[k]) for k in ("astronaut", "coffee", "clip")
    )  # the broken file has no embedding
    assert matrix.shape == (3, 1024) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    assert text_ids == ["1", "2"] and text_matrix.shape == (2, 512)  # referral 3 has no text
    assert languages[1]["language"] == "en" and languages[2]["language"] == "de"
    assert languages[3]["language"] is None and languages[3]["chars"] == 0
    assert factors == {}  # benign photos: low scores, an adult face
    assert "media_signals" in actions and "text_signals" in actions


def test_empty_workspace_gives_empty_matrices(workspace: Workspace) -> None:
    with workspace.sessions() as session:
        assert load_embeddings(session, "image")[1].shape == (0, 1024)
        assert load_embeddings(session, "text") == ([], pytest.approx(np.zeros((0, 512))))
        assert media_signals(session, ["0" * 64]) == {}
        with pytest.raises(ValueError, match="unknown embedding kind"):
            load_embeddings(session, "audio")


def test_factors_explain_notable_signals(
    workspace: Workspace, tmp_path: Path, media: dict[str, bytes]
) -> None:
    """Factor wording on numbers written by hand into a benign photo's row."""
    _ingest(workspace, tmp_path, media, full=False)
    MediaProcessor(workspace, "t", workers=1).run()
    SignalRunner(workspace, "t").run(text=False)
    with workspace.sessions.begin() as session:
        row = session.scalars(
            select(MediaSignal).where(MediaSignal.sha256 == _sha(media["astronaut"]))
        ).one()
        row.nsfw_score = 0.91
        row.faces = [{"box": [1, 2, 3, 4], "score": 1.0, "age": 15.2, "age_sd": 5.6,
                      "p_under_18": 0.62}]  # fmt: skip
    with workspace.sessions() as session:
        factors = referral_signal_factors(session, [1])
    assert set(factors) == {1}
    by_name = {f.name: f for f in factors[1]}
    assert by_name["explicit_content"].label == "explicit-content score 0.91"
    young = by_name["young_face"]
    assert young.label == "youngest face estimated under 18 (age 15 ± 6), low confidence"
    assert young.value["age_sd"] == 5.6 and young.strength == 0.62
    points = {f.name: f.contribution for f in as_triage_factors(factors[1])}
    assert points == {"signal:explicit_content": 10.92, "signal:young_face": 12.4}


def test_cli_run_and_show(
    workspace: Workspace, tmp_path: Path, media: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    _ingest(workspace, tmp_path, media, full=False)
    MediaProcessor(workspace, "t", workers=1).run()
    home = ["--home", str(workspace.home)]
    monkeypatch.setenv("GRACE_DATABASE_URL", workspace.database_url)
    runner = CliRunner()
    ran = runner.invoke(app, ["signals", "run", "--json", *home])
    assert ran.exit_code == 0, ran.output
    record = json.loads(ran.stdout.strip().splitlines()[-1])
    assert record["media"] == 2 and record["referrals"] == 1 and len(record["errors"]) == 1
    shown = runner.invoke(app, ["signals", "show", _sha(media["astronaut"])[:16], "--json", *home])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["face_count"] == 1
    missing = runner.invoke(app, ["signals", "show", "0" * 16, *home])
    assert missing.exit_code == 1 and "no signals" in missing.output
    with workspace.sessions() as session:
        assert session.scalar(select(Referral.id).where(Referral.external_id == "S-1")) == 1


def test_signals_weigh_in_triage_and_a_past_run_reproduces(
    workspace: Workspace, tmp_path: Path, media: dict[str, bytes]
) -> None:
    """Signals computed after a triage run do not change that run's reproduction."""
    _ingest(workspace, tmp_path, media, full=False)
    MediaProcessor(workspace, "t", workers=1).run()
    before = run_triage(workspace, "rules_v1", "t")
    SignalRunner(workspace, "t").run(text=False)
    with workspace.sessions.begin() as session:
        row = session.scalars(
            select(MediaSignal).where(MediaSignal.sha256 == _sha(media["astronaut"]))
        ).one()
        row.faces = [{"box": [1, 2, 3, 4], "score": 1.0, "age": 15.0, "age_sd": 5.0,
                      "p_under_18": 0.6}]  # fmt: skip
    assert reproduce(workspace, before.run_id)["identical"] is True
    after = run_triage(workspace, "rules_v1", "t")
    with workspace.sessions() as session:
        scores = dict(
            session.execute(
                select(ScoreRow.run_id, ScoreRow.score).where(ScoreRow.referral_id == 1)
            ).all()
        )
        [factors] = session.scalars(
            select(ScoreRow.factors).where(ScoreRow.run_id == after.run_id)
        ).all()
    assert scores[after.run_id] > scores[before.run_id]
    assert "signal:young_face" in {f["name"] for f in factors}
    assert reproduce(workspace, after.run_id)["identical"] is True
