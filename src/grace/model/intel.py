"""Intelligence types: identifiers found in referrals, routing decisions, priority scores.

Shared by the extractors, the link graph, routing and the scorers; like the rest of
``grace.model`` it imports nothing else from grace, so every service can depend on it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Identifier(_Model):
    """One normalised identifier and exactly where in the referral it was found.

    ``value`` is the canonical form used for linking (lower-cased e-mail, E.164 phone,
    compressed IP, ``esp-name/user-id`` for ESP user ids scoped to their ESP...).
    """

    kind: str = Field(
        description="email, screen_name, display_name, esp_user_id, ip, phone, url, domain, "
        "device_id, crypto_wallet, payment"
    )
    value: str
    raw: str
    source: str = Field(description="path in the referral, e.g. parties[0].emails[1]")
    role: str | None = Field(None, description="role of the party it belongs to, if any")
    attributes: dict[str, Any] = Field(default_factory=dict)


class CountryEvidence(_Model):
    """One reason to believe a referral belongs to a country."""

    source: str = Field(description="ip, phone, esp_location, pseudo_code, ...")
    country: str | None = Field(description="ISO 3166 alpha-2; None when unresolved")
    detail: str
    weight: float = Field(ge=0)


class RoutingDecision(_Model):
    """Where a referral goes and why."""

    country: str | None
    confidence: float = Field(ge=0, le=1)
    agency: str
    unresolved: bool
    reason: str
    evidence: list[CountryEvidence] = Field(default_factory=list)


class Factor(_Model):
    """One factor's contribution to a priority score, in points, with a human explanation."""

    name: str
    value: Any = None
    contribution: float
    explanation: str


class Score(_Model):
    """A scorer's verdict: 0-100 and the contribution of every factor."""

    scorer: str
    version: str
    score: float = Field(ge=0, le=100)
    factors: list[Factor] = Field(default_factory=list)
