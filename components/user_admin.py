"""The widgets of 用户管理: the accounts table and the forms that add users, grant and revoke roles,
disable and enable accounts and reset passwords.

Every form calls :class:`panhuo.accounts.Accounts` with the acting user, which checks the role
again and writes the audit row; a refusal (``AccountError``, ``PermissionDenied``) is shown as
the Chinese message it carries. A success is remembered for the next run, the form's fields are
cleared and the page runs again, so the table above shows the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from components.text import plain
from panhuo import audit
from panhuo.access import ROLE_LABELS, Grant, PermissionDenied, Role, User
from panhuo.accounts import MAX_PASSWORD, MIN_PASSWORD, Account, AccountError, Accounts
from panhuo.catalog import Catalog

_FLASH = "_users_flash"
PASSWORD_RULES = (
    f"密码 {MIN_PASSWORD}–{MAX_PASSWORD} 个字符，包含小写字母、大写字母、数字、符号中的至少三类，"
    "不含用户名，不能由极少几个字符重复组成。用户首次登录须修改此初始密码。"
)
NAME_RULES = "2–64 个字符：小写字母、数字、点、下划线或连字符，以字母或数字开头。"
ALL_PLANS = ""  # the plan option 全部规划
ACCOUNT_COLUMNS = [
    "用户名",
    "姓名",
    "角色",
    "状态",
    "须改密码",
    "最近登录（北京时间）",
    "创建时间（北京时间）",
]


def accounts_frame(listed: Sequence[Account]) -> pd.DataFrame:
    """The accounts as the table shows them (never a hash): Chinese headers, 北京时间."""
    return pd.DataFrame(
        [
            {
                "用户名": a.name,
                "姓名": a.display_name,
                "角色": "、".join(g.label for g in a.grants) or "无角色",
                "状态": "启用" if a.is_active else "停用",
                "须改密码": "是" if a.must_change_password else "否",
                "最近登录（北京时间）": audit.to_beijing(a.last_login_at),
                "创建时间（北京时间）": audit.to_beijing(a.created_at),
            }
            for a in listed
        ],
        columns=ACCOUNT_COLUMNS,
    )


def make_grant(role: Role, plan: str | None, counties: Sequence[str]) -> Grant:
    """The grant chosen in a form; AccountError (Chinese) when it cannot be one."""
    if role is Role.REPORTER:
        if not plan:
            raise AccountError("区县填报员须选择一个规划（不能是全部规划）及至少一个区县。")
        if not counties:
            raise AccountError("区县填报员须选择至少一个区县。")
        return Grant(role, plan, tuple(counties))
    return Grant(role, plan or None)


def show_flash() -> None:
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(plain(message))


def _done(message: str, keys: Sequence[str]) -> None:
    """A success: remember the message, clear the form's fields, run the page again."""
    st.session_state[_FLASH] = message
    for key in keys:
        st.session_state.pop(key, None)
    st.rerun()


def _attempt(action: Callable[[], str], keys: Sequence[str]) -> None:
    try:
        message = action()
    except (AccountError, PermissionDenied) as problem:
        st.error(plain(str(problem)))
        return
    _done(message, keys)


def _grant_picker(prefix: str, catalog: Catalog) -> tuple[Role, str | None, list[str]]:
    role = st.selectbox("角色", list(Role), format_func=ROLE_LABELS.get, key=f"{prefix}_role")
    plan = st.selectbox(
        "规划",
        [ALL_PLANS, *catalog.ids()],
        format_func=lambda p: "全部规划" if p == ALL_PLANS else f"{p}｜{catalog.short_title(p)}",
        key=f"{prefix}_plan",
        help="管理员（全部规划）可管理用户；某一规划的角色只对该规划有效。",
    )
    counties: list[str] = []
    if role is Role.REPORTER:
        if plan == ALL_PLANS:
            st.caption("区县填报员须选择一个规划及其区县。")
        else:
            counties = st.multiselect(
                "区县", catalog.get(plan).counties, key=f"{prefix}_counties", placeholder="选择一个或多个区县"
            )
    return role, plan or None, counties


def _account_choice(listed: Sequence[Account], key: str) -> Account | None:
    by_name = {a.name: a for a in listed}
    name = st.selectbox("用户", list(by_name), format_func=lambda n: by_name[n].user().label, key=key)
    return by_name.get(name) if name else None


def add_form(accounts: Accounts, actor: User, client: str, catalog: Catalog) -> None:
    keys = ["users_add_name", "users_add_display", "users_add_pw", "users_add_pw2", "users_add_counties"]
    name = st.text_input("用户名", max_chars=64, key=keys[0], help=NAME_RULES)
    display = st.text_input("姓名", max_chars=100, key=keys[1])
    password = st.text_input(
        "初始密码", type="password", max_chars=MAX_PASSWORD, key=keys[2], help=PASSWORD_RULES
    )
    again = st.text_input("再次输入初始密码", type="password", max_chars=MAX_PASSWORD, key=keys[3])
    st.caption(PASSWORD_RULES)
    role, plan, counties = _grant_picker("users_add", catalog)
    if not st.button("新增用户", type="primary", key="users_add_go"):
        return
    if password != again:
        st.error("两次输入的初始密码不一致。")
        return

    def add() -> str:
        grant = make_grant(role, plan, counties)
        made = accounts.add(actor, name, password, [grant], display_name=display, client=client)
        return f"已新增用户 {made.user().label}，角色：{grant.label}。首次登录须修改密码。"

    _attempt(add, keys)


def roles_form(
    accounts: Accounts, actor: User, client: str, catalog: Catalog, listed: Sequence[Account]
) -> None:
    account = _account_choice(listed, "users_role_user")
    if account is None:
        return
    st.caption("现有角色：" + plain("、".join(g.label for g in account.grants) or "无角色"))
    st.markdown("**授予角色**")
    role, plan, counties = _grant_picker("users_grant", catalog)
    if st.button("授予", type="primary", key="users_grant_go"):

        def grant() -> str:
            chosen = make_grant(role, plan, counties)
            accounts.grant(actor, account.name, chosen, client=client)
            return f"已授予 {account.user().label} {chosen.label}。"

        _attempt(grant, ["users_grant_counties"])
    if not account.grants:
        return
    st.markdown("**收回角色**")
    grants = account.grants
    index = st.selectbox(
        "要收回的角色", range(len(grants)), format_func=lambda i: grants[i].label, key="users_revoke_grant"
    )
    if st.button("收回", key="users_revoke_go"):

        def revoke() -> str:
            accounts.revoke(actor, account.name, grants[index], client=client)
            return f"已收回 {account.user().label} 的 {grants[index].label}。"

        _attempt(revoke, ["users_revoke_grant"])


def status_form(accounts: Accounts, actor: User, client: str, listed: Sequence[Account]) -> None:
    account = _account_choice(listed, "users_status_user")
    if account is None:
        return
    st.caption(f"当前状态：{'启用' if account.is_active else '停用'}。停用后该用户的所有登录立即失效。")
    label = "停用" if account.is_active else "启用"
    if st.button(label, type="primary", key="users_status_go"):

        def toggle() -> str:
            accounts.set_active(actor, account.name, not account.is_active, client=client)
            return f"已{label}用户 {account.user().label}。"

        _attempt(toggle, [])


def reset_form(accounts: Accounts, actor: User, client: str, listed: Sequence[Account]) -> None:
    account = _account_choice(listed, "users_reset_user")
    if account is None:
        return
    keys = ["users_reset_pw", "users_reset_pw2"]
    password = st.text_input(
        "新的初始密码", type="password", max_chars=MAX_PASSWORD, key=keys[0], help=PASSWORD_RULES
    )
    again = st.text_input("再次输入新的初始密码", type="password", max_chars=MAX_PASSWORD, key=keys[1])
    st.caption("重置后该用户的所有登录立即失效，下次登录须修改密码。")
    if not st.button("重置密码", type="primary", key="users_reset_go"):
        return
    if password != again:
        st.error("两次输入的密码不一致。")
        return

    def reset() -> str:
        accounts.reset_password(actor, account.name, password, client=client)
        return f"已重置 {account.user().label} 的密码，下次登录须修改密码。"

    _attempt(reset, keys)
