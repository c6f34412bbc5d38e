"""Baseline: the schema of the releases before migrations.

A store made by such a release is stamped at this revision instead of running it.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plans",
        sa.Column("id", sa.String(120), primary_key=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.String(120), sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("dataset", sa.String(32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("data_origin", sa.String(16), nullable=False),
        sa.Column("source_name", sa.String(500), nullable=False),
        sa.Column("source_sha256", sa.String(200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("restored_from", sa.Integer(), sa.ForeignKey("dataset_versions.id"), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.UniqueConstraint("plan_id", "dataset", "number", name="uq_version_number"),
    )
    op.create_index("ix_dataset_versions_plan_id", "dataset_versions", ["plan_id"])
    op.create_index("ix_dataset_versions_is_current", "dataset_versions", ["is_current"])
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("dataset_versions.id"), nullable=False),
        sa.Column("row_no", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_records_version_id", "records", ["version_id"])
    op.create_table(
        "source_files",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("dataset_versions.id"), nullable=False),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_source_files_version_id", "source_files", ["version_id"])
    op.create_table(
        "mappings",
        sa.Column("layout", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "import_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("plan_id", sa.String(120), nullable=False),
        sa.Column("source_name", sa.String(1000), nullable=False),
        sa.Column("source_sha256", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
    )
    op.create_index("ix_import_reports_plan_id", "import_reports", ["plan_id"])


def downgrade() -> None:
    for index, table in (
        ("ix_import_reports_plan_id", "import_reports"),
        ("ix_source_files_version_id", "source_files"),
        ("ix_records_version_id", "records"),
        ("ix_dataset_versions_is_current", "dataset_versions"),
        ("ix_dataset_versions_plan_id", "dataset_versions"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("import_reports", "mappings", "source_files", "records", "dataset_versions", "plans"):
        op.drop_table(table)
