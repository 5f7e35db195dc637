"""HammingIndex: exact against numpy brute force, incremental, persistent without pickle.

Segments below ``MIH_MIN_ROWS`` are brute-force scanned, so the tests that must exercise the
bucket tables lower that threshold (monkeypatched) instead of building 262k-row segments.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from grace.matching import HammingIndex, _segment
from grace.matching.index import array_to_hex, hamming, hex_to_array
from shared_data import CONFORMANCE

PDQ = CONFORMANCE / "pdq"
U8 = npt.NDArray[np.uint8]


@pytest.fixture
def small_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give every segment of >= 64 rows bucket tables, so tiny data exercises MIH."""
    monkeypatch.setattr(_segment, "MIH_MIN_ROWS", 64)
    monkeypatch.setattr("grace.matching.index.MIH_MIN_ROWS", 64)


def flip(rng: np.random.Generator, code: U8, k: int) -> U8:
    out = code.copy()
    for bit in rng.choice(256, k, replace=False):
        out[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


def dataset(seed: int = 0, n: int = 3000) -> tuple[U8, U8]:
    """Random hashes + near-duplicates of the queries at every distance 0..40."""
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, (20, 32), dtype=np.uint8)
    planted = [flip(rng, q, d) for q in queries for d in range(41)]
    data = np.concatenate([data, np.array(planted)])
    return data[rng.permutation(len(data))], queries


def brute(data: U8, ids: npt.NDArray[np.int64], q: U8, radius: int) -> dict[int, int]:
    best: dict[int, int] = {}
    for i, d in zip(ids.tolist(), hamming(data, q).tolist(), strict=True):
        if d <= radius:
            best[i] = min(d, best.get(i, 999))
    return best


def check(index: HammingIndex, data: U8, ids: npt.NDArray[np.int64], queries: U8, r: int) -> None:
    results = index.search(queries, r)
    assert len(results) == len(queries)
    for q, (got_ids, got_dist) in zip(queries, results, strict=True):
        assert got_ids.dtype == np.int64 and got_dist.dtype == np.int16
        assert dict(zip(got_ids.tolist(), got_dist.tolist(), strict=True)) == brute(data, ids, q, r)
        assert np.all(np.diff(got_dist) >= 0)


@pytest.mark.parametrize("radius", [0, 7, 8, 15, 16, 31, 32, 40, 47, 48, 60])
def test_exact_vs_brute_force(small_tables: None, radius: int) -> None:
    data, queries = dataset()
    ids = np.arange(len(data), dtype=np.int64)
    index = HammingIndex()
    index.add(data, ids)
    assert index.segment_sizes == [len(data)]
    check(index, data, ids, queries, radius)


def test_brute_force_segment_is_exact() -> None:
    data, queries = dataset(seed=1)
    ids = np.arange(len(data), dtype=np.int64)
    index = HammingIndex()
    index.add(data, ids)
    for radius in (0, 31, 45):
        check(index, data, ids, queries, radius)


def test_incremental_adds_and_compact(small_tables: None) -> None:
    data, queries = dataset(seed=2, n=4000)
    ids = np.arange(len(data), dtype=np.int64)
    index = HammingIndex()
    cuts = [0, 2000, 2500, 2600, 2610, 3500, len(data)]
    for a, b in itertools.pairwise(cuts):
        index.add(data[a:b], ids[a:b])
        assert len(index) == b
        # just-added hashes are matchable at once
        assert all(i in r[0] for i, r in zip(ids[a:b], index.search(data[a:b], 0), strict=True))
    assert len(index.segment_sizes) > 1
    check(index, data, ids, queries, 31)
    index.compact()
    assert index.segment_sizes == [len(data)]
    check(index, data, ids, queries, 31)
    check(index, data, ids, queries, 12)


def test_duplicate_ids_return_min_distance(small_tables: None) -> None:
    data, queries = dataset(seed=3, n=500)
    ids = np.arange(len(data), dtype=np.int64) % 97  # many hashes share an id
    index = HammingIndex()
    index.add(data[:300], ids[:300])
    index.add(data[300:], ids[300:])
    check(index, data, ids, queries, 31)
    for got_ids, _ in index.search(queries, 31):
        assert len(set(got_ids.tolist())) == len(got_ids)


def test_save_load_round_trip_without_pickle(small_tables: None, tmp_path: Path) -> None:
    data, queries = dataset(seed=4)
    ids = np.arange(len(data), dtype=np.int64) * 7
    index = HammingIndex()
    index.add(data[:2000], ids[:2000])
    index.add(data[2000:], ids[2000:])
    index.save(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["rows"] == len(data)
    for path in tmp_path.glob("*.npy"):
        np.load(path, allow_pickle=False)
    for mmap in (True, False):
        loaded = HammingIndex.load(tmp_path, mmap=mmap)
        assert loaded.segment_sizes == index.segment_sizes and len(loaded) == len(index)
        for (a_ids, a_d), (b_ids, b_d) in zip(
            index.search(queries), loaded.search(queries), strict=True
        ):
            assert np.array_equal(a_ids, b_ids) and np.array_equal(a_d, b_d)
    # add after load, save incrementally into the same directory, reload
    loaded = HammingIndex.load(tmp_path)
    extra = np.random.default_rng(5).integers(0, 256, (10, 32), dtype=np.uint8)
    loaded.add(extra, np.arange(10, dtype=np.int64) - 100)
    loaded.compact()
    loaded.save(tmp_path)
    again = HammingIndex.load(tmp_path)
    assert len(again) == len(data) + 10
    assert [r[0].tolist() for r in again.search(extra, 0)] == [[i - 100] for i in range(10)]
    assert len(list(tmp_path.glob("*.npy"))) == 5  # one compacted segment, old files removed


def test_load_rejects_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "x", "version": 1}))
    with pytest.raises(ValueError):
        HammingIndex.load(tmp_path)


def test_empty_cases(tmp_path: Path) -> None:
    index = HammingIndex()
    q = np.zeros((3, 32), np.uint8)
    assert len(index) == 0 and index.bytes_per_hash == 0.0
    assert [len(r[0]) for r in index.search(q)] == [0, 0, 0]
    assert index.search(np.zeros((0, 32), np.uint8)) == []
    index.add(np.zeros((0, 32), np.uint8), np.zeros(0, np.int64))
    index.compact()
    index.save(tmp_path)
    assert len(HammingIndex.load(tmp_path)) == 0
    index.add(q[:1], np.array([5]))
    assert index.search(np.zeros((0, 32), np.uint8)) == []
    ids, dist = index.search(q)[0]
    assert ids.tolist() == [5] and dist.tolist() == [0]


def test_input_validation() -> None:
    index = HammingIndex()
    with pytest.raises(ValueError):
        index.add(np.zeros((2, 31), np.uint8), np.arange(2))
    with pytest.raises(ValueError):
        index.add(np.zeros((2, 32), np.uint8), np.arange(3))
    with pytest.raises(ValueError):
        index.search(np.zeros((1, 32), np.uint8), radius=-1)
    with pytest.raises(ValueError):
        hex_to_array(["abc"])


def test_hex_helpers() -> None:
    hexes = ["f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22", "0" * 64]
    arr = hex_to_array(hexes)
    assert arr.shape == (2, 32) and arr[0].tobytes() == bytes.fromhex(hexes[0])
    assert array_to_hex(arr) == hexes
    assert hamming(arr[0], arr[1]).tolist() == bin(int(hexes[0], 16)).count("1")


def test_pdq_conformance_needles_vs_haystack(small_tables: None) -> None:
    folder = PDQ / "reg-test-input"
    if not (folder / "needles.txt").is_file():
        pytest.skip(f"conformance samples not found at {folder}")
    needles = hex_to_array((folder / "needles.txt").read_text().split())
    haystack = hex_to_array((folder / "haystack.txt").read_text().split())
    assert (len(needles), len(haystack)) == (100, 1350)
    dist = hamming(needles[:, None, :], haystack[None, :, :])
    expected = {(int(i), int(j)) for i, j in zip(*np.nonzero(dist <= 31), strict=True)}
    assert len(expected) == 250
    index = HammingIndex()
    index.add(haystack, np.arange(len(haystack), dtype=np.int64))
    found = {(i, int(j)) for i, (ids, _) in enumerate(index.search(needles, 31)) for j in ids}
    assert found == expected
    assert {i for i, _ in found} == set(range(100))
