"""media and text signals

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("nsfw_score", sa.Float(), nullable=True),
        sa.Column("face_count", sa.Integer(), nullable=True),
        sa.Column("faces", sa.JSON(), nullable=False),
        sa.Column("youngest_age", sa.Float(), nullable=True),
        sa.Column("youngest_age_sd", sa.Float(), nullable=True),
        sa.Column("frames", sa.Integer(), nullable=True),
        sa.Column("embedding_model", sa.String(length=60), nullable=True),
        sa.Column("embedding_dim", sa.Integer(), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"],
            ["vault_objects.sha256"],
            name=op.f("fk_media_signals_sha256_vault_objects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_signals")),
        sa.UniqueConstraint("sha256", name=op.f("uq_media_signals_sha256")),
    )
    with op.batch_alter_table("media_signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_media_signals_nsfw_score"), ["nsfw_score"])
        batch_op.create_index(batch_op.f("ix_media_signals_youngest_age"), ["youngest_age"])

    op.create_table(
        "referral_text_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("language_score", sa.Float(), nullable=True),
        sa.Column("chars", sa.Integer(), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("embedding_model", sa.String(length=60), nullable=True),
        sa.Column("embedding_dim", sa.Integer(), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_text_signals_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_text_signals")),
        sa.UniqueConstraint("referral_id", name=op.f("uq_referral_text_signals_referral_id")),
    )
    with op.batch_alter_table("referral_text_signals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_text_signals_language"), ["language"])


def downgrade() -> None:
    with op.batch_alter_table("referral_text_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_text_signals_language"))
    op.drop_table("referral_text_signals")
    with op.batch_alter_table("media_signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_signals_youngest_age"))
        batch_op.drop_index(batch_op.f("ix_media_signals_nsfw_score"))
    op.drop_table("media_signals")
