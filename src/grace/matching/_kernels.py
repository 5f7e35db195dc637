"""Numba kernels behind :class:`grace.matching.HammingIndex`.

Why numba: the hot loops (probe 16 bucket tables, verify each candidate with four 64-bit
popcounts) are tiny and branchy; written in Python/numpy they would allocate per probe and be
~100x slower, and a C extension would complicate packaging. ``cache=True`` keeps the JIT cost
out of every process start after the first, ``nogil=True`` lets callers run searches from
several threads, ``parallel=True`` spreads a query batch over the cores.

All kernels work on hashes viewed as ``(n, 4) uint64`` words. A 16-bit substring ``t`` is
bits ``(t % 4) * 16 .. +16`` of word ``t // 4``; the Python side computes query keys with
:func:`substring_keys`, so both sides agree whatever the machine's byte order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

N_TABLES = 16
N_BUCKETS = 1 << 16
_MASK16 = np.uint64(0xFFFF)


def _popcount64_typer(typingctx: Any, x: Any) -> Any:
    """LLVM ``ctpop``: compiles to one ``popcnt`` instruction on the host CPU."""
    if not isinstance(x, types.Integer):
        return None
    sig = types.int64(types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        fnty = ir.FunctionType(ir.IntType(64), [ir.IntType(64)])
        fn = cgutils.get_or_insert_function(  # type: ignore[no-untyped-call]
            builder.module, fnty, "llvm.ctpop.i64"
        )
        return builder.call(fn, [args[0]])

    return sig, codegen


_popcount64: Any = intrinsic(_popcount64_typer)


@njit(cache=True, nogil=True)
def _key(words: Any, row: int, table: int) -> int:
    shift = np.uint64((table % 4) * 16)
    return int((words[row, table // 4] >> shift) & _MASK16)


@njit(cache=True, nogil=True)
def substring_keys(words: Any) -> Any:
    """The 16 substring keys of every hash, ``(n, 16) int64``."""
    n = words.shape[0]
    keys = np.empty((n, N_TABLES), np.int64)
    for i in range(n):
        for t in range(N_TABLES):
            keys[i, t] = _key(words, i, t)
    return keys


@njit(cache=True, nogil=True, parallel=True)
def build_tables(words: Any, offsets: Any, positions: Any, fingerprints: Any) -> None:
    """Counting sort of row numbers by each table's 16-bit key (CSR layout, O(n) per table).

    ``offsets[t, k] .. offsets[t, k + 1]`` is the slice of ``positions[t]`` holding the rows
    whose substring ``t`` equals ``k``; rows stay in ascending order inside a bucket, so
    verification walks the hash array forwards. ``fingerprints[t, j]`` is the low byte of the
    partner substring ``t ^ 1`` of row ``positions[t, j]``: read sequentially with the bucket,
    it rejects most candidates before the random access to their full hash.
    """
    n = words.shape[0]
    for t in prange(N_TABLES):
        counts = np.zeros(N_BUCKETS + 1, np.int64)
        for i in range(n):
            counts[_key(words, i, t) + 1] += 1
        for k in range(N_BUCKETS):
            counts[k + 1] += counts[k]
        for k in range(N_BUCKETS + 1):
            offsets[t, k] = counts[k]
        for i in range(n):
            k = _key(words, i, t)
            positions[t, counts[k]] = i
            fingerprints[t, counts[k]] = _key(words, i, t ^ 1) & 0xFF
            counts[k] += 1


@njit(cache=True, nogil=True)
def _distance(qwords: Any, qi: int, words: Any, p: int) -> int:
    return int(
        _popcount64(qwords[qi, 0] ^ words[p, 0])
        + _popcount64(qwords[qi, 1] ^ words[p, 1])
        + _popcount64(qwords[qi, 2] ^ words[p, 2])
        + _popcount64(qwords[qi, 3] ^ words[p, 3])
    )


@njit(cache=True, nogil=True)
def _qualifies(qkeys: Any, qi: int, words: Any, p: int, t: int, sub: int, pair: int) -> bool:
    """Whether row ``p`` is within the probe bounds of table ``t`` (see :func:`mih_search`)."""
    d = _popcount64(np.uint64(qkeys[qi, t] ^ _key(words, p, t)))
    if d > sub:
        return False
    return bool(d + _popcount64(np.uint64(qkeys[qi, t ^ 1] ^ _key(words, p, t ^ 1))) <= pair)


@njit(cache=True, nogil=True, parallel=True)
def mih_search(
    qwords: Any,
    qkeys: Any,
    words: Any,
    offsets: Any,
    positions: Any,
    fingerprints: Any,
    flips: Any,
    radius: int,
    pair: int,
    out_pos: Any,
    out_dist: Any,
    counts: Any,
) -> None:
    """Multi-index-hashing range search of one segment.

    Pigeonhole on the 8 substring pairs ``(2i, 2i + 1)``: a hash within ``radius`` differs in
    at most ``pair = radius // 8`` bits on some pair, hence in at most ``sub = pair // 2`` bits
    on one substring ``t`` of it and ``pair - d_t`` on its partner ``t ^ 1``. So probe each
    table at ``key ^ flip`` for all flips of weight <= ``sub`` (``flips``, lightest first), drop
    entries whose partner fingerprint is already too far, verify the rest on 256 bits. A hit is
    kept only in the first table where it qualifies, so each row is reported once without a
    dedupe structure. ``counts[q]`` is the number of hits and may exceed the output capacity;
    the caller retries those queries with more room.
    """
    cap = out_pos.shape[1]
    sub = pair // 2
    for qi in prange(qwords.shape[0]):
        c = 0
        for t in range(N_TABLES):
            key = qkeys[qi, t]
            qfp = np.uint64(qkeys[qi, t ^ 1] & 0xFF)
            for f in range(flips.shape[0]):
                budget = pair - _popcount64(np.uint64(flips[f]))
                k = key ^ flips[f]
                for j in range(offsets[t, k], offsets[t, k + 1]):
                    if _popcount64(qfp ^ np.uint64(fingerprints[t, j])) > budget:
                        continue
                    p = positions[t, j]
                    d = _distance(qwords, qi, words, p)
                    if d > radius or not _qualifies(qkeys, qi, words, p, t, sub, pair):
                        continue
                    first = True
                    for t2 in range(t):
                        if _qualifies(qkeys, qi, words, p, t2, sub, pair):
                            first = False
                            break
                    if first:
                        if c < cap:
                            out_pos[qi, c] = p
                            out_dist[qi, c] = d
                        c += 1
        counts[qi] = c


@njit(cache=True, nogil=True, parallel=True)
def flat_search(
    qwords: Any, words: Any, radius: int, out_pos: Any, out_dist: Any, counts: Any
) -> None:
    """Brute-force range search of one segment (small segments, or radii MIH cannot prune)."""
    cap = out_pos.shape[1]
    n = words.shape[0]
    for qi in prange(qwords.shape[0]):
        c = 0
        for p in range(n):
            d = _distance(qwords, qi, words, p)
            if d <= radius:
                if c < cap:
                    out_pos[qi, c] = p
                    out_dist[qi, c] = d
                c += 1
        counts[qi] = c
