"""The pages 结构调整 and 时序安排 in AppTest, for all five plans: what a user sees."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SAMPLE_IDS
from tests.pages import open_page, rendered_text

NO_STRUCTURE = "本规划未载明用地结构调整（现状用途与规划用途），无结构调整数据。"


@pytest.fixture(autouse=True)
def _fresh_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


def _open(page: str, **params: str) -> AppTest:
    return open_page(page, **params)


def _values(data) -> list:
    """A plotly array from the spec: a plain list or a base64 typed array."""
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def _figures(at: AppTest) -> dict[str, dict]:
    """Plotly specs of the page by widget key."""
    return {el.proto.id.rsplit("-", 1)[-1]: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


@pytest.mark.parametrize("page", ["structure", "timeline"])
@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_every_plan_opens_without_error(page, plan_id):
    at = _open(page, plan=plan_id)
    assert at.title[0].value == {"structure": "结构调整", "timeline": "时序安排"}[page]
    assert at.sidebar.selectbox(key="f_plan").value == plan_id


@pytest.mark.parametrize("plan_id", ["huzhou-2023", "liaocheng-2020", "urumqi-2025"])
def test_structure_says_in_one_line_when_a_plan_has_none(plan_id):
    at = _open("structure", plan=plan_id)
    assert _infos(at) == [NO_STRUCTURE]
    assert _figures(at) == {} and len(at.dataframe) == 0


def test_structure_shangdang_shows_fb8():
    at = _open("structure", plan="shangdang-2021")
    assert _metrics(at) == {"现状面积": "146.59 公顷", "规划面积": "146.59 公顷", "调增面积": "33.51 公顷",
                            "调减面积": "33.50 公顷"}  # fmt: skip
    figures = _figures(at)
    link = figures["structure_sankey"]["data"][0]["link"]
    assert _values(link["value"]) == pytest.approx(
        [4.27, 85.07, 21.22, 20.35, 12.28, 3.40, 3.93, 6.29, 23.29]
    )
    assert "公顷" in link["hovertemplate"]
    current, planned = figures["structure_paired"]["data"]
    assert _values(current["y"]) == pytest.approx([4.27, 106.29, 32.63, 3.40, 0.00])
    assert _values(planned["y"]) == pytest.approx([8.20, 85.07, 20.35, 9.69, 23.29])
    change = figures["structure_change"]["data"][0]
    assert dict(zip(change["y"], change["text"], strict=True)) == {
        "商服用地": "+3.92", "住宅用地": "-21.22", "工矿仓储用地": "-12.28", "公共管理与公共服务用地": "+6.29",
        "其他土地": "+23.29",
    }  # fmt: skip
    assert [rendered_text(w.value) for w in at.warning] == [
        "原表调整量与规划−现状不一致：商服用地：原表调整量 +3.92 公顷，规划−现状为 +3.93 公顷"
    ]
    table = at.dataframe[0].value
    assert len(table) == 5 + 1 and table.set_index("用途").loc["商服用地", "规划−现状"] == "+3.93"
    # the 合计 row adds up the rows: 规划 146.60 where 附表8 prints 146.59, which the caption says
    total = table.iloc[-1]
    assert (total["用途"], total["现状"], total["规划"], total["规划−现状"]) == (
        "合计",
        "146.59",
        "146.60",
        "+0.01",
    )
    assert any(
        "原表合计行规划为 146.59 公顷，各行相加为 146.60 公顷" in rendered_text(c.value) for c in at.caption
    )
    # 附表9 rolled up to 用地用海一级类 (the default level)
    rollup = figures["structure_rollup"]["data"][0]
    assert dict(zip(rollup["y"], _values(rollup["x"]), strict=True))["12 交通运输用地"] == pytest.approx(
        13.69
    )
    assert len(rollup["y"]) == 8
    # parcels carry no planned use: their current uses, with a one-line notice
    assert "地块清单未载明规划用途" in _infos(at)[0]
    uses = figures["structure_parcel_uses"]["data"][0]
    assert dict(zip(uses["y"], _values(uses["x"]), strict=True))["农村宅基地"] == pytest.approx(76.80)


def test_structure_level_and_unit_switch():
    at = _open("structure", plan="shangdang-2021", unit="mu")
    assert _metrics(at)["现状面积"] == "2,198.9 亩"
    assert "亩" in _figures(at)["structure_sankey"]["data"][0]["link"]["hovertemplate"]
    at.radio(key="structure_level").set_value("class").run()
    assert not at.exception
    rollup = _figures(at)["structure_rollup"]["data"][0]
    assert len(rollup["y"]) == 14
    assert dict(zip(rollup["y"], _values(rollup["x"]), strict=True))["文物古迹用地"] == pytest.approx(
        0.18 * 15
    )


def test_structure_wuwei_states_no_change():
    at = _open("structure", plan="wuwei-2023")
    assert _infos(at)[0] == (
        "表6-1各用途现状与规划面积相同（居住用地 11.97 公顷、工矿用地 68.84 公顷），"
        "“规划期间面积变化情况”一栏均为 0.00：本规划未调整用地结构。"
    )
    assert _metrics(at)["调增面积"] == "0.00 公顷"
    figures = _figures(at)
    assert "structure_change" not in figures
    current, planned = figures["structure_paired"]["data"]
    assert _values(current["y"]) == _values(planned["y"]) == pytest.approx([11.97, 68.84])


def test_structure_with_a_filter_that_leaves_no_parcel():
    at = _open("structure", plan="wuwei-2023", type="低效城镇用地", zone="高沟片区")
    assert "当前筛选条件下没有地块。" in _infos(at)
    assert "structure_parcel_uses" not in _figures(at)
    assert "structure_sankey" in _figures(at)  # the published table does not depend on filters


def _stacked_sums(figure: dict) -> dict[str, float]:
    sums: dict[str, float] = {}
    for trace in figure["data"]:
        for x, y in zip(trace["x"], _values(trace["y"]), strict=True):
            sums[x] = sums.get(x, 0) + y
    return sums


def test_timeline_wuwei_per_year_from_table_7_2():
    at = _open("timeline", plan="wuwei-2023")
    figures = _figures(at)
    assert _stacked_sums(figures["timeline_area"]) == pytest.approx(
        {"2023年": 25.32, "2024年": 20.68, "2025年": 34.80}
    )
    assert _stacked_sums(figures["timeline_count"]) == {"2023年": 3, "2024年": 4, "2025年": 8}
    assert {t["name"] for t in figures["timeline_area"]["data"]} == {
        "低效工业用地",
        "低效农村用地",
        "低效城镇用地",
    }
    assert _values(figures["timeline_cumulative"]["data"][0]["y"]) == pytest.approx([25.32, 46.00, 80.80])
    assert at.dataframe[0].value.values.tolist() == [["80.81 公顷", "2025年", "80.81 公顷", "80.80 公顷",
                                                      "-0.01 公顷", "不一致"]]  # fmt: skip
    assert "本规划未列出阶段或时间节点，下图只有规划期。" in _infos(at)
    assert [t["y"] for t in figures["timeline_gantt"]["data"]] == [["规划期"]]
    at.radio(key="timeline_stack").set_value("zone").run()
    area = _figures(at)["timeline_area"]
    high = next(t for t in area["data"] if t["name"] == "高沟片区")
    assert dict(zip(high["x"], _values(high["y"]), strict=True)) == pytest.approx(
        {"2023年": 14.10, "2025年": 22.33}
    )


def test_timeline_shangdang_periods_and_targets():
    at = _open("timeline", plan="shangdang-2021")
    figures = _figures(at)
    assert _stacked_sums(figures["timeline_count"]) == {"2021—2025年": 13, "2025—2035年": 76}
    assert _values(figures["timeline_cumulative"]["data"][0]["y"]) == pytest.approx([26.15, 146.59])
    stars = [t for t in figures["timeline_cumulative"]["data"][1:]]
    assert [t["name"] for t in stars] == ["目标 24.80 公顷（2025年）", "目标 146.59 公顷（2035年）"]
    milestones, checks = at.dataframe[0].value, at.dataframe[1].value
    assert list(milestones["名称"]) == [
        "近期（2021-2025年）再开发利用项目",
        "远期（2025-2035年）再开发利用项目",
    ]
    assert list(checks["核对"]) == ["不一致", "一致"]


def test_timeline_liaocheng_five_stages():
    at = _open("timeline", plan="liaocheng-2020")
    assert _metrics(at)["阶段与时间节点"] == "5 个"
    assert len(at.dataframe[0].value) == 5
    gantt = _figures(at)["timeline_gantt"]
    markers = [t for t in gantt["data"] if t["type"] == "scatter"]
    assert len(markers) == 4 and [t["type"] for t in gantt["data"]].count("bar") == 1
    assert any(a["text"].startswith("今天 ") for a in gantt["layout"]["annotations"])
    assert _infos(at) == ["本规划没有按时期或实施阶段安排的地块、片区面积。"]


def test_timeline_urumqi_three_stages():
    at = _open("timeline", plan="urumqi-2025")
    table = at.dataframe[0].value
    assert len(table) == 8
    stages = table[table["名称"].str.endswith("阶段")]
    assert stages[["名称", "时间"]].values.tolist() == [
        ["准备部署阶段", "2025年12月前"],
        ["推进实施阶段", "2026年1月—2027年9月"],
        ["总结提升阶段", "2027年6月—2027年9月"],
    ]
    names = [t["y"][0] for t in _figures(at)["timeline_gantt"]["data"]]
    assert names[0] == "规划期" and "推进实施阶段" in names


def test_timeline_huzhou_stages_not_years():
    at = _open("timeline", plan="huzhou-2023")
    assert _metrics(at)["未载明时间"] == "5 个"
    assert len(at.dataframe[0].value) == 8
    assert any("未按年份安排" in text for text in _infos(at))
    figures = _figures(at)
    assert _stacked_sums(figures["timeline_area"]) == pytest.approx(
        {"正在实施": 16603, "计划实施": 6280, "储备": 860}
    )
    assert _values(figures["timeline_cumulative"]["data"][0]["y"]) == pytest.approx([16603, 22883, 23743])
    line = figures["timeline_cumulative"]["layout"]["shapes"][0]
    assert line["y0"] == pytest.approx(20000)
    assert any("118.7%" in c.value for c in at.caption)


def test_timeline_with_a_filter_that_leaves_no_zone():
    at = _open("timeline", plan="huzhou-2023", county="吴兴区", type="矿地利用片区")
    assert "当前筛选条件下没有记录。" in _infos(at)
    figures = _figures(at)
    assert "timeline_gantt" in figures and "timeline_area" not in figures


def test_structure_chart_names_a_table_as_written(tmp_path, monkeypatch):
    """A table id with ASCII punctuation: the chart title takes it raw (charts are made inert by
    components.chart_view), only the Markdown of the radio option escapes it."""
    import shutil

    import streamlit as st

    from tests.conftest import ROOT

    for name in ("shangdang-2021", "classifications"):
        shutil.copytree(ROOT / "data" / name, tmp_path / name)
    for toml in ("tables.toml", "facts.toml"):
        path = tmp_path / "shangdang-2021" / toml
        path.write_text(path.read_text(encoding="utf-8").replace('"附表9"', '"附表9(A)"'), encoding="utf-8")
    monkeypatch.setenv("PANHUO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "store.sqlite"))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = _open("structure", plan="shangdang-2021")
        assert "按附表9\\(A\\)分类" in at.radio(key="structure_level").options
        at.radio(key="structure_level").set_value("class").run()
        assert _figures(at)["structure_rollup"]["layout"]["title"]["text"] == "规划用地（附表9(A)分类）"
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
