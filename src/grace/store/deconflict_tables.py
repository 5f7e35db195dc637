"""Tables of deconfliction (issue 13): the coordinator's token index and a node's bookkeeping.

Coordinator side (``deconflict_nodes`` .. ``deconflict_nonces``): pinned node keys, OPRF
epochs, the token index and the alerts it raised, per-node usage for rate limits, and the
nonces that stop replays. None of them holds an identifier: a token is the OPRF output of
one, a ``ref`` is the node's own opaque reference for a referral.

Node side (``deconflict_refs`` .. ``deconflict_notices``): the opaque reference each
referral goes out under, the tokens already uploaded (so that sync is incremental), and the
notices received back, resolved to the node's own referral ids.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from grace.store.tables import Base


class DeconflictNode(Base):
    """A pinned node (an agency's grace, or a peer for overlap counts) and its limits."""

    __tablename__ = "deconflict_nodes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519 key, hex
    fingerprint: Mapped[str] = mapped_column(String(80))
    url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | revoked
    rate_per_hour: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeconflictEpoch(Base):
    """One OPRF key epoch; the newest is current, tokens of older ones never match."""

    __tablename__ = "deconflict_epochs"
    epoch: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeconflictToken(Base):
    """A token held by a node for one of its referrals (``ref``), until it expires."""

    __tablename__ = "deconflict_tokens"
    __table_args__ = (
        UniqueConstraint("node_id", "epoch", "token", "ref", name="uq_deconflict_tokens_entry"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64))
    node_id: Mapped[int] = mapped_column(ForeignKey("deconflict_nodes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Index("ix_deconflict_tokens_epoch_token", DeconflictToken.epoch, DeconflictToken.token)
Index("ix_deconflict_tokens_node_ref", DeconflictToken.node_id, DeconflictToken.ref)


class DeconflictAlert(Base):
    """Node ``node_id``'s referral ``ref`` shares a ``kind`` with ``other_node_id``'s."""

    __tablename__ = "deconflict_alerts"
    __table_args__ = (
        UniqueConstraint(
            "node_id", "ref", "other_node_id", "other_ref", "kind", name="uq_deconflict_alerts_pair"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node_id: Mapped[int] = mapped_column(ForeignKey("deconflict_nodes.id"), index=True)
    ref: Mapped[str] = mapped_column(String(64))
    other_node_id: Mapped[int] = mapped_column(ForeignKey("deconflict_nodes.id"))
    other_ref: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    epoch: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeconflictUsage(Base):
    """Evaluations a node asked for in one hour of one epoch (rate limit and upload cap)."""

    __tablename__ = "deconflict_usage"
    node_id: Mapped[int] = mapped_column(ForeignKey("deconflict_nodes.id"), primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    window: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    evaluated: Mapped[int] = mapped_column(Integer, default=0)


class DeconflictNonce(Base):
    """A request nonce already seen from a node: a second use is a replay."""

    __tablename__ = "deconflict_nonces"
    node_id: Mapped[int] = mapped_column(ForeignKey("deconflict_nodes.id"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class DeconflictRef(Base):
    """Node side: the opaque reference a referral is known by at the coordinator."""

    __tablename__ = "deconflict_refs"
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    synced_epoch: Mapped[int | None] = mapped_column(Integer)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeconflictSent(Base):
    """Node side: a token uploaded for a referral in an epoch (sync sends only new ones)."""

    __tablename__ = "deconflict_sent"
    __table_args__ = (
        UniqueConstraint("referral_id", "epoch", "token", name="uq_deconflict_sent_entry"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    epoch: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeconflictNotice(Base):
    """Node side: a coordinator alert about one of this node's referrals."""

    __tablename__ = "deconflict_notices"
    __table_args__ = (
        UniqueConstraint(
            "referral_id", "kind", "other_node", "other_ref", name="uq_deconflict_notices_pair"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    other_node: Mapped[str] = mapped_column(String(100))
    other_ref: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
