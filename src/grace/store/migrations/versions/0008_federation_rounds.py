"""federation rounds

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flower_run_id", sa.String(length=24), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency", sa.String(length=100), nullable=True),
        sa.Column("strategy", sa.String(length=40), nullable=False),
        sa.Column("secagg", sa.Boolean(), nullable=False),
        sa.Column("num_rounds", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("model_name", sa.String(length=50), nullable=True),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("model_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fl_runs")),
        sa.UniqueConstraint("flower_run_id", "role", name="uq_fl_runs_flower_run_id"),
    )
    with op.batch_alter_table("fl_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fl_runs_flower_run_id"), ["flower_run_id"], unique=False
        )
    op.create_table(
        "fl_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("sent", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["fl_runs.id"], name=op.f("fk_fl_rounds_run_id_fl_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fl_rounds")),
        sa.UniqueConstraint("run_id", "round", "phase", name="uq_fl_rounds_run_id"),
    )
    with op.batch_alter_table("fl_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fl_rounds_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("fl_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fl_rounds_run_id"))
    op.drop_table("fl_rounds")
    with op.batch_alter_table("fl_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fl_runs_flower_run_id"))
    op.drop_table("fl_runs")
