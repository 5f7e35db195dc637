"""Envelope encryption of vault objects: a fresh data key per object, wrapped by a master key.

An object (``GRV2``) is ``MAGIC | key id | wrap nonce | wrapped data key | nonce | ciphertext``.
The data key encrypts the bytes once and for ever; only its 48-byte wrapping depends on the
master key. Rotating the master key therefore re-wraps data keys (a small *wrap file* per
object under ``vault/wraps/``, which overrides the header's wrapping) and never touches the
evidence file itself. Both AEAD layers are AES-256-GCM with the object's SHA-256 as
associated data, so a ciphertext or a wrapping moved onto another object's name fails
authentication instead of serving the wrong evidence.

Objects of the first format (``GRV1``: the bytes encrypted directly with the vault key) are
still read; ``grace vault rotate-key`` converts them once (see docs/backup.md).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

LEGACY_MAGIC = b"GRV1"
MAGIC = b"GRV2"
WRAP_MAGIC = b"GRW1"
KEY_ID_BYTES = 8
NONCE_BYTES = 12
DATA_KEY_BYTES = 32
WRAPPED_BYTES = DATA_KEY_BYTES + 16  # the GCM tag
WRAP_BYTES = KEY_ID_BYTES + NONCE_BYTES + WRAPPED_BYTES
HEADER_BYTES = len(MAGIC) + WRAP_BYTES + NONCE_BYTES
_WRAP_CONTEXT = b"grace vault data key\x00"


class EnvelopeError(Exception):
    """A wrapping or ciphertext did not authenticate, or the bytes are no vault object."""


def key_id(master: bytes) -> bytes:
    """A short public name of a master key, recorded in every wrapping it makes.

    A hash of a 256-bit random key reveals nothing usable about it; 8 bytes are plenty to
    tell a handful of keys apart, and a wrong match would still fail authentication.
    """
    return hashlib.sha256(b"grace vault key id\x00" + master).digest()[:KEY_ID_BYTES]


@dataclass(frozen=True)
class Wrap:
    """One data key wrapped by one master key (named by its id)."""

    kid: bytes
    nonce: bytes
    wrapped: bytes

    def encode(self) -> bytes:
        return self.kid + self.nonce + self.wrapped

    @classmethod
    def decode(cls, raw: bytes) -> Wrap:
        if len(raw) != WRAP_BYTES:
            raise EnvelopeError("truncated key wrapping")
        k, n = KEY_ID_BYTES, KEY_ID_BYTES + NONCE_BYTES
        return cls(raw[:k], raw[k:n], raw[n:])


def wrap(data_key: bytes, master: bytes, sha256: str) -> Wrap:
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(master).encrypt(nonce, data_key, _WRAP_CONTEXT + sha256.encode())
    return Wrap(key_id(master), nonce, sealed)


def unwrap(found: Wrap, master: bytes, sha256: str) -> bytes:
    try:
        return AESGCM(master).decrypt(found.nonce, found.wrapped, _WRAP_CONTEXT + sha256.encode())
    except InvalidTag as exc:
        raise EnvelopeError("data key wrapping altered or wrong key") from exc


def seal(data: bytes, sha256: str, master: bytes) -> bytes:
    """Encrypt ``data`` under a new data key wrapped by ``master``: the object file's bytes."""
    data_key = secrets.token_bytes(DATA_KEY_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    body = AESGCM(data_key).encrypt(nonce, data, sha256.encode())
    return MAGIC + wrap(data_key, master, sha256).encode() + nonce + body


def header_wrap(sealed: bytes) -> Wrap:
    """The wrapping written with the object (the first ``HEADER_BYTES`` suffice)."""
    if not sealed.startswith(MAGIC) or len(sealed) < HEADER_BYTES:
        raise EnvelopeError("not an envelope vault object")
    return Wrap.decode(sealed[len(MAGIC) : len(MAGIC) + WRAP_BYTES])


def open_sealed(sealed: bytes, sha256: str, data_key: bytes) -> bytes:
    start = len(MAGIC) + WRAP_BYTES
    nonce = sealed[start : start + NONCE_BYTES]
    try:
        return AESGCM(data_key).decrypt(nonce, sealed[HEADER_BYTES:], sha256.encode())
    except InvalidTag as exc:
        raise EnvelopeError("ciphertext altered") from exc


def encode_wrap_file(found: Wrap) -> bytes:
    return WRAP_MAGIC + found.encode()


def decode_wrap_file(raw: bytes) -> Wrap:
    if not raw.startswith(WRAP_MAGIC):
        raise EnvelopeError("not a vault wrap file (bad header)")
    return Wrap.decode(raw[len(WRAP_MAGIC) :])


def open_legacy(sealed: bytes, sha256: str, masters: list[bytes]) -> bytes:
    """Decrypt a ``GRV1`` object, encrypted directly with whichever master key was current
    when it was written (it names none, so each available key is tried)."""
    nonce = sealed[len(LEGACY_MAGIC) : len(LEGACY_MAGIC) + NONCE_BYTES]
    body = sealed[len(LEGACY_MAGIC) + NONCE_BYTES :]
    for master in masters:
        try:
            return AESGCM(master).decrypt(nonce, body, sha256.encode())
        except InvalidTag:
            continue
    raise EnvelopeError("ciphertext altered or wrong key")
