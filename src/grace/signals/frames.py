"""Pixels for the signal models: one upright image, or a video's key frames.

Images go through grace's own hostile-input decoder (``decode_media``: magic-byte typing,
pixel-bomb refusal, DCT-domain JPEG downscaling to a short side of 512-1023 px, which is
more than any of the models looks at) and are then turned upright from their EXIF
orientation, because a face lying on its side is invisible to a frontal-face detector.
Videos give their key frames only: the decoder skips every other frame without
reconstructing it (``skip_frame = "NONKEY"``), which is a fraction of full decoding, and
key frames are where encoders put scene changes.
"""

from __future__ import annotations

import io
from typing import Any

import av
from PIL import Image

from grace.media.decode import MAX_PIXELS, MediaError, decode_media

MAX_KEY_FRAMES = 12
FRAME_SHORT_SIDE = 720
"""Key frames are scaled down to at most this short side before analysis."""
_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def pictures(data: bytes) -> tuple[str, list[tuple[float | None, Image.Image]]]:
    """The kind (``image`` | ``video``) and what to analyse: one image, or key frames.

    Raises ``MediaError`` for empty, broken or non-visual files (PDF, zip, XML...).
    """
    media = decode_media(data, colour=True)
    if media.kind == "video":
        return "video", [(t, image) for t, image in key_frames(data)]
    if media.kind != "image" or media.pixels is None:
        raise MediaError(f"not an image or a video ({media.mime or 'unknown type'})")
    return "image", [(None, _upright(media.pixels, media.exif))]


def _upright(pixels: Any, exif: Image.Exif | None) -> Image.Image:
    """The pixels as an image, rotated as the file's EXIF orientation says."""
    image = Image.fromarray(pixels)
    orientation = exif.get(_ORIENTATION) if exif is not None else None
    method = _TRANSPOSE.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(method) if method is not None else image


def key_frames(data: bytes, limit: int = MAX_KEY_FRAMES) -> list[tuple[float, Image.Image]]:
    """Up to ``limit`` key frames, evenly thinned over the whole video, with their times."""
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except Exception as exc:  # PyAV raises many FFmpegError subclasses
        raise MediaError(f"cannot open video: {exc}") from exc
    kept: list[tuple[float, Image.Image]] = []
    try:
        if not container.streams.video:
            raise MediaError("container has no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if int(ctx.width or 0) * int(ctx.height or 0) > MAX_PIXELS:
            raise MediaError(f"video frame {ctx.width}x{ctx.height} exceeds the pixel limit")
        ctx.skip_frame = "NONKEY"
        stride = 1
        for seen, frame in enumerate(container.decode(stream)):
            if seen % stride == 0:
                kept.append((_seconds(frame), _small(frame)))
                if len(kept) >= 2 * limit:
                    # Keep every other frame and double the stride: memory stays bounded and
                    # what is kept stays evenly spread over however long the video turns out.
                    kept, stride = kept[::2], stride * 2
    except MediaError:
        raise
    except Exception as exc:  # corrupt packets: keep the frames decoded before them
        if not kept:
            raise MediaError(f"cannot decode video frames: {exc}") from exc
    finally:
        container.close()
    if not kept:
        raise MediaError("video has no decodable key frame")
    step = max(1, -(-len(kept) // limit))
    return kept[::step][:limit]


def _seconds(frame: Any) -> float:
    return round(float(frame.time), 3) if frame.time is not None else 0.0


def _small(frame: Any) -> Image.Image:
    width, height = int(frame.width), int(frame.height)
    scale = min(1.0, FRAME_SHORT_SIDE / max(1, min(width, height)))
    if scale < 1.0:
        frame = frame.reformat(width=round(width * scale), height=round(height * scale))
    image: Image.Image = frame.to_image()
    return image.convert("RGB")
