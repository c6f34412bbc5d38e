"""登录 (/login): the Chinese sign-in form for local accounts (or the identity provider's button).

The form never says whether a name exists; repeated failures lock the account and the client
for a growing time (:mod:`panhuo.accounts`). After a sign-in with an initial password the user
changes it before anything else (``app.py`` offers only 修改密码 until then).
"""

from __future__ import annotations

import streamlit as st

from components import auth, screen
from components import cached as data
from components.text import plain
from panhuo.store import StoreUnavailable


def _local_form() -> None:
    with st.form("sign_in", clear_on_submit=False, enter_to_submit=True):
        name = st.text_input("用户名", max_chars=64, autocomplete="username")
        password = st.text_input("密码", type="password", max_chars=256, autocomplete="current-password")
        submitted = st.form_submit_button("登录", type="primary")
    if not submitted:
        return
    if not name.strip() or not password:
        st.error("请输入用户名和密码。")
        return
    try:
        result = auth.accounts().sign_in(name, password, client=auth.client_address())
    except StoreUnavailable:
        st.error("数据库暂时无法连接，无法登录，请稍后再试。")
        return
    if not result.ok:
        st.error(plain(result.message), icon=":material/block:")
        return
    auth.complete_sign_in(result.user, result.token)
    # with an initial password, 修改密码 opens instead; meeting mode stays on
    st.switch_page("app_pages/overview.py", query_params=screen.carried())


def render() -> None:
    st.title("登录")
    settings = data.settings()
    if settings.public_mode:
        st.info("本站为公开视图，不提供登录。")
        return
    user = auth.signed_in_user()
    if not user.is_anonymous:
        st.success(f"已登录：{plain(user.label)}")
        return
    if settings.auth == "oidc":
        st.caption("使用单位的统一身份认证账户登录。")
        if st.button("统一身份认证登录", type="primary"):
            st.login()
        return
    if settings.auth == "header":
        st.info("本系统由单位的统一入口登录；请从单位门户进入。")
        return
    st.caption("区县填报员、分析人员和管理员登录后可查看本人权限范围内的全部信息。公众无需登录。")
    _local_form()


if __name__ == "__main__":
    render()
