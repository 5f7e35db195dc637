"""Camera, time and place from EXIF: leads for an investigator, never trusted blindly.

EXIF in referral media is frequently truncated, stripped or edited, so every field is
read on its own and a broken one is skipped instead of failing the file.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from PIL import ExifTags, Image

_MAKE = ExifTags.Base.Make
_MODEL = ExifTags.Base.Model
_DATETIME = ExifTags.Base.DateTime
_DATETIME_ORIGINAL = ExifTags.Base.DateTimeOriginal
_ORIENTATION = ExifTags.Base.Orientation
_G = ExifTags.GPS


def read_exif(exif: Image.Exif | None) -> tuple[dict[str, Any], dict[str, float] | None]:
    """``(fields, gps)``: camera make/model, dates, orientation; GPS in signed degrees."""
    if exif is None:
        return {}, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Corrupt EXIF data" is expected, not news
        return _read(exif)


def _read(exif: Image.Exif) -> tuple[dict[str, Any], dict[str, float] | None]:
    fields: dict[str, Any] = {}
    for key, tag in (("make", _MAKE), ("model", _MODEL), ("datetime", _DATETIME)):
        text = _text(_get(exif, tag))
        if text:
            fields[key] = text
    exif_ifd = _ifd(exif, ExifTags.IFD.Exif)
    original = _text(exif_ifd.get(_DATETIME_ORIGINAL)) or _text(_get(exif, _DATETIME_ORIGINAL))
    if original:
        fields["datetime_original"] = original
    orientation = _get(exif, _ORIENTATION)
    if isinstance(orientation, int) and 1 <= orientation <= 8:
        fields["orientation"] = orientation
    return fields, _gps(_ifd(exif, ExifTags.IFD.GPSInfo))


def _get(exif: Image.Exif, tag: int) -> Any:
    try:
        return exif.get(tag)
    except Exception:  # lazily parsed values can fail on access
        return None


def _ifd(exif: Image.Exif, ifd: int) -> dict[int, Any]:
    try:
        value = exif.get_ifd(ifd)
    except Exception:  # bad offsets, loops, truncation
        return {}
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.replace("\x00", "").strip()
    return text or None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value: Any, ref: Any) -> float | None:
    """(deg, min, sec) rationals plus an N/S/E/W reference to signed decimal degrees."""
    if not isinstance(value, tuple | list) or len(value) != 3:
        return None
    parts = [_number(v) for v in value]
    if any(p is None for p in parts):
        return None
    deg, minutes, seconds = (p for p in parts if p is not None)
    result = deg + minutes / 60 + seconds / 3600
    if _text(ref) in ("S", "W"):
        result = -result
    return round(result, 7)


def _gps(gps: dict[int, Any]) -> dict[str, float] | None:
    lat = _degrees(gps.get(_G.GPSLatitude), gps.get(_G.GPSLatitudeRef))
    lon = _degrees(gps.get(_G.GPSLongitude), gps.get(_G.GPSLongitudeRef))
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        return None
    result: dict[str, float] = {"lat": lat, "lon": lon}
    altitude = _number(gps.get(_G.GPSAltitude))
    if altitude is not None:
        ref = gps.get(_G.GPSAltitudeRef)
        below = ref in (1, b"\x01")
        result["altitude"] = round(-altitude if below else altitude, 2)
    return result
