"""AppTest of the core pages — 总览, 区县目标, 明细, 数据核查 — and the shared sidebar.

Every expected figure comes from the source documents: 湖州 附件2 (66 片区, 合计 23743 亩, the
区县 小计 2700/4350/1300/6005/4108/5280, the 2027 targets 20000 亩 and 38/13/14/1 片区), 上党区
附表1 (89 parcels, 146.59 公顷; rows 1-13 = the 2021-2025 phase, 26.15 公顷; row 11's name is a
person's) and 附表2 (住宅用地 占比 printed 57.16, computed 72.51), 无为市 (15 宗 in 10 bundles,
printed total 80.81 公顷 while its rows sum to 80.80).
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from panhuo.access import CountyScope
from tests.accounts import sign_in
from tests.conftest import SAMPLE_IDS
from tests.pages import goto, open_page, rendered_text

CORE_PAGES = {"overview": "总览", "targets": "区县目标", "records": "明细", "audit": "数据核查"}
NO_LISTS = ("liaocheng-2020", "urumqi-2025")
# 湖州 附件2: 小计 per 区县 (亩) and the areas of its 片区 per 实施阶段
HUZHOU_COUNTIES = {
    "吴兴区": 2700,
    "南浔区": 4350,
    "南太湖新区": 1300,
    "德清县": 6005,
    "长兴县": 4108,
    "安吉县": 5280,
}
HUZHOU_UNDER_WAY = 2500 + 1900 + 620 + 5565 + 3248 + 2770  # 正在实施 片区, 16603 亩


@pytest.fixture(scope="module", autouse=True)
def _fresh_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _private_mode(monkeypatch):
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)


def open_app(page: str | None = None, session: dict | None = None, **params: str) -> AppTest:
    """Run app.py as a browser would open ``/<page>?<params>`` and check it raised nothing."""
    return open_page(page, session=session, **params)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def helps(at: AppTest) -> dict[str, str]:
    return {m.label: m.help for m in at.metric}


def figures(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def numbers(values) -> list[float]:
    """Plotly encodes numeric arrays as base64 (``{"dtype", "bdata"}``); decode to floats."""
    if isinstance(values, dict):
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).astype(float).tolist()
    return [float(v) for v in values]


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def frame_with(at: AppTest, column: str):
    """The shown table that has ``column`` (tables without on_select have no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


# ---------------------------------------------------------------- every page × every plan


@pytest.mark.parametrize("plan", SAMPLE_IDS)
@pytest.mark.parametrize("page", list(CORE_PAGES))
def test_every_core_page_opens_for_every_plan(page, plan, catalog):
    at = open_app(page, plan=plan)
    assert at.title[0].value == CORE_PAGES[page]
    assert at.selectbox(key="f_plan").value == plan
    # the header names the plan and says where today falls in its period
    assert rendered_text(at.markdown[0].value).startswith(f"**{catalog.get(plan).title}**")
    caption_text = " ".join(c.value for c in at.caption) + " ".join(p.text for p in at.get("progress"))
    assert "规划期" in caption_text or "未载明规划期限" in caption_text


def test_root_address_opens_overview_with_its_parameters():
    at = open_app(None, plan="huzhou-2023")
    assert at.title[0].value == "总览"
    assert metrics(at)["片区面积"] == "23,743 亩"
    assert at.query_params == {"plan": "huzhou-2023"}


# ---------------------------------------------------------------- 总览


def test_overview_huzhou_headline():
    at = open_app("overview", plan="huzhou-2023")
    shown = metrics(at)
    assert shown["片区数量"] == "66 个"
    assert shown["片区面积"] == "23,743 亩"
    assert shown["面积目标（2027年）"] == "20,000 亩"
    assert shown["目标覆盖率"] == f"{23743 / 20000 * 100:.1f}%" == "118.7%"
    assert shown["正在实施面积占比"] == f"{HUZHOU_UNDER_WAY / 23743 * 100:.1f}%" == "69.9%"
    assert helps(at)["正在实施面积占比"] == "正在实施 16,603 亩"
    assert "≥ 20000 亩（2027年）" in helps(at)["面积目标（2027年）"]
    by_county = figures(at)[0]["data"][0]
    assert dict(zip(by_county["y"], numbers(by_county["x"]), strict=True)) == HUZHOU_COUNTIES
    by_category = figures(at)[1]["data"][0]
    assert dict(zip(by_category["y"], numbers(by_category["x"]), strict=True)) == {
        "低效工业片区": 12643, "低效住宅片区": 2437, "低效村庄片区": 8555, "矿地利用片区": 108,
    }  # fmt: skip
    progress = at.get("progress")[0].text
    assert progress.startswith("规划期 2023—2027 年")
    assert "状态：现行有效" in [c.value for c in at.caption]
    assert "湖政发〔2024〕2号" in at.markdown[0].value


def test_overview_shangdang_headline_and_near_term():
    at = open_app("overview", plan="shangdang-2021")
    assert metrics(at) == {
        "地块数量": "89 宗",
        "地块面积": "146.59 公顷",
        "面积目标（2035年）": "146.59 公顷",
        "目标覆盖率": "100.0%",
        "近期地块（至2025年）": "13 宗",
        "近期面积（至2025年）": "26.15 公顷",
    }
    assert at.query_params == {}  # the default plan in its own unit: a plain link


def test_overview_in_mu_converts_shangdang():
    at = open_app("overview", plan="shangdang-2021", unit="mu")
    assert metrics(at)["地块面积"] == "2,198.9 亩"  # 146.59 × 15 = 2198.85
    assert metrics(at)["近期面积（至2025年）"] == "392.3 亩"  # 26.15 × 15 = 392.25
    assert at.radio(key="f_unit").value == "mu"


def test_overview_wuwei_counts_bundles_as_parcels():
    at = open_app("overview", plan="wuwei-2023")
    shown = metrics(at)
    assert shown["地块数量"] == "15 宗"
    assert shown["地块面积"] == "80.80 公顷"
    assert shown["面积目标（2025年）"] == "80.81 公顷"


# 聊城: 5 measures (and 16 modes, policies and definitions); 乌鲁木齐: 18 measures (and 6 sub-items)
@pytest.mark.parametrize(("plan", "measures"), [("liaocheng-2020", "5 项"), ("urumqi-2025", "18 项")])
def test_overview_plans_without_lists_say_so_in_one_line(plan, measures):
    at = open_app("overview", plan=plan)
    assert infos(at) == ["本规划未列出地块或片区清单，以下为其阶段、措施与政策；见“时序安排”“政策与任务”。"]
    assert metrics(at)["任务措施"] == measures
    assert not at.get("plotly_chart")


def test_overview_consultation_status_of_urumqi():
    at = open_app("overview", plan="urumqi-2025")
    status = " ".join(c.value for c in at.caption) + " ".join(i.value for i in at.info)
    assert "征求意见" in status and "2025-12-17" in status


# ---------------------------------------------------------------- 区县目标


def test_targets_huzhou_by_county_and_stage():
    at = open_app("targets", plan="huzhou-2023")
    assert metrics(at) == {"面积目标": "20,000 亩", "清单面积": "23,743 亩", "覆盖率": "118.7%"}
    stacked, counts = figures(at)
    totals: dict[str, float] = {}
    by_stage: dict[str, float] = {}
    for trace in stacked["data"]:
        for county, value in zip(trace["x"], numbers(trace["y"]), strict=True):
            totals[county] = totals.get(county, 0) + value
            by_stage[trace["name"]] = by_stage.get(trace["name"], 0) + value
    assert totals == HUZHOU_COUNTIES
    assert by_stage["正在实施"] == HUZHOU_UNDER_WAY
    assert sum(by_stage.values()) == 23743
    assert "按实施阶段" in stacked["layout"]["title"]["text"]
    target, listed = counts["data"]
    assert target["name"] == "目标" and listed["name"] == "清单"
    assert list(target["x"]) == ["低效工业片区", "低效住宅片区", "低效村庄片区", "矿地利用片区"]
    assert numbers(target["y"]) == [38, 13, 14, 1]
    assert numbers(listed["y"]) == [38, 13, 14, 1]
    assert len(frame_with(at, "出处")) == 5


def test_targets_huzhou_in_hectares():
    at = open_app("targets", plan="huzhou-2023", unit="ha")
    assert metrics(at)["清单面积"] == "1,582.87 公顷"  # 23743 / 15
    assert metrics(at)["面积目标"] == "1,333.33 公顷"
    assert at.query_params == {"plan": "huzhou-2023", "unit": "ha"}


def test_targets_counts_follow_the_filter():
    at = open_app("targets", plan="huzhou-2023", county="长兴县")
    _stacked, counts = figures(at)
    assert numbers(counts["data"][1]["y"]) == [3, 4, 2, 1]  # 长兴县's 片区 per category
    assert metrics(at)["清单面积"] == "4,108 亩"


def test_targets_shangdang_splits_by_phase():
    at = open_app("targets", plan="shangdang-2021")
    assert metrics(at)["面积目标"] == "146.59 公顷"
    stacked = figures(at)[0]
    assert "按实施时序" in stacked["layout"]["title"]["text"]
    phases = {t["name"]: round(sum(numbers(t["y"])), 2) for t in stacked["data"]}
    assert phases == {"2021-2025": 26.15, "2025-2035": 120.44}
    shown = frame_with(at, "出处")
    assert len(shown) == 9
    assert "≥ 26.15" in shown["目标"].tolist()


@pytest.mark.parametrize("plan", NO_LISTS)
def test_targets_without_data_say_so(plan):
    at = open_app("targets", plan=plan)
    assert infos(at) == ["本规划没有量化目标，也没有地块或片区清单，无法按区县比较。"]
    assert not at.get("plotly_chart")


def test_click_handler_is_a_view_request():
    """A bar click asks the sidebar for the 区县 (the browser test clicks the real bar)."""
    at = open_app("records", plan="huzhou-2023", session={"_view_pending": {"counties": ("德清县",)}})
    assert at.multiselect(key="f_county").value == ["德清县"]
    assert len(at.dataframe(key="records_table").value) == 26
    assert at.query_params == {"plan": "huzhou-2023", "county": "德清县"}


# ---------------------------------------------------------------- 明细


@pytest.mark.parametrize(("plan", "rows", "area_column", "total"), [
    ("shangdang-2021", 89, "面积（公顷）", 146.59),
    ("wuwei-2023", 10, "面积（公顷）", 80.80),
    ("huzhou-2023", 66, "面积（亩）", 23743),
])  # fmt: skip
def test_records_table(plan, rows, area_column, total):
    at = open_app("records", plan=plan)
    table = at.dataframe(key="records_table").value
    assert len(table) == rows
    assert round(table[area_column].sum(), 2) == total
    assert f"共 {rows} 条" in " ".join(c.value for c in at.caption)
    assert list(table.columns[:3]) == ["序号", "名称", "区县"]


@pytest.mark.parametrize("plan", NO_LISTS)
def test_records_without_lists_say_so(plan):
    at = open_app("records", plan=plan)
    assert infos(at) == ["本规划未列出地块或片区清单，没有明细可显示。"]
    assert not at.dataframe


def test_records_search_and_filter():
    at = open_app("records", plan="huzhou-2023", county="德清县")
    table = at.dataframe(key="records_table").value
    assert len(table) == 26 and table["面积（亩）"].sum() == 6005
    at.text_input(key="records_search").input("矿").run()
    assert not at.exception
    found = at.dataframe(key="records_table").value
    assert 0 < len(found) < 26
    assert all("矿" in " ".join(map(str, row)) for row in found.itertuples(index=False))


def test_records_detail_of_the_selected_row():
    selection = {"records_table": {"selection": {"rows": [2], "columns": [], "cells": []}}}
    at = open_app("records", plan="shangdang-2021", session=selection)
    details = frame_with(at, "项目")
    shown = dict(zip(details["项目"], details["内容"], strict=True))
    assert shown["名称"] == "长治森特重型机械制造有限公司"
    assert shown["面积（公顷）"] == "1.17"
    assert "#### 长治森特重型机械制造有限公司" in [m.value for m in at.markdown]


def test_records_show_an_analyst_the_right_holder():
    selection = {"records_table": {"selection": {"rows": [10], "columns": [], "cells": []}}}
    at = open_app("records", plan="shangdang-2021", session=sign_in("analyst") | selection)
    assert "权利人" in at.dataframe(key="records_table").value.columns
    assert "#### 刘志平" in [m.value for m in at.markdown]


def test_public_mode_never_shows_the_right_holder(monkeypatch):
    from panhuo.export import records_table, to_csv_bytes, to_xlsx_bytes

    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    selection = {"records_table": {"selection": {"rows": [10], "columns": [], "cells": []}}}
    at = open_app("records", plan="shangdang-2021", session=selection)
    table = at.dataframe(key="records_table").value
    assert "权利人" not in table.columns
    assert len(table) == 89
    details = frame_with(at, "项目")
    everything = table.to_csv() + details.to_csv() + " ".join(m.value for m in at.markdown)
    assert "刘志平" not in everything
    assert "（权利人信息不公开）" in details["内容"].tolist()
    # the downloads are made from the same table
    from panhuo.catalog import open_catalog

    _dataset, frame = open_catalog(imports=False).get("shangdang-2021").records()
    public = records_table(frame, "parcels", "ha", CountyScope())
    assert "刘志平" not in to_csv_bytes(public).decode("utf-8-sig")
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(to_xlsx_bytes(public))) as book:
        assert not any("刘志平" in book.read(name).decode("utf-8", "ignore") for name in book.namelist())


def test_public_mode_hides_the_import_page(monkeypatch):
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = open_app("overview", plan="huzhou-2023")
    for page in ("overview", "records", "audit"):
        goto(at, page).run()  # offered: switch_page finds the page among those st.navigation lists
        assert at.title[0].value == CORE_PAGES[page]
    with pytest.raises(ValueError, match="data_import"):  # not among the app's pages at all
        goto(at, "import")
    assert at.title[0].value != "数据导入"


def test_private_mode_offers_the_import_page_to_an_analyst_only():
    at = open_app("import", session=sign_in("analyst"))
    assert at.title[0].value == "数据导入" and at.get("file_uploader")
    with pytest.raises(ValueError, match="data_import"):  # not offered before signing in
        goto(open_app(None), "import")


def test_downloads_have_chinese_headers():
    from panhuo.catalog import open_catalog
    from panhuo.export import records_table, to_csv_bytes

    _dataset, frame = open_catalog(imports=False).get("huzhou-2023").records()
    text = to_csv_bytes(records_table(frame, "zones", "mu", CountyScope(everything=True)))
    assert text.startswith("\ufeff".encode())
    header = text.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:4] == ["序号", "名称", "区县", "类别"] and "面积（亩）" in header


# 数据核查: tests/test_app_audit.py


# ---------------------------------------------------------------- the sidebar and the URL


def test_url_parameters_set_the_widgets():
    at = open_app("overview", plan="huzhou-2023", county="德清县,长兴县", type="低效工业片区", unit="ha")
    assert at.selectbox(key="f_plan").value == "huzhou-2023"
    assert at.multiselect(key="f_county").value == ["德清县", "长兴县"]
    assert at.multiselect(key="f_type").value == ["低效工业片区"]
    assert at.radio(key="f_unit").value == "ha"
    assert not warnings(at)
    filtered = metrics(at)
    assert filtered["片区数量"] == "21 个"  # 附件2: 德清县 18 + 长兴县 3 低效工业片区
    assert "筛选：区县 德清县、长兴县；类型 低效工业片区" in [c.value for c in at.caption]
    assert at.query_params == {
        "plan": "huzhou-2023",
        "county": "德清县,长兴县",
        "type": "低效工业片区",
        "unit": "ha",
    }


def test_widget_changes_go_to_the_url():
    at = open_app("targets", plan="huzhou-2023")
    at.multiselect(key="f_county").set_value(["安吉县"]).run()
    assert at.query_params == {"plan": "huzhou-2023", "county": "安吉县"}
    at.multiselect(key="f_stage").set_value(["正在实施"]).run()
    assert at.query_params == {"plan": "huzhou-2023", "county": "安吉县", "stage": "正在实施"}
    assert metrics(at)["清单面积"] == "2,770 亩"
    at.radio(key="f_unit").set_value("ha").run()
    assert at.query_params["unit"] == "ha"
    at.radio(key="f_unit").set_value("mu").run()
    assert "unit" not in at.query_params  # the plan's own unit is the default: left out of the link
    # the same link in a new session opens the same view
    again = open_app("targets", **at.query_params)
    assert metrics(again) == metrics(at)


def test_zone_filter_for_zones_and_parcels():
    at = open_app("records", plan="wuwei-2023", zone="高沟片区")
    assert at.multiselect(key="f_zone").value == ["高沟片区"]
    assert set(at.dataframe(key="records_table").value["片区"]) == {"高沟片区"}
    huzhou = open_app("records", plan="huzhou-2023")
    name = huzhou.dataframe(key="records_table").value["名称"].iloc[0]
    one = open_app("records", plan="huzhou-2023", zone=name)
    assert one.dataframe(key="records_table").value["名称"].tolist() == [name]


def test_the_view_survives_a_page_change():
    at = open_app("overview", plan="huzhou-2023", county="德清县")
    goto(at, "records")
    at.query_params.clear()  # as when the menu opens another page
    at.run()
    assert not at.exception
    assert len(at.dataframe(key="records_table").value) == 26
    assert at.query_params == {"plan": "huzhou-2023", "county": "德清县"}


@pytest.mark.parametrize(("params", "notice", "expected"), [
    ({"plan": "nowhere-2099"}, "链接中的规划“nowhere-2099”不存在，已显示默认规划。", {}),
    ({"plan": "huzhou-2023", "county": "火星区"}, "链接中的区县“火星区”不适用于本规划，已忽略。",
     {"plan": "huzhou-2023"}),
    ({"plan": "huzhou-2023", "county": "德清县,火星区"}, "链接中的区县“火星区”不适用于本规划，已忽略。",
     {"plan": "huzhou-2023", "county": "德清县"}),
    ({"plan": "huzhou-2023", "unit": "acre"}, "链接中的单位“acre”无效，已改用亩。", {"plan": "huzhou-2023"}),
    ({"plan": "shangdang-2021", "stage": "已完成"}, "链接中的实施阶段“已完成”不适用于本规划，已忽略。", {}),
    ({"type": "旧城镇,低效工业片区"}, "链接中的类型“低效工业片区”不适用于本规划，已忽略。", {"type": "旧城镇"}),
])  # fmt: skip
@pytest.mark.parametrize("page", list(CORE_PAGES))
def test_invalid_parameters_fall_back_with_a_notice(page, params, notice, expected):
    at = open_app(page, **params)
    assert notice in warnings(at)
    assert at.title[0].value == CORE_PAGES[page]
    assert at.query_params == expected
    at.run()  # the notice is said once, not on every rerun
    assert notice not in warnings(at)


def test_plan_switch_drops_filters_that_do_not_apply():
    at = open_app("records", plan="huzhou-2023", county="德清县", stage="正在实施")
    assert len(at.dataframe(key="records_table").value) == 22  # 德清县: 26 片区, 22 正在实施
    at.selectbox(key="f_plan").set_value("wuwei-2023").run()
    assert not at.exception
    assert at.multiselect(key="f_county").value == []
    assert at.radio(key="f_unit").value == "ha"  # 亩 was 湖州's own unit, so 无为市's 公顷 follows
    assert at.query_params == {"plan": "wuwei-2023"}
    assert len(at.dataframe(key="records_table").value) == 10


def test_plan_switch_keeps_a_unit_the_user_chose():
    at = open_app("overview", plan="huzhou-2023", unit="ha")
    at.selectbox(key="f_plan").set_value("shangdang-2021").run()
    assert at.radio(key="f_unit").value == "ha"
    at.radio(key="f_unit").set_value("mu").run()
    at.selectbox(key="f_plan").set_value("wuwei-2023").run()
    assert at.radio(key="f_unit").value == "mu"
    assert at.query_params == {"plan": "wuwei-2023", "unit": "mu"}
    assert metrics(at)["地块面积"] == "1,212 亩"  # 80.80 公顷 × 15


def test_plan_switch_to_a_plan_without_lists():
    at = open_app("targets", plan="huzhou-2023", county="德清县")
    at.selectbox(key="f_plan").set_value("liaocheng-2020").run()
    assert not at.exception
    assert at.query_params == {"plan": "liaocheng-2020"}
    assert infos(at) == ["本规划没有量化目标，也没有地块或片区清单，无法按区县比较。"]


@pytest.mark.parametrize("page", list(CORE_PAGES))
def test_filters_leaving_no_records(page):
    at = open_app(page, plan="huzhou-2023", county="吴兴区", type="矿地利用片区")
    assert at.title[0].value == CORE_PAGES[page]
    if page in ("overview", "targets"):
        assert "当前筛选条件下没有记录。" in infos(at)
    if page == "overview":
        assert metrics(at)["片区数量"] == "0 个"
    if page == "records":
        assert len(at.dataframe(key="records_table").value) == 0
