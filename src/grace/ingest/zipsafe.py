"""Policy checks for untrusted zip bundles, on top of the stdlib ``zipfile``.

Referral bundles arrive from outside the unit and must be assumed hostile: a zip can hold
``../`` names, symlinks, encrypted entries, or decompress to terabytes. Parsing the format
is left to the stdlib ``zipfile`` (well kept, and the reason we do not write a zip parser);
only the *policy* here is written by hand: which entries to refuse, and a streaming reader
that counts the bytes actually decompressed instead of trusting header sizes. The plain
file primitives (no-follow open, bounded read) live here too, so every member read raises
the same ``MemberReadError``.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import zipfile
from dataclasses import dataclass

MiB = 1024**2
QUARANTINE_MAX = 1 * MiB  # refused members up to this size keep their bytes for quarantine
_CHUNK = 64 * 1024
_FILE_CHUNK = 1 * MiB
_SUPPORTED = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one input; the defaults fit real CyberTipline bundles."""

    max_member_bytes: int = 256 * MiB  # one file
    max_total_bytes: int = 2 * 1024**3  # one zip, uncompressed
    max_members: int = 20_000
    max_ratio: float = 200.0  # uncompressed/compressed per member (zip bomb)
    ratio_min_bytes: int = 1 * MiB  # small members may compress well; ratio is ignored below


class MemberReadError(ValueError):
    """A member could not be read safely; the message is one line naming the reason.

    It is a ``ValueError`` so callers that already catch bad-data errors handle it too.
    """


def normalize_name(raw: str) -> str:
    """Return the bundle-relative POSIX name of a zip entry, or raise ``ValueError``.

    Backslashes count as separators so ``..\\x`` and ``C:\\x`` are caught on every OS.
    """
    if _CONTROL.search(raw):
        raise ValueError("name contains control characters")
    unified = raw.replace("\\", "/")
    if unified.startswith("/"):
        raise ValueError("absolute path")
    if _DRIVE.match(unified):
        raise ValueError("absolute path (drive letter)")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ValueError("path escapes the bundle (../)")
    if not parts:
        raise ValueError("empty name")
    return "/".join(parts)


def is_directory(info: zipfile.ZipInfo) -> bool:
    """True for directory entries, which are skipped rather than refused.

    Not ``ZipInfo.is_dir``: it indexes the name's last character, so an entry with an
    empty name (possible in a hostile central directory) raised IndexError.
    """
    return info.filename.endswith("/") or stat.S_ISDIR(info.external_attr >> 16)


def _ratio_exceeded(size: int, compressed: int, limits: Limits) -> bool:
    return size > limits.ratio_min_bytes and size > limits.max_ratio * max(compressed, 1)


def entry_problem(info: zipfile.ZipInfo, archive_size: int, limits: Limits) -> str | None:
    """Return why an entry must be refused on its headers alone, or None if it may be read.

    Ratio is checked before size so a zip bomb is reported as one.
    """
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symlink entry not followed"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG):
        return "not a regular file entry"
    if info.flag_bits & 0x1:
        return "encrypted entry"
    if info.compress_type not in _SUPPORTED:
        return f"unsupported compression method {info.compress_type}"
    if info.compress_size > archive_size:
        return "header sizes are impossible (larger than the archive)"
    if _ratio_exceeded(info.file_size, info.compress_size, limits):
        ratio = info.file_size / max(info.compress_size, 1)
        return f"compression ratio {ratio:.0f} over limit {limits.max_ratio:.0f} (zip bomb)"
    if info.file_size > limits.max_member_bytes:
        return f"member of {info.file_size} bytes over the size limit {limits.max_member_bytes}"
    return None


def read_limited(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Decompress one entry, counting real output bytes and stopping as soon as a limit trips.

    The stdlib already cuts output at the header's ``file_size`` and checks the CRC; this
    counter does not rely on that. Because every member stays within its header size and
    the header sizes were summed against ``max_total_bytes`` when the bundle was opened,
    the archive total is bounded too.
    """
    cap = min(info.file_size, limits.max_member_bytes)
    chunks: list[bytes] = []
    count = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                count += len(chunk)
                if _ratio_exceeded(count, info.compress_size, limits):
                    raise MemberReadError("compression ratio over limit while reading (zip bomb)")
                if count > limits.max_member_bytes:
                    raise MemberReadError("member over the size limit while reading")
                if count > cap:
                    raise MemberReadError("member larger than its header says")
                chunks.append(chunk)
    except MemberReadError:
        raise
    except Exception as exc:  # any decoder failure on hostile data means "refuse"
        raise MemberReadError(one_line(exc)) from exc
    return b"".join(chunks)


def one_line(exc: BaseException) -> str:
    """An exception as one short line, for problem reasons and logs."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def open_regular(path: str, follow: bool) -> tuple[int, os.stat_result]:
    """Open a regular file read-only; refuse symlinks (unless ``follow``) and special files.

    ``O_NONBLOCK`` keeps a fifo swapped in after the directory walk from hanging the open.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= os.O_NOFOLLOW
    fd = os.open(path, flags)
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise OSError(f"not a regular file: {path}")
    return fd, st


def read_file_limited(path: str, follow: bool, limit: int) -> bytes:
    """Read a plain file in chunks, refusing it once it grows past the limit.

    It lives here beside the zip reader so both kinds of member share one error type.
    """
    try:
        fd, _ = open_regular(path, follow)
        with os.fdopen(fd, "rb") as fh:
            chunks: list[bytes] = []
            count = 0
            while chunk := fh.read(_FILE_CHUNK):
                count += len(chunk)
                if count > limit:
                    raise MemberReadError("file over the size limit while reading")
                chunks.append(chunk)
    except OSError as exc:
        raise MemberReadError(one_line(exc)) from exc
    return b"".join(chunks)


class ZipSource:
    """One archive on disk, reopened lazily for member reads.

    The handle is opened on the first read and kept (guarded by a lock) so a bundle of
    many members does not re-parse the central directory per read; nothing is held open
    for bundles never read. On reopen the file must be the same one that was checked.
    ``close`` (or garbage collection of the bundle and its members) releases the handle.
    """

    def __init__(self, path: str, follow: bool, st: os.stat_result, limits: Limits) -> None:
        self.path = path
        self.follow = follow
        self.identity = _identity(st)
        self.limits = limits
        self._lock = threading.Lock()
        self._zf: zipfile.ZipFile | None = None

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """Read one checked entry under the limits; raises ``MemberReadError``."""
        with self._lock:
            if self._zf is None:
                try:
                    fd, st = open_regular(self.path, self.follow)
                except OSError as exc:
                    raise MemberReadError(one_line(exc)) from exc
                fh = os.fdopen(fd, "rb")
                if _identity(st) != self.identity:
                    fh.close()
                    raise MemberReadError("archive changed since it was checked")
                try:
                    self._zf = zipfile.ZipFile(fh)
                except Exception as exc:  # the file was checked; any failure now is refusal
                    fh.close()
                    raise MemberReadError(one_line(exc)) from exc
            return read_limited(self._zf, info, self.limits)

    def close(self) -> None:
        """Release the handle; a later read reopens it."""
        with self._lock:
            if self._zf is not None:
                fp = self._zf.fp
                self._zf.close()
                if fp is not None:
                    fp.close()
                self._zf = None
