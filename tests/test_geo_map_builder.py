"""The pydeck map builder: layers, legend as data, tooltips, view, and no external request."""

from __future__ import annotations

import base64
import json
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from components.map_builder import (
    LAYER_CHOROPLETH,
    LAYER_FEATURES,
    LAYER_LABELS,
    LAYER_OUTLINES,
    LAYER_SCHEMATIC,
    Legend,
    LegendItem,
    build_map,
    color_options,
    feature_tip,
    fit_bounds,
    fit_view,
    format_value,
    legend_html,
    raster_style,
    selected_record_ids,
    style_url,
)
from panhuo.geo.boundaries import plan_areas
from panhuo.geo.schematic import place_schematic
from tests import map_golden

# area per 区县 of the fixture's zones, in 亩 (as panhuo.geo.features.county_values gives it)
HUZHOU_MU = {"吴兴区": 1800.0, "南太湖新区": 160.0, "德清县": 300.0}


@pytest.fixture(scope="module")
def huzhou():
    zones = pd.DataFrame(
        {
            "id": ["1", "2", "13", "22"],
            "name": [
                "城市有机更新片区",
                "工业有机更新片区",
                "腊山汽车产业园改造项目",
                "高新区城北老旧工业区块",
            ],
            "county": ["吴兴区", "吴兴区", "南太湖新区", "德清县"],
            "category": ["低效工业片区", "低效工业片区", "低效工业片区", "低效住宅片区"],
            "location": ["湖东街道", "织里镇、东林镇等乡镇", "龙溪街道", "阜溪街道"],
            "stage": ["正在实施", "计划实施", "计划实施", ""],
            "family": ["industrial", "industrial", "industrial", "urban_residential"],
            "family_label": ["产业/工矿", "产业/工矿", "产业/工矿", "城镇/住宅"],
            "area_ha": [20.0, 100.0, 160 / 15, 20.0],
            "count": [1, 1, 1, 1],
        }
    )
    features = place_schematic(zones, city="湖州市", province="浙江省")
    outlines, _ = plan_areas(["吴兴区", "南太湖新区", "德清县"], city="湖州市", province="浙江省")
    return zones, features, outlines


def _spec_json(spec) -> dict:
    return json.loads(spec.deck.to_json())


def test_no_basemap_and_no_external_url_by_default(huzhou):
    _, features, outlines = huzhou
    spec = build_map(features, outlines, choropleth=HUZHOU_MU)
    deck = _spec_json(spec)
    # pydeck's placeholder makes Streamlit draw no basemap; map_style=None would not
    assert deck.get("mapStyle") == "__MAP_STYLE__" and "mapProvider" not in deck
    assert "http" not in spec.deck.to_json()
    assert spec.layer_ids == [LAYER_CHOROPLETH, LAYER_OUTLINES, LAYER_LABELS, LAYER_SCHEMATIC]


def test_choropleth_adds_functional_area_to_its_county(huzhou):
    _, features, outlines = huzhou
    spec = build_map(features, outlines, choropleth=HUZHOU_MU, choropleth_unit="亩")
    layer = next(layer for layer in _spec_json(spec)["layers"] if layer["id"] == LAYER_CHOROPLETH)
    wuxing = next(row for row in layer["data"] if row["name"] == "吴兴区")
    assert "含南太湖新区" in wuxing["tip"] and "1,960 亩" in wuxing["tip"]
    legend = next(legend for legend in spec.legends if legend.layer == LAYER_CHOROPLETH)
    assert legend.items[-1].label.endswith("亩") and legend.items[0].kind == "ramp"
    assert any("南太湖新区" in note for note in spec.notes)


@pytest.mark.parametrize(
    ("color_by", "labels"),
    [
        ("family", {"产业/工矿": 3, "城镇/住宅": 1}),
        ("stage", {"计划实施": 2, "正在实施": 1, "未填写": 1}),
        ("category", {"低效工业片区": 3, "低效住宅片区": 1}),
    ],
)
def test_legend_is_data_with_counts(huzhou, color_by, labels):
    _, features, outlines = huzhou
    spec = build_map(features, outlines, color_by=color_by)
    legend = next(legend for legend in spec.legends if legend.layer == LAYER_FEATURES)
    assert {item.label: item.count for item in legend.items} == labels
    assert all(item.hex.startswith("#") and len(item.hex) == 7 for item in legend.items)
    source = next(legend for legend in spec.legends if legend.title == "图形来源")
    assert "示意位置" in source.items[0].label and source.items[0].kind == "schematic"


def test_tooltips_in_chinese_with_unit_and_schematic_note(huzhou):
    _, features, outlines = huzhou
    spec_mu = build_map(features, outlines, unit="mu")
    spec_ha = build_map(features, outlines, unit="ha")
    rows_mu = next(layer for layer in _spec_json(spec_mu)["layers"] if layer["id"] == LAYER_SCHEMATIC)["data"]
    rows_ha = next(layer for layer in _spec_json(spec_ha)["layers"] if layer["id"] == LAYER_SCHEMATIC)["data"]
    first_mu = next(r for r in rows_mu if r["record_id"] == "1")["tip"]
    first_ha = next(r for r in rows_ha if r["record_id"] == "1")["tip"]
    assert "面积：300 亩" in first_mu and "面积：20.00 公顷" in first_ha
    assert "示意位置" in first_mu
    nantaihu = next(r for r in rows_mu if r["record_id"] == "13")["tip"]
    assert "不是行政区划" in nantaihu
    assert spec_mu.deck._tooltip["text"] == "{tip}"  # values shown as text, never as HTML


def test_surveyed_polygons_and_selection():
    frame = gpd.GeoDataFrame(
        {
            "id": ["DK1"],
            "name": ["地块一"],
            "area_ha": [1.0],
            "geometry_source": ["实测图形"],
            "type": ["旧厂矿"],
        },
        geometry=[shapely.Polygon([(120.08, 30.86), (120.09, 30.86), (120.09, 30.87), (120.08, 30.87)])],
        crs=4326,
    )
    spec = build_map(frame, None, color_by="type")
    assert spec.layer_ids == [LAYER_FEATURES]
    row = _spec_json(spec)["layers"][0]["data"][0]
    assert row["record_id"] == "DK1" and "图形：实测图形" in row["tip"]
    state = {"selection": {"indices": {LAYER_FEATURES: [0]}, "objects": {LAYER_FEATURES: [row]}}}
    assert selected_record_ids(state) == ["DK1"]
    assert selected_record_ids(state["selection"]) == ["DK1"]  # what ``event.selection`` gives
    assert selected_record_ids(None) == [] and selected_record_ids({"selection": {}}) == []


def test_view_fits_and_is_stable(huzhou):
    _, features, outlines = huzhou
    first = build_map(features, outlines).view
    again = build_map(features.iloc[::-1], outlines).view
    assert first == again  # same features → identical view: Streamlit keeps the user's pan/zoom
    lon_min, lat_min, lon_max, lat_max = outlines.total_bounds
    assert lon_min < first["longitude"] < lon_max and lat_min < first["latitude"] < lat_max
    only = build_map(features.iloc[:1], outlines, fit="features").view
    assert only["zoom"] > first["zoom"]
    # 1° × 1° at 30°N in an 800 × 560 map is limited by the height: 1° of latitude is
    # 1/360/cos(30.5°) of deck.gl's 512-pixel world, so zoom = log2(560 / (512 × 0.003225) × 0.9) ≈ 8.25
    assert fit_view((120.0, 30.0, 121.0, 31.0))["zoom"] == pytest.approx(8.25, abs=0.06)


def test_layer_toggles(huzhou):
    _, features, outlines = huzhou
    spec = build_map(features, outlines, choropleth={"吴兴区": 1.0}, show=("outlines",))
    assert spec.layer_ids == [LAYER_OUTLINES]


def test_tile_basemap_style_as_data_url():
    template = "http://tiles.intranet.example/{z}/{x}/{y}.png"
    style = raster_style(template, attribution="内网底图")
    assert style["version"] == 8 and style["sources"]["basemap"]["tiles"] == [template]
    url = style_url(style)
    assert json.loads(base64.b64decode(url.split(",", 1)[1])) == style
    spec = build_map(None, None, tile_url=template)
    deck = _spec_json(spec)
    assert deck["mapProvider"] == "carto" and deck["mapStyle"] == style_url(raster_style(template))
    amap = build_map(None, None, tile_url="https://webrd01.is.autonavi.com/appmaptile?x={x}&y={y}&z={z}")
    assert any("GCJ-02" in note for note in amap.notes)


def test_right_holder_never_reaches_the_browser(huzhou):
    _, features, outlines = huzhou
    private = features.assign(right_holder="张三")
    assert "张三" not in build_map(private, outlines).deck.to_json()


def test_feature_tip_bundle_and_missing_values():
    tip = feature_tip({"name": "地块组", "id": "B01", "county": "无为市", "area_ha": 1.5, "count": 2}, "ha")
    assert tip.splitlines() == ["地块组", "编号 B01｜无为市", "面积：1.50 公顷（2 宗）"]
    assert feature_tip({"id": "7", "stage": float("nan")}, "mu") == "7"


def test_view_fits_the_features_with_some_surroundings(huzhou):
    _, features, outlines = huzhou
    deqing = features[features["county"] == "德清县"]
    view = build_map(deqing, outlines).view
    whole = build_map(features, outlines, fit="all").view
    assert view["zoom"] > whole["zoom"]
    # one 20 ha circle alone: the view still spans about 3 km (0.03°), not a street corner
    one = fit_view(tuple(deqing.total_bounds), min_span_deg=0.03)
    assert one["zoom"] == pytest.approx(
        math.log2(560 / (512 * 0.03 / 360 / math.cos(math.radians(30.6))) * 0.9), abs=0.15
    )
    assert build_map(None, outlines).view == build_map(features.iloc[0:0], outlines).view


def test_colour_options_follow_the_data(huzhou):
    zones, _, _ = huzhou
    assert color_options(zones, "zones") == {
        "family": "类型大类",
        "category": "片区类别",
        "stage": "实施阶段",
    }
    parcels = pd.DataFrame({"type": ["旧厂矿"], "stage": [""], "phase": ["2021-2025"]})
    assert list(color_options(parcels, "parcels")) == ["family", "type", "phase"]


def test_legend_html_escapes_labels():
    legend = Legend("类型", [LegendItem("<b>旧厂矿</b>", (1, 2, 3, 255), "fill", 1200)], "features")
    text = legend_html(legend)
    assert "&lt;b&gt;旧厂矿&lt;/b&gt;（1,200）" in text and "#010203" in text


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (1960.0, "亩", "1,960 亩"),
        (1960.25, "亩", "1,960.3 亩"),
        (146.59, "公顷", "146.59 公顷"),
        (99.99, "%", "100.0%"),
    ],
)
def test_choropleth_values_use_the_unit_precision(value, unit, shown):
    assert format_value(value, unit) == shown


def test_basemap_note_names_the_host_and_cors():
    spec = build_map(None, None, tile_url="http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png")
    assert any("10.1.2.3:8080" in note and "Access-Control-Allow-Origin" in note for note in spec.notes)


def test_view_shows_the_whole_county_of_schematic_features_and_ignores_toggles(huzhou):
    _, features, outlines = huzhou
    deqing = features[features["county"] == "德清县"]
    county = outlines[outlines["name"] == "德清县"]
    # a schematic circle's place inside its 区县 is not real: the view shows the whole 区县
    assert fit_bounds(deqing, outlines) == tuple(float(v) for v in county.total_bounds)
    # 南太湖新区's zones are drawn in 吴兴区: the view shows 吴兴区
    nantaihu = features[features["county"] == "南太湖新区"]
    wuxing = outlines[outlines["name"] == "吴兴区"]
    assert fit_bounds(nantaihu, outlines) == tuple(float(v) for v in wuxing.total_bounds)
    views = [build_map(features, outlines, show=show).view for show in (("outlines",), ("features",), ())]
    assert views[0] == views[1] == views[2]


def test_view_fits_surveyed_features_themselves():
    square = shapely.box(113.05, 36.05, 113.052, 36.052)
    frame = gpd.GeoDataFrame({"id": ["1"], "geometry_source": ["实测图形"]}, geometry=[square], crs=4326)
    assert fit_bounds(frame, None) == pytest.approx(square.bounds)


def test_deck_of_the_sample_plans_is_unchanged():
    """The deck pydeck sends for each sample case (layers, rows, tooltips, colours, view), its
    legends and notes are those stored in tests/golden/map_specs.json, made before build_map
    was split into parts."""
    stored = json.loads(map_golden.GOLDEN.read_text(encoding="utf-8"))
    made = json.loads(json.dumps(map_golden.specs(), ensure_ascii=False))
    assert made.keys() == stored.keys()
    for case, spec in stored.items():
        for part in ("layer_ids", "legends", "notes", "view"):
            assert made[case][part] == spec[part], (case, part)
        for new, old in zip(made[case]["deck"]["layers"], spec["deck"]["layers"], strict=True):
            assert new == old, (case, old["id"])
        assert made[case]["deck"] == spec["deck"], case
