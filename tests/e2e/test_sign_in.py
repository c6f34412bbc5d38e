"""Sign-in in a real browser: the form, the cookie that survives a reload, sign-out, lockout,
the forced change of an initial password, and deep links to private pages (数据导入, 用户管理,
操作日志, 进展填报, 进展审核) on a fresh server."""

from __future__ import annotations

import re

import pytest

from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.settings import load_settings
from panhuo.store import Store
from tests.e2e.conftest import Server, exceptions, wait_for_app

pytestmark = pytest.mark.e2e
PASSWORD = "Shen-Pi-2026!ok"


def _store(server_dir) -> Store:
    settings = load_settings({"sqlite_path": str(server_dir / "panhuo-e2e.sqlite")})
    return Store.open(settings)


@pytest.fixture
def accounts_server(tmp_path_factory):
    """A fresh server whose database has an administrator and a 区县填报员 (德清县)."""
    workdir = tmp_path_factory.mktemp("e2e-accounts")
    accounts = Accounts(_store(workdir))
    admin = system_user("e2e")
    accounts.add(
        admin, "admin", PASSWORD, [Grant(Role.ADMIN)], display_name="管理员甲", must_change_password=False
    )
    accounts.add(
        admin,
        "deqing",
        PASSWORD,
        [Grant(Role.REPORTER, "huzhou-2023", ("德清县",))],
        display_name="德清填报员",
    )
    server = Server(workdir)
    server.accounts = accounts
    yield server
    server.stop()


def _nav(page) -> list[str]:
    return [a.inner_text().strip() for a in page.locator('[data-testid="stSidebarNav"] a').all()]


def _sign_in(page, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/login")
    wait_for_app(page)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()
    wait_for_app(page)


def test_private_pages_are_not_served_to_a_first_visitor(accounts_server, page):
    """A deep link to a private page as the very first request to a fresh server."""
    for path in ("import", "users", "audit-log", "progress-report", "progress-review"):
        page.goto(f"{accounts_server.url}/{path}?plan=huzhou-2023")
        wait_for_app(page)
        assert not exceptions(page)
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "此页面需要登录后使用" in main, path
        assert page.locator('[data-testid="stFileUploader"]').count() == 0
        assert page.locator('[data-testid="stDataFrame"]').count() == 0  # nor the entry table
        assert "Page not found" not in page.content()
    assert "登录" in _nav(page) and not {"数据导入", "进展填报", "进展审核"} & set(_nav(page))


def test_sign_in_survives_a_reload_and_sign_out_ends_it(accounts_server, page, screenshots):
    base = accounts_server.url
    _sign_in(page, base, "admin", PASSWORD)
    assert "已登录：管理员甲（admin）" in page.locator('[data-testid="stSidebar"]').inner_text()
    assert {"数据导入", "用户管理", "操作日志"} <= set(_nav(page))
    page.screenshot(path=str(screenshots / "signed-in-admin.png"), full_page=True)
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "panhuo_session" in cookies and cookies["panhuo_session"]["sameSite"] == "Strict"
    page.goto(f"{base}/users")  # a reload: a new Streamlit session, the cookie signs in
    wait_for_app(page)
    assert page.locator("h1").first.inner_text().strip() == "用户管理"
    page.get_by_role("button", name="退出登录").click()
    wait_for_app(page)
    assert "当前为公开视图" in page.locator('[data-testid="stSidebar"]').inner_text()
    page.goto(f"{base}/users")
    wait_for_app(page)
    assert "此页面需要登录后使用" in page.locator('[data-testid="stMain"]').inner_text()
    assert "用户管理" not in _nav(page)
    assert "panhuo_session" not in {c["name"] for c in page.context.cookies()}


def test_repeated_failures_lock_the_account(accounts_server, page, screenshots):
    base = accounts_server.url
    for attempt in range(5):
        _sign_in(page, base, "admin", f"wrong-{attempt}")
    alert = page.locator('[data-testid="stAlert"]').last.inner_text()
    assert "用户名或密码不正确" in alert and "登录失败次数过多" in alert
    _sign_in(page, base, "admin", PASSWORD)  # the right password, during the lock
    page.screenshot(path=str(screenshots / "sign-in-locked.png"), full_page=True)
    assert re.search(r"请 \d+ 秒后再试", page.locator('[data-testid="stAlert"]').last.inner_text())
    assert "已登录" not in page.locator('[data-testid="stSidebar"]').inner_text()
    _sign_in(page, base, "deqing", "wrong")  # another account from the same client is not locked
    assert "登录失败次数过多" not in page.locator('[data-testid="stAlert"]').last.inner_text()


def test_an_initial_password_must_be_changed_first(accounts_server, page, screenshots):
    base = accounts_server.url
    _sign_in(page, base, "deqing", PASSWORD)
    assert page.locator("h1").first.inner_text().strip() == "修改密码"
    assert _nav(page) == [] or _nav(page) == ["修改密码"]
    page.goto(f"{base}/records?plan=huzhou-2023")  # any address leads to 修改密码 until then
    wait_for_app(page)
    assert page.locator("h1").first.inner_text().strip() == "修改密码"
    page.get_by_label("原密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill("Taihu-Lake-2026#")
    page.get_by_label("再次输入新密码").fill("Taihu-Lake-2026#")
    page.get_by_role("button", name="修改密码").click()
    wait_for_app(page)
    assert "密码已修改" in page.locator('[data-testid="stMain"]').inner_text()
    page.screenshot(path=str(screenshots / "password-changed.png"), full_page=True)
    assert "明细" in _nav(page) and "数据导入" not in _nav(page)
