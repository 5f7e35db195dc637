"""exchange: shared bank versions and votes on their entries (issue 12)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:15:00

New tables only.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_bank_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(length=200), nullable=False),
        sa.Column("publisher", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("package_sha256", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("added", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("recategorised", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_bank_versions")),
        sa.UniqueConstraint("bank", "publisher", "version", name="uq_exchange_bank_version"),
    )
    op.create_table(
        "exchange_bank_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank", sa.String(length=200), nullable=False),
        sa.Column("entry_key", sa.String(length=100), nullable=False),
        sa.Column("voter", sa.String(length=100), nullable=False),
        sa.Column("vote", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_bank_votes")),
        sa.UniqueConstraint("bank", "entry_key", "voter", name="uq_exchange_bank_vote"),
    )
    op.create_index(
        op.f("ix_exchange_bank_votes_bank"), "exchange_bank_votes", ["bank"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exchange_bank_votes_bank"), table_name="exchange_bank_votes")
    op.drop_table("exchange_bank_votes")
    op.drop_table("exchange_bank_versions")
