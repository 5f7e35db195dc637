"""Bench stream ``grace_demo``: grace's own demo generator (``grace.demo.latent``/``traces``).

Its story (hidden subject traits, episodes, weak traces; docs/triage.md) is the one
``rules_v1`` was first tuned on; here it is one generator among several. Documents are
grace JSON without file names (described, no bytes); media counts come from the pool.
"""

from __future__ import annotations

from common import Stream, StreamItem

from grace.demo.sketch import describe, media_counts
from grace.demo.writers_json import grace_referral


def generate(referrals: int, seed: int) -> Stream:
    sketch = describe(referrals, seed)
    items = []
    for synth, counts in zip(sketch.referrals, media_counts(sketch), strict=True):
        model = grace_referral(synth)
        for file in model.files:
            file.name = None  # described, no bytes: nothing to pair with
        document = model.model_dump_json(exclude_none=True).encode()
        story = "urgent" if synth.truly_urgent else ""
        items.append(
            StreamItem(document, "referral.json", counts, synth.truly_urgent, synth.country, story)
        )
    return Stream("grace_demo", items, sketch.reference)
