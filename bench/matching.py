"""Hamming range search: grace's HammingIndex vs faiss brute force and HMA's multi-index hash.

Data: ``n`` hashes, of which 90 % are uniform random 256-bit codes and 10 % are near-duplicate
clusters (10 variants 0-40 bits away from a random centre), so queries have true neighbours.
Queries are cluster members with 0-31 random bits flipped. All in one run: grace build time,
time to add 1 M more hashes to the built index, memory per hash, queries/s for grace, for
``faiss.IndexBinaryFlat.range_search`` (on ``--flat-queries`` of the queries when a full run
would take too long) and optionally for ``faiss.IndexBinaryMultiHash(256, 16, 16)`` with
nflip=1 (HMA's configuration), recall of grace against flat on the same queries, save and
reload time. The last line printed is one JSON object.

Then a skewed population (``bench/skewed_data.py``: correlated bits plus Zipf-sized clusters of
near-copies, ``--skewed-n`` hashes) with two query sets, each timed best of three for grace and
for flat (``IndexBinaryFlat.range_search``; also grace's own scan kernel, ``*_numba_scan_qps``)
in the same run: skewed queries (half stored hashes
with 0-31 bits flipped, half fresh draws of the same model) and cluster queries (0-4 bits from
the centres of the 20 biggest clusters, thousands of hits each). Recall is against flat.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from grace.matching import HammingIndex
from skewed_data import flip_bits as skew_flip
from skewed_data import population, queries

CLUSTER = 10


def flip_bits(rng: np.random.Generator, codes: npt.NDArray[np.uint8], counts: Any) -> None:
    """Flip ``counts[i]`` distinct random bits of ``codes[i]`` in place."""
    order = rng.random((codes.shape[0], 256)).argsort(axis=1)
    mask = np.zeros((codes.shape[0], 256), bool)
    mask[np.arange(256)[None, :] < np.asarray(counts)[:, None]] = True
    flips = np.zeros_like(mask)
    np.put_along_axis(flips, order, mask, axis=1)
    codes ^= np.packbits(flips, axis=1)


def make_data(
    rng: np.random.Generator, n: int, nq: int
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    data = rng.integers(0, 256, (n, 32), dtype=np.uint8)
    n_clustered = max(n // 10 // CLUSTER * CLUSTER, CLUSTER)
    centres = rng.integers(0, 256, (n_clustered // CLUSTER, 32), dtype=np.uint8)
    variants = np.repeat(centres, CLUSTER, axis=0)
    for start in range(0, n_clustered, 200_000):
        part = variants[start : start + 200_000]
        flip_bits(rng, part, rng.integers(0, 41, part.shape[0]))
    slots = rng.choice(n, n_clustered, replace=False)
    data[slots] = variants
    queries = data[rng.choice(slots, nq)].copy()
    flip_bits(rng, queries, rng.integers(0, 32, nq))
    return data, queries


def faiss_range(index: Any, queries: npt.NDArray[np.uint8], radius: int) -> list[set[int]]:
    lims, _, labels = index.range_search(queries, radius + 1)  # faiss radius is exclusive
    return [set(labels[lims[i] : lims[i + 1]].tolist()) for i in range(len(queries))]


def timed_qps(nq: int, fn: Any, *args: Any) -> tuple[Any, float]:
    """``fn(*args)`` and the queries/s it achieved on ``nq`` queries."""
    start = time.perf_counter()
    out = fn(*args)
    return out, nq / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--radius", type=int, default=31)
    ap.add_argument(
        "--flat-queries",
        type=int,
        default=2_000,
        help="faiss flat/MIH run on this many of the queries (0 = all)",
    )
    ap.add_argument("--skip-hma", action="store_true", help="skip IndexBinaryMultiHash")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skewed-n", type=int, default=2_000_000, help="0 = skip")
    ap.add_argument("--skewed-queries", type=int, default=2_000)
    ap.add_argument("--skip-uniform", action="store_true", help="only the skewed population")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    out: dict[str, Any] = {"n": args.n, "queries": args.queries, "radius": args.radius}
    if not args.skip_uniform:
        uniform(args, rng, out)
    if args.skewed_n:
        skewed(args, rng, out)
    print(json.dumps(out), flush=True)


def best_qps(nq: int, fn: Any, *args: Any, repeat: int = 3) -> tuple[Any, float]:
    """Best of ``repeat`` runs: the machine is shared, so the fastest run is the least noisy."""
    best = 0.0
    for _ in range(repeat):
        res, qps = timed_qps(nq, fn, *args)
        best = max(best, qps)
    return res, best


def numba_scan(words: Any, qs: npt.NDArray[np.uint8], radius: int) -> list[Any]:
    """A second flat baseline: grace's own vectorised scan kernel, with the same threads as the
    index (faiss' OpenMP threads suffer more on an overloaded machine)."""
    from grace.matching import _kernels as K

    found = []
    for lo in range(0, len(qs), 16):
        q = np.ascontiguousarray(qs[lo : lo + 16]).view(np.uint64)
        dist = np.empty((q.shape[0], words.shape[0]), np.uint16)
        K.scan_distances(q, words, dist)
        found += [np.flatnonzero(row <= radius) for row in dist]
    return found


def skewed(args: argparse.Namespace, rng: np.random.Generator, out: dict[str, Any]) -> None:
    """Grace vs flat on correlated-bit hashes with Zipf clusters (issue 14, item 4)."""
    t = time.perf_counter()
    data, centres = population(rng, args.skewed_n)
    sets = {"skewed": queries(rng, data, args.skewed_queries)}
    near = centres[np.arange(200) % min(20, len(centres))].copy()
    skew_flip(rng, near, rng.integers(0, 5, len(near)))
    sets["cluster_query"] = near
    out["skewed_n"] = args.skewed_n
    out["skewed_data_s"] = round(time.perf_counter() - t, 1)
    index = HammingIndex()
    t = time.perf_counter()
    index.add(data, np.arange(len(data), dtype=np.int64))
    out["skewed_build_s"] = round(time.perf_counter() - t, 2)
    flat = faiss.IndexBinaryFlat(256)
    flat.add(data)
    words = np.ascontiguousarray(data).view(np.uint64)
    for name, qs in sets.items():
        index.search(qs[:10], args.radius)
        res, qps = best_qps(len(qs), index.search, qs, args.radius)
        out[f"{name}_grace_qps"] = round(qps, 1)
        out[f"{name}_hits_per_query"] = round(sum(len(r[0]) for r in res) / len(qs), 1)
        nf = min(len(qs), args.flat_queries or len(qs))
        _, qps = best_qps(nf, flat.range_search, qs[:nf], args.radius + 1)
        out[f"{name}_flat_qps"] = round(qps, 1)
        _, qps = best_qps(nf, numba_scan, words, qs[:nf], args.radius, repeat=2)
        out[f"{name}_numba_scan_qps"] = round(qps, 1)
        truth = faiss_range(flat, qs[:nf], args.radius)
        found = sum(len(truth[i] & set(res[i][0].tolist())) for i in range(nf))
        expected = sum(len(x) for x in truth)
        out[f"{name}_recall"] = found / expected if expected else 1.0
        extra = sum(len(set(res[i][0].tolist()) - truth[i]) for i in range(nf))
        out[f"{name}_extra_results"] = extra
        speedup = out[f"{name}_grace_qps"] / out[f"{name}_flat_qps"]
        out[f"{name}_speedup_vs_flat"] = round(speedup, 2)
        print(json.dumps(out), flush=True)


def uniform(args: argparse.Namespace, rng: np.random.Generator, out: dict[str, Any]) -> None:
    """The original uniform-plus-small-clusters population (see the module docstring)."""

    t = time.perf_counter()
    data, queries = make_data(rng, args.n, args.queries)
    print(f"data {time.perf_counter() - t:.1f}s", flush=True)
    ids = np.arange(args.n, dtype=np.int64)

    HammingIndex().search(queries[:1])  # numba JIT / cache load outside the timings
    warm = HammingIndex()
    warm.add(data[:300_000], ids[:300_000])
    warm.search(queries[:10], args.radius)
    del warm

    index = HammingIndex()
    t = time.perf_counter()
    index.add(data, ids)
    out["build_s"] = round(time.perf_counter() - t, 3)
    out["bytes_per_hash"] = round(index.bytes_per_hash, 1)
    res, qps = timed_qps(args.queries, index.search, queries, args.radius)
    out["grace_qps"] = round(qps)
    out["grace_hits_per_query"] = round(sum(len(r[0]) for r in res) / args.queries, 2)
    print(json.dumps(out), flush=True)

    nf = args.flat_queries or args.queries
    nf = min(nf, args.queries)
    out["flat_queries"] = nf
    fq = queries[:nf]
    flat = faiss.IndexBinaryFlat(256)
    flat.add(data)
    truth, out["flat_qps"] = timed_qps(nf, faiss_range, flat, fq, args.radius)
    out["flat_qps"] = round(out["flat_qps"], 1)
    del flat
    found = sum(len(truth[i] & set(res[i][0].tolist())) for i in range(nf))
    expected = sum(len(s) for s in truth)
    extra = sum(len(set(res[i][0].tolist()) - truth[i]) for i in range(nf))
    out["recall"] = found / expected if expected else 1.0
    out["extra_results"] = extra
    out["speedup_vs_flat"] = round(out["grace_qps"] / out["flat_qps"], 1)
    print(json.dumps(out), flush=True)

    if not args.skip_hma:
        t = time.perf_counter()
        mih = faiss.IndexBinaryMultiHash(256, 16, 16)
        mih.nflip = args.radius // 16
        mih.add(data)
        out["hma_mih_build_s"] = round(time.perf_counter() - t, 1)
        hma, qps = timed_qps(nf, faiss_range, mih, fq, args.radius)
        out["hma_mih_qps"] = round(qps, 1)
        out["hma_mih_recall"] = sum(len(hma[i] & truth[i]) for i in range(nf)) / max(expected, 1)
        del mih
        print(json.dumps(out), flush=True)

    extra_data = rng.integers(0, 256, (1_000_000, 32), dtype=np.uint8)
    t = time.perf_counter()
    index.add(extra_data, np.arange(args.n, args.n + 1_000_000, dtype=np.int64))
    out["add_1m_s"] = round(time.perf_counter() - t, 3)
    out["segments_after_add"] = index.segment_sizes
    probe = index.search(extra_data[:100], 0)
    out["added_matchable"] = all(args.n + i in r[0] for i, r in enumerate(probe))
    _, qps = timed_qps(args.queries, index.search, queries, args.radius)
    out["grace_qps_after_add"] = round(qps)

    with tempfile.TemporaryDirectory(dir=".") as tmp:
        t = time.perf_counter()
        index.save(Path(tmp))
        out["save_s"] = round(time.perf_counter() - t, 2)
        del index
        t = time.perf_counter()
        loaded = HammingIndex.load(Path(tmp))
        out["reload_s"] = round(time.perf_counter() - t, 3)
        res2, qps = timed_qps(args.queries, loaded.search, queries, args.radius)
        out["grace_qps_reloaded_mmap_first_pass"] = round(qps)
        _, qps = timed_qps(args.queries, loaded.search, queries, args.radius)
        out["grace_qps_reloaded_mmap"] = round(qps)
        del loaded, res2


if __name__ == "__main__":
    main()
