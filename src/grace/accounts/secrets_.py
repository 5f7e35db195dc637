"""Random secrets and their stored form. Tokens are 256-bit random strings, so SHA-256 of
them cannot be brute-forced and lets the database find a token by an indexed equality."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def generated_password() -> str:
    """A password for a new account, printed once: 20 url-safe characters (~120 bits)."""
    return secrets.token_urlsafe(15)
