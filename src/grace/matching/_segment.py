"""One immutable segment of a :class:`~grace.matching.HammingIndex`.

Why segments: the index is log-structured. Every ``add`` builds a new small segment, so new
hashes are searchable as soon as ``add`` returns without touching (or re-sorting) the big
ones; segments are merged (one concatenation plus one O(n) counting sort) on a binary-counter
schedule, so each hash is re-sorted O(log n) times in total. Immutability is what makes
concurrent readers safe: a search works on the segments that existed when it started.

Segments below :data:`MIH_MIN_ROWS` rows carry no bucket tables and are scanned brute force:
the tables' fixed 16 x 65,537 offsets (4 MiB) would cost more than the scan saves, and would
break the 128 bytes/hash memory budget.

Persistence is plain ``.npy`` files (loaded with ``allow_pickle=False``), one set per segment,
written to a temporary name and renamed, so a crash never leaves a half-written file under a
final name; segment names are unique, so a segment already on disk is never rewritten.
"""

from __future__ import annotations

import mmap
import os
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from grace.matching import _balance as B
from grace.matching import _kernels as K

MIH_MIN_ROWS = 1 << 18
"""Segments smaller than this are brute-force scanned (offsets overhead <= 16 bytes/hash)."""

SCAN_RATIO = 6
"""A probed candidate costs about this many scanned rows (random access + pair checks vs a
streamed popcount); measured on the 2-vCPU machine, see ``docs/scale.md``."""

PREFETCH_BUCKETS = 8
"""How many bucket slices ahead the MIH kernel prefetches (0: none); 8-32 measured alike."""

MAX_OUT = 1 << 27
"""Output slots (6 bytes each) reserved per MIH batch: address space, backed by RAM only where
hits are written (see :func:`_sparse`), so one batch covers a whole query chunk at 12.5 M rows."""

CHUNK = 16
"""Queries a thread takes at a time from a batch (numba's dynamic chunking): on a shared
machine a static half per thread left one thread waiting on the other."""

SCAN_CELLS = 1 << 24
MAX_SCAN_QUERIES = 64
"""A scan pass keeps at most this many (query, row) distances (uint16) and queries."""

MAX_ROWS = (1 << 24) - 1
"""Row numbers are stored in 3 bytes; larger indexes hold several segments."""

_FILES = ("hashes", "ids", "offsets", "positions", "fingerprints")

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Hits = tuple[I64, I64, npt.NDArray[np.int16]]
"""(query row, external id, distance) for every hit."""


def _new_name() -> str:
    return "seg-" + uuid.uuid4().hex[:20]


@dataclass(frozen=True, eq=False)
class Segment:
    """Hashes as ``(n, 4) uint64`` words, their ids, and optionally the 16 bucket tables."""

    words: U64
    ids: I64
    offsets: npt.NDArray[np.uint32] | None
    positions: npt.NDArray[np.uint8] | None
    fingerprints: npt.NDArray[np.uint16] | None
    name: str = field(default_factory=_new_name)
    perm: npt.NDArray[np.int16] | None = None
    """Bit permutation the tables' substrings are cut from (None: the hash's own order)."""

    @cached_property
    def lut(self) -> npt.NDArray[np.uint64] | None:
        return None if self.perm is None else B.lookup_table(self.perm)

    @classmethod
    def build(cls, words: U64, ids: I64) -> Segment:
        """Build a segment from owned, C-contiguous arrays (they are not copied)."""
        n = words.shape[0]
        if n > MAX_ROWS:
            raise ValueError(f"a segment holds at most {MAX_ROWS} hashes, got {n}")
        if n < MIH_MIN_ROWS:
            return cls(words, ids, None, None, None)
        perm = B.balanced_permutation(words)
        keyed = B.permute(words, B.lookup_table(perm))
        offsets = np.empty((K.N_TABLES, K.N_BUCKETS + 1), np.uint32)
        positions = np.empty((K.N_TABLES, n, 3), np.uint8)
        fingerprints = np.empty((K.N_TABLES, n), np.uint16)
        K.build_tables(keyed, offsets, positions, fingerprints)
        return cls(words, ids, offsets, positions, fingerprints, perm=perm)

    @classmethod
    def merge(cls, segments: list[Segment]) -> Segment:
        """One new segment holding all rows of ``segments`` in order (one re-sort)."""
        words = np.concatenate([s.words for s in segments])
        ids = np.concatenate([s.ids for s in segments])
        return cls.build(words, ids)

    def __len__(self) -> int:
        return int(self.words.shape[0])

    @property
    def has_tables(self) -> bool:
        return self.offsets is not None

    @property
    def nbytes(self) -> int:
        arrays = [self.words, self.ids, self.offsets, self.positions, self.fingerprints]
        return sum(int(a.nbytes) for a in arrays if a is not None)

    def search(self, qwords: U64, qkeys: I64, radius: int, flips: I64 | None) -> Hits:
        """All rows within ``radius`` of each query; ``flips=None`` forces a brute-force scan.

        A cost-based plan per query: :func:`~grace.matching._kernels.probe_sizes` counts the
        rows in the buckets the query would probe; where that count times
        :data:`SCAN_RATIO` reaches the segment size (crowded buckets: a query next to a
        cluster of near-copies, or skewed substrings), a scan is cheaper and the query is
        scanned instead. Both paths are exact, so the plan only changes the speed.
        """
        nq, n = qwords.shape[0], len(self)
        every = np.arange(nq)
        if n == 0 or nq == 0:
            return every[:0], self.ids[:0], np.empty(0, np.int16)
        if flips is None or self.offsets is None:
            rows, pos, dist = self._scan(qwords, radius, every)
            return rows, self.ids[pos], dist
        if self.lut is not None:
            qkeys = K.substring_keys(B.permute(qwords, self.lut))
        est = np.empty(nq, np.int64)
        K.probe_sizes(qkeys, self.offsets, flips, est)
        use_scan = est * SCAN_RATIO >= n
        mih = np.flatnonzero(~use_scan)
        parts = [self._mih(qwords[mih], qkeys[mih], radius, flips, est[mih], mih)]
        if use_scan.any():
            scan = np.flatnonzero(use_scan)
            parts.append(self._scan(qwords[scan], radius, scan))
        rows = np.concatenate([p[0] for p in parts])
        pos = np.concatenate([p[1] for p in parts])
        return rows, self.ids[pos], np.concatenate([p[2] for p in parts])

    def _mih(self, qwords: U64, qkeys: I64, radius: int, flips: I64, est: I64, rows: I64) -> Hits:
        """MIH for the planned queries, in batches of at most :data:`MAX_OUT` output slots."""
        out_rows, out_pos, out_dist = [], [], []
        ends = np.cumsum(est)
        threads = numba.get_num_threads()
        seen = np.zeros((threads, (len(self) + 63) // 64), np.uint64)
        # per thread: bucket bounds, then room for every entry a query could keep
        scratch = np.empty(
            (threads, 2 * K.N_TABLES * len(flips) + int(est.max(initial=0))), np.int64
        )
        slots = max(min(int(ends[-1]) if ends.size else 0, MAX_OUT), int(est.max(initial=0)))
        pos_buf, dist_buf = _sparse(slots, np.uint32), _sparse(slots, np.int16)
        lo = 0
        while lo < est.size:
            base = int(ends[lo - 1]) if lo else 0
            hi = max(lo + 1, int(np.searchsorted(ends, base + MAX_OUT, side="right")))
            starts = np.zeros(hi - lo + 1, np.int64)
            starts[1:] = ends[lo:hi] - base
            pos, dist = pos_buf[: starts[-1]], dist_buf[: starts[-1]]
            counts = np.zeros(hi - lo, np.int64)
            previous = numba.set_parallel_chunksize(CHUNK)
            try:
                K.mih_search(
                    qwords[lo:hi], qkeys[lo:hi], self.words, self.offsets, self.positions,
                    self.fingerprints, flips, radius, radius // 8, PREFETCH_BUCKETS, starts,
                    pos, dist, counts, seen, scratch,
                )  # fmt: skip
            finally:
                numba.set_parallel_chunksize(previous)
            if (counts > np.diff(starts)).any():  # cannot happen: est bounds the hits
                raise RuntimeError("MIH output overflow")
            first = np.cumsum(counts) - counts
            keep = np.arange(int(counts.sum())) + np.repeat(starts[:-1] - first, counts)
            out_rows.append(np.repeat(rows[lo:hi], counts))
            out_pos.append(pos[keep])
            out_dist.append(dist[keep])
            lo = hi
        return _cat(out_rows, out_pos, out_dist)

    def _scan(self, qwords: U64, radius: int, rows: I64) -> Hits:
        """Brute-force scan for ``rows`` of the query batch, a few queries per pass."""
        per_pass = max(1, min(MAX_SCAN_QUERIES, SCAN_CELLS // max(len(self), 1)))
        out_rows, out_pos, out_dist = [], [], []
        for lo in range(0, qwords.shape[0], per_pass):
            q = np.ascontiguousarray(qwords[lo : lo + per_pass])
            dist = np.empty((q.shape[0], len(self)), np.uint16)
            K.scan_distances(q, self.words, dist)
            r, p = np.nonzero(dist <= radius)
            out_rows.append(rows[lo + r])
            out_pos.append(p)
            out_dist.append(dist[r, p].astype(np.int16))
        return _cat(out_rows, out_pos, out_dist)

    # -- persistence -------------------------------------------------------------------

    def save(self, directory: Path) -> dict[str, Any]:
        """Write this segment's arrays (unless already there); return its manifest entry."""
        hashes = self.words.view(np.uint8).reshape(len(self), 32)
        arrays: dict[str, npt.NDArray[Any]] = {"hashes": hashes, "ids": self.ids}
        if self.offsets is not None and self.positions is not None:
            arrays.update(offsets=self.offsets, positions=self.positions)
        if self.fingerprints is not None:
            arrays.update(fingerprints=self.fingerprints)
        for kind, array in arrays.items():
            path = directory / f"{self.name}.{kind}.npy"
            if path.exists():
                continue
            tmp = directory / f".{self.name}.{kind}.tmp"
            with open(tmp, "wb") as fh:
                np.save(fh, array, allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        entry: dict[str, Any] = {"name": self.name, "rows": len(self), "tables": self.has_tables}
        if self.perm is not None:
            entry["perm"] = self.perm.tolist()
        return entry

    @classmethod
    def load(cls, directory: Path, entry: dict[str, Any], mmap: bool) -> Segment:
        """Open a saved segment, checking every array's dtype and shape against the manifest."""
        name, rows, tables = str(entry["name"]), int(entry["rows"]), bool(entry["tables"])
        if not name.startswith("seg-") or "/" in name or os.sep in name:
            raise ValueError(f"bad segment name in manifest: {name!r}")

        def read(kind: str, dtype: type, shape: tuple[int, ...]) -> Any:
            a = np.load(
                directory / f"{name}.{kind}.npy",
                mmap_mode="r" if mmap else None,
                allow_pickle=False,
            )
            if a.dtype != dtype or a.shape != shape or not a.flags.c_contiguous:
                raise ValueError(f"{name}.{kind}.npy: unexpected {a.dtype}{a.shape}")
            return np.asarray(a)

        words = read("hashes", np.uint8, (rows, 32)).view(np.uint64)
        ids = read("ids", np.int64, (rows,))
        if not tables:
            return cls(words, ids, None, None, None, name)
        offsets = read("offsets", np.uint32, (K.N_TABLES, K.N_BUCKETS + 1))
        positions = read("positions", np.uint8, (K.N_TABLES, rows, 3))
        fingerprints = read("fingerprints", np.uint16, (K.N_TABLES, rows))
        perm = None
        if "perm" in entry:  # absent in indexes saved before the permutation existed
            perm = np.array(entry["perm"], np.int16)
            if perm.shape != (256,) or not np.array_equal(np.sort(perm), np.arange(256)):
                raise ValueError(f"{name}: perm is not a permutation of the 256 bits")
        return cls(words, ids, offsets, positions, fingerprints, name, perm)

    def files(self) -> list[str]:
        kinds = _FILES if self.has_tables else _FILES[:2]
        return [f"{self.name}.{kind}.npy" for kind in kinds]


def _sparse(count: int, dtype: type) -> npt.NDArray[Any]:
    """An array in fresh private anonymous memory, whose pages cost RAM only once written.

    Why not ``np.empty``: numpy asks for transparent huge pages on big allocations, so every
    scattered write into an output sized for the worst case (a few hits per query, each query
    tens of thousands of slots apart) would fault in and zero 2 MiB; that cost more than the
    search itself at 12.5 M rows. Here a write costs one 4 KiB page.
    """
    if not hasattr(mmap, "MAP_ANONYMOUS"):  # Windows: no flags; numpy's own memory then
        return np.empty(count, dtype)
    size = max(count * np.dtype(dtype).itemsize, 1)
    buf = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return np.frombuffer(buf, dtype, count)


def _cat(rows: list[Any], pos: list[Any], dist: list[Any]) -> Hits:
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int16)
    return (
        np.concatenate(rows).astype(np.int64, copy=False),
        np.concatenate(pos).astype(np.int64, copy=False),
        np.concatenate(dist).astype(np.int16, copy=False),
    )
