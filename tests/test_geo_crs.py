"""Coordinate systems: CGCS2000 ⇄ Gauss-Krüger zones, CRS candidates, GCJ-02."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from panhuo.geo.crs import (
    crs_candidates,
    describe_crs,
    gcj02_to_wgs84,
    gk_epsg,
    gk_zone_for_lon,
    missing_crs_message,
    wgs84_to_gcj02,
)


def _to(epsg_from: int, epsg_to: int, x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs(epsg_from, epsg_to, always_xy=True).transform(x, y)


# Points on a central meridian: easting is the false easting, northing the meridian arc of
# the GRS80/CGCS2000 ellipsoid (scale 1): 30° → 3 320 113.398 m, 45° → 4 984 944.378 m,
# the published meridian-arc values (the same as WGS84's to 0.1 mm).
@pytest.mark.parametrize(
    ("epsg", "lon", "lat", "easting", "northing"),
    [
        (4528, 120.0, 30.0, 40_500_000.0, 3_320_113.398),  # 3° zone 40, zone in easting
        (4549, 120.0, 30.0, 500_000.0, 3_320_113.398),  # 3° CM 120E, no zone
        (4528, 120.0, 45.0, 40_500_000.0, 4_984_944.378),
        (4498, 117.0, 30.0, 20_500_000.0, 3_320_113.398),  # 6° zone 20
        (4509, 117.0, 30.0, 500_000.0, 3_320_113.398),  # 6° CM 117E, no zone
    ],
)
def test_central_meridian_points(epsg, lon, lat, easting, northing):
    x, y = _to(4490, epsg, lon, lat)
    assert x == pytest.approx(easting, abs=0.001)
    assert y == pytest.approx(northing, abs=0.001)


# Places of the seed plans (CGCS2000 degrees), with their 3° zone and 6° zone.
PLACES = [
    ("湖州 吴兴区", 120.0867, 30.8677, 4528, 4549, 4499, 4510),
    ("长治 上党区", 113.0512, 36.0528, 4526, 4547, 4497, 4508),
    ("芜湖 无为市", 117.9025, 31.3034, 4527, 4548, 4498, 4509),
    ("聊城", 115.9855, 36.4570, 4527, 4548, 4498, 4509),
    ("乌鲁木齐", 87.6168, 43.8256, 4517, 4538, 4493, 4504),
]


@pytest.mark.parametrize(("name", "lon", "lat", "gk3", "gk3_plain", "gk6", "gk6_plain"), PLACES)
def test_round_trip_through_every_zone_variant(name, lon, lat, gk3, gk3_plain, gk6, gk6_plain):
    zone3, cm3 = gk_zone_for_lon(lon, 3)
    zone6, cm6 = gk_zone_for_lon(lon, 6)
    assert gk_epsg(cm3) == gk3 and gk_epsg(cm3, zone_in_easting=False) == gk3_plain
    assert gk_epsg(cm6, width=6) == gk6 and gk_epsg(cm6, width=6, zone_in_easting=False) == gk6_plain
    for epsg, zone in ((gk3, zone3), (gk6, zone6)):
        x, y = _to(4490, epsg, lon, lat)
        assert int(x // 1_000_000) == zone, f"{name}: easting {x} should start with zone {zone}"
        back = _to(epsg, 4490, x, y)
        assert back == pytest.approx((lon, lat), abs=1e-9)
    # with and without the zone number the easting differs by exactly zone·1e6
    x_zone, y_zone = _to(4490, gk3, lon, lat)
    x_plain, y_plain = _to(4490, gk3_plain, lon, lat)
    assert x_zone - x_plain == pytest.approx(zone3 * 1_000_000, abs=1e-6)
    assert y_zone == pytest.approx(y_plain, abs=1e-6)


def test_gauss_kruger_matches_utm_scaled():
    """GK (scale 1) and UTM (scale 0.9996) on the same meridian (123°E) differ only by scale."""
    e, n = _to(4490, 4529, 123.5, 31.2)
    ue, un = _to(4326, 32651, 123.5, 31.2)
    assert ue == pytest.approx(500_000 + 0.9996 * (e - 41_500_000), abs=0.01)
    assert un == pytest.approx(0.9996 * n, abs=0.01)


def test_describe_crs():
    assert describe_crs(4490).kind == "cgcs2000"
    info = describe_crs("EPSG:4549")
    assert (info.kind, info.central_meridian, info.zone, info.zone_in_easting) == ("gk3", 120.0, 40, False)
    assert "第40带" in describe_crs(4528).label and "含带号" in describe_crs(4528).label
    assert describe_crs("GCJ-02").code == "GCJ02"


# --------------------------------------------------------------------------- no CRS


def _bounds(epsg: int, lon: float, lat: float, size: float = 2000.0):
    x, y = _to(4490, epsg, lon, lat)
    return (x, y, x + size, y + size)


def test_candidates_zone_in_easting_names_the_zone():
    bounds = _bounds(4528, 120.0867, 30.8677)
    candidates = crs_candidates(bounds)
    assert candidates[0].epsg == 4528
    message, _ = missing_crs_message(bounds, filename="地块.shp")
    assert "EPSG:4528" in message and "第40带" in message and "地块.shp" in message


def test_candidates_six_degree_zone():
    assert crs_candidates(_bounds(4498, 113.05, 36.05))[0].epsg == 4498


def test_candidates_without_zone_need_a_hint():
    bounds = _bounds(4549, 120.0867, 30.8677)
    assert crs_candidates(bounds) == []
    message, _ = missing_crs_message(bounds)
    assert "中央经线" in message and "EPSG:4534-4554" in message
    hinted = crs_candidates(bounds, hint_lon=120.09)
    # the 6° zone (CM 123E) would put the data at 123°E, far from the hint: not named
    assert [c.epsg for c in hinted] == [4549]
    # near a 3° zone edge both zones fit; the 6° zone fits when its CM is near the data
    x, y = _to(4490, 4548, 118.4, 31.3)  # 无为 lies near the 117°/120° zone edge (118.5°)
    near_edge = crs_candidates((x, y, x + 500, y + 500), hint_lon=118.4)
    assert [c.epsg for c in near_edge][:1] == [4548]


def test_candidates_degrees():
    candidates = crs_candidates((120.08, 30.86, 120.09, 30.87))
    assert [c.code for c in candidates] == ["EPSG:4490", "EPSG:4326", "GCJ02"]


# --------------------------------------------------------------------------- GCJ-02

# Published reference pairs (WGS84 lon, lat → GCJ-02 lon, lat):
#  - googollee/eviltransform python/test.py: Shanghai, Shenzhen, Beijing
#  - wandergis/coordtransform test/app.js: wgs84togcj02(116.404, 39.915)
GCJ_REFERENCE = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
    (116.404, 39.915, 116.41024449916938, 39.91640428150164),
]


@pytest.mark.parametrize(("lon", "lat", "glon", "glat"), GCJ_REFERENCE)
def test_gcj02_reference_values(lon, lat, glon, glat):
    out_lon, out_lat = wgs84_to_gcj02(lon, lat)
    assert float(out_lon) == pytest.approx(glon, abs=1e-8)
    assert float(out_lat) == pytest.approx(glat, abs=1e-8)
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert float(back_lon) == pytest.approx(lon, abs=1e-8)  # ~1 mm
    assert float(back_lat) == pytest.approx(lat, abs=1e-8)


def test_gcj02_vectorised_and_outside_china_unchanged():
    lon = np.array([121.5272106, 2.35, 116.404])
    lat = np.array([31.1774276, 48.85, 39.915])  # Paris in the middle
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert glon[1] == 2.35 and glat[1] == 48.85
    assert glon[0] == pytest.approx(121.531541859215, abs=1e-8)
    assert glon.shape == (3,)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=74.0, max_value=134.0), st.floats(min_value=18.0, max_value=53.0))
def test_gcj02_round_trip_everywhere_in_china(lon, lat):
    glon, glat = wgs84_to_gcj02(lon, lat)
    # the offset is a few hundred metres at most
    assert abs(float(glon) - lon) < 0.02 and abs(float(glat) - lat) < 0.02
    back_lon, back_lat = gcj02_to_wgs84(glon, glat)
    assert float(back_lon) == pytest.approx(lon, abs=1e-9)
    assert float(back_lat) == pytest.approx(lat, abs=1e-9)
