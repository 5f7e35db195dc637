"""The media wall's safe renditions: blurred greyscale thumbnails really hide detail,
reveals are colour but downscaled, videos give key frames, and nothing touches the disk."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from builders import encoded, textured_image
from desk_builders import benign_clip
from grace.desk.cache import ByteLRU
from grace.desk.renditions import (
    KEY_FRAMES,
    REVEAL_SIDE,
    THUMB_SIDE,
    blurred,
    coloured,
    frames_of,
    video_key_frames,
)
from grace.desk.service import blurred_jpeg, colour_data_urls
from grace.media.decode import MediaError
from grace.vault import Vault


def _checkerboard(size: int = 640, cell: int = 4) -> Image.Image:
    """Fine detail everywhere: what a blur must wipe out."""
    yy, xx = np.mgrid[0:size, 0:size]
    board = (((yy // cell) + (xx // cell)) % 2 * 255).astype(np.uint8)
    return Image.fromarray(np.stack([board, board // 2, 255 - board], axis=2), "RGB")


def _high_frequency_energy(image: Image.Image) -> float:
    """Share of spectral energy above a quarter of the Nyquist frequency (grey levels)."""
    grey: NDArray[np.float64] = np.asarray(image.convert("L"), dtype=np.float64)
    h, w = grey.shape
    window = np.outer(np.hanning(h), np.hanning(w))  # no false edges at the borders
    spectrum = np.abs(np.fft.fftshift(np.fft.fft2((grey - grey.mean()) * window))) ** 2
    yy, xx = np.mgrid[0:h, 0:w]
    radius = np.hypot((yy - h / 2) / (h / 2), (xx - w / 2) / (w / 2))
    total = float(spectrum.sum()) or 1.0
    return float(spectrum[radius > 0.25].sum()) / total


def test_blur_removes_fine_detail_and_colour() -> None:
    source = textured_image(7, (640, 480))
    plain = source.copy()
    plain.thumbnail((THUMB_SIDE, THUMB_SIDE))
    thumb = blurred(source)
    assert thumb.mode == "L"
    assert max(thumb.size) == THUMB_SIDE
    assert _high_frequency_energy(plain) > 50 * _high_frequency_energy(thumb)
    detailed = blurred(_checkerboard())
    pixels = np.asarray(detailed, dtype=np.float64)
    assert pixels.std() < 3.0  # a 4-px checkerboard becomes flat grey


def test_blurred_jpeg_is_greyscale_small_jpeg(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "vault", os.urandom(32))
    digests, _ = vault.put(encoded(textured_image(3, (800, 600)), quality=90))
    data = blurred_jpeg(vault, digests.sha256)
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        assert im.mode == "L"
        assert max(im.size) <= THUMB_SIDE
    assert blurred_jpeg(vault, digests.sha256) == data  # served again from memory


def test_reveal_is_colour_but_downscaled() -> None:
    image = coloured(textured_image(5, (1600, 1200)))
    assert image.mode == "RGB" and max(image.size) == REVEAL_SIDE


def test_exif_orientation_is_applied() -> None:
    source = textured_image(9, (300, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    rotated = frames_of(encoded(source, exif=exif.tobytes()))[0]
    assert rotated.size == (200, 300)


def test_nothing_is_written_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decrypting, decoding and rendering stay in memory: no temp files, no new files."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    vault = Vault(tmp_path / "vault", os.urandom(32))
    image, _ = vault.put(encoded(textured_image(11, (640, 480))))
    video, _ = vault.put(benign_clip())
    before = sorted(p for p in tmp_path.rglob("*"))
    blurred_jpeg(vault, image.sha256)
    blurred_jpeg(vault, video.sha256, frame=2)
    assert len(colour_data_urls(vault, video.sha256)) == KEY_FRAMES
    assert colour_data_urls(vault, image.sha256)[0].startswith("data:image/jpeg;base64,")
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert list(scratch.iterdir()) == []


def test_video_gives_spread_key_frames() -> None:
    frames = video_key_frames(benign_clip(frames=40))
    assert len(frames) == KEY_FRAMES
    # the yellow block slides right: later key frames have it further along
    centres = [float(np.argmax(np.asarray(f.convert("L"))[50])) for f in frames]
    assert centres == sorted(centres) and centres[0] < centres[-1]


def test_broken_media_is_an_error() -> None:
    with pytest.raises(MediaError):
        frames_of(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(MediaError):
        video_key_frames(benign_clip()[:300])


def test_lru_is_bounded_in_bytes() -> None:
    cache = ByteLRU(max_bytes=100)
    for n in range(5):
        cache.put(("k", str(n)), bytes(40))
    assert len(cache) == 2 and cache.get(("k", "4")) is not None
    assert cache.get(("k", "0")) is None
