"""用户管理 (/users): the accounts, and adding users, roles, disabling and password resets.

Only a 管理员 for all plans may use it (``Action.MANAGE_USERS``); the page checks that first,
whatever the menu offered, and every change is checked again and logged by
:class:`panhuo.accounts.Accounts`. The widgets are in ``components/user_admin.py``.
"""

from __future__ import annotations

import streamlit as st

from components import auth
from components import cached as data
from components import user_admin as admin
from panhuo.access import Action


def render() -> None:
    actor = auth.require_page(Action.MANAGE_USERS)
    st.title("用户管理")
    admin.show_flash()
    accounts, client, catalog = auth.accounts(), auth.client_address(), data.catalog()
    listed = accounts.list()
    active = sum(a.is_active for a in listed)
    st.caption(f"共 {len(listed)} 个账户，其中启用 {active} 个。时间均为北京时间。")
    st.dataframe(admin.accounts_frame(listed), hide_index=True, key="users_table")
    add, roles, status, reset = st.tabs(["新增用户", "授予/收回角色", "停用/启用", "重置密码"])
    with add:
        admin.add_form(accounts, actor, client, catalog)
    with roles:
        admin.roles_form(accounts, actor, client, catalog, listed)
    with status:
        admin.status_form(accounts, actor, client, listed)
    with reset:
        admin.reset_form(accounts, actor, client, listed)


if __name__ == "__main__":
    render()
