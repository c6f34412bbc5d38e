"""Who made each dataset version: ``created_by`` (the account name) and ``created_by_label``
(how the person was named then, e.g. 李工（li）). Versions from before stay empty (未记录).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.add_column(sa.Column("created_by", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("created_by_label", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_column("created_by_label")
        batch.drop_column("created_by")
