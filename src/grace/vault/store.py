"""Content-addressed object store, encrypted with AES-256-GCM under per-object data keys.

Each object lives at ``objects/abc/<sha256>``; its format (a data key wrapped by a master
key, see ``grace.vault.envelope``) lets the master key rotate without re-encrypting any
evidence. One level of 4,096 folders keeps folders small (25,000 objects each at 100 M)
while creating a folder stays rare, which matters because each ``mkdir`` costs a journal
write. The SHA-256 of the plaintext is the GCM associated data, so a ciphertext swapped
onto another object's name fails authentication instead of silently serving the wrong
evidence. Writes are atomic (temp file, fsync, rename): a crash never leaves a
half-written object.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from grace.vault import envelope
from grace.vault.keyring import MasterKeys, key_files_stamp, load_master_keys


class VaultError(Exception):
    """An object is missing, undecryptable or does not hash to its name."""


@dataclass(frozen=True)
class Digests:
    """The hashes a custody record carries: what courts and partner agencies ask for."""

    sha256: str
    sha1: str
    md5: str
    size: int


def digests(data: bytes) -> Digests:
    return Digests(
        sha256=hashlib.sha256(data).hexdigest(),
        sha1=hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        md5=hashlib.md5(data, usedforsecurity=False).hexdigest(),
        size=len(data),
    )


class Vault:
    """Stores and returns evidence bytes; knows nothing of referrals or the database."""

    def __init__(self, root: Path, key: bytes | MasterKeys, home: Path | None = None) -> None:
        """With ``home``, the keys follow a rotation made by another process (see ``keys``)."""
        self.root = root
        self.keys = key if isinstance(key, MasterKeys) else MasterKeys.single(key)
        self._home = home
        self._stamp = key_files_stamp(home) if home is not None else None
        self._objects = str(root / "objects")
        self._wraps = str(root / "wraps")
        self._made_dirs: set[Path] = set()

    def create_layout(self) -> None:
        """Make all 4,096 object folders up front (once, at ``grace init``), so that ingest
        never pays for a ``mkdir`` (a journal write each) in its hot path."""
        for prefix in range(16**3):
            folder = Path(f"{self._objects}/{prefix:03x}")
            folder.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(folder)

    def path_for(self, sha256: str) -> Path:
        return Path(f"{self._objects}/{sha256[:3]}/{sha256}")

    def wrap_path_for(self, sha256: str) -> Path:
        """Where a rotation keeps the object's re-wrapped data key (see ``envelope``)."""
        return Path(f"{self._wraps}/{sha256[:3]}/{sha256}")

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put(
        self, data: bytes, known: Digests | None = None, sync: bool = True
    ) -> tuple[Digests, bool]:
        """Store ``data`` once; return its digests and whether it was new.

        With ``sync=False`` the caller must call ``flush_to_disk`` before recording the
        object anywhere: batching that one flush is what makes bulk ingest fast.
        """
        found = known or digests(data)
        target = self.path_for(found.sha256)
        if os.path.exists(target):
            return found, False
        self.follow_rotation()
        sealed = envelope.seal(data, found.sha256, self.keys.writing_key)
        if target.parent not in self._made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(target.parent)
        _atomic_write(target, sealed, sync)
        return found, True

    def get(self, sha256: str) -> bytes:
        """Return the plaintext, proving on the way that it still hashes to its name."""
        path = self.path_for(sha256)
        try:
            sealed = path.read_bytes()
        except FileNotFoundError as exc:
            raise VaultError(f"{sha256}: object missing from the vault") from exc
        try:
            data = self._decrypt(sealed, sha256)
        except envelope.EnvelopeError as exc:
            raise VaultError(f"{sha256}: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise VaultError(f"{sha256}: content does not hash to its name")
        return data

    def _decrypt(self, sealed: bytes, sha256: str) -> bytes:
        """Read either format: the first (``GRV1``) until a rotation has converted it."""
        if sealed.startswith(envelope.LEGACY_MAGIC):
            return envelope.open_legacy(sealed, sha256, list(self.keys.keys.values()))
        if not sealed.startswith(envelope.MAGIC):
            raise envelope.EnvelopeError("not a grace vault object (bad header)")
        found = self.current_wrap(sha256, sealed)
        master = self.keys.keys.get(found.kid)
        if master is None and self.follow_rotation():
            master = self.keys.keys.get(found.kid)
        if master is None:
            raise envelope.EnvelopeError(
                f"data key wrapped by key {found.kid.hex()}, which this vault no longer holds"
            )
        return envelope.open_sealed(sealed, sha256, envelope.unwrap(found, master, sha256))

    def follow_rotation(self) -> bool:
        """Reload the keys if a rotation changed the key files since; say whether it did.

        A long-running process (the desk) must neither write with a key being retired nor
        fail to read objects re-wrapped under the new one. Two ``stat`` calls per write.
        """
        if self._home is None or key_files_stamp(self._home) == self._stamp:
            return False
        self._stamp = key_files_stamp(self._home)
        self.keys = load_master_keys(self._home)
        return True

    def current_wrap(self, sha256: str, sealed: bytes) -> envelope.Wrap:
        """The wrapping in force: a rotation's wrap file if there is one, else the header's."""
        try:
            raw = self.wrap_path_for(sha256).read_bytes()
        except FileNotFoundError:
            return envelope.header_wrap(sealed)
        return envelope.decode_wrap_file(raw)

    def stored_names(self) -> Iterator[str]:
        """Every object file on disk (to find objects the database does not know)."""
        objects = self.root / "objects"
        if objects.exists():
            for path in sorted(objects.glob("???/*")):
                if not path.name.startswith("."):
                    yield path.name


def flush_to_disk() -> None:
    """Make every write so far durable (one flush for a whole batch of objects)."""
    os.sync()


def _atomic_write(target: Path, data: bytes, sync: bool = True) -> None:
    """Write beside the target under a name unique to this thread, then rename into place."""
    tmp = f"{target.parent}/.tmp-{os.getpid()}-{threading.get_ident()}-{target.name[:16]}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(tmp, flags, 0o400)
    except FileExistsError:  # left over by a crash: it was never renamed, so it is garbage
        os.unlink(tmp)
        fd = os.open(tmp, flags, 0o400)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
