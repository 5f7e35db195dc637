"""Safe renditions of evidence media, made in memory from vault bytes.

Wellness safeguard: analysts first see a small, greyscale, heavily blurred thumbnail that
tells them *what kind* of picture it is (a screenshot, a document, a photo of people)
without showing detail; a colour rendition is made only on an explicit, audited reveal.
Nothing here touches the disk: the decrypted bytes, the decoded pixels and the encoded
renditions live in ``BytesIO`` buffers only (PyAV and Pillow both read from memory).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from typing import Any

import av
from PIL import Image, ImageFilter, ImageOps

from grace.media.decode import MAX_PIXELS, MediaError, kind_of_mime
from grace.media.kinds import sniff_mime

THUMB_SIDE = 160
"""Longest side of a blurred thumbnail: small enough that blur hides detail cheaply."""
BLUR_RADIUS = 8.0
"""Gaussian radius in thumbnail pixels (5 % of its side): shapes survive, faces do not."""
REVEAL_SIDE = 480
"""Longest side of a revealed colour rendition: enough to judge, never the original."""
KEY_FRAMES = 4
"""Frames shown for a video: spread over its length, decoded without audio."""
JPEG_QUALITY = 70


def blurred(image: Image.Image) -> Image.Image:
    """Downscale, drop colour and blur: the default look of every unrevealed item."""
    small = _fit(image, THUMB_SIDE).convert("L")
    return small.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))


def coloured(image: Image.Image) -> Image.Image:
    """The revealed look: colour, downscaled, upright."""
    return _fit(image, REVEAL_SIDE).convert("RGB")


def frames_of(data: bytes) -> list[Image.Image]:
    """The still pictures an item is shown as: the image itself, or a video's key frames."""
    mime = sniff_mime(data[:64])
    if kind_of_mime(mime) == "video":
        return video_key_frames(data)
    return [open_image(data)]


def open_image(data: bytes) -> Image.Image:
    """Decode an image from memory, upright (EXIF orientation), refusing pixel bombs."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(f"image {image.width}x{image.height} exceeds the pixel limit")
            image.draft("RGB", (REVEAL_SIDE, REVEAL_SIDE))  # JPEG: decode at a reduced scale
            upright = ImageOps.exif_transpose(image)
            upright.load()
            return upright
    except MediaError:
        raise
    except Exception as exc:  # Pillow raises many types on hostile input
        raise MediaError(f"cannot decode image: {exc}") from exc


def video_key_frames(data: bytes, count: int = KEY_FRAMES) -> list[Image.Image]:
    """``count`` frames spread evenly over the video, decoded from memory (no audio)."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise MediaError("container has no video stream")
            stream = container.streams.video[0]
            ctx = stream.codec_context
            if int(ctx.width) * int(ctx.height) > MAX_PIXELS:
                raise MediaError("video frame exceeds the pixel limit")
            kept = list(_spread(_small_frames(container, stream), int(stream.frames or 0), count))
    except MediaError:
        raise
    except Exception as exc:  # PyAV raises many FFmpegError subclasses
        raise MediaError(f"cannot decode video: {exc}") from exc
    if not kept:
        raise MediaError("video has no decodable frames")
    return kept


def _spread(frames: Iterator[Image.Image], total: int, count: int) -> Iterator[Image.Image]:
    """Every (total / count)-th frame; with an unknown total, keep a bounded reservoir.

    Decoding in order is slower than seeking but works on damaged evidence, where seeking
    by timestamp often does not; desk videos are short clips.
    """
    if total > 0:
        step = max(1, total // count)
        for number, image in enumerate(frames):
            if number % step == 0 and number // step < count:
                yield image
        return
    pool: list[Image.Image] = []
    stride = 1
    for number, image in enumerate(frames):
        if number % stride:
            continue
        pool.append(image)
        if len(pool) >= 4 * count:  # halve the pool and double the stride: still even
            pool, stride = pool[::2], stride * 2
    yield from pool[:: max(1, len(pool) // count)][:count]


def _small_frames(container: Any, stream: Any) -> Iterator[Image.Image]:
    """Decoded frames reduced to rendition size right away, so memory stays small."""
    for frame in container.decode(stream):
        scale = min(1.0, REVEAL_SIDE / max(frame.width, frame.height, 1))
        width = max(2, int(frame.width * scale) // 2 * 2)
        height = max(2, int(frame.height * scale) // 2 * 2)
        yield frame.reformat(width=width, height=height, format="rgb24").to_image()


def encode_jpeg(image: Image.Image) -> bytes:
    """JPEG bytes of a rendition, built in a memory buffer."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _fit(image: Image.Image, side: int) -> Image.Image:
    copy = image.convert("RGB") if image.mode not in ("RGB", "L") else image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    return copy
