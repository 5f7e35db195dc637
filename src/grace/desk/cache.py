"""A small in-memory LRU of rendered thumbnails (bounded in bytes, thread-safe).

Hand-written because ``functools.lru_cache`` bounds entries, not bytes, and cannot be
keyed per workspace; rendered thumbnails are a few kilobytes, so 32 MB holds thousands.
Nothing is ever written to disk.
"""

from __future__ import annotations

import threading
from collections import OrderedDict


class ByteLRU:
    """Least-recently-used map of keys to bytes, bounded by total size."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...]) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[str, ...], value: bytes) -> None:
        if len(value) > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            self._size -= len(old) if old else 0
            self._items[key] = value
            self._size += len(value)
            while self._size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)
