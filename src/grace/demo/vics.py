"""Write the demo's "known material" hash set as Project VIC VICS 2.0 JSON.

Units receive hash sets (Project VIC, CAID) in VICS JSON and grace matches referral media
against them, so the demo ships one. It lists the exact bytes of the pool's "known" media
as they occur in the generated input, which lets exact-hash matching be demonstrated, while
the near-duplicate variants are deliberately absent (perceptual matching has to find them).
Everything listed is a procedurally drawn benign picture. Category numbers follow the US
Project VIC scale only as labels for triage logic: known items get 1 or 2, viral meme
cards 0 (uncategorised); nothing here is what those labels would mean in real data.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from grace.demo.pool import MediaItem, MediaPool

ODATA_CONTEXT = "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases"


def known_items(pool: MediaPool, present: set[str], rng: random.Random) -> list[MediaItem]:
    """The hash-listed files: originals of known bases, plus about a third of their
    re-encoded copies (hash lists collect common re-shares too); only bytes in ``present``."""
    listed = []
    for sha, item in sorted(pool.items.items(), key=lambda kv: (kv[1].base_id, kv[0])):
        base = pool.base(item.base_id)
        if sha not in present or not base.known:
            continue
        if item.transform == "original" or (item.transform == "reencode" and rng.random() < 0.35):
            listed.append(item)
    return listed


def write_vics(
    path: Path, pool: MediaPool, items: list[MediaItem], case_id: str, rng: random.Random
) -> None:
    """Write ``items`` as one VICS 2.0 case."""
    media = []
    for n, item in enumerate(items, start=1):
        base = pool.base(item.base_id)
        category = 0 if base.viral else rng.choice((1, 1, 2))
        tags = ["grace-demo", "benign-synthetic"] + (["viral"] if base.viral else [])
        media.append(
            {
                "MediaID": n,
                "Category": category,
                "MD5": item.md5,
                "SHA1": item.sha1,
                "MediaSize": len(item.data),
                "IsDistributed": base.viral or base.rank < 30,
                "Series": f"DEMO-SERIES-{base.rank % 12:02d}" if not base.viral else None,
                "VictimIdentified": False,
                "OffenderIdentified": False,
                "Tags": tags,
                "MediaFiles": [
                    {
                        "FileName": f"{item.base_id.lower()}.{item.ext}",
                        "FilePath": "demo/",
                        "MD5": item.md5,
                    }
                ],
            }
        )
    doc = {"@odata.context": ODATA_CONTEXT, "value": [{"CaseID": case_id, "Media": media}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
