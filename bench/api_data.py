"""Synthetic rows for the API benchmark: N benign referrals written with SQLAlchemy Core.

Full ingest of 100,000 referrals takes far longer than the benchmark is about, so the rows
are generated directly, shaped like ingest, routing, media analysis and triage leave them:
agencies weighted like a real caseload, scores with factors, files with media statuses.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from grace.intel.routing_table import load_routing_table
from grace.store.intel_tables import ScoreRow, TriageRun
from grace.store.tables import IpEvent, Party, Referral, ReferralFile, VaultObject

ESPS = ["PhotoShareCo", "ChatHub", "VidStream", "CloudBox", "SocialNet", "MailCo", "ForumX"]
STATUSES = ["new"] * 8 + ["decided", "in_review"]
MEDIA = ["new", "known", "viral", "duplicate", "near_duplicate"]
FACTORS = ["escalated", "new_media", "known_media", "recency", "agency_weight", "links"]
CHUNK = 5000
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def agencies() -> tuple[list[tuple[str, str]], str]:
    """(agency id, country) pairs, and the coordinator's id."""
    table = load_routing_table()
    pairs = [(a.id, a.countries[0]) for a in table.agencies if a.countries]
    return pairs, table.coordinator.id


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _referral(
    i: int, rng: random.Random, pairs: list[tuple[str, str]], coord: str
) -> dict[str, Any]:
    # a few agencies carry most of the caseload, as in practice
    agency, country = pairs[min(int(rng.paretovariate(1.2)) - 1, len(pairs) - 1)]
    if rng.random() < 0.08:
        agency = coord
    received = NOW - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
    files = rng.choice([0, 1, 1, 2, 3])
    counts: dict[str, int] = {}
    for _ in range(files):
        kind = rng.choice(MEDIA)
        counts[kind] = counts.get(kind, 0) + 1
    return {
        "id": i,
        "natural_key": f"bench:{i}",
        "source_format": "grace_json",
        "external_id": f"B-{i:07d}",
        "esp_name": rng.choice(ESPS),
        "incident_type": "Child Pornography (possession, manufacture, and distribution)",
        "incident_time": (received - timedelta(days=2)).isoformat(),
        "incident_at": received - timedelta(days=2),
        "received_at": received,
        "escalated": rng.random() < 0.05,
        "file_count": files,
        "status": rng.choice(STATUSES),
        "agency": agency,
        "country_of_action": country if agency != coord else None,
        "priority": round(rng.uniform(0, 100), 2),
        "media_counts": counts,
        "routing": {"agency": agency, "unresolved": agency == coord, "reason": "bench"},
        "subject_id": None,
        "document_sha256": _sha(f"doc{i}"),
        "source": f"bench:{i}",
        "warnings": [],
        "data": {
            "external_id": f"B-{i:07d}",
            "esp_name": "bench",
            "parties": [
                {"role": "reported", "esp_user_id": f"u{i}", "emails": [f"u{i}@example.com"]}
            ],
        },
    }


def _rows(n: int, seed: int) -> Iterator[dict[str, list[dict[str, Any]]]]:
    rng = random.Random(seed)
    pairs, coord = agencies()
    for start in range(1, n + 1, CHUNK):
        out: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("vault", "referrals", "files", "parties", "ips", "scores")
        }
        for i in range(start, min(n, start + CHUNK - 1) + 1):
            r = _referral(i, rng, pairs, coord)
            out["referrals"].append(r)
            out["vault"].append(_blob(r["document_sha256"], r["received_at"]))
            for f in range(r["file_count"]):
                sha = _sha(f"file{i}.{f}")
                out["vault"].append(_blob(sha, r["received_at"]))
                status = rng.choice(MEDIA)
                out["files"].append(
                    {
                        "referral_id": i,
                        "sha256": sha,
                        "name": f"f{f}.jpg",
                        "original_name": None,
                        "annotations": [],
                        "media_status": status,
                        "data": {},
                    }
                )
            out["parties"].append(
                {
                    "id": i,
                    "referral_id": i,
                    "role": "reported",
                    "esp_user_id": f"u{i}",
                    "screen_name": f"h{i}",
                    "country_code": r["country_of_action"],
                    "data": {"emails": [f"u{i}@example.com"]},
                }
            )
            out["ips"].append(
                {"referral_id": i, "party_id": i, "ip": f"198.51.100.{i % 250}", "event": "Login"}
            )
            out["scores"].append(
                {"run_id": 1, "referral_id": i, "score": r["priority"], "factors": _factors(rng)}
            )
        yield out


def _factors(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {"name": name, "contribution": round(rng.uniform(-5, 30), 2), "explanation": name}
        for name in rng.sample(FACTORS, 3)
    ]


def _blob(sha: str, at: datetime) -> dict[str, Any]:
    return {
        "sha256": sha,
        "md5": sha[:32],
        "sha1": sha[:40],
        "size": 1000,
        "mime": None,
        "stored_at": at,
    }


def populate(session: Session, n: int, seed: int = 7, progress: Any = None) -> None:
    """Insert ``n`` referrals with their files, parties, IP events and one triage run."""
    session.execute(
        insert(_table(TriageRun)),
        [
            {
                "id": 1,
                "scorer": "rules_v1",
                "version": "bench",
                "reference_time": NOW,
                "started_at": NOW,
                "actor": "bench",
                "referrals": n,
                "config": {},
            }
        ],
    )
    for chunk in _rows(n, seed):
        session.execute(insert(_table(VaultObject)), chunk["vault"])
        session.execute(insert(_table(Referral)), chunk["referrals"])
        if chunk["files"]:
            session.execute(insert(_table(ReferralFile)), chunk["files"])
        session.execute(insert(_table(Party)), chunk["parties"])
        session.execute(insert(_table(IpEvent)), chunk["ips"])
        session.execute(insert(_table(ScoreRow)), chunk["scores"])
        if progress:
            progress(len(chunk["referrals"]))
