"""Decide what one synthetic referral says, following the published stream statistics.

Proportions come from the defaults in docs (domain notes §5.5): incident types are almost
all the first category, one provider dominates, files per report are heavy-tailed with a
mean near 3, a few per cent use proxies, some fields are simply missing, and about one
referral in a hundred is escalated. All wording is neutral: this is a demo for software,
and the texts only have to look like what providers send, with identifiers to mine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from grace.demo import latent as lat
from grace.demo.filemeta import make_file, stamp
from grace.demo.pool import MediaPool
from grace.demo.population import (
    COUNTRY_BLOCKS,
    DOC_BLOCKS,
    EU,
    People,
    country_ip,
    ip_in,
    make_subject,
)
from grace.demo.providers import ESPS, pick_esp
from grace.demo.synth import IpCapture, Subject, SynthFile, SynthReferral
from grace.demo.traces import (
    RECENT_MEAN_DAYS,
    Practice,
    draw_practices,
    draw_traces,
    viral_file_flags,
)

CP = "Child Pornography (possession, manufacture, and distribution)"
ENTICEMENT = "Online Enticement of Children for Sexual Acts"
INCIDENT_TYPES = (
    (CP, 97.0),
    (ENTICEMENT, 2.0),
    ("Unsolicited Obscene Material Sent to a Child", 0.5),
    ("Child Sex Trafficking", 0.3),
    ("Child Sexual Molestation", 0.08),
    ("Misleading Words or Digital Images on the Internet", 0.06),
    ("Misleading Domain Name", 0.03),
    ("Child Sex Tourism", 0.03),
)
ESCALATIONS = (
    "Reporter indicates ongoing contact with a minor",
    "User stated an intention to meet a minor in person",
    "Account appears to be contacting several minors at once",
    "Reporting user says the contact is continuing today",
)
ASIA = ("IN", "PH", "PK", "ID", "BD")
OFFSETS = ("Z", "Z", "+00:00", "-07:00", "-08:00", "+01:00")


@dataclass
class Context:
    """Shared state while generating one stream."""

    rng: random.Random
    people: People
    pool: MediaPool
    reference: datetime
    next_report_id: int
    repeats: list[bool] = field(default_factory=list)
    latents: dict[str, lat.Latent] = field(default_factory=dict)  # subject id -> traits
    risky: list[Subject] = field(default_factory=list)  # high-risk subjects seen so far
    reported: dict[str, int] = field(default_factory=dict)  # subject id -> referrals so far
    practices: dict[str, Practice] = field(default_factory=dict)  # provider -> how it reports


def new_stream(seed: int, pool: MediaPool, reference: datetime) -> Context:
    """The state of one seeded stream. ``generate`` and the image-free sketch both start here,
    so that the same seed describes the same referrals in both."""
    rng = random.Random(seed)
    people = People(random.Random(f"{seed}-people"), reference.year)
    ctx = Context(rng, people, pool, reference, 190_000_000 + rng.randrange(10**6))
    ctx.practices = draw_practices(random.Random(f"{seed}-practices"), [e.name for e in ESPS])
    return ctx


def _subject(ctx: Context) -> tuple[Subject, lat.Latent]:
    """A subject and its latent traits; high-risk subjects are reported again more often."""
    if ctx.risky and ctx.rng.random() < 0.04:
        subject = ctx.rng.choice(ctx.risky)
    else:
        subject = ctx.people.draw()
    if subject.subject_id not in ctx.latents:
        ctx.latents[subject.subject_id] = lat.draw_latent(ctx.rng)
        if ctx.latents[subject.subject_id].high_risk:
            ctx.risky.append(subject)
    return subject, ctx.latents[subject.subject_id]


def files_count(rng: random.Random) -> int:
    """Heavy-tailed: about 60% single files, mean near 3, capped at 40 for the demo."""
    if rng.random() < 0.6:
        return 1
    p = 0.27 if rng.random() < 0.85 else 0.05
    n = 2
    while rng.random() > p and n < 40:
        n += 1
    return n


def _ip_events(
    ctx: Context, subject: Subject, at: datetime, offset: str
) -> tuple[list[IpCapture], bool]:
    """The subject's IP events; some referrals have none, about 5% use a proxy."""
    rng = ctx.rng
    if rng.random() < 0.07:
        return [], False
    proxy = rng.random() < 0.05
    events: list[IpCapture] = []
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        when = at - timedelta(hours=rng.uniform(0, 24 * 30))
        if proxy:
            country = rng.choice(("NL", "US", "SE", "DE"))
            ip = country_ip(rng, country)
        elif rng.random() < 0.03:
            country, ip = "", ip_in(rng, rng.choice(DOC_BLOCKS))
        else:
            country, ip = subject.country, rng.choice(subject.home_ips)
        events.append(
            IpCapture(
                ip=ip,
                event=rng.choice(("Login", "Login", "Upload", "Registration", "Other")),
                at=stamp(when, offset),
                port=rng.randrange(1024, 65536) if rng.random() < 0.7 else None,
                possible_proxy=True if proxy else (False if rng.random() < 0.2 else None),
                country=country or None,
            )
        )
    return events, proxy


def _location(
    rng: random.Random, subject: Subject, proxy: bool
) -> tuple[str | None, str | None, str | None] | None:
    if proxy:
        return None, None, "A1"
    if rng.random() < 0.4:
        return None
    if rng.random() < 0.06:
        pseudo = (
            "AP"
            if subject.country in ASIA
            else "EU"
            if subject.country in EU
            else rng.choice(("O1", "A2"))
        )
        return None, None, pseudo
    city = rng.choice(COUNTRY_BLOCKS[subject.country][4]) if rng.random() < 0.7 else None
    return city, None, subject.country


def build(ctx: Context, index: int, fmt: str) -> SynthReferral:
    """One referral: provider, people, times, files, flags and ground truth.

    Urgency comes from the subject's latent traits and this referral's episode (see
    ``grace.demo.latent``); every observable field follows the causes only noisily
    (``grace.demo.traces``)."""
    rng = ctx.rng
    esp = pick_esp(rng)
    subject, latent = _subject(ctx)
    episode = lat.draw_episode(rng, latent)
    urgent = lat.is_urgent(rng, latent, episode)
    prior = ctx.reported.get(subject.subject_id, 0)
    ctx.reported[subject.subject_id] = prior + 1
    tr = draw_traces(rng, latent, episode, urgent, prior, ctx.practices[esp.name])
    incident_type = rng.choices(
        [t for t, _ in INCIDENT_TYPES], weights=[w for _, w in INCIDENT_TYPES]
    )[0]
    if tr.enticement:
        incident_type = ENTICEMENT
    if tr.recent:
        age = min(rng.expovariate(1 / RECENT_MEAN_DAYS) * 86400, 26 * 7 * 86400)
    else:
        age = rng.uniform(0, 26 * 7 * 86400)
    when = ctx.reference - timedelta(seconds=3600 + age)
    received = min(ctx.reference, when + timedelta(hours=rng.uniform(1, 24 * 20)))
    offset = rng.choice(OFFSETS)
    ips, proxy = _ip_events(ctx, subject, when, offset) if esp.name != "ForumHub" else ([], False)
    annotations = list(tr.report_flags)
    escalation = rng.choice(ESCALATIONS) if tr.escalated else None
    files: list[SynthFile] = []
    for k in range(max(tr.fresh, files_count(rng))):
        f = make_file(
            ctx,
            index,
            esp.name,
            esp.domain,
            ips,
            when,
            offset,
            supplemental=k > 0 and rng.random() < 0.05,
            fresh=k < tr.fresh,
        )
        viral = "viral" in f.annotations or ctx.pool.base(f.base_id).viral
        flags = [
            *(tr.file_flags if k == 0 or rng.random() < 0.4 else []),
            *viral_file_flags(rng, viral),
        ]
        f.annotations += [a for a in dict.fromkeys(flags) if a not in f.annotations]
        if viral and flags and escalation is None and rng.random() < 0.05:
            escalation = rng.choice(ESCALATIONS)  # outraged users report a viral clip
        files.append(f)
    all_viral = all("viral" in f.annotations for f in files)
    info: list[str] = []
    if rng.random() < 0.7:
        info.append(esp.boilerplate)
    extra = [*subject.other_handles, *subject.emails[1:]]
    if extra and rng.random() < 0.5:
        mail = subject.emails[-1]
        handle = subject.other_handles[0] if subject.other_handles else subject.screen_name
        info.append(f"User also used handle {handle} and mail {mail} in other contexts.")
    if subject.phones and rng.random() < 0.15:
        info.append(f"A recovery phone {subject.phones[0][0]} is attached to the account.")
    if ips and rng.random() < 0.05:
        info.append(f"Account was last accessed from {ips[0].ip}.")
    note = tr.contact_note
    if note:
        info.insert(rng.randrange(len(info) + 1), note)
    subject_info = []
    if latent.bio and tr.show_bio:
        subject_info.append(f"Profile bio: {latent.bio}")
    if rng.random() < 0.2:
        subject_info.append(
            f"Account created {(when - timedelta(days=rng.randrange(20, 2000))):%Y-%m-%d}; "
            f"{rng.randrange(0, 4)} prior warnings."
        )
    recipient = None
    if esp.incident_kind in ("chatIm", "onlineGaming") and rng.random() < (
        0.7 if episode != "plain" else 0.4
    ):
        recipient = make_subject(rng, 90000 + index, subject.country, ctx.reference.year)
    report_id = ctx.next_report_id
    ctx.next_report_id += rng.randrange(1, 5000)
    return SynthReferral(
        index=index,
        report_id=report_id,
        fmt=fmt,
        esp=esp,
        incident_type=incident_type,
        incident_time=stamp(when, offset),
        incident_time_description="Time of upload" if rng.random() < 0.3 else None,
        received_at=stamp(received, "Z"),
        platform=esp.service if rng.random() < 0.8 else None,
        escalation=escalation,
        report_annotations=annotations,
        batched=all_viral and rng.random() < 0.5,
        incident_kind=esp.incident_kind,
        urls=[f"https://{esp.domain}/u/{subject.screen_name}/{rng.randrange(10**6)}"]
        if rng.random() < 0.85
        else [],
        chat_room=f"room-{rng.randrange(1000)}" if rng.random() < 0.3 else None,
        subject=subject,
        subject_ips=ips,
        location=_location(rng, subject, proxy),
        location_verified=rng.choice((None, False, True)),
        recipient=recipient,
        victim_age=rng.randrange(12, 17) if tr.victim else None,
        files=files,
        additional_info=info,
        subject_info=subject_info,
        truly_urgent=urgent,
        country=subject.country,
        latent=lat.record(latent, episode),
    )
