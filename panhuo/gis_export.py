"""GIS out: a plan's (filtered) records with their surveyed outlines as GeoPackage, Shapefile,
GeoJSON — or all records as XLSX/CSV with the outline as WKT — in CGCS2000 (EPSG:4490) or one of
its 3-degree Gauss-Krüger zones (EPSG:4513-4533 with the zone number in the easting, 4534-4554
without).

- Only **surveyed** outlines are geometry: a record whose ``geometry_source`` is not 实测图形
  (:data:`panhuo.geo.schematic.SURVEYED`), or that has no outline, is drawn on the map at a
  schematic place (示意位置) — a circle of its area somewhere in its 区县, not where it is. The GIS
  formats leave such records out and :attr:`GisExport.note` says how many and why; XLSX/CSV keep
  every row, with ``图形（WKT）`` filled for the surveyed rows only (the column is there only when
  some row has an outline).
- Fields: GeoPackage, GeoJSON, XLSX and CSV use the Chinese column names of the import
  (:func:`panhuo.importing.mapping.column_labels`, or the first alias the import maps back to the
  same field); Shapefile (DBF: field names of at most 10 bytes) uses the survey field codes of
  :data:`SHP_CODES` (``DKBH`` 编号, ``MJ`` 面积 …), a known code for known extras (``DJRKSJ``),
  and ``ZD01``-style names for other extras; the zip holds ``字段说明.csv`` (UTF-8 with BOM)
  naming each field in Chinese. Areas: the printed area text and its unit as text fields, plus
  ``面积（公顷）`` / ``GQMJ``, the plan's ``area_ha`` as a number.
- Privacy: the records go through :func:`panhuo.privacy.scoped_records` with the caller's scope
  (``CountyScope()`` — nothing private — gives :func:`~panhuo.privacy.public_records`: no
  right-holder column, no name equal to a right-holder). Extra columns of an imported file that
  the import does not know (土地证编号, 现状土地使用人 …) go only to a reader who may see every
  private field; everyone else gets the known survey extras (地均入库税金 …) only.

Pure pandas/geopandas/pyogrio: the command line (``python -m panhuo export``) and the page 明细
call :func:`export_records`; nothing here knows Streamlit.
"""

from __future__ import annotations

import io
import math
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from panhuo.access import CountyScope
from panhuo.model import COLUMNS
from panhuo.nouns import noun
from panhuo.privacy import scoped_records

CGCS2000 = 4490
GK3_WITH_ZONE = range(4513, 4534)  # CGCS2000 3-degree GK, zone number in the easting (zones 25-45)
GK3_WITHOUT_ZONE = range(4534, 4555)  # the same zones, easting without the zone number
FORMATS = {"gpkg": "GeoPackage", "shp": "Shapefile", "geojson": "GeoJSON", "xlsx": "Excel", "csv": "CSV"}
GIS_FORMATS = ("gpkg", "shp", "geojson")
SUFFIXES = {".gpkg": "gpkg", ".shp": "shp", ".zip": "shp", ".geojson": "geojson", ".json": "geojson",
            ".xlsx": "xlsx", ".csv": "csv"}  # fmt: skip
MIMES = {"gpkg": "application/geopackage+sqlite3", "shp": "application/zip",
         "geojson": "application/geo+json", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "csv": "text/csv"}  # fmt: skip
FIELD_TABLE = "字段说明.csv"
SURVEYED = "实测图形"
NO_SURVEY = "无实测图形"  # 图形来源 of a row without an outline, in XLSX/CSV
AREA_HA_LABEL = "面积（公顷）"
WKT_LABEL = "图形（WKT）"
SOURCE_LABEL = "图形来源"
DBF_TEXT_BYTES = 254  # the longest text a DBF field holds
XLSX_CELL_CHARS = 32_767  # the longest text an Excel cell holds

# Shapefile field codes (the pinyin codes of provincial survey databases, panhuo/importing/
# aliases.toml): each is one the import maps back to the same field. Fields without a code
# there get a code of their own (GQMJ 公顷面积, SJLY 数据来源, TSSM 推算说明).
SHP_CODES: dict[str, dict[str, str]] = {
    "parcels": {
        "id": "DKBH", "name": "DKMC", "county": "XZQMC", "town": "XZMC", "village": "CMC",
        "zone": "SSPQ", "type": "DXLX", "current_use": "XZYT", "planned_use": "GHYT", "area": "MJ",
        "area_unit": "MJDW", "area_ha": "GQMJ", "phase": "SSSX", "stage": "SSJD", "mode": "KFMS",
        "actor": "GZZT", "potential": "QLDJ", "far_before": "XZRJL", "far_after": "GHRJL",
        "density_before": "XZJZMD", "density_after": "GHJZMD", "right_holder": "QLR",
        "parcel_count": "ZS", "derived": "TSSM", "source": "SJLY",
    },
    "zones": {
        "id": "PQBH", "name": "PQMC", "county": "XZQMC", "category": "PQLB", "location": "WZ",
        "area": "MJ", "area_unit": "MJDW", "area_ha": "GQMJ", "stage": "SSJD", "parcel_count": "DKS",
        "note": "BZ", "derived": "TSSM", "source": "SJLY",
    },
}  # fmt: skip
_OWN_CODES = {"area_ha": "公顷面积（数值）", "derived": "推算说明", "source": "数据来源"}
# what the loader works out from the printed columns: not part of a record as surveyed
_COMPUTED = {"area_q", "area_exact", "area_ha", "count", "place", "family", "family_label",
             "geometry", "geometry_source", "placed_in", "placement_note", "anchor_lon", "anchor_lat",
             "radius_m"}  # fmt: skip
_KEY_COLUMNS = ("id", "name", "county", "area", "area_unit")  # kept even when empty
_SAFE = re.compile(r"[^A-Za-z0-9_]")
# shapely type id → point 0 / line 1 / polygon 2 (Point, LineString, LinearRing, Polygon, Multi…)
_DIMENSION = {0: 0, 1: 1, 2: 1, 3: 2, 4: 0, 5: 1, 6: 2}


class ExportError(ValueError):
    """A request that cannot be met; nothing is written. The message is Chinese.

    ``usage``: the command line was wrong (a CRS or format it does not take: exit status 2)
    rather than the data (nothing to export: exit status 1)."""

    def __init__(self, message: str, *, usage: bool = False):
        super().__init__(message)
        self.usage = usage


# --------------------------------------------------------------------------- CRS and format


def crs_label(epsg: int) -> str:
    """The Chinese name of an export CRS.

    >>> crs_label(4490), crs_label(4549)
    ('CGCS2000 经纬度（EPSG:4490）', 'CGCS2000 3度带 第40带（中央经线 120°E，东坐标不含带号，EPSG:4549）')
    """
    from panhuo.geo.crs import describe_crs

    return describe_crs(epsg).label


def parse_crs(text: object) -> int:
    """The EPSG code of ``--crs``: 4490 (also ``EPSG:4490``) or a CGCS2000 3-degree Gauss-Krüger
    zone; ExportError (Chinese) for anything else.

    >>> parse_crs("EPSG:4528"), parse_crs(None), parse_crs(" 4549 ")
    (4528, 4490, 4549)
    >>> parse_crs("4326")
    Traceback (most recent call last):
    ...
    panhuo.gis_export.ExportError: 不支持的坐标系“4326”：可选 4490（CGCS2000 经纬度），或 CGCS2000 3度带高斯-克吕格投影 EPSG:4513-4533（东坐标含带号）、EPSG:4534-4554（不含带号），如湖州一带 4549 或 4528。
    """
    if text is None or str(text).strip() == "":
        return CGCS2000
    raw = str(text).strip()
    digits = re.sub(r"^EPSG\s*:\s*", "", raw, flags=re.I)
    code = int(digits) if digits.isdigit() else None
    if code == CGCS2000 or (code is not None and (code in GK3_WITH_ZONE or code in GK3_WITHOUT_ZONE)):
        return code
    raise ExportError(
        f"不支持的坐标系“{raw}”：可选 4490（CGCS2000 经纬度），或 CGCS2000 3度带高斯-克吕格投影 "
        "EPSG:4513-4533（东坐标含带号）、EPSG:4534-4554（不含带号），如湖州一带 4549 或 4528。",
        usage=True,
    )


def output_format(requested: str | None, path: str | Path) -> str:
    """``--format``, else read from the output file's extension; a contradiction is refused.

    >>> output_format(None, "地块.gpkg"), output_format("shp", "地块.zip"), output_format(None, "a.geojson")
    ('gpkg', 'shp', 'geojson')
    """
    suffix = Path(path).suffix.lower()
    implied = SUFFIXES.get(suffix)
    if requested:
        fmt = str(requested).lower()
        if fmt not in FORMATS:
            raise ExportError(f"未知的格式：{requested}；可选 {'、'.join(FORMATS)}", usage=True)
        if fmt == "shp" and suffix not in (".shp", ".zip"):
            raise ExportError(
                f"Shapefile 的输出文件应以 .zip（打包下载）或 .shp（各文件写在同一文件夹）结尾：{path}",
                usage=True,
            )
        if implied and implied != fmt:
            raise ExportError(f"--format {fmt} 与输出文件的扩展名 {suffix} 不一致", usage=True)
        return fmt
    if implied is None:
        raise ExportError(
            f"无法从输出文件名 {Path(path).name} 判断格式：请用 --format 指定（gpkg、shp、geojson、xlsx、csv）",
            usage=True,
        )
    return implied


def zone_warning(epsg: int, lon: float) -> str:
    """A warning when data centred at ``lon`` lies outside the chosen Gauss-Krüger zone ('' if
    inside or not a zone): lengths and areas are distorted there, and the zone that fits is named.

    >>> zone_warning(4549, 113.05)[:39]
    '数据中心约在东经 113.05°，离所选投影带的中央经线（120°E）7.0°'
    >>> zone_warning(4526, 113.05), zone_warning(4490, 80.0)
    ('', '')
    """
    from panhuo.geo.crs import describe_crs, gk_epsg, gk_zone_for_lon

    info = describe_crs(epsg)
    if info.central_meridian is None or not math.isfinite(lon):
        return ""
    off = abs(lon - info.central_meridian)
    if off <= 1.5 + 0.1:  # a 3-degree zone spans ±1.5°; a parcel at its edge is fine
        return ""
    _, cm = gk_zone_for_lon(lon, 3)
    try:
        fits = f"；数据所在的 3度带为 EPSG:{gk_epsg(cm)}（含带号）或 EPSG:{gk_epsg(cm, zone_in_easting=False)}（不含带号）"
    except ValueError:
        fits = ""
    return (
        f"数据中心约在东经 {lon:.2f}°，离所选投影带的中央经线（{info.central_meridian:g}°E）{off:.1f}°，"
        f"超出该带范围，长度和面积变形较大{fits}。"
    )


# --------------------------------------------------------------------------- geometry


def surveyed_geometry(plan, dataset: str, store=None) -> pd.Series | None:
    """The outlines of a plan's ``dataset`` (shapely, None where a row has none), on the plan
    frame's index: a stored plan's from the store (``store`` or :meth:`Store.open`), else the
    frame's ``geometry`` WKT column; None when the records have no outline at all."""

    frame = plan.dataset(dataset)
    if dataset in getattr(plan, "shapes", {}):
        if store is None:
            from panhuo.store import Store

            store = Store.open()
        shapes = store.version_geometry(plan.shapes[dataset])
        if shapes is None:
            return None
        return pd.Series(list(shapes), index=frame.index[: len(shapes)], dtype=object).reindex(frame.index)
    if "geometry" not in frame:
        return None
    return pd.Series(list(_from_wkt(frame["geometry"])), index=frame.index, dtype=object)


def _from_wkt(values: Iterable) -> np.ndarray:
    import shapely

    out = []
    for value in values:
        if isinstance(value, shapely.Geometry):
            out.append(value)
        elif value is None or (isinstance(value, float) and math.isnan(value)) or not str(value).strip():
            out.append(None)
        else:
            out.append(shapely.from_wkt(str(value), on_invalid="ignore"))
    return np.array(out, dtype=object)


def surveyed_mask(records: pd.DataFrame, geometry: pd.Series | None) -> np.ndarray:
    """True for the records whose outline is surveyed: an outline, and ``geometry_source`` 实测图形
    (when the records say where their shapes come from)."""
    import shapely

    if geometry is None:
        if "geometry" not in records:
            return np.zeros(len(records), dtype=bool)
        shapes = _from_wkt(records["geometry"])
    else:
        shapes = geometry.reindex(records.index).to_numpy(dtype=object)
    present = ~(pd.isna(shapes) | shapely.is_empty(shapes))
    if "geometry_source" in records:
        present &= (records["geometry_source"].astype(str).str.strip() == SURVEYED).to_numpy()
    return present


def surveyed_count(records: pd.DataFrame) -> int:
    """How many records say their outline is surveyed (``geometry_source``), without reading
    a shape: what a page shows before anything is built."""
    if "geometry_source" in records:
        return int((records["geometry_source"].astype(str).str.strip() == SURVEYED).sum())
    if "geometry" in records:
        return int((records["geometry"].fillna("").astype(str).str.strip() != "").sum())
    return 0


def searched(
    records: pd.DataFrame,
    dataset: str,
    query: str = "",
    where: tuple = (),
    scope: CountyScope | None = None,
) -> pd.DataFrame:
    """The records a 明细 search and its conditions on extra columns keep (all of them for
    neither), as :func:`panhuo.export.matching_records` finds them for the viewer ``scope``."""
    from panhuo.export import matching_records

    return matching_records(records, dataset, scope or CountyScope(everything=True), str(query or ""), where)


def gis_counts(
    records: pd.DataFrame, dataset: str, query: str = "", where: tuple = (), scope: CountyScope | None = None
) -> tuple[int, int]:
    """(records, of them with a surveyed outline) after a 明细 search: what the page says
    before any file is built."""
    found = searched(records, dataset, query, where, scope)
    return len(found), surveyed_count(found)


def left_out_note(dataset: str, total: int, surveyed: int, fmt: str = "gpkg") -> str:
    """The sentence saying which records a GIS file leaves out, and why ('' when none is).

    >>> left_out_note("parcels", 10, 7)
    '10 宗地块中 3 宗没有实测图形（地图上为示意位置，不是实际位置），未写入 GIS 文件；Excel/CSV 导出含全部记录。'
    """
    from panhuo.nouns import measure_word

    left = total - surveyed
    if fmt not in GIS_FORMATS or left <= 0:
        return ""
    word, what = measure_word(dataset), noun(dataset)
    return (
        f"{total:,} {word}{what}中 {left:,} {word}没有实测图形（地图上为示意位置，不是实际位置），"
        "未写入 GIS 文件；Excel/CSV 导出含全部记录。"
    )


# --------------------------------------------------------------------------- fields


def _text(series: pd.Series) -> pd.Series:
    """A column as text, '' where a value is missing."""
    return series.astype(object).where(series.notna(), "").astype(str)


def _blank_column(series: pd.Series) -> bool:
    return bool((_text(series).str.strip() == "").all())


def field_labels(dataset: str) -> dict[str, str]:
    """Chinese field names that the import maps back to the same field: the import's own
    label where it does (面积, 区县), else the first alias that does (村/社区或位置 → 村)."""
    from panhuo.importing.mapping import _data, column_labels, match_header

    labels = dict(column_labels(dataset))
    specs = _data()["fields"]
    for name, label in list(labels.items()):
        if name not in specs or match_header(label, dataset)[0] == name:
            continue
        fits = [a for a in specs[name].get("aliases", []) if match_header(a, dataset)[0] == name]
        if fits:
            labels[name] = fits[0]
    labels["area_ha"] = AREA_HA_LABEL
    return labels


def _shp_code(name: str, dataset: str) -> str:
    from panhuo.importing.mapping import _data, match_header

    code = SHP_CODES[dataset].get(name, "")
    if code and (name in _OWN_CODES or match_header(code, dataset)[0] == name):
        return code
    for other in _data()["fields"].get(name, {}).get("codes", []):
        if match_header(other, dataset)[0] == name and len(other.encode()) <= 10:
            return other.upper()
    return code


def _extra_code(label: str, taken: set[str], number: int) -> str:
    """A DBF field name for an extra column: its survey code when the import knows one
    (地均入库税金 → DJRKSJ), an ASCII name cut to 10 bytes, else ZD01, ZD02 …"""
    from panhuo.importing.mapping import _data

    known = {v: k for k, v in _data()["extras"].items()}
    candidates = []
    if label in known:
        candidates.append(known[label])
    ascii_name = _SAFE.sub("_", label).strip("_")
    if ascii_name and ascii_name == label.strip() and not ascii_name[0].isdigit():
        candidates.append(ascii_name[:10].upper())
    for candidate in candidates:
        if candidate.upper() not in taken:
            return candidate.upper()
    while True:
        candidate = f"ZD{number:02d}"
        number += 1
        if candidate not in taken:
            return candidate


@dataclass
class Field:
    """One attribute of the export: the record column, its Chinese name, its Shapefile code."""

    column: str
    label: str
    code: str
    note: str = ""


def known_extras() -> set[str]:
    """The extra columns anyone may see (:func:`panhuo.privacy.known_extras`)."""
    from panhuo.privacy import known_extras as known

    return set(known())


def export_fields(frame: pd.DataFrame, dataset: str, *, all_extras: bool = True) -> list[Field]:
    """The attributes written, in order: the FORMAT.md columns that hold something (编号, 名称,
    区县, 面积, 面积单位 always), the numeric 面积（公顷）after 面积单位, then the extra columns.

    An extra column of an imported file may hold anything (土地证编号, 现状土地使用人): only a
    reader who may see every private field (``all_extras``) gets the extras nobody has checked;
    others get the :func:`known_extras` only."""
    labels = field_labels(dataset)
    known = [c for c in COLUMNS[dataset] if c in frame and (c in _KEY_COLUMNS or not _blank_column(frame[c]))]
    extras = [c for c in frame.columns
              if c not in COLUMNS[dataset] and c not in _COMPUTED and not str(c).startswith("_")
              and not _blank_column(frame[c]) and (all_extras or str(c) in known_extras())]  # fmt: skip
    fields: list[Field] = []
    taken: set[str] = set()
    for column in known:
        code = _shp_code(column, dataset)
        note = "按文件原样的文字" if column == "area" else ""
        fields.append(Field(column, labels.get(column, column), code, note))
        taken.add(code)
        if column == "area_unit" or (column == "area" and "area_unit" not in known):
            fields.append(Field("area_ha", AREA_HA_LABEL, _shp_code("area_ha", dataset), "数值，单位公顷"))
            taken.add(fields[-1].code)
    number = 1
    used_labels = {f.label for f in fields}
    for column in extras:
        code = _extra_code(str(column), taken, number)
        if re.fullmatch(r"ZD\d+", code):
            number = int(code[2:]) + 1
        taken.add(code)
        label = str(column) if str(column) not in used_labels else f"{column}（附加列）"
        fields.append(Field(column, label, code, "附加列"))
    return fields


def field_table(fields: list[Field]) -> bytes:
    """字段说明.csv: each Shapefile field, its Chinese name and what it holds (UTF-8 with BOM)."""
    from panhuo.export import to_csv_bytes

    table = {
        "字段名": [f.code for f in fields],
        "中文名称": [f.label for f in fields],
        "说明": [f.note for f in fields],
    }
    return to_csv_bytes(pd.DataFrame(table))


# --------------------------------------------------------------------------- the export


@dataclass
class GisExport:
    """What an export wrote: ``files`` (name → bytes: one file, or the parts of a Shapefile)."""

    fmt: str
    files: dict[str, bytes]
    total: int  # records asked for
    written: int  # records (GIS: features) written
    epsg: int
    dataset: str
    notes: list[str] = field(default_factory=list)  # left out, cut text, zone warnings

    @property
    def left_out(self) -> int:
        return self.total - self.written

    @property
    def content(self) -> bytes:
        """The one file (a Shapefile as its zip)."""
        if len(self.files) != 1:
            raise ValueError("Shapefile 的各文件：请用 files")
        return next(iter(self.files.values()))


def _attributes(records: pd.DataFrame, dataset: str, scope: CountyScope, plan) -> pd.DataFrame:
    frame = scoped_records(records, scope)
    if "area_unit" in frame and plan is not None:  # the unit a record leaves empty is the plan's
        unit = _text(frame["area_unit"])
        frame["area_unit"] = unit.where(unit.str.strip() != "", plan.area_unit)
    if "area_ha" not in frame and "area" in frame:
        from panhuo.loader import parsed_columns

        frame["area_ha"] = parsed_columns(dataset, frame, plan.area_unit if plan is not None else "公顷")[
            "area_ha"
        ]
    return frame


def _frame_of(frame: pd.DataFrame, fields: list[Field], names: str) -> pd.DataFrame:
    out = {}
    for f in fields:
        name = f.code if names == "code" else f.label
        if f.column == "area_ha":
            out[name] = pd.to_numeric(frame["area_ha"], errors="coerce").astype("float64").to_numpy()
        else:
            out[name] = _text(frame[f.column]).to_numpy(dtype=object)
    return pd.DataFrame(out, index=frame.index)


def _cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def export_records(
    records: pd.DataFrame,
    dataset: str,
    fmt: str,
    *,
    scope: CountyScope,
    geometry: pd.Series | None = None,
    epsg: int = CGCS2000,
    plan=None,
    name: str = "",
) -> GisExport:
    """The ``records`` (a plan's ``dataset``, filtered) as a ``fmt`` file in ``epsg``.

    ``geometry``: the outlines on the plan frame's index (:func:`surveyed_geometry`; None: the
    records' own ``geometry`` WKT column, if any). ``scope``: what private fields the reader may
    see. ``name``: the Shapefile's base name inside its zip (ASCII; default the dataset).
    Raises ExportError (Chinese) when a GIS format would hold no feature.
    """
    import geopandas as gpd
    import shapely

    from panhuo.demo import DEMO_LABEL, LABEL_COLUMN, export_frame, is_demo

    if fmt not in FORMATS:
        raise ExportError(f"未知的格式：{fmt}；可选 {'、'.join(FORMATS)}", usage=True)
    epsg = parse_crs(epsg)
    frame = _attributes(records, dataset, scope, plan)
    shapes = (
        _from_wkt(records["geometry"]) if geometry is None and "geometry" in records
        else (geometry.reindex(records.index).to_numpy(dtype=object) if geometry is not None
              else np.full(len(records), None, dtype=object))
    )  # fmt: skip
    surveyed = surveyed_mask(records, pd.Series(shapes, index=records.index, dtype=object))
    fields = export_fields(frame, dataset, all_extras=scope.everything)
    notes: list[str] = []
    what = noun(dataset)
    stored = gpd.GeoSeries(np.where(surveyed, shapes, None), index=records.index, crs=4326)
    projected = stored.to_crs(epsg) if surveyed.any() else gpd.GeoSeries([None] * len(stored), index=stored.index, crs=epsg)  # fmt: skip
    if epsg != CGCS2000 and surveyed.any():
        bounds = stored[surveyed].total_bounds
        if warning := zone_warning(epsg, (bounds[0] + bounds[2]) / 2):
            notes.append(warning)

    if fmt in ("xlsx", "csv"):
        from panhuo.export import XLSX_MAX_ROWS, to_csv_bytes, to_xlsx_bytes

        table = _frame_of(frame, fields, "label")
        if surveyed.any():
            wkt = np.full(len(table), "", dtype=object)
            wkt[surveyed] = shapely.to_wkt(projected[surveyed].to_numpy(), rounding_precision=-1)
            if fmt == "xlsx":
                long = np.array([len(w) > XLSX_CELL_CHARS for w in wkt], dtype=bool)
                if long.any():
                    wkt[long] = ""
                    notes.append(
                        f"{int(long.sum()):,} 个图形的 WKT 超过 Excel 单元格上限（{XLSX_CELL_CHARS:,} 字），"
                        "未写入；请下载 CSV 或 GeoPackage。"
                    )
            table[SOURCE_LABEL] = np.where(surveyed, SURVEYED, NO_SURVEY)
            table[WKT_LABEL] = wkt
            table["坐标系"] = np.where(surveyed, f"EPSG:{epsg}", "")
        table = export_frame(plan, table.reset_index(drop=True))
        if fmt == "xlsx":
            if len(table) > XLSX_MAX_ROWS:
                raise ExportError(
                    f"共 {len(table):,} 行，超过 Excel 一个工作表的上限（{XLSX_MAX_ROWS:,} 行）：请导出 CSV，或缩小筛选范围。"
                )
            from panhuo.demo import export_title

            title = export_title(plan, f"{plan.title if plan is not None else ''}{what}明细".strip())
            content = to_xlsx_bytes(table, sheet=f"{what}明细", title=title)
        else:
            content = to_csv_bytes(table)
        suffix = f".{fmt}"
        return GisExport(
            fmt, {f"{name or dataset}{suffix}": content}, len(records), len(records), epsg, dataset, notes
        )

    if not surveyed.any():
        raise ExportError(
            f"所选的 {len(records):,} 条{what}记录都没有实测图形（地图上为示意位置，不是实际位置），"
            f"没有可写入 {FORMATS[fmt]} 的图形；请导出 Excel 或 CSV，或先导入带图形的 GIS 数据。"
        )
    if note := left_out_note(dataset, len(records), int(surveyed.sum()), fmt):
        notes.insert(0, note)
    kept = frame[surveyed]
    names = "code" if fmt == "shp" else "label"
    if is_demo(plan):  # a demonstration plan's features say so, as its CSV rows do
        fields = [Field(LABEL_COLUMN, LABEL_COLUMN, "SJXZ", "模拟数据标记"), *fields]
        kept = kept.assign(**{LABEL_COLUMN: DEMO_LABEL})
    table = _frame_of(kept, fields, names)
    geoms = projected[surveyed]
    # point, line or polygon (a multi-part one counts as its part; a collection as none of them)
    kinds = set(pd.Series(shapely.get_type_id(geoms.to_numpy())).map(_DIMENSION).fillna(-1))
    if fmt == "shp":
        if len(kinds) > 1:
            raise ExportError(
                "所选记录的图形有点、线、面等不同类型，Shapefile 一个文件只能存一种：请导出 GeoPackage。"
            )
        cut = 0
        for f in fields:
            if f.column == "area_ha":
                continue
            column = table[f.code]
            shortened = column.map(lambda v: _cut_bytes(v, DBF_TEXT_BYTES))
            cut += int((shortened != column).sum())
            table[f.code] = shortened
        if cut:
            notes.append(
                f"{cut:,} 个文字值超过 Shapefile 字段上限（{DBF_TEXT_BYTES} 字节），已截断；完整内容请导出 GeoPackage。"
            )
    gdf = gpd.GeoDataFrame(table.reset_index(drop=True), geometry=list(geoms), crs=epsg)
    multi = len(np.unique(shapely.get_type_id(geoms.to_numpy()))) > 1  # Polygon and MultiPolygon
    files = _write_layer(gdf, fmt, what, name or dataset, promote=multi)
    if fmt == "shp":
        files[FIELD_TABLE] = field_table(fields)
    return GisExport(fmt, files, len(records), int(surveyed.sum()), epsg, dataset, notes)


def _write_layer(gdf, fmt: str, layer: str, base: str, *, promote: bool) -> dict[str, bytes]:
    import pyogrio

    with tempfile.TemporaryDirectory(prefix="panhuo-export-") as folder:
        if fmt == "shp":
            path = Path(folder) / f"{base}.shp"
            pyogrio.write_dataframe(
                gdf, path, driver="ESRI Shapefile", encoding="UTF-8", promote_to_multi=promote
            )
            cpg = path.with_suffix(".cpg")
            if not cpg.exists():
                cpg.write_text("UTF-8", encoding="ascii")
            return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())}
        if fmt == "gpkg":
            path = Path(folder) / f"{base}.gpkg"
            pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", promote_to_multi=promote)
        else:
            path = Path(folder) / f"{base}.geojson"
            pyogrio.write_dataframe(gdf, path, driver="GeoJSON", layer_options={"RFC7946": "NO"})
        return {path.name: path.read_bytes()}


def zipped(files: dict[str, bytes]) -> bytes:
    """The parts of a Shapefile (and 字段说明.csv) in one zip, in a fixed order."""
    order = {".shp": 0, ".shx": 1, ".dbf": 2, ".prj": 3, ".cpg": 4}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files, key=lambda n: (order.get(Path(n).suffix.lower(), 9), n)):
            archive.writestr(name, files[name])
    return buffer.getvalue()


def download_bytes(
    records: pd.DataFrame,
    dataset: str,
    fmt: str,
    *,
    scope: CountyScope,
    geometry=None,
    plan=None,
    name: str = "",
) -> bytes:
    """One file to download: GeoPackage / GeoJSON / XLSX / CSV as is, a Shapefile zipped."""
    result = export_records(records, dataset, fmt, scope=scope, geometry=geometry, plan=plan, name=name)
    return zipped(result.files) if fmt == "shp" else result.content
