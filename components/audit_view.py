"""The widgets of 操作日志: the filters (操作人, 规划, 操作类型, dates in 北京时间), a page of the
table, and the XLSX download of every filtered row.

The log is read within the reader's scope (:meth:`panhuo.access.User.plans_with`): a 管理员 for all
plans sees every row, an administrator of some plans only those plans' rows. Reading the log is
not itself logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import streamlit as st

from panhuo import audit
from panhuo.export import to_xlsx_bytes
from panhuo.store import Store

PAGE_SIZE = 100
MAX_DOWNLOAD = 100_000  # rows in one XLSX download (newest first)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ANY = ""


def filters(store: Store, scope: frozenset[str] | None) -> audit.Query:
    """The filter widgets; returns the query they describe, limited to ``scope``."""
    with store.session() as session:
        found = audit.choices(session, scope)
    plans = sorted(scope) if scope is not None else found.plans
    left, middle, right = st.columns(3)
    actor = left.selectbox(
        "操作人",
        [_ANY, *found.actors],
        format_func=lambda a: "全部" if a == _ANY else found.actors[a],
        key="audit_log_actor",
    )
    plan = middle.selectbox(
        "规划",
        [_ANY, *plans],
        format_func=lambda p: ("全部" if scope is None else "本人可查看的全部规划") if p == _ANY else p,
        key="audit_log_plan",
    )
    kinds = right.multiselect(
        "操作类型",
        list(audit.KIND_LABELS),
        format_func=audit.kind_label,
        key="audit_log_kinds",
        placeholder="全部类型",
    )
    start, end = st.columns(2)
    since = start.date_input("起始日期（北京时间）", value=None, key="audit_log_from")
    until = end.date_input("截止日期（北京时间，含当日）", value=None, key="audit_log_to")
    if since and until and since > until:
        st.warning("起始日期晚于截止日期，没有符合条件的记录。")
    return audit.Query(
        actor=actor or None,
        plan=plan or None,
        plans=scope,
        kinds=tuple(kinds),
        since=audit.beijing_day_start(since) if since else None,
        until=audit.beijing_day_start(until + dt.timedelta(days=1)) if until else None,
    )


def table(store: Store, query: audit.Query) -> int:
    """The row count line and one page of the matching rows; returns how many match."""
    with store.session() as session:
        total = audit.count(session, query)
    if not total:
        st.info("没有符合条件的记录。")
        return 0
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = 1
    if pages > 1:
        page = int(st.number_input(f"页码（共 {pages} 页）", 1, pages, 1, key="audit_log_page"))
    first = (page - 1) * PAGE_SIZE
    with store.session() as session:
        rows = audit.entries(session, replace(query, offset=first, limit=PAGE_SIZE))
        shown = audit.frame(rows)
    st.caption(f"共 {total:,} 条记录，显示第 {first + 1:,}–{first + len(shown):,} 条（最新的在前）。")
    st.dataframe(shown, hide_index=True, key="audit_log_table")
    return total


def workbook(store: Store, query: audit.Query) -> bytes:
    """Every filtered row (up to :data:`MAX_DOWNLOAD`) as XLSX, the same columns as the table."""
    with store.session() as session:
        shown = audit.frame(audit.entries(session, replace(query, offset=0, limit=MAX_DOWNLOAD)))
    return to_xlsx_bytes(shown, sheet="操作日志")


def download(store: Store, query: audit.Query, total: int) -> None:
    """The XLSX download, made when clicked (a large log is not written on every run)."""
    if not total:
        return
    note = f"（最新的 {MAX_DOWNLOAD:,} 条）" if total > MAX_DOWNLOAD else f"（{total:,} 条）"
    st.download_button(
        f"下载 XLSX{note}",
        lambda: workbook(store, query),
        file_name="操作日志.xlsx",
        mime=XLSX,
        key="audit_log_download",
    )
