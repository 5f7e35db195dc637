"""HammingIndex stays exact on skewed hashes: correlated bits and clusters of near-copies.

These exercise the adaptive parts (issue 14): the entropy-balancing bit permutation, the
per-thread seen-bitmap that verifies a cluster member once although every table holds it,
the cost-based switch to a scan for crowded queries, and the batched ragged output. Tables
are forced onto small segments (``MIH_MIN_ROWS`` lowered) so the data stays small and fast.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from grace.matching import HammingIndex, _balance, _segment
from grace.matching.index import hamming

U8 = npt.NDArray[np.uint8]


@pytest.fixture(autouse=True)
def small_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_segment, "MIH_MIN_ROWS", 64)
    monkeypatch.setattr("grace.matching.index.MIH_MIN_ROWS", 64)


def correlated(rng: np.random.Generator, n: int) -> U8:
    """Bits = signs of Gaussian factors plus noise; each run of 16 bits (one substring of the
    hash's own order, like a row of PDQ's DCT grid) shares two factors, all share one."""
    load = np.zeros((33, 256))
    load[0] = rng.normal(size=256)
    for block in range(16):
        load[1 + 2 * block : 3 + 2 * block, 16 * block : 16 * block + 16] = rng.normal(size=(2, 16))
    x = rng.normal(size=(n, 33)) @ load + rng.normal(scale=0.5, size=(n, 256))
    return np.packbits(x > 0, axis=1)


def near(rng: np.random.Generator, centre: U8, n: int, most: int) -> U8:
    bits = np.repeat(np.unpackbits(centre)[None, :], n, axis=0)
    for row, k in enumerate(rng.integers(0, most + 1, n)):
        bits[row, rng.choice(256, k, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def skewed(seed: int = 0) -> tuple[U8, U8]:
    """4,000 correlated hashes + clusters of 600 and 150 near-copies (<= 5 bits); queries
    next to the clusters, next to stored hashes (0-31 bits) and fresh draws."""
    rng = np.random.default_rng(seed)
    base = correlated(rng, 4000)
    centres = correlated(rng, 2)
    data = np.concatenate([base, near(rng, centres[0], 600, 5), near(rng, centres[1], 150, 5)])
    data = data[rng.permutation(len(data))]
    picks = data[rng.integers(0, len(data), 12)]
    queries = [near(rng, centres[i % 2], 1, 4)[0] for i in range(6)]
    queries += [near(rng, p, 1, 31)[0] for p in picks] + list(correlated(rng, 6))
    return data, np.array(queries)


def assert_exact(index: HammingIndex, data: U8, queries: U8, radius: int) -> int:
    hits = 0
    for q, (ids, dist) in zip(queries, index.search(queries, radius), strict=True):
        d = hamming(data, q)
        want = np.flatnonzero(d <= radius)
        assert sorted(ids.tolist()) == want.tolist()
        assert dist.tolist() == d[ids].tolist() and np.all(np.diff(dist) >= 0)
        hits += len(ids)
    return hits


@pytest.mark.parametrize("radius", [0, 8, 15, 16, 31, 40, 47])
def test_exact_on_correlated_bits_and_clusters(radius: int) -> None:
    data, queries = skewed()
    index = HammingIndex()
    index.add(data, np.arange(len(data)))
    hits = assert_exact(index, data, queries, radius)
    if radius == 31:
        assert hits > 6 * 150  # the cluster queries really met their clusters


@pytest.mark.parametrize(
    ("setting", "value"),
    [("SCAN_RATIO", 10**9), ("SCAN_RATIO", 0), ("PREFETCH_BUCKETS", 0), ("MAX_OUT", 50)],
)
def test_every_plan_is_exact(monkeypatch: pytest.MonkeyPatch, setting: str, value: int) -> None:
    """All-scan, all-MIH, no prefetching, many small output batches: same answer."""
    monkeypatch.setattr(_segment, setting, value)
    data, queries = skewed(seed=1)
    index = HammingIndex()
    index.add(data, np.arange(len(data)))
    assert_exact(index, data, queries, 31)


def test_balanced_permutation_spreads_correlated_bits() -> None:
    rng = np.random.default_rng(2)
    data = correlated(rng, 20_000)
    words = data.view(np.uint64)
    perm = _balance.balanced_permutation(words)
    assert sorted(perm.tolist()) == list(range(256))
    permuted = _balance.permute(words, _balance.lookup_table(perm))
    expect = np.packbits(np.unpackbits(data, axis=1)[:, perm.astype(np.intp)], axis=1)
    assert np.array_equal(permuted.view(np.uint8), expect)
    # distances survive the permutation, and substrings get more distinct values
    assert np.array_equal(hamming(data[:500], data[500:1000]),
                          hamming(expect[:500], expect[500:1000]))  # fmt: skip

    def distinct(a: U8) -> float:
        sub = np.ascontiguousarray(a).view(np.uint16)
        return float(np.mean([len(np.unique(sub[:, t])) for t in range(16)]))

    assert distinct(expect) > 1.5 * distinct(data)


def test_permutation_persists_and_old_manifests_load(tmp_path: Path) -> None:
    data, queries = skewed(seed=3)
    index = HammingIndex()
    index.add(data, np.arange(len(data)))
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert sorted(manifest["segments"][0]["perm"]) == list(range(256))
    assert_exact(HammingIndex.load(tmp_path), data, queries, 31)
    manifest["segments"][0]["perm"] = [*range(255), 0]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="permutation"):
        HammingIndex.load(tmp_path)


def test_index_saved_without_permutation_still_loads_exact(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Indexes saved before the permutation existed: tables in the hash's own bit order and
    no "perm" in the manifest. They must load and answer exactly."""
    data, queries = skewed(seed=4)
    monkeypatch.setattr(_balance, "balanced_permutation", lambda w: np.arange(256, dtype=np.int16))
    index = HammingIndex()
    index.add(data, np.arange(len(data)))
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    del manifest["segments"][0]["perm"]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    legacy = HammingIndex.load(tmp_path)
    assert legacy._segments[0].perm is None
    assert_exact(legacy, data, queries, 31)
