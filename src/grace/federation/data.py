"""Benign, offline datasets for federated simulation, split non-IID across agencies.

The dataset is scikit-learn's bundled handwritten digits (1,797 8x8 images, 10 classes): it
installs with scikit-learn, so nothing is downloaded, and it is benign. A balanced global test set
(``TEST_PER_CLASS`` images of every class) is held out once; the rest is divided among agencies
with the label-Dirichlet scheme of NIID-Bench (Li et al. 2022): for every class, the share of
each agency is drawn from ``Dir(alpha)``; small alpha (0.1) gives agencies one or two classes,
0.5 a skewed mix. Draws repeat until every agency has at least ``MIN_PARTITION`` examples, as
NIID-Bench does. Everything is seeded, so a (partition_id, num_partitions, alpha, seed) tuple
always names the same rows on every machine: a SuperNode can load its own partition by id.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

DATASETS = ("digits",)
TEST_PER_CLASS = 30
MIN_PARTITION = 10
_SPLIT_SEED = 20240601

Arrays = tuple[NDArray[np.float64], NDArray[np.int64]]


@lru_cache(maxsize=4)
def _load(dataset: str) -> tuple[Arrays, Arrays]:
    """(train, test) with features scaled to [0, 1]; test has TEST_PER_CLASS rows per class."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = np.asarray(bunch.data, dtype=np.float64) / 16.0
    y = np.asarray(bunch.target, dtype=np.int64)
    rng = np.random.default_rng(_SPLIT_SEED)
    test_idx = np.concatenate(
        [rng.permutation(np.flatnonzero(y == c))[:TEST_PER_CLASS] for c in np.unique(y)]
    )
    train_mask = np.ones(len(y), dtype=bool)
    train_mask[test_idx] = False
    return (X[train_mask], y[train_mask]), (X[np.sort(test_idx)], y[np.sort(test_idx)])


def train_set(dataset: str = "digits") -> Arrays:
    """All training rows pooled (the 'centralised' baseline's data)."""
    return _load(dataset)[0]


def global_test_set(dataset: str = "digits") -> Arrays:
    """The one balanced held-out test set every model is scored on."""
    return _load(dataset)[1]


def n_features_classes(dataset: str = "digits") -> tuple[int, int]:
    """Model shape for ``task.init_params``."""
    X, y = train_set(dataset)
    return int(X.shape[1]), int(y.max()) + 1


@lru_cache(maxsize=32)
def dirichlet_partition(
    labels: tuple[int, ...], num_partitions: int, alpha: float, seed: int = 0
) -> tuple[tuple[int, ...], ...]:
    """Row indices of each partition (label-Dirichlet split); deterministic for a given seed."""
    if num_partitions < 1:
        raise ValueError("num_partitions must be at least 1")
    if alpha <= 0:
        raise ValueError("alpha must be positive")
    y = np.asarray(labels)
    if num_partitions * MIN_PARTITION > len(y):
        raise ValueError(f"{len(y)} rows cannot give {num_partitions} partitions")
    rng = np.random.default_rng(seed)
    for _ in range(1000):
        parts: list[list[int]] = [[] for _ in range(num_partitions)]
        for c in np.unique(y):
            rows = rng.permutation(np.flatnonzero(y == c))
            shares = rng.dirichlet(np.full(num_partitions, alpha))
            cuts = (np.cumsum(shares) * len(rows)).astype(int)[:-1]
            for part, chunk in zip(parts, np.split(rows, cuts), strict=True):
                part.extend(int(i) for i in chunk)
        if min(len(p) for p in parts) >= MIN_PARTITION:
            return tuple(tuple(sorted(p)) for p in parts)
    raise RuntimeError("could not draw a partition with enough rows per agency")


def load_partition(
    dataset: str, partition_id: int, num_partitions: int, alpha: float, seed: int = 0
) -> Arrays:
    """The training rows of agency ``partition_id`` (0-based) out of ``num_partitions``."""
    if not 0 <= partition_id < num_partitions:
        raise ValueError(f"partition_id must be in [0, {num_partitions})")
    X, y = train_set(dataset)
    rows = dirichlet_partition(tuple(int(v) for v in y), num_partitions, alpha, seed)
    idx = np.asarray(rows[partition_id], dtype=np.int64)
    return X[idx], y[idx]


def split_validation(
    X: NDArray[np.float64], y: NDArray[np.int64], fraction: float = 0.2, seed: int = 0
) -> tuple[Arrays, Arrays]:
    """Hold out part of an agency's own rows for its local evaluation (never leaves it)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    cut = max(1, int(len(y) * fraction)) if len(y) > 1 else 0
    val, tr = order[:cut], order[cut:]
    return (X[tr], y[tr]), (X[val], y[val])
