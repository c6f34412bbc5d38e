"""The database goes away between the check and the write: the import says so in Chinese and
writes nothing; no traceback reaches the page or the command line."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from panhuo.access import system_user
from panhuo.importing import InputFile, examples, import_files, new_plan_meta
from panhuo.store import Store
from tests.test_store import use_data_dir, use_database

ACTOR = system_user()  # who the store's writes are made by in these tests


def _gone(*_args, **_kwargs):
    raise OperationalError("INSERT …", {}, Exception("unable to open database file"))


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    return Store.open()


def _import(store: Store):
    data = examples.bureau_workbook(examples.BUREAU_ROWS)
    meta = new_plan_meta("changzhi-down", title="长治", province="山西省", city="长治市")
    return import_files(
        [InputFile("调查.xlsx", data)], "changzhi-down", plan_meta=meta, store=store, actor=ACTOR
    )


def test_database_gone_at_the_write_and_at_the_report(store, monkeypatch):
    before = store.counts()
    monkeypatch.setattr(store, "save_import", _gone)
    monkeypatch.setattr(store, "record_report", _gone)
    result = _import(store)
    assert (result.ok, result.status, result.imported) == (False, "failed", 0)
    assert result.message == "数据库暂时无法使用，未写入任何数据。"
    assert [p.problem for p in result.problems if p.severity == "warning"][-1] == (
        "导入记录未能写入数据库（数据库暂时无法使用）"
    )
    monkeypatch.undo()
    assert store.counts() == before


def test_a_bug_in_the_report_write_is_not_hidden(store, monkeypatch):
    def bug(*_args, **_kwargs):
        raise OperationalError("SELECT …", {}, Exception("no such column: summary"))

    monkeypatch.setattr(store, "record_report", bug)
    with pytest.raises(OperationalError):
        _import(store)
