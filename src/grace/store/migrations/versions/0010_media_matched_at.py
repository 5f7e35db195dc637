"""media: matched_at, the durable mark that an item's matching and statuses are committed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 09:00:00

Existing rows are marked matched when the old one-transaction-per-run code evidently
finished them (a match, or a referral file with a status, exists for the item); rows a
crashed run left behind stay unmatched, so the next ``grace media process`` finishes them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not batch mode: SQLite (>= 3.35) adds and drops a column in place, and
# recreating ``media`` would trip the foreign keys that media_matches holds on it.


def upgrade() -> None:
    op.add_column("media", sa.Column("matched_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_media_matched_at"), "media", ["matched_at"], unique=False)
    op.execute(
        "UPDATE media SET matched_at = analysed_at WHERE"
        " EXISTS (SELECT 1 FROM media_matches m WHERE m.media_id = media.id)"
        " OR EXISTS (SELECT 1 FROM referral_files f"
        " WHERE f.sha256 = media.sha256 AND f.media_status IS NOT NULL)"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_media_matched_at"), table_name="media")
    op.drop_column("media", "matched_at")
