"""ShardedIndex: exact fan-out over shards, persisted per shard and reloaded by a new process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from grace.matching import HammingIndex, _segment
from grace.matching.index import hamming
from grace.matching.shards import IndexShard, ShardedIndex

U8 = npt.NDArray[np.uint8]


@pytest.fixture(autouse=True)
def small_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_segment, "MIH_MIN_ROWS", 64)
    monkeypatch.setattr("grace.matching.index.MIH_MIN_ROWS", 64)


def data(seed: int = 0, n: int = 3000) -> tuple[U8, npt.NDArray[np.int64], U8]:
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    queries = base[rng.integers(0, n, 30)].copy()
    bits = np.unpackbits(queries, axis=1)
    for row, k in enumerate(rng.integers(0, 40, len(queries))):
        bits[row, rng.choice(256, k, replace=False)] ^= 1
    near = np.packbits(bits, axis=1)
    hashes = np.concatenate([base, near[:15]])  # some queries hit exactly
    return hashes, rng.permutation(len(hashes)).astype(np.int64) * 3 - 50, near


def assert_exact(index: ShardedIndex, hashes: U8, ids: npt.NDArray[np.int64], q: U8) -> None:
    for query, (got, dist) in zip(q, index.search(q, 31), strict=True):
        d = hamming(hashes, query)
        want = sorted(zip(d[d <= 31].tolist(), ids[d <= 31].tolist(), strict=True))
        assert list(zip(dist.tolist(), got.tolist(), strict=True)) == want


def test_fan_out_is_exact_and_matches_one_index(tmp_path: Path) -> None:
    hashes, ids, q = data()
    sharded = ShardedIndex.open(tmp_path, shards=3)
    sharded.add(hashes[:2000], ids[:2000])
    sharded.add(hashes[2000:], ids[2000:])
    assert [s["rows"] for s in sharded.stats()] == [int((ids % 3 == s).sum()) for s in range(3)]
    assert_exact(sharded, hashes, ids, q)
    single = HammingIndex()
    single.add(hashes, ids)
    for (a, da), (b, db) in zip(sharded.search(q), single.search(q), strict=True):
        assert np.array_equal(a, b) and np.array_equal(da, db)


def test_persisted_shards_reload_in_a_new_process(tmp_path: Path) -> None:
    hashes, ids, q = data(seed=1)
    sharded = ShardedIndex.open(tmp_path, shards=4)
    sharded.add(hashes, ids)
    sharded.save()
    np.save(tmp_path / "q.npy", q)
    script = (
        "import json, sys, numpy as np\n"
        "from grace.matching.shards import ShardedIndex\n"
        "root = sys.argv[1]\n"
        "index = ShardedIndex.open(__import__('pathlib').Path(root))\n"
        "res = index.search(np.load(root + '/q.npy'), 31)\n"
        "print(json.dumps([r[0].tolist() for r in res]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [r[0].tolist() for r in sharded.search(q)]
    with pytest.raises(ValueError, match="holds 4 shards"):
        ShardedIndex.open(tmp_path, shards=5)
    with pytest.raises(ValueError, match="number of shards"):
        ShardedIndex.open(tmp_path / "nothing")


def test_added_hash_searchable_at_once_and_durable_after_save(tmp_path: Path) -> None:
    hashes, ids, q = data(seed=2)
    sharded = ShardedIndex.open(tmp_path, shards=2)
    sharded.add(hashes, ids)
    sharded.save()
    new = np.random.default_rng(9).integers(0, 256, (1, 32), dtype=np.uint8)
    start = time.perf_counter()
    sharded.add(new, np.array([10**12 + 1]))
    found = sharded.search(new, 0)[0][0].tolist()
    assert found == [10**12 + 1] and time.perf_counter() - start < 1.0
    assert 10**12 + 1 not in ShardedIndex.open(tmp_path).search(new, 0)[0][0].tolist()
    sharded.save()
    reopened = ShardedIndex.open(tmp_path)
    assert reopened.search(new, 0)[0][0].tolist() == [10**12 + 1]
    assert_exact(reopened, np.concatenate([hashes, new]), np.append(ids, 10**12 + 1), q)


def test_segments_never_exceed_max_rows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Row numbers take 3 bytes, so a segment stops growing at MAX_ROWS: adds are split and
    merges and compaction stop short of it, and results stay exact."""
    monkeypatch.setattr(_segment, "MAX_ROWS", 700)
    hashes, ids, q = data(seed=3)
    shard = IndexShard(tmp_path)
    shard.add(hashes[:2500], ids[:2500])
    for lo in range(2500, len(hashes), 100):
        shard.add(hashes[lo : lo + 100], ids[lo : lo + 100])
    assert max(shard.index.segment_sizes) <= 700
    shard.index.compact()
    assert max(shard.index.segment_sizes) <= 700 and len(shard.index) == len(hashes)
    assert_exact(ShardedIndex([shard]), hashes, ids, q)
