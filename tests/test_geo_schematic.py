"""Schematic placement: deterministic, inside the 区县, grouped by town, sized by area."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from panhuo.geo.area import geometry_area_m2
from panhuo.geo.boundaries import find_admin, outline
from panhuo.geo.schematic import SCHEMATIC, group_key, place_schematic, stable_hash

TOWNS = ["韩店镇", "苏店镇", "荫城镇", "西火镇", "八义镇", "贾掌镇", "南宋乡", "东和乡"]


@pytest.fixture(scope="module")
def parcels() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "id": [str(i) for i in range(1, 61)],
            "county": "上党区",
            "town": [TOWNS[i % len(TOWNS)] for i in range(60)],
            "village": "",
            "area_ha": rng.gamma(1.2, 1.5, 60).round(2) + 0.05,
        }
    )


@pytest.fixture(scope="module")
def placed(parcels):
    return place_schematic(parcels, city="长治市", province="山西省")


def test_every_feature_is_marked_schematic(placed):
    assert (placed["geometry_source"] == SCHEMATIC).all()
    assert placed["placement_note"].str.contains("示意位置").all()
    assert placed.crs.to_epsg() == 4326


def test_same_input_same_output_whatever_the_row_order(parcels, placed):
    again = place_schematic(parcels, city="长治市", province="山西省")
    shuffled = place_schematic(parcels.sample(frac=1, random_state=1), city="长治市", province="山西省")
    for other in (again, shuffled.loc[placed.index]):
        assert all(a.equals_exact(b, 0) for a, b in zip(placed.geometry, other.geometry, strict=True))


def test_inside_county_without_overlap_and_sized_by_area(parcels, placed):
    county = outline(find_admin("长治市 上党区").code, 0.0)
    assert placed.geometry.within(county).all()
    geoms = list(placed.geometry)
    overlaps = [
        (i, j) for i in range(len(geoms)) for j in range(i + 1, len(geoms)) if geoms[i].intersects(geoms[j])
    ]
    assert overlaps == []
    area_m2, _ = geometry_area_m2(placed)
    np.testing.assert_allclose(area_m2 / 10_000, parcels["area_ha"], rtol=1e-6)


def test_same_town_sits_together(placed):
    """Parcels of one town are nearer each other than to parcels of other towns."""
    xy = placed[["anchor_lon", "anchor_lat"]].to_numpy()
    same, other = [], []
    for i in range(len(placed)):
        for j in range(i + 1, len(placed)):
            d = float(np.hypot(*(xy[i] - xy[j])))
            (same if placed["town"].iloc[i] == placed["town"].iloc[j] else other).append(d)
    assert np.median(same) < 0.5 * np.median(other)


def test_functional_area_and_missing_values():
    zones = pd.DataFrame(
        {
            "id": ["13", "19", "x", "y"],
            "county": ["南太湖新区", "南太湖新区", "", "不存在县"],
            "location": ["龙溪街道", "凤凰街道", "织里镇、东林镇等乡镇", "某镇"],
            "area_ha": [160 / 15, 80 / 15, None, 1.0],
        }
    )
    placed = place_schematic(zones, city="湖州市", province="浙江省", default_county="吴兴区")
    wuxing = outline(find_admin("湖州市 吴兴区").code, 0.0)
    assert list(placed["placed_in"]) == ["吴兴区", "吴兴区", "吴兴区", ""]
    assert placed.geometry.iloc[:3].within(wuxing).all()
    assert "不是行政区划" in placed.loc[0, "placement_note"]
    assert placed.loc[2, "placement_group"] == "织里镇"
    assert "面积缺失" in placed.loc[2, "placement_note"]
    assert placed.geometry.iloc[3] is None and "无法示意位置" in placed.loc[3, "placement_note"]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"town": "织里镇、东林镇、埭溪镇、道场、妙西等乡镇"}, "织里镇"),
        ({"town": "", "village": "东双林村、黄泥兜村"}, "东双林村"),
        ({"location": "夹浦镇等乡镇"}, "夹浦镇"),
        ({"town": None, "location": "新市镇"}, "新市镇"),
        ({"town": "", "village": "", "zone": "城东产业园", "name": "B01"}, "城东产业园"),
        ({"location": "", "name": "城东产业园"}, "城东产业园"),
        ({}, ""),
    ],
)
def test_group_key(record, expected):
    assert group_key(record) == expected


def test_parcels_of_a_zone_gather_where_the_zone_is_drawn():
    zones = pd.DataFrame(
        {"id": ["Z5"], "county": "无为市", "name": ["城东产业园"], "location": [""], "area_ha": [2313.81]}
    )
    parcels = pd.DataFrame(
        {"id": ["B01", "B02"], "county": "无为市", "zone": ["城东产业园"] * 2, "area_ha": [15.27, 4.39]}
    )
    zone = place_schematic(zones, city="芜湖市").geometry.iloc[0]
    assert place_schematic(parcels, city="芜湖市").geometry.within(zone).all()


def test_too_much_area_overlaps_with_a_note():
    # 东城区 is about 42 km² (4200 ha): ten 800 ha parcels cannot all fit side by side
    big = pd.DataFrame({"id": [str(i) for i in range(10)], "county": "东城区", "area_ha": [800.0] * 10})
    placed = place_schematic(big, city="北京市")
    assert placed.geometry.notna().all()
    assert placed["placement_note"].str.contains("空间不足").any()


def test_stable_hash_is_fixed():
    # a fixed value (blake2b, 8 bytes): would change if someone swapped in Python's salted hash()
    assert stable_hash("a") == 0x40F89E395B66422F
