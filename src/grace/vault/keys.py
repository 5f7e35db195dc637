"""The vault key: created once at ``grace init`` (0600) or supplied by ``GRACE_VAULT_KEY``.

Operators who keep keys in an HSM or a secrets manager pass the key through the
environment, so the key never has to sit beside the evidence it protects.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from pathlib import Path

KEY_BYTES = 32
ENV_KEY = "GRACE_VAULT_KEY"


class VaultKeyError(Exception):
    """The configured key is unusable (wrong length or encoding)."""


def decode_key(text: str) -> bytes:
    """Accept 64 hex characters or URL-safe base64 of 32 bytes."""
    text = text.strip()
    try:
        key = bytes.fromhex(text) if len(text) == 2 * KEY_BYTES else base64.urlsafe_b64decode(text)
    except (ValueError, binascii.Error) as exc:
        raise VaultKeyError(f"{ENV_KEY} is neither hex nor base64: {exc}") from exc
    if len(key) != KEY_BYTES:
        raise VaultKeyError(f"vault key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def load_or_create_key(key_file: Path, create: bool = False) -> bytes:
    """Return the key from the environment, else from ``key_file`` (created if asked)."""
    from_env = os.environ.get(ENV_KEY)
    if from_env:
        return decode_key(from_env)
    if key_file.exists():
        return decode_key(key_file.read_text(encoding="ascii"))
    if not create:
        raise VaultKeyError(f"no vault key: {key_file} is missing and {ENV_KEY} is not set")
    key = secrets.token_bytes(KEY_BYTES)
    key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return key
