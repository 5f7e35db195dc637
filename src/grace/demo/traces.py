"""The observable traces a referral's hidden causes leave: weak, noisy, partly misleading.

Every trace is drawn from the *causes* (subject traits, episode; see ``grace.demo.latent``),
never from the urgency label, with a rate for each cause and a false-positive rate for
everyone else, so that no single field separates urgent from the rest but their
combination does. Look-alike episodes carry several of the same traces (teenagers: minor
to minor, self-production, a listed victim, recent uploads; spam: sextortion, enticement,
escalations). The rates are documented in ``docs/triage.md``.

One deliberate conditioning: an urgent referral reached the police because a provider saw
*something*, so the episode traces of an urgent referral are redrawn until at least two
observable traces show (``MIN_URGENT_TRACES``). Without it a few per cent of urgent
referrals would be indistinguishable from ordinary ones, a ceiling no ranker could pass.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from grace.demo.latent import CONTACT_NOTES, DECOY_NOTES, Latent

MIN_URGENT_TRACES = 3
REDRAWS = 50
RECENT_MEAN_DAYS = 4.0  # ongoing episodes that are reported fast: activity days before "now"


@dataclass(frozen=True)
class Practice:
    """How one provider reports, which differs between providers as real ones do, and
    between streams (a unit's providers are not the ones the default weights saw)."""

    false_escalation: float = 0.006  # escalates harmless reports (keyword auto-escalation)
    minor_tags: float | None = None  # tags "minor to minor" whenever an age heuristic fires
    meetup_chatter: float = 0.008  # harmless meet-up talk that trips contact keywords


def draw_practices(rng: random.Random, providers: list[str]) -> dict[str, Practice]:
    """Each provider's reporting practice in one stream (seeded)."""
    out = {}
    for name in providers:
        out[name] = Practice(
            false_escalation=rng.choice((0.001, 0.003, 0.006, 0.006, 0.05)),
            minor_tags=0.3 if rng.random() < 0.2 else None,
            meetup_chatter=0.1 if rng.random() < 0.2 else 0.008,
        )
    return out


@dataclass
class Traces:
    """What the provider's report will show about one episode."""

    escalated: bool = False
    enticement: bool = False  # incident type set to online enticement
    victim: bool = False  # a victim (with age) is listed
    recent: bool = False  # reported within days of the activity
    contact_note: str | None = None  # a note that trips the contact-language table
    show_bio: bool = False  # the subject's bio is included
    fresh: int = 0  # files of newly produced (never-seen, unlisted) material
    report_flags: list[str] = field(default_factory=list)
    file_flags: list[str] = field(default_factory=list)  # on one or more files

    def observable(self, latent: Latent, prior: int) -> int:
        """How many traces point towards urgency (``prior``: earlier referrals of the subject)."""
        bio = self.show_bio and latent.bio is not None and latent.access
        flags = {"liveStreaming", "possibleSelfProduction", "infant"} & set(self.file_flags)
        report = {"sextortion", "csamSolicitation", "sadisticOnlineExploitation"}
        return (
            self.escalated
            + self.enticement
            + self.victim
            + self.recent
            + (self.contact_note in CONTACT_NOTES)
            + bio
            + (self.fresh > 0)
            + len(flags)
            + len(report & set(self.report_flags))
            + (prior > 0)
        )


def _p(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _episode_traces(rng: random.Random, latent: Latent, episode: str, esp: Practice) -> Traces:
    ongoing, teen, spam = episode == "ongoing", episode == "teen", episode == "spam"
    t = Traces()
    t.escalated = _p(
        rng, 0.35 if ongoing else 0.06 if spam else 0.04 if teen else esp.false_escalation
    )
    t.enticement = _p(
        rng,
        (0.45 if latent.contact_risk else 0.2)
        if ongoing
        else 0.5
        if spam
        else 0.3
        if teen
        else 0.0,
    )
    t.victim = _p(rng, 0.45 if ongoing else 0.6 if teen else 0.25 if spam else 0.0)
    t.recent = _p(rng, 0.5 if ongoing else 0.3 if teen else 0.0)
    if ongoing:
        p_contact = 0.5 if latent.contact_risk else 0.25
    else:
        p_contact = 0.2 if teen else 0.06 if latent.contact_risk else 0.003
    if _p(rng, p_contact):
        t.contact_note = rng.choice(CONTACT_NOTES)
    elif _p(rng, esp.meetup_chatter):
        t.contact_note = rng.choice(DECOY_NOTES)
    t.show_bio = _p(rng, 0.6)
    if latent.producer and _p(rng, 0.65):
        t.fresh = rng.randrange(1, 4)
    elif (ongoing and _p(rng, 0.25)) or (teen and _p(rng, 0.6)):
        t.fresh = rng.randrange(1, 3)
    for flag, p in (
        ("liveStreaming", 0.15 if ongoing else 0.002),
        ("possibleSelfProduction", 0.3 if latent.producer else 0.35 if teen else 0.008),
        ("infant", 0.06 if latent.producer else 0.002),
        ("physicalHarm", 0.1 if latent.contact_risk else 0.004),
    ):
        if _p(rng, p):
            t.file_flags.append(flag)
    for flag, p in (
        ("sextortion", 0.12 if ongoing else 0.85 if spam else 0.002),
        (
            "minorToMinorInteraction",
            0.75 if teen else esp.minor_tags or (0.08 if ongoing else 0.02),
        ),
        ("csamSolicitation", 0.06 if ongoing else 0.01),
        ("sadisticOnlineExploitation", 0.03 if ongoing else 0.003),
        ("spam", 0.5 if spam else 0.015),
    ):
        if _p(rng, p):
            t.report_flags.append(flag)
    return t


def draw_traces(
    rng: random.Random, latent: Latent, episode: str, urgent: bool, prior: int, esp: Practice
) -> Traces:
    """The traces of one episode as provider ``esp`` reports them; urgent ones show at
    least ``MIN_URGENT_TRACES``."""
    t = _episode_traces(rng, latent, episode, esp)
    for _ in range(REDRAWS):
        if not urgent or t.observable(latent, prior) >= MIN_URGENT_TRACES:
            break
        t = _episode_traces(rng, latent, episode, esp)
    return t


def viral_file_flags(rng: random.Random, viral: bool) -> list[str]:
    """Tags on a single file: scary tags sit on viral clips too (outraged re-sharing)."""
    flags = []
    if _p(rng, 0.06 if viral else 0.003):
        flags.append("physicalHarm")
    if _p(rng, 0.06 if viral else 0.003):
        flags.append("violenceGore")
    return flags
