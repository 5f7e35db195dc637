"""The workspace's export signing key (Ed25519) and the signature checks packages rely on.

Receiving agencies pin the public key (``grace export key``); a package whose signer is not
the pinned key proves only that it was not altered, not who made it. The private key lives in
the workspace home, created on first use with mode 0600 and never printed or logged.
Ed25519 because its signatures are small, deterministic and checkable with stock OpenSSL
(``openssl pkeyutl -verify -pubin -inkey signer.pub -rawin -in manifest.json -sigfile
manifest.sig``), so a partner needs no grace install to check a package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "export-signing.key"
ALGORITHM = "Ed25519"
RAW_KEY_BYTES = 32


class SigningKeyError(ValueError):
    """A key file or key text cannot be used; the message is one line."""


def key_path(home: Path) -> Path:
    return home / KEY_FILE


def load_or_create_signing_key(home: Path) -> Ed25519PrivateKey:
    """The workspace's private key, created (0600, exclusive create) the first time."""
    path = key_path(home)
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return _read_private(path)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        return key
    return _read_private(path)


def _read_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SigningKeyError(f"{path}: not a usable signing key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path}: not an Ed25519 key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key: Ed25519PublicKey) -> str:
    """``SHA256:<hex>`` of the raw 32-byte public key: short enough to read over the phone."""
    return "SHA256:" + hashlib.sha256(raw_public(key)).hexdigest()


def load_public_key(data: bytes) -> Ed25519PublicKey:
    """A public key from PEM, or base64 / hex of the raw 32 bytes, or the raw bytes."""
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError("PEM text is not a public key") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise SigningKeyError("public key is not Ed25519")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw_from_text(text, data))


def _raw_from_text(text: bytes, data: bytes) -> bytes:
    if len(data) == RAW_KEY_BYTES:
        return data
    try:
        raw = bytes.fromhex(text.decode("ascii")) if len(text) == 64 else base64.b64decode(text)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise SigningKeyError("key is neither PEM, hex nor base64") from exc
    if len(raw) != RAW_KEY_BYTES:
        raise SigningKeyError(f"raw Ed25519 public key must be 32 bytes, got {len(raw)}")
    return raw


def signature_ok(key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
