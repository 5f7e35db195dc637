"""The encrypted container of a backup: a passphrase, argon2id, and AES-256-GCM in chunks.

Layout: ``MAGIC | header length (4 bytes) | header JSON | key check (32 bytes) | chunks``,
each chunk ``length (4 bytes) | AES-GCM ciphertext`` of at most ``CHUNK`` plaintext bytes.
The header (KDF salt and cost, nonce prefix) is the associated data of every chunk, and
each chunk's nonce is ``prefix | counter | last-chunk flag``: reordered, dropped, or
appended chunks and a truncated file all fail authentication (the STREAM construction
of Hoang, Reyhanitabar, Rogaway and Vizár, written out here because ``cryptography``
offers AEADs but no streaming AEAD, and a vault does not fit in memory). The key check,
an HMAC of the header under the derived key, tells a wrong passphrase apart from a
damaged file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import struct
from typing import Any, BinaryIO

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"GRACE-BACKUP-1\n"
CHUNK = 1 << 20
# RFC 9106's second recommended setting: 64 MiB, 3 passes, 4 lanes (~0.2 s here).
KDF_DEFAULTS = {"time_cost": 3, "memory_kib": 64 * 1024, "parallelism": 4}
_LIMITS = {"time_cost": 20, "memory_kib": 2 * 1024 * 1024, "parallelism": 64}
_PREFIX_BYTES = 7
_LEN = struct.Struct(">I")


class BackupCryptoError(Exception):
    """Wrong passphrase, or the backup file was altered, truncated or is no grace backup."""


def derive_key(passphrase: bytes, header: dict[str, Any]) -> bytes:
    for name, limit in _LIMITS.items():
        if not 1 <= int(header[name]) <= limit:
            raise BackupCryptoError(f"backup header: {name} out of range")
    return hash_secret_raw(
        passphrase,
        base64.b64decode(header["salt"]),
        time_cost=int(header["time_cost"]),
        memory_cost=int(header["memory_kib"]),
        parallelism=int(header["parallelism"]),
        hash_len=32,
        type=Type.ID,
    )


def _check(key: bytes, header_bytes: bytes) -> bytes:
    return hmac.new(key, b"grace backup key check\x00" + header_bytes, hashlib.sha256).digest()


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", counter) + (b"\x01" if last else b"\x00")


class EncryptingWriter:
    """A write-only file object: what is written lands encrypted in ``out``."""

    def __init__(self, out: BinaryIO, passphrase: bytes) -> None:
        header: dict[str, Any] = {
            "kdf": "argon2id",
            "salt": base64.b64encode(secrets.token_bytes(16)).decode(),
            **KDF_DEFAULTS,
            "cipher": "AES-256-GCM",
            "chunk": CHUNK,
            "nonce_prefix": base64.b64encode(secrets.token_bytes(_PREFIX_BYTES)).decode(),
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        key = derive_key(passphrase, header)
        self._aead = AESGCM(key)
        self._prefix = base64.b64decode(header["nonce_prefix"])
        self._out = out
        self._buffer = bytearray()
        self._counter = 0
        out.write(MAGIC + _LEN.pack(len(self._header)) + self._header + _check(key, self._header))

    def write(self, data: bytes) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep one chunk back: it may be the last
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _emit(self, plain: bytes, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        sealed = self._aead.encrypt(nonce, plain, self._header)
        self._out.write(_LEN.pack(len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        """Seal the last chunk (flagged as last, so a cut-off file is detected)."""
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()


class DecryptingReader:
    """A read-only file object over an encrypted backup; raises on any tampering."""

    def __init__(self, source: BinaryIO, passphrase: bytes) -> None:
        if source.read(len(MAGIC)) != MAGIC:
            raise BackupCryptoError("not a grace backup (bad header)")
        (length,) = _LEN.unpack(_exact(source, _LEN.size))
        if length > 4096:
            raise BackupCryptoError("not a grace backup (header too long)")
        self._header = _exact(source, length)
        try:
            header = json.loads(self._header)
            key = derive_key(passphrase, header)
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupCryptoError(f"backup header unreadable: {exc}") from exc
        if not hmac.compare_digest(_exact(source, 32), _check(key, self._header)):
            raise BackupCryptoError("wrong passphrase (or the backup header was altered)")
        self._aead = AESGCM(key)
        self._prefix = base64.b64decode(header["nonce_prefix"])
        self._limit = int(header["chunk"]) + 16
        self._source = source
        self._buffer = bytearray()
        self._counter = 0
        self._done = False

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_chunk()
        size = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        out = bytes(self._buffer[:size])
        del self._buffer[:size]
        return out

    def _next_chunk(self) -> None:
        (length,) = _LEN.unpack(_exact(self._source, _LEN.size))
        if length > self._limit:
            raise BackupCryptoError(f"backup altered: chunk {self._counter} has a bad length")
        sealed = _exact(self._source, length)
        last = len(sealed) < self._limit
        for flag in (last, not last):  # a full-size chunk may still be the last one
            try:
                plain = self._aead.decrypt(
                    _nonce(self._prefix, self._counter, flag), sealed, self._header
                )
            except InvalidTag:
                continue
            self._buffer += plain
            self._counter += 1
            self._done = flag
            if flag and self._source.read(1):
                raise BackupCryptoError("backup altered: data after the last chunk")
            return
        raise BackupCryptoError(
            f"backup altered or damaged (chunk {self._counter} fails authentication)"
        )


def _exact(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise BackupCryptoError("backup truncated")
    return data
