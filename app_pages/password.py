"""修改密码 (/password): a signed-in user changes their password; required after an initial one."""

from __future__ import annotations

import streamlit as st

from components import auth, screen
from components.text import plain
from panhuo.accounts import MIN_PASSWORD, AccountError

_CHANGED = "_password_changed"


def render() -> None:
    st.title("修改密码")
    user = auth.signed_in_user()
    if user.is_anonymous:
        st.warning("请先登录。", icon=":material/lock:")
        auth.login_link()
        st.stop()
    if st.session_state.pop(_CHANGED, False):
        st.success("密码已修改。")
        st.page_link(
            "app_pages/overview.py",
            label="进入总览",
            icon=":material/dashboard:",
            query_params=screen.carried(),
        )
    if user.kind != "local":
        st.info("您的账户由单位统一身份认证管理，请在那里修改密码。")
        return
    if user.must_change_password:
        st.warning("这是管理员设置的初始密码，请先修改密码再使用系统。", icon=":material/key:")
    st.caption(
        f"密码至少 {MIN_PASSWORD} 个字符，包含小写字母、大写字母、数字、符号中的至少三类，且不含用户名。"
    )
    with st.form("change_password", clear_on_submit=True):
        old = st.text_input("原密码", type="password", autocomplete="current-password")
        new = st.text_input("新密码", type="password", autocomplete="new-password")
        again = st.text_input("再次输入新密码", type="password", autocomplete="new-password")
        submitted = st.form_submit_button("修改密码", type="primary")
    if not submitted:
        return
    if new != again:
        st.error("两次输入的新密码不一致。")
        return
    try:
        auth.accounts().change_password(user, old, new, client=auth.client_address())
    except AccountError as problem:
        st.error(plain(str(problem)))
        return
    auth.refresh()
    st.session_state[_CHANGED] = True
    st.rerun()  # the menu offers every page again from the next run


if __name__ == "__main__":
    render()
