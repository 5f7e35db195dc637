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
from numba import get_thread_id, njit, prange  # type: ignore[attr-defined]

from grace.matching._intrinsics import popcount64, prefetch

N_TABLES = 16
N_BUCKETS = 1 << 16
_MASK16 = np.uint64(0xFFFF)


_popcount64 = popcount64


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
    verification walks the hash array forwards. A row number takes 3 bytes (little-endian),
    so a segment holds < 2**24 rows. ``fingerprints[t, j]`` is the whole partner substring
    ``t ^ 1`` of that row: read sequentially with the bucket, it decides the pair condition
    of the pigeonhole bound exactly, so only rows that satisfy it cost a random access to
    their full hash (3 + 2 bytes per entry: the same 5 bytes as a 4-byte row number with a
    1-byte partner, and a filter about 30 times sharper).
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
            j = counts[k]
            positions[t, j, 0] = i & 0xFF
            positions[t, j, 1] = (i >> 8) & 0xFF
            positions[t, j, 2] = (i >> 16) & 0xFF
            fingerprints[t, j] = _key(words, i, t ^ 1)
            counts[k] += 1


@njit(cache=True, nogil=True)
def _distance(qwords: Any, qi: int, words: Any, p: int) -> int:
    return int(
        _popcount64(qwords[qi, 0] ^ words[p, 0])
        + _popcount64(qwords[qi, 1] ^ words[p, 1])
        + _popcount64(qwords[qi, 2] ^ words[p, 2])
        + _popcount64(qwords[qi, 3] ^ words[p, 3])
    )


@njit(cache=True, nogil=True, parallel=True)
def probe_sizes(qkeys: Any, offsets: Any, flips: Any, out: Any) -> None:
    """``out[q]``: rows in all buckets query ``q`` would probe (its MIH candidate count).

    It bounds the query's hits (every hit sits in a probed bucket), which sizes its output
    exactly, and it is the cost the planner weighs against a scan. Reading the offsets here
    also warms the cache lines :func:`mih_search` reads next.
    """
    for qi in prange(qkeys.shape[0]):
        s = 0
        for t in range(N_TABLES):
            key = qkeys[qi, t]
            for f in range(flips.shape[0]):
                k = key ^ flips[f]
                s += offsets[t, k + 1] - offsets[t, k]
        out[qi] = s


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
    ahead: int,
    starts: Any,
    out_pos: Any,
    out_dist: Any,
    counts: Any,
    seen_bits: Any,
    scratch: Any,
) -> None:
    """Multi-index-hashing range search of one segment, into a ragged output.

    Pigeonhole on the 8 substring pairs ``(2i, 2i + 1)``: a hash within ``radius`` differs in
    at most ``pair = radius // 8`` bits on some pair, hence in at most ``pair // 2`` bits on
    one substring ``t`` of it and ``pair - d_t`` on its partner ``t ^ 1``. So probe each table
    at ``key ^ flip`` for all flips of weight <= ``pair // 2`` (``flips``), drop entries whose
    partner substring (the fingerprint) breaks the pair bound, verify the rest on 256 bits
    (``words``, original bit order: the permutation behind ``qkeys`` and the tables leaves
    distances unchanged).

    Why three passes per query: the cost is memory latency, not arithmetic (272 bucket
    slices at scattered addresses, then a row number and a hash per surviving entry). Pass 1
    scans the fingerprint slices (the only bytes read per entry, 2 each) while prefetching the
    slice ``ahead`` buckets on, and notes the ~0.3 % survivors in ``scratch[thread]``; pass 2
    turns them into row numbers (independent loads the CPU overlaps) and prefetches their
    hashes; pass 3 verifies. A row sits in up to 16 probed buckets (a query next to a cluster
    of near-copies meets each copy in every table), so a per-thread bitmap
    (``seen_bits[thread]``, one bit per row) lets each row be verified once; it is cleared
    afterwards from the same survivor list. ``scratch`` holds ``16 * len(flips)`` bucket
    bounds plus room for every probed entry (the caller sizes it from
    :func:`probe_sizes`). Query ``q`` writes its hits to ``out_*[starts[q]:starts[q + 1]]``;
    ``counts[q]`` is the number of hits.
    """
    n = words.shape[0]
    nf = flips.shape[0]
    nb = N_TABLES * nf
    fps = fingerprints.reshape(-1)
    pos = positions.reshape(-1)
    flat_words = words.reshape(-1)
    for qi in prange(qwords.shape[0]):
        seen = seen_bits[get_thread_id()]
        buf = scratch[get_thread_id()]
        b = 0
        for t in range(N_TABLES):
            key = qkeys[qi, t]
            for f in range(nf):
                k = key ^ flips[f]
                buf[b] = t * n + np.int64(offsets[t, k])
                buf[nb + b] = t * n + np.int64(offsets[t, k + 1])
                b += 1
        for b in range(min(ahead, nb)):
            for x in range(buf[b], buf[nb + b] + 31, 32):
                prefetch(fps, x)
        m = 2 * nb
        for b in range(nb):
            if b + ahead < nb:
                for x in range(buf[b + ahead], buf[nb + b + ahead] + 31, 32):
                    prefetch(fps, x)
            t = b // nf
            qfp = np.uint64(qkeys[qi, t ^ 1])
            budget = pair - popcount64(np.uint64(flips[b - t * nf]))
            for j in range(buf[b], buf[nb + b]):
                if popcount64(qfp ^ np.uint64(fps[j])) <= budget:
                    buf[m] = j
                    m += 1
        for i in range(2 * nb, m):
            j = 3 * buf[i]
            p = np.int64(pos[j]) | (np.int64(pos[j + 1]) << 8) | (np.int64(pos[j + 2]) << 16)
            buf[i] = p
            prefetch(flat_words, 4 * p)
        c = 0
        base = starts[qi]
        cap = starts[qi + 1] - base
        for i in range(2 * nb, m):
            p = buf[i]
            bit = np.uint64(1) << np.uint64(p & 63)
            if seen[p >> 6] & bit:
                continue
            seen[p >> 6] |= bit
            d = _distance(qwords, qi, words, p)
            if d <= radius:
                if c < cap:
                    out_pos[base + c] = p
                    out_dist[base + c] = d
                c += 1
        for i in range(2 * nb, m):
            seen[buf[i] >> 6] = 0
        counts[qi] = c


@njit(cache=True, nogil=True, parallel=True)
def scan_distances(qwords: Any, words: Any, out: Any) -> None:
    """``out[q, p]`` = distance of query ``q`` to row ``p``: the vectorised brute-force scan.

    Rows are the outer (parallel) loop and the few queries the inner one, so the hash array
    is streamed from memory once per query batch rather than once per query; four popcounts
    per pair, no branches, no output capacity to guess.
    """
    n = words.shape[0]
    nq = qwords.shape[0]
    block = 4096
    for b in prange((n + block - 1) // block):
        for p in range(b * block, min(n, (b + 1) * block)):
            w0, w1, w2, w3 = words[p, 0], words[p, 1], words[p, 2], words[p, 3]
            for qi in range(nq):
                out[qi, p] = (
                    _popcount64(qwords[qi, 0] ^ w0)
                    + _popcount64(qwords[qi, 1] ^ w1)
                    + _popcount64(qwords[qi, 2] ^ w2)
                    + _popcount64(qwords[qi, 3] ^ w3)
                )


@njit(cache=True, nogil=True, parallel=True)
def permute_bits(raw: Any, lut: Any, out: Any) -> None:
    """``out[i]`` = hash ``raw[i]`` (32 bytes) with its bits permuted, as 4 uint64 words.

    ``lut[b, v]`` holds the permuted image of byte ``b`` having value ``v`` (built with numpy
    views, so the byte order of the machine does not matter): 32 lookups per hash instead of
    moving 256 bits one at a time.
    """
    for i in prange(raw.shape[0]):
        o0 = o1 = o2 = o3 = np.uint64(0)
        for b in range(32):
            v = raw[i, b]
            o0 |= lut[b, v, 0]
            o1 |= lut[b, v, 1]
            o2 |= lut[b, v, 2]
            o3 |= lut[b, v, 3]
        out[i, 0] = o0
        out[i, 1] = o1
        out[i, 2] = o2
        out[i, 3] = o3
