"""Benchmarks of progress at scale (run with `make bench`): the simulated fixtures come from the
same generator as the demonstration plan (:mod:`panhuo.progress.simulate`).

Timings are measured here, never asserted inside tests; the asserts only check the work was done.
"""

import datetime as dt

import pytest

from panhuo.progress import Progress
from panhuo.progress.simulate import simulate_plan, synthetic_plan, write_simulation
from panhuo.store import Store

N_RECORDS = 5_000
TODAY = dt.date(2025, 3, 1)  # six bimonthly periods of 2024 have ended


@pytest.fixture(scope="module")
def plan():
    return synthetic_plan(N_RECORDS, seed=1)


def test_simulate_5000_records(benchmark, plan):
    reports = benchmark(simulate_plan, plan, TODAY, seed=1)
    assert sum(len(r.entries) for r in reports if r.period.id == "2024-B1") == N_RECORDS


@pytest.fixture(scope="module")
def filled(plan, tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('bench') / 'progress.sqlite'}")
    store.ensure_schema()
    write_simulation(store, plan, simulate_plan(plan, TODAY, seed=1))
    return store


def test_approved_state_of_5000_records(benchmark, plan, filled):
    state = benchmark(Progress(filled, lambda: TODAY).approved_state, plan, "2024-B6")
    assert len(state) == N_RECORDS and (state["state"] != "none").all()
