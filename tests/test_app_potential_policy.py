"""潜力与强度 (/potential) and 政策与任务 (/policy) through the real router (app.py) in AppTest:
what a user sees — metric values, table rows, the data inside the plotly figures."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import SAMPLE_IDS
from tests.pages import open_page, rendered_text


@pytest.fixture(autouse=True)
def _fresh_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _decode(value):
    """Plotly sends numeric arrays as typed arrays ({"dtype", "bdata", "shape"}): plain lists back."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def figures(at: AppTest) -> list[dict]:
    return [_decode(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]


def table(at: AppTest, *columns: str, kind: str | None = None):
    """The first dataframe shown with these columns (AppTest keeps no key for a plain
    st.dataframe); ``kind`` picks a measures table by its 类别 (任务措施, 配套政策 …)."""
    for element in at.dataframe:
        frame = element.value
        if not all(c in frame.columns for c in columns):
            continue
        if kind is None or (
            len(frame) and set(frame["类别"]) <= {kind, *(["子项措施"] if kind == "任务措施" else [])}
        ):
            return frame
    raise AssertionError(f"no table with columns {columns} ({kind})")


def measures_shown(at: AppTest):
    frames = [el.value for el in at.dataframe if "名称" in el.value.columns and "要点" in el.value.columns]
    return next((f for f in frames if f.empty or set(f["类别"]) <= {"任务措施", "子项措施"}), None)


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", ["potential", "policy"])
@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_every_plan_opens_both_pages(page, plan_id):
    at = open_page(page, plan=plan_id)
    assert at.title[0].value == {"potential": "潜力与强度", "policy": "政策与任务"}[page]
    for fig in figures(at):
        assert fig["data"], "no empty chart"


# --- 潜力与强度 ------------------------------------------------------------------------------


@pytest.mark.parametrize("plan_id", ["liaocheng-2020", "huzhou-2023", "urumqi-2025"])
def test_plans_without_potential_say_so_in_one_line(plan_id):
    at = open_page("potential", plan=plan_id)
    assert infos(at) == ["本规划未载潜力测算、开发强度或强度指引数据。"]
    assert not at.get("plotly_chart") and not at.dataframe


def test_shangdang_heatmaps_keep_totals_out_of_the_colour_scale():
    at = open_page("potential", plan="shangdang-2021")
    figs = figures(at)
    assert len(figs) == 4  # 附表4-7
    fb4 = figs[0]
    colour, totals = fb4["data"]
    assert colour["x"] == ["低潜力区", "中潜力区", "高潜力区", "总计"]
    assert colour["y"] == ["旧城镇", "旧村庄", "旧厂矿", "总计"]
    # 旧村庄 中潜力区 81.34 is the largest coloured cell; the 总计 row and column are not coloured
    assert colour["z"][1][1] == pytest.approx(81.34)
    assert colour["z"][3] == [None] * 4 and [row[3] for row in colour["z"]] == [None] * 4
    assert max(v for row in colour["z"] for v in row if v is not None) == pytest.approx(81.34)
    assert totals["text"][3][3] == "146.59<br>100.00%"
    assert "公顷" in colour["hovertemplate"] and "占比" in colour["hovertemplate"]
    # 附表6 is in 亿元
    assert "亿元" in figs[2]["data"][0]["hovertemplate"]
    # every table's note is shown as a caption
    captions = " ".join(c.value for c in at.caption)
    assert "总计行在原文中被空行隔断" in captions  # 附表7's note
    guidance = table(at, "用途", "容积率", "建筑密度", "原文")
    assert len(guidance) == 4 and guidance.loc[0, "容积率"] == "≥ 0.8"
    assert "地块清单未载各宗地块的容积率、建筑密度，无法逐宗对照指引。" in infos(at)
    printed = table(at, "类型", "总计_规模")
    assert printed.iloc[-1]["总计_规模"] == "146.59"


def test_shangdang_heatmap_in_mu():
    at = open_page("potential", plan="shangdang-2021", unit="mu")
    totals = figures(at)[0]["data"][1]
    assert totals["text"][3][3] == "2,198.9<br>100.00%"  # 146.59 公顷 × 15
    assert "亩" in totals["hovertemplate"]


def test_wuwei_theoretical_against_realizable():
    at = open_page("potential", plan="wuwei-2023")
    assert [m.value for m in at.metric] == [
        "98.59 公顷",
        "51.21 公顷",
        "51.9%",
        "40.47 亿元",
        "20.45 亿元",
        "50.5%",
    ]
    assert [m.label for m in at.metric][:3] == ["理论规模潜力", "可实现规模潜力", "可实现占理论"]
    scale, money, _intensity = figures(at)
    theory, real = scale["data"]
    assert theory["name"] == "理论潜力" and real["name"] == "可实现潜力"
    assert theory["x"] == [
        "老城片区",
        "城东产业园",
        "城南和城中片区",
        "城西北片区",
        "东部新城片区",
        "高沟片区",
    ]
    assert theory["y"] == pytest.approx([0, 10.35, 34.57, 11.50, 6.45, 35.71])
    assert real["y"] == pytest.approx([0, 9.04, 0.79, 9.16, 6.45, 25.77])
    assert money["data"][1]["y"] == pytest.approx([0, 3.43, 0.30, 3.85, 2.05, 10.82])
    zones = table(at, "片区", "理论规模潜力（公顷）")
    assert len(zones) == 7 and zones.iloc[-1]["片区"] == "合计"


def test_wuwei_invalid_densities_are_named_and_never_plotted():
    at = open_page("potential", plan="wuwei-2023")
    intensity = figures(at)[2]
    plotted = [
        float(v) for trace in intensity["data"] for v in trace["y"] if v is not None and not np.isnan(v)
    ]
    assert 1761.13 not in plotted and 1625.42 not in plotted and max(plotted) < 100
    density_before = next(t for t in intensity["data"] if t["xaxis"] == "x2" and t["name"] == "现状")
    assert density_before["x"] == ["居住用地", "工矿用地", "总计(或平均)"]
    assert density_before["y"][0] == 0.0 and all(v is None or np.isnan(v) for v in density_before["y"][1:])
    assert "1761.13" in intensity["layout"]["title"]["subtitle"]["text"]
    warning = rendered_text(at.warning[0].value)
    assert "工矿用地 现状建筑密度 1761.13%" in warning and "总计(或平均) 现状建筑密度 1625.42%" in warning
    shown = table(at, "用途", "指标", "现状", "规划")
    assert len(shown) == 6
    assert shown["现状"].str.endswith("（无效）").sum() == 2
    assert "0.36、0.37似为小数" in " ".join(c.value for c in at.caption)  # 表6-2's note


def test_wuwei_in_mu_converts_areas_not_money():
    at = open_page("potential", plan="wuwei-2023", unit="mu")
    values = [m.value for m in at.metric]
    assert values[:2] == ["1,478.9 亩", "768.2 亩"] and values[3:5] == ["40.47 亿元", "20.45 亿元"]


def test_potential_page_with_filters_leaving_no_records():
    at = open_page("potential", plan="wuwei-2023", zone="城东产业园", type="低效城镇用地")
    assert "侧栏的区县、类型等筛选不改变表中数值" in " ".join(c.value for c in at.caption)
    assert len(figures(at)) == 3


# --- 政策与任务 -------------------------------------------------------------------------------


def test_urumqi_measures_matrix_and_notice():
    at = open_page("policy", plan="urumqi-2025")
    shown = metrics(at)
    assert shown["任务措施"] == "18 项" and shown["措施分组"] == "5 组" and shown["子项措施"] == "6 项"
    groups, matrix = figures(at)
    assert groups["data"][0]["x"] == [5, 2, 7, 3, 1]
    assert groups["data"][0]["y"][0] == "加强国土空间统筹规划"
    assert len(measures_shown(at)) == 24  # 18 + 6 sub-items
    heat = matrix["data"][0]
    assert len(heat["y"]) == 12 and len(heat["x"]) == 23
    row = heat["y"].index("各区人民政府(开发区管委会)")
    assert heat["text"][row][heat["x"].index("7 探索均衡片区征收成本")] == "牵"
    assert heat["text"][row][heat["x"].index("1 加强规划统筹引领")] == "责"
    assert matrix["layout"]["xaxis"]["ticktext"][:3] == ["1", "2", "3"]
    notice = rendered_text(" ".join(m.value for m in at.markdown))
    assert "2025-12-17" in notice and "0991-8878313" in notice and "wlmqszrzyj@163.com" in notice
    assert "10 鼓励低效工业用地盘活" in " ".join(c.value for c in at.caption)


def test_urumqi_search_by_department_and_group():
    at = open_page("policy", plan="urumqi-2025")
    at.text_input(key="policy_department").set_value("财政").run()
    assert not at.exception
    assert measures_shown(at)["编号"].tolist() == ["6", "8", "11", "12"]
    heat = figures(at)[1]["data"][0]
    assert [x.split(" ")[0] for x in heat["x"]] == ["6", "8", "11", "12"]
    at.text_input(key="policy_department").set_value("").run()
    at.multiselect(key="policy_groups").set_value(["强化土地收储支撑"]).run()
    assert measures_shown(at)["编号"].tolist() == ["6", "7"]


def test_liaocheng_matrix_stages_and_policies():
    at = open_page("policy", plan="liaocheng-2020")
    assert len(table(at, "阶段", "时间", "内容")) == 5
    heat = figures(at)[1]["data"][0]
    assert len(heat["x"]) == 18 and "各县（市、区）人民政府" in heat["y"]
    assert len(table(at, "名称", "要点", kind="配套政策")) == 9
    assert len(table(at, "名称", "要点", kind="开发模式")) == 4
    at.toggle(key="policy_matrix_stages").set_value(True).run()
    assert not at.exception
    heat = figures(at)[1]["data"][0]
    assert len(heat["x"]) == 23 and "市文化和旅游局" in heat["y"]


def test_shangdang_measures_without_departments():
    at = open_page("policy", plan="shangdang-2021")
    assert "本规划的措施未列牵头或责任单位。" in infos(at)
    assert len(measures_shown(at)) == 7
    assert len(table(at, "名称", "要点", kind="开发模式")) == 9
    assert "公开征求意见" not in " ".join(m.value for m in at.markdown)


def test_policy_search_matching_nothing():
    at = open_page("policy", plan="huzhou-2023")
    at.text_input(key="policy_department").set_value("不存在的部门").run()
    assert not at.exception
    assert measures_shown(at).empty
    assert "当前筛选条件下没有列出牵头或责任单位的措施。" in infos(at)
