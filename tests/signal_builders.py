"""Benign inputs for the signal tests: scikit-image's bundled photos and a synthesised clip."""

from __future__ import annotations

import io

import av
import numpy as np
import skimage.data
from PIL import Image


def photo(name: str) -> Image.Image:
    """A scikit-image sample photo ("astronaut": one adult face; "coffee", "rocket": none)."""
    pixels = getattr(skimage.data, name)()
    if pixels.ndim == 2:
        pixels = np.stack([pixels] * 3, axis=-1)
    return Image.fromarray(np.ascontiguousarray(pixels[..., :3]))


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def clip(
    image: Image.Image, frames: int = 30, gop: int = 10, size: tuple[int, int] = (640, 480)
) -> bytes:
    """An H.264 MP4 panning slowly over ``image``, a key frame every ``gop`` frames (10 fps)."""
    base = np.asarray(image.convert("RGB").resize(size))
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.codec_context.gop_size = gop
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(np.roll(base, i, axis=1), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()
