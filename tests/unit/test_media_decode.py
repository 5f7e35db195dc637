"""Decoding hostile and varied image input: bombs, truncation, formats, EXIF and GPS.

All images are synthesised here (benign drawn shapes), so nothing is read from disk.
"""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction

import numpy as np
import pytest
from PIL import ExifTags, Image, ImageDraw, TiffImagePlugin

from grace.media import decode
from grace.media.analyse import analyse_bytes
from grace.media.decode import MediaError, decode_media
from grace.media.hashers.pdq import hamming
from grace.media.kinds import sniff_mime


def _scene(width: int = 640, height: int = 480) -> Image.Image:
    img = Image.new("RGB", (width, height), (40, 90, 150))
    draw = ImageDraw.Draw(img)
    draw.ellipse((60, 50, 360, 330), fill=(240, 200, 30))
    draw.rectangle((380, 200, 600, 440), fill=(200, 40, 60))
    draw.line((0, 470, 640, 0), fill=(250, 250, 250), width=14)
    return img


def _encode(img: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    img.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def test_png_claiming_50000_squared_is_refused_cheaply() -> None:
    ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b"")
    result = analyse_bytes(data)
    assert result.error is not None and "bomb" in result.error
    assert result.sha256 and result.mime == "image/png" and result.pdq is None


def test_local_pixel_limit_applies(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decode, "MAX_PIXELS", 1000)
    with pytest.raises(MediaError, match="bomb"):
        decode_media(_encode(_scene(), "PNG"))


def test_truncated_jpeg_is_a_per_file_error() -> None:
    data = _encode(_scene(), "JPEG", quality=90)
    result = analyse_bytes(data[: len(data) // 2])
    assert result.error is not None
    assert result.md5 and result.pdq is None


@pytest.mark.parametrize("junk", [b"", b"\xff\xd8\xff" + b"\x00" * 50, b"GIF89a" + b"\x01" * 20])
def test_junk_never_raises(junk: bytes) -> None:
    assert analyse_bytes(junk).error


def test_plain_text_is_other_without_error() -> None:
    result = analyse_bytes(b"just some notes about the referral\n")
    assert result.kind == "other" and result.error is None and result.pdq is None


FORMATS = {
    "PNG": ("image/png", {}),
    "JPEG": ("image/jpeg", {"quality": 95}),
    "WEBP": ("image/webp", {"quality": 95}),
    "GIF": ("image/gif", {}),
    "TIFF": ("image/tiff", {}),
    "BMP": ("image/bmp", {}),
    "HEIF": ("image/heic", {"quality": 95}),
    "AVIF": ("image/avif", {"quality": 95}),
}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_formats_hash_alike(fmt: str) -> None:
    mime, options = FORMATS[fmt]
    img = _scene()
    reference = analyse_bytes(_encode(img, "PNG"), exact=True).pdq
    try:
        data = _encode(img, fmt, **options)
    except (KeyError, OSError) as exc:  # encoder not built into this Pillow
        pytest.skip(f"cannot write {fmt}: {exc}")
    for exact in (False, True):
        result = analyse_bytes(data, exact=exact)
        assert result.error is None, result.error
        assert result.mime == mime and result.kind == "image"
        assert (result.width, result.height) == (640, 480)
        assert result.pdq and reference and hamming(result.pdq, reference) <= 10
        assert result.pdq_quality == 100


def test_animated_gif_hashes_first_frame() -> None:
    first, second = _scene(), _scene().transpose(Image.Transpose.ROTATE_180)
    out = io.BytesIO()
    first.save(out, format="GIF", save_all=True, append_images=[second], duration=100)
    gif = analyse_bytes(out.getvalue())
    still = analyse_bytes(_encode(first, "PNG"))
    assert gif.pdq and still.pdq and hamming(gif.pdq, still.pdq) <= 10


def test_large_png_is_reduced_but_reports_original_size() -> None:
    big = _scene().resize((2600, 1950))
    media = decode_media(_encode(big, "PNG", compress_level=1))
    assert (media.width, media.height) == (2600, 1950)
    assert media.pixels is not None and 512 <= min(media.pixels.shape[:2]) < 1024
    exact = decode_media(_encode(big, "PNG", compress_level=1), exact=True)
    assert exact.pixels is not None and exact.pixels.shape == (1950, 2600, 3)


def _with_exif(orientation: int = 6) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "BenignCam"
    exif[ExifTags.Base.Model] = "Model 7\x00"
    exif[ExifTags.Base.DateTime] = "2024:05:01 10:00:00"
    exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:04:30 09:15:00"
    rational = TiffImagePlugin.IFDRational
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (rational(33), rational(51), rational(Fraction(3540, 100)))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (rational(151), rational(12), rational(36))
    gps[ExifTags.GPS.GPSAltitudeRef] = b"\x00"
    gps[ExifTags.GPS.GPSAltitude] = rational(Fraction(585, 10))
    return _encode(_scene(), "JPEG", quality=90, exif=exif)


def test_exif_and_gps_are_read() -> None:
    result = analyse_bytes(_with_exif())
    assert result.exif == {
        "make": "BenignCam",
        "model": "Model 7",
        "datetime": "2024:05:01 10:00:00",
        "datetime_original": "2024:04:30 09:15:00",
        "orientation": 6,
    }
    assert result.gps is not None
    assert result.gps["lat"] == pytest.approx(-(33 + 51 / 60 + 35.4 / 3600), abs=1e-6)
    assert result.gps["lon"] == pytest.approx(151 + 12 / 60 + 36 / 3600, abs=1e-6)
    assert result.gps["altitude"] == pytest.approx(58.5)


def test_orientation_is_not_applied() -> None:
    """EXIF rotation is recorded but pixels stay as stored, like PDQ's references."""
    plain = analyse_bytes(_with_exif(orientation=1), exact=True)
    rotated = analyse_bytes(_with_exif(orientation=6), exact=True)
    assert plain.pdq == rotated.pdq


def test_broken_exif_keeps_pixels() -> None:
    data = _with_exif()
    start = data.index(b"Exif\x00\x00") + 6
    broken = data[:start] + b"MM\x00\x2a\xff\xff\xff\xf0" + data[start + 8 :]
    result = analyse_bytes(broken)
    assert result.error is None and result.pdq is not None
    assert result.gps is None


def test_sniffing_distinguishes_containers() -> None:
    assert sniff_mime(b"\x1aE\xdf\xa3\xa3B\x86\x81\x01B\x82\x88matroska") == "video/x-matroska"
    assert sniff_mime(b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\x82\x84webm") == "video/webm"
    assert sniff_mime(b"\x00\x00\x00\x1cftypavif") == "image/avif"
    assert sniff_mime(b"\x00\x00\x00\x18ftypheic") == "image/heic"


def test_pixels_are_rgb_uint8() -> None:
    media = decode_media(_encode(_scene().convert("L"), "PNG"))
    assert media.pixels is not None
    assert media.pixels.dtype == np.uint8 and media.pixels.shape == (480, 640, 3)
