"""The 地图 page (/map) in AppTest, for every plan: read the deck spec the browser would get.

``json.loads(el.proto.json)`` of the ``deck_gl_json_chart`` element is exactly what Streamlit
sends to deck.gl: its layers, their rows (one per polygon or circle) and tooltips.
"""

from __future__ import annotations

import json

import pytest
import shapely
from streamlit.testing.v1 import AppTest

from components.map_builder import (
    LAYER_CHOROPLETH,
    LAYER_FEATURES,
    LAYER_LABELS,
    LAYER_OUTLINES,
    LAYER_SCHEMATIC,
)
from panhuo.access import system_user
from panhuo.importing import InputFile, examples, import_files, new_plan_meta
from panhuo.privacy import MASK, sensitive_values
from panhuo.store import Store
from tests.accounts import sign_in
from tests.pages import open_page, rendered_text

ACTOR = system_user()  # who the store's writes are made by in these tests

# the 区县 outlines each plan must show (湖州's 南太湖新区 is drawn inside 吴兴区)
OUTLINES = {
    "shangdang-2021": {"上党区"},
    "wuwei-2023": {"无为市"},
    "huzhou-2023": {"吴兴区", "南浔区", "德清县", "长兴县", "安吉县"},
    "liaocheng-2020": {"东昌府区", "茌平区", "临清市", "阳谷县", "莘县", "东阿县", "冠县", "高唐县"},
    "urumqi-2025": {
        "天山区",
        "沙依巴克区",
        "新市区",
        "水磨沟区",
        "头屯河区",
        "达坂城区",
        "米东区",
        "乌鲁木齐县",
    },
}
# records the documents list: 上党区 附表1 89 parcels; 无为 10 bundles (15 parcels);
# 湖州 附件2 66 片区; 聊城 and 乌鲁木齐 list none
RECORDS = {"shangdang-2021": 89, "wuwei-2023": 10, "huzhou-2023": 66, "liaocheng-2020": 0, "urumqi-2025": 0}


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch, tmp_path):
    import streamlit as st

    monkeypatch.delenv("PANHUO_DATABASE_URL", raising=False)
    monkeypatch.delenv("PANHUO_TILE_URL", raising=False)
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "map.sqlite"))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _open_map(plan_id: str, session: dict | None = None, **params: str) -> AppTest:
    at = open_page("map", session=session, timeout=120, plan=plan_id, **params)
    assert at.title[0].value == "地图"
    return at


def _deck(at: AppTest) -> dict:
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def _layers(deck: dict) -> dict[str, list[dict]]:
    return {layer["id"]: layer["data"] for layer in deck["layers"]}


def _feature_ids(layers: dict) -> list[str]:
    return [row["record_id"] for lid in (LAYER_FEATURES, LAYER_SCHEMATIC) for row in layers.get(lid, [])]


def _outline_shapes(layers: dict) -> dict[str, shapely.Geometry]:
    """Outline name → polygon, from the rows sent to the browser (one row per polygon part)."""
    parts: dict[str, list] = {}
    for row in layers[LAYER_OUTLINES]:
        shell, *holes = row["polygon"]
        parts.setdefault(row["name"], []).append(shapely.Polygon(shell, holes))
    return {name: shapely.union_all(polys) for name, polys in parts.items()}


def _markdown(at: AppTest) -> str:
    text = "\n".join(str(m.value) for m in at.markdown) + "\n".join(str(c.value) for c in at.caption)
    return rendered_text(text)


@pytest.mark.parametrize("plan_id", list(OUTLINES))
def test_every_plan_shows_its_counties_and_its_records(plan_id, catalog):
    at = _open_map(plan_id)
    deck = _deck(at)
    layers = _layers(deck)
    # offline: no basemap style, nothing to fetch
    assert deck["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in deck
    assert "http" not in at.get("deck_gl_json_chart")[0].proto.json
    shapes = _outline_shapes(layers)
    assert set(shapes) == OUTLINES[plan_id]
    assert {row["text"] for row in layers[LAYER_LABELS]} == OUTLINES[plan_id]
    ids = _feature_ids(layers)
    assert len(ids) == len(set(ids)) == RECORDS[plan_id]
    _dataset, records = catalog.get(plan_id).records()
    assert sorted(ids) == sorted(records["id"].astype(str))
    if not RECORDS[plan_id]:
        assert "没有地块或片区清单" in at.info[0].value
        return
    # every schematic circle lies in the outline of its 区县 (南太湖新区 in 吴兴区)
    county_of = dict(zip(records["id"].astype(str), records["county"], strict=True))
    drawn_in = {"南太湖新区": "吴兴区"}
    for row in layers[LAYER_SCHEMATIC]:
        county = drawn_in.get(county_of[row["record_id"]], county_of[row["record_id"]])
        assert shapes[county].contains(shapely.Point(row["position"])), row["record_id"]
        assert "示意位置" in row["tip"]
    text = _markdown(at)
    assert "示意位置" in text and f"示意位置（非实测，大小按面积）（{RECORDS[plan_id]}）" in text


def test_huzhou_choropleth_tooltips_and_the_functional_area():
    at = _open_map("huzhou-2023")
    layers = _layers(_deck(at))
    tips = {row["name"]: row["tip"] for row in layers[LAYER_CHOROPLETH]}
    # 附件2: 吴兴区 6 片区 + 南太湖新区 9 片区 drawn together; 德清县 26 片区
    assert tips["吴兴区"].startswith("吴兴区（含南太湖新区）")
    values = {
        name: float(tip.split("面积：")[1].split(" 亩")[0].replace(",", "")) for name, tip in tips.items()
    }
    assert sum(values.values()) == pytest.approx(23743)  # 附件2 合计 23743 亩
    assert "南太湖新区是湖州市设立的功能区" in _markdown(at)
    zone_one = next(row for row in layers[LAYER_SCHEMATIC] if row["record_id"] == "1")
    assert "面积：300 亩" in zone_one["tip"] and "湖东街道" in zone_one["tip"]  # 附件2 序号1
    nantaihu = next(row for row in layers[LAYER_SCHEMATIC] if "南太湖新区" in row["tip"].splitlines()[1])
    assert "不是行政区划" in nantaihu["tip"]


def test_unit_and_colouring_follow_the_controls():
    at = _open_map("huzhou-2023", unit="ha")
    zone_one = next(row for row in _layers(_deck(at))[LAYER_SCHEMATIC] if row["record_id"] == "1")
    assert "面积：20.00 公顷" in zone_one["tip"]  # 300 亩 ÷ 15
    at.selectbox(key="map_color_by").set_value("stage").run()
    assert not at.exception
    labels = {row["label"] for row in _layers(_deck(at))[LAYER_SCHEMATIC]}
    assert labels == {"正在实施", "计划实施", "储备"}
    assert "<b>实施阶段</b>" in _markdown(at)
    at.button_group(key="map_layers").set_value(["outlines"]).run()
    assert [layer["id"] for layer in _deck(at)["layers"]] == [LAYER_OUTLINES]


def test_filters_fit_the_view_and_keep_places():
    at = _open_map("huzhou-2023")
    everything = {row["record_id"]: row["position"] for row in _layers(_deck(at))[LAYER_SCHEMATIC]}
    view_all = _deck(at)["initialViewState"]
    filtered = _open_map("huzhou-2023", county="德清县")
    deck = _deck(filtered)
    rows = _layers(deck)[LAYER_SCHEMATIC]
    assert len(rows) == 26  # 附件2: 德清县 26 片区
    assert all(everything[row["record_id"]] == row["position"] for row in rows)  # no record moves
    deqing = _outline_shapes(_layers(deck))["德清县"]
    view = deck["initialViewState"]
    assert deqing.buffer(0.05).contains(shapely.Point(view["longitude"], view["latitude"]))
    assert view["zoom"] > view_all["zoom"]
    filtered.run()  # a rerun gives the same view, so Streamlit keeps the user's pan and zoom
    assert _deck(filtered)["initialViewState"] == view


def test_zero_records_after_filtering():
    at = _open_map("huzhou-2023", county="吴兴区", stage="储备")  # 吴兴区 has no 储备 片区
    layers = _layers(_deck(at))
    assert _feature_ids(layers) == [] and LAYER_OUTLINES in layers
    assert "当前筛选下没有地块或片区" in at.info[0].value


def test_target_coverage_choropleth():
    at = _open_map("shangdang-2021")
    assert at.selectbox(key="map_measure").options == ["面积", "目标覆盖率"]
    at.selectbox(key="map_measure").set_value("coverage").run()
    assert not at.exception
    row = _layers(_deck(at))[LAYER_CHOROPLETH][0]
    # 附表1: 89 parcels, 146.59 公顷 = the 2035 target of 第三章
    assert "目标覆盖率：100.0%" in row["tip"]
    assert "146.59 公顷（2035年）" in _markdown(at)


def test_public_mode_sends_no_right_holder(monkeypatch, catalog):
    secret = sensitive_values(catalog.get("shangdang-2021").parcels)
    assert secret  # 附表1 row 11 names a private person as parcel and right-holder

    def payload(session: dict | None = None) -> str:
        # the spec escapes non-ASCII characters: decode it before looking for names
        return json.dumps(_deck(_open_map("shangdang-2021", session=session)), ensure_ascii=False)

    analyst = sign_in("analyst")
    assert all(value in payload(analyst) for value in secret)  # an analyst sees the name
    assert not any(value in payload() for value in secret)  # a visitor does not
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    public = payload(analyst)  # nor anyone on a public deployment
    assert not any(value in public for value in secret)
    assert MASK in public


def test_tile_url_adds_a_raster_basemap(monkeypatch):
    template = "http://tiles.intranet.example/{z}/{x}/{y}.png"
    monkeypatch.setenv("PANHUO_TILE_URL", template)
    at = _open_map("wuwei-2023")
    deck = _deck(at)
    assert deck["mapProvider"] == "carto" and deck["mapStyle"].startswith("data:application/json;base64,")
    import base64

    style = json.loads(base64.b64decode(deck["mapStyle"].split(",", 1)[1]))
    assert style["sources"]["basemap"]["tiles"] == [template]
    assert "tiles.intranet.example" in _markdown(at)


def test_an_imported_gauss_kruger_layer_is_drawn_as_surveyed(tmp_path):
    """A GeoPackage in CGCS2000 3° zone 38 (EPSG:4526) lands in 上党区 as 实测图形 polygons."""
    store = Store.open()
    city = {"province": "山西省", "city": "长治市"}
    result = import_files(
        [InputFile("调查单元.gpkg", examples.layer_bytes(examples.survey_layer()))],
        "changzhi-dcdy",
        plan_meta=new_plan_meta("changzhi-dcdy", title="上党区调查单元", counties=["上党区"], **city),
        store=store,
        actor=ACTOR,
    )
    assert result.ok, result.message
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    at = _open_map("changzhi-dcdy", unit="ha")
    layers = _layers(_deck(at))
    assert LAYER_SCHEMATIC not in layers
    rows = layers[LAYER_FEATURES]
    assert len(rows) == len(examples.SURVEY_ROWS) == 4
    shangdang = _outline_shapes(layers)["上党区"]
    for row in rows:
        polygon = shapely.Polygon(row["polygon"][0])
        assert shangdang.contains(polygon)
        assert "图形：实测图形" in row["tip"]
    # the squares were drawn around 113.05°E 36.05°N in the zone (examples.SURVEY_CENTRE)
    first = shapely.Polygon(rows[0]["polygon"][0])
    assert first.centroid.distance(shapely.Point(examples.SURVEY_CENTRE)) < 0.01
    text = _markdown(at)
    assert "多边形 = 实测图形" in text and "示意位置（非实测" not in text
