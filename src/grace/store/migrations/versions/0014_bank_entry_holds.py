"""banks: holds on entries that must not alert until reviewed (disputes, match floods)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:40:00

A new table, and a nullable column on media_matches naming the hold a match was kept
under (issue 12: disputed entries and flooding entries stop alerting until reviewed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bank_entry_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_entry_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["bank_entry_id"],
            ["bank_entries.id"],
            name=op.f("fk_bank_entry_holds_bank_entry_id_bank_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_entry_holds")),
    )
    op.create_index(
        op.f("ix_bank_entry_holds_bank_entry_id"),
        "bank_entry_holds",
        ["bank_entry_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_bank_entry_holds_status"), "bank_entry_holds", ["status"], unique=False
    )
    # Plain ALTER TABLE (as 0010): batch mode would recreate media_matches. No foreign key,
    # for the same reason; the hold is looked up by id.
    op.add_column("media_matches", sa.Column("hold_id", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_media_matches_hold_id"), "media_matches", ["hold_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_media_matches_hold_id"), table_name="media_matches")
    op.drop_column("media_matches", "hold_id")
    op.drop_index(op.f("ix_bank_entry_holds_status"), table_name="bank_entry_holds")
    op.drop_index(op.f("ix_bank_entry_holds_bank_entry_id"), table_name="bank_entry_holds")
    op.drop_table("bank_entry_holds")
