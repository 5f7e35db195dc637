"""deconflict: the coordinator's token index and a node's deconfliction bookkeeping

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:45:00

New tables only (issue 13); none of them holds an identifier in the clear.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deconflict_epochs",
        sa.Column("epoch", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("epoch", name=op.f("pk_deconflict_epochs")),
    )
    op.create_table(
        "deconflict_nodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=80), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rate_per_hour", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconflict_nodes")),
        sa.UniqueConstraint("name", name=op.f("uq_deconflict_nodes_name")),
    )
    op.create_table(
        "deconflict_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("other_node_id", sa.Integer(), nullable=False),
        sa.Column("other_ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["deconflict_nodes.id"],
            name=op.f("fk_deconflict_alerts_node_id_deconflict_nodes"),
        ),
        sa.ForeignKeyConstraint(
            ["other_node_id"],
            ["deconflict_nodes.id"],
            name=op.f("fk_deconflict_alerts_other_node_id_deconflict_nodes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconflict_alerts")),
        sa.UniqueConstraint(
            "node_id", "ref", "other_node_id", "other_ref", "kind", name="uq_deconflict_alerts_pair"
        ),
    )
    op.create_index(
        op.f("ix_deconflict_alerts_node_id"), "deconflict_alerts", ["node_id"], unique=False
    )
    op.create_table(
        "deconflict_nonces",
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["deconflict_nodes.id"],
            name=op.f("fk_deconflict_nonces_node_id_deconflict_nodes"),
        ),
        sa.PrimaryKeyConstraint("node_id", "nonce", name=op.f("pk_deconflict_nonces")),
    )
    op.create_index(
        op.f("ix_deconflict_nonces_seen_at"), "deconflict_nonces", ["seen_at"], unique=False
    )
    op.create_table(
        "deconflict_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["deconflict_nodes.id"],
            name=op.f("fk_deconflict_tokens_node_id_deconflict_nodes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconflict_tokens")),
        sa.UniqueConstraint("node_id", "epoch", "token", "ref", name="uq_deconflict_tokens_entry"),
    )
    op.create_index(
        "ix_deconflict_tokens_epoch_token", "deconflict_tokens", ["epoch", "token"], unique=False
    )
    op.create_index(
        op.f("ix_deconflict_tokens_expires_at"), "deconflict_tokens", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_deconflict_tokens_node_id"), "deconflict_tokens", ["node_id"], unique=False
    )
    op.create_index(
        "ix_deconflict_tokens_node_ref", "deconflict_tokens", ["node_id", "ref"], unique=False
    )
    op.create_table(
        "deconflict_usage",
        sa.Column("node_id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("window", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluated", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["node_id"],
            ["deconflict_nodes.id"],
            name=op.f("fk_deconflict_usage_node_id_deconflict_nodes"),
        ),
        sa.PrimaryKeyConstraint("node_id", "epoch", "window", name=op.f("pk_deconflict_usage")),
    )
    op.create_table(
        "deconflict_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("other_node", sa.String(length=100), nullable=False),
        sa.Column("other_ref", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_deconflict_notices_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconflict_notices")),
        sa.UniqueConstraint(
            "referral_id", "kind", "other_node", "other_ref", name="uq_deconflict_notices_pair"
        ),
    )
    op.create_index(
        op.f("ix_deconflict_notices_referral_id"),
        "deconflict_notices",
        ["referral_id"],
        unique=False,
    )
    op.create_table(
        "deconflict_refs",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("synced_epoch", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_deconflict_refs_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_deconflict_refs")),
        sa.UniqueConstraint("ref", name=op.f("uq_deconflict_refs_ref")),
    )
    op.create_table(
        "deconflict_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name=op.f("fk_deconflict_sent_referral_id_referrals")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deconflict_sent")),
        sa.UniqueConstraint("referral_id", "epoch", "token", name="uq_deconflict_sent_entry"),
    )
    op.create_index(
        op.f("ix_deconflict_sent_referral_id"), "deconflict_sent", ["referral_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deconflict_sent_referral_id"), table_name="deconflict_sent")
    op.drop_table("deconflict_sent")
    op.drop_table("deconflict_refs")
    op.drop_index(op.f("ix_deconflict_notices_referral_id"), table_name="deconflict_notices")
    op.drop_table("deconflict_notices")
    op.drop_table("deconflict_usage")
    op.drop_index("ix_deconflict_tokens_node_ref", table_name="deconflict_tokens")
    op.drop_index(op.f("ix_deconflict_tokens_node_id"), table_name="deconflict_tokens")
    op.drop_index(op.f("ix_deconflict_tokens_expires_at"), table_name="deconflict_tokens")
    op.drop_index("ix_deconflict_tokens_epoch_token", table_name="deconflict_tokens")
    op.drop_table("deconflict_tokens")
    op.drop_index(op.f("ix_deconflict_nonces_seen_at"), table_name="deconflict_nonces")
    op.drop_table("deconflict_nonces")
    op.drop_index(op.f("ix_deconflict_alerts_node_id"), table_name="deconflict_alerts")
    op.drop_table("deconflict_alerts")
    op.drop_table("deconflict_nodes")
    op.drop_table("deconflict_epochs")
