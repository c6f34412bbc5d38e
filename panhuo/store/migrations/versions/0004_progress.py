"""进展填报: reporting settings per plan, 区县 reports by revision, their entries and attachments.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DATE_COLUMNS = ("approved_on", "supplied_on", "started_on", "completed_on", "accepted_on")


def upgrade() -> None:
    op.create_table(
        "progress_config",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False, index=True),
        sa.Column("cadence_months", sa.Integer(), nullable=False),
        sa.Column("first_start", sa.Date(), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
    )
    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), nullable=False, index=True),
        sa.Column("county", sa.String(100), nullable=False),
        sa.Column("period_id", sa.String(16), nullable=False, index=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.Column("previous_id", sa.Integer(), sa.ForeignKey("progress_reports.id"), nullable=True),
        sa.Column("record_kind", sa.String(16), nullable=False),
        sa.Column("area_unit", sa.String(16), nullable=False),
        sa.Column("narrative", sa.JSON(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_by_label", sa.String(200), nullable=False),
        sa.Column("editors", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by", sa.String(120), nullable=False),
        sa.Column("submitted_by_label", sa.String(200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed_by", sa.String(120), nullable=False),
        sa.Column("reviewed_by_label", sa.String(200), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.UniqueConstraint("plan_id", "county", "period_id", "revision", name="uq_progress_revision"),
    )
    op.create_table(
        "progress_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "report_id", sa.Integer(), sa.ForeignKey("progress_reports.id"), nullable=False, index=True
        ),
        sa.Column("record_id", sa.String(120), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        *(sa.Column(name, sa.Date(), nullable=True) for name in DATE_COLUMNS),
        sa.Column("area", sa.String(40), nullable=False),
        sa.Column("area_unit", sa.String(16), nullable=False),
        sa.Column("investment", sa.String(40), nullable=False),
        sa.Column("floor_area", sa.String(40), nullable=False),
        sa.Column("tax_per_mu", sa.String(40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("issues", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.UniqueConstraint("report_id", "record_id", name="uq_progress_entry"),
    )
    op.create_table(
        "progress_attachments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "report_id", sa.Integer(), sa.ForeignKey("progress_reports.id"), nullable=False, index=True
        ),
        sa.Column("record_id", sa.String(120), nullable=False),
        sa.Column("filename", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
    )


def downgrade() -> None:
    for table in ("progress_attachments", "progress_entries", "progress_reports", "progress_config"):
        op.drop_table(table)
