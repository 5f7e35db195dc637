"""learned_v1 from decisions and returned outcomes, in grace.learn's registry, on each backend.

Benign synthetic referrals (escalated ones are "urgent"); outcomes are recorded at this
desk (``record_outcome``) or stored as a peer's returned outcome (the row
``apply_outcomes`` writes for a verified package from ``de-bka``); the last test sends them
for real, signed, from nl-police to the coordinator over loopback (``exchange_world``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from builders import write_grace_bundle
from exchange_world import World, two_nodes
from grace.cli.main import app
from grace.exchange.outcomes import record_outcome, send_outcomes
from grace.ingest.pipeline import IngestPipeline
from grace.learn import triage_labels, triage_model
from grace.learn.registry import RegistryError, list_versions
from grace.store.exchange_tables import ExchangeOutcome
from grace.store.intel_tables import Decision, TriageRun
from grace.store.learn_tables import LearnedModel
from grace.store.tables import Referral
from grace.triage.service import reproduce, run_triage
from grace.workspace import Workspace
from pg import throwaway_database, worker_database

NOW = datetime(2026, 10, 20, tzinfo=UTC)
PEER_OUTCOMES = {20: "safeguarded_child", 25: "safeguarded_child", 27: "duplicate_national_case"}


def _labelled(workspace: Workspace, tmp: Path) -> dict[int, int]:
    """30 referrals: 0-19 decided, 20-29 with an outcome returned by de-bka; n -> id."""
    inbox = tmp / "inbox"
    for n in range(30):
        write_grace_bundle(inbox, n, images=0)
    assert IngestPipeline(workspace).run([inbox]).ok
    with workspace.sessions.begin() as session:
        ids = {
            int(str(ext).split("-")[1]): rid
            for rid, ext in session.execute(select(Referral.id, Referral.external_id))
        }
        for n in range(20):
            label = "urgent" if n % 5 == 0 else "not_actionable"
            session.add(Decision(referral_id=ids[n], label=label, actor="t", at=NOW, data={}))
        for n in range(20, 30):
            session.add(
                ExchangeOutcome(
                    referral_id=ids[n],
                    source="de-bka",
                    outcome=PEER_OUTCOMES.get(n, "no_offence"),
                    actor="exchange",
                    recorded_at=NOW,
                )
            )
    record_outcome(workspace, ids[1], "investigation_opened", None, "t")  # floor: actionable
    record_outcome(workspace, ids[5], "arrest_or_search", None, "t")  # urgent decision stays
    return ids


def test_learns_from_outcomes_with_sources_in_the_registry(
    workspace: Workspace, tmp_path: Path
) -> None:
    ids = _labelled(workspace, tmp_path)
    first = triage_model.train(workspace, NOW, "t", force=True)
    assert first is not None and first["version"] == 1
    assert first["training"]["sources"] == {
        "decision": 19,
        "outcome:de-bka": 9,
        "outcome:local": 1,
    }
    assert first["training"]["labels"] == {"actionable": 1, "not_actionable": 22, "urgent": 6}
    found = triage_model.load(workspace)
    assert found is not None
    model, info = found
    rows = {row[0]: row[1:] for row in info["examples"]}
    assert rows[ids[20]] == ["urgent", "outcome", "de-bka", None, "safeguarded_child"]
    assert rows[ids[1]] == [
        "actionable",
        "outcome",
        "local",
        "not_actionable",
        "investigation_opened",
    ]
    assert rows[ids[5]] == ["urgent", "decision", "local", "urgent", "arrest_or_search"]
    assert ids[27] not in rows  # a duplicate of a national case says nothing about urgency
    assert model.model is not None
    assert model.model["label_sources"] == first["training"]["sources"]
    assert info["label_rules"]["safeguarded_child"] == ["urgent", "set"]

    assert triage_model.train(workspace, NOW, "t") is None  # same labels: no new version
    report = run_triage(workspace, "learned_v1", "t", NOW)
    assert report.version.endswith(model.model_version)
    with workspace.sessions() as session:
        run = session.get(TriageRun, report.run_id)
        assert run is not None and run.config["learned_version"] == 1
    assert reproduce(workspace, report.run_id)["identical"]


def test_cli_train_rollback_and_tampering(workspace: Workspace, tmp_path: Path) -> None:
    _labelled(workspace, tmp_path)
    home = str(workspace.home)
    runner = CliRunner()

    def grace(*args: str) -> str:
        result = runner.invoke(app, [*args, "--home", home])
        assert result.exit_code == 0, result.output
        return result.stdout if "--json" in args else result.output

    assert json.loads(grace("learn", "train", "learned_v1", "--json"))["version"] == 1
    second = json.loads(grace("learn", "train", "learned_v1", "--json"))
    assert second["version"] == 2 and second["activated"]
    listed = json.loads(grace("learn", "models", "learned_v1", "--json"))
    assert [(v["version"], v["status"]) for v in listed] == [(1, "retired"), (2, "active")]
    assert listed[1]["training"]["sources"]["outcome:de-bka"] == 9
    assert "examples" not in listed[1]["meta"] and listed[1]["meta"]["agencies"] == []
    assert "learned_v1 rolled back: v1 is active" in grace("learn", "rollback", "learned_v1")
    assert triage_model.train(workspace, NOW, "t") is None  # a triage run keeps the rollback
    report = run_triage(workspace, "learned_v1", "t", NOW)
    with workspace.sessions() as session:
        run = session.get(TriageRun, report.run_id)
        assert run is not None and run.config["learned_version"] == 1
    model_version = report.version.split("|")[-1]

    # scoring with the stored model (no new labels: no training) imports no scikit-learn
    code = (
        "import sys\nfrom grace.cli.main import run\n"
        f"sys.argv = ['grace', 'triage', '--scorer', 'learned_v1', '--json', '--home', {home!r}]\n"
        "try:\n    run()\nfinally:\n"
        "    sys.stderr.write('SKLEARN' if 'sklearn' in sys.modules else 'CLEAN')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("CLEAN")
    assert json.loads(done.stdout)["version"].endswith(model_version)

    path = workspace.home / list_versions(workspace, "learned_v1")[0].params_path
    original = path.read_bytes()
    path.write_bytes(original[:-40] + bytes([original[-40] ^ 1]) + original[-39:])
    with pytest.raises(RegistryError, match="SHA-256"):
        run_triage(workspace, "learned_v1", "t", NOW)
    refused = runner.invoke(app, ["triage", "--scorer", "learned_v1", "--home", home])
    assert refused.exit_code == 1 and "does not match its recorded SHA-256" in refused.output
    path.write_bytes(original)
    with workspace.sessions.begin() as session:
        row = session.scalars(select(LearnedModel).where(LearnedModel.version == 1)).one()
        meta = json.loads(json.dumps(row.meta))
        meta["model"]["out_of_fold_log_loss"]["model"] = 0.0
        session.execute(update(LearnedModel).where(LearnedModel.id == row.id).values(meta=meta))
    with pytest.raises(RegistryError, match="meta altered"):
        run_triage(workspace, "learned_v1", "t", NOW)
    result = runner.invoke(app, ["learn", "evaluate", "learned_v1", "--home", home])
    assert result.exit_code != 0 and "grace triage --scorer learned_v1" in result.output


@pytest.fixture(params=["sqlite", "postgresql"])
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    """The coordinator (europol) and nl-police, as in the exchange tests, on one backend."""
    if request.param == "sqlite":
        urls: tuple[str | None, str | None] = (None, None)
        with _pair(tmp_path, *urls) as world:
            yield world
        return
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    with (
        throwaway_database("xlearn") as nl_url,
        _pair(tmp_path, worker_database(worker), nl_url) as world,
    ):
        yield world


@contextmanager
def _pair(tmp: Path, eu_url: str | None, nl_url: str | None) -> Iterator[World]:
    europol, nl = Workspace.init(tmp / "europol", eu_url), Workspace.init(tmp / "nl", nl_url)
    try:
        with two_nodes(europol, nl, tmp) as world:
            yield world
    finally:
        nl.close()
        europol.close()


def test_outcomes_returned_by_a_peer_become_labels_at_the_coordinator(two: World) -> None:
    """nl-police records outcomes at its desk and sends them back (signed); the coordinator's
    learned_v1 labels name nl-police as their source."""
    nl, eu = two.nl.workspace, two.europol.workspace
    record_outcome(nl, 2, "safeguarded_child", None, "user:nina")
    record_outcome(nl, 3, "no_offence", None, "user:nina")
    assert [d.delivery for d in send_outcomes(nl, "user:nina")] == ["delivered"]
    with nl.sessions() as session:  # the acting desk learns from its own outcomes too
        here = {e.referral_id: e for e in triage_labels.gather(session)}
    assert {(e.label, e.source, e.node) for e in here.values()} == {
        ("urgent", "outcome", "local"),
        ("not_actionable", "outcome", "local"),
    }
    with eu.sessions() as session:
        returned = dict(
            session.execute(
                select(ExchangeOutcome.referral_id, ExchangeOutcome.outcome).where(
                    ExchangeOutcome.source == "nl-police"
                )
            ).all()
        )
        labels = {e.referral_id: e for e in triage_labels.gather(session)}
    assert sorted(returned.values()) == ["no_offence", "safeguarded_child"]
    for referral_id, outcome in returned.items():
        example = labels[referral_id]
        assert (example.source, example.node, example.outcome) == ("outcome", "nl-police", outcome)
        assert example.label == ("urgent" if outcome == "safeguarded_child" else "not_actionable")
    assert triage_labels.summary(list(labels.values()))["sources"] == {"outcome:nl-police": 2}
