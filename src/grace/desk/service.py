"""Thumbnails and reveals of one vault object: decrypt in memory, render, cache blurred.

Revealed colour renditions are never cached: each reveal is a deliberate, audited act and
its result should not linger in server memory longer than the response.
"""

from __future__ import annotations

import base64

from grace.desk.cache import ByteLRU
from grace.desk.renditions import blurred, coloured, encode_jpeg, frames_of
from grace.vault import Vault

_THUMBS = ByteLRU()


def blurred_jpeg(vault: Vault, sha256: str, frame: int = 0) -> bytes:
    """The blurred greyscale thumbnail of an image, or of a video's ``frame``-th key frame.

    Raises ``IndexError`` for a frame the item does not have, ``MediaError`` when the item
    cannot be decoded and ``VaultError`` when it is missing or damaged.
    """
    key = (str(vault.root), sha256, str(frame))
    cached = _THUMBS.get(key)
    if cached is not None:
        return cached
    frames = frames_of(vault.get(sha256))
    for number, image in enumerate(frames):  # a video's frames all at once: one decode
        _THUMBS.put((str(vault.root), sha256, str(number)), encode_jpeg(blurred(image)))
    if frame >= len(frames):
        raise IndexError(f"{sha256} has {len(frames)} frame(s)")
    found = _THUMBS.get(key)
    return found if found is not None else encode_jpeg(blurred(frames[frame]))


def colour_data_urls(vault: Vault, sha256: str) -> list[str]:
    """Colour renditions (the image, or each key frame) as ``data:`` URLs for one reveal.

    A data URL rather than a fetchable link: it exists only in the one response, so there
    is no second, unaudited way to fetch the revealed picture.
    """
    return [
        "data:image/jpeg;base64," + base64.b64encode(encode_jpeg(coloured(image))).decode()
        for image in frames_of(vault.get(sha256))
    ]
