"""Video facts (duration, rate, size, codec) and vPDQ: PDQ of sampled frames, via PyAV.

vPDQ is Meta's video hash: a list of per-frame PDQ hashes that is matched as a bag of
frames, so it survives cuts and re-encodes where a single whole-file hash cannot. Frames
are decoded to rgb24 at native size, as the reference does, and every ``int(fps / rate)``-th
frame is hashed (every frame with ``every_frame``), giving records in the reference's
``frame,quality,pdq_hex,timestamp_seconds`` line format.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from grace.media.decode import MAX_PIXELS, DecodedMedia, MediaError
from grace.media.hashers.base import Hasher, HashValue
from grace.media.hashers.pdq import pdq_of_pixels


@dataclass(frozen=True)
class VideoInfo:
    """What the container says about its first video stream."""

    duration: float | None
    fps: float | None
    width: int
    height: int
    codec: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class VpdqFrame:
    """One hashed frame, as in the reference ``*.vpdq.txt`` files."""

    frame_number: int
    quality: int
    pdq_hex: str
    timestamp_seconds: float

    def line(self) -> str:
        """``frame,quality,pdq_hex,timestamp`` exactly as the reference prints it."""
        return f"{self.frame_number},{self.quality},{self.pdq_hex},{self.timestamp_seconds:.3f}"

    @classmethod
    def from_line(cls, line: str) -> VpdqFrame:
        number, quality, pdq_hex, timestamp = line.strip().split(",")
        return cls(int(number), int(quality), pdq_hex, float(timestamp))

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "timestamp_seconds": round(self.timestamp_seconds, 3)}

    def to_hash_value(self) -> HashValue:
        """Storage form: the variant ``"<frame>@<seconds>"`` keeps frames apart and ordered."""
        variant = f"{self.frame_number}@{self.timestamp_seconds:.3f}"
        return HashValue("vpdq", self.pdq_hex, variant, self.quality)

    @classmethod
    def from_hash_value(cls, value: HashValue) -> VpdqFrame:
        number, _, timestamp = value.variant.partition("@")
        return cls(int(number), value.quality or 0, value.value, float(timestamp))


@contextmanager
def _open_video(data: bytes) -> Iterator[tuple[Any, Any]]:
    """Container and its first video stream; any FFmpeg failure becomes ``MediaError``."""
    import av  # on use: PyAV loads FFmpeg's libraries, which CLI start-up should not pay for

    try:
        container = av.open(io.BytesIO(data), mode="r")
    except Exception as exc:  # PyAV raises many FFmpegError subclasses
        raise MediaError(f"cannot open video: {exc}") from exc
    try:
        if not container.streams.video:
            raise MediaError("container has no video stream")
        yield container, container.streams.video[0]
    finally:
        container.close()


def _info(container: Any, stream: Any) -> VideoInfo:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    duration: float | None = None
    if container.duration:
        duration = container.duration / 1_000_000
    elif stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    ctx = stream.codec_context
    return VideoInfo(
        duration=round(duration, 3) if duration is not None else None,
        fps=round(float(rate), 3) if rate else None,
        width=int(ctx.width),
        height=int(ctx.height),
        codec=str(ctx.name),
    )


def probe_video(data: bytes) -> VideoInfo:
    """Duration, frame rate, frame size and codec, without decoding frames."""
    with _open_video(data) as (container, stream):
        return _info(container, stream)


def vpdq_frames(
    data: bytes, *, fps: float = 1.0, every_frame: bool = False
) -> tuple[VideoInfo, list[VpdqFrame]]:
    """Video facts and the vPDQ records of the sampled frames (``fps`` frames a second)."""
    if fps <= 0:
        raise ValueError("vPDQ sampling rate must be positive")
    with _open_video(data) as (container, stream):
        info = _info(container, stream)
        if info.width * info.height > MAX_PIXELS:
            raise MediaError(f"video frame {info.width}x{info.height} exceeds the pixel limit")
        video_fps = info.fps or 30.0
        step = 1 if every_frame else max(1, int(video_fps / fps))
        stream.thread_type = "AUTO"
        frames: list[VpdqFrame] = []
        try:
            for number, frame in enumerate(container.decode(stream)):
                if number % step:
                    continue
                result = pdq_of_pixels(frame.to_ndarray(format="rgb24"))
                frames.append(VpdqFrame(number, result.quality, result.hex, number / video_fps))
        except MediaError:
            raise
        except Exception as exc:  # corrupt packets mid-stream
            if not frames:
                raise MediaError(f"cannot decode video frames: {exc}") from exc
            # Keep what decoded: a damaged tail should not hide the frames before it.
        return info, frames


class VpdqHasher(Hasher):
    """vPDQ of videos; one value per hashed frame (see ``VpdqFrame.to_hash_value``)."""

    name: ClassVar[str] = "vpdq"
    version: ClassVar[str] = "1"
    kinds: ClassVar[frozenset[str]] = frozenset({"video"})
    needs_colour: ClassVar[bool] = False

    def _compute(self, media: DecodedMedia) -> list[HashValue]:
        _, frames = vpdq_frames(
            media.data, fps=self.options.vpdq_fps, every_frame=self.options.every_frame
        )
        return [frame.to_hash_value() for frame in frames]
