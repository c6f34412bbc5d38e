"""The 进展监测 page rendered server-side (AppTest runs app.py as a browser would), for the
demonstration plan and for the generated plan of 100,000 records with 12 periods of approved
reports (benchmarks/test_bench_monitor.py makes and keeps its database).

``first``: a fresh server's first view (reads the history, prepares the arrays, builds the
charts); ``rerun``: every later run of the page (a click, a filter) — the cached figures after a
one-row check that nothing was written. Timings are measured, never asserted.
"""

import datetime as dt
import shutil

import pytest

from benchmarks.test_bench_monitor import N_RECORDS, TODAY, filled_store
from panhuo.access import SYSTEM
from panhuo.demo import DEMO_PLAN_ID
from panhuo.progress.simulate import synthetic_plan
from panhuo.store.schema import PlanRow
from panhuo.store.versions import add_version
from tests.pages import open_page

TIMEOUT = 600


def _open(plan_id: str):
    at = open_page("progress", plan=plan_id, timeout=TIMEOUT)
    at.run()
    return at


@pytest.fixture
def demo_server(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "demo.sqlite"))
    monkeypatch.setenv("PANHUO_DEMO", "1")
    at = open_page("progress", plan=DEMO_PLAN_ID, timeout=TIMEOUT)  # makes the demonstration copy
    at.run()
    return at


def test_progress_page_demo_rerun(benchmark, demo_server):
    at = benchmark.pedantic(demo_server.run, rounds=5, iterations=1)
    assert not at.exception and "进展监测" in [t.value for t in at.title]


@pytest.fixture(scope="module")
def big_db(tmp_path_factory):
    """A copy of the benchmark database with the generated plan stored as a demonstration plan."""
    plan = synthetic_plan(N_RECORDS, seed=1)
    store = filled_store(plan)
    path = tmp_path_factory.mktemp("page") / "big.sqlite"
    store.engine.dispose()
    shutil.copy(store.url.removeprefix("sqlite:///"), path)
    from panhuo.store import Store

    copy = Store(f"sqlite:///{path}")
    frame = plan.parcels
    with copy.writing() as session:
        session.add(PlanRow(id=plan.id, origin="demo", meta=plan.meta))
        session.flush()
        columns = [
            c for c in ("id", "name", "county", "type", "area", "area_unit", "stage", "source") if c in frame
        ]
        add_version(session, plan.id, "parcels", frame[columns].astype(str).to_dict("records"), columns, [],
                    origin="demo", data_origin="demo", source_name="合成", source_sha="bench", make_current=True,
                    extra={}, note="基准测试", author=SYSTEM)  # fmt: skip
    copy.engine.dispose()
    return path, plan.id


def test_progress_page_100k_first_and_rerun(benchmark, big_db, monkeypatch):
    path, plan_id = big_db
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(path))
    monkeypatch.setenv("PANHUO_DEMO", "1")  # the generated plan is a demonstration plan
    monkeypatch.setattr("panhuo.progress.service.beijing_today", lambda: TODAY)
    started = dt.datetime.now()
    at = _open(plan_id)
    first = (dt.datetime.now() - started).total_seconds()
    assert not at.exception, [e.value for e in at.exception]
    assert at.query_params.get("plan") in (plan_id, [plan_id]), dict(at.query_params)
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.metric])
    assert "合成规划" in shown or f"{N_RECORDS:,}" in shown, shown[:300]
    at = benchmark.pedantic(at.run, rounds=3, iterations=1)
    benchmark.extra_info["first_load_seconds"] = round(first, 1)
    assert not at.exception and "进展监测" in [t.value for t in at.title]
