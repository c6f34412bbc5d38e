"""Conversion between what the store keeps (one JSON object of text per row) and what the
domain uses (data frames, published tables)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from panhuo.model import PublishedTable


@dataclass
class NewSource:
    """An original file to keep with a version."""

    filename: str
    content: bytes


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as records of text (missing values as empty text)."""
    clean = frame.astype(object).where(frame.notna(), "")
    return [
        {str(k): ("" if v is None else str(v)) for k, v in rec.items()} for rec in clean.to_dict("records")
    ]


def records_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Stored records as a frame of text, columns in their stored order."""
    frame = pd.DataFrame(rows, columns=columns or None, dtype=object)
    return frame.fillna("")


def clean_json(value: object) -> object:
    """JSON-safe copies: no NUL characters (PostgreSQL refuses them), plain types only."""
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def table_record(table: PublishedTable) -> dict:
    """A published table as one JSON record: its tables.toml spec (every field of
    :class:`PublishedTable` but the frame: role, columns, changes …) and its rows as text."""
    frame = table.frame.astype(object).where(table.frame.notna(), "")
    spec = {f.name: getattr(table, f.name) for f in dataclasses.fields(table) if f.name != "frame"}
    return {
        "spec": clean_json(spec),
        "columns": [str(c) for c in frame.columns],
        "rows": [[str(v) for v in row] for row in frame.itertuples(index=False)],
    }


def tables_from_records(records: Iterable[dict]) -> dict[str, PublishedTable]:
    """Published tables back from :func:`table_record` records, by table id."""
    known = {f.name for f in dataclasses.fields(PublishedTable)}
    tables = {}
    for record in records:
        spec = {k: v for k, v in dict(record["spec"]).items() if k in known}
        frame = pd.DataFrame(record["rows"], columns=record["columns"], dtype=object)
        tables[spec["id"]] = PublishedTable(frame=frame, **spec)
    return tables
