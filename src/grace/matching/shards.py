"""A sharded Hamming index: shards persisted as files, queries fanned out and merged exactly.

Why shards: one :class:`HammingIndex` keeps ~120 bytes per hash in one process; a hub holding
100 M hashes wants them spread over processes or machines, each reloading its part from a
shared path when it restarts. A shard is a plain object (:class:`IndexShard`) built from a
directory name, whose methods take and return numpy arrays only, so a Dask actor can hold it
as it is (``client.submit(IndexShard, path, actor=True)``: arrays travel without pickling
grace classes) while :class:`ShardedIndex` also runs every shard in-process, without Dask.

Exactness: every hash lives in exactly one shard (chosen by ``id % shards``), every query goes
to every shard, and each shard's answer is exact at the radius; the merge keeps each id once
at its smallest distance, sorted as :meth:`HammingIndex.search` sorts.

Freshness and durability: an added hash is searchable as soon as ``add`` returns (the shard's
index takes it as a new in-memory segment); ``save`` makes it durable (new segment files plus
an atomically replaced manifest, so a crash leaves the previous state).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from grace.matching.index import MANIFEST, QUERY_CHUNK, HammingIndex, Result, _group

LAYOUT = "shards.json"
FORMAT = "grace.matching.ShardedIndex"
Hits = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int16]]


class IndexShard:
    """One shard: a :class:`HammingIndex` kept in (and reloaded from) one directory."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if (self.directory / MANIFEST).exists():
            self.index = HammingIndex.load(self.directory, mmap=False)
        else:
            self.index = HammingIndex()

    def add(self, hashes: npt.NDArray[np.uint8], ids: npt.NDArray[np.int64]) -> int:
        """Add hashes (searchable on return); the shard's row count."""
        self.index.add(hashes, ids)
        return len(self.index)

    def search(self, queries: npt.NDArray[np.uint8], radius: int) -> Hits:
        """Flat ``(query row, id, distance)`` arrays: cheaper to ship than one tuple per query."""
        results = self.index.search(queries, radius)
        counts = np.fromiter((len(r[0]) for r in results), np.int64, len(results))
        rows = np.repeat(np.arange(len(results), dtype=np.int64), counts)
        if not results:
            return rows, np.empty(0, np.int64), np.empty(0, np.int16)
        ids = np.concatenate([r[0] for r in results])
        return rows, ids, np.concatenate([r[1] for r in results])

    def save(self) -> None:
        self.index.save(self.directory)

    def stats(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "rows": len(self.index),
            "bytes": self.index.nbytes,
            "segments": self.index.segment_sizes,
        }


class ShardLike(Protocol):
    """An :class:`IndexShard`, or a handle to one in another process (e.g. a Dask actor)."""

    def add(self, hashes: npt.NDArray[np.uint8], ids: npt.NDArray[np.int64]) -> Any: ...
    def search(self, queries: npt.NDArray[np.uint8], radius: int) -> Any: ...
    def save(self) -> Any: ...
    def stats(self) -> Any: ...


def _resolve(value: Any) -> Any:
    """A remote call's result (Dask actor methods return futures), or the value itself."""
    return value.result() if hasattr(value, "result") else value


class ShardedIndex:
    """``n`` shards under ``root/shard-NNNN/``; routes adds by id, fans queries out to all."""

    def __init__(self, shards: Sequence[ShardLike]) -> None:
        if not shards:
            raise ValueError("a sharded index needs at least one shard")
        self.shards = list(shards)

    @classmethod
    def open(cls, root: Path, shards: int | None = None) -> ShardedIndex:
        """Open (or create with ``shards`` shards) the in-process sharded index at ``root``."""
        return cls([IndexShard(p) for p in shard_dirs(root, shards)])

    def add(self, hashes: npt.ArrayLike, ids: npt.ArrayLike) -> None:
        """Add hashes; each goes to shard ``id % shards`` (so a hash has one home)."""
        arr = np.ascontiguousarray(hashes, np.uint8)
        id_arr = np.asarray(ids, np.int64)
        if arr.ndim != 2 or arr.shape[1] != 32 or id_arr.shape != (arr.shape[0],):
            raise ValueError("hashes must be (n, 32) uint8 with n int64 ids")
        home = id_arr % len(self.shards)
        calls = []
        for s, shard in enumerate(self.shards):
            mine = np.flatnonzero(home == s)
            if mine.size:
                calls.append(shard.add(arr[mine], id_arr[mine]))
        for call in calls:
            _resolve(call)

    def search(self, queries: npt.ArrayLike, radius: int = 31) -> list[Result]:
        """Exact radius search over every shard, merged (as :meth:`HammingIndex.search`)."""
        q = np.ascontiguousarray(queries, np.uint8)
        if q.ndim != 2 or q.shape[1] != 32:
            raise ValueError("queries must be an (n, 32) uint8 array")
        results: list[Result] = []
        for start in range(0, q.shape[0], QUERY_CHUNK):
            chunk = q[start : start + QUERY_CHUNK]
            calls = [shard.search(chunk, radius) for shard in self.shards]  # all sent first
            results += _group([_resolve(c) for c in calls], chunk.shape[0])
        return results

    def save(self) -> None:
        for call in [shard.save() for shard in self.shards]:
            _resolve(call)

    def stats(self) -> list[dict[str, Any]]:
        return [_resolve(c) for c in [shard.stats() for shard in self.shards]]


def shard_dirs(root: Path, shards: int | None = None) -> list[Path]:
    """The shard directories under ``root``, creating the layout file on first use.

    The shard count is fixed at creation (routing depends on it); reopening with another
    count is refused rather than silently hiding hashes in shards no query would reach.
    """
    root = Path(root)
    layout = root / LAYOUT
    if layout.exists():
        meta = json.loads(layout.read_text("utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{root}: not a {FORMAT} directory")
        count = int(meta["shards"])
        if shards is not None and shards != count:
            raise ValueError(f"{root} holds {count} shards, not {shards}")
    else:
        if not shards or shards < 1:
            raise ValueError(f"{root}: no sharded index there; give the number of shards")
        count = shards
        root.mkdir(parents=True, exist_ok=True)
        tmp = root / (LAYOUT + ".tmp")
        tmp.write_text(json.dumps({"format": FORMAT, "shards": count}), encoding="utf-8")
        tmp.replace(layout)
    return [root / f"shard-{s:04d}" for s in range(count)]
