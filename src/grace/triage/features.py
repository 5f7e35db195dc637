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

from grace.intel.esp import esp_key
from grace.model import PartyRole, Referral
from grace.model.times import parse_utc
from grace.signals.factors import SignalFactor
from grace.triage.ages import stated_minor_ages
from grace.triage.base import TriageInput
from grace.triage.cues import CueHit, find_cues
from grace.triage.semantic_cues import find_semantic_cues
from grace.triage.signals import canonical_tag, free_texts, raw_priority

ENTICEMENT_TYPES = (
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
)
TRAFFICKING_TYPES = ("Child Sex Trafficking", "Child Sex Tourism", "Child Sexual Molestation")
REPORT_FLAGS = (
    "sextortion",
    "generativeAi",
    "potentialMeme",
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
# beside access and contact; learned_v1's own feature list keeps its first three (the rest
# reach it through rules_score), so models trained before a cue was added still load
CUE_FACTORS = ("sextortion", "production", "urgency", "risk", "grooming", "paid_abuse")
VECTOR_CUES = CUE_FACTORS[:3]
DECOYS = (
    *("viral", "minor_to_minor", "stale", "generative_ai", "bulk_known"),
    *("family_context", "malicious_report", "scam_spam", "recurring_recipient"),
)
VECTOR_DECOYS = DECOYS[:5]
STALE_DAYS = 365.0  # an incident this much older than the report's receipt is not "now"
RECENT_INCIDENT_DAYS = 7.0
MONTH_DAYS = 30.0
SITUATION_CUES = (
    *("contact", "access", "sextortion", "production", "urgency", "risk", "grooming"),
    "paid_abuse",
)
NAMED_DANGERS = tuple(c for c in SITUATION_CUES if c != "grooming")  # teens ask ages too
CUE_DECOYS = ("generative_ai", "family_context", "malicious_report", "scam_spam")  # cue alone
BULK_KNOWN = 25  # this many known files and nothing new: a library, not a child now
PERSONA_SUSPECTS = 2  # a recipient this many other suspects wrote to: a persona, not a child


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
    cues: tuple[CueHit, ...] = ()  # every multilingual cue found in free text
    incident_age_days: float | None = None  # receipt minus incident time (not "now")
    reported_minor: bool = False  # the reported account holder is under 18 (age or birth)
    public_files: int = 0  # files the provider says were publicly available
    batched: bool = False  # NCMEC batched it as a viral / meme report
    child_ages: tuple[int, ...] = ()  # ages under 18 stated in free text ("I'm 13")
    recipient_suspects: int = 0  # other suspects who wrote to one of its recipient accounts

    def cue(self, category: str) -> tuple[CueHit, ...]:
        return tuple(h for h in self.cues if h.category == category)

    def decoys(self) -> dict[str, str]:
        """Each decoy that applies, with why (see ``rules_v1``'s decoy factors)."""
        out: dict[str, str] = {}
        new, viral = self.media.get("new", 0), self.media.get("viral", 0)
        why = [f"{viral} viral / meme media"] if viral and not new else []
        why += ["batched by NCMEC as viral"] if self.batched else []
        why += [h.explain() for h in self.cue("viral")]
        if self.public_files and self.public_files == self.files and not new:
            why.append("every file was publicly available")
        if why:
            out["viral"] = "; ".join(why)
        why = ["the reported account holder is a minor"] if self.reported_minor else []
        why += [h.explain() for h in self.cue("minor_to_minor")]
        if why:
            out["minor_to_minor"] = "; ".join(why)
        if self.incident_age_days is not None and self.incident_age_days > STALE_DAYS:
            years = self.incident_age_days / 365.25
            out["stale"] = f"incident {years:.1f} years before the report was received"
        elif hits := self.cue("historical"):
            out["stale"] = "; ".join(h.explain() for h in hits)
        for category in CUE_DECOYS:
            hits = self.cue(category)
            if hits and not (category == "family_context" and self._named_danger()):
                out[category] = "; ".join(h.explain() for h in hits)
        known = self.media.get("known", 0)
        if known >= BULK_KNOWN and not new:
            out["bulk_known"] = f"{known} known files and none new (a bulk upload of a library)"
        if self.recipient_suspects >= PERSONA_SUSPECTS:
            out["recurring_recipient"] = (
                f"the recipient account was also written to by {self.recipient_suspects} other"
                " suspects: the pattern of a police or test persona; deconflict before acting"
            )
        return out

    def _named_danger(self) -> bool:
        """Whether a listed phrase names a danger (contact, access, sextortion, production,
        paid abuse, distress, a risk assessment): "stepfather filmed her at bath time" is not
        a parent's bath photo, and a phrase hit outweighs a family setting; a hit by meaning
        alone does not (a moderator's "taken by a parent" reads close to production)."""
        return any(h.category in NAMED_DANGERS and not h.by_meaning for h in self.cues)

    @property
    def situation(self) -> bool:
        """Whether anything points to a child in a situation (not just a file): a listed
        victim, a contact, access, sextortion, production or distress cue, an escalation, a
        contact-type incident or tag."""
        return (
            self.victim_listed
            or bool(self.child_ages)
            or self.escalated
            or self.incident_type in (*ENTICEMENT_TYPES[:1], *TRAFFICKING_TYPES)
            or any(h.category in SITUATION_CUES for h in self.cues)
            or bool({"sextortion", "csamSolicitation"} & set(self.report_flags))
        )

    @property
    def incident_recent(self) -> bool:
        """The incident was days before receipt *and* something points to a child in a
        situation: recency makes a situation urgent, it does not make a file one."""
        age = self.incident_age_days
        return age is not None and -1.0 <= age <= RECENT_INCIDENT_DAYS and self.situation

    @property
    def incident_this_month(self) -> bool:
        """The incident was one to four weeks before receipt, with a situation: providers
        often report a live case a few weeks on, and that is still "now" for a child; a
        second, weaker tier rather than a cliff at seven days."""
        age = self.incident_age_days
        return age is not None and RECENT_INCIDENT_DAYS < age <= MONTH_DAYS and self.situation


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


def incident_age_days(r: Referral) -> float | None:
    """Days from the incident to the report's receipt: old content is old whenever it is read."""
    incident, received = parse_time(r.incident_time), parse_time(r.received_at)
    if incident is None or received is None:
        return None
    return (received - incident).total_seconds() / 86400


def reported_minor(r: Referral) -> bool:
    """Whether a reported account holder is under 18 by stated age or date of birth."""
    received = parse_time(r.received_at)
    for party in r.party(PartyRole.REPORTED):
        if party.age is not None and party.age < 18:
            return True
        born = parse_time(party.date_of_birth) if party.date_of_birth else None
        if born is not None and received is not None and (received - born).days < 18 * 365:
            return True
    return False


def facts(item: TriageInput) -> Facts:
    """Read the facts of one referral (pure, deterministic)."""
    r = item.referral
    tags: Counter[str] = Counter(
        t for f in r.files for t in {canonical_tag(a) for a in [*f.annotations, *f.tags]}
    )
    texts = free_texts(r)
    cues = _cues(texts)
    stated = None if r.escalated else raw_priority(r.raw)  # e.g. an NCMEC priority level 1
    return Facts(
        escalated=r.escalated or stated is not None,
        escalation_reason=r.escalation_reason or stated,
        report_flags=tuple(sorted({canonical_tag(a) for a in r.report_annotations})),
        file_flags=dict(sorted(tags.items())),
        media={k: v for k, v in sorted(item.media_counts.items()) if v},
        files=len(r.files),
        days_since_activity=days_since_activity(item),
        linked=item.linked_referrals,
        prior=item.prior_referrals,
        access=tuple(h.matched for h in cues if h.category == "access"),
        contact=tuple(h.matched for h in cues if h.category == "contact"),
        incident_type=r.incident_type,
        victim_listed=bool(r.party(PartyRole.VICTIM)),
        agency=item.agency,
        esp=esp_key(r.esp_name),
        signals=item.signal_factors,
        cues=cues,
        incident_age_days=incident_age_days(r),
        reported_minor=reported_minor(r),
        public_files=sum(bool(f.publicly_available) for f in r.files),
        batched=bool(r.batched_reason),
        child_ages=stated_minor_ages(texts),
        recipient_suspects=item.recipient_suspects,
    )


def _cues(texts: list[str]) -> tuple[CueHit, ...]:
    """Phrase-table cues, then cues by meaning for the categories no phrase found: a
    paraphrase ("a date and place were proposed") counts, a listed phrase explains best."""
    phrased = find_cues(texts)
    found = {h.category for h in phrased}
    meant = [h for h in find_semantic_cues(texts) if h.category not in found]
    return (*phrased, *meant)


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
    *(f"cue:{c}" for c in VECTOR_CUES),
    *(f"decoy:{d}" for d in VECTOR_DECOYS),
    "incident_recent",
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
    ]
    out += [float(len(f.cue(c))) for c in VECTOR_CUES]
    decoys = f.decoys()
    out += [float(d in decoys) for d in VECTOR_DECOYS]
    out += [float(f.incident_recent), rules_score / 100.0]
    return out
