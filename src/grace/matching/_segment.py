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

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from grace.matching import _kernels as K

MIH_MIN_ROWS = 1 << 18
"""Segments smaller than this are brute-force scanned (offsets overhead <= 16 bytes/hash)."""

MAX_ROWS = (1 << 32) - 1
"""Row numbers are stored as uint32."""

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
    positions: npt.NDArray[np.uint32] | None
    fingerprints: npt.NDArray[np.uint8] | None
    name: str = field(default_factory=_new_name)

    @classmethod
    def build(cls, words: U64, ids: I64) -> Segment:
        """Build a segment from owned, C-contiguous arrays (they are not copied)."""
        n = words.shape[0]
        if n > MAX_ROWS:
            raise ValueError(f"a segment holds at most {MAX_ROWS} hashes, got {n}")
        if n < MIH_MIN_ROWS:
            return cls(words, ids, None, None, None)
        offsets = np.empty((K.N_TABLES, K.N_BUCKETS + 1), np.uint32)
        positions = np.empty((K.N_TABLES, n), np.uint32)
        fingerprints = np.empty((K.N_TABLES, n), np.uint8)
        K.build_tables(words, offsets, positions, fingerprints)
        return cls(words, ids, offsets, positions, fingerprints)

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
        """All rows within ``radius`` of each query; ``flips=None`` forces a brute-force scan."""
        nq = qwords.shape[0]
        cap = 16
        out_pos, out_dist, counts = _outputs(nq, cap)
        self._run(qwords, qkeys, radius, flips, out_pos, out_dist, counts)
        over = np.flatnonzero(counts > cap)
        rows_q, cols = np.nonzero(np.arange(cap) < np.minimum(counts, cap)[:, None])
        pos, dist = out_pos[rows_q, cols], out_dist[rows_q, cols]
        if over.size:  # rare: rerun the crowded queries with enough room
            keep = ~np.isin(rows_q, over)
            rows_q, pos, dist = rows_q[keep], pos[keep], dist[keep]
            big = int(counts[over].max())
            o_pos, o_dist, o_counts = _outputs(over.size, big)
            self._run(qwords[over], qkeys[over], radius, flips, o_pos, o_dist, o_counts)
            r2, c2 = np.nonzero(np.arange(big) < o_counts[:, None])
            rows_q = np.concatenate([rows_q, over[r2]])
            pos = np.concatenate([pos, o_pos[r2, c2]])
            dist = np.concatenate([dist, o_dist[r2, c2]])
        return rows_q.astype(np.int64), self.ids[pos], dist

    def _run(
        self,
        qwords: U64,
        qkeys: I64,
        radius: int,
        flips: I64 | None,
        out_pos: Any,
        out_dist: Any,
        counts: I64,
    ) -> None:
        if flips is None or self.offsets is None:
            K.flat_search(qwords, self.words, radius, out_pos, out_dist, counts)
        else:
            K.mih_search(
                qwords, qkeys, self.words, self.offsets, self.positions, self.fingerprints,
                flips, radius, radius // 8, out_pos, out_dist, counts,
            )  # fmt: skip

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
        return {"name": self.name, "rows": len(self), "tables": self.has_tables}

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
        positions = read("positions", np.uint32, (K.N_TABLES, rows))
        fingerprints = read("fingerprints", np.uint8, (K.N_TABLES, rows))
        return cls(words, ids, offsets, positions, fingerprints, name)

    def files(self) -> list[str]:
        kinds = _FILES if self.has_tables else _FILES[:2]
        return [f"{self.name}.{kind}.npy" for kind in kinds]


def _outputs(nq: int, cap: int) -> tuple[Any, Any, I64]:
    return (
        np.empty((nq, cap), np.uint32),
        np.empty((nq, cap), np.int16),
        np.zeros(nq, np.int64),
    )
