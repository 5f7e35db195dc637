"""Local models trained from a real workspace's labels, through the library and the CLI.

Benign proxy labels only: synthetic referrals (escalated ones decided "urgent"), drawn
images whose "category" is a proxy (even/odd referral number) and synthetic embeddings
stored the way the signals layer stores them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from builders import write_grace_bundle
from grace.cli.main import app
from grace.ingest.pipeline import IngestPipeline
from grace.learn.data import media_labels
from grace.learn.predict import Predictor, predict_media, predict_referral
from grace.learn.registry import list_versions
from grace.learn.train import evaluate_version, train
from grace.learn.triage_hook import LearnedFactors
from grace.signals.store import IMAGE_DIM, to_bytes
from grace.store.intel_tables import Decision
from grace.store.media_tables import BankEntry, BankImport, HashBank, Media, MediaMatch
from grace.store.signal_tables import MediaSignal
from grace.store.tables import AuditEvent, Referral, ReferralFile
from grace.triage.inputs import triage_inputs
from grace.workspace import Workspace

REFERRALS = 24
POLICY = {
    "default": {"target": "recall", "value": 0.9},
    "NL-POLICE": {"target": "precision", "value": 0.99},
}


def _labelled_workspace(workspace: Workspace, tmp: Path) -> dict[str, str]:
    """Ingest referrals with one image each; decide them; store proxy embeddings."""
    inbox = tmp / "inbox"
    for n in range(REFERRALS):
        write_grace_bundle(inbox, n, images=1)
    assert IngestPipeline(workspace).run([inbox]).ok
    rng = np.random.default_rng(0)
    centres = {"0": rng.normal(size=IMAGE_DIM), "3": rng.normal(size=IMAGE_DIM)}
    categories: dict[str, str] = {}
    with workspace.sessions.begin() as session:
        rows = session.execute(
            select(Referral.id, Referral.external_id, Referral.escalated, ReferralFile.sha256)
            .join(ReferralFile, ReferralFile.referral_id == Referral.id)
            .order_by(Referral.id)
        ).all()
        for referral_id, external_id, escalated, sha in rows:
            code = "0" if int(external_id.split("-")[1]) % 2 == 0 else "3"
            categories[sha] = f"projectvic-us:{code}"
            session.add(
                Decision(
                    referral_id=referral_id,
                    label="urgent" if escalated else "not_actionable",
                    actor="t",
                    at=datetime(2026, 10, 1 + referral_id % 20, tzinfo=UTC),
                    data={"media_categories": {sha: code}, "scheme": "projectvic-us"},
                )
            )
            vector = centres[code] + 0.8 * rng.normal(size=IMAGE_DIM)
            session.add(
                MediaSignal(
                    sha256=sha,
                    kind="image",
                    models={"proxy": "test"},
                    embedding_model="proxy",
                    embedding_dim=IMAGE_DIM,
                    embedding=to_bytes(vector.astype(np.float32)),
                    computed_at=datetime.now(UTC),
                )
            )
    return categories


def test_train_evaluate_predict_on_workspace_labels(workspace: Workspace, tmp_path: Path) -> None:
    categories = _labelled_workspace(workspace, tmp_path)

    priority = train(workspace, "referral_priority", policy=POLICY, actor="t")
    assert priority.version == 1 and priority.training["counts"] == {"other": 19, "urgent": 5}
    assert priority.training["sources"] == {"decision:not_actionable": 19, "decision:urgent": 5}
    assert priority.training["held_out_rows"] == 6 and priority.metrics["accuracy"] >= 0.8
    assert priority.training["from"].startswith("2026-10")
    assert set(priority.thresholds) == {"default", "NL-POLICE"}

    media = train(workspace, "media_category", policy=POLICY, actor="t")
    assert media.metrics["accuracy"] == 1.0 and media.training["sources"] == {"analyst": 24}
    again = evaluate_version(workspace, "media_category")
    assert again["metrics"]["n"] == 6 and again["metrics"]["accuracy"] == 1.0

    sha = sorted(categories)[0]
    seen = predict_media(workspace, sha, agency="NL-POLICE")
    assert seen.top == categories[sha] and seen.probabilities[seen.top] > 0.5
    assert seen.factors[0].explanation.startswith(
        f"media-category head: {seen.probabilities[seen.top]:.2f} for category '{seen.top}' "
        "(model media_category v1; agency threshold"
    )
    with workspace.sessions() as session:
        urgent = session.scalar(select(Referral.id).where(Referral.escalated.is_(True)))
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    view = predict_referral(workspace, int(urgent or 0))
    assert view.top == "urgent" and "escalated" in view.factors[0].explanation
    assert actions.count("model_register") == 2 and actions.count("model_activate") == 2

    predictor = Predictor.load(workspace, "referral_priority")
    assert predictor.version == 1 and predictor.head.classes == ["other", "urgent"]

    hook = LearnedFactors.load(workspace)
    assert hook.versions() == {"referral_priority": 1, "media_category": 1}
    with workspace.sessions() as session:
        item = next(triage_inputs(session, datetime.now(UTC), [int(urgent or 0)]))
    names = [f.name for f in hook.factors(item)]
    assert names[0] == "model:referral_priority:urgent"
    assert any(n.startswith("model:media_category:") for n in names)
    assert "highest of 1 item" in hook.factors(item)[-1].explanation


def test_cli_train_models_evaluate_predict_activate_rollback_decline(
    workspace: Workspace, tmp_path: Path
) -> None:
    _labelled_workspace(workspace, tmp_path)
    home = str(workspace.home)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["learn", *args, "--home", home])
        assert result.exit_code == 0, result.output
        return result.stdout if "--json" in args else result.output

    first = json.loads(run("train", "referral_priority", "--json"))
    second = json.loads(run("train", "referral_priority", "--model", "mlp", "--json"))
    assert (first["version"], second["version"]) == (1, 2)
    models = json.loads(run("models", "--json"))
    assert [(m["version"], m["status"]) for m in models] == [(1, "retired"), (2, "active")]
    assert models[1]["meta"]["head"] == "mlp" and "held_out" not in models[1]["meta"]
    metrics = json.loads(run("evaluate", "referral_priority", "--version", "1", "--json"))
    assert metrics["metrics"]["n"] == 6 and "per_class" in metrics["metrics"]
    with workspace.sessions() as session:
        referral = session.scalar(select(Referral.id).order_by(Referral.id))
    view = json.loads(run("predict", "referral_priority", "--referral", str(referral), "--json"))
    assert view["version"] == 2 and view["factors"]

    assert "v1 is active" in run("rollback", "referral_priority")
    assert "v2 is active" in run("activate", "referral_priority", "2")
    assert "v1 is active" in run("decline", "referral_priority", "2", "--reason", "test")
    statuses = [v.status for v in list_versions(workspace, "referral_priority")]
    assert statuses == ["active", "declined"]

    refused = runner.invoke(app, ["learn", "activate", "referral_priority", "9", "--home", home])
    assert refused.exit_code == 1 and "no version 9" in refused.output


@pytest.mark.parametrize("task", ["media_category"])
def test_too_few_labels_fail_in_one_line(workspace: Workspace, task: str) -> None:
    result = CliRunner().invoke(app, ["learn", "train", task, "--home", str(workspace.home)])
    assert result.exit_code == 1 and "labelled rows" in result.output


def _bank_match(session: Session, sha: str, code: str) -> None:
    """A hash-set entry of category ``code`` that media ``sha`` matched (as matching writes)."""
    now = datetime.now(UTC)
    bank = HashBank(
        name=f"bank-{sha[:8]}", kind="known", scheme="projectvic-us", created_at=now, data={}
    )
    session.add(bank)
    session.flush()
    load = BankImport(
        bank_id=bank.id, sha256=sha, source_name="t.json", format="vics", entries=1, imported_at=now
    )
    media = session.scalars(select(Media).where(Media.sha256 == sha)).first()
    if media is None:
        media = Media(sha256=sha, kind="image", analysed_at=now, data={})
    session.add_all([load, media])
    session.flush()
    entry = BankEntry(
        bank_id=bank.id,
        import_id=load.id,
        category_scheme="projectvic-us",
        category_code=code,
        data={},
    )
    session.add(entry)
    session.flush()
    session.add(MediaMatch(media_id=media.id, bank_entry_id=entry.id, method="sha256"))


def test_media_labels_prefer_the_analyst_over_hash_sets(
    workspace: Workspace, tmp_path: Path
) -> None:
    categories = _labelled_workspace(workspace, tmp_path)
    decided = sorted(categories)[0]
    with workspace.sessions.begin() as session:
        document = session.scalar(select(Referral.document_sha256).order_by(Referral.id))
        assert document is not None
        _bank_match(session, decided, "4")
        _bank_match(session, document, "2")
    with workspace.sessions() as session:
        labels = media_labels(session)
    assert labels[decided][:2] == (categories[decided], "analyst")
    assert labels[document][:2] == ("projectvic-us:2", "hashset")
