"""The facts every scorer sees, read once from a ``TriageInput``, and their numeric form.

Rules and the learned model must reason over the *same* facts, or an analyst could not
compare their explanations; so both start from ``facts(item)``. ``vector`` turns facts into
a fixed, named list of numbers (counts log-scaled, recency as a decay) for the learned
model; the names double as its factor names.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from grace.model import PartyRole
from grace.model.times import parse_utc
from grace.signals.factors import SignalFactor
from grace.triage.base import TriageInput
from grace.triage.signals import access_signals, contact_signals

ENTICEMENT_TYPES = (
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
)
TRAFFICKING_TYPES = ("Child Sex Trafficking", "Child Sex Tourism", "Child Sexual Molestation")
REPORT_FLAGS = (
    "sextortion",
    "csamSolicitation",
    "sadisticOnlineExploitation",
    "minorToMinorInteraction",
    "spam",
)
FILE_FLAGS = (
    "physicalHarm",
    "infant",
    "liveStreaming",
    "possibleSelfProduction",
    "violenceGore",
    "generativeAi",
    "potentialMeme",
)
MEDIA_KINDS = ("new", "known", "viral", "duplicate", "near_duplicate", "suppressed")
RECENCY_SCALE_DAYS = 30.0


@dataclass(frozen=True)
class Facts:
    """What a referral says that bears on priority, scorer-independent."""

    escalated: bool
    escalation_reason: str | None
    report_flags: tuple[str, ...]
    file_flags: dict[str, int]  # tag -> number of files carrying it
    media: dict[str, int]  # media status -> files
    files: int
    days_since_activity: float | None  # latest upload / IP event before ``now``
    linked: int
    prior: int
    access: tuple[str, ...]  # occupation words found
    contact: tuple[str, ...]  # contact phrases found
    incident_type: str | None
    victim_listed: bool
    agency: str | None = None
    esp: str | None = None  # the reporting provider (providers report differently)
    signals: tuple[SignalFactor, ...] = ()  # model signals (explicit content, young faces)


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time as UTC (shared parsing: see ``grace.model.times``)."""
    return parse_utc(value)


def days_since_activity(item: TriageInput) -> float | None:
    """Days from the latest upload or IP event (not after ``now``) to ``now``."""
    r = item.referral
    stamps = [f.uploaded_at for f in r.files]
    stamps += [e.at for f in r.files for e in f.ip_events]
    stamps += [e.at for p in r.parties for e in p.ip_events]
    now = item.now if item.now.tzinfo else item.now.replace(tzinfo=UTC)
    times = [t for t in map(parse_time, stamps) if t is not None and t <= now]
    if not times:
        return None
    return (now - max(times)).total_seconds() / 86400


def facts(item: TriageInput) -> Facts:
    """Read the facts of one referral (pure, deterministic)."""
    r = item.referral
    tags: Counter[str] = Counter(a for f in r.files for a in set(f.annotations))
    return Facts(
        escalated=r.escalated,
        escalation_reason=r.escalation_reason,
        report_flags=tuple(sorted(set(r.report_annotations))),
        file_flags=dict(sorted(tags.items())),
        media={k: v for k, v in sorted(item.media_counts.items()) if v},
        files=len(r.files),
        days_since_activity=days_since_activity(item),
        linked=item.linked_referrals,
        prior=item.prior_referrals,
        access=tuple(access_signals(r)),
        contact=tuple(contact_signals(r)),
        incident_type=r.incident_type,
        victim_listed=bool(r.party(PartyRole.VICTIM)),
        agency=item.agency,
        esp=r.esp_name,
        signals=item.signal_factors,
    )


def recency(days: float | None) -> float:
    """1 for activity now, decaying with a 30-day scale; 0 when no time is known."""
    return 0.0 if days is None else math.exp(-max(days, 0.0) / RECENCY_SCALE_DAYS)


FEATURES: tuple[str, ...] = (
    "escalated",
    *(f"report:{f}" for f in REPORT_FLAGS),
    *(f"files:{f}" for f in FILE_FLAGS),
    *(f"media:{k}" for k in MEDIA_KINDS),
    "files",
    "recency",
    "linked",
    "prior",
    "access",
    "contact",
    "incident:enticement",
    "incident:trafficking",
    "victim_listed",
    "rules_score",
)


def vector(f: Facts, rules_score: float) -> list[float]:
    """The facts as numbers in ``FEATURES`` order (counts as log1p, the rules' score /100)."""
    out = [float(f.escalated)]
    out += [float(flag in f.report_flags) for flag in REPORT_FLAGS]
    out += [math.log1p(f.file_flags.get(tag, 0)) for tag in FILE_FLAGS]
    out += [math.log1p(f.media.get(kind, 0)) for kind in MEDIA_KINDS]
    out += [
        math.log1p(f.files),
        recency(f.days_since_activity),
        math.log1p(f.linked),
        math.log1p(f.prior),
        float(len(f.access)),
        float(len(f.contact)),
        float(f.incident_type in ENTICEMENT_TYPES),
        float(f.incident_type in TRAFFICKING_TYPES),
        float(f.victim_listed),
        rules_score / 100.0,
    ]
    return out
