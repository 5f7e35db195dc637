"""``grace backup``: one encrypted file holding the database, the vault and the keys.

Order matters for consistency without stopping the desk: the audit anchor is read first
(so it can only lag the database copy, never run ahead of it), then the database is
snapshotted, then the vault is copied. The vault only ever gains objects (rotation adds
wrap files), so every object the snapshot names is already on disk when it is copied.
Inside the encrypted tar stream, ``manifest.json`` comes last, listing every member's
SHA-256; being inside the AEAD stream, it is authenticated with everything else.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from grace.backup import database
from grace.backup.stream import EncryptingWriter
from grace.vault.keyring import KEY_FILE, NEXT_KEY_FILE, read_keyring
from grace.workspace import Workspace

MANIFEST = "manifest.json"
FORMAT = 1
# Never copied from the home: the live database (snapshotted instead), lock files, and
# temporary files. The key is written from memory (it may live in GRACE_VAULT_KEY).
# The matching index is derived from the database and rebuilt when missing; copied, it could
# hold items newer than the database snapshot.
_DERIVED = {"index"}
_SKIPPED_SUFFIXES = (".lock", ".db", ".db-wal", ".db-shm", ".db-journal", ".tmp")


class BackupError(Exception):
    """The backup cannot be made; the message says why."""


@dataclass
class BackupResult:
    path: Path
    members: int
    bytes: int
    manifest_sha256: str
    schema_revision: str | None
    backend: str


def home_files(home: Path) -> Iterator[Path]:
    """The regular files of the home to copy, in a stable order."""
    for root, dirs, files in os.walk(home):
        if Path(root) == home:
            dirs[:] = [d for d in dirs if d not in _DERIVED]
        dirs.sort()
        for name in sorted(files):
            if name.startswith(".") or name.endswith(_SKIPPED_SUFFIXES) or name == KEY_FILE:
                continue
            yield Path(root, name)


class _Tar:
    """A streaming tar writer that hashes every member on the way into the manifest."""

    def __init__(self, archive: tarfile.TarFile) -> None:
        self.archive = archive
        self.digests: dict[str, dict[str, Any]] = {}

    def add_bytes(self, name: str, data: bytes) -> None:
        self._add(name, io.BytesIO(data), len(data))

    def add_file(self, name: str, path: Path) -> None:
        with open(path, "rb") as handle:
            self._add(name, handle, os.fstat(handle.fileno()).st_size)

    def _add(self, name: str, handle: Any, size: int) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
        hashing = _HashingReader(handle)
        self.archive.addfile(info, hashing)
        self.digests[name] = {"sha256": hashing.sha.hexdigest(), "size": size}


class _HashingReader:
    def __init__(self, handle: Any) -> None:
        self.handle, self.sha = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.handle.read(size)
        self.sha.update(data)
        return data


def create_backup(
    workspace: Workspace,
    dest: Path,
    passphrase: bytes,
    on_file: Callable[[int], None] | None = None,
) -> BackupResult:
    """Write the encrypted backup to ``dest`` (atomically: complete, or not there at all)."""
    home = workspace.home
    if dest.exists():
        raise BackupError(f"{dest} exists already: choose a new name")
    ring = read_keyring(home)
    if (home / NEXT_KEY_FILE).exists() or (ring and ring.get("next")):
        raise BackupError("a vault key rotation is in progress: finish `grace vault rotate-key`")
    anchor = home / "audit.anchor.json"
    anchor_bytes = anchor.read_bytes() if anchor.exists() else None
    revision = database.schema_revision(workspace.engine)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".grace-backup-") as scratch:
        dump = Path(scratch) / "database"
        member = database.dump(workspace.database_url, dump)
        partial = Path(scratch) / "backup"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            writer = EncryptingWriter(out, passphrase)
            with _stream_tar(writer) as archive:
                tar = _Tar(archive)
                tar.add_file(member, dump)
                tar.add_bytes(
                    f"home/{KEY_FILE}", workspace.vault.keys.writing_key.hex().encode() + b"\n"
                )
                if anchor_bytes is not None:
                    tar.add_bytes("home/audit.anchor.json", anchor_bytes)
                for count, path in enumerate(home_files(home), 1):
                    name = f"home/{path.relative_to(home).as_posix()}"
                    if name != "home/audit.anchor.json":
                        tar.add_file(name, path)
                    if on_file:
                        on_file(count)
                manifest = _manifest(workspace, revision, member, tar.digests)
                tar.archive.addfile(_info(MANIFEST, len(manifest)), io.BytesIO(manifest))
            writer.close()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, dest)
    return BackupResult(
        dest,
        len(tar.digests),
        dest.stat().st_size,
        hashlib.sha256(manifest).hexdigest(),
        revision,
        database.backend(workspace.database_url),
    )


def _stream_tar(writer: EncryptingWriter) -> tarfile.TarFile:
    """A tar writer in stream mode ("w|"), which only ever calls ``write`` (typeshed asks for a
    whole file object, hence the ignore)."""
    mode = "w|"
    return tarfile.open(fileobj=writer, mode=mode, format=tarfile.PAX_FORMAT)  # type: ignore[call-overload,no-any-return]


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(datetime.now(UTC).timestamp())
    return info


def _manifest(
    workspace: Workspace, revision: str | None, member: str, digests: dict[str, Any]
) -> bytes:
    body = {
        "format": FORMAT,
        "workspace_id": workspace.settings.get("workspace_id"),
        "schema_revision": revision,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {"backend": database.backend(workspace.database_url), "member": member},
        "members": digests,
    }
    return json.dumps(body, indent=1, sort_keys=True).encode()
