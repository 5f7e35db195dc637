"""The audit anchor: the newest committed event, kept in a small file beside the database.

Deleting the tail of the chain leaves a valid shorter chain; the anchor, which names the
newest event ever committed, is what catches that. It must never run *ahead* of the
database (that would be a false alarm), so it is advanced only after a commit, and only
forwards. Many writers share it (the desk's request threads, several ``grace``
processes), so an update takes a thread lock and an ``flock`` on a lock file, re-reads
the anchor, and replaces it atomically from a temporary file whose name is unique to
this writer: two writers sharing one temporary name was how a request could lose its
file to another's rename and fail after its action had already committed.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class AnchorFile:
    """Reads and advances one workspace's anchor file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> tuple[int, str] | None:
        """The anchored (sequence number, hash), or None when nothing was anchored yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        data = json.loads(text)
        return int(data["seq"]), str(data["hash"])

    def advance(self, seq: int, digest: str) -> None:
        """Anchor event ``seq`` unless a later one is anchored already.

        Called after the event's transaction committed, so the action it records has
        happened: a failure to write the file is logged, not raised (the anchor may lag
        after a crash too; the next commit brings it forward).
        """
        try:
            with self._lock, self._file_lock():
                current = self.read()
                if current is None or current[0] < seq:
                    self._replace(json.dumps({"seq": seq, "hash": digest}))
        except (OSError, ValueError) as exc:
            log.warning("audit anchor %s not updated: %s", self.path, exc)

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        """Exclusive between processes; released by the kernel if this process dies."""
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def _replace(self, content: str) -> None:
        prefix = f".{self.path.name}."
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=prefix, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(content)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
