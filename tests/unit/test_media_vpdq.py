"""vPDQ against Meta's reference frame hashes, and video probing on synthesised clips.

Reference rule (vpdq/cpp/regtest.py): hashing every frame, each frame of quality >= 50 is
within Hamming distance < 31 of the reference frame with the same number.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from grace.media.analyse import analyse_bytes, analyse_path
from grace.media.hashers.pdq import hamming
from grace.media.hashers.video import VpdqFrame, probe_video, vpdq_frames
from shared_data import CONFORMANCE

VPDQ_DIR = CONFORMANCE / "vpdq"
VIDEOS = sorted(VPDQ_DIR.glob("*.mp4")) if VPDQ_DIR.is_dir() else []


@pytest.mark.skipif(not VIDEOS, reason=f"conformance videos not found at {VPDQ_DIR}")
@pytest.mark.parametrize("video", VIDEOS, ids=[v.stem for v in VIDEOS])
def test_every_frame_matches_reference(video: Path) -> None:
    lines = (VPDQ_DIR / f"{video.stem}.vpdq.txt").read_text().split()
    reference = {f.frame_number: f for f in map(VpdqFrame.from_line, lines)}
    info, frames = vpdq_frames(video.read_bytes(), every_frame=True)
    got = {f.frame_number: f for f in frames}
    assert set(got) == set(reference)
    for number, ref in reference.items():
        assert abs(got[number].timestamp_seconds - ref.timestamp_seconds) < 0.001
        if ref.quality >= 50:
            assert hamming(got[number].pdq_hex, ref.pdq_hex) < 31, number
    assert info.codec == "h264" and info.fps == 30.0


@pytest.mark.skipif(not VIDEOS, reason="conformance videos not found")
def test_default_samples_one_frame_per_second() -> None:
    video = VPDQ_DIR / "doorknob-hd-no-bar.mp4"
    result = analyse_path(video)
    assert result.error is None and result.kind == "video" and result.mime == "video/mp4"
    assert [f["frame_number"] for f in result.vpdq] == [0, 30, 60, 90]
    assert result.video is not None and result.video["width"] == 1280
    assert (result.width, result.height) == (1280, 720)
    assert 4.0 < result.video["duration"] < 4.5
    first = result.vpdq[0]
    assert set(first) == {"frame_number", "quality", "pdq_hex", "timestamp_seconds"}
    half = analyse_path(video, vpdq_fps=2.0)
    assert [f["frame_number"] for f in half.vpdq][:3] == [0, 15, 30]


def test_frame_line_round_trips() -> None:
    line = "1,100,c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c,0.033"
    frame = VpdqFrame.from_line(line)
    assert frame.line() == line
    assert VpdqFrame.from_hash_value(frame.to_hash_value()) == frame


def _synth_video(container: str, codec: str, frames: int = 24, fps: int = 12) -> bytes:
    """Benign moving shapes: two blocks sliding over a drifting wave pattern."""
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as box:
        stream = box.add_stream(codec, rate=Fraction(fps, 1))
        assert isinstance(stream, av.VideoStream)
        stream.width, stream.height = 160, 128
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        stream.bit_rate = 4_000_000
        yy, xx = np.mgrid[0:128, 0:160].astype(np.float32)
        for i in range(frames):
            wave = 110 + 90 * np.sin(xx / 9 + i / 3) * np.cos(yy / 13)
            img = np.repeat(wave[:, :, None], 3, axis=2).astype(np.uint8)
            x = 8 + i * 4
            img[30:70, x : x + 40] = (250, 220, 40)
            img[80:110, 140 - i * 4 : 160 - i * 4] = (20, 60, 240)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
    return out.getvalue()


@pytest.mark.parametrize(
    ("container", "codec", "mime"),
    [
        ("mp4", "libx264", "video/mp4"),
        ("mov", "mpeg4", "video/quicktime"),
        ("avi", "mjpeg", "video/x-msvideo"),
        ("matroska", "ffv1", "video/x-matroska"),
        ("webm", "libvpx-vp9", "video/webm"),
    ],
)
def test_synthesised_containers(container: str, codec: str, mime: str) -> None:
    data = _synth_video(container, codec)
    info = probe_video(data)
    assert (info.width, info.height) == (160, 128)
    assert info.fps == 12.0
    result = analyse_bytes(data, every_frame=True)
    assert result.error is None, result.error
    assert result.mime == mime and result.kind == "video"
    assert len(result.vpdq) == 24
    sampled = analyse_bytes(data)
    assert [f["frame_number"] for f in sampled.vpdq] == [0, 12]
    # Same clip, different container and codec: frame hashes agree closely.
    reference = analyse_bytes(_synth_video("matroska", "ffv1"), every_frame=True)
    for mine, ref in zip(result.vpdq, reference.vpdq, strict=True):
        assert hamming(mine["pdq_hex"], ref["pdq_hex"]) < 31


def test_broken_video_is_a_per_file_error() -> None:
    data = _synth_video("mp4", "libx264")
    result = analyse_bytes(data[: len(data) // 3])
    assert result.error and result.sha256
    junk = analyse_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 200)
    assert junk.error and junk.kind == "video"
