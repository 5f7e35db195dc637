"""Turn untrusted file bytes into pixels fit for perceptual hashing, or a per-file error.

Referral media are hostile input: truncated uploads, lying extensions, pixel bombs. The
type is decided from content (magic bytes, then Pillow), every decoder failure becomes a
``MediaError`` whose message is printed for that one file, and a pixel limit is checked
here rather than through Pillow's process-wide ``MAX_IMAGE_PIXELS``.

Two pixel pipelines, both without EXIF rotation (PDQ's references ignore orientation and
the dihedral hashes make it irrelevant to matching):

* exact: ``Image.open(...).convert("RGB")`` at full size, the pixels Meta's reference
  values were computed on (bit-for-bit conformance).
* fast (default): libjpeg DCT-domain downscaling (``Image.draft``) keeping >= 512 px on
  the short side (other formats: an integer box ``reduce``): decoding a 12 MP JPEG in full
  and hashing every pixel costs several times more and moves the hash by only a few bits.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pillow_heif
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from grace.media.kinds import sniff_mime

pillow_heif.register_heif_opener()

MediaKind = Literal["image", "video", "other"]

MAX_PIXELS = 180_000_000
"""Refuse images above this many pixels (a 12 MP photo is 12 M; a bomb claims billions)."""
FAST_SHORT_SIDE = 512
"""Least short side the fast pipeline hashes at (Meta's reference CLI resizes to 512)."""
PIPELINE_EXACT = "exact"
PIPELINE_FAST_LUMA = "fast-luma-v1"
_LUMA_MODES = ("RGB", "YCbCr", "L")
PIPELINE_FAST = "fast-v1"
"""Versioned name of the fast preprocessing; stored with hashes so drift can be traced."""

_IMAGE_MIMES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "BMP": "image/bmp",
    "TIFF": "image/tiff",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
    "AVIF": "image/avif",
    "ICO": "image/x-icon",
    "PPM": "image/x-portable-anymap",
    "JPEG2000": "image/jp2",
    "QOI": "image/qoi",
}
_FALLBACK_FORMATS = ["ICO", "PPM", "JPEG2000", "QOI"]
"""Formats tried when magic bytes say nothing; all have their own signature check."""

# RuntimeError: libheif (through pillow-heif) reports limits and corrupt streams with it.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    RuntimeError,
)


class MediaError(Exception):
    """This one file cannot be decoded; the message says why, for the operator."""


@dataclass(frozen=True)
class DecodedMedia:
    """One file's bytes plus what decoding learnt; ``pixels`` is set for images only."""

    data: bytes
    mime: str | None
    kind: MediaKind
    width: int | None = None
    height: int | None = None
    pixels: NDArray[np.uint8] | None = None
    pipeline: str = ""
    exif: Image.Exif | None = None


def kind_of_mime(mime: str | None) -> MediaKind:
    """Coarse kind used to pick hashers."""
    if mime and mime.startswith("image/"):
        return "image"
    if mime and mime.startswith("video/"):
        return "video"
    return "other"


def decode_media(data: bytes, *, exact: bool = False, colour: bool = True) -> DecodedMedia:
    """Classify ``data`` and, for images, decode pixels; raise ``MediaError`` if broken."""
    if not data:
        raise MediaError("empty file (0 bytes)")
    mime = sniff_mime(data[:64])
    kind = kind_of_mime(mime)
    if kind == "video":
        return DecodedMedia(data=data, mime=mime, kind="video")
    if kind == "other" and mime is not None:
        return DecodedMedia(data=data, mime=mime, kind="other")
    formats = None if kind == "image" else _FALLBACK_FORMATS
    try:
        return _decode_image(data, exact=exact, formats=formats, colour=colour)
    except UnidentifiedImageError as exc:
        if kind == "other":
            return DecodedMedia(data=data, mime=mime, kind="other")
        raise MediaError(f"unreadable {mime or 'image'}: Pillow cannot identify it") from exc
    except Image.DecompressionBombError as exc:
        raise MediaError(f"decompression bomb refused: {exc}") from exc
    except MemoryError as exc:
        raise MediaError("image too large to decode in memory") from exc
    except _DECODE_ERRORS as exc:
        raise MediaError(f"cannot decode {mime or 'image'}: {exc}") from exc


def _decode_image(
    data: bytes, *, exact: bool, formats: list[str] | None, colour: bool = True
) -> DecodedMedia:
    with warnings.catch_warnings():
        # Our own MAX_PIXELS check below replaces Pillow's global warning threshold, and a
        # corrupt EXIF block (warned about while opening) is handled by ``read_exif``.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        with Image.open(io.BytesIO(data), formats=formats) as im:
            width, height = im.size
            if width * height > MAX_PIXELS:
                raise MediaError(
                    f"decompression bomb refused: {width}x{height} exceeds {MAX_PIXELS} pixels"
                )
            exif = _safe_exif(im)
            mime = _IMAGE_MIMES.get(im.format or "", sniff_mime(data[:64]))
            if exact:
                rgb = im if im.mode == "RGB" else im.convert("RGB")
                pipeline = PIPELINE_EXACT
            else:
                luma = not colour and im.format == "JPEG" and im.mode in _LUMA_MODES
                rgb = _fast_rgb(im, luma)
                pipeline = PIPELINE_FAST_LUMA if luma else PIPELINE_FAST
            pixels = np.asarray(rgb, dtype=np.uint8)
    return DecodedMedia(
        data=data,
        mime=mime,
        kind="image",
        width=width,
        height=height,
        pixels=pixels,
        pipeline=pipeline,
        exif=exif,
    )


def _fast_rgb(im: Image.Image, luma: bool = False) -> Image.Image:
    """Reduced-size RGB whose short side stays in [512, 1024) px when the source is larger.

    JPEG: libjpeg decodes at 1/2, 1/4 or 1/8 scale in the DCT domain (``draft``), which skips
    most of the work. Other formats decode in full, then ``reduce`` averages integer blocks.
    No further resampling: a resize to exactly 512 px moved hashes by up to 12 bits on the
    conformance set, while these steps stay within 6 of the full-resolution reference.
    """
    width, height = im.size
    short = min(width, height)
    mode = "L" if luma else "RGB"
    if short >= 2 * FAST_SHORT_SIDE:
        scale = FAST_SHORT_SIDE / short
        im.draft(mode, (max(1, int(width * scale)), max(1, int(height * scale))))
    elif luma:
        im.draft(mode, im.size)
    if luma:  # JPEG's Y is BT.601 luma, the weights PDQ applies to RGB: grey RGB hashes alike
        rgb = (im if im.mode == "L" else im.convert("L")).convert("RGB")
    else:
        rgb = im if im.mode == "RGB" else im.convert("RGB")  # convert() would copy
    factor = min(rgb.size) // FAST_SHORT_SIDE
    if factor >= 2:
        rgb = rgb.reduce(factor)
    return rgb


def _safe_exif(im: Image.Image) -> Image.Exif | None:
    """EXIF block if parseable; broken EXIF must not cost us the pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return im.getexif()
    except Exception:  # a malformed EXIF block can raise almost anything
        return None
