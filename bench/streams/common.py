"""What every bench stream generator hands to ``bench/triage.py``, and small shared helpers.

A generator returns documents exactly as a police unit would receive them (bytes of a
referral document in a format grace ingests), the media status counts that grace's
matching stage would record for their files (the bench carries no pixels), and the truth
that no document contains: is a child in danger now, and which country is the account in.
Generators share only these helpers (names, addresses, dates), never their causal story.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from grace.demo.population import COUNTRY_BLOCKS, FIRST, HANDLE_WORDS, LAST, country_ip


@dataclass
class StreamItem:
    """One referral of a bench stream: what grace reads, and what only the bench knows."""

    document: bytes
    member: str  # the document's file name in its bundle (report.json, referral.json)
    media: dict[str, int]  # known / viral / duplicate / new, as matching would count them
    urgent: bool
    country: str | None
    story: str = ""  # the hidden situation (for the bench's diagnostics only)
    # when the world delivered it; grace stamps a document that states no receipt time
    # with its arrival, so the bench stores this one (else the stream's reference time)
    received: datetime | None = None


@dataclass
class Stream:
    """A whole stream in arrival order, with the time it was received up to."""

    name: str
    items: list[StreamItem]
    reference: datetime
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Account:
    """A fictional account holder; recurs across referrals so that grace can link them."""

    handle: str
    user_id: str
    country: str
    ips: list[str]
    email: str | None
    first: str | None
    last: str | None
    role: str = ""
    traits: dict[str, Any] = field(default_factory=dict)


def iso(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def before(t: datetime, rng: random.Random, days: float) -> datetime:
    """A moment ``days`` (fractional) before ``t``, with a random time of day."""
    return t - timedelta(days=days, seconds=rng.randrange(0, 3600))


def new_account(rng: random.Random, country: str, role: str) -> Account:
    handle = f"{rng.choice(HANDLE_WORDS)}{rng.choice(('_', '.', ''))}{rng.randrange(10, 9999)}"
    return Account(
        handle=handle,
        user_id=str(rng.randrange(10**8, 10**11)),
        country=country,
        ips=[country_ip(rng, country) for _ in range(rng.randrange(1, 3))],
        email=f"{handle.replace('_', '.')}@example.org" if rng.random() < 0.6 else None,
        first=rng.choice(FIRST) if rng.random() < 0.4 else None,
        last=rng.choice(LAST) if rng.random() < 0.3 else None,
        role=role,
    )


def weighted(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def countries(rng: random.Random, only: tuple[str, ...] | None = None) -> str:
    codes = list(only or COUNTRY_BLOCKS)
    return rng.choices(codes, weights=[COUNTRY_BLOCKS[c][0] for c in codes])[0]


def dump(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def leet(rng: random.Random, text: str, rate: float) -> str:
    """Some users write in leetspeak or drop accents; ``rate`` of the letters are swapped."""
    swap = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
    return "".join(swap[c] if c in swap and rng.random() < rate else c for c in text)
