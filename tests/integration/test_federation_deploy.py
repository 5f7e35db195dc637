"""Acceptance: a real Flower deployment on loopback (issue 6).

One deployment for the whole module (it costs ~1.5-2 min): a TLS SuperLink with node
authentication, three enrolled agencies, each a SuperNode over its OWN grace workspace
holding its own benign training set (a digits partition tagged with a marker string), two
rounds with SecAgg+; meanwhile an agency with an unenrolled key tries to join.
Run alone with ``pytest -m federation tests/integration/test_federation_deploy.py``.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from grace.audit.chain import AuditEvent
from grace.federation import data, deploy
from grace.federation.local import LocalFederation, wait_for_log
from grace.federation.records import digest, record_coordinator_run
from grace.learn.federated import params_from_head
from grace.learn.head import Head
from grace.learn.registry import list_versions, load_version
from grace.store.fl_tables import FlRound, FlRun
from grace.workspace import Workspace

pytestmark = pytest.mark.federation
AGENCIES = ["agency1", "agency2", "agency3"]
# ~90 s on an idle 2-core machine (Flower's 3 s polling sets the floor); a loaded one needs more.
RUN_TIMEOUT = float(os.environ.get("GRACE_FL_TEST_TIMEOUT", "240"))


@dataclass
class Deployment:
    fed: LocalFederation
    outcome: deploy.RunOutcome
    markers: dict[str, str]
    intruder_rc: int | None
    intruder_log: str


def _agency_data(home: Path, index: int, marker: str) -> None:
    """The agency's own labelled rows, in its own workspace, tagged with a marker."""
    X, y = data.load_partition("digits", index, len(AGENCIES), 0.5)
    target = home / "federation" / "train.npz"
    target.parent.mkdir(parents=True, exist_ok=True)
    np.savez(target, X=X, y=y, source=np.array([marker.encode()]))  # bytes: greppable


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    root = tmp_path_factory.mktemp("federation")
    fed = LocalFederation(root, AGENCIES)
    markers = {a: f"GRACE-PRIVATE-ROWS-{a}-{time.time_ns()}" for a in AGENCIES}
    try:
        Workspace.init(root / "coordinator").close()
        for i, agency in enumerate(AGENCIES):
            Workspace.init(fed.agency_home(agency)).close()
            _agency_data(fed.agency_home(agency), i, markers[agency])
        fed.start_server()
        fed.watch()
        nodes = [fed.start_client(a, {"workspace": str(fed.agency_home(a))}) for a in AGENCIES]
        for node in nodes:
            wait_for_log(node.log, "SuperNode ID", 120, node)
        intruder = fed.start_client("intruder", {"dataset": "digits"}, enrol=False)
        result: dict[str, deploy.RunOutcome | BaseException] = {}

        def run() -> None:
            try:
                result["outcome"] = deploy.run_app(
                    fed.coordinator, {"num-rounds": 2, "secagg": True}, timeout=RUN_TIMEOUT
                )
            except BaseException as exc:
                result["outcome"] = exc

        runner = threading.Thread(target=run)
        runner.start()
        try:
            intruder_rc: int | None = intruder.popen.wait(timeout=90)
        except subprocess.TimeoutExpired:
            intruder_rc = None
        runner.join(timeout=RUN_TIMEOUT + 20)
        fed.snapshot()
        outcome = result.get("outcome")
        if not isinstance(outcome, deploy.RunOutcome):
            pytest.fail(f"the federated run did not finish: {outcome!r}")
        coordinator = Workspace.open(root / "coordinator")
        try:
            record_coordinator_run(
                coordinator, outcome.record, actor="test", seconds=outcome.seconds
            )
        finally:
            coordinator.close()
        intruder_log = intruder.log.read_text(errors="replace")
        yield Deployment(fed, outcome, markers, intruder_rc, intruder_log)
    finally:
        fed.stop()


def _text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace") if path.is_file() else ""


def test_two_secagg_rounds_complete_with_three_enrolled_agencies(deployment: Deployment) -> None:
    outcome, fed = deployment.outcome, deployment.fed
    assert outcome.rounds == 2
    assert outcome.log.count("Secure aggregation completed.") == 2
    enrolled = sorted(fed.node_ids.values())
    assert outcome.record["participants"] == enrolled
    for item in outcome.record["rounds"]:
        assert item["fit"]["participants"] == enrolled
        assert item["fit"]["results"] == 3 and item["fit"]["failures"] == 0
        assert item["evaluate"]["participants"] == enrolled
        assert 0.0 <= item["evaluate"]["metrics"]["accuracy"] <= 1.0


def test_every_party_records_the_run(deployment: Deployment) -> None:
    outcome, fed = deployment.outcome, deployment.fed
    coordinator = Workspace.open(fed.root / "coordinator")
    try:
        versions = list_versions(coordinator, "federated_head")
        assert [v.origin for v in versions] == [f"federated:run-{outcome.run_id}"]
        with coordinator.sessions() as session:
            run = session.scalars(select(FlRun).where(FlRun.role == "coordinator")).one()
            assert run.participants == sorted(fed.node_ids.values())
            assert run.model_version == versions[0].version
            assert session.scalars(select(FlRound).where(FlRound.run_id == run.id)).all()
            event = session.scalars(select(AuditEvent).where(AuditEvent.action == "fl_run")).one()
            assert event.details["participants"] == run.participants
            global_sha = run.model_sha256
    finally:
        coordinator.close()
    for agency in AGENCIES:
        ws = Workspace.open(fed.agency_home(agency))
        try:
            with ws.sessions() as session:
                run = session.scalars(select(FlRun).where(FlRun.role == "participant")).one()
                assert run.flower_run_id == outcome.run_id
                assert run.model_sha256 == global_sha  # the same global model reached it
                fits = session.scalars(select(FlRound).where(FlRound.phase == "fit")).all()
                assert sorted(r.round for r in fits) == [1, 2]
                assert all(r.sent["shapes"] == [[64, 10], [10]] for r in fits)
                actions = session.scalars(select(AuditEvent.action)).all()
                assert actions.count("fl_participate") == 2
                assert "fl_receive_model" in actions
            [version] = list_versions(ws, "federated_head")
            assert version.status == "candidate"  # the agency decides whether to use it
            arrays, meta = load_version(ws, "federated_head", version.version)
            # Stored as a head grace can predict with; it folds back to the exact global model.
            head = Head.from_registry(arrays, meta)
            assert head.classes == [str(i) for i in range(10)]
            assert digest(params_from_head(head)) == global_sha
        finally:
            ws.close()


def test_unenrolled_agency_is_refused(deployment: Deployment) -> None:
    assert deployment.intruder_rc == 1
    assert "Failed to activate SuperNode" in deployment.intruder_log
    superlink_log = _text(deployment.fed.root / "logs" / "superlink.log")
    assert "No SuperNode found with the given public key" in superlink_log


def test_coordinator_never_holds_client_data(deployment: Deployment) -> None:
    fed = deployment.fed
    coordinator_files = [p for p in (fed.root / "coordinator").rglob("*") if p.is_file()]
    coordinator_files.append(fed.root / "logs" / "superlink.log")
    stored = "\n".join(_text(p) for p in coordinator_files) + deployment.outcome.log
    assert (fed.root / "coordinator" / "federation" / "superlink.db").exists()
    for agency in AGENCIES:
        home = fed.agency_home(agency)
        marker = deployment.markers[agency]
        # the search does find the marker where it lives: the agency's own training file
        assert marker in _text(home / "federation" / "train.npz")
        assert marker not in stored
        assert str(home) not in stored
        assert not any(f.startswith(str(home)) for f in fed.server_files)


def test_every_flower_process_has_telemetry_and_update_checks_off(
    deployment: Deployment,
) -> None:
    seen = deployment.fed.seen
    names = (
        "flower-superlink",
        "flower-superexec",
        "flwr-serverapp",
        "flower-supernode",
        "flwr-clientapp",
        "bin/flwr run",
        "bin/flwr supernode register",
    )
    kinds = {name for env in seen.values() for name in names if name in env["__cmd__"]}
    assert set(names) - {"bin/flwr supernode register"} <= kinds, kinds
    for env in seen.values():
        assert env.get("FLWR_TELEMETRY_ENABLED") == "0", env["__cmd__"]
        assert env.get("FLWR_DISABLE_UPDATE_CHECK") == "1", env["__cmd__"]
        assert env.get("FLWR_HOME", "").startswith(str(deployment.fed.root)), env["__cmd__"]
