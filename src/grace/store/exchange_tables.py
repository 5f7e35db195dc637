"""Tables of the exchange between grace nodes (issue 12): peers, packages, outcomes.

``exchange_peers`` pins each peer's Ed25519 key (and agency, inbox URL, tokens);
``exchange_sent`` is the outbox (what went to whom, delivery, the signed receipt back);
``exchange_received`` is the inbox (every package seen, verified or quarantined, with the
sender's custody records, so that custody continues across nodes); ``exchange_outcomes``
holds what became of a referral, recorded here or reported back by the node that acted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base, JsonDict


class ExchangePeer(Base):
    """A pinned peer node: its key, agency, inbox URL and the tokens between us."""

    __tablename__ = "exchange_peers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519 key, hex
    fingerprint: Mapped[str] = mapped_column(String(80))
    url: Mapped[str | None] = mapped_column(String(500))
    agency: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | revoked
    send_token: Mapped[str | None] = mapped_column(String(200))  # we present it to them
    inbound_token_sha256: Mapped[str | None] = mapped_column(String(64))  # they present it
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExchangeSent(Base):
    """One package sent (a referral or a batch of outcomes), its delivery and receipt."""

    __tablename__ = "exchange_sent"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[str] = mapped_column(String(64), unique=True)
    package_sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # referral | outcomes
    peer: Mapped[str] = mapped_column(String(100), index=True)
    referral_id: Mapped[int | None] = mapped_column(Integer, index=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivery: Mapped[str] = mapped_column(String(20))  # delivered | outbox | failed
    error: Mapped[str | None] = mapped_column(Text)
    receipt: Mapped[JsonDict | None] = mapped_column()
    receipt_ok: Mapped[bool] = mapped_column(Boolean, default=False)


class ExchangeReceived(Base):
    """One package that arrived: who sent it, what checking found, what it became."""

    __tablename__ = "exchange_received"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    package_id: Mapped[str | None] = mapped_column(String(64), index=True)
    package_sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    sender: Mapped[str | None] = mapped_column(String(100), index=True)
    signer_fingerprint: Mapped[str | None] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))  # ingested | already_present | quarantined
    reason: Mapped[str | None] = mapped_column(Text)
    referral_id: Mapped[int | None] = mapped_column(Integer, index=True)
    remote_referral_id: Mapped[int | None] = mapped_column(Integer)
    custody: Mapped[JsonDict | None] = mapped_column()  # the sender's custody records


class ExchangeOutcome(Base):
    """What became of a referral, as recorded here (``source`` local) or by a peer."""

    __tablename__ = "exchange_outcomes"
    __table_args__ = (UniqueConstraint("referral_id", "source", name="uq_exchange_outcome"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(Integer, index=True)
    source: Mapped[str] = mapped_column(String(100))  # "local" or the reporting peer
    outcome: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ExchangeBankVersion(Base):
    """One version of a shared bank: published here, or applied from its publisher."""

    __tablename__ = "exchange_bank_versions"
    __table_args__ = (
        UniqueConstraint("bank", "publisher", "version", name="uq_exchange_bank_version"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank: Mapped[str] = mapped_column(String(200))  # the publisher's bank name
    publisher: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    package_sha256: Mapped[str] = mapped_column(String(64))  # the signed delta, in the vault
    direction: Mapped[str] = mapped_column(String(10))  # published | applied
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer)
    recategorised: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExchangeBankVote(Base):
    """A subscriber's confirm or dispute of one entry of a bank this node published."""

    __tablename__ = "exchange_bank_votes"
    __table_args__ = (UniqueConstraint("bank", "entry_key", "voter", name="uq_exchange_bank_vote"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank: Mapped[str] = mapped_column(String(200), index=True)
    entry_key: Mapped[str] = mapped_column(String(100))
    voter: Mapped[str] = mapped_column(String(100))
    vote: Mapped[str] = mapped_column(String(10))  # confirm | dispute
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
