"""The backup container: chunked AES-GCM under an argon2id key, tamper-evident end to end."""

from __future__ import annotations

import io
import os
import struct

import pytest

from grace.backup.stream import CHUNK, MAGIC, BackupCryptoError, DecryptingReader, EncryptingWriter

SECRET = b"benign test passphrase"


def _seal(plain: bytes, pieces: int = 7) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, SECRET)
    step = max(1, len(plain) // pieces)
    for start in range(0, len(plain), step):
        writer.write(plain[start : start + step])
    writer.close()
    return out.getvalue()


def _open(sealed: bytes, secret: bytes = SECRET) -> bytes:
    reader = DecryptingReader(io.BytesIO(sealed), secret)
    parts = []
    while chunk := reader.read(300_000):
        parts.append(chunk)
    return b"".join(parts)


def _chunks(sealed: bytes) -> tuple[bytes, list[bytes]]:
    """Split a sealed stream into its preamble and its length-prefixed chunks."""
    (length,) = struct.unpack(">I", sealed[len(MAGIC) : len(MAGIC) + 4])
    pos = len(MAGIC) + 4 + length + 32
    head, chunks = sealed[:pos], []
    while pos < len(sealed):
        (size,) = struct.unpack(">I", sealed[pos : pos + 4])
        chunks.append(sealed[pos : pos + 4 + size])
        pos += 4 + size
    return head, chunks


@pytest.mark.parametrize("size", [0, 1000, CHUNK, 2 * CHUNK + 12345])
def test_round_trip_of_any_size(size: int) -> None:
    plain = os.urandom(size)
    sealed = _seal(plain)
    assert plain[:64] not in sealed or size == 0
    assert _open(sealed) == plain


def test_reordered_dropped_or_appended_chunks_are_refused() -> None:
    head, chunks = _chunks(_seal(os.urandom(3 * CHUNK + 10)))
    assert len(chunks) == 4
    swapped = head + chunks[1] + chunks[0] + b"".join(chunks[2:])
    with pytest.raises(BackupCryptoError, match="altered"):
        _open(swapped)
    with pytest.raises(BackupCryptoError):  # cut at a chunk boundary: the last one is missing
        _open(head + b"".join(chunks[:3]))
    with pytest.raises(BackupCryptoError, match="after the last chunk"):
        _open(head + b"".join(chunks) + chunks[0])


def test_wrong_passphrase_is_told_apart_from_damage() -> None:
    sealed = _seal(b"benign bytes" * 100)
    with pytest.raises(BackupCryptoError, match="wrong passphrase"):
        _open(sealed, b"another benign passphrase")
    with pytest.raises(BackupCryptoError, match="not a grace backup"):
        _open(b"PK\x03\x04" + sealed[4:])
