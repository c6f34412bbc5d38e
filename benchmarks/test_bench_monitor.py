"""Benchmarks of 进展监测 (run with `make bench`): a generated plan of 100,000 records with 12
bimonthly periods of approved reports (1.2 million entries), side by side with the naive way.

- ``history``: every approved entry in one query (the page's first load; cached afterwards);
- ``token``: what a rerun asks the database (has anything been written?);
- ``compute``: the monitoring figures from the cached history (what a rerun costs);
- ``naive``: the obvious way, :meth:`Progress.approved_state` (one ORM object per entry, one
  dict per record) for the latest period — the burn-up would need it once per period (×12).

The 1.2-million-entry database takes about ten minutes to generate; it is kept in
``$PANHUO_BENCH_CACHE`` (default ``/tmp/panhuo-bench``) and reused while it holds what it should.

Timings are measured, never asserted; the asserts check the work was done.
"""

import datetime as dt
import os
from pathlib import Path

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


def filled_store(plan) -> Store:
    """The benchmark database: generated once, then reused from the cache folder."""
    folder = Path(os.environ.get("PANHUO_BENCH_CACHE", "/tmp/panhuo-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"monitor-{N_RECORDS}-{PERIODS}.sqlite"
    if path.exists():
        store = Store(f"sqlite:///{path}")
        history = Progress(store, lambda: TODAY).approved_history(plan)
        if len(history.entries) == N_RECORDS * PERIODS:
            return store
        store.engine.dispose()
        path.unlink()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    store = Store(f"sqlite:///{partial}")
    store.ensure_schema()
    reports = [
        r for r in simulate_plan(plan, TODAY, seed=1, missing=0, pending=0) if r.period.start.year < 2026
    ]
    write_simulation(store, plan, reports)
    store.engine.dispose()
    partial.rename(path)
    return Store(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def filled(plan):
    return Progress(filled_store(plan), lambda: TODAY)


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
        cache=history.cache,
    )


def test_history_of_100k_records_12_periods(benchmark, plan, filled):
    history = benchmark.pedantic(filled.approved_history, args=(plan,), rounds=2, iterations=1)
    assert history.entries["period_index"].nunique() == PERIODS
    assert len(history.entries) == N_RECORDS * PERIODS


def test_token_of_100k_records(benchmark, plan, filled):
    assert benchmark(filled.history_token, plan)


def test_prepare_arrays_100k_records(benchmark, plan, filled, history):
    """The arrays by record and period, made once per history (the first view after a write)."""

    def first():
        history.cache.clear()
        return _compute(filled, plan, history, "2025-B6")

    m = benchmark.pedantic(first, rounds=2, iterations=1)
    assert sum(r.records for r in m.counties) == N_RECORDS


def test_compute_monitor_100k_records(benchmark, plan, filled, history):
    """Any period's figures once the arrays are made (choosing another period on the page)."""
    _compute(filled, plan, history, "2025-B6")
    m = benchmark.pedantic(_compute, args=(filled, plan, history, "2025-B3"), rounds=3, iterations=1)
    assert sum(r.records for r in m.counties) == N_RECORDS
    assert m.burnup["period_id"].nunique() >= PERIODS


def test_naive_state_of_one_period_100k_records(benchmark, plan, filled):
    """approved_state of the latest period: the burn-up the naive way needs this 12 times."""
    state = benchmark.pedantic(filled.approved_state, args=(plan, "2025-B6"), rounds=1, iterations=1)
    assert len(state) == N_RECORDS and (state["state"] == "approved").all()
