"""用户管理 (/users) and 操作日志 (/audit-log) in AppTest, with real accounts and sessions
(tests/accounts.py): who is refused, an administrator's changes and their rows in the log, the
log's filters, paging and XLSX download, a plan administrator's scope, hostile display names.

The administrator's journey runs against SQLite always and PostgreSQL when
``PANHUO_TEST_POSTGRES_URL`` is set; the rest against SQLite.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from components.auth import TOKEN
from panhuo import audit
from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.store import Store
from tests.accounts import PASSWORD, sign_in
from tests.conftest import ROOT
from tests.hostile import ESCAPED, HOSTILE, live_markup, shown_strings
from tests.pages import open_page, rendered_text
from tests.test_store import BACKENDS, PG_URL

HUZHOU = "huzhou-2023"
NEW_PASSWORD = "Erst-Passwort-2026"  # an initial password that meets the rules
BEIJING_TIME = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _use_store(backend: str, tmp_path, monkeypatch) -> Store:
    """An empty store of ``backend`` with two sample plans (上党区, 湖州 with its 区县)."""
    folder = tmp_path / "data"
    for name in ("shangdang-2021", HUZHOU, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'accounts.sqlite'}"
    else:
        url = PG_URL
        Store(url).drop_schema()
    monkeypatch.setenv("PANHUO_DATABASE_URL", url)
    _clear_caches()
    return Store.open()


@pytest.fixture
def store(tmp_path, monkeypatch):
    yield _use_store("sqlite", tmp_path, monkeypatch)
    _clear_caches()


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path, monkeypatch):
    yield _use_store(request.param, tmp_path, monkeypatch)
    _clear_caches()


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """The deferred downloads a run registers (file name → the callable making the file)."""
    made: dict = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        made[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return made


def _user_of(session: dict, store: Store):
    return Accounts(store).session_user(session[TOKEN])


def _texts(elements) -> list[str]:
    """What the reader sees of each element's Markdown (escapes resolved)."""
    return [rendered_text(e.value) for e in elements]


def _table(at: AppTest) -> pd.DataFrame:
    return at.dataframe[0].value


def _log(at: AppTest) -> pd.DataFrame:
    return _table(at) if at.dataframe else pd.DataFrame(columns=list(audit.COLUMNS.values()))


# ------------------------------------------------------------------ who is refused

REFUSED = {
    "users": [
        ("anonymous", None),
        ("reporter", (Role.REPORTER, HUZHOU, ("德清县",))),
        ("analyst", (Role.ANALYST, None, ())),
        ("moderator", (Role.MODERATOR, None, ())),
        ("plan admin", (Role.ADMIN, HUZHOU, ())),
    ],
    "audit-log": [
        ("anonymous", None),
        ("reporter", (Role.REPORTER, HUZHOU, ("德清县",))),
        ("analyst", (Role.ANALYST, None, ())),
        ("moderator", (Role.MODERATOR, None, ())),
    ],
}
CASES = [(page, who, grant) for page, cases in REFUSED.items() for who, grant in cases]


@pytest.mark.parametrize(("page", "who", "grant"), CASES, ids=[f"{p}-{w}" for p, w, _ in CASES])
def test_the_page_is_refused_without_the_role(store, page, who, grant):
    session = sign_in(*grant, store=store) if grant else {}
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not in the router
        open_page(page, session=session)
    at = open_page(page, session=session, alone=True)  # the file itself, as a first request runs it
    titles = _texts(at.title)
    assert "用户管理" not in titles and "操作日志" not in titles
    assert not at.dataframe and not at.get("download_button")
    what = {"users": "管理用户与角色", "audit-log": "查看操作日志"}[page]
    if grant is None:
        assert _texts(at.warning) == [f"此页面需要登录：{what}需要相应角色。"]
        assert "[登录](/login)" in [m.value for m in at.markdown]  # no router: a plain link
    else:
        label = _user_of(session, store).label
        assert _texts(at.error) == [f"{label} 没有{what}的权限。如需开通，请联系管理员。"]


def test_a_plan_administrator_is_offered_its_plans_log(store):
    """…and not 用户管理 (in the cases above): managing users needs a grant for all plans."""
    session = sign_in(Role.ADMIN, HUZHOU, store=store)
    at = open_page("audit-log", session=session)
    assert _texts(at.title) == ["操作日志"]
    assert at.selectbox(key="audit_log_plan").options == ["本人可查看的全部规划", HUZHOU]


# ------------------------------------------------------------------ an administrator's changes


def _add_user(at: AppTest, name: str, display: str, role: Role, plan: str = "", counties=()) -> AppTest:
    at.text_input(key="users_add_name").set_value(name)
    at.text_input(key="users_add_display").set_value(display)
    at.text_input(key="users_add_pw").set_value(NEW_PASSWORD)
    at.text_input(key="users_add_pw2").set_value(NEW_PASSWORD)
    at.selectbox(key="users_add_role").set_value(role).run()
    at.selectbox(key="users_add_plan").set_value(plan).run()
    if counties:
        at.multiselect(key="users_add_counties").set_value(list(counties)).run()
    return at.button(key="users_add_go").click().run()


def _row(at: AppTest, name: str) -> dict:
    table = _table(at)
    return table[table["用户名"] == name].iloc[0].to_dict()


def test_an_administrator_manages_a_user_and_each_change_is_in_the_log(any_store):
    session = sign_in(Role.ADMIN, store=any_store)
    admin = _user_of(session, any_store)
    accounts = Accounts(any_store)
    at = open_page("users", session=session)
    assert _texts(at.title) == ["用户管理"]
    assert any("至少三类" in c.value for c in at.caption)  # the password rules

    # 新增用户: a 区县填报员 of 德清县, who must change the initial password
    _add_user(at, "wang.dq", "王德清", Role.REPORTER, HUZHOU, ["德清县"])
    assert not at.exception and not at.error
    assert _texts(at.success) == [
        "已新增用户 王德清（wang.dq），角色：区县填报员（huzhou-2023：德清县）。首次登录须修改密码。"
    ]
    account = accounts.get("wang.dq")
    assert account.must_change_password and account.is_active
    assert account.grants == (Grant(Role.REPORTER, HUZHOU, ("德清县",)),)
    assert _row(at, "wang.dq") | {"最近登录（北京时间）": None, "创建时间（北京时间）": None} == {
        "用户名": "wang.dq",
        "姓名": "王德清",
        "角色": "区县填报员（huzhou-2023：德清县）",
        "状态": "启用",
        "须改密码": "是",
        "最近登录（北京时间）": None,
        "创建时间（北京时间）": None,
    }
    assert not any("argon2" in str(v) for v in _table(at).to_numpy().ravel())  # never a hash

    # 授予 and 收回: 分析人员 for 湖州
    at.selectbox(key="users_role_user").set_value("wang.dq").run()
    at.selectbox(key="users_grant_role").set_value(Role.ANALYST).run()
    at.selectbox(key="users_grant_plan").set_value(HUZHOU).run()
    at.button(key="users_grant_go").click().run()
    assert _texts(at.success) == ["已授予 王德清（wang.dq） 分析人员（huzhou-2023）。"]
    assert accounts.get("wang.dq").grants[-1] == Grant(Role.ANALYST, HUZHOU)
    assert _row(at, "wang.dq")["角色"] == "区县填报员（huzhou-2023：德清县）、分析人员（huzhou-2023）"
    at.selectbox(key="users_revoke_grant").set_value(1).run()
    at.button(key="users_revoke_go").click().run()
    assert _texts(at.success) == ["已收回 王德清（wang.dq） 的 分析人员（huzhou-2023）。"]
    assert accounts.get("wang.dq").grants == (Grant(Role.REPORTER, HUZHOU, ("德清县",)),)

    # 停用: the user's live session no longer signs them in; 启用 again
    token = accounts.sign_in("wang.dq", NEW_PASSWORD, client="test").token
    assert accounts.session_user(token) is not None
    at.selectbox(key="users_status_user").set_value("wang.dq").run()
    at.button(key="users_status_go").click().run()
    assert _texts(at.success) == ["已停用用户 王德清（wang.dq）。"]
    assert accounts.session_user(token) is None and _row(at, "wang.dq")["状态"] == "停用"
    assert not accounts.sign_in("wang.dq", NEW_PASSWORD, client="test").ok
    at.button(key="users_status_go").click().run()
    assert _texts(at.success) == ["已启用用户 王德清（wang.dq）。"] and _row(at, "wang.dq")["状态"] == "启用"

    # 重置密码: the new initial password signs in and must be changed; the old one no longer
    at.selectbox(key="users_reset_user").set_value("wang.dq").run()
    at.text_input(key="users_reset_pw").set_value("Zweites-Passwort-99")
    at.text_input(key="users_reset_pw2").set_value("Zweites-Passwort-99")
    at.button(key="users_reset_go").click().run()
    assert _texts(at.success) == ["已重置 王德清（wang.dq） 的密码，下次登录须修改密码。"]
    assert not accounts.sign_in("wang.dq", NEW_PASSWORD, client="test").ok
    again = accounts.sign_in("wang.dq", "Zweites-Passwort-99", client="test")
    assert again.ok and again.user.must_change_password
    assert not at.exception

    # every change in 操作日志, by the administrator, in 北京时间
    log = _log(open_page("audit-log", session=session))
    mine = log[log["操作人"] == admin.label]
    kinds = ["新增用户", "授予角色", "收回角色", "停用用户", "启用用户", "重置密码"]
    assert [k for k in reversed(mine["操作"].tolist()) if k in kinds] == kinds
    about = log[(log["涉及记录"] == "wang.dq") & log["操作"].isin(kinds)]
    assert len(about) == len(kinds) and set(about["操作人"]) == {admin.label}
    now = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None)
    for shown in mine["时间（北京时间）"]:
        assert BEIJING_TIME.fullmatch(shown)
        assert abs(dt.datetime.strptime(shown, "%Y-%m-%d %H:%M:%S") - now) < dt.timedelta(minutes=5)
    added = mine[mine["操作"] == "新增用户"].iloc[0]
    assert added["内容"] == "新增用户 wang.dq（王德清）" and added["涉及记录"] == "wang.dq"
    assert "区县填报员（huzhou-2023：德清县）" in added["变更后"]


@pytest.mark.parametrize(
    ("password", "again", "message"),
    [
        ("short-1A", "short-1A", "密码不符合要求：至少 10 个字符"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "两次输入的初始密码不一致。"),
    ],
)
def test_a_refused_new_user_shows_why_and_is_not_created(store, password, again, message):
    at = open_page("users", session=sign_in(Role.ADMIN, store=store))
    at.text_input(key="users_add_name").set_value("li.gong")
    at.text_input(key="users_add_pw").set_value(password)
    at.text_input(key="users_add_pw2").set_value(again)
    at.selectbox(key="users_add_role").set_value(Role.ANALYST).run()
    at.button(key="users_add_go").click().run()
    assert len(at.error) == 1 and _texts(at.error)[0].startswith(message)
    assert Accounts(store).get("li.gong") is None and not at.success


def test_a_reporter_needs_a_plan_and_a_county(store):
    at = open_page("users", session=sign_in(Role.ADMIN, store=store))
    _add_user(at, "zhang", "", Role.REPORTER)  # 全部规划
    assert _texts(at.error) == ["区县填报员须选择一个规划（不能是全部规划）及至少一个区县。"]
    _add_user(at, "zhang", "", Role.REPORTER, HUZHOU)
    assert _texts(at.error) == ["区县填报员须选择至少一个区县。"]
    assert at.multiselect(key="users_add_counties").options == [
        "吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县",
    ]  # fmt: skip
    assert Accounts(store).get("zhang") is None


def test_an_administrator_cannot_disable_themselves(store):
    session = sign_in(Role.ADMIN, store=store)
    me = _user_of(session, store)
    at = open_page("users", session=session)
    at.selectbox(key="users_status_user").set_value(me.name).run()
    at.button(key="users_status_go").click().run()
    assert _texts(at.error) == ["不能停用自己的账户"]
    assert Accounts(store).get(me.name).is_active


# ------------------------------------------------------------------ 操作日志: filters, pages, XLSX


def _seed_log(store: Store) -> None:
    """Rows of several actors, kinds, plans and days."""
    cli = system_user("test")
    accounts = Accounts(store)
    accounts.add(cli, "zhao", NEW_PASSWORD, [Grant(Role.ANALYST, "shangdang-2021")], display_name="赵工")
    accounts.grant(cli, "zhao", Grant(Role.REPORTER, HUZHOU, ("德清县",)))
    accounts.sign_in("zhao", "wrong-password", client="10.0.0.9")
    with store.writing() as session:
        audit.record(session, cli, "mapping_saved", plan="shangdang-2021", summary="保存字段对应")


def test_the_log_filters_narrow_the_rows(store):
    _seed_log(store)
    session = sign_in(Role.ADMIN, store=store)
    admin = _user_of(session, store)
    at = open_page("audit-log", session=session)
    everything = _log(at)
    # the two sample plans loaded; zhao: added, granted, failed sign-in; a mapping; the admin: added,
    # signed in
    assert len(everything) == 8
    assert _texts(at.caption)[1] == "共 8 条记录，显示第 1–8 条（最新的在前）。"
    # the actors present, by the label of their latest row (zhao never signed in: the name)
    assert at.selectbox(key="audit_log_actor").options == [
        "全部", admin.label, "命令行（test）（cli:test）", "系统（system）", "zhao",
    ]  # fmt: skip

    at.selectbox(key="audit_log_actor").set_value("cli:test").run()
    assert set(_log(at)["操作人"]) == {"命令行（test）（cli:test）"} and len(_log(at)) == 4
    at.multiselect(key="audit_log_kinds").set_value(["role_granted"]).run()
    assert _log(at)["内容"].tolist() == ["授予 zhao 区县填报员（huzhou-2023：德清县）"]
    assert _texts(at.caption)[1] == "共 1 条记录，显示第 1–1 条（最新的在前）。"
    at.selectbox(key="audit_log_actor").set_value("").run()
    at.multiselect(key="audit_log_kinds").set_value(["login_failed"]).run()
    failed = _log(at)
    assert failed["操作"].tolist() == ["登录失败"] and failed["来源地址"].tolist() == ["10.0.0.9"]
    at.multiselect(key="audit_log_kinds").set_value([]).run()
    assert at.selectbox(key="audit_log_plan").options == ["全部", HUZHOU, "shangdang-2021"]
    at.selectbox(key="audit_log_plan").set_value("shangdang-2021").run()
    assert _log(at)["内容"].tolist()[0] == "保存字段对应"
    assert set(_log(at)["规划"]) == {"shangdang-2021"} and set(_log(at)["操作"]) == {
        "保存字段对应",
        "载入样例数据",
        "新增用户",  # a user whose one role is for this plan belongs to its log
    }
    at.selectbox(key="audit_log_plan").set_value("").run()

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    at.date_input(key="audit_log_from").set_value(today).run()
    at.date_input(key="audit_log_to").set_value(today).run()
    assert len(_log(at)) == 8  # today in 北京时间 holds them all
    at.date_input(key="audit_log_from").set_value(today + dt.timedelta(days=1)).run()
    assert _texts(at.warning) == ["起始日期晚于截止日期，没有符合条件的记录。"]
    assert _texts(at.info)[-1] == "没有符合条件的记录。" and not at.dataframe
    at.date_input(key="audit_log_from").set_value(None).run()
    at.date_input(key="audit_log_to").set_value(today - dt.timedelta(days=1)).run()
    assert not at.dataframe and not at.get("download_button")
    assert not at.exception


def test_a_long_log_is_paged(store):
    cli = system_user("test")
    with store.writing() as session:
        for n in range(230):
            audit.record(session, cli, "mapping_saved", plan=HUZHOU, summary=f"第 {n + 1} 条")
    at = open_page("audit-log", session=sign_in(Role.ADMIN, store=store))
    assert _texts(at.caption)[1] == "共 234 条记录，显示第 1–100 条（最新的在前）。"
    assert len(_log(at)) == 100
    at.number_input(key="audit_log_page").set_value(3).run()
    assert _texts(at.caption)[1] == "共 234 条记录，显示第 201–234 条（最新的在前）。"
    assert _log(at)["内容"].tolist()[-3] == "第 1 条"  # then the two sample plans loaded


def test_the_xlsx_download_holds_the_filtered_rows_with_chinese_headers(store, downloads):
    _seed_log(store)
    at = open_page("audit-log", session=sign_in(Role.ADMIN, store=store))
    at.selectbox(key="audit_log_actor").set_value("cli:test").run()
    shown = _log(at)
    assert [b.label for b in at.get("download_button")] == ["下载 XLSX（4 条）"]
    book = openpyxl.load_workbook(io.BytesIO(downloads["操作日志.xlsx"]()))
    sheet = book["操作日志"]
    rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == list(audit.COLUMNS.values())
    assert rows[0][:4] == ["序号", "时间（北京时间）", "操作人", "操作"]
    body = pd.DataFrame(rows[1:], columns=rows[0])
    assert body["序号"].tolist() == shown["序号"].tolist()
    assert body.astype(str).to_numpy().tolist() == shown.astype(str).to_numpy().tolist()


def test_a_plan_administrator_sees_only_that_plans_rows(store):
    _seed_log(store)
    at = open_page("audit-log", session=sign_in(Role.ADMIN, HUZHOU, store=store))
    log = _log(at)
    # no sign-in, nothing of 上党区: the role granted on 湖州 and 湖州's sample data loaded
    assert set(log["规划"]) == {HUZHOU}
    # newest first: this administrator's own account (its one role is on 湖州), the grant, the samples
    assert log["操作"].tolist() == ["新增用户", "授予角色", "载入样例数据"]
    assert log["内容"].tolist()[1] == "授予 zhao 区县填报员（huzhou-2023：德清县）"
    assert "shangdang-2021" not in at.selectbox(key="audit_log_plan").options


# ------------------------------------------------------------------ hostile display names


def test_hostile_display_names_are_plain_on_both_pages(store):
    accounts = Accounts(store)
    accounts.add(
        system_user("test"),
        "evil.admin",
        PASSWORD,
        [Grant(Role.ADMIN)],
        display_name=HOSTILE,
        must_change_password=False,
    )
    session = {TOKEN: accounts.sign_in("evil.admin", PASSWORD, client="test").token}
    at = open_page("users", session=session)
    _add_user(at, "evil.user", HOSTILE, Role.ANALYST)
    assert at.success and not at.error
    assert accounts.get("evil.user").display_name == HOSTILE[:100]
    assert _row(at, "evil.user")["姓名"] == HOSTILE[:100]  # a table cell: plain as it is
    for pick in ("users_role_user", "users_status_user", "users_reset_user"):
        at.selectbox(key=pick).set_value("evil.user").run()
    strings = shown_strings(at)
    assert live_markup(strings) == []
    assert any(ESCAPED in s for s in strings)  # shown, made inert (the sidebar names the admin)

    log = open_page("audit-log", session=session)
    assert live_markup(shown_strings(log)) == []
    assert HOSTILE[:100] in " ".join(_log(log)["操作人"])
    log.selectbox(key="audit_log_actor").set_value("evil.admin").run()
    assert live_markup(shown_strings(log)) == [] and len(_log(log)) >= 2

    # the refusal names the user too
    accounts.add(
        system_user("test"),
        "evil.reporter",
        PASSWORD,
        [Grant(Role.ANALYST)],
        display_name=HOSTILE,
        must_change_password=False,
    )
    other = {TOKEN: accounts.sign_in("evil.reporter", PASSWORD, client="test").token}
    refused = open_page("users", session=other, alone=True)
    assert refused.error and live_markup(shown_strings(refused)) == []
