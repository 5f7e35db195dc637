"""The contract the media decode wrapper is fuzzed against (imported inside instrumentation).

Referral media are hostile; the wrapper promises that no decoder failure escapes as
anything but ``MediaError`` and that an image comes back as RGB pixels. The fast pipeline
is the one ingest uses; odd-length inputs take the luma path (greyscale JPEG decoding).
"""

from __future__ import annotations

from grace.media.decode import MediaError, decode_media


def check(data: bytes) -> None:
    """Decode ``data``; a ``MediaError`` is a refusal, anything else must be usable."""
    try:
        decoded = decode_media(data, colour=len(data) % 2 == 0)
    except MediaError:
        return
    if decoded.kind == "image":
        pixels = decoded.pixels
        if pixels is None or pixels.ndim != 3 or pixels.shape[2] != 3:
            raise AssertionError(f"image decoded without RGB pixels: {decoded.mime}")
