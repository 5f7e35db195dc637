"""Local training (plain, FedProx, DP-SGD) and the record/agency-level DP accountant."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from grace.federation import data, privacy
from grace.federation.task import TrainConfig, evaluate, init_params, train


def test_training_improves_accuracy_on_the_global_test_set() -> None:
    X, y = data.load_partition("digits", 0, 3, 0.5)
    X_test, y_test = data.global_test_set("digits")
    start = init_params(64, 10)
    before = evaluate(start, X_test, y_test)["accuracy"]
    trained, metrics = train(start, X, y, TrainConfig(epochs=5, lr=0.5))
    after = evaluate(trained, X_test, y_test)["accuracy"]
    assert before < 0.2 and after > 0.6
    assert metrics["steps"] == 5 * np.ceil(len(y) / 32)


def test_proximal_term_keeps_the_local_model_closer_to_the_global_one() -> None:
    X, y = data.load_partition("digits", 1, 10, 0.1)
    start = init_params(64, 10)
    free, _ = train(start, X, y, TrainConfig(epochs=5, lr=0.5))
    prox, _ = train(start, X, y, TrainConfig(epochs=5, lr=0.5, proximal_mu=1.0))
    assert np.linalg.norm(prox[0] - start[0]) < np.linalg.norm(free[0] - start[0])


def test_dp_sgd_clips_each_example_so_an_update_is_bounded() -> None:
    X, y = data.load_partition("digits", 0, 10, 0.5)
    start = init_params(64, 10)
    clip, lr = 0.05, 1.0
    config = TrainConfig(
        epochs=1, lr=lr, dp_noise_multiplier=1e-9, dp_max_grad_norm=clip, dp_sample_rate=0.5
    )
    new, metrics = train(start, X, y, config)
    step = np.sqrt(np.sum((new[0] - start[0]) ** 2) + np.sum((new[1] - start[1]) ** 2))
    # each step moves at most lr * C * (examples drawn / expected batch); 2 steps at rate 0.5
    assert metrics["steps"] == 2 and metrics["sample_rate"] == 0.5
    assert 0 < step <= 2 * lr * clip * 1.6
    plain, _ = train(start, X, y, TrainConfig(epochs=1, lr=lr, batch_size=len(y) // 2))
    assert np.linalg.norm(plain[0] - start[0]) > 5 * step  # unclipped moves much further


def test_record_epsilon_falls_as_noise_grows_and_rises_with_steps() -> None:
    eps = [privacy.record_epsilon(s, 0.1, 300) for s in (0.8, 1.0, 1.5, 3.0)]
    assert all(a > b for a, b in itertools.pairwise(eps))
    assert privacy.record_epsilon(1.0, 0.1, 600) > privacy.record_epsilon(1.0, 0.1, 300)
    assert privacy.record_epsilon(0.0, 0.1, 10) == float("inf")
    # no subsampling amplification is claimed at rate 1 (agency level, every agency each round)
    assert privacy.agency_epsilon(1.0, 1.0, 30) > privacy.agency_epsilon(1.0, 0.5, 30)


def test_noise_for_epsilon_meets_the_budget_with_little_slack() -> None:
    sizes = [65, 150, 243]
    sigma, eps = privacy.noise_for_epsilon(8.0, sizes, 32, 1, 10, sample_rate=0.1)
    assert eps <= 8.0
    assert privacy.worst_record_epsilon(0.95 * sigma, sizes, 32, 1, 10, sample_rate=0.1) > 8.0
    # per-agency rates: the smallest agency (largest rate, 0.49) decides and needs more noise
    assert privacy.worst_record_epsilon(sigma, sizes, 32, 1, 10) > eps
    assert privacy.dp_sgd_schedule(150, 32, 2, 30, 0.1) == (0.1, 600)
    assert privacy.dp_sgd_schedule(150, 32, 2, 30) == pytest.approx((32 / 150, 300))
