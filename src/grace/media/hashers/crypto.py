"""MD5, SHA-1 and SHA-256 of the exact bytes: what NCMEC, VICS and ESP hash lists carry."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from grace.media.decode import DecodedMedia
from grace.media.hashers.base import Hasher, HashValue

CRYPTO_KINDS = ("md5", "sha1", "sha256")


def crypto_digests(data: bytes) -> dict[str, str]:
    """All three digests, lowercase hex, keyed by algorithm name."""
    return {kind: hashlib.new(kind, data).hexdigest() for kind in CRYPTO_KINDS}


class CryptoHasher(Hasher):
    """Exact-match digests; they apply to every file, whatever its content."""

    name: ClassVar[str] = "crypto"
    version: ClassVar[str] = "1"
    kinds: ClassVar[frozenset[str]] = frozenset({"image", "video", "other"})
    needs_colour: ClassVar[bool] = False

    def _compute(self, media: DecodedMedia) -> list[HashValue]:
        return [HashValue(kind, value) for kind, value in crypto_digests(media.data).items()]
