"""The audit trail after a scripted session of imports and restores: exactly one row per write,
with the right person, plan, kind, records and before/after; the versions say who made them;
the sample data leaves a row only when it adds something; the log cannot be changed or emptied,
not even by hand-written SQL, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from panhuo import audit
from panhuo.access import Grant, Role, User
from panhuo.importing import InputFile, examples, import_files, new_plan_meta
from panhuo.store import Store
from panhuo.store.schema import AuditRow
from tests.test_store import BACKENDS, use_data_dir, use_database

ANALYST = User("li", "李工", (Grant(Role.ANALYST),))
PLAN_ANALYST = User("chen", "陈工", (Grant(Role.ANALYST, "shangdang-2021"),))
REPORTER = User("wang", "王填报", (Grant(Role.REPORTER, "shangdang-2021", ("上党区",)),))
NEW = "changzhi-audit"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    use_database(request.param, tmp_path, monkeypatch)
    return Store.open()


def _workbook(rows=None) -> bytes:
    return examples.bureau_workbook(rows) if rows is not None else examples.bureau_workbook()


def _import(store: Store, user: User, plan_id: str, data: bytes, name: str, **kwargs):
    return import_files(
        [InputFile(name, data)], plan_id, store=store, actor=user, client="10.1.2.3", **kwargs
    )


def test_samples_leave_one_row_per_plan_when_loaded_and_none_after(store, tmp_path):
    data_dir = tmp_path / "data"  # the fixture's data folder
    (row,) = store.audit_entries()
    assert (row.actor, row.actor_kind, row.kind, row.plan_id) == (
        "system",
        "system",
        "samples_loaded",
        "shangdang-2021",
    )
    assert row.summary.startswith("载入样例数据 shangdang-2021：地块 第 1 版")
    assert sorted(row.records) == sorted(v.id for v in store.versions("shangdang-2021"))
    assert store.sync_samples() == 0 and len(store.audit_entries()) == 1  # nothing new: no row
    path = data_dir / "shangdang-2021" / "parcels.csv"
    path.write_bytes(path.read_bytes().replace("长治钛白粉厂".encode(), "长治钛白粉厂（更正）".encode()))
    assert store.sync_samples() == 1
    newest = store.audit_entries()[0]
    assert newest.kind == "samples_loaded" and newest.summary == "更新样例数据 shangdang-2021：地块 第 2 版"
    assert newest.after["versions"][0]["version"] == 2


def test_a_scripted_session_leaves_exactly_one_row_per_write(store):
    start = store.audit_entries()[0].id  # the samples' row
    bureau = _workbook()
    meta = new_plan_meta(NEW, title="长治调查", province="山西省", city="长治市")
    bad_rows = [list(r) for r in examples.BUREAU_ROWS]
    bad_rows[0][5] = -1  # 面积 below zero: the file is refused as it is

    first = _import(store, ANALYST, NEW, bureau, "清单.xlsx", plan_meta=meta)
    second = _import(store, ANALYST, NEW, _workbook(examples.BUREAU_ROWS[:3]), "清单2.xlsx")
    failed = _import(store, ANALYST, NEW, _workbook(bad_rows), "坏.xlsx")
    restored = store.restore(NEW, "parcels", 1, actor=ANALYST, client="10.1.2.3")
    sample = store.versions("shangdang-2021", "parcels")[0]
    frame = store.version_frame(sample.id).head(4)
    from panhuo.store import NewSource

    plan_import = store.save_import(
        "shangdang-2021", "parcels", frame, [NewSource("四行.csv", b"4")], actor=PLAN_ANALYST
    )
    back = store.restore("shangdang-2021", "parcels", 1, actor=PLAN_ANALYST)
    refused = _import(store, REPORTER, "shangdang-2021", bureau, "越权.xlsx")  # no row: nothing written
    store.remember_mapping(
        "layout-z", "parcels", ["面积"], {"面积": {"field": "area"}}, actor=ANALYST, plan_id=NEW
    )

    assert (
        first.ok and second.ok and not failed.ok and failed.status == "failed" and refused.status == "refused"
    )
    rows = [r for r in reversed(store.audit_entries()) if r.id > start]
    assert [(r.kind, r.actor, r.plan_id) for r in rows] == [
        ("import", "li", NEW),
        ("import", "li", NEW),
        ("import_failed", "li", NEW),
        ("restore", "li", NEW),
        ("import", "chen", "shangdang-2021"),
        ("restore", "chen", "shangdang-2021"),
        ("mapping_saved", "li", NEW),
    ]
    imp1, imp2, fail, rest, imp3, rest2, mapping = rows
    sha = hashlib.sha256(bureau).hexdigest()
    assert imp1.summary == "新建规划，导入 地块 第 1 版：清单.xlsx，5 行"
    assert imp1.records == [first.version.id] and imp1.before is None
    assert {k: imp1.after[k] for k in ("version", "rows", "source", "source_sha256", "plan_created")} == {
        "version": 1, "rows": 5, "source": "清单.xlsx", "source_sha256": sha, "plan_created": True,
    }  # fmt: skip
    assert imp1.actor_label == "李工（li）" and imp1.actor_kind == "local" and imp1.client == "10.1.2.3"
    assert imp2.summary == "导入 地块 第 2 版：清单2.xlsx，3 行"
    assert (imp2.before["version"], imp2.after["version"], imp2.after["rows"]) == (1, 2, 3)
    assert fail.records == [failed.report_id] and "坏.xlsx" in fail.summary
    assert rest.summary.startswith("恢复第 1 版")
    assert rest.records == [restored.id, first.version.id]
    assert (rest.before["version"], rest.after["version"], rest.after["restored_from"]) == (2, 3, 1)
    assert (imp3.before["version"], imp3.after["version"], imp3.after["rows"]) == (1, 2, 4)
    assert imp3.records == [plan_import.id] and imp3.actor_label == "陈工（chen）"
    assert (rest2.before["version"], rest2.after["version"]) == (2, 3) and rest2.records[0] == back.id
    assert mapping.records == ["layout-z"] and mapping.before is None
    assert mapping.after["mapping"] == {"面积": {"field": "area"}}
    # every import and restore made one version, each of which names its maker
    made = {(v.plan_id, v.number): (v.origin, v.created_by, v.created_by_label) for v in store.versions(NEW)}
    assert made == {
        (NEW, 1): ("import", "li", "李工（li）"),
        (NEW, 2): ("import", "li", "李工（li）"),
        (NEW, 3): ("restore", "li", "李工（li）"),
    }
    assert [v.created_by for v in store.versions("shangdang-2021", "parcels")] == ["system", "chen", "chen"]
    # the filters of the log: by user, plan, kind and time (北京时间 days)
    assert {r.actor for r in store.audit_entries(audit.Query(actor="chen"))} == {"chen"}
    assert len(store.audit_entries(audit.Query(plan=NEW, kinds=["import"]))) == 2
    today = dt.datetime.now(audit.BEIJING).date()
    since_today = store.audit_entries(audit.Query(since=audit.beijing_day_start(today)))
    assert len(since_today) == len(rows) + 1  # and the samples' row, from this test too
    assert store.audit_entries(audit.Query(since=audit.beijing_day_start(today + dt.timedelta(days=1)))) == []
    shown = audit.frame(rows)
    assert shown["操作人"].tolist()[:2] == ["李工（li）", "李工（li）"]
    assert shown["时间（北京时间）"].iloc[0] == audit.to_beijing(imp1.at)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET summary = '改过了'",
        "UPDATE audit_log SET actor = 'someone-else' WHERE kind = 'samples_loaded'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE kind = 'samples_loaded'",
    ],
)
def test_the_database_refuses_to_change_or_delete_log_rows(store, statement):
    before = [audit.as_dict(r) for r in store.audit_entries()]
    assert before
    with (
        pytest.raises(DBAPIError, match="操作日志只能追加，不能修改或删除"),
        store.engine.begin() as connection,
    ):
        connection.execute(sa.text(statement))
    assert [audit.as_dict(r) for r in store.audit_entries()] == before


def test_the_orm_cannot_delete_a_log_row_either(store):
    count = len(store.audit_entries())
    with pytest.raises(DBAPIError, match="操作日志只能追加"), store.session.begin() as session:
        session.delete(session.scalars(sa.select(AuditRow)).first())
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="操作日志只能追加"), store.engine.begin() as connection:
            connection.execute(sa.text("TRUNCATE audit_log"))
    assert len(store.audit_entries()) == count


def test_no_function_offers_to_edit_or_delete_log_rows():
    """The audit module and the store offer reading and adding only."""
    public = {name for name in dir(audit) if not name.startswith("_")}
    assert not {
        n for n in public if any(w in n.lower() for w in ("delete", "update", "edit", "remove", "purge"))
    }
    assert not [n for n in dir(Store) if "audit" in n and n != "audit_entries"]
