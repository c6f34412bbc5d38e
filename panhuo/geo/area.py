"""Geometric area of parcels, and its comparison with the area a survey table records.

Areas are computed in a Lambert azimuthal *equal-area* projection on the GRS80 (CGCS2000)
ellipsoid centred on the layer. An equal-area projection keeps areas exact everywhere, so the
result is the ellipsoidal area (椭球面积, what 三调 databases record) to far better than
survey precision. A table may instead record the plane area in its Gauss-Krüger zone
(投影面积); the two differ by under 0.1 % inside a 3° zone and under 0.3 % inside a 6° zone,
which the relative tolerance covers.

The allowed difference for each feature adds up three things a person can check:

- the rounding of the recorded value (``1.35`` 公顷 is anything in 1.345-1.355),
- the rounding of the coordinates: every vertex may be off by half a unit of the last stored
  decimal, which moves the outline by up to δ·√2 and the area by up to perimeter · δ · √2,
- ``rel_tol`` of the area for the projection and ellipsoid differences above.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from panhuo.units import AREA_UNITS, decimals_of, format_number, parse_number, unit_code

_M_PER_DEG = 111_320.0
DEFAULT_REL_TOL = 0.003


def equal_area_crs(gdf: gpd.GeoDataFrame) -> str:
    """A PROJ string for a Lambert equal-area projection centred on the layer (GRS80)."""
    wgs = gdf.to_crs(4326) if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
    minx, miny, maxx, maxy = wgs.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    return f"+proj=laea +lat_0={lat:.6f} +lon_0={lon:.6f} +ellps=GRS80 +units=m +no_defs"


def geometry_area_m2(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(area m², perimeter m) of each feature, on the ellipsoid through an equal-area projection."""
    if gdf.crs is None:
        raise ValueError("图层没有坐标系，无法计算面积。")
    projected = gdf.geometry.to_crs(equal_area_crs(gdf))
    return projected.area.to_numpy(dtype=float), projected.length.to_numpy(dtype=float)


def coordinate_precision(geometries: object, geographic: bool, sample: int = 4000) -> float:
    """Half a unit of the last decimal the coordinates carry, in metres.

    ``40500123.12`` → 0.005 m; ``120.123456`` (degrees) → 0.5e-6° ≈ 0.056 m. Coordinates at
    full double precision give 0.0005 m.
    """
    coords = shapely.get_coordinates(np.asarray(geometries, dtype=object))
    if coords.size == 0:
        return 0.0
    values = coords.ravel()[:sample]
    values = values[np.isfinite(values)]
    for decimals in range(0, 10):
        scaled = values * 10.0**decimals
        # relative slack: doubles carry ~15-16 significant digits
        slack = np.maximum(1e-6, np.abs(scaled) * 1e-13)
        if np.all(np.abs(scaled - np.round(scaled)) <= slack):
            step = 10.0**-decimals
            return 0.5 * step * (_M_PER_DEG if geographic else 1.0)
    return 0.0005


@dataclass
class AreaCheckResult:
    """Per-feature comparison (``table``) and the Chinese messages to show (``problems``)."""

    table: pd.DataFrame
    problems: list[str] = field(default_factory=list)
    unit: str = "ha"

    @property
    def ok(self) -> bool:
        return bool((self.table["status"] == "ok").all()) if len(self.table) else True

    @property
    def mismatches(self) -> pd.DataFrame:
        return self.table[self.table["status"] == "mismatch"]


def _recorded(value: object) -> tuple[float | None, int, str]:
    """(value, decimals printed, text) of a recorded area cell."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, 0, ""
    text = str(value).strip()
    number = parse_number(text)
    if number is None:
        return None, 0, text
    return float(number), decimals_of(text), text


def _unit_slip(ratio: float, declared: str) -> str | None:
    """The unit the recorded values are probably in, when recorded/computed fits a unit mix-up."""
    m2_declared = float(AREA_UNITS[declared][1]) * 10_000
    for other, (label, ha_per_unit) in AREA_UNITS.items():
        if other == declared:
            continue
        expected = m2_declared / (float(ha_per_unit) * 10_000)
        if abs(ratio / expected - 1) <= 0.02:
            return f"{label}（记录值约为按{AREA_UNITS[declared][0]}计算值的 {expected:.4g} 倍）"
    return None


def area_check(
    gdf: gpd.GeoDataFrame,
    area_column: str,
    unit: str,
    *,
    id_column: str | None = None,
    coord_precision_m: float | None = None,
    rel_tol: float = DEFAULT_REL_TOL,
) -> AreaCheckResult:
    """Compare each feature's geometric area with the area recorded in ``area_column``.

    Parameters
    ----------
    gdf
        Features with a CRS (``read_layer`` gives WGS84 and records the source coordinate
        precision in ``gdf.attrs["coord_precision_m"]``).
    area_column, unit
        The recorded area and its unit (``ha``/``mu``/``m2`` or 公顷/亩/平方米).
    id_column
        A column that names features in messages (编号); row numbers are always given.
    coord_precision_m
        Half a unit of the coordinates' last decimal in metres; by default from ``gdf.attrs``
        or estimated from the coordinates (then WGS84 degrees are assumed for geographic CRS).

    Returns
    -------
    AreaCheckResult
        ``table`` with row, id, recorded, computed (in ``unit``), difference, relative (%),
        tolerance, status (ok | mismatch | missing | no_geometry) and message.
    """
    code = unit_code(unit)
    label = AREA_UNITS[code][0]
    m2_per_unit = float(AREA_UNITS[code][1]) * 10_000
    if area_column not in gdf.columns:
        raise KeyError(f"没有面积字段「{area_column}」。")
    valid = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    area_m2 = np.full(len(gdf), np.nan)
    perimeter_m = np.full(len(gdf), np.nan)
    if valid.any():
        a, p = geometry_area_m2(gdf[valid])
        area_m2[valid.to_numpy()] = a
        perimeter_m[valid.to_numpy()] = p
    if coord_precision_m is None:
        coord_precision_m = gdf.attrs.get("coord_precision_m")
    if coord_precision_m is None:
        geographic = bool(gdf.crs is not None and gdf.crs.is_geographic)
        coord_precision_m = coordinate_precision(gdf.geometry[valid], geographic)

    decimals_out = 2 if code == "ha" else (1 if code == "mu" else 0)
    rows = []
    recorded = gdf[area_column].tolist()  # plain lists: no pandas scalar access per feature
    idents = gdf[id_column].tolist() if id_column and id_column in gdf.columns else None
    for pos in range(len(gdf)):
        value, decimals, text = _recorded(recorded[pos])
        ident = str(idents[pos]) if idents is not None else ""
        who = f"第 {pos + 1} 行" + (f"（编号 {ident}）" if ident else "")
        computed = area_m2[pos] / m2_per_unit if np.isfinite(area_m2[pos]) else np.nan
        row = {
            "row": pos + 1,
            "id": ident,
            "recorded": value,
            "recorded_text": text,
            "computed": computed,
            "difference": np.nan,
            "relative": np.nan,
            "tolerance": np.nan,
            "status": "ok",
            "message": "",
        }
        if not np.isfinite(computed):
            row["status"] = "no_geometry"
            row["message"] = f"{who}：没有图形，无法核对面积。"
        elif value is None:
            row["status"] = "missing"
            shown = f"「{text}」" if text else "为空"
            row["message"] = (
                f"{who}：面积字段{shown}，无法核对（图形面积 {format_number(float(computed), decimals_out)} {label}）。"
            )
        else:
            rounding = 0.5 * 10.0**-decimals
            coords = perimeter_m[pos] * coord_precision_m * math.sqrt(2) / m2_per_unit
            tolerance = rounding + coords + rel_tol * computed
            difference = value - computed
            relative = difference / computed * 100 if computed else np.nan
            row.update(difference=difference, relative=relative, tolerance=tolerance)
            if abs(difference) > tolerance:
                row["status"] = "mismatch"
                shown_tol = format_number(float(tolerance), max(decimals_out, decimals))
                message = (
                    f"{who}：记录面积 {text} {label}，图形计算面积 {format_number(float(computed), max(decimals_out, decimals))} {label}，"
                    f"相差 {difference:+,.{max(decimals_out, decimals)}f} {label}（{relative:+.1f}%），"
                    f"超出允许误差 ±{shown_tol} {label}。"
                )
                slip = _unit_slip(value / computed, code) if computed else None
                if slip:
                    message += f"面积字段的单位可能是{slip}，请确认单位。"
                else:
                    message += (
                        "请核对该图形是否完整（是否缺少部分地块、含有洞或重复），以及面积字段是否填错。"
                    )
                row["message"] = message
        rows.append(row)
    table = pd.DataFrame(rows)
    counts = table["status"].value_counts()
    problems = []
    n_bad = int(counts.get("mismatch", 0))
    if len(table):
        summary = (
            f"面积核对：{len(table)} 个图形，{int(counts.get('ok', 0))} 个与记录面积一致，{n_bad} 个不一致"
        )
        others = int(counts.get("missing", 0)) + int(counts.get("no_geometry", 0))
        if others:
            summary += f"，{others} 个无法核对"
        summary += f"（允许误差 = 记录值的末位舍入 + 坐标精度 {coord_precision_m:.3g} 米 × 周长 × √2 + 面积的 {rel_tol:.1%}）。"
        problems.append(summary)
        if n_bad and n_bad == len(table) - others:
            ratios = (table["recorded"] / table["computed"]).dropna()
            slip = _unit_slip(float(ratios.median()), code) if len(ratios) else None
            if slip:
                problems.append(
                    f"所有图形都不一致，记录面积普遍是图形面积的 {ratios.median():.4g} 倍：面积字段的单位可能是{slip}。"
                )
        problems.extend(table.loc[table["status"] != "ok", "message"].tolist())
    return AreaCheckResult(table, problems, code)
