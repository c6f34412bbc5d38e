"""A plan's records as map features, and the values of its 区县 choropleth.

Pure pandas/geopandas (no Streamlit), so the page stays thin and everything is testable:

- :func:`map_features` — every record of a plan as one WGS84 feature: its surveyed outline
  when the record carries one (an imported GIS layer stores it as WKT in ``geometry`` with
  ``geometry_source`` = 实测图形), else a schematic circle of its area inside its 区县
  (:func:`panhuo.geo.schematic.place_schematic`, ``geometry_source`` = 示意位置). Placement
  is done for *all* records of the plan at once, so a record keeps its place whatever the
  filters: pages select the filtered rows afterwards by index.
- :func:`county_values` — area or target coverage per 区县 for the choropleth.

>>> import pandas as pd
>>> records = pd.DataFrame({"id": ["1", "2"], "county": ["上党区", "上党区"], "town": ["韩店街道", ""],
...     "area_ha": [1.0, 2.0], "geometry": ["", "POLYGON ((113.05 36.05, 113.06 36.05, 113.06 36.06, 113.05 36.05))"],
...     "geometry_source": ["", "实测图形"]})
>>> list(map_features(records, city="长治市", counties=["上党区"])["geometry_source"])
['示意位置', '实测图形']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from panhuo.aggregate import area_in, exact_area_ha
from panhuo.geo.boundaries import outline, resolve_place
from panhuo.geo.crs import WGS84
from panhuo.geo.errors import AmbiguousPlaceError, PlaceNotFoundError
from panhuo.geo.schematic import SURVEYED, place_schematic
from panhuo.model import Plan
from panhuo.units import format_area, to_ha, unit_code, unit_label
from panhuo.views import parse_date

# a surveyed outline farther than this from its 区县 is reported (coordinates or CRS wrong)
_OUTSIDE_TOLERANCE_M = 1_000.0
_M_PER_DEG = 111_320.0

MEASURES = {"area": "面积", "coverage": "目标覆盖率"}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _parse_geometry(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Shapely geometries from WKT cells (None where empty or unreadable), and a note per row."""
    geoms: list[shapely.Geometry | None] = []
    notes: list[str] = []
    for value in values:
        if isinstance(value, shapely.Geometry):
            geometry = value
        elif _blank(value):
            geoms.append(None)
            notes.append("")
            continue
        else:
            geometry = shapely.from_wkt(str(value), on_invalid="ignore")
        if geometry is None or geometry.is_empty:
            geoms.append(None)
            notes.append("图形（WKT）无法读取，改按示意位置显示。")
            continue
        note = ""
        if not geometry.is_valid:
            geometry = shapely.make_valid(geometry)
            note = "图形无效，已在显示时自动修复。"
        geoms.append(geometry)
        notes.append(note)
    return np.array(geoms, dtype=object), notes


def _surveyed_place(
    geometry: shapely.Geometry, county: str, city: str | None, province: str | None
) -> tuple[str, str]:
    """(the 区县 a surveyed outline is drawn in, a note when it lies outside that 区县)."""
    if not county:
        return "", ""
    try:
        unit = resolve_place(county, city=city, province=province).unit
    except (PlaceNotFoundError, AmbiguousPlaceError):
        return county, ""
    distance_m = geometry.distance(outline(unit.code, 30.0)) * _M_PER_DEG
    if distance_m <= _OUTSIDE_TOLERANCE_M:
        return unit.name, ""
    return unit.name, (
        f"实测图形不在所写区县（{county}）范围内，相距约 {distance_m / 1000:,.1f} 公里；请核对导入文件的坐标系。"
    )


def map_features(
    records: pd.DataFrame,
    *,
    city: str | None = None,
    province: str | None = None,
    counties: list[str] | tuple[str, ...] = (),
) -> gpd.GeoDataFrame:
    """Every record as a WGS84 feature, surveyed where it has geometry, schematic elsewhere.

    Returns the records (same index and order) with ``geometry``, ``geometry_source``
    (实测图形 | 示意位置), ``anchor_lon``/``anchor_lat`` (a point inside the feature),
    ``radius_m`` (schematic circles only), ``placed_in`` and ``placement_note``.
    """
    frame = pd.DataFrame(records).copy()
    default_county = counties[0] if len(counties) == 1 else None
    if "geometry" in frame:
        parsed, parse_notes = _parse_geometry(frame["geometry"])
    else:
        parsed, parse_notes = np.full(len(frame), None, dtype=object), [""] * len(frame)
    has_geometry = np.array([g is not None for g in parsed], dtype=bool)
    frame = frame.drop(columns=["geometry"], errors="ignore")

    schematic = place_schematic(
        frame[~has_geometry], city=city, province=province, default_county=default_county
    )
    out = pd.DataFrame(index=frame.index)
    columns = ["anchor_lon", "anchor_lat", "radius_m", "geometry_source", "placed_in", "placement_note"]
    for column in columns:
        out[column] = schematic.get(column)
    for column in ("geometry_source", "placed_in", "placement_note"):  # text even when all are surveyed
        out[column] = out[column].astype(object)
    geometry = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    geometry.loc[schematic.index] = list(schematic.geometry)

    surveyed_index = frame.index[has_geometry]
    counties_of = frame["county"] if "county" in frame else pd.Series("", index=frame.index)
    for index, geom, note in zip(
        surveyed_index,
        parsed[has_geometry],
        [n for n, h in zip(parse_notes, has_geometry, strict=True) if h],
        strict=True,
    ):
        county = "" if _blank(counties_of.loc[index]) else str(counties_of.loc[index]).strip()
        county = county or (default_county or "")
        point = geom.representative_point()
        geometry.loc[index] = geom
        out.loc[index, "anchor_lon"] = point.x
        out.loc[index, "anchor_lat"] = point.y
        out.loc[index, "radius_m"] = np.nan
        out.loc[index, "geometry_source"] = SURVEYED
        placed_in, outside = _surveyed_place(geom, county, city, province)
        out.loc[index, "placed_in"] = placed_in
        out.loc[index, "placement_note"] = note + outside
    for index, note in zip(
        frame.index[~has_geometry], np.array(parse_notes, dtype=object)[~has_geometry], strict=True
    ):
        if note:
            out.loc[index, "placement_note"] = note + str(out.loc[index, "placement_note"] or "")
    for column in columns:
        frame[column] = out[column]
    for column in ("anchor_lon", "anchor_lat", "radius_m"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=WGS84), crs=WGS84)


# --------------------------------------------------------------------------- choropleth


@dataclass
class CountyValues:
    """Values per 区县 (as the plan names it) for the choropleth, with title and unit."""

    values: dict[str, float]
    title: str
    unit: str  # 亩 | 公顷 | %
    notes: list[str] = field(default_factory=list)


def county_area_targets(plan: Plan) -> dict[str, tuple[Decimal, str]]:
    """Area target per 区县 in hectares, with the printed target for notes.

    A ``county`` target counts for its 区县; a plan-wide target counts for the plan's 区县 when
    the plan covers exactly one (上党区, 无为市). The latest deadline wins (上党区 has 2025
    and 2035 targets: the 2035 one is the plan's final target).
    """
    targets = plan.targets
    if targets is None or targets.empty:
        return {}
    rows = targets[targets["metric"] == "area"].copy()
    single = plan.counties[0] if len(plan.counties) == 1 else None
    rows["county"] = [
        scope if kind == "county" else (single if kind == "plan" and single else None)
        for kind, scope in zip(rows["scope_kind"], rows["scope"], strict=True)
    ]
    rows = rows[rows["county"].notna()]
    rows["_end"] = [parse_date(d, end=True) for d in rows["deadline"]]
    result: dict[str, tuple[Decimal, str]] = {}
    for row in rows.sort_values(
        "_end", key=lambda s: s.map(lambda d: d.toordinal() if d else 0)
    ).itertuples():
        unit = row.unit or plan.area_unit
        value = to_ha(row.value, unit)
        if value:
            deadline = str(row.deadline).strip()
            deadline = f"（{deadline}年）" if deadline.isdigit() else (f"（{deadline}）" if deadline else "")
            result[str(row.county)] = (value, f"{row.value} {unit}{deadline}")
    return result


def available_measures(plan: Plan) -> dict[str, str]:
    """The choropleth measures this plan supports (coverage only with a 区县 area target)."""
    measures = {"area": MEASURES["area"]}
    if county_area_targets(plan):
        measures["coverage"] = MEASURES["coverage"]
    return measures


def county_values(plan: Plan, records: pd.DataFrame, measure: str, unit: str) -> CountyValues:
    """Area (in ``unit``) or target coverage (%) per 区县 of the (filtered) records."""
    code = unit_code(unit)
    has_county = "county" in records and len(records)
    counties = list(pd.unique(records["county"].astype(str))) if has_county else []
    if measure == "coverage":
        targets = county_area_targets(plan)
        values: dict[str, float] = {}
        notes = []
        for county, (target_ha, printed) in targets.items():
            part = records[records["county"] == county] if has_county else records.iloc[0:0]
            listed = exact_area_ha(part)
            values[county] = float(listed / target_ha * 100)
            notes.append(
                f"{county}目标覆盖率 = 清单面积 {format_area(listed, code)} {unit_label(code)} ÷ 目标 {printed}。"
            )
        return CountyValues(values, MEASURES["coverage"], "%", notes)
    values = {}
    for county in counties:
        if not county.strip():
            continue
        values[county] = float(area_in(records[records["county"].astype(str) == county], code))
    return CountyValues(values, MEASURES["area"], unit_label(code))
