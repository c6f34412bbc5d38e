"""GIS layers (GeoPackage, zipped Shapefile, GeoJSON) as a :class:`Table` of attribute text.

Reading, reprojection to WGS84 and the geometric area are :mod:`panhuo.geo.readers`' job; this
module applies the import limits first (size, zip bombs), then turns the layer's attributes
into text cells and its geometry into WKT, and compares areas with
:func:`panhuo.geo.area.area_check` once the area column is known.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import shapely

from panhuo.importing._limits import MAX_ROWS, ImportFailure, check_size, check_zip
from panhuo.importing.header import SheetRow, Table
from panhuo.importing.readers import Grid, cell_text, suffix_of
from panhuo.importing.report import Problem

# columns read_layer adds to the attributes
_ADDED = ("geom_area_ha", "geometry_source")


def _text(value: object) -> str:
    if value is None:
        return ""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    elif hasattr(value, "item") and not isinstance(value, (str, bytes, dt.date)):
        value = value.item()  # numpy scalars
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return cell_text(value)


def _isna(value: object) -> bool:
    try:
        return bool(value != value)  # NaN, NaT
    except (TypeError, ValueError):
        return False


POOL = 4096  # distinct values of a column whose text is remembered (and shared by its rows)


def _column_text(values: list) -> list[str]:
    """Each value's cell text, as :func:`_text` writes it ('' for a missing value), worked out once
    per distinct value: a million features of a few 区县 or 类型 share a few strings. Values are
    told apart by type too (1, 1.0 and True are equal keys to a dict, not the same text)."""
    out: list[str] = []
    memo: dict[tuple[type, object], str] = {}
    for value in values:
        if type(value) is str:  # most attributes: cell_text's own rule for text, without the calls
            out.append(value.replace("\x00", "").replace("_x000D_", "").strip())
            continue
        try:
            key = (type(value), value)
            text = memo.get(key)
        except TypeError:  # an unhashable value (a list from a JSON property)
            out.append("" if _isna(value) else _text(value))
            continue
        if text is None:
            text = "" if _isna(value) else _text(value)
            if len(memo) < POOL:
                memo[key] = text
        out.append(text)
    return out


def _reader_family(text: str) -> str:
    """A reader's note on geometry (repaired, missing) is 拓扑; one on the file, its layers,
    coordinate system or encoding is 属性结构."""
    return "topology" if ("图形无效" in text or "没有图形" in text) else "structure"


def read_gis_table(data: bytes, filename: str, kind: str, crs: str | None = None, layer: str | None = None):
    """(table, problems, LayerResult) of a layer (``layer``: which one of a GeoPackage); row
    number = feature number, from 1."""
    from panhuo.geo.errors import GeoReadError, MissingCRSError
    from panhuo.geo.readers import read_layer

    check_size(data, filename)
    if suffix_of(filename) == ".zip":
        check_zip(data, filename)
    try:
        result = read_layer(data, filename, crs=crs or None, layer=layer)
    except MissingCRSError as exc:
        options = "；".join(f"{c.code}（{c.label}）" for c in exc.candidates[:4])
        raise ImportFailure(
            exc.message,
            f"请指定坐标系后重新导入（命令行 --crs）。可能是：{options}"
            if options
            else "请指定坐标系后重新导入（命令行 --crs）",
        ) from exc
    except GeoReadError as exc:
        raise ImportFailure(exc.message, "") from exc
    gdf = result.gdf_wgs84
    if len(gdf) > MAX_ROWS:
        raise ImportFailure(f"图层 {filename} 有 {len(gdf)} 个要素，超过上限 {MAX_ROWS}", "请拆分后分别导入")
    problems = [
        Problem("warning", str(p), "", file=filename, family=_reader_family(str(p))) for p in result.problems
    ]
    problems.insert(
        0,
        Problem("info", f"坐标系：{result.crs_name}，已转换为 WGS84", "", file=filename, family="structure"),
    )
    geometry_name = gdf.geometry.name
    headers = [str(c) for c in gdf.columns if c != geometry_name and c not in _ADDED]
    grid = Grid(filename=filename, crs_name=result.crs_name, geometry=[])
    rows = []
    columns = [gdf[c].tolist() for c in headers]  # column by column: no pandas row per feature
    shapes = gdf[geometry_name].to_numpy()
    present = ~(pd.isna(shapes) | shapely.is_empty(shapes))
    wkt = np.full(len(shapes), None, dtype=object)
    wkt[present] = shapely.to_wkt(shapes[present], rounding_precision=-1)
    texts = [_column_text(column) for column in columns]
    del columns
    for i in range(len(gdf)):
        cells = [column[i] for column in texts]
        grid.rows.append(cells)
        grid.row_numbers.append(i + 1)
        grid.geometry.append(wkt[i])
        rows.append(SheetRow(index=i, number=i + 1, cells=cells))
    table = Table(grid=grid, kind=kind, header_rows=[], headers=headers, rows=rows)
    return table, problems, result


def area_problems(result, area_column: str, unit: str, id_column: str | None, filename: str) -> list[Problem]:
    """Features whose geometric area disagrees with the recorded area (warnings)."""
    check = result.area_check(area_column, unit, id_column=id_column)
    problems = []
    if check.problems:
        problems.append(Problem("info", check.problems[0], "", file=filename, family="area"))
    for row in check.table.itertuples(index=False):
        if row.status == "mismatch":
            problems.append(
                Problem(
                    "warning",
                    row.message,
                    "请核对面积字段的单位或图形是否完整",
                    row=int(row.row),
                    column=area_column,
                    value=str(row.recorded_text),
                    file=filename,
                    family="area",
                )
            )
    return problems
