"""Calibrated heads on benign proxy data: accuracy, calibration, exact export, thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits

from grace.learn.head import Head, fit_head, fit_with_estimator
from grace.learn.metrics import evaluate, expected_calibration_error
from grace.learn.thresholds import choose, load_policy, per_agency, threshold_for


def gaussian_embeddings(n: int, classes: int = 3, dim: int = 16, seed: int = 0):
    """Synthetic 'embeddings': one Gaussian cloud per (benign, proxy) class."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=1.2, size=(classes, dim))
    y = rng.integers(0, classes, size=n)
    x = centres[y] + rng.normal(size=(n, dim))
    return x, [f"proxy:{c}" for c in y]


@pytest.mark.parametrize("kind", ["logistic", "mlp"])
def test_exported_arrays_predict_exactly_as_scikit_learn(kind: str) -> None:
    x, y = gaussian_embeddings(160)
    for labels in (y, ["a" if v == "proxy:0" else "b" for v in y]):
        head, estimator = fit_with_estimator(x[:120], labels[:120], kind=kind)  # type: ignore[arg-type]
        z = (x[120:] - head.mean) / head.scale
        np.testing.assert_allclose(
            head.predict_proba(x[120:]), estimator.predict_proba(z), atol=1e-6
        )
        again = Head.from_registry(head.arrays, head.meta())
        np.testing.assert_array_equal(again.predict_proba(x[120:]), head.predict_proba(x[120:]))


def test_gaussian_embeddings_are_learned_and_calibrated() -> None:
    x, y = gaussian_embeddings(900, seed=1)
    head = fit_head(x[:600], y[:600])
    metrics = evaluate(y[600:], head.predict_proba(x[600:]), head.classes)
    assert metrics["accuracy"] > 0.9 and metrics["auc"] > 0.97
    assert metrics["ece"] < 0.06
    assert set(metrics["per_class"]) == {"proxy:0", "proxy:1", "proxy:2"}


def test_digits_features_with_proxy_labels() -> None:
    digits_x, digits_y = load_digits(n_class=4, return_X_y=True)
    labels = [f"digit-{v}" for v in digits_y]
    head = fit_head(digits_x[:500], labels[:500])
    metrics = evaluate(labels[500:], head.predict_proba(digits_x[500:]), head.classes)
    assert metrics["accuracy"] > 0.9 and metrics["ece"] < 0.06


def test_expected_calibration_error_of_known_cases() -> None:
    honest = np.tile([0.8, 0.2], (10, 1))
    truth = np.array([0] * 8 + [1] * 2)
    assert expected_calibration_error(truth, honest) == pytest.approx(0.0)
    assert expected_calibration_error(np.ones(10, dtype=int), honest) == pytest.approx(0.8)


def test_too_few_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="2\\+ classes"):
        fit_head(np.zeros((5, 2)), ["a", "a", "a", "b", "b"])


def test_thresholds_reach_each_agencys_target() -> None:
    rng = np.random.default_rng(3)
    truth = rng.integers(0, 2, size=400)
    scores = np.clip(truth * 0.35 + rng.uniform(0, 0.65, size=400), 0, 1)
    loose = choose(truth, scores, "recall", 0.9)
    strict = choose(truth, scores, "precision", 0.95)
    assert loose["recall"] >= 0.9 and strict["precision"] >= 0.95
    assert strict["threshold"] > loose["threshold"]
    assert choose(truth, scores, "precision", 1.0)["threshold"] is not None
    assert choose(np.zeros(5, dtype=int), scores[:5], "recall", 0.5)["threshold"] is None

    policy = {
        "default": {"target": "recall", "value": 0.9},
        "NL": {"target": "precision", "value": 0.95},
    }
    labels = ["yes" if t else "no" for t in truth]
    proba = np.column_stack([1 - scores, scores])
    table = per_agency(policy, labels, proba, ["no", "yes"])
    assert threshold_for(table, "NL", "yes") == strict["threshold"]
    assert threshold_for(table, "elsewhere", "yes") == loose["threshold"]


def test_threshold_policy_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "thresholds.yaml"
    path.write_text(
        "default: {target: precision, value: 0.8}\nagencies:\n  NL: {target: recall, value: 0.95}\n"
    )
    assert load_policy(path) == {
        "default": {"target": "precision", "value": 0.8},
        "NL": {"target": "recall", "value": 0.95},
    }
    path.write_text("agencies:\n  NL: {target: speed, value: 2}\n")
    with pytest.raises(ValueError, match="target must be"):
        load_policy(path)


@pytest.mark.parametrize("classes", [2, 3])
def test_logistic_head_folds_exactly_into_federated_parameters(classes: int) -> None:
    from grace.federation import task
    from grace.learn.federated import head_from_params, params_from_head

    x, y = gaussian_embeddings(150, classes=classes, seed=4)
    head = fit_head(x[:100], y[:100])
    params = params_from_head(head)
    assert params[0].shape == (16, classes) and params[1].shape == (classes,)
    np.testing.assert_allclose(
        task.predict_proba(params, x[100:]), head.predict_proba(x[100:]), atol=1e-9
    )
    back = head_from_params(params, head.classes)
    np.testing.assert_allclose(back.predict_proba(x[100:]), head.predict_proba(x[100:]), atol=1e-9)
    with pytest.raises(ValueError, match="do not fit"):
        head_from_params(params, ["only-one"])
