"""The fictional electronic service providers (ESPs) that file demo referrals.

One provider dominates, as Meta does in NCMEC's published figures (more than two thirds of
all reports), and each has a kind of incident and a boilerplate text, because real
providers each have their own habits that ingest and enrichment must cope with.
"""

from __future__ import annotations

import random

from grace.demo.synth import Esp

ESPS: tuple[Esp, ...] = (
    Esp(
        "PhotoShareCo",
        "PhotoShare",
        "photoshare.example.com",
        0.55,
        "webPage",
        "Dana",
        "Whitfield",
        "PhotoShareCo automated systems detected the content; "
        "a reviewer may or may not have viewed it.",
    ),
    Esp(
        "ChatterApp",
        "ChatterApp Messenger",
        "chatterapp.example.com",
        0.14,
        "chatIm",
        "Omar",
        "Lindqvist",
        "Report generated from a user flag in a one-to-one conversation.",
    ),
    Esp(
        "VidTube Example",
        "VidTube",
        "vidtube.example.net",
        0.08,
        "webPage",
        "Priya",
        "Castellano",
        "Upload matched during ingestion scanning.",
    ),
    Esp(
        "QuickSnap",
        "QuickSnap Stories",
        "quicksnap.example.org",
        0.07,
        "chatIm",
        "Lena",
        "Okafor",
        "report_surface: chat; detection: hash",
    ),
    Esp(
        "CloudLocker",
        "CloudLocker Drive",
        "cloudlocker.example.com",
        0.06,
        "webPage",
        "Marc",
        "Delacroix",
        "Files found in a shared folder; upload times in ESP metadata.",
    ),
    Esp(
        "GameLobby",
        "GameLobby Party Chat",
        "gamelobby.example.net",
        0.04,
        "onlineGaming",
        "Ines",
        "Moreau",
        "Reported by another player during a match.",
    ),
    Esp(
        "MailBoxly",
        "MailBoxly Webmail",
        "mailboxly.example.org",
        0.03,
        "email",
        "Tobias",
        "Nguyen",
        "Attachment flagged by outbound scanning.",
    ),
    Esp(
        "ForumHub",
        "ForumHub Boards",
        "forumhub.example.com",
        0.02,
        "webPage",
        "Sara",
        "Kowalczyk",
        "The platform does not capture IP addresses for individual posts.",
    ),
    Esp(
        "PeerNet Example",
        "PeerNet",
        "peernet.example.net",
        0.01,
        "peer2peer",
        "Arjun",
        "Haddad",
        "Observed in a public swarm.",
    ),
)


def pick_esp(rng: random.Random) -> Esp:
    """A provider, weighted so that one dominates as Meta does in NCMEC's figures."""
    return rng.choices(ESPS, weights=[e.weight for e in ESPS])[0]
