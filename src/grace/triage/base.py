"""The scorer interface: what a scorer sees, and what it must say.

A scorer sees one ``TriageInput`` (the referral as mapped, its media status counts, its
link and subject context, routing, and the clock to measure recency against) and returns a
``Score`` of 0-100 with the contribution of every factor. Scorers are named and versioned
(``rules_v1``, ``learned_v1``) and must be deterministic for the same input and config, so
a ranking recorded yesterday can be reproduced today.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from grace.model import Referral
from grace.model.intel import Identifier, RoutingDecision, Score
from grace.signals.factors import SignalFactor


@dataclass(frozen=True)
class TriageInput:
    """Everything a scorer may use about one referral, gathered by the triage service."""

    referral: Referral
    now: datetime  # the reference time for recency (recorded with the score)
    media_counts: dict[str, int] = field(default_factory=dict)  # known, viral, duplicate, ...
    identifiers: tuple[Identifier, ...] = ()
    linked_referrals: int = 0  # referrals linked by a strong or medium link
    prior_referrals: int = 0  # earlier referrals of the same subject (recidivism)
    recipient_suspects: int = 0  # other suspects who wrote to one of its recipient accounts
    routing: RoutingDecision | None = None
    agency: str | None = None  # the agency whose weights apply (jurisdiction)
    referral_id: int | None = None  # the workspace's id, when scored from a workspace
    signal_factors: tuple[SignalFactor, ...] = ()  # model signals of its media (if computed)


class Scorer(ABC):
    """A named, versioned priority scorer."""

    name: ClassVar[str]
    version: ClassVar[str]

    @abstractmethod
    def score(self, item: TriageInput) -> Score:
        """0-100 with every factor's contribution; the same input always gives the same score."""
