"""Picking a point for a comment on a map with no basemap and no view state in Python.

Streamlit's pydeck chart reports picked *objects*, never the clicked coordinate or the zoom
(TECH-NOTES, large data). So the map offers a grid of square cells to click: the centre of the
clicked cell is the point. A click also narrows the grid around the point (:data:`LEVELS`
steps), so three clicks place a point in a city of 60 km to about 30 m, and a keyboard user
types the coordinates instead. Nothing here knows Streamlit or pydeck.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

ACROSS = 24  # cells along the longer side of the grid
LEVELS = 3  # the first grid and two narrower ones
NARROW = 6  # each level spans 1/NARROW of the one before, around the picked point
DECIMALS = 5  # ≈ 1 m: finer than any cell, coarse enough to keep the JSON short
M_PER_DEG = 111_320.0
MIN_SPAN_M = 2_000.0  # a plan of one point or one small parcel still gets a grid this wide


@dataclass(frozen=True)
class Grid:
    """Cells over ``bounds`` (WGS84 lon/lat): each a dict with its ring and centre."""

    bounds: tuple[float, float, float, float]
    level: int
    cells: list[dict]
    cell_m: float  # the side of a cell, metres (rounded)

    @property
    def finest(self) -> bool:
        return self.level >= LEVELS - 1


def _square(bounds: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``bounds`` widened to a square on the ground (so the cells are square)."""
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    cos = max(math.cos(math.radians(cy)), 0.1)
    half_m = max((maxx - minx) * cos * M_PER_DEG, (maxy - miny) * M_PER_DEG, MIN_SPAN_M) / 2
    half_x, half_y = half_m / (M_PER_DEG * cos), half_m / M_PER_DEG
    return cx - half_x, cy - half_y, cx + half_x, cy + half_y


def grid(
    bounds: tuple[float, float, float, float], level: int = 0, around: tuple[float, float] | None = None
) -> Grid:
    """The grid of ``level`` (0 = the whole of ``bounds``); levels above 0 span 1/NARROW**level
    of ``bounds`` and are centred on ``around``."""
    level = max(0, min(int(level), LEVELS - 1))
    minx, miny, maxx, maxy = _square(bounds)
    if level and around is not None:
        half_x = (maxx - minx) / 2 / NARROW**level
        half_y = (maxy - miny) / 2 / NARROW**level
        lon, lat = around
        minx, maxx, miny, maxy = lon - half_x, lon + half_x, lat - half_y, lat + half_y
    step_x, step_y = (maxx - minx) / ACROSS, (maxy - miny) / ACROSS
    cells = []
    for row in range(ACROSS):
        for col in range(ACROSS):
            x0, y0 = minx + col * step_x, miny + row * step_y
            x1, y1 = x0 + step_x, y0 + step_y
            ring = [
                [round(x, DECIMALS), round(y, DECIMALS)] for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
            ]
            cells.append(
                {
                    "ring": ring,
                    "lon": round((x0 + x1) / 2, DECIMALS),
                    "lat": round((y0 + y1) / 2, DECIMALS),
                    "level": level,
                }
            )
    cell_m = step_y * M_PER_DEG
    cell_m = round(cell_m, -1) if cell_m >= 100 else round(cell_m)
    return Grid((minx, miny, maxx, maxy), level, cells, float(cell_m))


def picked_cell(selection: Mapping | None, layer_id: str) -> tuple[float, float, int] | None:
    """(lon, lat, level) of the cell picked in ``layer_id``, from ``st.pydeck_chart``'s
    selection state (the whole event or its ``selection`` part); None when nothing valid is
    picked. Values come from the browser: anything that is not a finite number in China's
    range is ignored."""
    if not isinstance(selection, Mapping):
        return None
    if "selection" in selection:
        selection = selection.get("selection")
    objects = selection.get("objects") if isinstance(selection, Mapping) else None
    objects = objects.get(layer_id) if isinstance(objects, Mapping) else None
    if not isinstance(objects, list):
        return None
    for obj in objects:
        if not isinstance(obj, Mapping):
            continue
        try:
            lon, lat, level = float(obj["lon"]), float(obj["lat"]), int(obj.get("level", 0))
        except (KeyError, TypeError, ValueError):
            continue
        if math.isfinite(lon) and math.isfinite(lat) and 73 <= lon <= 136 and 3 <= lat <= 54:
            return round(lon, DECIMALS), round(lat, DECIMALS), max(0, min(level, LEVELS - 1))
    return None
