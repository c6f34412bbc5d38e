"""The unit of a GIS layer's area field, confirmed by the GIS software's own area column.

A layer exported from ArcGIS carries ``Shape_Area`` (``SHAPE_Area``, ``SHAPE.AREA``,
``shape_area``): the polygon's area in the square metres of its projected coordinate system,
written by the software, never typed. Beside an area field such as ``MJ``, the ratio
MJ ÷ Shape_Area over the rows says MJ's unit: ≈ 1 平方米, ≈ 1/666.67 亩, ≈ 1/10000 公顷. The
median ratio is used, so a few mistyped rows do not change the verdict.

Shape_Area is trusted only when it agrees with the area of the geometry itself (within
:data:`TOLERANCE`): a layer in longitude/latitude has a Shape_Area in square degrees, and a
layer edited after the column was computed may have stale values. ``Shape_Area`` and
``Shape_Leng`` are housekeeping: they stay extra columns and are never the area field while
another area field exists (:func:`is_housekeeping`).
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pandas as pd

from panhuo.importing.report import Problem
from panhuo.units import UNITS, find_unit

# Shape_Area, SHAPE_Area, SHAPE.AREA, shape_area, Shape_Leng, SHAPE_Length, ST_AREA(SHAPE)…
_HOUSEKEEPING = re.compile(r"^(shape|st)[._]?(area|leng(th)?)(\(shape\))?$", re.I)
_AREA = re.compile(r"^(shape|st)[._]?area(\(shape\))?$", re.I)
# a ratio within 5 % of a unit's own is that unit (projection and ellipsoid differ by < 0.3 %)
TOLERANCE = 0.05
# units a ratio can name, largest first: 万平方米 has the ratio of 公顷 and is not told apart
_CANDIDATES = ("m2", "mu", "ha", "km2")


def is_housekeeping(column: str) -> bool:
    """Shape_Area, Shape_Leng and their spellings: columns the GIS software writes."""
    return bool(_HOUSEKEEPING.match(str(column).strip()))


def gis_area_column(columns: list[str]) -> str | None:
    """The layer's Shape_Area column (any spelling), or None."""
    return next((c for c in columns if _AREA.match(str(c).strip())), None)


def _expected_ratio(code: str) -> float:
    """What the area field ÷ Shape_Area (m²) is when the field is in this unit."""
    unit = next(u for u in UNITS if u.code == code)
    return float(Fraction(1, 10000) / unit.hectares)


def _ratio_text(ratio: float) -> str:
    if ratio >= 0.01:
        return f"{ratio:.3f}"
    return f"{ratio:.3g}（约 1/{1 / ratio:,.4g}）"


def _numbers(values: pd.Series) -> np.ndarray:
    if values.dtype == object:
        values = values.astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)


def unit_evidence(
    gdf, area_column: str, mapped_unit: str, geometry_m2: np.ndarray | None, filename: str
) -> list[Problem]:
    """The report rows on the area field's unit: an info row when Shape_Area confirms it, a
    warning with the unit it points to when it contradicts it, nothing without Shape_Area.

    ``gdf`` is the layer as read; ``geometry_m2`` each feature's geometric area in m² (to see
    that Shape_Area is in square metres), None to skip that test.
    """
    shape_column = gis_area_column([str(c) for c in gdf.columns])
    if shape_column is None or shape_column == area_column or area_column not in gdf.columns:
        return []
    base = {"file": filename, "column": area_column, "family": "area"}
    recorded, shape = _numbers(gdf[area_column]), _numbers(gdf[shape_column])
    usable = np.isfinite(recorded) & np.isfinite(shape) & (recorded > 0) & (shape > 0)
    if not usable.any():
        return []
    if geometry_m2 is not None:
        geometric = np.asarray(geometry_m2, dtype=float)
        both = usable & np.isfinite(geometric) & (geometric > 0)
        if both.any():
            check = float(np.median(shape[both] / geometric[both]))
            if abs(check - 1) > TOLERANCE:
                return [
                    Problem(
                        "info",
                        f"“{shape_column}”与图形面积不符（中位比值 {_ratio_text(check)}），"
                        f"可能不是平方米，未用它核对面积字段“{area_column}”的单位",
                        "",
                        **base,
                    )
                ]
    ratio = float(np.median(recorded[usable] / shape[usable]))
    matched = [code for code in _CANDIDATES if abs(ratio / _expected_ratio(code) - 1) <= TOLERANCE]
    mapped = find_unit(mapped_unit)
    mapped_code = mapped.code if mapped else ""
    mapped_label = mapped.label if mapped else str(mapped_unit)
    count = int(usable.sum())
    if mapped_code in matched or (mapped_code == "wanm2" and "ha" in matched):
        return [
            Problem(
                "info",
                f"面积字段“{area_column}”的单位经 {shape_column} 核对为{mapped_label}"
                f"（中位比值 {_ratio_text(ratio)}，{count:,} 个要素）",
                "",
                **base,
            )
        ]
    if matched:
        suggested = next(u.label for u in UNITS if u.code == matched[0])
        return [
            Problem(
                "warning",
                f"面积字段“{area_column}”按{mapped_label}处理，但与 {shape_column}（平方米）的中位比值为 "
                f"{_ratio_text(ratio)}，应为{suggested}",
                f"请在映射中把面积列的单位改为“{suggested}”",
                **base,
            )
        ]
    return [
        Problem(
            "warning",
            f"面积字段“{area_column}”与 {shape_column}（平方米）的中位比值为 {_ratio_text(ratio)}，"
            "不对应任何面积单位",
            "请核对面积字段是否为本图斑的面积，及其单位",
            **base,
        )
    ]


def proposed_unit(gdf, area_column: str) -> tuple[str, str] | None:
    """(unit label, evidence) for an area field whose header names no unit, from its median
    ratio to Shape_Area; None without Shape_Area or when the ratio names no unit. The check
    (:func:`unit_evidence`) then tests Shape_Area against the geometry itself.

    >>> import pandas as pd
    >>> proposed_unit(pd.DataFrame({"MJ": ["1500.5", "300"], "Shape_Area": [1500.49, 300.2]}), "MJ")
    ('平方米', '单位按 Shape_Area 推定为平方米（面积 ÷ Shape_Area 的中位比值 1.000）')
    """
    shape_column = gis_area_column([str(c) for c in gdf.columns])
    if shape_column is None or shape_column == area_column or area_column not in gdf.columns:
        return None
    recorded, shape = _numbers(gdf[area_column]), _numbers(gdf[shape_column])
    usable = np.isfinite(recorded) & np.isfinite(shape) & (recorded > 0) & (shape > 0)
    if not usable.any():
        return None
    ratio = float(np.median(recorded[usable] / shape[usable]))
    matched = [code for code in _CANDIDATES if abs(ratio / _expected_ratio(code) - 1) <= TOLERANCE]
    if not matched:
        return None
    label = next(u.label for u in UNITS if u.code == matched[0])
    return (
        label,
        f"单位按 {shape_column} 推定为{label}（面积 ÷ {shape_column} 的中位比值 {_ratio_text(ratio)}）",
    )
