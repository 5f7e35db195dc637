"""``grace restore``: unpack a backup into a new home, prove it whole, and open it.

Nothing lands in the new home until every member has been decrypted, authenticated and
matched against the manifest: members are written to a private staging folder beside it
(with names checked, never taken from the archive as paths), and the folder is renamed
into place only after the database has been put back. Afterwards the restored workspace
is opened and its vault and audit trail are verified like any other.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grace.backup import database
from grace.backup.create import FORMAT, MANIFEST
from grace.backup.stream import DecryptingReader
from grace.permissions import use_private_umask
from grace.workspace import MARKER

# Member names a grace backup can hold: nothing absolute, no "..", no odd characters.
_NAME = re.compile(r"^(manifest\.json|database/grace\.(sqlite3|pgdump)|home/[A-Za-z0-9._/-]+)$")


class RestoreError(Exception):
    """The backup cannot be restored here; the message says why."""


@dataclass
class Restored:
    home: Path
    database_url: str
    manifest: dict[str, Any]
    manifest_sha256: str


def restore_backup(
    source: Path, passphrase: bytes, home: Path, database_url: str | None = None
) -> Restored:
    """Decrypt, check and place the backup at ``home`` (which must not exist yet)."""
    if home.exists() and any(home.iterdir()):
        raise RestoreError(f"{home} exists and is not empty: restore into a new home")
    use_private_umask()  # keys, database and vault land 0600, folders 0700, as in any home
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=home.parent, prefix=f".{home.name}.restoring-"))
    try:
        manifest_bytes, found = _unpack(source, passphrase, staging)
        manifest = _check_manifest(manifest_bytes, found)
        url = _place_database(manifest, staging, home, database_url)
        _rewrite_marker(staging / "home" / MARKER, database_url)
        if home.exists():
            home.rmdir()
        os.replace(staging / "home", home)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Restored(home, url, manifest, hashlib.sha256(manifest_bytes).hexdigest())


def _unpack(source: Path, passphrase: bytes, staging: Path) -> tuple[bytes, dict[str, str]]:
    """Write every member to staging, hashing it; return the manifest and the digests."""
    found: dict[str, str] = {}
    manifest: bytes | None = None
    with open(source, "rb") as raw:
        reader = DecryptingReader(raw, passphrase)
        with tarfile.open(fileobj=reader, mode="r|") as archive:  # type: ignore[call-overload]
            for info in archive:
                if manifest is not None:
                    raise RestoreError("backup malformed: members after the manifest")
                if not info.isfile() or not _NAME.match(info.name) or ".." in info.name:
                    raise RestoreError(f"backup malformed: unexpected member {info.name!r}")
                handle = archive.extractfile(info)
                assert handle is not None  # a regular file always has one
                if info.name == MANIFEST:
                    manifest = handle.read()
                    continue
                found[info.name] = _write(handle, staging / info.name)
    if manifest is None:
        raise RestoreError("backup incomplete: no manifest")
    return manifest, found


def _write(handle: Any, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256()
    with open(target, "xb") as out:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            out.write(chunk)
    return sha.hexdigest()


def _check_manifest(raw: bytes, found: dict[str, str]) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(raw)
    if manifest.get("format") != FORMAT:
        raise RestoreError(f"backup format {manifest.get('format')} is not supported here")
    listed = {name: entry["sha256"] for name, entry in manifest["members"].items()}
    if listed != found:
        bad = sorted(set(listed.items()) ^ set(found.items()))[0][0]
        raise RestoreError(f"backup does not match its manifest (first difference: {bad})")
    return manifest


def _place_database(
    manifest: dict[str, Any], staging: Path, home: Path, database_url: str | None
) -> str:
    member = manifest["database"]["member"]
    # Without a URL the database is SQLite in the home: written in staging, it moves with it.
    url = database_url or f"sqlite:///{staging / 'home' / 'grace.db'}"
    try:
        database.restore(member, staging / member, url)
    except database.DatabaseCopyError as exc:
        raise RestoreError(str(exc)) from exc
    return database_url or f"sqlite:///{home / 'grace.db'}"


def _rewrite_marker(marker: Path, database_url: str | None) -> None:
    """The restored workspace keeps its id; its database is wherever it was restored to."""
    settings = json.loads(marker.read_text(encoding="utf-8"))
    settings.pop("database_url", None)
    if database_url:
        settings["database_url"] = database_url
    marker.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
