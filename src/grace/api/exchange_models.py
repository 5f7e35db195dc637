"""Response models of the desk's exchange endpoints (inbox, outbox, outcome statistics),
so that OpenAPI documents what each field means (``grace.desk.exchange`` builds them)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class InboxReferral(BaseModel):
    referral_id: int | None = Field(description="this node's id (none when refused)")
    sender_referral_id: int | None = Field(description="the sender's id for it")
    status: str = Field(description="ingested, already_present or quarantined")
    reason: str | None


class InboxPackage(BaseModel):
    package_id: str | None
    package_sha256: str
    kind: str | None = Field(description="referral, outcomes or votes")
    sender: str | None = Field(description="the node the manifest names")
    sender_agency: str | None = Field(description="the agency pinned for that node")
    signer_fingerprint: str | None
    signer_pinned: bool = Field(description="the signer is the key pinned for the sender now")
    received_at: str
    result: Literal["accepted", "already_present", "quarantined"]
    reason: str | None = Field(description="why it was quarantined (one line)")
    referrals: list[InboxReferral]


class OutcomeOut(BaseModel):
    source: str = Field(description='"local" (recorded here) or the peer that reported it')
    outcome: str
    reason: str | None
    recorded_at: str
    sent_at: str | None = Field(description="when a local outcome went back to its sender")


class OutboxDelivery(BaseModel):
    referral_id: int | None
    kind: str = Field(description="referral, outcomes or votes")
    peer: str
    peer_agency: str | None
    package_id: str
    package_sha256: str
    sent_at: str
    delivery: Literal["delivered", "outbox", "failed"]
    via: Literal["https", "http", "outbox"] | None = Field(
        description="POSTed to the peer's inbox, or written to an outbox folder"
    )
    error: str | None
    acknowledged: bool = Field(description="the peer's signed receipt verified")
    receipt_status: str | None
    receiver_referral_id: int | None = Field(description="the receiver's id for it")
    outcome: OutcomeOut | None = Field(description="the outcome the peer returned")


class OutcomeStats(BaseModel):
    total: dict[str, int]
    by_agency: dict[str, dict[str, int]]
    by_esp: dict[str, dict[str, int]]
    by_incident_type: dict[str, dict[str, int]]
    median_days_to_outcome: float | None
