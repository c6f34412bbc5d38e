"""登录 (/login) and 修改密码 (/password) in AppTest through the router, with real accounts: a wrong
password, the lockout after five failures, a sign-in that shows 已登录, and the forced change of an
initial password (only 修改密码 is offered until it is changed; the rules are enforced)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from components.auth import TOKEN
from panhuo.access import Role
from panhuo.accounts import Accounts
from tests.accounts import PASSWORD, make_user, sign_in
from tests.pages import goto, open_page, rendered_text
from tests.test_app_accounts import store  # noqa: F401 (the fixture: an empty SQLite store)

NEW = "Neues-Passwort-2027"
OTHER_PAGES = ["overview", "records", "import", "users", "audit-log", "login"]


def _texts(elements) -> list[str]:
    return [rendered_text(e.value) for e in elements]


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].set_value(name)  # 用户名
    at.text_input[1].set_value(password)  # 密码
    return at.button[0].click().run()  # 登录


def _signed_in_line(at: AppTest) -> list[str]:
    return [c for c in _texts(at.sidebar.caption) if c.startswith("已登录")]


def test_a_wrong_password_is_refused_without_saying_which_part(store):  # noqa: F811
    name = make_user(Role.ANALYST, store=store)
    at = open_page("login")
    assert _texts(at.title) == ["登录"]
    _sign_in(at, name, "Falsches-Passwort-1")
    assert _texts(at.error) == ["用户名或密码不正确，或账户已停用。"]
    _sign_in(at, "nobody-here", "Falsches-Passwort-1")
    assert _texts(at.error) == ["用户名或密码不正确，或账户已停用。"]
    assert not _signed_in_line(at) and TOKEN not in at.session_state


def test_five_failures_lock_the_account_even_for_the_right_password(store):  # noqa: F811
    name = make_user(Role.ANALYST, store=store)
    at = open_page("login")
    for _ in range(4):
        _sign_in(at, name, "Falsches-Passwort-1")
        assert _texts(at.error) == ["用户名或密码不正确，或账户已停用。"]
    _sign_in(at, name, "Falsches-Passwort-1")
    assert _texts(at.error) == ["用户名或密码不正确。登录失败次数过多，已暂时锁定，请 30 秒后再试。"]
    _sign_in(at, name, PASSWORD)  # locked: the password is not even checked
    assert len(at.error) == 1 and "登录失败次数过多" in _texts(at.error)[0]
    assert not _signed_in_line(at) and TOKEN not in at.session_state


def test_a_sign_in_shows_who_is_signed_in(store):  # noqa: F811
    name = make_user(Role.ANALYST, store=store)
    at = open_page("login")
    _sign_in(at, name, PASSWORD)
    assert not at.exception and not at.error
    assert _texts(at.title) == ["总览"]  # forwarded to 总览
    assert _signed_in_line(at) == [f"已登录：测试{name}（{name}）"]
    assert "分析人员（全部规划）" in _texts(at.sidebar.caption)
    assert Accounts(store).session_user(at.session_state[TOKEN]).name == name
    goto(at, "import").run()  # the analyst's pages are offered now
    assert _texts(at.title) == ["数据导入"]
    with pytest.raises(ValueError):
        goto(at, "login")  # 登录 is for anonymous visitors only


def test_an_initial_password_must_be_changed_first(store):  # noqa: F811
    session = sign_in(Role.ANALYST, store=store, must_change_password=True)
    name = Accounts(store).session_user(session[TOKEN]).name
    at = open_page(None, session=session)
    assert _texts(at.title) == ["修改密码"]
    assert _texts(at.warning) == ["这是管理员设置的初始密码，请先修改密码再使用系统。"]
    for page in OTHER_PAGES:  # only 修改密码 is offered
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            goto(at, page)

    def change(old: str, new: str, again: str | None = None) -> AppTest:
        at.text_input[0].set_value(old)
        at.text_input[1].set_value(new)
        at.text_input[2].set_value(new if again is None else again)
        return at.button[0].click().run()

    change(PASSWORD, "kurz1A")
    assert _texts(at.error) == ["密码不符合要求：至少 10 个字符"]
    change(PASSWORD, "alleskleinundlang")
    assert _texts(at.error) == ["密码不符合要求：包含小写字母、大写字母、数字、符号中的至少三类"]
    change(PASSWORD, NEW, NEW + "x")
    assert _texts(at.error) == ["两次输入的新密码不一致。"]
    change("Falsch-Passwort-9", NEW)
    assert _texts(at.error) == ["原密码不正确"]
    assert Accounts(store).get(name).must_change_password

    change(PASSWORD, NEW)
    assert not at.exception and not at.error
    assert _texts(at.success) == ["密码已修改。"]
    assert not Accounts(store).get(name).must_change_password
    goto(at, "overview").run()  # the normal menu from now on
    assert _texts(at.title) == ["总览"] and _signed_in_line(at) == [f"已登录：测试{name}（{name}）"]
    goto(at, "import").run()
    assert _texts(at.title) == ["数据导入"]
    assert Accounts(store).sign_in(name, NEW, client="test").ok
