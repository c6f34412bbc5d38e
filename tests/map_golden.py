"""Deck specs of sample plans, for the test that the map builder's output stays the same.

The whole specs are about 1 MB, so the stored file keeps, per case, everything small as it is
(layer ids, legends, notes, view, each layer's settings and row count) and a SHA-256 of each
layer's rows. ``python -m tests.map_golden`` rewrites ``tests/golden/map_specs.json``; do that
only when a change to the map is meant (and look at the map), never to make the test pass.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import shapely

from components.map_builder import build_map
from panhuo.catalog import open_catalog
from panhuo.geo import plan_areas
from panhuo.geo.features import map_features
from panhuo.units import AREA_UNITS

GOLDEN = Path(__file__).resolve().parent / "golden" / "map_specs.json"

# (plan, build_map options): colourings, units, layer subsets, basemap, fit
CASES = {
    "huzhou-family": ("huzhou-2023", {"choropleth": "mu", "choropleth_unit": "亩"}),
    "huzhou-stage-ha": ("huzhou-2023", {"color_by": "stage", "unit": "ha", "choropleth": "ha",
                                         "choropleth_unit": "公顷", "choropleth_title": "面积"}),
    "huzhou-category-tiles": ("huzhou-2023", {"color_by": "category", "choropleth": "mu",
                                              "tile_url": "https://tiles.example/{z}/{x}/{y}.png"}),
    "huzhou-no-choropleth": ("huzhou-2023", {"color_by": "phase", "show": ("outlines", "features")}),
    "huzhou-labels-only": ("huzhou-2023", {"show": ("labels", "choropleth"), "choropleth": "mu",
                                           "fit": "all"}),
    "shangdang-type": ("shangdang-2021", {"color_by": "type", "choropleth": "mu"}),
    "shangdang-surveyed": ("shangdang-2021", {"surveyed": True, "color_by": "stage"}),
    "wuwei": ("wuwei-2023", {"choropleth": "mu", "map_style": "https://style.example/style.json"}),
    "liaocheng-empty": ("liaocheng-2020", {"choropleth": "mu"}),
}  # fmt: skip


def _surveyed(features: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The first half of the features as surveyed squares (holes and multipolygons included)."""
    out = features.copy()
    half = out.index[: len(out) // 2]
    for n, i in enumerate(half):
        lon, lat = float(out.at[i, "anchor_lon"]), float(out.at[i, "anchor_lat"])
        box = shapely.box(lon - 0.004, lat - 0.003, lon + 0.004, lat + 0.003)
        if n % 3 == 1:
            box = box.difference(shapely.box(lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001))
        if n % 3 == 2:
            box = shapely.MultiPolygon([box, shapely.box(lon + 0.006, lat, lon + 0.008, lat + 0.002)])
        out.loc[i, "geometry"] = box
        out.loc[i, "geometry_source"] = "实测图形"
    return out


def _area_by_county(features: gpd.GeoDataFrame, unit: str) -> dict[str, float]:
    """Area per 区县 in 亩 or 公顷: the page's choropleth, written out so the input stays fixed."""
    per_ha = float(AREA_UNITS[unit][1])
    totals = features.groupby(features["county"].fillna("").astype(str))["area_ha"].sum(min_count=1)
    return {county: float(total) / per_ha for county, total in totals.items() if county and total == total}


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _summary(deck: dict) -> dict:
    """The deck with each layer's rows replaced by their count and digest."""
    layers = [
        {**{k: v for k, v in layer.items() if k != "data"}, "rows": len(layer["data"]),
         "data_sha256": _digest(layer["data"])}
        for layer in deck["layers"]
    ]  # fmt: skip
    return {**deck, "layers": layers}


def specs() -> dict[str, dict]:
    """Every case's deck (as pydeck serialises it), legends, notes and view."""
    catalog = open_catalog(imports=False)
    out = {}
    for name, (plan_id, options) in CASES.items():
        options = dict(options)
        plan = catalog.get(plan_id)
        outlines, _ = plan_areas(plan.counties, city=plan.city or None, province=plan.province or None)
        _dataset, frame = plan.records()
        features = map_features(
            frame, city=plan.city or None, province=plan.province or None, counties=plan.counties
        )
        if options.pop("surveyed", False):
            features = _surveyed(features)
        if "choropleth" in options:
            options["choropleth"] = _area_by_county(features, options["choropleth"])
        spec = build_map(features, outlines, **options)
        legends = [
            {
                "title": lg.title,
                "layer": lg.layer,
                "items": [[i.label, list(i.color), i.kind, i.count, i.hex] for i in lg.items],
            }
            for lg in spec.legends
        ]
        out[name] = {
            "deck": _summary(json.loads(spec.deck.to_json())),
            "legends": legends,
            "layer_ids": spec.layer_ids,
            "notes": spec.notes,
            "view": spec.view,
        }
    return out


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(
        json.dumps(specs(), ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(GOLDEN, GOLDEN.stat().st_size)
