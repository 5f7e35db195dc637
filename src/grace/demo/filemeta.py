"""Per-file metadata of a synthetic referral: names, flags, hashes, upload events.

Kept apart from the referral-level scenario because files are where the legally
important flags live (viewed by the provider or not, publicly available, supplemental)
and where hash and annotation realism matters for matching and triage.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from grace.demo.synth import IpCapture, SynthFile

if TYPE_CHECKING:
    from grace.demo.scenario import Context

MOU_ESPS = ("PhotoShareCo", "VidTube Example", "CloudLocker")


def stamp(when: datetime, offset: str) -> str:
    """ISO 8601 in the given offset style, seconds precision."""
    if offset == "Z":
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    sign = -1 if offset[0] == "-" else 1
    delta = timedelta(hours=sign * int(offset[1:3]))
    return (when + delta).strftime("%Y-%m-%dT%H:%M:%S") + offset


def original_name(rng: random.Random, ext: str, when: datetime) -> str | None:
    """A name the user's device might have given the file (sometimes none is reported)."""
    if rng.random() < 0.12:
        return None
    style = rng.randrange(4)
    if style == 0:
        return f"IMG_{when:%Y%m%d}_{rng.randrange(10**6):06d}.{ext}"
    if style == 1:
        return f"received_{rng.randrange(10**9, 10**10)}.{ext}"
    if style == 2:
        return f"Screenshot_{when:%Y-%m-%d-%H-%M-%S}.{ext}"
    return f"image{rng.randrange(20)}.{ext}"


def make_file(
    ctx: Context,
    ref_index: int,
    esp_name: str,
    domain: str,
    subject_ips: list[IpCapture],
    when: datetime,
    offset: str,
    supplemental: bool,
    *,
    fresh: bool = False,
) -> SynthFile:
    """Draw one file from the pool and decide what the provider says about it.

    ``fresh`` draws newly produced material (a base never drawn and not hash-listed)."""
    rng = ctx.rng
    item, repeat = ctx.pool.draw_fresh() if fresh else ctx.pool.draw()
    ctx.repeats.append(repeat)
    base = ctx.pool.base(item.base_id)
    file_id = f"{rng.getrandbits(128):032x}"
    annotations: list[str] = []
    if base.viral and rng.random() < 0.85:
        annotations.append("viral")
        if not supplemental:
            annotations.append("potentialMeme")
    if rng.random() < 0.02:
        annotations.append("generativeAi")
    industry = None
    if esp_name in MOU_ESPS and not supplemental and rng.random() < 0.3:
        industry = rng.choice(("A1", "A2", "B1", "B2"))
    uploaded = when - timedelta(minutes=rng.uniform(1, 60 * 24 * 20))
    upload_ip = None
    if subject_ips and rng.random() < 0.4:
        src = rng.choice(subject_ips)
        upload_ip = IpCapture(
            src.ip, "Upload", stamp(uploaded, offset), src.port, src.possible_proxy, src.country
        )
    viewed = rng.choices((True, False, None), weights=(50, 40, 10))[0]
    return SynthFile(
        file_id=file_id,
        member_name=f"{file_id}.{item.ext}",
        original_name=original_name(rng, item.ext, uploaded),
        sha256=item.sha256,
        md5=item.md5,
        sha1=item.sha1,
        size=len(item.data),
        base_id=item.base_id,
        transform=item.transform if not item.param else f"{item.transform}:{item.param}",
        viewed_by_esp=viewed,
        publicly_available=rng.choices((True, False, None), weights=(30, 55, 15))[0],
        annotations=annotations,
        industry_classification=industry,
        uploaded_at=stamp(uploaded, offset) if rng.random() < 0.8 else None,
        location_url=f"https://{domain}/media/{file_id[:12]}" if rng.random() < 0.4 else None,
        upload_ip=upload_ip,
        exif=[("Make", "DemoCam"), ("Model", f"DC-{rng.randrange(100, 999)}")]
        if rng.random() < 0.1
        else [],
        additional_info=[f"File was originally posted with {rng.randrange(1, 9)} others"]
        if rng.random() < 0.05
        else [],
        supplemental=supplemental,
    )
