"""Benign media for the desk tests: a short synthetic clip (a block sliding over grey)."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np


def benign_clip(frames: int = 24, fps: int = 12) -> bytes:
    """An MPEG-4 clip in MP4: a yellow block moving right over a flat grey background."""
    out = io.BytesIO()
    with av.open(out, mode="w", format="mp4") as box:
        stream = box.add_stream("mpeg4", rate=Fraction(fps, 1))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = 160, 128
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            img = np.full((128, 160, 3), 90, dtype=np.uint8)
            x = 4 + i * 3
            img[30:70, x : x + 20] = (250, 220, 40)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
    return out.getvalue()
