"""Turn command-line paths (files, folders, zip bundles) into bundles of lazily read members.

This is the only place where grace touches untrusted files before parsing, so it refuses
anything hostile instead of guessing: symlinks are never followed while walking, special
files are refused, and zips go through the policy checks in ``zipsafe``. A refusal is an
``InputProblem`` (with the raw bytes when small and safe) so the pipeline can quarantine
it and tell the officer, rather than a crash or a silent skip. Members are read on demand,
so a folder of 2,000 referrals is never loaded into memory at once.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import TracebackType

from grace.ingest.zipsafe import (
    QUARANTINE_MAX,
    Limits,
    MemberReadError,
    ZipSource,
    entry_problem,
    is_directory,
    normalize_name,
    one_line,
    open_regular,
    read_file_limited,
    read_limited,
)

__all__ = ["Bundle", "InputProblem", "Limits", "Member", "MemberReadError", "open_inputs"]

ZIP_MAGIC = b"PK\x03\x04"
QUARANTINE_BUDGET = 64 * 1024**2  # refused bytes kept per archive, so refusals cannot fill RAM


@dataclass(frozen=True)
class InputProblem:
    """An input, or a member of one, that was refused; ``reason`` is one line."""

    source: str
    reason: str
    data: bytes | None = None


@dataclass(frozen=True)
class Member:
    """One file of a bundle; ``read`` fetches its bytes on demand, under the limits.

    ``read`` raises ``MemberReadError`` when the bytes turn out unsafe or unreadable.
    """

    name: str
    size: int
    reader: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)

    def read(self) -> bytes:
        """Return the member's bytes, enforcing limits while reading."""
        if self.reader is None:
            raise MemberReadError(f"member {self.name!r} has no reader")
        return self.reader()

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> Member:
        """An in-memory member, for tests and for documents that arrive as bytes."""
        return cls(name, len(data), lambda: data)


@dataclass
class Bundle:
    """The members of one zip, folder or lone file, plus the members refused inside it."""

    source: str
    members: dict[str, Member] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    closer: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    def close(self) -> None:
        """Release any archive handle held for reads (reads after this reopen it)."""
        if self.closer is not None:
            self.closer()

    def __enter__(self) -> Bundle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_inputs(
    paths: Sequence[Path], limits: Limits = Limits()
) -> Iterator[Bundle | InputProblem]:
    """Yield one ``Bundle`` or ``InputProblem`` per usable or refused input, in order.

    Paths named on the command line are followed if they are symlinks (the user chose
    them, as ``find -H`` does); nothing found while walking a folder is.
    """
    for path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            yield InputProblem(str(path), "no such file or directory")
            continue
        except OSError as exc:
            yield InputProblem(str(path), one_line(exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(path, limits)
        elif stat.S_ISREG(st.st_mode):
            item = _open_file(path, follow=True, limits=limits)
            yield Bundle(str(path), {item.name: item}) if isinstance(item, Member) else item
        else:
            yield InputProblem(str(path), "not a regular file or directory")


def _walk(root: Path, limits: Limits) -> Iterator[Bundle | InputProblem]:
    """Depth-first, sorted walk; each folder that directly holds files is one bundle."""
    found = False
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            found = True
            yield InputProblem(str(folder), one_line(exc))
            continue
        bundle = Bundle(str(folder))
        refused: list[InputProblem] = []
        later: list[Bundle | InputProblem] = []
        subdirs: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                refused.append(InputProblem(str(path), "symlink not followed"))
            elif entry.is_dir(follow_symlinks=False):
                subdirs.append(path)
            elif not entry.is_file(follow_symlinks=False):
                refused.append(InputProblem(str(path), "not a regular file"))
            else:
                item = _open_file(path, follow=False, limits=limits)
                if isinstance(item, Member):
                    bundle.members[item.name] = item
                elif isinstance(item, InputProblem):
                    refused.append(item)
                else:
                    later.append(item)
        found = found or bool(refused or later or bundle.members)
        yield from refused
        if bundle.members:
            yield bundle
        yield from later
        stack.extend(reversed(subdirs))
    if not found:
        yield InputProblem(str(root), "folder holds no files")


def _open_file(path: Path, *, follow: bool, limits: Limits) -> Bundle | InputProblem | Member:
    """Classify one regular file: a zip bundle, a refusal, or a plain member.

    Zips are recognised by magic bytes, not by name; only a refusal reads more than the
    first bytes, so walking a large folder stays cheap.
    """
    display = str(path)
    try:
        fd, st = open_regular(display, follow)
        with os.fdopen(fd, "rb") as fh:
            head = fh.read(len(ZIP_MAGIC))
            if head != ZIP_MAGIC and path.suffix.lower() == ".zip":
                fh.seek(0)
                data = fh.read(QUARANTINE_MAX)
                return InputProblem(display, "named .zip but is not a zip archive", data)
    except OSError as exc:
        return InputProblem(display, one_line(exc))
    if head == ZIP_MAGIC:
        return _open_zip(path, follow, limits)
    if st.st_size > limits.max_member_bytes:
        reason = f"file of {st.st_size} bytes over the size limit {limits.max_member_bytes}"
        return InputProblem(display, reason)
    reader = partial(read_file_limited, display, follow, limits.max_member_bytes)
    return Member(path.name, st.st_size, reader)


def _open_zip(path: Path, follow: bool, limits: Limits) -> Bundle | InputProblem:
    """Check a zip's entries against the policy and build its bundle, or refuse it whole."""
    display = str(path)
    try:
        fd, st = open_regular(display, follow)
    except OSError as exc:
        return InputProblem(display, one_line(exc))
    with os.fdopen(fd, "rb") as fh:
        try:
            zf = zipfile.ZipFile(fh)
        except Exception as exc:  # any parser failure on hostile bytes means "refuse"
            fh.seek(0)
            return InputProblem(
                display, f"unreadable zip: {one_line(exc)}", fh.read(QUARANTINE_MAX)
            )
        with zf:
            # ZipFile has parsed the whole central directory by now; that costs memory in
            # proportion to the archive's own size (46+ bytes per entry), so it is bounded.
            infos = zf.infolist()
            if len(infos) > limits.max_members:
                reason = f"{len(infos)} entries over the limit of {limits.max_members}"
                return InputProblem(display, reason)
            source = ZipSource(display, follow, st, limits)
            bundle = Bundle(display, closer=source.close)
            _fill_zip(bundle, zf, infos, st.st_size, source, limits)
    return bundle


def _fill_zip(
    bundle: Bundle,
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    archive_size: int,
    source: ZipSource,
    limits: Limits,
) -> None:
    """Sort entries into members and refusals; nested zips stay ordinary members."""
    budget = [QUARANTINE_BUDGET]

    def refuse(info: zipfile.ZipInfo, reason: str) -> None:
        data = _quarantine(zf, info, archive_size, limits, budget)
        bundle.problems.append(InputProblem(f"{bundle.source}!{info.filename}", reason, data))

    checked: list[tuple[zipfile.ZipInfo, str]] = []
    for info in infos:
        if is_directory(info):
            continue
        try:
            name = normalize_name(info.filename)
        except ValueError as exc:
            refuse(info, str(exc))
            continue
        reason = entry_problem(info, archive_size, limits)
        if reason is not None:
            refuse(info, reason)
            continue
        checked.append((info, name))
    # Every copy of a duplicated name is refused: tools disagree on which one is "real".
    counts = Counter(name for _, name in checked)
    total = 0
    for info, name in checked:
        if counts[name] > 1:
            refuse(info, f"duplicate name {name!r}")
        elif total + info.file_size > limits.max_total_bytes:
            refuse(info, f"archive total over the limit of {limits.max_total_bytes} bytes")
        else:
            total += info.file_size
            bundle.members[name] = Member(name, info.file_size, partial(source.read, info))


def _quarantine(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, archive_size: int, limits: Limits, budget: list[int]
) -> bytes | None:
    """The bytes of a refused entry when small and safe to decompress, else None."""
    if info.file_size > min(QUARANTINE_MAX, budget[0]):
        return None
    if entry_problem(info, archive_size, limits) is not None:
        return None
    try:
        data = read_limited(zf, info, limits)
    except MemberReadError:
        return None
    budget[0] -= len(data)
    return data
