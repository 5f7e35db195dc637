"""Hidden causes of urgency: who the subject is and what is happening in this referral.

A triage benchmark is only honest if no single field of a referral gives the answer away.
So urgency here is not a flag copied into the referral. Each subject gets persistent
*latent* traits (hands-on contact risk, access to children through work or volunteering,
producing new material); each referral is one *episode* drawn from those traits (ongoing
contact with a child, or one of the common look-alikes: teenagers exchanging pictures,
mass sextortion-style spam, outraged sharing of a viral clip, plain re-sharing); urgency
(a child in danger now) follows from traits and episode. What a provider writes down is
decided in ``grace.demo.traces`` from these causes, noisily. All text is neutral and
non-graphic. The latents go to ``ground-truth.json`` only; grace never sees them.
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
# Harmless notes that trip the same keyword tables (misleading for keyword rules).
DECOY_NOTES = (
    "Members of a gaming clan planned to meet up at a trade fair.",
    "A parent account told its own child it would pick you up after school.",
    "User asked a seller to come over and collect a second-hand bike.",
    "Account holder asked support to meet the data-export deadline.",
    "User shared a location tag of a public landmark.",
)
EPISODES = ("ongoing", "teen", "spam", "plain")


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
        return self.contact_risk or self.producer or self.access


def draw_latent(rng: random.Random) -> Latent:
    """Correlated traits: access and production are likelier for contact-risk subjects."""
    contact = rng.random() < 0.015
    access = rng.random() < (0.4 if contact else 0.03)
    producer = rng.random() < (0.35 if contact else 0.015)
    if access and rng.random() < 0.55:
        bio: str | None = rng.choice(ACCESS_BIOS)
    elif not access and rng.random() < 0.015:
        bio = rng.choice(ACCESS_BIOS)  # harmless people have such jobs too
    elif rng.random() < 0.4:
        bio = rng.choice(PLAIN_BIOS)
    else:
        bio = None
    return Latent(contact, access, producer, bio)


def draw_episode(rng: random.Random, latent: Latent) -> str:
    """What this referral is about: ongoing contact, a look-alike, or plain sharing."""
    if latent.contact_risk:
        p_ongoing = 0.45
    elif latent.producer:
        p_ongoing = 0.15
    elif latent.access:
        p_ongoing = 0.08
    else:
        p_ongoing = 0.0015
    u = rng.random()
    if u < p_ongoing:
        return "ongoing"
    if u < p_ongoing + 0.015:
        return "teen"  # minors exchanging pictures with each other
    if u < p_ongoing + 0.025:
        return "spam"  # mass sextortion-style messages, no contact intended
    return "plain"


def is_urgent(rng: random.Random, latent: Latent, episode: str) -> bool:
    """A child in danger now: mostly ongoing contact by a risky subject (see module doc)."""
    risky = latent.contact_risk or latent.access or latent.producer
    if episode == "ongoing":
        p = 0.92 if risky else 0.3
    elif latent.producer and latent.access:
        p = 0.25  # new material made by someone with access to children
    elif episode == "teen":
        p = 0.01
    else:
        p = 0.0005
    return rng.random() < p


def record(latent: Latent, episode: str) -> dict[str, bool | str]:
    """The latents of one referral as ground truth records them."""
    out: dict[str, bool | str] = {k: v for k, v in asdict(latent).items() if isinstance(v, bool)}
    out["ongoing_contact"] = episode == "ongoing"
    out["episode"] = episode
    return out
