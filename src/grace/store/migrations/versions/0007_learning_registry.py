"""learning registry

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learned_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("origin", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rolled_back_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("training", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("params_path", sa.Text(), nullable=False),
        sa.Column("params_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_models")),
        sa.UniqueConstraint("name", "version", name="uq_learned_models_name_version"),
    )
    with op.batch_alter_table("learned_models", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learned_models_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_learned_models_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("learned_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learned_models_status"))
        batch_op.drop_index(batch_op.f("ix_learned_models_name"))
    op.drop_table("learned_models")
