"""exchange: peers, packages sent and received, outcomes (issue 12)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:05:00

New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_outcomes")),
        sa.UniqueConstraint("referral_id", "source", name="uq_exchange_outcome"),
    )
    op.create_index(
        op.f("ix_exchange_outcomes_referral_id"), "exchange_outcomes", ["referral_id"], unique=False
    )
    op.create_table(
        "exchange_peers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=80), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("agency", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("send_token", sa.String(length=200), nullable=True),
        sa.Column("inbound_token_sha256", sa.String(length=64), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_peers")),
        sa.UniqueConstraint("name", name=op.f("uq_exchange_peers_name")),
    )
    op.create_index(op.f("ix_exchange_peers_agency"), "exchange_peers", ["agency"], unique=False)
    op.create_table(
        "exchange_received",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=True),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("sender", sa.String(length=100), nullable=True),
        sa.Column("signer_fingerprint", sa.String(length=80), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("remote_referral_id", sa.Integer(), nullable=True),
        sa.Column("custody", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_received")),
    )
    op.create_index(
        op.f("ix_exchange_received_package_id"), "exchange_received", ["package_id"], unique=False
    )
    op.create_index(
        op.f("ix_exchange_received_package_sha256"),
        "exchange_received",
        ["package_sha256"],
        unique=False,
    )
    op.create_index(
        op.f("ix_exchange_received_referral_id"), "exchange_received", ["referral_id"], unique=False
    )
    op.create_index(
        op.f("ix_exchange_received_sender"), "exchange_received", ["sender"], unique=False
    )
    op.create_table(
        "exchange_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.String(length=64), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("peer", sa.String(length=100), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("receipt_ok", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_sent")),
        sa.UniqueConstraint("package_id", name=op.f("uq_exchange_sent_package_id")),
    )
    op.create_index(op.f("ix_exchange_sent_peer"), "exchange_sent", ["peer"], unique=False)
    op.create_index(
        op.f("ix_exchange_sent_referral_id"), "exchange_sent", ["referral_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exchange_sent_referral_id"), table_name="exchange_sent")
    op.drop_index(op.f("ix_exchange_sent_peer"), table_name="exchange_sent")
    op.drop_table("exchange_sent")
    op.drop_index(op.f("ix_exchange_received_sender"), table_name="exchange_received")
    op.drop_index(op.f("ix_exchange_received_referral_id"), table_name="exchange_received")
    op.drop_index(op.f("ix_exchange_received_package_sha256"), table_name="exchange_received")
    op.drop_index(op.f("ix_exchange_received_package_id"), table_name="exchange_received")
    op.drop_table("exchange_received")
    op.drop_index(op.f("ix_exchange_peers_agency"), table_name="exchange_peers")
    op.drop_table("exchange_peers")
    op.drop_index(op.f("ix_exchange_outcomes_referral_id"), table_name="exchange_outcomes")
    op.drop_table("exchange_outcomes")
