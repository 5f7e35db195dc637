"""One file in, every fact the triage needs out: digests, type, size, PDQ/vPDQ, EXIF/GPS.

This is the single entry point used by ``grace hash`` and by ingest, so a file is always
described the same way. It never raises for a bad file: whatever could be computed (the
digests, at least) is kept and ``error`` says what failed, so one corrupt upload cannot
stop a batch of thousands.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from grace.media.decode import DecodedMedia, MediaError, decode_media, kind_of_mime
from grace.media.hashers import HashOptions, HashValue, registry
from grace.media.hashers.crypto import crypto_digests
from grace.media.hashers.exif import read_exif
from grace.media.hashers.video import VpdqFrame, probe_video
from grace.media.kinds import sniff_mime

_BUILTIN = frozenset({"crypto", "pdq", "vpdq"})


@dataclass
class MediaAnalysis:
    """Everything learnt about one file. ``to_record`` is the ``grace hash`` JSON line."""

    md5: str | None
    sha1: str | None
    sha256: str | None
    size: int | None
    mime: str | None
    kind: str
    path: str | None = None
    width: int | None = None
    height: int | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    pipeline: str | None = None
    dihedral: dict[str, str] = field(default_factory=dict)
    exif: dict[str, Any] = field(default_factory=dict)
    gps: dict[str, float] | None = None
    video: dict[str, Any] | None = None
    vpdq: list[dict[str, Any]] = field(default_factory=list)
    hashes: dict[str, list[HashValue]] = field(default_factory=dict)
    """Every hasher's values by hasher name, for storage (``media_hashes`` rows)."""
    hasher_versions: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    def to_record(self) -> dict[str, Any]:
        """JSON-ready dict; values of agency-registered hashers go under ``extra``."""
        record = {
            key: value for key, value in asdict(self).items() if key not in ("hashes", "path")
        }
        record = {"path": self.path, **record}
        extra = {
            name: [asdict(v) for v in values]
            for name, values in self.hashes.items()
            if name not in _BUILTIN
        }
        if extra:
            record["extra"] = extra
        return record

    def to_json(self) -> str:
        """One line of JSON: the ``grace hash --json`` output for this file."""
        return json.dumps(self.to_record(), ensure_ascii=False, sort_keys=False)


def analyse_bytes(
    data: bytes, *, exact: bool = False, vpdq_fps: float = 1.0, every_frame: bool = False
) -> MediaAnalysis:
    """Analyse one file's bytes; never raises for bad content (see ``error``)."""
    digests = crypto_digests(data)
    mime = sniff_mime(data[:64])
    result = MediaAnalysis(
        md5=digests["md5"],
        sha1=digests["sha1"],
        sha256=digests["sha256"],
        size=len(data),
        mime=mime,
        kind=kind_of_mime(mime),
    )
    options = HashOptions(exact=exact, vpdq_fps=vpdq_fps, every_frame=every_frame)
    try:
        colour = registry.needs_colour(kind_of_mime(mime))
        media = decode_media(data, exact=exact, colour=colour)
    except MediaError as exc:
        result.error = str(exc)
        return result
    result.mime, result.kind = media.mime, media.kind
    if media.kind == "image":
        _describe_image(result, media)
    elif media.kind == "video":
        try:
            info = probe_video(data)
        except MediaError as exc:
            result.error = str(exc)
            return result
        result.video = info.as_dict()
        result.width, result.height = info.width, info.height
    _run_hashers(result, media, options)
    return result


def analyse_path(
    path: Path | str, *, exact: bool = False, vpdq_fps: float = 1.0, every_frame: bool = False
) -> MediaAnalysis:
    """``analyse_bytes`` on a file's content, with ``path`` filled in (read errors too)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return MediaAnalysis(
            md5=None,
            sha1=None,
            sha256=None,
            size=None,
            mime=None,
            kind="other",
            path=str(path),
            error=f"cannot read file: {exc.strerror or exc}",
        )
    result = analyse_bytes(data, exact=exact, vpdq_fps=vpdq_fps, every_frame=every_frame)
    result.path = str(path)
    return result


def _describe_image(result: MediaAnalysis, media: DecodedMedia) -> None:
    result.width, result.height = media.width, media.height
    result.pipeline = media.pipeline
    result.exif, result.gps = read_exif(media.exif)


def _run_hashers(result: MediaAnalysis, media: DecodedMedia, options: HashOptions) -> None:
    errors: list[str] = []
    for hasher in registry.for_kind(media.kind, options):
        try:
            if hasher.name == "crypto":  # already computed once, for every file
                digests = {"md5": result.md5, "sha1": result.sha1, "sha256": result.sha256}
                values = [HashValue(k, v) for k, v in digests.items() if v is not None]
            else:
                values = hasher.compute(media)
        except MediaError as exc:
            errors.append(str(exc))
            continue
        except Exception as exc:  # an agency plug-in must not take the batch down
            errors.append(f"hasher {hasher.name} failed: {type(exc).__name__}: {exc}")
            continue
        result.hashes[hasher.name] = values
        result.hasher_versions[hasher.name] = hasher.version
        if hasher.name == "pdq":
            _fill_pdq(result, values)
        elif hasher.name == "vpdq":
            result.vpdq = [VpdqFrame.from_hash_value(v).as_dict() for v in values]
    if errors:
        result.error = "; ".join(errors)


def _fill_pdq(result: MediaAnalysis, values: list[HashValue]) -> None:
    for value in values:
        name = value.variant or "orig"
        result.dihedral[name] = value.value
        if not value.variant:
            result.pdq, result.pdq_quality = value.value, value.quality
