"""The simulated progress (panhuo/progress/simulate.py): deterministic, plausible (stages only
forward with their dates in order, cumulative figures never falling, area within the record's),
marked 【模拟】, with a few late, returned and missing reports — and only ever for a
demonstration plan.

Store tests run against SQLite always and PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo import demo, units
from panhuo.catalog import open_catalog
from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID, ensure_demo_plan
from panhuo.progress import NARRATIVE, Progress
from panhuo.progress.service import record_frame
from panhuo.progress.simulate import (
    SIM_MARK,
    plan_periods,
    simulate,
    simulate_plan,
    synthetic_plan,
    write_simulation,
)
from panhuo.progress.stages import DEFAULT_STAGES, stage_of
from panhuo.progress.validation import check_entries
from panhuo.settings import load_settings
from panhuo.store import Store
from tests.test_demo import _use
from tests.test_store import BACKENDS

TODAY = dt.date(2026, 12, 2)  # 2026-B5 (9—10月) is the last period ended; 2026-B6 is under way
HUZHOU_COUNTIES = ["吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县"]
STAGE_ORDER = {s.code: s.order for s in DEFAULT_STAGES}


@pytest.fixture(scope="module")
def copy():
    """The demonstration plan as the store makes it (湖州's data, the copy's meta)."""
    source = open_catalog(imports=False).get("huzhou-2023")
    return replace(source, id=DEMO_PLAN_ID, meta=demo.demo_meta(source.meta), origin="demo")


@pytest.fixture(scope="module")
def reports(copy):
    return simulate_plan(copy, TODAY)


def assert_plausible(plan, reports, today: dt.date) -> None:
    """Every invariant the monitoring views rely on, over the approved reports in period order:
    the page's own validation finds nothing to object to (no error, no warning) against the
    previous approved values; stages only forward; dates kept once given, in order, never after
    the period; area and investment never fall and area never exceeds the record's."""
    records = record_frame(plan)[1]
    areas = {
        r["id"]: units.to_ha(r["area"], r["area_unit"] or plan.area_unit) for r in records.to_dict("records")
    }
    last: dict[str, dict] = {}
    for report in sorted((r for r in reports if r.state == "approved"), key=lambda r: r.period.start):
        _cleaned, problems = check_entries(
            report.entries,
            records=records,
            county=report.county,
            previous=last,
            stages=DEFAULT_STAGES,
            unit=plan.area_unit,
            period=report.period,
            today=today,
        )
        assert problems == [], (report.county, report.period.id, problems[:3])
        assert report.period.is_closed(today)
        for entry in report.entries:
            before = last.get(entry["record_id"], {})
            if before:
                assert STAGE_ORDER[entry["stage"]] >= STAGE_ORDER[before["stage"]]
                for key in ("area", "investment"):
                    if before[key]:
                        assert Decimal(entry[key]) >= Decimal(before[key])
                for key in ("approved_on", "supplied_on", "started_on", "completed_on", "accepted_on"):
                    if before[key]:
                        assert entry[key] == before[key]  # a date, once reported, stays
            dates = [entry[s.date_field] for s in DEFAULT_STAGES if s.date_field and entry[s.date_field]]
            assert dates == sorted(dates) and all(d <= report.period.end.isoformat() for d in dates)
            reached = [s for s in DEFAULT_STAGES if s.date_field and s.order <= STAGE_ORDER[entry["stage"]]]
            assert len(dates) == len(reached)
            if entry["area"]:
                assert units.to_ha(entry["area"], plan.area_unit) <= areas[entry["record_id"]]
            assert entry["note"].startswith(SIM_MARK)
            last[entry["record_id"]] = entry
        texts = [report.narrative[key] for key, _label in NARRATIVE]
        assert all(SIM_MARK in text and DEMO_LABEL in text for text in texts)
        assert set(report.narrative) - {key for key, _ in NARRATIVE} <= {"internal"}


# ---------------------------------------------------------------- the generator


def test_the_same_seed_gives_the_same_reports(copy, reports):
    again = simulate_plan(copy, TODAY)
    assert again == reports
    assert [r.entries for r in again] == [r.entries for r in reports]
    other = simulate_plan(copy, TODAY, seed=1)
    assert [r.entries for r in other] != [r.entries for r in reports]


def test_the_copy_gets_several_periods_of_reports_from_the_month_huzhou_issued_its_plan(reports):
    periods = sorted({r.period.id for r in reports})
    # issued 2024-01-30: from 2024-B1 (1—2月) to 2026-B5 (9—10月), the last ended by 2026-12-02
    assert periods[0] == "2024-B1" and periods[-1] == "2026-B5" and len(periods) == 17
    assert {r.county for r in reports} == set(HUZHOU_COUNTIES)
    assert all(len(r.entries) == 26 for r in reports if r.county == "德清县")  # its 26 片区
    assert sum(len(r.entries) for r in reports if r.period.id == "2024-B1") == 66


def test_most_reports_are_approved_some_late_returned_missing_or_waiting(reports):
    states = Counter(r.state for r in reports)
    missing = 17 * 6 - len(reports)
    assert 1 <= missing <= 2
    assert states["submitted"] == 1 and states["approved"] == len(reports) - 1
    assert [r.period.id for r in reports if r.state == "submitted"] == ["2026-B5"]
    returned = [r for r in reports if len(r.revisions) == 2]
    assert 1 <= len(returned) <= 2
    for report in returned:
        first, second = report.revisions
        assert first.state == "returned" and first.review_note.startswith(SIM_MARK)
        assert first.submitted_at < first.reviewed_at < second.submitted_at < second.reviewed_at
    late = [r for r in reports if r.late]
    assert 0 < len(late) < len(reports) // 4
    assert all(r.revisions[-1].submitted_at.date() >= r.period.end for r in reports)
    moments = [m for r in reports for rev in r.revisions for m in (rev.submitted_at, rev.reviewed_at) if m]
    assert max(moments) < dt.datetime(2026, 12, 1, 16)  # before 2026-12-02 began in 北京时间


def test_figures_advance_plausibly_and_pass_every_validation_rule(copy, reports):
    assert_plausible(copy, reports, TODAY)
    last = {e["record_id"]: e for r in reports if r.period.id == "2026-B4" for e in r.entries}
    # by late 2026 the records are spread over the stages, not all done nor all waiting
    spread = Counter(stage_of(e["stage"], DEFAULT_STAGES).plan_stage for e in last.values())
    assert len(spread) >= 3 and spread["已完成"] < 66


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32),
    n=st.integers(1, 40),
    days=st.integers(0, 4 * 365),
    cadence=st.sampled_from([1, 2, 3, 6, 12]),
)
def test_any_seed_size_day_and_cadence_keeps_the_invariants(seed, n, days, cadence):
    plan = synthetic_plan(n, seed=seed, cadence_months=cadence)
    today = dt.date(2024, 1, 1) + dt.timedelta(days=days)
    reports = simulate_plan(plan, today, seed=seed)
    assert_plausible(plan, reports, today)
    assert all(r.period.is_closed(today) for r in reports)
    assert reports == simulate_plan(plan, today, seed=seed)


def test_no_progress_is_ever_made_up_for_a_real_plan(catalog):
    for plan in catalog.plans():
        with pytest.raises(ValueError, match="不是演示规划"):
            simulate_plan(plan, TODAY)


def test_large_synthetic_fixtures_come_from_the_same_generator():
    plan = synthetic_plan(5000, seed=3)
    assert plan.is_demo and len(plan.parcels) == 5000 and plan.parcels["id"].is_unique
    assert plan.title.startswith("【模拟演示】")
    reports = simulate_plan(plan, dt.date(2025, 3, 1), seed=3)
    assert {r.period.id for r in reports} == {
        "2024-B1",
        "2024-B2",
        "2024-B3",
        "2024-B4",
        "2024-B5",
        "2024-B6",
    }
    assert sum(len(r.entries) for r in reports if r.period.id == "2024-B1") == 5000
    assert synthetic_plan(5000, seed=3).parcels.equals(plan.parcels)


def test_simulate_takes_any_records_frame():
    plan = synthetic_plan(30, seed=5)
    frame = record_frame(plan)[1]
    reports = simulate(
        frame, plan_periods(plan), dt.date(2024, 9, 1), unit="亩", seed=5, missing=0, returned=0
    )
    assert len(reports) == 3 * 6 and all(r.state in ("approved", "submitted") for r in reports)


# ---------------------------------------------------------------- the demonstration plan in the store


@pytest.fixture(params=BACKENDS)
def demo_store(request, tmp_path, monkeypatch):
    import streamlit as st_

    _use(request.param, tmp_path, monkeypatch)
    settings_ = load_settings()
    store = Store.open(settings_)
    yield store, settings_
    st_.cache_data.clear()
    st_.cache_resource.clear()


def test_the_demonstration_plan_shows_its_approved_reports(demo_store, reports):
    store, settings_ = demo_store
    ensure_demo_plan(store, settings_, today=TODAY)
    plan = store.load_plan(DEMO_PLAN_ID)
    progress = Progress(store, lambda: TODAY)
    approved = [r for r in reports if r.state == "approved"]
    by_period = Counter(r.period.id for r in approved)
    for period_id, count in by_period.items():
        states = [s.state for s in progress.status(plan, period_id)]
        assert states.count("approved") == count, period_id
    latest = progress.status(plan, "2026-B5")
    assert Counter(s.state for s in latest)["submitted"] == 1
    missing = [(s.county, p) for p in by_period for s in progress.status(plan, p) if s.state == "missing"]
    assert 1 <= len(missing) <= 2
    for report in (r for r in reports if len(r.revisions) == 2):
        history = progress.history(DEMO_PLAN_ID, report.county, report.period.id)
        assert [h.state for h in history] == ["returned", "approved"] and history[1].previous_id == history[
            0
        ].id
        assert all(h.simulated and h.created_by_label == DEMO_LABEL for h in history)
    state = progress.approved_state(plan, "2026-B4")
    assert len(state) == 66 and set(state["state"]) <= {"approved", "carried"}
    expected = {e["record_id"]: e for r in approved if r.period.id <= "2026-B4" for e in r.entries}
    shown = dict(zip(state["id"], state["area"], strict=True))
    assert shown == {rid: e["area"] for rid, e in expected.items()}
    # the approved figures pass the page's validation as the next period's previous values
    assert progress.previous_values(plan, "德清县", "2026-B5")


def test_the_progress_is_simulated_once(demo_store):
    from sqlalchemy import func, select

    from panhuo.store.schema import ProgressEntryRow, ProgressReportRow

    store, settings_ = demo_store

    def count(table) -> int:
        with store.session() as session:
            return session.scalar(select(func.count()).select_from(table))

    ensure_demo_plan(store, settings_, today=TODAY)
    first = (count(ProgressReportRow), count(ProgressEntryRow), len(store.audit_entries()))
    assert first[0] >= 100
    assert ensure_demo_plan(store, settings_, today=TODAY + dt.timedelta(days=90)) == 0
    assert demo.fill_demo_progress(store, TODAY) == 0
    assert (count(ProgressReportRow), count(ProgressEntryRow), len(store.audit_entries())) == first
    with store.session() as session:
        plans = set(session.scalars(select(ProgressReportRow.plan_id)))
    assert plans == {DEMO_PLAN_ID}  # nothing for 湖州 itself, nor any other real plan


def test_the_store_refuses_simulated_reports_for_a_real_plan(demo_store, copy, reports):
    store, _settings = demo_store
    real = store.load_plan("huzhou-2023")
    with pytest.raises(ValueError, match="模拟进展只能写入演示规划"):
        write_simulation(store, real, reports[:1])
    assert Progress(store).report("huzhou-2023", reports[0].county, reports[0].period.id) is None


def test_synthetic_progress_can_be_written_for_benchmarks(demo_store):
    store, _settings = demo_store
    plan = synthetic_plan(120, seed=11)
    today = dt.date(2024, 11, 20)
    reports = simulate_plan(plan, today, seed=11)
    assert write_simulation(store, plan, reports) == len(reports)
    state = Progress(store, lambda: today).approved_state(plan, "2024-B4")
    assert len(state) == 120 and (state["state"] != "none").all()
