"""Write a whole synthetic stream: referral bundles, the known hash set, the ground truth.

The ground truth lives *beside* the input, never in it: grace must find variants, known
media and urgent referrals on its own, and evaluations compare what it found with this
file. Everything derives from the seed (including the reference date that stands in for
"now"), so two runs with one seed give byte-identical documents and media.
"""

from __future__ import annotations

import json
import random
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from grace.demo.pool import MediaPool, find_conformance
from grace.demo.scenario import build, new_stream
from grace.demo.synth import SynthReferral
from grace.demo.timeline import received_on_ingest
from grace.demo.vics import known_items, write_vics
from grace.demo.writers_json import grace_json, le_json
from grace.demo.writers_xml import file_details_xml, report_xml

FORMATS = (("cybertip_xml", 40), ("ncmec_le_json", 30), ("grace_json", 30))
ZIP_TIME = (2025, 1, 1, 0, 0, 0)


def pick_format(rng: random.Random) -> str:
    """The format a referral is written in, drawn by the stream's own generator."""
    return rng.choices([f for f, _ in FORMATS], weights=[w for _, w in FORMATS])[0]


@dataclass
class DemoSummary:
    """What ``generate`` wrote, for the CLI and for tests."""

    input_dir: Path
    hashset_path: Path
    ground_truth_path: Path
    referrals: int
    files: int
    unique_media: int
    formats: dict[str, int] = field(default_factory=dict)
    known_listed: int = 0


def reference_date(seed: int) -> datetime:
    """The fixed "now" of a stream: a date in 2025 chosen by the seed, never the clock."""
    return datetime(2025, 1, 1, 12, tzinfo=UTC) + timedelta(days=seed % 365)


def _members(r: SynthReferral, media: dict[str, bytes]) -> list[tuple[str, bytes]]:
    if r.fmt == "cybertip_xml":
        docs = [("report.xml", report_xml(r))]
        docs += [(f"filedetails-{f.file_id}.xml", file_details_xml(r, f)) for f in r.files]
    elif r.fmt == "ncmec_le_json":
        docs = [("report.json", le_json(r))]
    else:
        docs = [("referral.json", grace_json(r))]
    return docs + [(f.member_name, media[f.sha256]) for f in r.files]


def _write_bundle(target: Path, members: list[tuple[str, bytes]], as_zip: bool) -> Path:
    if as_zip:
        path = target.with_suffix(".zip")
        with zipfile.ZipFile(path, "w") as zf:
            for name, data in members:
                info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                info.external_attr = 0o644 << 16
                text = name.endswith((".xml", ".json"))
                info.compress_type = zipfile.ZIP_DEFLATED if text else zipfile.ZIP_STORED
                zf.writestr(info, data)
        return path
    target.mkdir(parents=True, exist_ok=True)
    for name, data in members:
        (target / name).write_bytes(data)
    return target


def _referral_truth(r: SynthReferral, bundle: str, repeats: list[bool]) -> dict[str, Any]:
    return {
        "index": r.index,
        "report_id": r.report_id,
        "format": r.fmt,
        "bundle": bundle,
        "esp": r.esp.name,
        "incident_type": r.incident_type,
        "escalated": r.escalation is not None,
        "truly_urgent": r.truly_urgent,
        "latent": r.latent,
        "subject": r.subject.subject_id,
        "country": r.country,
        "ips": [
            {"ip": e.ip, "country": e.country, "proxy": bool(e.possible_proxy)}
            for e in r.subject_ips
        ],
        "media": [
            {
                "name": f.member_name,
                "base": f.base_id,
                "sha256": f.sha256,
                "transform": f.transform,
                "repeat": rep,
            }
            for f, rep in zip(r.files, repeats, strict=True)
        ],
    }


def generate(
    out_dir: Path,
    referrals: int,
    seed: int,
    *,
    conformance_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    reference: datetime | None = None,
) -> DemoSummary:
    """Generate ``referrals`` benign synthetic referrals under ``out_dir`` (see package doc).

    The stream's timeline ends at ``reference`` (default: the seed's fixed date, so output
    is byte-identical per seed); ``grace demo`` passes the time it runs, so that what it
    ingests at once is on the same timeline as the ESP XML it stamps as received then
    (``grace.demo.timeline``).
    """
    reference = reference or reference_date(seed)
    pool = MediaPool(
        seed,
        max(40, 2 * referrals),
        random.Random(f"{seed}-pool"),
        find_conformance(conformance_dir),
    )
    ctx = new_stream(seed, pool, reference)
    input_dir = out_dir / "input"
    input_dir.mkdir(parents=True, exist_ok=True)
    formats: Counter[str] = Counter()
    truth_refs: list[dict[str, Any]] = []
    present: set[str] = set()
    n_files = 0
    for index in range(referrals):
        fmt = pick_format(ctx.rng)
        start = len(ctx.repeats)
        r = received_on_ingest(build(ctx, index, fmt), reference)
        media = {f.sha256: pool.items[f.sha256].data for f in r.files}
        present.update(media)
        path = _write_bundle(input_dir / f"tip-{index + 1:05d}", _members(r, media), index % 2 == 1)
        bundle = path.relative_to(out_dir).as_posix()
        truth_refs.append(_referral_truth(r, bundle, ctx.repeats[start:]))
        formats[fmt] += 1
        n_files += len(r.files)
        if progress is not None:
            progress(index + 1)
    listed = known_items(pool, present, random.Random(f"{seed}-vics"))
    hashset = out_dir / "hashsets" / "known.vics.json"
    write_vics(hashset, pool, listed, f"GRACE-DEMO-{seed}", random.Random(f"{seed}-cat"))
    listed_sha = {i.sha256 for i in listed}
    truth = {
        "generator": "grace.demo",
        "seed": seed,
        "reference_date": reference.isoformat(),
        "note": "Ground truth for evaluation only; grace never reads this file.",
        "media": [
            {
                "sha256": sha,
                "md5": item.md5,
                "base": item.base_id,
                "transform": item.transform,
                "param": item.param,
                "ext": item.ext,
                "size": len(item.data),
                "known": pool.base(item.base_id).known,
                "viral": pool.base(item.base_id).viral,
                "in_hashset": sha in listed_sha,
            }
            for sha, item in sorted(pool.items.items())
            if sha in present
        ],
        "bases": [
            {"id": b.base_id, "rank": b.rank, "kind": b.kind, "known": b.known, "viral": b.viral}
            for b in pool.bases
            if b.base_id in pool.seen
        ],
        "subjects": [
            {
                "id": s.subject_id,
                "country": s.country,
                "emails": s.emails,
                "screen_name": s.screen_name,
                "esp_user_id": s.esp_user_id,
                "other_handles": s.other_handles,
                "latent": asdict(ctx.latents[s.subject_id])
                if s.subject_id in ctx.latents
                else None,
            }
            for s in ctx.people.subjects
        ],
        "referrals": truth_refs,
    }
    truth_path = out_dir / "ground-truth.json"
    truth_path.write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return DemoSummary(
        input_dir,
        hashset,
        truth_path,
        referrals,
        n_files,
        len(present),
        dict(sorted(formats.items())),
        len(listed),
    )
