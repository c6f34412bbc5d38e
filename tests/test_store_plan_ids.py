"""One rule for plan ids, checked by every route: store writes, the import engine (and so the
import page), ``python -m panhuo import`` and the ``plan=`` link parameter. A bad id gets the
Chinese message and nothing is written — not even an import report."""

from __future__ import annotations

import pytest

from panhuo.access import system_user
from panhuo.importing import InputFile, import_files, new_plan_meta
from panhuo.planid import MAX_LENGTH, PLAN_ID_RULE, InvalidPlanId, check_plan_id, is_valid_plan_id
from panhuo.store import NewSource, Store
from tests.test_store import BACKENDS, _frame, use_data_dir, use_database

ACTOR = system_user()  # who the store's writes are made by in these tests

HOSTILE = {
    "path": "../../etc/passwd",
    "markup": "![](http://evil.example/t.png)",
    "long": "a" * 5000,
    "pg-limit": "b" * 121,  # over the old column size: DataError on PostgreSQL before
    "uppercase": "Changzhi-2024",
    "chinese": "长治市",
    "leading-hyphen": "-x",
    "space": "a b",
    "empty": "",
}
CSV = "序号,地块名称,乡镇,类型,面积（公顷）,实施阶段\n1,韩店新厂区,韩店街道,旧厂矿,2.5,储备\n".encode()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database(request.param, tmp_path, monkeypatch)


def test_the_rule_accepts_plain_ids_up_to_the_limit():
    for good in ("shangdang-2021", "a", "2024-plan", "x" * MAX_LENGTH):
        assert check_plan_id(good) == good
    assert not is_valid_plan_id("x" * (MAX_LENGTH + 1)) and not is_valid_plan_id(None)


@pytest.mark.parametrize("plan_id", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_message_is_chinese_and_short(plan_id):
    with pytest.raises(InvalidPlanId) as raised:
        check_plan_id(plan_id)
    message = str(raised.value)
    assert PLAN_ID_RULE in message and len(message) < 200


def test_store_writes_refuse_a_bad_id_and_write_nothing(db_url):
    store = Store.open()
    before = store.counts()
    for plan_id in HOSTILE.values():
        with pytest.raises(InvalidPlanId):
            store.save_import(
                plan_id,
                "parcels",
                _frame(2),
                [NewSource("a.csv", b"x")],
                new_plan_meta={"title": "t"},
                actor=ACTOR,
            )
        with pytest.raises(InvalidPlanId):
            store.record_report(plan_id, "a.csv", "abc", "failed", [], "失败", actor=ACTOR)
        with pytest.raises(InvalidPlanId):
            store.restore(plan_id, "parcels", 1, actor=ACTOR)
    assert store.counts() == before


def test_the_import_engine_refuses_a_bad_id_with_the_message_and_writes_nothing(db_url):
    store = Store.open()
    before = store.counts()
    for plan_id in HOSTILE.values():
        result = import_files(
            [InputFile("地块.csv", CSV)], plan_id, plan_meta=new_plan_meta("x"), store=store, actor=ACTOR
        )
        assert not result.ok and PLAN_ID_RULE in result.message
        assert result.report_id is None
    assert store.counts() == before


@pytest.mark.parametrize("plan_id", [HOSTILE["path"], HOSTILE["long"], HOSTILE["chinese"]])
def test_the_command_line_refuses_a_bad_id_before_opening_the_database(
    tmp_path, monkeypatch, capsys, plan_id
):
    from panhuo.cli import main

    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    path = tmp_path / "地块.csv"
    path.write_bytes(CSV)
    assert main(["import", str(path), "--plan", plan_id]) == 2
    assert PLAN_ID_RULE in capsys.readouterr().err
    assert not Store().exists()


LINKED = {k: v for k, v in HOSTILE.items() if v}  # an empty parameter is no parameter


@pytest.mark.parametrize("plan_id", LINKED.values(), ids=LINKED.keys())
def test_a_bad_plan_in_a_link_falls_back_without_echoing_it(catalog, plan_id):
    from panhuo.viewstate import parse_query

    state, notices = parse_query({"plan": plan_id}, catalog.plans_by_id, "shangdang-2021")
    assert state.plan == "shangdang-2021"
    assert notices == [f"链接中的规划编号无效（{PLAN_ID_RULE}），已显示默认规划。"]
