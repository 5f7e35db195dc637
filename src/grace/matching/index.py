"""Exact Hamming range search over 256-bit hashes (PDQ, vPDQ frames): :class:`HammingIndex`.

Why not faiss: brute force (``IndexBinaryFlat``) costs ~1 ns per stored hash per query, so
10 ms/query at 10 M hashes; faiss' multi-index hashing (HMA's ``IndexBinaryMultiHash``) is no
faster at that size, needs ~300 bytes/hash, and HMA rebuilds and reloads it whole to add
hashes (see ``shared/reference/hashing.md``).

How: multi-index hashing (Norouzi et al.) with a pair filter. A hash is cut into 16 substrings
of 16 bits, each with a bucket table (CSR: offsets + row numbers sorted by key). If two hashes
are within distance ``r`` then, by pigeonhole over the 8 substring pairs, some pair differs in
at most ``r // 8`` bits, so one substring of it differs in at most ``r // 16`` bits (1 at r = 31:
17 probes per table) and its partner in the rest. Each table entry carries the whole 16-bit
partner substring, read sequentially with the bucket (and prefetched a few buckets ahead: the
search is bound by memory latency), which decides the pair condition exactly and leaves ~0.3 %
of entries for the random access to their full hash; survivors are verified on all 256 bits,
so results are exact. Radii up to 47 use the tables; larger radii scan every segment brute
force, still exact.

Adapting to real (skewed) hashes, see ``docs/scale.md``: each table-carrying segment cuts its
substrings from an entropy-balancing bit permutation of its own data (``_balance``); a query
verifies each row once however many tables hold it (a per-thread seen-bitmap: a cluster of
near-copies sits in all 16 tables); and a query whose probed buckets hold too many rows (the
count is read from the offsets before probing) is answered by a vectorised scan instead.

Memory: 32 bytes hash + 8 bytes id + 16 x (3 bytes row number + 2 bytes partner) = 120
bytes/hash, plus 4 MiB of bucket offsets per table-carrying segment (>= 262,144 rows). A
search also allocates one bit per row per thread of scratch, freed when it returns.

Thread safety: one writer at a time (``add``/``compact``/``save`` take an internal lock), any
number of concurrent readers. Segments are immutable and the segment list is swapped
atomically, so a ``search`` sees either all or none of a concurrent ``add``; hashes are
searchable as soon as ``add`` returns. Concurrent searches from several threads need numba's
``omp`` or ``tbb`` threading layer (the ``workqueue`` fallback cannot run parallel kernels
from two threads at once).
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from grace.matching import _kernels as K
from grace.matching import _segment
from grace.matching._segment import MIH_MIN_ROWS, Hits, Segment

MANIFEST = "manifest.json"
FORMAT = "grace.matching.HammingIndex"
VERSION = 2
"""2: 3-byte row numbers with 16-bit partner fingerprints and a bit permutation per segment
(version-1 directories are refused; the workspace rebuilds them from the database)."""
MAX_SEGMENTS = 24
"""Beyond this many segments the two newest are merged regardless of size."""
QUERY_CHUNK = 4096
MIH_MAX_RADIUS = 47
"""Largest radius served by the bucket tables (flips of weight <= 2); above: brute force."""

Result = tuple[npt.NDArray[np.int64], npt.NDArray[np.int16]]


def hex_to_array(hexes: Sequence[str]) -> npt.NDArray[np.uint8]:
    """64-hex-digit hashes -> ``(n, 32) uint8`` (the bytes of ``bytes.fromhex``)."""
    if any(len(h) != 64 for h in hexes):
        raise ValueError("every hash must be 64 hex digits")
    raw = bytes.fromhex("".join(hexes))
    return np.frombuffer(raw, np.uint8).reshape(len(hexes), 32).copy()


def array_to_hex(a: npt.ArrayLike) -> list[str]:
    """``(n, 32) uint8`` -> lowercase 64-hex-digit strings."""
    arr = _as_hashes(a, "hashes")
    text = arr.tobytes().hex()
    return [text[i : i + 64] for i in range(0, len(text), 64)]


def hamming(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Hamming distances between broadcastable ``(..., 32) uint8`` hash arrays."""
    x = np.bitwise_xor(np.asarray(a, np.uint8), np.asarray(b, np.uint8))
    out: npt.NDArray[np.int64] = np.bitwise_count(x).sum(axis=-1, dtype=np.int64)
    return out


def _as_hashes(a: npt.ArrayLike, what: str) -> npt.NDArray[np.uint8]:
    arr = np.asarray(a)
    if arr.dtype != np.uint8 or arr.ndim != 2 or arr.shape[1] != 32:
        raise ValueError(f"{what} must be an (n, 32) uint8 array, got {arr.dtype}{arr.shape}")
    return np.ascontiguousarray(arr)


def _words(hashes: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint64]:
    """A private ``(n, 4) uint64`` copy (callers may reuse their buffer after ``add``)."""
    return np.array(hashes, np.uint8, order="C", copy=True).view(np.uint64)


def _flips(sub_radius: int) -> npt.NDArray[np.int64]:
    """All 16-bit masks of weight <= ``sub_radius`` (0, 1 or 2)."""
    masks = [0]
    if sub_radius >= 1:
        masks += [1 << i for i in range(16)]
    if sub_radius >= 2:
        masks += [(1 << i) | (1 << j) for i in range(16) for j in range(i + 1, 16)]
    return np.array(masks, np.int64)


class HammingIndex:
    """Exact radius search over 256-bit hashes with incremental adds and pickle-free storage."""

    def __init__(self) -> None:
        self._segments: tuple[Segment, ...] = ()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(s) for s in self._segments)

    @property
    def segment_sizes(self) -> list[int]:
        """Rows per segment, oldest first (for monitoring and tests)."""
        return [len(s) for s in self._segments]

    @property
    def nbytes(self) -> int:
        """Bytes held by the index arrays (mapped file pages included after ``load``)."""
        return sum(s.nbytes for s in self._segments)

    @property
    def bytes_per_hash(self) -> float:
        n = len(self)
        return self.nbytes / n if n else 0.0

    def add(self, hashes: npt.ArrayLike, ids: npt.ArrayLike) -> None:
        """Add ``(n, 32) uint8`` hashes with their int64 ids (ids may repeat)."""
        arr = _as_hashes(hashes, "hashes")
        id_arr = np.asarray(ids)
        if id_arr.shape != (arr.shape[0],) or not np.issubdtype(id_arr.dtype, np.integer):
            raise ValueError(f"ids must be an ({arr.shape[0]},) integer array")
        if arr.shape[0] == 0:
            return
        words, id64 = _words(arr), id_arr.astype(np.int64, copy=True)
        cap = _segment.MAX_ROWS
        news = [
            Segment.build(words[lo : lo + cap], id64[lo : lo + cap])
            for lo in range(0, len(words), cap)
        ]
        with self._lock:
            segments = self._segments
            for new in news:
                segments = _settle([*segments, new])
            self._segments = segments

    def compact(self) -> None:
        """Merge all segments into as few as fit (best query speed; costs a full re-sort)."""
        with self._lock:
            merged: list[Segment] = []
            run: list[Segment] = []
            for seg in self._segments:
                if run and sum(map(len, run)) + len(seg) > _segment.MAX_ROWS:
                    merged.append(Segment.merge(run) if len(run) > 1 else run[0])
                    run = []
                run.append(seg)
            if run:
                merged.append(Segment.merge(run) if len(run) > 1 else run[0])
            self._segments = tuple(merged)

    def search(self, queries: npt.ArrayLike, radius: int = 31) -> list[Result]:
        """For each query: (ids, distances) of stored hashes within ``radius`` (inclusive).

        Each id appears once, with its smallest distance; sorted by distance, then id.
        """
        q = _as_hashes(queries, "queries")
        if not isinstance(radius, int | np.integer) or not 0 <= radius <= 256:
            raise ValueError(f"radius must be an int in [0, 256], got {radius!r}")
        radius = int(radius)
        segments = self._segments  # snapshot: concurrent adds do not affect this search
        nq = q.shape[0]
        flips = _flips(radius // 16) if radius <= MIH_MAX_RADIUS else None
        results: list[Result] = []
        for start in range(0, nq, QUERY_CHUNK):
            qwords = np.ascontiguousarray(q[start : start + QUERY_CHUNK]).view(np.uint64)
            qkeys = K.substring_keys(qwords)
            parts = [seg.search(qwords, qkeys, radius, flips) for seg in segments]
            results += _group(parts, qwords.shape[0])
        return results

    # -- persistence -------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Persist into ``directory`` (created if needed): ``.npy`` arrays + JSON manifest.

        Incremental: segments already saved there are not rewritten. The manifest is replaced
        atomically last, then files no longer referenced are removed.
        """
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with self._lock:
            segments = self._segments
            entries = [seg.save(directory) for seg in segments]
            manifest = {"format": FORMAT, "version": VERSION, "rows": sum(map(len, segments))}
            manifest["segments"] = entries
            tmp = directory / f".{MANIFEST}.tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, directory / MANIFEST)
            keep = {name for seg in segments for name in seg.files()}
            for path in directory.glob("seg-*.npy"):
                if path.name not in keep:
                    path.unlink()

    @classmethod
    def load(cls, directory: Path, *, mmap: bool = True) -> HammingIndex:
        """Open a saved index; with ``mmap`` the arrays are paged in lazily from the files.

        The files must then stay unmodified while the index is in use (``save`` never
        rewrites a segment file, so saving back into the same directory is safe).
        """
        directory = Path(directory)
        manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text("utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise ValueError(f"{directory}: not a version-{VERSION} {FORMAT} directory")
        index = cls()
        index._segments = tuple(
            Segment.load(directory, entry, mmap) for entry in manifest["segments"]
        )
        if len(index) != manifest["rows"]:
            raise ValueError(f"{directory}: manifest row count does not match the segments")
        return index


def _settle(segments: list[Segment]) -> tuple[Segment, ...]:
    """Binary-counter schedule: merge when the newer segment has caught up with the older one.

    A table-less (small) older segment is absorbed, so normally at most one brute-force
    segment exists and it is the newest; no merge makes a segment past ``MAX_ROWS``.
    """
    while len(segments) >= 2:
        older, newer = segments[-2], segments[-1]
        if len(older) + len(newer) > _segment.MAX_ROWS:
            break
        small = len(older) < MIH_MIN_ROWS
        if len(older) <= len(newer) or small or len(segments) > MAX_SEGMENTS:
            segments[-2:] = [Segment.merge([older, newer])]
        else:
            break
    return tuple(segments)


def _group(parts: list[Hits], nq: int) -> list[Result]:
    """Merge per-segment hits: one entry per (query, id) at its minimum distance, sorted."""
    if parts:
        rows = np.concatenate([p[0] for p in parts])
        ids = np.concatenate([p[1] for p in parts])
        dist = np.concatenate([p[2] for p in parts])
    else:
        rows, ids, dist = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int16)
    lo = int(ids.min()) if ids.size else 0
    span = int(ids.max()) - lo if ids.size else 0
    if nq <= 1 << 12 and span < 1 << 42:
        # One int64 key per hit (query row 12 bits | id 42 bits | distance 9 bits), so two
        # plain sorts replace two three-key lexsorts: ~10x faster on queries next to a
        # cluster, which return thousands of hits each.
        rel = ids - lo
        key = (rows << 51) | (rel << 9) | dist.astype(np.int64)
        key.sort()
        first = np.ones(key.size, bool)
        first[1:] = (key[1:] >> 9) != (key[:-1] >> 9)
        key = key[first]
        rows, rel, d64 = key >> 51, (key >> 9) & ((1 << 42) - 1), key & 511
        key = (rows << 51) | (d64 << 42) | rel
        key.sort()
        rows, ids, dist = key >> 51, (key & ((1 << 42) - 1)) + lo, ((key >> 42) & 511)
        dist = dist.astype(np.int16)
    else:
        order = np.lexsort((dist, ids, rows))
        rows, ids, dist = rows[order], ids[order], dist[order]
        first = np.ones(rows.size, bool)
        first[1:] = (rows[1:] != rows[:-1]) | (ids[1:] != ids[:-1])
        rows, ids, dist = rows[first], ids[first], dist[first]
        order = np.lexsort((ids, dist, rows))
        rows, ids, dist = rows[order], ids[order], dist[order]
    bounds = np.searchsorted(rows, np.arange(nq + 1)).tolist()
    return [(ids[a:b], dist[a:b]) for a, b in itertools.pairwise(bounds)]
