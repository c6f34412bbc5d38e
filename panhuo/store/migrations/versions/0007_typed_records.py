"""Typed, columnar parcels and zones: ``version_parts`` (Parquet parts with the printed text,
the areas and counts parsed once, the geometry as WKB apart) replaces their JSON rows.

Existing stores convert on upgrade: every parcels and zones version's JSON rows are parsed into
parts, in the plan's default unit, and then deleted (the small datasets keep their JSON rows).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
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
        "version_parts",
        sa.Column("version_id", sa.Integer(), sa.ForeignKey("dataset_versions.id"), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    _convert(op.get_bind())


def _convert(connection: sa.engine.Connection) -> None:
    """Each parcels/zones version's JSON rows → typed parts (one version at a time)."""
    import json

    import pandas as pd
    from sqlalchemy.orm import Session

    from panhuo.loader import parsed_columns
    from panhuo.store.columnar import COLUMNAR_DATASETS, write_parts
    from panhuo.store.records import records_frame

    meta = sa.MetaData()
    versions = sa.Table("dataset_versions", meta, autoload_with=connection)
    records = sa.Table("records", meta, autoload_with=connection)
    plans = sa.Table("plans", meta, autoload_with=connection)
    units = {
        pid: str((m if isinstance(m, dict) else json.loads(m or "{}")).get("area_unit") or "公顷")
        for pid, m in connection.execute(sa.select(plans.c.id, plans.c.meta))
    }
    todo = connection.execute(
        sa.select(versions.c.id, versions.c.plan_id, versions.c.dataset, versions.c.columns, versions.c.extra)
        .where(versions.c.dataset.in_(COLUMNAR_DATASETS))
        .order_by(versions.c.id)
    ).all()
    session = Session(bind=connection)
    for version_id, plan_id, dataset, columns, extra in todo:
        columns = columns if isinstance(columns, list) else json.loads(columns or "[]")
        extra = extra if isinstance(extra, dict) else json.loads(extra or "{}")
        rows = [
            r if isinstance(r, dict) else json.loads(r)
            for (r,) in connection.execute(
                sa.select(records.c.data).where(records.c.version_id == version_id).order_by(records.c.row_no)
            )
        ]
        frame = records_frame(rows, [str(c) for c in columns])
        unit = units.get(plan_id, "公顷")
        frame = pd.concat([frame, parsed_columns(dataset, frame, unit)], axis=1)
        write_parts(session, version_id, frame)
        session.flush()
        connection.execute(
            versions.update().where(versions.c.id == version_id).values(extra={**extra, "parsed_unit": unit})
        )
        connection.execute(records.delete().where(records.c.version_id == version_id))


def downgrade() -> None:  # pragma: no cover - the store only moves forward
    raise NotImplementedError("version_parts cannot be turned back into JSON rows")
