"""Benchmarks of 进展监测 (run with `make bench`): a generated plan of 100,000 records with 12
bimonthly periods of approved reports (1.2 million entries), side by side with the naive way.

- ``history``: every approved entry in one query (the page's first load; cached afterwards);
- ``token``: what a rerun asks the database (has anything been written?);
- ``compute``: the monitoring figures from the cached history (what a rerun costs);
- ``naive``: the same burn-up the obvious way, one :meth:`Progress.approved_state` per period.

Timings are measured, never asserted; the asserts check the work was done.
"""

import datetime as dt

import pytest

from panhuo.access import CountyScope
from panhuo.progress import Progress
from panhuo.progress.monitor import compute_monitor
from panhuo.progress.service import record_frame
from panhuo.progress.simulate import simulate_plan, synthetic_plan, write_simulation
from panhuo.store import Store

N_RECORDS = 100_000
TODAY = dt.date(2026, 1, 20)  # 2024-B1 … 2025-B6 have ended: 12 periods
PERIODS = 12


@pytest.fixture(scope="module")
def plan():
    return synthetic_plan(N_RECORDS, seed=1)


@pytest.fixture(scope="module")
def filled(plan, tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('bench') / 'monitor.sqlite'}")
    store.ensure_schema()
    reports = [r for r in simulate_plan(plan, TODAY, seed=1, missing=0, pending=0) if r.period.start.year < 2026]
    write_simulation(store, plan, reports)
    return Progress(store, lambda: TODAY)


@pytest.fixture(scope="module")
def history(plan, filled):
    return filled.approved_history(plan)


def _compute(progress, plan, history, period_id):
    return compute_monitor(
        plan,
        record_frame(plan, CountyScope())[1],
        history.entries,
        history.reports,
        progress.status(plan, period_id),
        progress.periods(plan),
        period_id,
        stages=progress.stages(plan),
        breakdown=progress.targets(plan),
        done=progress.milestones_done(plan),
        today=TODAY,
    )


def test_history_of_100k_records_12_periods(benchmark, plan, filled):
    history = benchmark.pedantic(filled.approved_history, args=(plan,), rounds=2, iterations=1)
    assert history.entries["period_index"].nunique() == PERIODS
    assert len(history.entries) == N_RECORDS * PERIODS


def test_token_of_100k_records(benchmark, plan, filled):
    assert benchmark(filled.history_token, plan)


def test_compute_monitor_100k_records(benchmark, plan, filled, history):
    m = benchmark.pedantic(_compute, args=(filled, plan, history, "2025-B6"), rounds=3, iterations=1)
    assert sum(r.records for r in m.counties) == N_RECORDS
    assert m.burnup["period_id"].nunique() >= PERIODS


def test_naive_burnup_100k_records(benchmark, plan, filled):
    """One approved_state per period: what the burn-up costs without the history frame."""

    def naive():
        return [filled.approved_state(plan, p.id) for p in filled.periods(plan)[:PERIODS]]

    states = benchmark.pedantic(naive, rounds=1, iterations=1)
    assert len(states) == PERIODS and len(states[-1]) == N_RECORDS
