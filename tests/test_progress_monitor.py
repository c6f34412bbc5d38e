"""进展监测 figures from a small hand-checked fixture: targets, expected-by-date, rates, lights,
ranks, reporting, funnel, plan against actual and every kind of alert; then the breakdown and
milestone writes through the store (SQLite and PostgreSQL) with their audit rows.

The fixture (numbers worked out by hand, see each expectation):

- plan period 2024—2025, target 100 亩 by 2025, half-year periods 2024-H1 … 2025-H2;
- records A1 甲区 40 亩 (计划实施), A2 甲区 20 亩, B1 乙区 30 亩 (phase 2024), C1 丙县 10 亩;
- breakdown 甲区 60, 乙区 30, 丙县 10 (= 100);
- chosen period 2025-H1, today 2025-08-01: as-of 2025-06-30, 547 of 731 days passed
  (0.748290), due 2025-07-15 has passed.
"""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import select

from panhuo.access import Grant, PermissionDenied, Role, User
from panhuo.loader import plan_from_frames
from panhuo.progress import DEFAULT_STAGES, make_periods
from panhuo.progress.monitor import MonitorSettings, compute_monitor, expected_at, monitor_for
from panhuo.progress.service import CountyStatus, Progress, record_frame
from panhuo.progress.targets import Share, TargetBreakdown, check_breakdown
from panhuo.progress.validation import ProgressRejected
from panhuo.store import Store
from panhuo.store.schema import AuditRow
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_database

TODAY = dt.date(2025, 8, 1)
SHARE = 547 / 731


def fixture_plan():
    meta = {"id": "fixture-2024", "title": "测试规划", "short_title": "测试规划", "kind": "实施方案",
            "counties": ["甲区", "乙区", "丙县"], "period_start": 2024, "period_end": 2025,
            "date": "2024-01-01", "area_unit": "亩", "progress_cadence_months": 6}  # fmt: skip
    parcels = pd.DataFrame(
        {
            "id": ["A1", "A2", "B1", "C1"],
            "name": ["甲一", "甲二", "乙一", "丙一"],
            "county": ["甲区", "甲区", "乙区", "丙县"],
            "area": ["40", "20", "30", "10"],
            "area_unit": ["亩"] * 4,
            "stage": ["计划实施", "", "", ""],
            "phase": ["", "", "2024", ""],
        }
    )
    targets = pd.DataFrame(
        [
            {
                "scope_kind": "plan",
                "scope": "测试市",
                "metric": "area",
                "comparator": ">=",
                "value": "100",
                "unit": "亩",
                "deadline": "2025",
                "note": "",
                "source": "",
            }
        ]
    )
    milestones = pd.DataFrame(
        [
            {"id": "m1", "name": "摸底调查", "start": "", "end": "2024-12", "content": "", "source": ""},
            {"id": "m2", "name": "编制方案", "start": "", "end": "2025-03", "content": "", "source": ""},
            {"id": "m3", "name": "总结评估", "start": "", "end": "2026-01", "content": "", "source": ""},
        ]
    )
    return plan_from_frames(meta, origin="import", parcels=parcels, targets=targets, milestones=milestones)


PERIODS = make_periods(dt.date(2024, 1, 1), 2025, 6, 15)
ENTRIES = [  # period index, 区县, record, stage, area, investment
    (0, "甲区", "A1", "approved", "0", ""),
    (0, "乙区", "B1", "started", "10", ""),
    (1, "甲区", "A1", "started", "10", ""),
    (1, "甲区", "A2", "approved", "0", "100"),
    (1, "乙区", "B1", "started", "10", ""),
    (2, "甲区", "A1", "started", "45", ""),  # above A1's 40 亩: exceeded
    (2, "甲区", "A2", "approved", "0", "80"),  # investment fell
    (2, "乙区", "B1", "started", "20", ""),  # stage unchanged since period 0: stalled (2 periods)
]


def history() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = []
    for index, county, record, stage, area, investment in ENTRIES:
        rows.append({"report_id": index * 10 + len(county), "record_id": record, "stage": stage,
                     "approved_on": None, "supplied_on": None, "started_on": None, "completed_on": None,
                     "accepted_on": None, "area": area, "area_unit": "亩", "investment": investment,
                     "reason": "", "county": county, "period_id": PERIODS[index].id, "period_index": index,
                     "area_ha": float(area) / 15, "investment_value": float(investment) if investment else float("nan")})  # fmt: skip
    entries = pd.DataFrame(rows)
    reports = pd.DataFrame(
        [
            {"county": "甲区", "period_id": "2025-H1", "late": False, "period_index": 2},
            {"county": "乙区", "period_id": "2025-H1", "late": True, "period_index": 2},
        ]
    )
    return entries, reports


STATUSES = [
    CountyStatus("甲区", "approved", dt.date(2025, 7, 15), False),
    CountyStatus("乙区", "approved", dt.date(2025, 7, 15), False),
    CountyStatus("丙县", "missing", dt.date(2025, 7, 15), True),
]
BREAKDOWN = TargetBreakdown(
    "fixture-2024", 1, "亩", "2025",
    (Share("甲区", Decimal(60)), Share("乙区", Decimal(30)), Share("丙县", Decimal(10))),
    plan_target=Decimal(100),
)  # fmt: skip


def monitor(breakdown=BREAKDOWN, period="2025-H1", settings=None, unit=None):
    settings = settings or MonitorSettings(stale_periods=2)
    plan = fixture_plan()
    entries, reports = history()
    return compute_monitor(
        plan, record_frame(plan)[1], entries, reports, STATUSES, PERIODS, period, stages=DEFAULT_STAGES,
        breakdown=breakdown, done={"m2": dt.date(2025, 3, 1)}, unit=unit, settings=settings, today=TODAY,
    )  # fmt: skip


def by_county(m):
    return {r.county: r for r in m.counties}


# county, target, completed, expected, rate %, vs expected %, light, rank, reporting
COUNTY_CASES = [
    ("甲区", 60, 45, 60 * SHARE, 75.0, 45 / (60 * SHARE) * 100, "green", 1, "on_time"),
    ("乙区", 30, 20, 30 * SHARE, 66.667, 20 / (30 * SHARE) * 100, "amber", 2, "late"),
    ("丙县", 10, 0, 10 * SHARE, 0.0, 0.0, "red", 3, "missing"),
]


@pytest.mark.parametrize(
    "county, target, completed, expected, rate, vs, light, rank, reporting", COUNTY_CASES
)
def test_county_rows_against_the_breakdown(
    county, target, completed, expected, rate, vs, light, rank, reporting
):
    row = by_county(monitor())[county]
    assert row.target == pytest.approx(target)
    assert row.completed == pytest.approx(completed)
    assert row.expected == pytest.approx(expected)
    assert row.rate == pytest.approx(rate, abs=1e-3)
    assert row.vs_expected == pytest.approx(vs)
    assert (row.light, row.rank, row.reporting) == (light, rank, reporting)


def test_the_city_row_and_the_as_of_date():
    m = monitor()
    assert m.as_of == dt.date(2025, 6, 30) and m.as_of_text == "2025年6月30日"
    assert m.city.target == 100 and m.city.completed == pytest.approx(65)
    assert m.city.expected == pytest.approx(100 * SHARE)  # 74.83
    assert m.city.vs_expected == pytest.approx(65 / (100 * SHARE) * 100)  # 86.9 %: amber
    assert m.city.light == "amber" and m.target_source == "breakdown"
    assert "与全市目标 100 亩一致" in m.target_note


def test_without_a_breakdown_the_city_target_counts_and_districts_rank_by_area():
    m = monitor(breakdown=None)
    assert m.target_source == "plan" and "目标未分解到区县" in m.target_note and "100 亩" in m.target_note
    rows = by_county(m)
    assert [rows[c].rank for c in ("甲区", "乙区", "丙县")] == [1, 2, 3]
    assert {r.light for r in m.counties} == {"none"} and rows["甲区"].target is None
    assert m.city.expected == pytest.approx(100 * SHARE)
    kinds = {(a.kind, a.county) for a in m.alerts}
    assert ("behind", "") in kinds  # the city is amber
    assert not any(a.kind == "behind" and a.county for a in m.alerts)


def test_yearly_amounts_give_the_expected_value():
    yearly = TargetBreakdown("fixture-2024", 2, "亩", "2025",
                             (Share("甲区", Decimal(60), {2024: Decimal(20), 2025: Decimal(40)}),))  # fmt: skip
    row = by_county(monitor(breakdown=yearly))["甲区"]
    assert row.expected == pytest.approx(20 + 40 * 181 / 365)  # 39.84
    assert expected_at(60, dt.date(2025, 6, 30), dt.date(2024, 1, 1), dt.date(2025, 12, 31),
                       {2024: 20.0}) == pytest.approx(20 + 40 * SHARE)  # fmt: skip


def test_the_unit_converts_every_figure():
    m = monitor(unit="公顷")
    assert m.unit_label == "公顷"
    assert by_county(m)["甲区"].completed == pytest.approx(3.0)  # 45 亩
    assert m.county_table().columns[2] == "目标（公顷）"


# kind, level, 区县, record ids, words in why
ALERT_CASES = [
    ("behind", "amber", "乙区", ("B1",), "为应完成的 89.1%"),
    ("behind", "red", "丙县", ("C1",), "已完成 0 亩"),
    ("milestone", "red", "", (), "2024年12月31日"),
    ("missing", "red", "丙县", (), "2025年7月15日"),
    ("late", "amber", "乙区", (), "晚于期限"),
    ("stale", "amber", "乙区", ("B1",), "开工"),
    ("fell", "amber", "甲区", ("A2",), "低于上期"),
    ("exceeded", "red", "甲区", ("A1",), "超出 5 亩"),
]


@pytest.mark.parametrize("kind, level, county, ids, words", ALERT_CASES)
def test_each_alert(kind, level, county, ids, words):
    found = [a for a in monitor().alerts if a.kind == kind and a.county == county]
    assert len(found) == 1, [a.to_json() for a in monitor().alerts]
    alert = found[0]
    assert alert.level == level and alert.record_ids == ids
    assert words in alert.why


def test_no_other_alerts():
    assert len(monitor().alerts) == len(ALERT_CASES)  # m2 is marked done, m3 is not due, 甲区 is green


def test_funnel_counts_and_areas():
    f = monitor().funnel.set_index("stage_label")
    assert f.loc["未填报", "count"] == 1 and f.loc["未填报", "area"] == 10
    assert f.loc["方案批复", "count"] == 1 and f.loc["方案批复", "area"] == 20
    assert f.loc["开工", "count"] == 2 and f.loc["开工", "area"] == 70
    assert f.loc["供地/签约", "reached_count"] == 2 and f.loc["方案批复", "reached_count"] == 3
    assert f.loc["未填报", "reached_count"] == 4 and f["count"].sum() == 4


def test_plan_against_actual_and_slipped():
    pva = monitor().plan_vs_actual.set_index("id")
    assert pva.loc["A1", "against"] == "超前"  # planned 计划实施, reported 开工 (正在实施)
    assert pva.loc["C1", "stage_label"] == "未填报"
    assert list(monitor().slipped["id"]) == ["B1"]  # phase 2024 passed, only 开工
    assert monitor(period="2024-H1").slipped.empty  # in 2024 the year has not passed


def test_history_shows_the_state_as_approved_then():
    m = monitor(period="2024-H2")
    rows = by_county(m)
    assert rows["甲区"].completed == pytest.approx(10) and rows["乙区"].completed == pytest.approx(10)
    assert m.as_of == dt.date(2024, 12, 31)
    assert not [a for a in m.alerts if a.kind in ("exceeded", "fell")]


def test_burnup_is_cumulative_and_the_trajectory_reaches_the_target():
    b = monitor().burnup
    city = b[b["county"] == "全市"].set_index("period_id")
    assert list(city.index) == ["2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    assert list(city["completed"][:3]) == pytest.approx([10, 20, 65])
    assert pd.isna(city.loc["2025-H2", "completed"])  # after the chosen period
    assert city.loc["2025-H2", "expected"] == pytest.approx(100)
    jia = b[b["county"] == "甲区"].set_index("period_id")
    assert list(jia["completed"][:3]) == pytest.approx([0, 10, 45])


def test_tables_have_chinese_headers_and_numbers():
    table = monitor().county_table()
    assert list(table.columns[:5]) == ["排名", "区县", "目标（亩）", "已完成（亩）", "截至期末应完成（亩）"]
    assert table["已完成（亩）"].sum() == pytest.approx(65)
    alerts = monitor().alert_table()
    assert set(alerts["级别"]) == {"红色预警", "黄色预警"} and len(alerts) == len(ALERT_CASES)


# --- the breakdown check -------------------------------------------------------------------

BREAKDOWN_CASES = [
    ([("甲区", "60"), ("乙区", "30"), ("丙县", "10")], [], "与全市目标 100 亩一致"),
    ([("甲区", "60"), ("乙区", "30")], [], "比全市目标 100 亩少 10 亩"),
    ([("甲区", "60"), ("乙区", "50")], [], "多 10 亩"),
    ([("甲区", "60"), ("丁区", "40")], ["“丁区”不是本规划的区县"], ""),
    ([("甲区", "60"), ("甲区", "40")], ["区县重复"], ""),
    ([("甲区", "-5")], ["目标不能为负数或过大"], ""),
]


@pytest.mark.parametrize("pairs, errors, text", BREAKDOWN_CASES)
def test_check_breakdown(pairs, errors, text):
    shares = [Share(c, Decimal(v)) for c, v in pairs]
    check, problems = check_breakdown(fixture_plan(), shares, "亩", "2025")
    assert [p.problem for p in problems if p.severity == "error"] == errors
    assert text in check.text


def test_yearly_amounts_are_checked():
    share = Share("甲区", Decimal(60), {2024: Decimal(50), 2025: Decimal(20), 2030: Decimal(1)})
    _check, problems = check_breakdown(fixture_plan(), [share], "亩", "2025")
    words = [p.problem for p in problems if p.severity == "error"]
    assert any("2030年不在规划期" in w for w in words) and any("超过目标 60" in w for w in words)


# --- writes through the store -----------------------------------------------------------------

PLAN = "huzhou-2023"
ADMIN = User("gl", "管理员", (Grant(Role.ADMIN, PLAN),))
ANALYST = User("fx", "分析员", (Grant(Role.ANALYST, PLAN),))


@pytest.fixture(params=BACKENDS)
def progress(request, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    for name in (PLAN, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database(request.param, tmp_path, monkeypatch)
    return Progress(Store.open(), today=lambda: dt.date(2024, 7, 20))


def huzhou_shares(total: int = 20000):
    counties = ["吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县"]
    values = [3000, 3000, 2000, 5000, 4000, total - 17000]
    return [Share(c, Decimal(v)) for c, v in zip(counties, values, strict=True)]


def test_breakdown_versions_audit_and_refusals(progress):
    plan = progress.store.load_plan(PLAN) if hasattr(progress.store, "load_plan") else None
    from panhuo.catalog import open_catalog

    plan = open_catalog(imports=False).get(PLAN)
    with pytest.raises(PermissionDenied):
        progress.set_targets(ANALYST, plan, huzhou_shares(), unit="亩", deadline="2027")
    with pytest.raises(ProgressRejected) as refused:
        progress.set_targets(ADMIN, plan, huzhou_shares(19000), unit="亩", deadline="2027")
    assert "比全市目标 20000 亩少 1000 亩" in str(refused.value.problems[0].problem)
    assert progress.targets(plan) is None  # nothing written
    first = progress.set_targets(ADMIN, plan, huzhou_shares(), unit="亩", deadline="2027")
    second = progress.set_targets(ADMIN, plan, huzhou_shares(19000), unit="亩", deadline="2027",
                                  reason="长合区另行下达 1000 亩")  # fmt: skip
    assert (first.version, second.version) == (1, 2)
    assert progress.targets(plan).check.difference == Decimal(-1000)
    assert [b.total for b in progress.target_versions(plan)] == [Decimal(20000), Decimal(19000)]
    with progress.store.session() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.kind == "progress_targets_set")).all()
        assert [r.actor for r in rows] == ["gl", "gl"]
        assert "少 1000 亩" in rows[1].summary
    m = monitor_for(progress, plan, "2024-B3")
    assert m.target_source == "breakdown" and "长合区另行下达" in m.target_note
    assert {r.county: r.target for r in m.counties}["德清县"] == 5000


def test_milestones_marked_done_leave_the_alerts(progress):
    from panhuo.catalog import open_catalog

    plan = open_catalog(imports=False).get(PLAN)
    before = [a.title for a in monitor_for(progress, plan, "2024-B3").alerts if a.kind == "milestone"]
    assert "时间节点“全面摸底调查”已过期限" in before
    with pytest.raises(PermissionDenied):
        progress.mark_milestone(User("x", "访客"), plan, "1", dt.date(2024, 2, 20))
    progress.mark_milestone(ANALYST, plan, "1", dt.date(2024, 2, 20), "已上图入库")
    after = [a.title for a in monitor_for(progress, plan, "2024-B3").alerts if a.kind == "milestone"]
    assert "时间节点“全面摸底调查”已过期限" not in after and len(after) == len(before) - 1
    progress.mark_milestone(ANALYST, plan, "1", None)
    assert "1" not in progress.milestones_done(plan)
    with pytest.raises(ValueError, match="没有编号"):
        progress.mark_milestone(ANALYST, plan, "99", dt.date(2024, 2, 20))
    with progress.store.session() as session:
        kinds = session.scalars(
            select(AuditRow.kind).where(AuditRow.kind == "progress_milestone_marked")
        ).all()
        assert len(kinds) == 2


def test_a_plan_with_no_reports_shows_zero_and_every_report_missing(progress):
    from panhuo.catalog import open_catalog

    plan = open_catalog(imports=False).get(PLAN)
    m = monitor_for(progress, plan)
    assert m.period.id == "2024-B3" and m.city.completed == 0
    assert {r.reporting for r in m.counties} == {"missing"}
    assert len([a for a in m.alerts if a.kind == "missing"]) == 6


def test_internal_marks_survive_a_save_that_carries_none(progress):
    """A workbook upload has no column for 仅内部使用: the marks the report has stay; the form
    always sends its marks, so unticking removes them."""
    from panhuo.catalog import open_catalog

    plan = open_catalog(imports=False).get(PLAN)
    reporter = User("dq", "德清填报员", (Grant(Role.REPORTER, PLAN, ("德清县",)),))
    text = {"progress": "推进中", "difficulties": "资金缺口", "internal": ["difficulties"]}
    progress.save_draft(reporter, plan, "德清县", "2024-B3", [], text)
    progress.save_draft(
        reporter, plan, "德清县", "2024-B3", [], {"progress": "推进中", "difficulties": "资金缺口"}
    )
    assert progress.report(PLAN, "德清县", "2024-B3").narrative["internal"] == ["difficulties"]
    progress.save_draft(reporter, plan, "德清县", "2024-B3", [], {**text, "internal": []})
    assert "internal" not in progress.report(PLAN, "德清县", "2024-B3").narrative


def test_a_breakdown_in_hectares_matches_a_target_in_mu():
    """20000 亩 = 1333.3333… 公顷: shares entered to 0.01 公顷 match, the tail is said."""
    plan = fixture_plan()  # 100 亩 = 6.6667 公顷
    shares = [Share("甲区", Decimal("4.00")), Share("乙区", Decimal("2.00")), Share("丙县", Decimal("0.67"))]
    check, problems = check_breakdown(plan, shares, "公顷", "2025")
    assert check.matches and not [p for p in problems if p.severity == "error"]
    assert "一致（单位换算的尾差" in check.text


def test_a_correction_after_approval_keeps_the_report_on_time():
    entries, reports = history()
    reports = reports.assign(late=[False, False])
    m = compute_monitor(fixture_plan(), record_frame(fixture_plan())[1], entries, reports, STATUSES, PERIODS,
                        "2025-H1", stages=DEFAULT_STAGES, breakdown=BREAKDOWN, today=TODAY)  # fmt: skip
    assert by_county(m)["乙区"].reporting == "on_time"


def test_exactly_on_target_is_green_and_ties_share_a_rank():
    rows = [(2, "甲区", "A2", "approved", "7.6", ""), (2, "甲区", "A1", "started", "22.4", "")]
    entries = pd.DataFrame(
        [
            {
                "report_id": 1,
                "record_id": r,
                "stage": s,
                "started_on": None,
                "completed_on": None,
                "accepted_on": None,
                "area": a,
                "area_unit": "亩",
                "investment": "",
                "county": c,
                "period_id": PERIODS[i].id,
                "period_index": i,
                "area_ha": float(a) / 15,
                "investment_value": float("nan"),
            }
            for i, c, r, s, a, _inv in rows
        ]
    )
    shares = (Share("甲区", Decimal(30)), Share("乙区", Decimal(30)), Share("丙县", Decimal(10)))
    m = compute_monitor(fixture_plan(), record_frame(fixture_plan())[1], entries, history()[1], STATUSES,
                        PERIODS, "2025-H2", stages=DEFAULT_STAGES, today=dt.date(2026, 2, 1),
                        breakdown=TargetBreakdown("fixture-2024", 1, "亩", "2025", shares))  # fmt: skip
    row = by_county(m)["甲区"]
    assert row.completed == 30 and row.rate == 100 and row.light == "green" and row.rank == 1


def test_a_milestone_marked_done_later_still_warns_for_the_period_before():
    m = compute_monitor(fixture_plan(), record_frame(fixture_plan())[1], *history(), STATUSES, PERIODS,
                        "2025-H1", stages=DEFAULT_STAGES, breakdown=BREAKDOWN, today=TODAY,
                        done={"m1": dt.date(2025, 7, 20), "m2": dt.date(2025, 3, 1)})  # fmt: skip
    assert [a.title for a in m.alerts if a.kind == "milestone"] == ["时间节点“摸底调查”已过期限"]


def test_a_period_not_begun_is_refused_and_records_without_a_county_have_a_row():
    with pytest.raises(ValueError, match="尚未开始"):
        compute_monitor(fixture_plan(), record_frame(fixture_plan())[1], *history(), STATUSES, PERIODS,
                        "2025-H2", stages=DEFAULT_STAGES, today=dt.date(2025, 6, 1))  # fmt: skip
    plan = fixture_plan()
    records = record_frame(plan)[1]
    records.loc[records["id"] == "C1", "county"] = ""
    m = compute_monitor(plan, records, *history(), STATUSES, PERIODS, "2025-H1", stages=DEFAULT_STAGES,
                        today=TODAY)  # fmt: skip
    rows = by_county(m)
    assert rows["（未填区县）"].records == 1 and sum(r.records for r in m.counties) == m.city.records == 4
