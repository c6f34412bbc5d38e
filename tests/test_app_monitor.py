"""进展监测 (/progress) and 总览's 进展预警 in AppTest, per role, with real accounts and sessions.

Two fixtures: the demonstration plan (huzhou-2023-demo, its simulated reports; built once per
module and copied for each test), and a small hand-made one — 湖州's sample plan with four reports
written here through the workflow (德清县 and 长兴县 in 2024-B1, 德清县 again in 2024-B2), whose
figures are checked by hand below. What a role sees: the figures (equal to
:func:`panhuo.progress.monitor.monitor_for`'s, and by hand), the 目标分解 editor for 管理员 only,
milestone marking for 分析人员 and 管理员, 总览's 预警 only for signed-in users with a role on the
plan; the period choice changes the figures; a breakdown saved through the page writes a version
and an audit row (SQLite, and PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set).
"""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from components import progress_monitor as pm
from panhuo.access import Grant, Role, User
from panhuo.catalog import open_catalog
from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID
from panhuo.progress import Progress
from panhuo.progress.monitor import MonitorSettings, monitor_for
from panhuo.settings import load_settings
from panhuo.store import Store
from tests.accounts import sign_in
from tests.conftest import ROOT
from tests.pages import open_page, rendered_text
from tests.test_app_downloads import downloads, workbook  # noqa: F401 (downloads: a fixture)
from tests.test_store import BACKENDS, PG_URL

HUZHOU = "huzhou-2023"
ROLES = ("anonymous", "reporter", "analyst", "admin")
EDITOR, MILESTONES = "目标分解（管理员）", "时间节点完成情况（分析人员）"


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _data_folder(root) -> None:
    for name in (HUZHOU, "classifications"):
        shutil.copytree(ROOT / "data" / name, root / "data" / name)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    """A store holding the demonstration plan and its simulated reports, made once."""
    root = tmp_path_factory.mktemp("monitor-demo")
    _data_folder(root)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PANHUO_DATA_DIR", str(root / "data"))
        mp.setenv("PANHUO_DATABASE_URL", f"sqlite:///{root / 'template.sqlite'}")
        mp.setenv("PANHUO_DEMO", "1")
        from panhuo.demo import ensure_demo_plan

        ensure_demo_plan(Store.open(load_settings()), load_settings())
    return root


@pytest.fixture
def demo(demo_template, tmp_path, monkeypatch) -> Store:
    shutil.copy(demo_template / "template.sqlite", tmp_path / "demo.sqlite")
    monkeypatch.setenv("PANHUO_DATA_DIR", str(demo_template / "data"))
    monkeypatch.setenv("PANHUO_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite'}")
    monkeypatch.setenv("PANHUO_DEMO", "1")
    _clear_caches()
    yield Store.open()
    _clear_caches()


# --- the hand-made fixture --------------------------------------------------------------------
DEQING, CHANGXING = "22", "48"  # the first 片区 of 德清县 (300 亩) and of 长兴县 (200 亩)
DATES = {"approved_on": "2023-01-10", "supplied_on": "2023-02-01", "started_on": "2023-02-20"}
REPORTS = [  # (区县, period, record, cumulative area in 亩)
    ("德清县", "2024-B1", DEQING, "12.5"),
    ("长兴县", "2024-B1", CHANGXING, "40"),
    ("德清县", "2024-B2", DEQING, "20"),
]


def _write_reports(store: Store) -> None:
    progress, plan = Progress(store), open_catalog().get(HUZHOU)
    analyst = User("fx", "分析员", (Grant(Role.ANALYST, HUZHOU),))
    for county, period, record, area in REPORTS:
        reporter = User(f"r-{county}", "填报员", (Grant(Role.REPORTER, HUZHOU, (county,)),))
        entry = {"record_id": record, "stage": "started", "area": area, "investment": "100", **DATES}
        progress.save_draft(reporter, plan, county, period, [entry], {"progress": "开工"})
        progress.submit(reporter, plan, county, period)
        progress.approve(analyst, plan, county, period)


def _use_store(backend: str, tmp_path, monkeypatch) -> Store:
    _data_folder(tmp_path)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(tmp_path / "data"))
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'small.sqlite'}"
    else:
        url = PG_URL
        Store(url).drop_schema()
    monkeypatch.setenv("PANHUO_DATABASE_URL", url)
    _clear_caches()
    store = Store.open()
    _write_reports(store)
    return store


@pytest.fixture
def small(tmp_path, monkeypatch) -> Store:
    yield _use_store("sqlite", tmp_path, monkeypatch)
    _clear_caches()


@pytest.fixture(params=BACKENDS)
def small_any(request, tmp_path, monkeypatch) -> Store:
    yield _use_store(request.param, tmp_path, monkeypatch)
    _clear_caches()


# --- helpers ----------------------------------------------------------------------------------


def _session(role: str, plan: str) -> dict:
    if role == "anonymous":
        return {}
    return sign_in(role, plan, ("德清县",) if role == "reporter" else ())


def _monitor(store: Store, plan_id: str, period: str | None = None, unit: str = "mu"):
    plan = open_catalog().get(plan_id)
    return monitor_for(Progress(store), plan, period, unit, MonitorSettings.from_settings(load_settings()))


def _metrics(at: AppTest) -> dict[str, str]:
    return {rendered_text(m.label): m.value for m in at.metric}


def _table(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _expanders(at: AppTest) -> list[str]:
    return [rendered_text(e.label) for e in at.expander]


def _texts(elements) -> str:
    return " ".join(rendered_text(e.value) for e in elements)


def _shown_figures(m) -> dict[str, str]:
    return {metric.label: metric.value for metric in pm.headline(m)}


# --- the demonstration plan, per role -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_the_monitor_figures_and_only_its_tools(demo, role):
    at = open_page("progress", session=_session(role, DEMO_PLAN_ID), plan=DEMO_PLAN_ID)
    m = _monitor(demo, DEMO_PLAN_ID)
    assert m.period.id == Progress(demo).default_period(open_catalog().get(DEMO_PLAN_ID)).id
    assert at.selectbox(key=f"monitor_period_{DEMO_PLAN_ID}").value == m.period.id  # the latest
    assert DEMO_LABEL in _texts(at.warning)  # the sidebar's banner
    figures = _metrics(at)
    assert figures == _shown_figures(m)
    assert figures["累计完成"] == f"{pm.area_text(m.city.completed, 'mu')} 亩"
    # the 区县 table: Monitor's, in rank order
    table = _table(at, "排名")
    expected = pm.ranked(m.county_table())
    assert table["区县"].tolist() == expected["区县"].tolist()
    assert table["已完成（亩）"].round(6).tolist() == expected["已完成（亩）"].round(6).tolist()
    assert [v.removeprefix("● ") for v in table["亮灯"]] == expected["亮灯"].tolist()
    assert table["排名"].dropna().is_monotonic_increasing
    # the warnings, with why
    alerts = _table(at, "原因")
    assert len(alerts) == len(m.alerts) and alerts["原因"].tolist() == [a.why for a in m.alerts]
    # charts: 区县 bars, the city's burn-up, the small multiples, the funnel — each marked simulated
    charts = at.get("plotly_chart")
    assert len(charts) >= 4
    import json

    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in charts]
    assert all(DEMO_LABEL in t for t in titles), titles
    # tools by role
    assert (EDITOR in _expanders(at)) is (role == "admin")
    assert (MILESTONES in _expanders(at)) is (role in ("analyst", "admin"))
    assert bool(at.data_editor) is (role == "admin")


def test_an_earlier_period_shows_the_state_approved_then(demo):
    at = open_page("progress", plan=DEMO_PLAN_ID)
    latest = _monitor(demo, DEMO_PLAN_ID)
    earlier = _monitor(demo, DEMO_PLAN_ID, "2025-B1")
    assert earlier.city.completed < latest.city.completed  # the demo advances
    at.selectbox(key=f"monitor_period_{DEMO_PLAN_ID}").set_value("2025-B1").run()
    assert not at.exception
    assert _metrics(at) == _shown_figures(earlier)
    assert at.query_params["period"] == "2025-B1"  # the link says which period
    burnup = next(c for c in at.get("plotly_chart") if "全市累计完成" in c.proto.spec)
    import json

    spec = json.loads(burnup.proto.spec)
    done = next(t for t in spec["data"] if t["name"] == "累计完成")
    # its values are labelled (the y values travel as binary): the last label is the figure shown
    assert [t for t in done["text"] if t][-1] == pm.area_text(earlier.city.completed, "mu")
    # and a link that names a period opens it
    linked = open_page("progress", plan=DEMO_PLAN_ID, period="2024-B6")
    assert linked.selectbox(key=f"monitor_period_{DEMO_PLAN_ID}").value == "2024-B6"
    assert _metrics(linked) == _shown_figures(_monitor(demo, DEMO_PLAN_ID, "2024-B6"))


def test_alerts_first_and_meeting_mode(demo):
    at = open_page("progress", plan=DEMO_PLAN_ID, view="alerts")
    assert next(s.value for s in at.subheader) == "预警"
    screen = open_page("progress", plan=DEMO_PLAN_ID, screen="1")
    assert not screen.data_editor and not screen.expander
    assert [s.value for s in screen.subheader] == ["各区县进展（亮晒比拼）"]
    assert len(screen.get("plotly_chart")) == 2  # the 区县 bars and the city's burn-up
    assert [s.label for s in screen.selectbox if s.key.startswith("monitor")] == ["报送期"]
    # the headline figures drawn big, the same as the page's cards
    big = " ".join(h.proto.body for h in screen.get("html"))
    m = _monitor(demo, DEMO_PLAN_ID)
    assert all(metric.value in big for metric in pm.headline(m)) and not screen.metric


@pytest.mark.parametrize("role", ROLES)
def test_overview_shows_the_warnings_to_signed_in_users_only(demo, role):
    at = open_page("overview", session=_session(role, DEMO_PLAN_ID), plan=DEMO_PLAN_ID)
    shown = "**进展预警**" in " ".join(e.value for e in at.markdown)
    assert shown is (role != "anonymous")
    if shown:
        m = _monitor(demo, DEMO_PLAN_ID)
        assert pm.alert_counts_text(m) in _texts(at.caption)
        first = m.alerts[0]
        shown_alerts = next(d.value for d in at.dataframe if "原因" in d.value.columns)
        assert shown_alerts["原因"].iloc[0] == first.why and len(shown_alerts) == min(5, len(m.alerts))
        (link,) = [p for p in at.get("page_link") if "进展监测" in p.proto.label]
        assert "view=alerts" in link.proto.page or link.proto.query_string.find("view=alerts") >= 0


def test_a_reporter_of_another_plan_sees_no_warnings_on_this_one(demo):
    at = open_page("overview", session=sign_in("reporter", HUZHOU, ("德清县",)), plan=DEMO_PLAN_ID)
    assert "**进展预警**" not in " ".join(e.value for e in at.markdown)


def test_a_cell_of_the_county_table_opens_its_records(demo):
    at = open_page("progress", plan=DEMO_PLAN_ID)
    table = _table(at, "排名")
    county = table["区县"].iloc[1]
    at.session_state["progress_counties"] = {
        "selection": {"rows": [], "columns": [], "cells": [(1, "已完成（亩）")]}
    }
    at.run()
    assert not at.exception
    assert at.session_state["f_county"] == [county]
    assert "明细" in [t.value for t in at.title]


def test_clicked_county_reads_cells_and_rows():
    import pandas as pd

    table = pd.DataFrame({"区县": ["德清县", "长兴县"]})
    assert (
        pm.clicked_county(table, {"selection": {"cells": [(1, "排名")], "rows": []}}) is None
    )  # not an event
    event = type("E", (), {"selection": {"cells": [(1, "排名")], "rows": []}})()
    assert pm.clicked_county(table, event) == "长兴县"
    assert pm.clicked_county(table, type("E", (), {"selection": {"cells": [], "rows": [0]}})()) == "德清县"
    assert pm.clicked_county(table, type("E", (), {"selection": {"cells": [], "rows": []}})()) is None


# --- the hand-made fixture ----------------------------------------------------------------------

# 2024-B2 ends 2024-04-30: 486 of the 1826 days from 2023-01-01 to the target's deadline 2027-12-31
EXPECTED_B2 = 20000 * 486 / 1826  # 5323.1 亩


def test_hand_checked_figures(small):
    at = open_page("progress", session=sign_in("analyst", HUZHOU), plan=HUZHOU, period="2024-B2")
    figures = _metrics(at)
    assert figures["累计完成"] == "60 亩"  # 德清县 20 (its 2024-B2 figure) + 长兴县 40 (carried from 2024-B1)
    assert figures["完成率（目标 20,000 亩）"] == "0.3%"
    assert figures["截至2024年4月30日应完成"] == f"{EXPECTED_B2:,.1f} 亩" == "5,323.1 亩"
    assert figures["全市进度"] == f"红灯（{60 / EXPECTED_B2 * 100:.1f}%）"
    assert figures["本期报送"] == "未报 5 · 逾期 1"  # 德清县 approved after its due date; the rest missing
    assert "未分解到区县" in _texts(at.info)  # no breakdown: the plan's target, said so
    table = _table(at, "排名").set_index("区县")
    assert table.loc["长兴县", "已完成（亩）"] == 40 and table.loc["德清县", "已完成（亩）"] == 20
    assert (table.loc["长兴县", "排名"], table.loc["德清县", "排名"], table.loc["吴兴区", "排名"]) == (
        1,
        2,
        3,
    )
    assert list(table.index[:2]) == ["长兴县", "德清县"]  # 亮晒比拼: rank order
    assert table.loc["德清县", "报送情况"] == "逾期报送" and table.loc["长兴县", "报送情况"] == "逾期未报"
    # warnings: the city behind (red), milestones 1 and 2 past their deadlines, five 区县 missing,
    # 德清县 late
    alerts = _table(at, "原因")
    kinds = alerts.groupby("类型").size().to_dict()
    assert kinds == {"进度滞后": 1, "时间节点逾期": 2, "未按期报送": 5, "逾期报送": 1}
    assert "红色预警 8 条，黄色预警 1 条。" in _texts(at.caption)
    # the earlier period: 德清县 still at 12.5
    at.selectbox(key=f"monitor_period_{HUZHOU}").set_value("2024-B1").run()
    assert _metrics(at)["累计完成"] == "52.5 亩"
    # 公顷 from the sidebar: the same figures in the other unit
    at.radio(key="f_unit").set_value("ha").run()
    assert _metrics(at)["累计完成"] == f"{52.5 / 15:,.2f} 公顷"


def test_the_records_behind_a_warning_are_listed(small):
    at = open_page("progress", session=sign_in("analyst", HUZHOU), plan=HUZHOU, period="2024-B2")
    alerts = _table(at, "原因")
    row = alerts.index[alerts["类型"] == "未按期报送"][0]
    at.session_state["progress_alerts"] = {"selection": {"rows": [int(row)], "columns": []}}
    at.run()
    assert not at.exception
    labels = [b.label for b in at.button]
    assert any(label.startswith("在明细中查看") for label in labels)
    assert "打开进展审核" in labels  # an analyst reviews: the way to the missing report


def test_the_funnel_and_plan_against_actual(small):
    at = open_page("progress", plan=HUZHOU, period="2024-B2")
    m = _monitor(small, HUZHOU, "2024-B2")
    pva = _table(at, "对照计划")
    assert len(pva) == len(m.plan_vs_actual)
    row = pva.set_index("编号").loc[DEQING]
    assert (row["实际阶段"], row["开工日期"]) == ("开工", "2023-02-20")
    at.selectbox(key="progress_pva_county").set_value("德清县").run()
    assert set(_table(at, "对照计划")["区县"]) == {"德清县"}


def test_the_breakdown_editor_is_the_administrators_and_writes_a_version(small_any):
    store = small_any
    plan = open_catalog().get(HUZHOU)
    for role in ("reporter", "analyst"):
        at = open_page("progress", session=_session(role, HUZHOU), plan=HUZHOU)
        assert EDITOR not in _expanders(at) and not at.data_editor
    at = open_page("progress", session=sign_in("admin", HUZHOU), plan=HUZHOU)
    (editor,) = at.data_editor
    assert editor.value["区县"].tolist() == Progress(store).counties(plan)
    shares = {0: 4000, 1: 3000, 2: 2000, 3: 4000, 4: 4000}  # 17000: 3000 short of 20000
    at.session_state[editor.key] = {
        "edited_rows": {i: {"目标": v} for i, v in shares.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "各区县合计 17000 亩，比全市目标 20000 亩少 3000 亩" in _texts(at.warning)
    at.button(key=f"targets_save_{HUZHOU}").click().run()
    assert not at.exception
    assert "须填写说明" in " ".join(_table(at, "建议")["问题"])  # refused: a reason is needed
    assert Progress(store).target_versions(plan) == []
    # the sixth 区县 makes it add up
    (editor,) = at.data_editor
    shares[5] = 3000
    at.session_state[editor.key] = {
        "edited_rows": {i: {"目标": v} for i, v in shares.items()},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert "与全市目标 20000 亩一致" in _texts(at.info)
    at.button(key=f"targets_save_{HUZHOU}").click().run()
    assert not at.exception
    assert "已保存目标分解第 1 版" in _texts(at.success)
    (saved,) = Progress(store).target_versions(plan)
    assert [(s.county, int(s.value)) for s in saved.shares] == list(
        zip(Progress(store).counties(plan), [4000, 3000, 2000, 4000, 4000, 3000], strict=True)
    )
    rows = [e for e in store.audit_entries() if e.kind == "progress_targets_set"]
    assert len(rows) == 1 and rows[0].plan_id == HUZHOU and rows[0].actor_kind == "local"
    assert [s["value"] for s in rows[0].after["shares"]] == ["4000", "3000", "2000", "4000", "4000", "3000"]
    # the monitor now uses the breakdown: 区县 targets in the table, no "not broken down" note
    table = _table(at, "排名").set_index("区县")
    assert table.loc["德清县", "目标（亩）"] == 4000
    assert "未分解到区县" not in _texts(at.info)
    assert _table(at, "设置人")["版本"].tolist() == [1]


def test_an_analyst_marks_a_milestone_done(small):
    at = open_page("progress", session=sign_in("analyst", HUZHOU), plan=HUZHOU, period="2024-B2")
    assert "时间节点逾期" in set(_table(at, "原因")["类型"])
    at.selectbox(key=f"milestone_pick_{HUZHOU}").set_value("1").run()
    at.date_input(
        key=next(d.key for d in at.date_input if d.key.startswith(f"milestone_date_{HUZHOU}"))
    ).set_value(dt.date(2024, 2, 20)).run()
    at.button(key=f"milestone_mark_{HUZHOU}").click().run()
    assert not at.exception
    assert "已将“全面摸底调查”标记为 2024-02-20 完成" in _texts(at.success)
    done = Progress(small).milestones_done(open_catalog().get(HUZHOU))
    assert done["1"].done_on == dt.date(2024, 2, 20)
    assert [e.kind for e in small.audit_entries()].count("progress_milestone_marked") == 1
    alerts = _table(at, "原因")
    assert (alerts["类型"] == "时间节点逾期").sum() == 1  # milestone 2 is still open


def test_summary_tables_download_with_the_demo_label_and_a_recomputed_total(demo, downloads):  # noqa: F811
    at = open_page("progress", plan=DEMO_PLAN_ID)
    m = _monitor(demo, DEMO_PLAN_ID)
    keys = {b.proto.id.rsplit("-", 1)[-1] for b in at.get("download_button")}
    for table in ("progress_counties_dl", "progress_funnel_dl", "progress_pva_dl", "progress_alerts_dl"):
        assert {f"{table}_xlsx", f"{table}_csv"} <= keys, table
    assert {"progress_briefing_pptx", "progress_briefing_pdf"} <= keys  # the 工作简报
    name = f"模拟-{DEMO_PLAN_ID}-区县进展-{m.period.id}.xlsx"
    assert name in downloads.names()
    headers, rows, total, note, _sheet = workbook(downloads[name], "数据性质")
    assert any(DEMO_LABEL in str(line) for line in note) and {r[0] for r in rows} == {DEMO_LABEL}
    col = {h: i for i, h in enumerate(headers)}
    assert [r[col["区县"]] for r in rows] == pm.ranked(m.county_table())["区县"].tolist()
    # the 合计 row: the 区县 targets add up to the city's (the demo's breakdown), the rate recomputed
    assert total[col["已完成（亩）"]] == pytest.approx(m.city.completed)
    assert total[col["目标（亩）"]] == pytest.approx(m.city.target)
    assert total[col["完成率（%）"]] == pytest.approx(m.city.rate / 100, abs=0.0005)  # a % cell
    assert total[col["排名"]] is None
    # the stage table: counts and areas summed, the running totals not
    headers, rows, total, _note, _sheet = workbook(
        downloads[f"模拟-{DEMO_PLAN_ID}-项目阶段-{m.period.id}.xlsx"], "数据性质"
    )
    col = {h: i for i, h in enumerate(headers)}
    assert total[col["个数"]] == len(m.plan_vs_actual) and total[col["达到该阶段及以后（个）"]] is None


@pytest.mark.parametrize(
    ("values", "unit", "labels"),
    [
        ([1.0, 2.5, None], "亩", ["1", "2.5", ""]),
        ([1234.56, 20000.0], "亩", ["1,234.6", "20,000"]),
        ([1.0, 2.0], "公顷", ["1.00", "2.00"]),
        (
            list(range(1, 13)),
            "亩",
            ["", "2", "", "4", "", "6", "", "8", "", "10", "", "12"],
        ),  # the latest kept
    ],
)
def test_chart_labels(values, unit, labels):
    from components.charts_progress import sparse_labels

    assert sparse_labels([float("nan") if v is None else v for v in values], unit) == labels


def test_the_county_bars_carry_their_values_and_lights():
    import pandas as pd

    from components.charts_progress import LIGHT_COLORS, county_bars

    rows = pd.DataFrame(
        {
            "county": ["甲区", "乙县"],
            "completed": [120.0, 40.5],
            "expected": [100.0, 80.0],
            "light": ["green", "red"],
        }
    )
    fig = county_bars(rows, "各区县已完成与应完成", "亩")
    expected, done = fig.data
    assert (expected.name, list(expected.text)) == ("应完成", ["100", "80"])
    assert (done.name, list(done.text)) == ("已完成", ["120", "40.5"])
    assert list(done.marker.color) == [LIGHT_COLORS["green"], LIGHT_COLORS["red"]]
