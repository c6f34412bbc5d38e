"""进展监测: a plan's target broken down by 区县 (versioned), and milestones marked done.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "progress_targets",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("deadline", sa.String(16), nullable=False),
        sa.Column("shares", sa.JSON(), nullable=False),
        sa.Column("total", sa.String(40), nullable=False),
        sa.Column("plan_target", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_by_label", sa.String(200), nullable=False),
        sa.UniqueConstraint("plan_id", "version", name="uq_progress_target_version"),
    )
    op.create_table(
        "progress_milestones",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False, index=True),
        sa.Column("milestone_id", sa.String(60), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_by_label", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in ("progress_milestones", "progress_targets"):
        op.drop_table(table)
