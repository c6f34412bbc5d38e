"""时序安排 in the domain: stages and deadlines with a fixed today, quantities per period from
无为市 表7-2 and 上党区 第四章, 湖州's stages against ≥ 20000 亩."""

from __future__ import annotations

from datetime import date

import pytest

from components import charts_timeline
from panhuo import timeline
from panhuo.units import parse_number

TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def plans(catalog):
    return {pid: catalog.get(pid) for pid in catalog.ids()}


def test_liaocheng_has_five_stages_with_their_deadlines(plans):
    frame = timeline.milestone_frame(plans["liaocheng-2020"], TODAY)
    assert list(frame["name"]) == [
        "调查摸底阶段",
        "标图入库阶段",
        "规划编制阶段",
        "年度计划和方案编制阶段",
        "规范有序实施",
    ]
    assert list(frame["period_text"]) == [
        "2020年10月前",
        "2020年11月前",
        "2020年12月前",
        "2021年2月前",
        "2021年起",
    ]
    assert list(frame["shape"]) == ["deadline"] * 4 + ["open"]
    assert frame["end"].iloc[3] == date(2021, 2, 28)
    # five stages share one list of responsible departments, printed once after stage (五)
    assert frame["responsible"].nunique() == 1 and "市自然资源和规划局" in frame["responsible"].iloc[0]


def test_urumqi_three_stages(plans):
    frame = timeline.milestone_frame(plans["urumqi-2025"], TODAY)
    stages = frame[frame["name"].str.endswith("阶段")]
    assert list(stages["name"]) == ["准备部署阶段", "推进实施阶段", "总结提升阶段"]
    assert stages[["start", "end"]].values.tolist() == [
        [None, date(2025, 12, 31)],
        [date(2026, 1, 1), date(2027, 9, 30)],
        [date(2027, 6, 1), date(2027, 9, 30)],
    ]
    assert list(stages["status"]) == ["已到期", "进行中", "未开始"]
    later = timeline.milestone_frame(plans["urumqi-2025"], date(2027, 7, 1))
    assert later.set_index("name").loc[["推进实施阶段", "总结提升阶段"], "status"].tolist() == [
        "进行中",
        "进行中",
    ]


def test_huzhou_steps_five_undated(plans):
    frame = timeline.milestone_frame(plans["huzhou-2023"], TODAY)
    assert len(frame) == 8
    assert (frame["shape"] == "undated").sum() == 5
    assert frame.set_index("name").loc["方案有效期", "end"] == date(2027, 9, 30)
    assert frame.set_index("name").loc["编制工作方案和年度计划", "period_text"] == "2024年1月31日前"
    assert len(timeline.dated(frame)) == 3


def test_metrics_name_the_next_date(plans):
    frame = timeline.milestone_frame(plans["urumqi-2025"], TODAY)
    metrics = {m.label: (m.value, m.help) for m in timeline.milestone_metrics(frame, TODAY)}
    assert metrics["阶段与时间节点"][0] == "8 个"
    assert metrics["进行中"][0] == "1 个"
    assert metrics["下一个时间节点"] == ("2027-03-01", "低效用地数据库更新申请（2027年）截止")
    hz = timeline.milestone_frame(plans["huzhou-2023"], TODAY)
    assert {m.label: m.value for m in timeline.milestone_metrics(hz, TODAY)}["未载明时间"] == "5 个"


def test_milestone_table_lists_departments(plans):
    table = timeline.milestone_table(timeline.milestone_frame(plans["huzhou-2023"], TODAY))
    assert list(table.columns) == ["名称", "时间", "状态", "工作内容", "牵头单位", "责任单位", "说明", "出处"]
    assert table.set_index("名称").loc["完善配套政策", "牵头单位"] == "各区县政府"


def _table_7_2(plan):
    table = timeline.schedule_table(plan)
    total = table.frame[table.frame["row_kind"] == "total"].iloc[0]
    return {year: (int(total[f"{year}年_数量"]), float(parse_number(total[f"{year}年_面积"]))) for year in
            ("2023", "2024", "2025")}  # fmt: skip


def test_wuwei_per_year_matches_table_7_2(plans):
    plan = plans["wuwei-2023"]
    printed = _table_7_2(plan)
    assert printed == {"2023": (3, 25.32), "2024": (4, 20.68), "2025": (8, 34.8)}
    totals = timeline.period_totals(plan.parcels, None, "ha")
    got = {r.period: (r.count, r.area_value) for r in totals.itertuples()}
    assert got == {year: (count, pytest.approx(area)) for year, (count, area) in printed.items()}


def test_wuwei_by_zone_matches_table_7_2_rows(plans):
    plan = plans["wuwei-2023"]
    rows = timeline.schedule_table(plan).data_rows.set_index("区片名称")
    totals = timeline.period_totals(plan.parcels, "zone", "ha")
    for r in totals.itertuples():
        assert r.count == int(rows.loc[r.group, f"{r.period}年_数量"])
        assert r.area_value == pytest.approx(float(rows.loc[r.group, f"{r.period}年_面积"]))
    assert len(totals) == 10  # the non-zero cells of 表7-2


def test_wuwei_by_type(plans):
    totals = timeline.period_totals(plans["wuwei-2023"].parcels, "type", "ha")
    cell = totals.set_index(["period", "group"])
    assert cell.loc[("2025", "低效农村用地"), "count"] == 4  # 城东产业园 2 + 城南和城中片区 2
    assert cell.loc[("2025", "低效农村用地"), "area_value"] == pytest.approx(4.39 + 0.85)
    assert cell.loc[("2025", "低效城镇用地"), "area_value"] == pytest.approx(6.72)


def test_wuwei_cumulative_against_the_target(plans):
    plan = plans["wuwei-2023"]
    cumulative = timeline.cumulative_frame(timeline.period_totals(plan.parcels, "type", "ha"), "ha")
    assert list(cumulative["cumulative"]) == pytest.approx([25.32, 46.00, 80.80])
    assert list(cumulative["cumulative_count"]) == [3, 7, 15]
    targets = timeline.area_targets(plan, "ha")
    checks = timeline.target_checks(cumulative, targets, "ha")
    # 表7-2 prints a total of 80.81 while its years add up to 80.80
    assert checks[["target", "planned_text", "gap_text", "verdict"]].values.tolist() == [
        ["80.81 公顷", "80.80 公顷", "-0.01 公顷", "不一致"]
    ]
    points = timeline.target_points(cumulative, targets, "ha")
    assert points.to_dict("records") == [
        {"x": "2025年", "value": 80.81, "label": "目标 80.81 公顷（2025年）"}
    ]


def test_shangdang_near_and_long_term(plans):
    plan = plans["shangdang-2021"]
    totals = timeline.period_totals(plan.parcels, None, "ha")
    assert totals[["label", "count", "area_value"]].values.tolist() == [
        ["2021—2025年", 13, pytest.approx(26.15)],
        ["2025—2035年", 76, pytest.approx(120.44)],
    ]
    by_type = timeline.period_totals(plan.parcels, "type", "ha").set_index(["period", "group"])
    assert by_type.loc[("2021-2025", "旧厂矿"), ["count", "area_value"]].tolist() == [
        12,
        pytest.approx(24.80),
    ]
    cumulative = timeline.cumulative_frame(totals, "ha")
    checks = timeline.target_checks(cumulative, timeline.area_targets(plan, "ha"), "ha")
    assert checks[["deadline", "planned_text", "gap_text", "verdict"]].values.tolist() == [
        ["2025", "26.15 公顷", "+1.35 公顷", "不一致"],  # 第三章 prints 24.80 for 2025, 第四章 26.15
        ["2035", "146.59 公顷", "0.00 公顷", "一致"],
    ]


def test_huzhou_stages_against_20000_mu(plans):
    plan = plans["huzhou-2023"]
    assert not timeline.has_phases(plan.zones) and timeline.has_stages(plan.zones)
    stages = timeline.stage_totals(plan.zones, None, "mu")
    assert stages[["period", "count", "area_value"]].values.tolist() == [
        ["正在实施", 44, 16603.0],
        ["计划实施", 20, 6280.0],
        ["储备", 2, 860.0],
    ]
    cumulative = timeline.cumulative_frame(stages, "mu", running_label=True)
    assert list(cumulative["label"]) == ["正在实施", "+计划实施", "+储备"]
    assert list(cumulative["cumulative"]) == [16603.0, 22883.0, 23743.0]
    targets = timeline.area_targets(plan, "mu")
    points = timeline.target_points(cumulative, targets, "mu")
    assert points.to_dict("records") == [{"x": None, "value": 20000.0, "label": "目标 ≥ 20,000 亩（2027年）"}]
    assert timeline.ladder_check(cumulative, targets, "mu") == [
        "目标 ≥ 20000 亩（2027年）：正在实施 16,603 亩，为目标的 83.0%；清单合计 23,743 亩，为目标的 118.7%。"
    ]


def test_stack_options(plans):
    assert timeline.stack_options(plans["wuwei-2023"]) == [("type", "类型"), ("zone", "片区")]
    assert timeline.stack_options(plans["shangdang-2021"]) == [("type", "类型")]
    assert timeline.stack_options(plans["huzhou-2023"]) == [("county", "区县"), ("category", "类别")]


def test_period_row_and_empty_plans(plans):
    row = timeline.period_row(plans["wuwei-2023"], TODAY)
    assert row[["period_text", "status"]].values.tolist() == [["2023—2025年", "已结束"]]
    assert timeline.period_row(plans["liaocheng-2020"], TODAY).empty  # no end year printed
    assert timeline.milestone_frame(plans["wuwei-2023"], TODAY).empty
    assert timeline.period_totals(plans["urumqi-2025"].zones, None, "ha").empty


def test_gantt_draws_bars_diamonds_and_today(plans):
    frame = timeline.dated(timeline.milestone_frame(plans["liaocheng-2020"], TODAY))
    figure = charts_timeline.gantt(frame, "", TODAY)
    kinds = [(trace.type, getattr(trace, "mode", None)) for trace in figure.data]
    assert kinds.count(("scatter", "markers")) == 4 and kinds.count(("bar", None)) == 1
    assert figure.layout.shapes[0].x0 == pytest.approx(1780272000000.0)  # 2026-06-01 in ms
    assert figure.layout.annotations[0].text == "今天 2026-06-01"
