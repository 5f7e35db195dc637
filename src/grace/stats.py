"""Trends for supervisors and the dashboard: volumes, media novelty, queue sizes and ages.

Computed in Python over a narrow projection of the referrals table, so that the same code
gives the same answer on SQLite and PostgreSQL (their date functions differ); 100,000
referrals take well under a second.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from grace.exchange.dissemination import dissemination_stats
from grace.intel.esp import fold_counts
from grace.store.tables import Referral

MEDIA_KINDS = ("known", "viral", "suppressed", "duplicate", "near_duplicate", "new", "unreadable")


def workspace_stats(
    session: Session, now: datetime | None = None, scope: ColumnElement[bool] | None = None
) -> dict[str, Any]:
    """Every figure ``grace stats`` prints, as one JSON-ready document.

    ``scope`` limits it to the referrals a desk user may see (their agency's).
    """
    now = now or datetime.now(UTC)
    rows = session.execute(
        select(
            Referral.incident_at,
            Referral.received_at,
            Referral.esp_name,
            Referral.incident_type,
            Referral.country_of_action,
            Referral.agency,
            Referral.file_count,
            Referral.media_counts,
            Referral.status,
            Referral.escalated,
        ).where(scope if scope is not None else true())
    ).all()
    weeks: dict[str, Counter[str]] = defaultdict(Counter)
    by: dict[str, Counter[str]] = {
        k: Counter() for k in ("esp", "incident_type", "country", "agency")
    }
    media: Counter[str] = Counter()
    ages: dict[str, list[float]] = defaultdict(list)
    for incident_at, received_at, esp, itype, country, agency, files, counts, status, _ in rows:
        when = _aware(incident_at or received_at)
        week = f"{when.isocalendar().year}-W{when.isocalendar().week:02d}"
        weeks[week]["referrals"] += 1
        weeks[week]["files"] += files
        by["esp"][esp or "unknown"] += 1
        by["incident_type"][itype or "unknown"] += 1
        by["country"][country or "unresolved"] += 1
        by["agency"][agency or "unrouted"] += 1
        media.update({k: v for k, v in (counts or {}).items() if k in MEDIA_KINDS})
        if status == "new":
            ages[agency or "unrouted"].append((now - _aware(received_at)).total_seconds() / 86400)
    total_media = sum(media.values())
    return {
        "referrals": len(rows),
        "files": sum(r[6] for r in rows),
        "escalated": sum(1 for r in rows if r[9]),
        "by_week": {w: dict(c) for w, c in sorted(weeks.items())},
        **{f"by_{k}": dict(c.most_common()) for k, c in by.items()},
        "by_esp": fold_counts(by["esp"]),  # one provider, however its name is spelt
        "media": dict(media),
        "media_share": {k: round(v / total_media, 4) for k, v in media.items()}
        if total_media
        else {},
        "dissemination": dissemination_stats(session, scope),  # routed referrals sent on
        "queues": {
            agency: {
                "open": len(a),
                "oldest_days": round(max(a), 1),
                "median_age_days": round(median(a), 1),
            }
            for agency, a in sorted(ages.items())
        },
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
