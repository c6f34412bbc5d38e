"""Every write function refuses a user without the role, with the Chinese message, and writes
nothing at all (every table's row count unchanged, the audit log included): the store's writes,
the import engine, and the account administration. A direct call is refused as a page is.

SQLite always, PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from panhuo.access import ANONYMOUS, Grant, PermissionDenied, Role, User
from panhuo.accounts import Accounts
from panhuo.importing import InputFile, examples, import_files, new_plan_meta
from panhuo.store import NewSource, Store
from panhuo.store.schema import Base
from tests.test_store import BACKENDS, _frame, use_data_dir, use_database

PLAN = "shangdang-2021"  # the one sample plan of the test data folder
REPORTER = User("wang", "王填报", (Grant(Role.REPORTER, PLAN, ("上党区",)),))
MODERATOR = User("zhou", "周审核", (Grant(Role.MODERATOR),))
OTHER_ANALYST = User("li", "李工", (Grant(Role.ANALYST, "wuwei-2023"),))
PLAN_ANALYST = User("chen", "陈工", (Grant(Role.ANALYST, PLAN),))
ANALYST = User("sun", "孙工", (Grant(Role.ANALYST),))
ADMIN = User("boss", "管理员", (Grant(Role.ADMIN),))
REFUSED = {
    "anonymous": ANONYMOUS,
    "reporter": REPORTER,
    "moderator": MODERATOR,
    "other-analyst": OTHER_ANALYST,
}


def _new_store(backend: str, tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    use_database(backend, tmp_path, monkeypatch)
    store = Store.open()
    Accounts(store).add(ADMIN, "target", "Ziel-Passwort-2026!", [Grant(Role.ANALYST, PLAN)])
    return store


@pytest.fixture(scope="module", params=BACKENDS)
def shared(request, tmp_path_factory) -> Store:
    """One store per backend: each test compares the counts before and after its own calls."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _new_store(request.param, tmp_path_factory.mktemp("refusals"), monkeypatch)


def every_count(store: Store) -> dict[str, int]:
    """Rows in every table of the store, accounts and audit log included."""
    with store.session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def _workbook() -> list[InputFile]:
    return [InputFile("清单.xlsx", examples.bureau_workbook())]


# (what, action label in the message, the call)
STORE_WRITES = {
    "import": (
        "导入数据",
        lambda s, u: s.save_import(PLAN, "parcels", _frame(2), [NewSource("a.csv", b"a")], actor=u),
    ),
    "import-new-plan": (
        "导入新规划",
        lambda s, u: s.save_import(
            "brand-new",
            "parcels",
            _frame(2),
            [NewSource("a.csv", b"a")],
            actor=u,
            new_plan_meta={"title": "新"},
        ),
    ),
    "restore": ("恢复历史版本", lambda s, u: s.restore(PLAN, "parcels", 1, actor=u)),
    "mapping": (
        "导入数据",
        lambda s, u: s.remember_mapping(
            "layout-x", "parcels", ["面积"], {"面积": {"field": "area"}}, actor=u, plan_id=PLAN
        ),
    ),
    "report": (
        "导入数据",
        lambda s, u: s.record_report(PLAN, "a.csv", "abc", "failed", [], "失败", actor=u),
    ),
}


def expected_message(user: User, what: str, plan: str) -> str:
    if user.is_anonymous:
        return f"请先登录：{what}"
    return f"{user.display_name} 没有{what}的权限（规划 {plan}）"


@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("write", STORE_WRITES)
def test_store_writes_refuse_users_without_the_role(shared, write, who):
    store = shared
    user = REFUSED[who]
    what, call = STORE_WRITES[write]
    plan = "brand-new" if write == "import-new-plan" else PLAN
    before = every_count(store)
    with pytest.raises(PermissionDenied) as refused:
        call(store, user)
    assert str(refused.value).startswith(expected_message(user, what, plan)), str(refused.value)
    assert "角色" in str(refused.value)
    assert every_count(store) == before


def test_a_plan_analyst_may_write_to_that_plan_but_not_create_plans(shared):
    store = shared
    before = every_count(store)
    with pytest.raises(PermissionDenied, match="没有导入新规划的权限"):
        STORE_WRITES["import-new-plan"][1](store, PLAN_ANALYST)
    assert every_count(store) == before
    for write in ("import", "restore", "mapping", "report"):
        STORE_WRITES[write][1](store, PLAN_ANALYST)
    after = every_count(store)
    assert after["audit_log"] == before["audit_log"] + 4  # import, restore, mapping_saved, import_failed
    assert after["dataset_versions"] == before["dataset_versions"] + 2


@pytest.mark.parametrize("who", [*REFUSED, "plan-analyst-new-plan"])
def test_the_import_engine_refuses_with_the_message_and_writes_nothing(shared, who):
    store = shared
    user = REFUSED.get(who, PLAN_ANALYST)
    new_plan = who == "plan-analyst-new-plan"
    plan_id = "changzhi-new" if new_plan else PLAN
    before = every_count(store)
    result = import_files(
        _workbook(),
        plan_id,
        plan_meta=new_plan_meta(plan_id, province="山西省", city="长治市") if new_plan else None,
        store=store,
        actor=user,
    )
    what = "导入新规划" if new_plan else "导入数据"
    assert (result.ok, result.status, result.version, result.report_id) == (False, "refused", None, None)
    assert result.message.startswith(expected_message(user, what, plan_id)), result.message
    assert result.problems[-1].problem == result.message  # the page and the CLI show it as a problem
    assert every_count(store) == before


def test_the_import_engine_needs_an_actor_to_write(shared):
    store = shared
    with pytest.raises(TypeError, match="actor"):
        import_files(_workbook(), PLAN, store=store)
    assert import_files(_workbook(), PLAN, store=store, dry_run=True).status == "checked"  # checks: none


ACCOUNT_WRITES = {
    "add": lambda a, u: a.add(u, "newbie", "Neu-Passwort-2026!", [Grant(Role.ANALYST)]),
    "grant": lambda a, u: a.grant(u, "target", Grant(Role.ADMIN)),
    "revoke": lambda a, u: a.revoke(u, "target", Grant(Role.ANALYST, PLAN)),
    "disable": lambda a, u: a.set_active(u, "target", False),
    "reset-password": lambda a, u: a.reset_password(u, "target", "Anders-Passwort-2026!"),
}


@pytest.mark.parametrize("who", [*REFUSED, "analyst", "plan-admin"])
@pytest.mark.parametrize("write", ACCOUNT_WRITES)
def test_account_administration_needs_an_administrator_for_all_plans(shared, write, who):
    store = shared
    user = REFUSED.get(who) or (
        ANALYST if who == "analyst" else User("pa", "规划管理员", (Grant(Role.ADMIN, PLAN),))
    )
    before = every_count(store)
    with pytest.raises(PermissionDenied, match="管理用户与角色"):
        ACCOUNT_WRITES[write](Accounts(store), user)
    assert every_count(store) == before
