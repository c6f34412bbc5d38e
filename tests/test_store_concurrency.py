"""Concurrent imports: separate processes importing into one store at the same moment all land,
with versions numbered without gaps (writers take turns: ``BEGIN IMMEDIATE`` on SQLite, an
advisory lock on PostgreSQL). Two imports creating the same new plan end with one plan: the
first creates it, the second — checked against a plan that did not exist yet — writes nothing
and says so in Chinese (or, when it started after the first had landed, becomes version 2).
"""

from __future__ import annotations

import multiprocessing
import os

import pytest

from panhuo.access import system_user
from panhuo.importing import new_plan_meta
from panhuo.store import NewSource, PlanExists, Store
from tests.test_store import BACKENDS, _frame, use_data_dir, use_database

ACTOR = system_user()  # who the store's writes are made by in these tests

WORKERS, ROUNDS = 4, 4
CSV = "序号,地块名称,乡镇,类型,面积（公顷）,实施阶段\n{rows}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database(request.param, tmp_path, monkeypatch)


def _csv(worker: int, round_: int) -> bytes:
    rows = "".join(f"{i},地块{worker}-{round_}-{i},韩店街道,旧厂矿,1.5,储备\n" for i in range(1, worker + 2))
    return CSV.format(rows=rows).encode()


def _import(url: str, data_dir: str, plan_id: str, worker: int, round_: int, barrier, queue) -> None:
    os.environ["PANHUO_DATABASE_URL"], os.environ["PANHUO_DATA_DIR"] = url, data_dir
    from panhuo.importing import InputFile, import_files
    from panhuo.store import Store, connect

    connect._ENGINES.clear()  # a forked child opens its own connections
    store = Store(url)
    meta = new_plan_meta(plan_id, title="同时导入", province="山西省", city="长治市")
    barrier.wait(60)
    try:
        result = import_files(
            [InputFile(f"w{worker}.csv", _csv(worker, round_))],
            plan_id,
            store=store,
            plan_meta=meta,
            actor=ACTOR,
        )
        queue.put((worker, result.ok, result.message))
    except Exception as exc:  # reported to the test, which fails with it
        queue.put((worker, False, f"{type(exc).__name__}: {exc}"))


def _run_round(url: str, plan_id: str, round_: int, workers: int) -> list[tuple[int, bool, str]]:
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(workers), context.Queue()
    data_dir = os.environ["PANHUO_DATA_DIR"]
    procs = [
        context.Process(target=_import, args=(url, data_dir, plan_id, w, round_, barrier, queue))
        for w in range(workers)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=180) for _ in procs]
    for p in procs:
        p.join(30)
    return sorted(results)


def test_four_concurrent_imports_four_rounds_all_land(db_url):
    store = Store.open()
    for round_ in range(ROUNDS):
        results = _run_round(db_url, "shangdang-2021", round_, WORKERS)
        assert [(w, ok) for w, ok, _m in results] == [(w, True) for w in range(WORKERS)], results
    numbers = [v.number for v in store.versions("shangdang-2021", "parcels")]
    assert numbers == list(range(1, 1 + 1 + WORKERS * ROUNDS))  # the sample's version, then 16 imports
    imported = [v for v in store.versions("shangdang-2021", "parcels") if v.origin == "import"]
    assert sorted(v.row_count for v in imported) == sorted(
        w + 1 for w in range(WORKERS) for _ in range(ROUNDS)
    )
    assert sum(v.is_current for v in store.versions("shangdang-2021", "parcels")) == 1


def test_two_imports_creating_the_same_new_plan_end_with_one_plan(db_url):
    store = Store.open()
    results = _run_round(db_url, "brand-new", 0, 2)
    assert store.plan_ids(origin="import") == ["brand-new"]
    versions = store.versions("brand-new", "parcels")
    landed = [r for r in results if r[1]]
    assert len(landed) == len(versions) >= 1
    assert [v.number for v in versions] == list(range(1, len(versions) + 1))
    for _w, ok, message in results:
        assert ok or message.startswith(
            "规划“brand-new”已由同时进行的另一次导入新建，本次导入未写入任何数据。"
        )


def test_an_import_that_found_no_plan_does_not_take_over_one_created_meanwhile(db_url):
    store = Store.open()
    store.save_import(
        "racing",
        "parcels",
        _frame(2),
        [NewSource("a.csv", b"a")],
        new_plan_meta={"title": "先到"},
        actor=ACTOR,
    )
    before = store.counts()
    with pytest.raises(PlanExists) as raised:
        store.save_import(
            "racing",
            "parcels",
            _frame(3),
            [NewSource("b.csv", b"b")],
            new_plan_meta={"title": "后到"},
            actor=ACTOR,
        )
    assert "本次导入未写入任何数据" in str(raised.value)
    assert store.counts() == before and store.plan_meta("racing")["title"] == "先到"
