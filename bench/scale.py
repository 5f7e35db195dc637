"""Sharded Hamming index at scale: qps at radius 31, recall vs brute force, memory, freshness.

``--n`` uniform random 256-bit hashes (default 100 M) are spread over ``--shards`` in-process
shards (:class:`grace.matching.shards.ShardedIndex`, id % shards), each built in one go from
data generated per shard (reproducible from the seed, so the brute-force truth regenerates it
instead of holding a second copy). Queries: half stored hashes with 0-31 bits flipped, half
fresh random codes. Reported (last line, one JSON object): ``index_n``, ``index_shards``,
``index_qps`` (best of ``--passes`` passes; with ``index_queries_per_cpu_s`` and the load
average, as the machine may be shared), ``index_recall`` (grace vs ``faiss.IndexBinaryFlat`` over
all shards, on ``--recall-queries`` of the queries), ``bytes_per_hash`` (index arrays) and
``rss_bytes_per_hash`` (the whole process's peak RSS, everything included), ``build_s``,
``add_to_searchable_s`` (one new hash: ``add`` until a search returns it), and with
``--persist`` the save and reload times of the shard files.

First, when ``GRACE_TEST_DATABASE_URL`` names a PostgreSQL server (cluster mode needs one),
``media_per_s_1_worker`` and ``media_per_s_2_workers``: media analysis on a TLS Dask cluster of
two workers on loopback, one worker against both in the same run (``bench/cluster.py``, whose
keys are merged here under ``media_``; ``--media-referrals 0`` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from grace.matching.shards import IndexShard, ShardedIndex

U8 = npt.NDArray[np.uint8]


def shard_rows(seed: int, n: int, shards: int, s: int) -> tuple[U8, npt.NDArray[np.int64]]:
    """Shard ``s``'s hashes (ids ``s, s + shards, ...``), the same on every call."""
    ids = np.arange(s, n, shards, dtype=np.int64)
    rng = np.random.default_rng([seed, s])
    return rng.integers(0, 256, (len(ids), 32), dtype=np.uint8), ids


def flip(rng: np.random.Generator, codes: U8, max_flips: int) -> None:
    bits = np.unpackbits(codes, axis=1)
    for row, k in enumerate(rng.integers(0, max_flips + 1, len(codes))):
        bits[row, rng.choice(256, k, replace=False)] ^= 1
    codes[:] = np.packbits(bits, axis=1)


def build(args: argparse.Namespace, root: Path, rng: np.random.Generator) -> tuple[Any, U8]:
    sharded = ShardedIndex.open(root, shards=args.shards)
    picks: list[U8] = []
    for s, shard in enumerate(sharded.shards):
        hashes, ids = shard_rows(args.seed, args.n, args.shards, s)
        picks.append(hashes[rng.integers(0, len(hashes), args.queries // 2 // args.shards + 1)])
        shard.add(hashes, ids)
        del hashes, ids
        print(f"shard {s} built", flush=True)
    near = np.concatenate(picks)[: args.queries // 2].copy()
    flip(rng, near, args.radius)
    fresh = rng.integers(0, 256, (args.queries - len(near), 32), dtype=np.uint8)
    queries = np.concatenate([near, fresh])
    return sharded, queries[rng.permutation(len(queries))]


def truth(args: argparse.Namespace, queries: U8) -> list[set[int]]:
    """Brute force over every shard's regenerated rows (faiss radius is exclusive)."""
    found: list[set[int]] = [set() for _ in queries]
    for s in range(args.shards):
        hashes, ids = shard_rows(args.seed, args.n, args.shards, s)
        flat = faiss.IndexBinaryFlat(256)
        flat.add(hashes)
        lims, _, labels = flat.range_search(queries, args.radius + 1)
        for i in range(len(queries)):
            found[i].update(ids[labels[lims[i] : lims[i + 1]]].tolist())
        del flat, hashes, ids
    return found


def best_qps(
    sharded: ShardedIndex, queries: U8, radius: int, passes: int
) -> tuple[Any, float, float]:
    """Best wall-clock q/s of ``passes`` passes, and queries per CPU-second of this process
    (all threads): on a shared machine the first depends on the neighbours, the second less."""
    best, per_cpu, res = 0.0, 0.0, None
    for _ in range(passes):
        start, cpu = time.perf_counter(), time.process_time()
        res = sharded.search(queries, radius)
        best = max(best, len(queries) / (time.perf_counter() - start))
        per_cpu = max(per_cpu, len(queries) / (time.process_time() - cpu))
    return res, best, per_cpu


def media(args: argparse.Namespace) -> dict[str, Any]:
    """Media/s with one and two cluster workers (bench/cluster.py), before the index is built."""
    admin = os.environ.get("GRACE_TEST_DATABASE_URL")
    if not admin or args.media_referrals <= 0:
        why = "skipped (--media-referrals 0)" if admin else "needs GRACE_TEST_DATABASE_URL"
        return {"media_per_s_1_worker": None, "media_per_s_2_workers": None, "media_note": why}
    import cluster  # bench/cluster.py, beside this file

    found = cluster.run(
        admin,
        argparse.Namespace(
            referrals=args.media_referrals, seed=14, repeats=2, chunk=16, no_end_to_end=True
        ),
    )
    keep = ("media_per_s_1_worker", "media_per_s_2_workers")
    print(json.dumps(found), flush=True)
    return {
        **{k: found[k] for k in keep},
        **{f"media_{k}": v for k, v in found.items() if k not in keep and k != "media"},
        "media_items": found["media"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000_000)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--recall-queries", type=int, default=100)
    ap.add_argument("--radius", type=int, default=31)
    ap.add_argument("--passes", type=int, default=3, help="query passes (best one counts)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--persist", action="store_true", help="also time save and reload")
    ap.add_argument("--root", type=Path, default=None, help="shard directory (default: temp)")
    ap.add_argument("--media-referrals", type=int, default=300, help="0: no media part")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    out: dict[str, Any] = {"index_n": args.n, "index_shards": args.shards, **media(args)}
    with tempfile.TemporaryDirectory(dir=args.root) as tmp:
        root = Path(tmp) / "index"
        warm = IndexShard(Path(tmp) / "warm")  # numba JIT / cache load outside the timings
        warm.add(rng.integers(0, 256, (300_000, 32), dtype=np.uint8), np.arange(300_000))
        warm.search(rng.integers(0, 256, (4, 32), dtype=np.uint8), args.radius)
        del warm
        start = time.perf_counter()
        sharded, queries = build(args, root, rng)
        out["build_s"] = round(time.perf_counter() - start, 1)
        stats = sharded.stats()
        out["bytes_per_hash"] = round(sum(s["bytes"] for s in stats) / args.n, 1)
        res, qps, per_cpu = best_qps(sharded, queries, args.radius, args.passes)
        out["index_qps"] = round(qps, 1)
        out["index_queries_per_cpu_s"] = round(per_cpu, 1)
        out["load_average"] = round(os.getloadavg()[0], 1)
        out["hits_per_query"] = round(sum(len(r[0]) for r in res) / len(queries), 2)
        print(json.dumps(out), flush=True)
        nr = min(args.recall_queries, len(queries))
        want = truth(args, queries[:nr])
        got = [set(r[0].tolist()) for r in res[:nr]]
        expected = sum(len(w) for w in want)
        out["index_recall"] = sum(len(w & g) for w, g in zip(want, got, strict=True)) / max(
            expected, 1
        )
        out["recall_queries"], out["recall_true_hits"] = nr, expected
        out["extra_results"] = sum(len(g - w) for w, g in zip(want, got, strict=True))
        new = rng.integers(0, 256, (1, 32), dtype=np.uint8)
        start = time.perf_counter()
        sharded.add(new, np.array([args.n]))
        hit = args.n in sharded.search(new, 0)[0][0].tolist()
        out["add_to_searchable_s"] = round(time.perf_counter() - start, 4) if hit else None
        if args.persist:
            start = time.perf_counter()
            sharded.save()
            out["save_s"] = round(time.perf_counter() - start, 1)
            del sharded, res
            start = time.perf_counter()
            sharded = ShardedIndex.open(root)
            out["reload_s"] = round(time.perf_counter() - start, 1)
            again = sharded.search(new, 0)[0][0].tolist()
            out["reloaded_has_added_hash"] = args.n in again
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        out["rss_bytes_per_hash"] = round(peak / args.n, 1)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
