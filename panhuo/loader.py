"""Load a plan folder (``data/<plan-id>/``, see data/FORMAT.md) into a :class:`Plan`."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from panhuo.classify import family_of
from panhuo.model import COLUMNS, FAMILY_LABELS, Plan, PublishedTable
from panhuo.nouns import type_column
from panhuo.units import QUANTA_PER_HA, area_quanta, to_decimal, to_ha


class PlanDataError(ValueError):
    """A plan folder that cannot be read; the message is Chinese and names the file."""


def read_csv_text(path: Path) -> pd.DataFrame:
    """A CSV with every value as text, exactly as written (empty cells are '')."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise PlanDataError(f"无法读取 {path.name}：{exc}") from exc


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise PlanDataError(f"{path.name} 格式错误：{exc}") from exc


def _with_columns(frame: pd.DataFrame | None, dataset: str, clean: bool = True) -> pd.DataFrame:
    """Every column of the dataset (missing ones empty), as text; ``clean=False``: the columns
    present are text already (read from the store's typed parts) and are not converted again."""
    frame = pd.DataFrame(columns=COLUMNS[dataset]) if frame is None else frame.copy()
    for column in COLUMNS[dataset]:
        if column not in frame.columns:
            frame[column] = ""
    if not clean:
        return frame
    frame = frame.fillna("") if not frame.empty else frame
    for column in COLUMNS[dataset]:
        frame[column] = frame[column].astype(str).replace({"nan": "", "None": ""})
    return frame


def _areas(frame: pd.DataFrame) -> None:
    """Parse the printed areas once (vectorised): ``area_q`` — the exact integer of quanta
    (:func:`panhuo.units.area_quanta`), ``area_exact`` — whether it holds, ``area_ha`` — a float
    for charts and maps. Totals add ``area_q`` and take the Decimal path only for a row whose
    area is not exact (too many decimals), see :mod:`panhuo.aggregate`."""
    quanta, exact = area_quanta(frame["area"], frame["area_unit"])
    frame["area_q"] = quanta
    frame["area_exact"] = exact
    ha = quanta / QUANTA_PER_HA
    ha = np.where(exact, ha, np.nan)
    for i in np.flatnonzero(~exact & (frame["area"].astype(str).str.strip() != "").to_numpy()):
        value = to_ha(frame["area"].iat[i], frame["area_unit"].iat[i])
        if value is not None:
            ha[i] = float(value)
    frame["area_ha"] = ha


def _count(series: pd.Series) -> pd.Series:
    """A bundle's ``parcel_count`` (empty or unreadable: 1), parsed once per distinct text."""

    def one(text: str) -> int:
        number = to_decimal(text)
        return int(number) if number is not None else 1

    return series.map({text: one(text) for text in pd.unique(series)}).astype("int64")


PARSED_COLUMNS = ("area_q", "area_exact", "area_ha", "count")


def parsed_columns(dataset: str, frame: pd.DataFrame, default_unit: str = "公顷") -> pd.DataFrame:
    """The values of a parcels or zones frame parsed once (what the store keeps beside the
    printed text): ``area_q``, ``area_exact``, ``area_ha`` and ``count``, same index."""
    units = frame["area_unit"].astype(str) if "area_unit" in frame else pd.Series("", index=frame.index)
    work = pd.DataFrame(
        {
            "area": frame["area"].astype(str) if "area" in frame else "",
            "area_unit": units.where(units != "", default_unit),
        },
        index=frame.index,
    )
    _areas(work)
    if dataset == "parcels" and "parcel_count" in frame and len(frame):
        work["count"] = _count(frame["parcel_count"].astype(str))
    else:
        work["count"] = pd.Series(1, index=frame.index, dtype="int64")
    return work[list(PARSED_COLUMNS)]


def normalise(dataset: str, frame: pd.DataFrame | None, default_unit: str = "公顷") -> pd.DataFrame:
    """Add the computed columns of a dataset (``area_ha``, ``count``, ``family``, ``family_label``).

    A frame from the store's typed parts already holds :data:`PARSED_COLUMNS` (parsed when it was
    written) and clean text: nothing is parsed or converted again."""
    typed = frame is not None and all(c in frame for c in PARSED_COLUMNS)
    frame = _with_columns(frame, dataset, clean=not typed)
    if dataset in ("parcels", "zones"):
        frame["area_unit"] = frame["area_unit"].where(frame["area_unit"] != "", default_unit)
        if not typed:
            parsed = parsed_columns(dataset, frame, default_unit)
            for column in PARSED_COLUMNS:
                frame[column] = parsed[column]
        if dataset == "parcels":
            # where the document places the parcel: its town, else the village or location words
            frame["place"] = frame["town"].where(frame["town"].str.strip() != "", frame["village"])
        kinds = frame[type_column(dataset)]
        frame["family"] = kinds.map({kind: family_of(kind) for kind in pd.unique(kinds)})
        frame["family_label"] = frame["family"].map(FAMILY_LABELS)
    if dataset == "schedules":
        frame["area_unit"] = frame["area_unit"].where(frame["area_unit"] != "", default_unit)
        _areas(frame)
    return frame.reset_index(drop=True)


def plan_from_frames(meta: dict, origin: str = "import", **frames: pd.DataFrame | None) -> Plan:
    """Build a Plan from metadata and DataFrames (importers use this)."""
    unknown = set(frames) - set(COLUMNS) - {"tables", "facts"}
    if unknown:
        raise PlanDataError(f"未知的数据集：{'、'.join(sorted(unknown))}")
    if not meta.get("id"):
        raise PlanDataError("规划缺少编号（id）")
    default_unit = str(meta.get("area_unit") or "公顷")
    data = {name: normalise(name, frames.get(name), default_unit) for name in COLUMNS}
    return Plan(
        id=str(meta["id"]),
        meta=dict(meta),
        tables=frames.get("tables") or {},  # type: ignore[arg-type]
        facts=list(frames.get("facts") or []),  # type: ignore[arg-type]
        origin=origin,
        **data,
    )


def _load_tables(folder: Path) -> dict[str, PublishedTable]:
    spec_path = folder / "tables.toml"
    if not spec_path.exists():
        return {}
    tables: dict[str, PublishedTable] = {}
    for spec in read_toml(spec_path).get("table", []):
        path = folder / spec["file"]
        if not path.exists():
            raise PlanDataError(f"tables.toml 指向的文件不存在：{spec['file']}")
        frame = read_csv_text(path)
        tables[spec["id"]] = PublishedTable(
            id=spec["id"],
            title=spec.get("title", spec["id"]),
            frame=frame,
            unit=spec.get("unit", ""),
            key=spec.get("key", frame.columns[0] if len(frame.columns) else ""),
            sum_columns=list(spec.get("sum_columns", [])),
            shares=list(spec.get("shares", [])),
            row_sums=list(spec.get("row_sums", [])),
            ranges=list(spec.get("ranges", [])),
            changes=list(spec.get("changes", [])),
            role=spec.get("role", ""),
            columns=dict(spec.get("columns", {})),
            note=spec.get("note", ""),
            source=spec.get("source", ""),
        )
    return tables


def load_plan(folder: Path | str) -> Plan:
    """Load ``data/<plan-id>/`` into a Plan.

    >>> from panhuo.settings import load_settings
    >>> plan = load_plan(load_settings().data_dir / "huzhou-2023")
    >>> plan.id, len(plan.zones)
    ('huzhou-2023', 66)
    """
    folder = Path(folder)
    meta_path = folder / "plan.toml"
    if not meta_path.exists():
        raise PlanDataError(f"{folder.name} 中没有 plan.toml")
    meta = read_toml(meta_path)
    meta.setdefault("id", folder.name)
    frames = {}
    for dataset in COLUMNS:
        path = folder / f"{dataset}.csv"
        frames[dataset] = read_csv_text(path) if path.exists() else None
    facts = read_toml(folder / "facts.toml").get("fact", []) if (folder / "facts.toml").exists() else []
    return plan_from_frames(meta, origin="sample", tables=_load_tables(folder), facts=facts, **frames)


def sample_plan_dirs(data_dir: Path) -> list[Path]:
    """The plan folders under ``data_dir`` (those holding a plan.toml), in a stable order."""
    return sorted(p.parent for p in data_dir.glob("*/plan.toml"))
