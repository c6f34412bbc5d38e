"""Who the app thinks is looking, for each way of signing in: a local session (and its expiry),
an identity provider's claims (OIDC), a reverse proxy's header, and public mode, where nobody is."""

from __future__ import annotations

import datetime as dt

import pytest

import panhuo.accounts
from components.auth import TOKEN
from panhuo.access import system_user
from panhuo.accounts import Accounts
from panhuo.store import Store
from tests.accounts import make_user, sign_in
from tests.pages import open_page


def _sidebar(at) -> str:
    return "\n".join(str(c.value) for c in at.sidebar.caption) + "\n".join(
        str(i.value) for i in at.sidebar.info
    )


def _menu(at) -> set[str]:
    return {title for title in _page_titles(at)}


def _page_titles(at) -> list[str]:
    from components.routes import ROUTES

    offered = []
    for route in ROUTES:
        try:
            at.switch_page(route.file)
        except ValueError:
            continue
        offered.append(route.title)
    return offered


def test_a_local_session_signs_in_and_shows_who(monkeypatch):
    at = open_page("overview", session=sign_in("analyst", "huzhou-2023"), plan="huzhou-2023")
    assert "已登录：测试analyst" in _sidebar(at)
    assert "分析人员（huzhou-2023）" in _sidebar(at)
    assert [b.label for b in at.sidebar.button] == ["退出登录"]


def test_an_expired_session_falls_back_to_the_public_view_with_a_notice(monkeypatch):
    session = sign_in("analyst")
    at = open_page("overview", session=session)
    assert "已登录" in _sidebar(at)
    later = panhuo.accounts.now() + dt.timedelta(hours=9)  # past session_hours (8)
    monkeypatch.setattr(panhuo.accounts, "now", lambda: later)
    monkeypatch.setattr("components.auth.RECHECK_SECONDS", 0.0)
    at.run()
    assert "当前为公开视图" in _sidebar(at)
    assert "登录已过期" in _sidebar(at)
    assert TOKEN not in at.session_state


def test_an_idle_session_ends(monkeypatch):
    monkeypatch.setenv("PANHUO_SESSION_IDLE_MINUTES", "30")
    store = Store.open()
    name = make_user("analyst", store=store)
    token = Accounts(store).sign_in(name, "Test-Passwort-2026!", client="t").token
    later = panhuo.accounts.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(panhuo.accounts, "now", lambda: later)
    assert Accounts(Store.open()).session_user(token) is None


def test_a_disabled_account_is_signed_out_at_once(monkeypatch):
    session = sign_in("analyst")
    store = Store.open()
    name = next(a.name for a in Accounts(store).list() if a.name.startswith("analyst"))
    token = session[TOKEN]
    user = Accounts(store).session_user(token)
    Accounts(store).set_active(system_user("test"), user.name, False)
    monkeypatch.setattr("components.auth.RECHECK_SECONDS", 0.0)
    at = open_page("overview", session=session)
    assert "当前为公开视图" in _sidebar(at)
    assert name  # the account still exists, disabled


@pytest.mark.parametrize(
    ("method", "claims"),
    [("header", {"name": "{name}"}), ("oidc", {"is_logged_in": True, "preferred_username": "{name}"})],
)
def test_an_identity_from_the_proxy_or_provider_maps_to_the_local_account(monkeypatch, method, claims):
    monkeypatch.setenv("PANHUO_AUTH", method)
    name = make_user("admin")
    user = {k: (v.format(name=name) if isinstance(v, str) else v) for k, v in claims.items()}
    at = open_page("overview", user=user)
    assert f"已登录：测试{name}（{name}）" in _sidebar(at)
    assert {"数据导入", "用户管理", "操作日志"} <= set(_menu(at))


@pytest.mark.parametrize("method", ["header", "oidc"])
def test_an_identity_without_a_local_account_gets_the_public_view(monkeypatch, method):
    monkeypatch.setenv("PANHUO_AUTH", method)
    claims = (
        {"name": "stranger"}
        if method == "header"
        else {"is_logged_in": True, "preferred_username": "stranger"}
    )
    at = open_page("overview", user=claims)
    assert "当前为公开视图" in _sidebar(at)
    assert "账户“stranger”未在本系统开通" in _sidebar(at)
    assert "数据导入" not in _menu(at)


def test_public_mode_ignores_sessions_and_headers(monkeypatch):
    session = sign_in("admin")
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = open_page("overview", session=session, user={"name": "whoever"})
    assert "已登录" not in _sidebar(at)
    assert [b.label for b in at.sidebar.button] == []
    assert not {"数据导入", "用户管理", "操作日志", "登录"} & set(_menu(at))
