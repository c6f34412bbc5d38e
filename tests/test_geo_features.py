"""A plan's records as map features (surveyed WKT or 示意位置) and the 区县 choropleth values."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from panhuo.geo.area import geometry_area_m2
from panhuo.geo.boundaries import find_admin, outline
from panhuo.geo.features import available_measures, county_area_targets, county_values, map_features
from panhuo.geo.schematic import SCHEMATIC, SURVEYED


def _square_wkt(lon: float, lat: float, side_m: float, epsg: int = 4526) -> str:
    """A square of ``side_m`` drawn in a Gauss-Krüger zone, as WGS84 WKT (what an import stores)."""
    to_gk = Transformer.from_crs(4490, epsg, always_xy=True)
    to_wgs = Transformer.from_crs(epsg, 4326, always_xy=True)
    x, y = to_gk.transform(lon, lat)
    square = shapely.box(x, y, x + side_m, y + side_m)
    return shapely.transform(square, lambda c: np.column_stack(to_wgs.transform(*c.T))).wkt


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["1", "2", "3", "4"],
            "county": ["上党区", "上党区", "上党区", "上党区"],
            "town": ["韩店街道", "", "苏店镇", ""],
            "area_ha": [1.35, 1.0, 2.0, 1.0],
            # 2: surveyed 100 m × 100 m; 3: unreadable WKT; 4: surveyed but 300 km away (wrong CRS)
            "geometry": ["", _square_wkt(113.05, 36.05, 100), "POLYGON ((1 2", _square_wkt(116.4, 39.9, 100)],
            "geometry_source": ["", SURVEYED, SURVEYED, SURVEYED],
        }
    )


def test_surveyed_where_geometry_else_schematic(mixed):
    features = map_features(mixed, city="长治市", province="山西省", counties=["上党区"])
    assert list(features.index) == list(mixed.index)
    assert list(features["geometry_source"]) == [SCHEMATIC, SURVEYED, SCHEMATIC, SURVEYED]
    assert features.crs.to_epsg() == 4326
    # the surveyed square keeps its shape and area: 1 ha
    area_m2, _ = geometry_area_m2(features.iloc[[1]])
    assert area_m2[0] == pytest.approx(10_000, rel=1e-3)
    shangdang = outline(find_admin("长治市 上党区").code, 0.0)
    assert features.geometry.iloc[1].within(shangdang)
    assert features.geometry.iloc[0].within(shangdang) and features.geometry.iloc[2].within(shangdang)
    assert "无法读取" in features.loc[2, "placement_note"] and "示意位置" in features.loc[2, "placement_note"]
    assert features.loc[1, "placement_note"] == ""
    assert (
        "不在所写区县" in features.loc[3, "placement_note"] and "坐标系" in features.loc[3, "placement_note"]
    )
    # surveyed features have an anchor inside them, no schematic radius
    assert features.geometry.iloc[1].contains(
        shapely.Point(features.loc[1, "anchor_lon"], features.loc[1, "anchor_lat"])
    )
    assert pd.isna(features.loc[1, "radius_m"])


def test_schematic_place_does_not_depend_on_the_other_records(mixed):
    """The page places all records once and filters afterwards; surveyed rows never move others."""
    plain = mixed.assign(geometry="", geometry_source="")
    everything = map_features(plain, city="长治市", counties=["上党区"])
    with_survey = map_features(mixed, city="长治市", counties=["上党区"])
    assert everything.geometry.iloc[0].equals_exact(with_survey.geometry.iloc[0], 0)


def test_no_geometry_column_and_all_surveyed():
    records = pd.DataFrame({"id": ["a"], "county": ["无为市"], "area_ha": [3.0]})
    placed = map_features(records, city="芜湖市", counties=["无为市"])
    assert placed.loc[0, "geometry_source"] == SCHEMATIC and placed.loc[0, "placed_in"] == "无为市"
    surveyed = map_features(
        records.assign(geometry=_square_wkt(117.9, 31.3, 50, 4527)), city="芜湖市", counties=["无为市"]
    )
    assert surveyed.loc[0, "geometry_source"] == SURVEYED


def test_county_area_targets_of_the_seed_plans(catalog):
    # 上党区: the plan-wide targets count for its one 区县; the 2035 target is the final one
    assert county_area_targets(catalog.get("shangdang-2021")) == {
        "上党区": (Decimal("146.59"), "146.59 公顷（2035年）")
    }
    assert county_area_targets(catalog.get("wuwei-2023"))["无为市"][1] == "80.81 公顷（2025年）"
    # 湖州's 20000 亩 is city-wide: no 区县 has a target, so no coverage choropleth
    assert county_area_targets(catalog.get("huzhou-2023")) == {}
    assert list(available_measures(catalog.get("huzhou-2023"))) == ["area"]
    assert list(available_measures(catalog.get("shangdang-2021"))) == ["area", "coverage"]


def test_county_values_area_and_coverage(catalog):
    huzhou = catalog.get("huzhou-2023")
    values = county_values(huzhou, huzhou.zones, "area", "mu")
    # 附件2 合计 23743 亩, split by the 区县 column as printed (南太湖新区 kept apart)
    assert sum(values.values.values()) == pytest.approx(23743)
    assert set(values.values) == {"吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县"}
    assert values.unit == "亩" and values.title == "面积"
    shangdang = catalog.get("shangdang-2021")
    coverage = county_values(shangdang, shangdang.parcels, "coverage", "ha")
    # 附表1 lists 89 parcels of 146.59 公顷 in all: the 2035 target is covered exactly
    assert coverage.values == {"上党区": pytest.approx(100.0)} and coverage.unit == "%"
    assert "146.59 公顷" in coverage.notes[0]
    near = shangdang.parcels[shangdang.parcels["phase"] == "2021-2025"]
    assert county_values(shangdang, near, "coverage", "ha").values["上党区"] == pytest.approx(
        26.15 / 146.59 * 100
    )
    empty = county_values(shangdang, shangdang.parcels.iloc[0:0], "coverage", "ha")
    assert empty.values == {"上党区": 0.0}
