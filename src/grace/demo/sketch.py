"""A demo stream without pixels, and the triage view of it, for fast evaluations and tests.

``generate`` spends nearly all its time drawing and encoding pictures. Triage experiments
only need what the referrals *say*, so ``describe`` runs the very same scenario code with a
pool that hands out hash-named placeholders instead of images: the same seed gives the same
referrals, subjects, latents and urgency as ``generate`` (only the media bytes and hashes
differ). ``triage_view`` then approximates what the pipeline would hand a scorer: media
status counts from the pool's known/viral/seen facts, recidivism and links from subject
reuse. Evaluation only; grace itself never reads ground truth.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from grace.demo.generate import pick_format, reference_date
from grace.demo.pool import Base, MediaItem, MediaPool
from grace.demo.scenario import build, new_stream
from grace.demo.synth import SynthReferral
from grace.demo.writers_json import grace_referral
from grace.triage.base import TriageInput


class SketchPool(MediaPool):
    """The media pool's draws without rendering: each item is named by a hash of its key."""

    def _materialise(self, base: Base, key: tuple[str, str, str]) -> MediaItem:
        if key in self._by_key:
            return self._by_key[key]
        digest = hashlib.sha256(f"{self.seed}|{'|'.join(key)}".encode()).hexdigest()
        item = MediaItem(b"", "jpg", base.base_id, key[1], key[2], digest, digest[:32], digest)
        self._by_key[key] = item
        self.items.setdefault(digest, item)
        return item


@dataclass
class Sketch:
    """A described stream: referrals in arrival order and per-file "base seen before"."""

    referrals: list[SynthReferral]
    repeats: list[list[bool]]
    pool: MediaPool
    reference: datetime


def describe(referrals: int, seed: int) -> Sketch:
    """The stream ``generate(out, referrals, seed)`` would write, without writing it."""
    reference = reference_date(seed)
    pool = SketchPool(seed, max(40, 2 * referrals), random.Random(f"{seed}-pool"))
    ctx = new_stream(seed, pool, reference)
    refs: list[SynthReferral] = []
    repeats: list[list[bool]] = []
    for index in range(referrals):
        fmt = pick_format(ctx.rng)
        start = len(ctx.repeats)
        refs.append(build(ctx, index, fmt))
        repeats.append(ctx.repeats[start:])
    return Sketch(refs, repeats, pool, reference)


def _status(pool: MediaPool, base_id: str, transform: str, tags: list[str], repeat: bool) -> str:
    base = pool.base(base_id)
    if base.known:
        return "known"
    if base.viral or "viral" in tags or "potentialMeme" in tags:
        return "viral"
    if repeat:
        return "duplicate" if transform == "original" else "near_duplicate"
    return "new"


def media_counts(sketch: Sketch) -> list[dict[str, int]]:
    """Per referral, its files' media status counts as matching would find them
    (known / viral / duplicate / near_duplicate / new), from the pool's facts."""
    out = []
    for r, reps in zip(sketch.referrals, sketch.repeats, strict=True):
        counts = Counter(
            _status(sketch.pool, f.base_id, f.transform, f.annotations, rep)
            for f, rep in zip(r.files, reps, strict=True)
        )
        out.append(dict(sorted(counts.items())))
    return out


def triage_view(sketch: Sketch) -> tuple[dict[int, TriageInput], dict[int, bool]]:
    """Scorer inputs keyed by referral id (arrival order, from 1) and the urgency truth.

    Links and recidivism come from the true subject here (a shortcut for unit tests);
    ``bench/triage.py`` lets grace's own linking find them instead."""
    per_subject = Counter(r.subject.subject_id for r in sketch.referrals)
    seen: Counter[str] = Counter()
    items: dict[int, TriageInput] = {}
    truth: dict[int, bool] = {}
    for r, counts in zip(sketch.referrals, media_counts(sketch), strict=True):
        sid = r.subject.subject_id
        items[r.index + 1] = TriageInput(
            referral=grace_referral(r),
            now=sketch.reference,
            media_counts=counts,
            linked_referrals=per_subject[sid] - 1,
            prior_referrals=seen[sid],
        )
        seen[sid] += 1
        truth[r.index + 1] = r.truly_urgent
    return items, truth
