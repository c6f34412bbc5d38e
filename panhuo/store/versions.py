"""Adding a version: the one way rows enter the store (imports, restores, sample syncing)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from panhuo.access import User
from panhuo.loader import PARSED_COLUMNS, parsed_columns
from panhuo.store.columnar import COLUMNAR_DATASETS, write_parts
from panhuo.store.records import NewSource, clean_json, frame_records, records_frame, sha256
from panhuo.store.schema import PlanRow, RecordRow, SourceFileRow, VersionRow


def current_version(session: Session, plan_id: str, dataset: str) -> VersionRow | None:
    """The current version of a plan's dataset (None when it has none)."""
    return session.scalar(
        select(VersionRow).where(
            VersionRow.plan_id == plan_id, VersionRow.dataset == dataset, VersionRow.is_current.is_(True)
        )
    )


def add_version(
    session: Session,
    plan_id: str,
    dataset: str,
    records: list[dict],
    columns: list[str],
    sources: list[NewSource],
    *,
    origin: str,
    data_origin: str,
    source_name: str,
    source_sha: str,
    make_current: bool,
    extra: dict,
    note: str,
    author: User,
    restored_from: int | None = None,
    frame: pd.DataFrame | None = None,
) -> VersionRow:
    """Add the next version of a plan's dataset with its records and original files.

    The caller holds the store's write lock (``Store.writing``), so the number taken here is
    not taken by a concurrent writer. ``author`` is who made the version (kept with it).

    Parcels and zones (``frame``, or ``records`` as text) are stored typed and columnar
    (:mod:`panhuo.store.columnar`): their areas and counts are parsed here, once, in the plan's
    default unit (kept in ``extra["parsed_unit"]``); other datasets as JSON rows."""
    columnar = dataset in COLUMNAR_DATASETS
    if columnar:
        if frame is None:
            frame = records_frame(records, [str(c) for c in columns])
        frame = frame.astype(object).where(frame.notna(), "").reset_index(drop=True)
        plan = session.get(PlanRow, plan_id)
        unit = str(((plan.meta or {}) if plan is not None else {}).get("area_unit") or "公顷")
        parsed = parsed_columns(dataset, frame, unit)
        frame = pd.concat([frame.drop(columns=[c for c in PARSED_COLUMNS if c in frame]), parsed], axis=1)
        extra = {**extra, "parsed_unit": unit}
    elif frame is not None and not records:
        records = frame_records(frame)
    number = (
        session.scalar(
            select(func.max(VersionRow.number)).where(
                VersionRow.plan_id == plan_id, VersionRow.dataset == dataset
            )
        )
        or 0
    ) + 1
    if make_current:
        session.execute(
            update(VersionRow)
            .where(VersionRow.plan_id == plan_id, VersionRow.dataset == dataset)
            .values(is_current=False)
        )
    row = VersionRow(
        plan_id=plan_id,
        dataset=dataset,
        number=number,
        origin=origin,
        data_origin=data_origin,
        source_name=source_name[:500],
        source_sha256=source_sha[:200],
        row_count=len(frame) if columnar else len(records),
        columns=[str(c) for c in columns],
        is_current=make_current,
        restored_from=restored_from,
        note=note,
        extra=clean_json(extra),
        created_by=author.name[:120],
        created_by_label=author.label[:200],
    )
    session.add(row)
    session.flush()
    if columnar:
        write_parts(session, row.id, frame)
    else:
        rows = [{"version_id": row.id, "row_no": i, "data": clean_json(r)} for i, r in enumerate(records)]
        if rows:
            session.execute(RecordRow.__table__.insert(), rows)
    for source in sources:
        session.add(
            SourceFileRow(
                version_id=row.id,
                filename=source.filename[:500],
                sha256=sha256(source.content),
                size=len(source.content),
                content=source.content,
            )
        )
    return row
