"""The workspace's search indexes, kept in step with the database without full rebuilds.

Each index is a cache of database rows: it remembers the highest row id it holds (its
watermark) and, when opened, adds only the rows written since. The database stays the
record; a missing or unreadable index directory is simply rebuilt from it. This is the fix
for HMA's pain of rebuilding and reloading the whole index every minute.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from grace.matching.index import HammingIndex, hex_to_array
from grace.store.media_tables import BankEntry, Media
from grace.store.tables import MediaHash

log = logging.getLogger(__name__)
MIN_QUALITY = 50  # PDQ's own rule: below this a hash says too little to match on
SYNC_FILE = "grace-sync.json"
CHUNK = 200_000

# A source yields (row id, hash hex, id stored in the index) for rows above a watermark.
Source = Callable[[int], Select[int, Any, int]]


def _bank_pdq(after: int) -> Select[int, Any, int]:
    return (
        select(BankEntry.id, BankEntry.pdq, BankEntry.id)
        .where(BankEntry.id > after, BankEntry.pdq.is_not(None))
        .order_by(BankEntry.id)
    )


def _media_pdq(after: int) -> Select[int, Any, int]:
    return (
        select(Media.id, Media.pdq, Media.id)
        .where(Media.id > after, Media.pdq.is_not(None), Media.pdq_quality >= MIN_QUALITY)
        .order_by(Media.id)
    )


def _media_vpdq(after: int) -> Select[int, Any, int]:
    return (
        select(MediaHash.id, MediaHash.value, Media.id)
        .join(Media, Media.sha256 == MediaHash.sha256)
        .where(MediaHash.id > after, MediaHash.kind == "vpdq", MediaHash.quality >= MIN_QUALITY)
        .order_by(MediaHash.id)
    )


SOURCES: dict[str, tuple[Source, Any]] = {
    "bank-pdq": (_bank_pdq, BankEntry),
    "media-pdq": (_media_pdq, Media),
    "media-vpdq": (_media_vpdq, MediaHash),
}


@dataclass
class SyncedIndex:
    index: HammingIndex
    watermark: int


class WorkspaceIndexes:
    """Opens, syncs and saves the named indexes under ``HOME/index``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._open: dict[str, SyncedIndex] = {}

    def get(self, session: Session, name: str) -> HammingIndex:
        """The index ``name``, holding every row committed so far."""
        synced = self._open.get(name) or self._load(name)
        source, table = SOURCES[name]
        newest = session.scalar(select(func.max(table.id))) or 0
        if newest < synced.watermark:  # the database was reset under us: start again
            synced = SyncedIndex(HammingIndex(), 0)
        added = self._catch_up(session, source, synced)
        self._open[name] = synced
        if added:
            self._save(name, synced)
        return synced.index

    def _catch_up(self, session: Session, source: Source, synced: SyncedIndex) -> int:
        added = 0
        while True:
            rows = session.execute(source(synced.watermark).limit(CHUNK)).all()
            if not rows:
                return added
            synced.index.add(hex_to_array([r[1] for r in rows]), np.array([r[2] for r in rows]))
            synced.watermark = int(rows[-1][0])
            added += len(rows)

    def _load(self, name: str) -> SyncedIndex:
        directory = self.root / name
        try:
            meta = json.loads((directory / SYNC_FILE).read_text(encoding="utf-8"))
            return SyncedIndex(HammingIndex.load(directory, mmap=False), int(meta["watermark"]))
        except (OSError, ValueError, KeyError) as exc:
            if directory.exists():
                log.warning("index %s unreadable (%s): rebuilding from the database", name, exc)
            return SyncedIndex(HammingIndex(), 0)

    def _save(self, name: str, synced: SyncedIndex) -> None:
        directory = self.root / name
        synced.index.save(directory)
        tmp = directory / (SYNC_FILE + ".tmp")
        tmp.write_text(json.dumps({"watermark": synced.watermark}), encoding="utf-8")
        tmp.replace(directory / SYNC_FILE)
