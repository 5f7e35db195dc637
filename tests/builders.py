"""Small builders of benign referral inputs for tests (synthetic metadata, drawn images)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

from grace.model import FileRef, IpEvent, Location, Party, PartyRole, Referral


def drawn_png(seed: int, size: int = 96) -> bytes:
    """A benign picture: coloured stripes and a circle, different per seed."""
    image = Image.new("RGB", (size, size), ((seed * 37) % 256, (seed * 91) % 256, 180))
    draw = ImageDraw.Draw(image)
    for x in range(0, size, 12):
        draw.rectangle([x, 0, x + 5, size], fill=((seed * 13 + x) % 256, 90, 40))
    draw.ellipse([size // 4, size // 4, 3 * size // 4, 3 * size // 4], fill=(250, 220, 60))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def grace_referral(n: int, files: list[str]) -> Referral:
    """A grace-format referral with one reported account and the named files."""
    return Referral(
        source_format="grace_json",
        external_id=f"T-{n:05d}",
        esp_name="PhotoShareCo",
        incident_type="Child Pornography (possession, manufacture, and distribution)",
        incident_time=f"2026-10-{1 + n % 28:02d}T12:00:00+02:00",
        escalated=n % 5 == 0,
        escalation_reason="ongoing contact reported" if n % 5 == 0 else None,
        parties=[
            Party(
                role=PartyRole.REPORTED,
                esp_user_id=f"user{n}",
                screen_name=f"handle_{n}",
                emails=[f"user{n}@example.com"],
                ip_events=[IpEvent(ip="192.0.2.10", event="Upload", at="2026-10-01T10:00:00Z")],
                location=Location(country_code="NL"),
            )
        ],
        files=[
            FileRef(name=name, original_name=f"IMG_{n}_{i}.png") for i, name in enumerate(files)
        ],
    )


def write_grace_bundle(directory: Path, n: int, images: int = 2, as_zip: bool = False) -> Path:
    """Write referral ``n`` with its images as a folder (or a zip) under ``directory``."""
    names = [f"media-{i}.png" for i in range(images)]
    referral = grace_referral(n, names)
    members = {"referral.json": referral.model_dump_json(exclude_none=True).encode()}
    members |= {name: encoded(textured_image(n * 10 + i), "PNG") for i, name in enumerate(names)}
    if as_zip:
        target = directory / f"referral-{n}.zip"
        with zipfile.ZipFile(target, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)
        return target
    target = directory / f"referral-{n}"
    target.mkdir(parents=True)
    for name, data in members.items():
        (target / name).write_bytes(data)
    return target


def le_json(report_id: str, filename: str) -> bytes:
    """A minimal NCMEC police-download JSON document naming one uploaded file."""
    return json.dumps(
        {
            "reportId": report_id,
            "dateReceived": "2026-10-02T08:00:00Z",
            "reportedInformation": {
                "reportingEsp": {"espName": "ChatterApp"},
                "incidentSummary": {
                    "incidentType": "Online Enticement of Children for Sexual Acts"
                },
            },
            "uploadedFiles": {
                "uploadedFiles": [{"filename": filename, "originalFilename": "a.png"}]
            },
        }
    ).encode()


def textured_image(seed: int, size: tuple[int, int] = (320, 240)) -> Image.Image:
    """A benign picture with enough structure for PDQ: random ellipses and bars on a gradient."""
    import random

    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    draw = ImageDraw.Draw(image)
    for _ in range(14):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        w, h = rng.randrange(20, size[0] // 2), rng.randrange(20, size[1] // 2)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
        else:
            draw.rectangle([x, y, x + w, y + h // 3], fill=colour)
    return image


def encoded(image: Image.Image, fmt: str = "JPEG", **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def write_media_referral(directory: Path, report_id: str, media: dict[str, bytes]) -> Path:
    """A grace-JSON referral folder carrying exactly the given media files."""
    referral = grace_referral(int(report_id.split("-")[-1]), list(media))
    referral.external_id = report_id
    folder = directory / report_id
    folder.mkdir(parents=True)
    (folder / "referral.json").write_text(referral.model_dump_json(exclude_none=True))
    for name, data in media.items():
        (folder / name).write_bytes(data)
    return folder
