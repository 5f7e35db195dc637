"""Flower's own strategies, mods and workflows run the federation (in-process Grid)."""

from __future__ import annotations

import json

import pytest
from flwr.server.strategy import (
    DifferentialPrivacyClientSideFixedClipping,
    FedAvg,
    FedProx,
    FedTrimmedAvg,
    Krum,
)
from typer.testing import CliRunner

from grace.cli import fl_simulate_cmd
from grace.federation.simulate import SimConfig, run_federated
from grace.federation.strategies import AgencyDp, make_strategy
from grace.federation.task import init_params

SMALL = SimConfig(agencies=5, rounds=3, epochs=2, alpha=0.5)


def test_make_strategy_returns_flowers_own_classes() -> None:
    initial = init_params(64, 10)
    kinds = {"fedavg": FedAvg, "fedprox": FedProx, "trimmed": FedTrimmedAvg, "krum": Krum}
    for name, cls in kinds.items():
        assert type(make_strategy(name, min_clients=3, initial=initial)) is cls  # type: ignore[arg-type]
    wrapped = make_strategy(
        "fedavg", min_clients=3, initial=initial, agency_dp=AgencyDp(1.0, 1.0, 3)
    )
    assert isinstance(wrapped, DifferentialPrivacyClientSideFixedClipping)
    with pytest.raises(ValueError):
        make_strategy("median", min_clients=3, initial=initial)  # type: ignore[arg-type]


def test_training_rounds_improve_the_global_model() -> None:
    result = run_federated(SMALL)
    assert len(result.federated) == 3
    assert result.federated[-1] > 0.7
    assert result.round_s < 5


def test_trimmed_mean_resists_a_poisoned_agency_that_breaks_fedavg() -> None:
    # near-IID (alpha 5) so that the 3 updates kept out of 5 represent everyone's data
    mild = SimConfig(agencies=5, rounds=3, epochs=1, alpha=5.0)
    clean = run_federated(mild).federated[-1]
    fedavg = run_federated(SimConfig(**{**vars(mild), "malicious": 1})).federated[-1]
    trimmed = run_federated(
        SimConfig(**{**vars(mild), "malicious": 1, "strategy": "trimmed"})
    ).federated[-1]
    assert fedavg < 0.3 < clean - 0.3
    assert trimmed > clean - 0.1


def test_secagg_plus_and_agency_dp_run_through_flowers_workflow_and_mods() -> None:
    plain = run_federated(SMALL)
    secure = run_federated(SimConfig(**{**vars(SMALL), "secagg": True}))
    # SecAgg+ only quantises the sum: the same model, to quantisation error
    assert secure.federated[-1] == pytest.approx(plain.federated[-1], abs=0.02)
    noisy = run_federated(SimConfig(**{**vars(SMALL), "agency_dp_noise": 50.0}))
    assert noisy.agency_epsilon is not None and noisy.agency_epsilon < 1.0
    assert noisy.federated[-1] < plain.federated[-1] - 0.2  # that much noise must hurt
    with pytest.raises(ValueError, match="SecAgg"):
        run_federated(SimConfig(**{**vars(SMALL), "secagg": True, "strategy": "krum"}))


def test_simulate_cli_json_reports_all_three_curves() -> None:
    runner = CliRunner()
    result = runner.invoke(
        fl_simulate_cmd.app,
        ["--agencies", "4", "--rounds", "2", "--epochs", "1", "--dp", "--json"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(summary["curves"]["federated"]) == 2
    assert len(summary["curves"]["centralised"]) == 2 and len(summary["curves"]["local"]) == 2
    assert 0 < summary["record_epsilon"] <= 8.0
    bad = runner.invoke(fl_simulate_cmd.app, ["--strategy", "median"])
    assert bad.exit_code != 0
