"""Non-IID partitioning of the benign digits dataset: deterministic, disjoint, skewed."""

from __future__ import annotations

import numpy as np

from grace.federation import data


def _label_entropy(y: np.ndarray) -> float:
    p = np.bincount(y, minlength=10) / len(y)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def test_global_test_set_is_balanced_and_held_out() -> None:
    X_test, y_test = data.global_test_set("digits")
    X_train, _ = data.train_set("digits")
    assert np.all(np.bincount(y_test) == data.TEST_PER_CLASS)
    train_rows = {row.tobytes() for row in X_train}
    # digits has a few duplicate images; nearly all test rows must be unseen in training.
    assert sum(row.tobytes() in train_rows for row in X_test) <= 3


def test_partitions_are_deterministic_disjoint_and_cover_the_training_set() -> None:
    _, y = data.train_set("digits")
    first = [data.load_partition("digits", i, 10, 0.5, seed=3)[1] for i in range(10)]
    again = [data.load_partition("digits", i, 10, 0.5, seed=3)[1] for i in range(10)]
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    rows = data.dirichlet_partition(tuple(int(v) for v in y), 10, 0.5, 3)
    flat = [i for part in rows for i in part]
    assert sorted(flat) == list(range(len(y)))
    assert min(len(p) for p in rows) >= data.MIN_PARTITION
    other = data.dirichlet_partition(tuple(int(v) for v in y), 10, 0.5, 4)
    assert rows != other


def test_smaller_alpha_is_more_skewed_than_larger_and_than_iid() -> None:
    _, y = data.train_set("digits")
    entropy = {}
    for alpha in (0.1, 0.5, 1000.0):
        parts = [data.load_partition("digits", i, 10, alpha)[1] for i in range(10)]
        entropy[alpha] = np.mean([_label_entropy(p) for p in parts])
    assert entropy[0.1] < entropy[0.5] < entropy[1000.0]
    assert entropy[1000.0] > 0.95 * _label_entropy(y)  # huge alpha is close to IID
