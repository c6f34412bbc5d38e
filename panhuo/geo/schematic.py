"""Schematic placement of parcels and zones that have no coordinates.

The seed plans name a 区县 and a town or village for each parcel or zone, never coordinates.
To show them on a map anyway, each record becomes a circle of its real area inside its 区县:

1. The 区县 outline (WGS84, from :mod:`panhuo.geo.boundaries`) is projected to a local
   Lambert equal-area projection and cut by a regular grid into about ``cells`` sub-areas.
2. The town or village the record names (its *group*) picks a sub-area through a stable hash
   (``blake2b``, never Python's salted ``hash``), so records of the same town sit together.
3. Within a group, records are laid out largest first on a sunflower spiral around the
   sub-area's anchor, each circle inside the outline and clear of the circles already placed.

The same records always give the same geometry, whatever their row order. Every feature
carries ``geometry_source = "示意位置"`` and a Chinese ``placement_note``; a map must say so.

>>> import pandas as pd
>>> frame = pd.DataFrame({"id": ["1"], "county": ["上党区"], "town": ["韩店镇"], "area_ha": [2.0]})
>>> placed = place_schematic(frame, city="长治市")
>>> placed.loc[0, "geometry_source"], round(placed.loc[0, "radius_m"])
('示意位置', 80)
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from panhuo.geo.boundaries import AdminUnit, find_admin, outline, resolve_place
from panhuo.geo.crs import WGS84
from panhuo.geo.errors import AmbiguousPlaceError, PlaceNotFoundError

SCHEMATIC = "示意位置"
SURVEYED = "实测图形"
# the first of these a record fills names its group: a parcel's town or village, a zone's
# location; else its 片区 (parcels) or its own name (zones), so that parcels of a 片区 gather
# where that 片区 is drawn (the hash of the same name picks the same sub-area)
GROUP_COLUMNS = ("town", "location", "village", "zone", "name")
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_SPLIT = re.compile(r"[、，,；;／/\s]+|及|和")
_TRAILING = re.compile(r"(等\d*个?(乡镇|镇|乡|街道|村)?|等)$")
_MISSING_AREA_HA = 0.5  # drawn size when a record has no area; said in its note
_GAP_M = 5.0
# the prepared outlines are cached and shared; Streamlit runs sessions in threads
_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Area:
    """A 区县 prepared for placement: local projection, outline in metres, sub-area anchors."""

    unit: AdminUnit
    to_local: Transformer
    to_wgs84: Transformer
    polygon: shapely.Geometry  # metres, prepared
    boundary: shapely.Geometry  # metres, prepared
    anchors: np.ndarray  # (n, 2) metres, one per sub-area, in grid order
    cell_size: float


def stable_hash(text: str) -> int:
    """A hash of ``text`` that is the same in every process and on every machine."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def group_key(record: pd.Series | dict, columns: tuple[str, ...] = GROUP_COLUMNS) -> str:
    """The place a record names first: ``"织里镇、东林镇等乡镇"`` → ``"织里镇"``; ``""`` if none."""
    for column in columns:
        value = record.get(column)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        for token in _SPLIT.split(str(value)):
            token = _TRAILING.sub("", token.strip())
            if token:
                return token
    return ""


_EDGE_TOLERANCE_M = 25.0  # metres; distances to a 区县 edge are computed on an outline simplified by this


@lru_cache(maxsize=64)
def _prepared_area(code: str, cells: int) -> _Area:
    from panhuo.geo.boundaries import _by_code

    unit = _by_code()[code]
    geometry = outline(code, 0.0)
    centre = geometry.centroid
    local = CRS.from_proj4(
        f"+proj=laea +lat_0={centre.y:.6f} +lon_0={centre.x:.6f} +ellps=GRS80 +units=m +no_defs"
    )
    to_local = Transformer.from_crs(WGS84, local, always_xy=True)
    to_wgs84 = Transformer.from_crs(local, WGS84, always_xy=True)
    polygon = _project(geometry, to_local)
    minx, miny, maxx, maxy = polygon.bounds
    size = math.sqrt(polygon.area / cells)
    anchors = []
    for row in range(math.ceil((maxy - miny) / size)):
        for col in range(math.ceil((maxx - minx) / size)):
            x0, y0 = minx + col * size, miny + row * size
            piece = shapely.box(x0, y0, x0 + size, y0 + size).intersection(polygon)
            if piece.area < 0.3 * size * size:
                continue
            # the largest part, so the anchor is not on a sliver across a river
            parts = getattr(piece, "geoms", [piece])
            largest = max(parts, key=lambda p: p.area)
            point = largest.representative_point() if largest.area > 0 else piece.representative_point()
            anchors.append((point.x, point.y))
    if not anchors:  # a tiny or very thin area: use one anchor
        point = polygon.representative_point()
        anchors.append((point.x, point.y))
    boundary = polygon.simplify(_EDGE_TOLERANCE_M).boundary
    shapely.prepare(polygon)
    shapely.prepare(boundary)
    return _Area(unit, to_local, to_wgs84, polygon, boundary, np.array(anchors), size)


def _project(geometry: shapely.Geometry, transformer: Transformer) -> shapely.Geometry:
    return shapely.transform(geometry, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1])))


def _radius(area_ha: float, vertices: int) -> float:
    """Radius (m) of a regular polygon of ``vertices`` sides whose area is ``area_ha``."""
    area_m2 = area_ha * 10_000
    polygon_factor = vertices / (2 * math.pi) * math.sin(2 * math.pi / vertices)
    return math.sqrt(area_m2 / (math.pi * polygon_factor))


def _spiral(cx: float, cy: float, step: float, count: int) -> tuple[np.ndarray, np.ndarray]:
    k = np.arange(count, dtype=float)
    rho = step * np.sqrt(k)
    theta = k * _GOLDEN_ANGLE
    return cx + rho * np.cos(theta), cy + rho * np.sin(theta)


class _Layout:
    """Circles placed so far in one area (metres)."""

    def __init__(self, area: _Area) -> None:
        self.area = area
        self._xyr = np.empty((64, 3))  # grown by doubling: no list → array copy per placement
        self.n = 0

    def candidates(self, cx: float, cy: float, step: float, count: int):
        xs, ys = _spiral(cx, cy, step, count)
        inside = shapely.contains_xy(self.area.polygon, xs, ys)
        to_edge = np.full(xs.shape, -1.0)
        # the boundary is simplified by _EDGE_TOLERANCE_M for speed, so subtract it: conservative
        points = shapely.points(xs[inside], ys[inside])
        to_edge[inside] = shapely.distance(self.area.boundary, points) - _EDGE_TOLERANCE_M
        return xs, ys, to_edge

    def place(self, radius: float, xs: np.ndarray, ys: np.ndarray, to_edge: np.ndarray) -> int | None:
        """Index of the first candidate (spiral order) where a circle of ``radius`` fits."""
        idx = np.flatnonzero(to_edge >= radius)
        if not self.n or not idx.size:
            return int(idx[0]) if idx.size else None
        px, py, pr = self._xyr[: self.n].T
        # candidates in spiral order, a chunk at a time: the first fit is usually early; only
        # circles that can reach the chunk's candidates are compared
        for start in range(0, idx.size, 256):
            chunk = idx[start : start + 256]
            cx, cy = xs[chunk], ys[chunk]
            reach = (
                (px + pr + radius >= cx.min())
                & (px - pr - radius <= cx.max())
                & (py + pr + radius >= cy.min())
                & (py - pr - radius <= cy.max())
            )
            if not reach.any():
                return int(chunk[0])
            gaps = np.hypot(cx[:, None] - px[reach], cy[:, None] - py[reach]) - pr[reach] - radius
            fits = np.flatnonzero(gaps.min(axis=1) >= _GAP_M)
            if fits.size:
                return int(chunk[fits[0]])
        return None

    def add(self, x: float, y: float, radius: float) -> None:
        if self.n == len(self._xyr):
            self._xyr = np.concatenate([self._xyr, np.empty_like(self._xyr)])
        self._xyr[self.n] = (x, y, radius)
        self.n += 1


def _resolve(
    county: str, default_county: str | None, city: str | None, province: str | None
) -> tuple[AdminUnit | None, str]:
    """The unit to place a record in, and a note (Chinese) when it is not the named 区县."""
    name = county or default_county or ""
    try:
        if name:
            place = resolve_place(name, city=city, province=province)
            return place.unit, place.note
        if city:
            unit = find_admin(city, province=province)
            return unit, "未写明区县，示意在全市范围内。"
    except (PlaceNotFoundError, AmbiguousPlaceError) as exc:
        return None, f"无法示意位置：{exc.message}"
    return None, "无法示意位置：记录没有写明区县，规划也没有写明城市。"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def place_schematic(
    records: pd.DataFrame,
    *,
    city: str | None = None,
    province: str | None = None,
    default_county: str | None = None,
    county_column: str = "county",
    group_columns: tuple[str, ...] = GROUP_COLUMNS,
    area_column: str = "area_ha",
    id_column: str = "id",
    cells: int = 24,
    vertices: int = 32,
) -> gpd.GeoDataFrame:
    """Place records without coordinates as circles of their real area (WGS84).

    Parameters
    ----------
    records
        Parcels or zones: a 区县 column, town/location/village columns, an area in hectares.
    city, province
        Where the plan is; narrows 区县 names and places records without a 区县.
    default_county
        The 区县 for records that name none (a single-区县 plan).

    Returns
    -------
    GeoDataFrame
        The records (same index and order) with ``geometry`` (a circle polygon of the real
        area), ``anchor_lon``, ``anchor_lat``, ``radius_m``, ``geometry_source`` = 示意位置,
        ``placed_in`` (the 区县 drawn in), ``placement_group`` and ``placement_note``.
        Records that cannot be placed keep an empty geometry and say why in the note.
    """
    frame = pd.DataFrame(records).drop(columns=["geometry"], errors="ignore").copy()
    n = len(frame)
    geometry: list[shapely.Geometry | None] = [None] * n
    anchor_lon = np.full(n, np.nan)
    anchor_lat = np.full(n, np.nan)
    radius_m = np.full(n, np.nan)
    placed_in = [""] * n
    groups = [""] * n
    notes = [""] * n

    # resolve every record's area once per distinct 区县 name
    resolved: dict[str, tuple[AdminUnit | None, str]] = {}
    by_area: dict[str, list[int]] = {}
    counties = frame[county_column] if county_column in frame else pd.Series([""] * n, index=frame.index)
    for pos, (county, (_, record)) in enumerate(zip(counties, frame.iterrows(), strict=True)):
        name = "" if _blank(county) else str(county).strip()
        if name not in resolved:
            resolved[name] = _resolve(name, default_county, city, province)
        unit, note = resolved[name]
        notes[pos] = note
        groups[pos] = group_key(record, group_columns)
        if unit is not None:
            placed_in[pos] = unit.name
            by_area.setdefault(unit.code, []).append(pos)

    if area_column in frame:
        areas = pd.to_numeric(frame[area_column], errors="coerce").to_numpy(dtype=float)
    else:
        areas = np.full(n, np.nan)
    ids = frame[id_column].astype(str).tolist() if id_column in frame else [""] * n
    missing = ~(areas > 0)  # NaN compares False
    sizes = np.where(missing, _MISSING_AREA_HA, areas)

    for code in sorted(by_area):
        area = _prepared_area(code, cells)
        members = [_Member(pos, groups[pos], float(sizes[pos]), ids[pos]) for pos in by_area[code]]
        with _LOCK:  # the prepared outline is cached and shared; Streamlit sessions are threads
            spots = _place_in_area(area, members, vertices)
        for member in members:
            pos = member.pos
            x, y, radius, overlaps = spots[pos]
            circle = shapely.Point(x, y).buffer(radius, quad_segs=vertices // 4)
            geometry[pos] = _project(circle, area.to_wgs84)
            anchor_lon[pos], anchor_lat[pos] = area.to_wgs84.transform(x, y)
            radius_m[pos] = radius
            where = f"{placed_in[pos]}{('·' + member.group) if member.group else ''}"
            notes[pos] = "".join(
                [
                    f"示意位置：文件未给出坐标，按{where}示意，大小按面积，非实际位置。",
                    notes[pos],
                    "面积缺失，按 0.5 公顷示意大小。" if missing[pos] else "",
                    "空间不足，与其他示意图形重叠。" if overlaps else "",
                ]
            )

    frame["anchor_lon"] = anchor_lon
    frame["anchor_lat"] = anchor_lat
    frame["radius_m"] = radius_m
    frame["geometry_source"] = SCHEMATIC
    frame["placed_in"] = placed_in
    frame["placement_group"] = groups
    frame["placement_note"] = notes
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, index=frame.index, crs=WGS84), crs=WGS84)


@dataclass(frozen=True)
class _Member:
    pos: int  # row position in the input
    group: str
    area_ha: float
    ident: str


def _place_in_area(
    area: _Area, members: list[_Member], vertices: int
) -> dict[int, tuple[float, float, float, bool]]:
    """Centre (m), radius (m) and "had to overlap" for each member, by row position."""
    layout = _Layout(area)
    spots: dict[int, tuple[float, float, float, bool]] = {}
    by_group: dict[str, list[_Member]] = {}
    for member in members:
        by_group.setdefault(member.group, []).append(member)
    code = area.unit.code
    # groups in a fixed order (by hash, then name) so row order never matters
    for group in sorted(by_group, key=lambda g: (stable_hash(f"{code}|{g}"), g)):
        key = stable_hash(f"{code}|{group}")
        ax, ay = area.anchors[key % len(area.anchors)]
        # a second hash shifts the group inside its sub-area, so two groups sharing one
        # sub-area do not start at the same point
        shift = (key >> 20) % 1000 / 1000 * 2 * math.pi
        ax += 0.25 * area.cell_size * math.cos(shift)
        ay += 0.25 * area.cell_size * math.sin(shift)
        order = sorted(by_group[group], key=lambda m: (-m.area_ha, m.ident, m.pos))
        radii = [_radius(m.area_ha, vertices) for m in order]
        step = max(0.6 * float(np.median(radii)), 10.0)
        # enough spiral points for the group (each circle covers ~4 of them), more on demand
        count = min(3000, max(300, 40 * len(order)))
        xs, ys, to_edge = layout.candidates(ax, ay, step, count)
        for member, radius in zip(order, radii, strict=True):
            hit = layout.place(radius, xs, ys, to_edge)
            if hit is None and count < 3000:
                count = 3000
                xs, ys, to_edge = layout.candidates(ax, ay, step, count)
                hit = layout.place(radius, xs, ys, to_edge)
            overlaps = False
            if hit is None:  # the group's neighbourhood is full: search the whole 区县
                cx, cy = area.polygon.representative_point().coords[0]
                xs, ys, to_edge = layout.candidates(cx, cy, max(step, area.cell_size / 8), 20000)
                hit = layout.place(radius, xs, ys, to_edge)
                if hit is None:
                    inside = np.flatnonzero(to_edge >= 0)
                    hit = int(inside[0]) if inside.size else 0
                    overlaps = True
            x, y = float(xs[hit]), float(ys[hit])
            layout.add(x, y, radius)
            spots[member.pos] = (x, y, radius, overlaps)
    return spots
