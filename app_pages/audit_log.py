"""操作日志 (/audit-log): the append-only audit trail, filtered by 操作人, 规划, 操作类型 and date,
shown in 北京时间 and downloaded as XLSX.

Needs ``Action.READ_AUDIT`` (管理员): a 管理员 for all plans sees every row, one for some plans only
the rows of those plans. The page checks that first, whatever the menu offered. The widgets are
in ``components/audit_view.py``.
"""

from __future__ import annotations

import streamlit as st

from components import audit_view as view
from components import auth
from components import cached as data
from panhuo.access import Action


def render() -> None:
    user = auth.require_page(Action.READ_AUDIT)
    st.title("操作日志")
    plans = user.plans_with(Action.READ_AUDIT)
    scope = None if plans is None else frozenset(plans)
    if scope is None:
        st.caption("全部规划的登录、账户、导入与恢复等操作记录，时间均为北京时间。日志只增不改。")
    else:
        st.caption("您有权查看的规划的操作记录（不含登录等与规划无关的记录），时间均为北京时间。")
    store = data.store()
    query = view.filters(store, scope)
    total = view.table(store, query)
    view.download(store, query, total)


if __name__ == "__main__":
    render()
