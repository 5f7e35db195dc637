"""Hidden causes of urgency and the noisy, partly misleading traces they leave.

A triage benchmark is only honest if no single field of a referral gives the answer away.
So urgency here is not a flag copied into the referral: each subject gets *latent* traits
(hands-on contact risk, access to children through work, producing new material), each
referral may involve ongoing contact, and urgency is drawn from those. What a provider
writes down follows the latents only noisily: most urgent referrals are not escalated,
occupations appear in some harmless bios and are missing from many risky ones, scary file
tags sit on viral memes, sextortion tags sit on spam. All text is neutral and non-graphic.
The latents go to ``ground-truth.json`` only; grace never sees them.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

# Bios that mention work with children (several languages, all neutral).
ACCESS_BIOS = (
    "Works as a swimming coach at the local club.",
    "Primary school teacher, loves hiking.",
    "Youth football coach on weekends.",
    "Babysitter, available most evenings.",
    "Scout leader and camping fan.",
    "Private tutor for maths and physics.",
    "Nanny for two families in town.",
    "Jugendtrainer im Sportverein.",
    "Lehrer an einer Grundschule.",
    "Animateur en centre de loisirs.",
    "Entrenador de natacion infantil.",
)
PLAIN_BIOS = (
    "Music, travel and photography.",
    "Gamer. Coffee first.",
    "Cars and weekend trips.",
    "Just here for the memes.",
    "Cooking, cycling, cats.",
    "Student. Night owl.",
    "Fan of old films.",
)
CONTACT_NOTES = (
    "Messages include a request to meet in person.",
    "User asked the other account to come over after school.",
    "User wrote 'send your location' in a chat.",
    "User offered to pick the other account up from the station.",
    "User wrote 'my address is' followed by a street name.",
    "User suggested they meet up this weekend.",
)
# Harmless notes that share words with the contact notes (misleading for keyword rules).
DECOY_NOTES = (
    "Account holder asked support to meet the data-export deadline.",
    "User shared a location tag of a public landmark.",
)


@dataclass(frozen=True)
class Latent:
    """A subject's hidden traits; persistent across the subject's referrals."""

    contact_risk: bool  # would seek hands-on contact
    access: bool  # works or volunteers with children
    producer: bool  # produces new material rather than re-sharing
    bio: str | None  # profile text the subject wrote (ESPs include it only sometimes)

    @property
    def high_risk(self) -> bool:
        """Risky enough to be reported again more often (recidivism)."""
        return self.contact_risk or self.producer


def draw_latent(rng: random.Random) -> Latent:
    """Correlated traits: access and production are likelier for contact-risk subjects."""
    contact = rng.random() < 0.015
    access = rng.random() < (0.35 if contact else 0.03)
    producer = rng.random() < (0.3 if contact else 0.015)
    if access and rng.random() < 0.5:
        bio: str | None = rng.choice(ACCESS_BIOS)
    elif not access and rng.random() < 0.012:
        bio = rng.choice(ACCESS_BIOS)  # harmless people have such jobs too
    elif rng.random() < 0.4:
        bio = rng.choice(PLAIN_BIOS)
    else:
        bio = None
    return Latent(contact, access, producer, bio)


def ongoing_contact(rng: random.Random, latent: Latent) -> bool:
    """Whether this referral involves ongoing contact with a minor."""
    return rng.random() < (0.3 if latent.contact_risk else 0.04 if latent.access else 0.003)


def is_urgent(rng: random.Random, latent: Latent, ongoing: bool) -> bool:
    """Urgency as a noisy function of the latents (a hands-on risk to a child now)."""
    if ongoing and (latent.contact_risk or latent.access):
        p = 0.8
    elif latent.producer and latent.access:
        p = 0.7
    elif latent.contact_risk and latent.access:
        p = 0.5
    elif ongoing:
        p = 0.25
    elif latent.producer:
        p = 0.2
    elif latent.contact_risk:
        p = 0.12
    else:
        p = 0.002
    return rng.random() < p


def escalation_chance(urgent: bool, ongoing: bool, enticing: bool) -> float:
    """Providers escalate a minority of urgent referrals and some harmless ones."""
    if urgent:
        return 0.3 if ongoing else 0.12
    return 0.08 if enticing else 0.005


def contact_note(rng: random.Random, latent: Latent, ongoing: bool) -> str | None:
    """A neutral note about planned contact; sometimes a harmless look-alike."""
    p = 0.45 if ongoing else 0.1 if latent.contact_risk else 0.002
    if rng.random() < p:
        return rng.choice(CONTACT_NOTES)
    if rng.random() < 0.01:
        return rng.choice(DECOY_NOTES)
    return None


def file_flags(rng: random.Random, latent: Latent, ongoing: bool, viral: bool) -> list[str]:
    """ESP file tags: weakly tied to the latents, and sometimes on viral memes."""
    flags = []
    table = (
        ("possibleSelfProduction", 0.25 if latent.producer else 0.01),
        ("liveStreaming", 0.12 if ongoing else 0.002),
        ("physicalHarm", 0.08 if latent.contact_risk else 0.005 + (0.06 if viral else 0)),
        ("infant", 0.04 if latent.producer else 0.002),
        ("violenceGore", 0.06 if viral else 0.003),
    )
    for flag, p in table:
        if rng.random() < p:
            flags.append(flag)
    return flags


def record(latent: Latent, ongoing: bool) -> dict[str, bool]:
    """The latents of one referral as ground truth records them."""
    out = {k: v for k, v in asdict(latent).items() if isinstance(v, bool)}
    out["ongoing_contact"] = ongoing
    return out
