"""Who is looking: the signed-in user of this browser session, sign-in, sign-out, and the checks
pages make.

- ``local`` (default): accounts in the database (:mod:`panhuo.accounts`). A sign-in gives a random
  token, kept in ``st.session_state`` for this tab and in a cookie (``panhuo_session``, set by a
  small script: Streamlit has no cookie API) so that a reload or a new tab stays signed in. Only
  the token's sha256 is stored; the session is checked against the database on every run, so a
  sign-out, an expiry, a disabled account or a password reset ends it everywhere at once.
- ``oidc``: Streamlit's ``st.login`` against the bureau's identity provider (``[auth]`` in
  secrets); ``header``: a name the bureau's reverse proxy puts in a header, mapped into
  ``st.user`` by ``server.trustedUserHeaders``. Either way the name must be a local account, whose
  roles apply (the identity provider proves who someone is, the bureau decides what they may do).
- ``PANHUO_PUBLIC=1``: nobody is ever signed in; every cookie and header is ignored.

Pages call :func:`current_user` (what the user may do now) and :func:`require_page` (stop the page
with a Chinese message when the user may not use it). Nothing here is the only guard: every write
function in ``panhuo`` checks the role again.
"""

from __future__ import annotations

import json
import time

import streamlit as st

from components import cached as data
from components import screen
from components.text import plain
from panhuo import audit
from panhuo.access import ACTION_LABELS, ANONYMOUS, Action, User
from panhuo.accounts import Accounts
from panhuo.store import StoreUnavailable

COOKIE = "panhuo_session"
TOKEN = "_auth_token"  # this tab's session token
_USER = "_auth_user"  # the user found for it, and when (monotonic seconds)
_CHECKED = "_auth_checked"
_COOKIE_OP = "_auth_cookie"  # after sign-out: on how many more runs to clear the cookie
_NOTICE = "_auth_notice"
_EXTERNAL_LOGGED = "_auth_external_logged"
_UNMAPPED = "_auth_unmapped"  # a name the identity provider or proxy gave that has no account here
RECHECK_SECONDS = 2.0  # a run's several calls share one database check


def accounts() -> Accounts:
    """The accounts of the configured store (raises StoreUnavailable when it cannot be reached)."""
    return Accounts(data.store(), data.settings())


def client_address() -> str:
    """The browser's address for sign-in throttling and the audit log: the connection's address,
    or behind a trusted reverse proxy (``trust_proxy``) the last X-Forwarded-For address (the hop the proxy added)."""
    if data.settings().trust_proxy:
        forwarded = st.context.headers.get("X-Forwarded-For", "")
        # the last hop is the one the bureau's proxy added; earlier ones are what the client sent
        last = forwarded.split(",")[-1].strip()
        if last:
            return last[:200]
    address = st.context.ip_address
    return address[:200] if isinstance(address, str) else ""


def _claim(default: str) -> str:
    return data.settings().auth_claim or default


def _external_user(method: str) -> User | None:
    """The local account of the person the identity provider or proxy vouches for."""
    try:
        if method == "oidc" and not st.user.is_logged_in:
            return None
        name = st.user.get(_claim("preferred_username" if method == "oidc" else "name"))
    except (AttributeError, KeyError, st.errors.StreamlitAPIException):  # no [auth] configured
        return None
    if not name:
        return None
    try:
        account = accounts().get(str(name))
    except StoreUnavailable:
        st.session_state[_NOTICE] = "数据库暂时无法连接，登录暂不可用，现为公开视图。"
        return None
    if account is None or not account.is_active:
        st.session_state[_UNMAPPED] = str(name)
        return None
    st.session_state.pop(_UNMAPPED, None)
    user = account.user(kind=method)
    user = User(user.name, user.display_name, user.grants, kind=method)  # no local password to change
    if not st.session_state.get(_EXTERNAL_LOGGED):
        st.session_state[_EXTERNAL_LOGGED] = True
        _log(user, "login", f"{user.label} 经{'统一身份认证' if method == 'oidc' else '反向代理'}登录")
    return user


def _log(user: User, kind: str, summary: str) -> None:
    store = data.store()
    with store.writing() as session:
        audit.record(session, user, kind, summary=summary, records=[user.name], client=client_address())


def _cookie() -> str:
    try:
        value = st.context.cookies.get(COOKIE)
    except (AttributeError, RuntimeError):  # no request (a bare script run)
        return ""
    return value if isinstance(value, str) else ""


def signed_in_user() -> User:
    """The signed-in user as they are (also one who must still change the initial password)."""
    settings = data.settings()
    if settings.public_mode:
        return ANONYMOUS
    ss = st.session_state
    cached = ss.get(_USER)
    checked_token, checked_at = ss.get(_CHECKED, ("", 0.0))
    fresh = time.monotonic() - checked_at < RECHECK_SECONDS
    if cached is not None and fresh and checked_token == ss.get(TOKEN, ""):
        return cached
    user: User | None
    if settings.auth == "local":
        token = ss.get(TOKEN) or _cookie()
        try:
            user = accounts().session_user(token) if token else None
        except StoreUnavailable:  # nobody can be signed in without the database: the public view
            ss[_NOTICE] = "数据库暂时无法连接，登录暂不可用，现为公开视图。"
            return ANONYMOUS
        if token and user is None:
            ss.pop(TOKEN, None)
            if cached is not None and not cached.is_anonymous:
                ss[_NOTICE] = "登录已过期或已在别处退出，请重新登录。"
        elif user is not None:
            ss[TOKEN] = token
    else:
        user = _external_user(settings.auth)
    user = user or ANONYMOUS
    ss[_USER], ss[_CHECKED] = user, (ss.get(TOKEN, ""), time.monotonic())
    return user


def current_user() -> User:
    """The user whose rights apply now: anonymous until an initial password has been changed."""
    user = signed_in_user()
    return ANONYMOUS if user.must_change_password else user


def require_page(action: Action, plan: str | None = None) -> User:
    """Stop the page (a Chinese message, a sign-in link) unless the user may do ``action`` on
    ``plan`` (any plan when None). Returns the user. Pages call it first, whatever the menu shows."""
    user = current_user()
    allowed = user.can(action, plan) if plan is not None else user.plans_with(action) != set()
    if not allowed:
        what = ACTION_LABELS[Action(action)]
        if user.is_anonymous:
            st.warning(f"此页面需要登录：{what}需要相应角色。", icon=":material/lock:")
            if not data.settings().public_mode:
                login_link()
        else:
            st.error(
                f"{plain(user.label)} 没有{what}的权限。如需开通，请联系管理员。", icon=":material/block:"
            )
        st.stop()
    return user


def refuse(title: str, access: str) -> None:
    """What the address of a page the user is not offered shows instead of the page."""
    user = signed_in_user()
    if user.must_change_password:
        st.switch_page("app_pages/password.py", query_params=screen.carried())
    st.title(title)
    if data.settings().public_mode:
        st.info("本站为公开视图，不提供此页面。")
    elif access == "anonymous":
        st.info(f"已登录：{plain(user.label)}")
    elif user.is_anonymous:
        st.warning("此页面需要登录后使用。", icon=":material/lock:")
        if data.settings().auth == "local":
            login_link()
    else:
        what = ACTION_LABELS.get(access, title) if access in set(Action) else title
        st.error(f"{plain(user.label)} 没有{what}的权限。如需开通，请联系管理员。", icon=":material/block:")


def login_link() -> None:
    """A link to 登录; a plain one when the page file runs by itself (the first request to a fresh
    server runs it without the router, and st.page_link knows only the router's pages)."""
    try:
        st.page_link(
            "app_pages/login.py", label="登录", icon=":material/login:", query_params=screen.carried()
        )
    except st.errors.StreamlitPageNotFoundError:
        st.markdown("[登录](/login)")


def complete_sign_in(user: User, token: str) -> None:
    """Keep a fresh session for this tab and (next run) in the browser's cookie."""
    ss = st.session_state
    ss[TOKEN] = token
    ss[_USER], ss[_CHECKED] = user, (token, time.monotonic())


def refresh() -> None:
    """Read the user again on the next call (after a change to the account, e.g. its password)."""
    st.session_state.pop(_CHECKED, None)
    st.session_state.pop(_USER, None)


def sign_out() -> None:
    user = signed_in_user()
    settings = data.settings()
    ss = st.session_state
    if settings.auth == "local" and not user.is_anonymous:
        accounts().sign_out(user, ss.get(TOKEN, ""), client=client_address())
    elif not user.is_anonymous:
        _log(user, "logout", f"{user.label} 退出登录")
    for key in (TOKEN, _USER, _CHECKED, _EXTERNAL_LOGGED):
        ss.pop(key, None)
    ss[_COOKIE_OP] = 3  # runs on which the cookie is cleared
    if settings.auth == "oidc":
        st.logout()


def send_cookie() -> None:
    """Keep the browser's cookie in step with this tab's session (app.py calls this every run).

    A script element sets it; a run cut short by a page switch may never reach the browser, so it
    is sent on every run while the cookie this session arrived with is not the current token (the
    cookies Streamlit shows are those of the connection's first request). A stale cookie is
    cleared on a few runs after sign-out, not forever, so that a sign-in in another tab stands.
    """
    ss = st.session_state
    settings = data.settings()
    if settings.public_mode or settings.auth != "local":
        return
    token = ss.get(TOKEN, "")
    arrived = _cookie()
    if token and not signed_in_user().is_anonymous:
        ss.pop(_COOKIE_OP, None)
        if arrived != token:
            _cookie_script(token, int(settings.session_hours * 3600))
        return
    if ss.get(_COOKIE_OP) is not None or arrived:
        left = ss.get(_COOKIE_OP) if isinstance(ss.get(_COOKIE_OP), int) else 3
        if left > 0:
            _cookie_script("", 0)
        ss[_COOKIE_OP] = left - 1


def _cookie_script(token: str, age: int) -> None:
    value = json.dumps(f"{COOKIE}={token}; Path=/; Max-Age={age}; SameSite=Strict")
    st.html(
        f"<script>document.cookie = {value} + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
    )


def roles_text(user: User) -> str:
    """分析人员（全部规划）、区县填报员（huzhou-2023：德清县）."""
    return "、".join(g.label for g in user.grants) or "无角色"


def render_account_box() -> None:
    """The sidebar's foot: who is signed in, 修改密码 and 退出登录; or a sign-in link."""
    settings = data.settings()
    if settings.public_mode:
        return
    notice = st.session_state.pop(_NOTICE, None)
    user = signed_in_user()
    with st.sidebar:
        st.divider()
        if notice:
            st.info(plain(notice), icon=":material/info:")
        if user.is_anonymous and st.session_state.get(_UNMAPPED):
            unmapped = st.session_state[_UNMAPPED]
            st.info(
                f"账户“{plain(unmapped, limit=64)}”未在本系统开通或已停用，请联系管理员。",
                icon=":material/info:",
            )
        if user.is_anonymous:
            st.caption("当前为公开视图。")
            if settings.auth == "oidc":
                if st.button("统一身份认证登录", key="auth_oidc_login"):
                    st.login()
            elif settings.auth == "local":
                login_link()
            return
        st.caption(f"已登录：{plain(user.label)}")
        st.caption(plain(roles_text(user)))
        if st.button("退出登录", key="auth_sign_out"):
            sign_out()
            st.rerun()
