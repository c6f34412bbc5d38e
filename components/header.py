"""Page header: title, the plan's source and status, and today's position in the plan period."""

from __future__ import annotations

from datetime import date

import streamlit as st

from components.sidebar import Context
from components.text import plain
from panhuo.views import period_position, status_text


def page_header(title: str, ctx: Context, today: date | None = None, *, filters: bool = True) -> None:
    """The title, the plan and its period; with ``filters`` the sidebar's filters in force (pages
    the sidebar's filters do not narrow, such as 进展填报, leave them out)."""
    today = today or date.today()
    plan = ctx.plan
    st.title(title)
    meta = plan.meta
    parts = [plan.kind, meta.get("issuer") or "", meta.get("doc_number") or "", meta.get("date") or ""]
    st.markdown(f"**{plain(plan.title)}**  \n" + " · ".join(plain(p) for p in parts if p))
    fraction, sentence = period_position(plan, today)
    cols = st.columns([3, 2])
    with cols[0]:
        if fraction is not None:
            st.progress(min(max(fraction, 0.0), 1.0), text=plain(sentence))
        else:
            st.caption(plain(sentence))
    with cols[1]:
        status = status_text(plan, today)
        if plan.is_consultation and plan.consultation_open(today):
            st.info(plain(status), icon=":material/edit_note:")
        else:
            st.caption(f"状态：{plain(status)}")
    chosen = ctx.view.filters
    if filters and not chosen.is_empty():
        shown = [("区县", chosen.counties), ("片区", chosen.zones), ("类型", chosen.types),
                 ("阶段", chosen.stages)]  # fmt: skip
        st.caption("筛选：" + "；".join(f"{k} {'、'.join(plain(x) for x in v)}" for k, v in shown if v))


def missing(what: str) -> None:
    """The one-line notice for data a plan does not carry."""
    st.info(what, icon=":material/info:")
