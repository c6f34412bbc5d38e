"""Typed, columnar storage of the record datasets (parcels, zones): what replaced one JSON
object of text per row (migration 0007).

A version of ``parcels`` or ``zones`` is kept in ``version_parts`` as Parquet parts of at most
:data:`PART_ROWS` rows each, two kinds per part:

- ``attributes``: every column as printed (text, the printed text is never lost) and the
  values parsed once when the version is written — ``area_q`` (the exact area as an integer of
  quanta, :func:`panhuo.units.area_quanta`), ``area_exact``, ``area_ha`` (float, for charts)
  and ``count`` (parcels a row stands for). Low-cardinality columns (区县, 乡镇, 类型, 阶段,
  时序 …) are dictionary-encoded by Parquet, so a column of a million 区县 names is a few
  kilobytes and an engine filters it without decoding text.
- ``geometry``: the surveyed shapes as WKB, apart from the attributes: only what draws them
  reads them (:meth:`panhuo.store.Store.version_geometry`).

Parts keep each blob far below PostgreSQL's 1 GB ``bytea`` limit and let a version be written
and read part by part. Reading gives the same frame of text columns the domain always had, plus
the parsed columns, so the loader parses nothing again.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from panhuo.import_progress import report
from panhuo.store.schema import PartRow

COLUMNAR_DATASETS = ("parcels", "zones")
PART_ROWS = 250_000
FORMAT = "parquet-1"
# the parsed columns stored beside the printed text (:func:`panhuo.loader.parsed_columns`)
PARSED = ("area_q", "area_exact", "area_ha", "count")
GEOMETRY = "geometry"


def _table(frame: pd.DataFrame) -> pa.Table:
    arrays, names = [], []
    for column in frame.columns:
        values = frame[column]
        if column in PARSED:
            arrays.append(pa.array(values.to_numpy()))
        else:
            arrays.append(pa.array(values.astype(str).to_numpy(dtype=object), type=pa.string()))
        names.append(str(column))
    return pa.Table.from_arrays(arrays, names=names)


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd", compression_level=1, use_dictionary=True)
    return sink.getvalue()


def _geometry_table(values: pd.Series) -> pa.Table | None:
    """WKB per row from WKT text (None where empty); None when no row has a shape."""
    import shapely

    text = values.astype(str).str.strip()
    present = text.ne("").to_numpy()
    if not present.any():
        return None
    wkb = np.full(len(text), None, dtype=object)
    shapes = shapely.from_wkt(text[present].to_numpy(dtype=object), on_invalid="ignore")
    wkb[present] = shapely.to_wkb(shapes)
    return pa.table({"wkb": pa.array(wkb, type=pa.binary())})


def write_parts(session: Session, version_id: int, frame: pd.DataFrame) -> None:
    """Store ``frame`` (text columns as printed and :data:`PARSED`) as the version's parts."""
    for part, start in enumerate(range(0, max(len(frame), 1), PART_ROWS)):
        chunk = frame.iloc[start : start + PART_ROWS]
        report("write", start, len(frame))
        geometry = None
        if GEOMETRY in chunk:
            table = _geometry_table(chunk[GEOMETRY])
            geometry = _parquet(table) if table is not None else None
            chunk = chunk.drop(columns=[GEOMETRY])
        rows = [
            {
                "version_id": version_id,
                "kind": "attributes",
                "part": part,
                "format": FORMAT,
                "rows": len(chunk),
                "content": _parquet(_table(chunk)),
            }
        ]
        if geometry is not None:
            rows.append(
                {
                    "version_id": version_id,
                    "kind": GEOMETRY,
                    "part": part,
                    "format": FORMAT,
                    "rows": len(chunk),
                    "content": geometry,
                }
            )
        session.execute(insert(PartRow), rows)
    report("write", len(frame), len(frame))


def has_parts(session: Session, version_id: int) -> bool:
    return session.scalar(select(PartRow.part).where(PartRow.version_id == version_id).limit(1)) is not None


def _parts(session: Session, version_id: int, kind: str) -> Iterator[bytes]:
    query = (
        select(PartRow.content)
        .where(PartRow.version_id == version_id, PartRow.kind == kind)
        .order_by(PartRow.part)
    )
    for content in session.scalars(query):
        yield bytes(content)


def read_attributes(session: Session, version_id: int, columns: list[str] | None = None) -> pd.DataFrame:
    """The version's rows: text columns (object dtype; repeated values share one string) and
    the parsed columns; ``columns``: only these (an engine reading a few columns reads no
    others)."""
    tables = [
        pq.read_table(io.BytesIO(blob), columns=columns) for blob in _parts(session, version_id, "attributes")
    ]
    if not tables:
        return pd.DataFrame(columns=columns or [])
    table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    return table.to_pandas(deduplicate_objects=True)


def read_geometry(session: Session, version_id: int, rows: int) -> np.ndarray | None:
    """WKB per row (None where the row has no shape), or None when the version has none."""
    blobs = list(_parts(session, version_id, GEOMETRY))
    if not blobs:
        return None
    # a part without shapes has no geometry blob: parts are written in order, so fill by count
    values = np.concatenate(
        [pq.read_table(io.BytesIO(b)).column("wkb").to_numpy(zero_copy_only=False) for b in blobs]
    )
    if len(values) == rows:
        return values
    return _aligned(session, version_id, rows)


def _aligned(session: Session, version_id: int, rows: int) -> np.ndarray:
    out = np.full(rows, None, dtype=object)
    query = select(PartRow.part, PartRow.content).where(
        PartRow.version_id == version_id, PartRow.kind == GEOMETRY
    )
    for part, content in session.execute(query):
        values = pq.read_table(io.BytesIO(bytes(content))).column("wkb").to_numpy(zero_copy_only=False)
        out[part * PART_ROWS : part * PART_ROWS + len(values)] = values
    return out


def copy_parts(session: Session, source_id: int, target_id: int) -> None:
    """Give ``target_id`` the parts of ``source_id`` (a restore: the same rows again)."""
    rows = session.execute(
        select(PartRow.kind, PartRow.part, PartRow.format, PartRow.rows, PartRow.content).where(
            PartRow.version_id == source_id
        )
    ).all()
    if rows:
        session.execute(
            insert(PartRow),
            [
                {"version_id": target_id, "kind": k, "part": p, "format": f, "rows": n, "content": c}
                for k, p, f, n, c in rows
            ],
        )


def drop_parts(session: Session, version_id: int) -> None:
    session.execute(delete(PartRow).where(PartRow.version_id == version_id))
