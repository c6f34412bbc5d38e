"""明细: the filtered records a page at a time — search, sort, detail of the selected record,
downloads built when asked. Only the page's rows are formatted and sent to the browser, so a
province's million parcels page as fast as a county's hundred."""

from functools import partial

import streamlit as st

from components import record_tools
from components.header import missing, page_header
from components.sidebar import current
from components.text import plain
from panhuo.demo import export_frame, export_name, export_title
from panhuo.export import (
    PAGE_SIZES,
    SORT_LABELS,
    SORTS,
    XLSX_MAX_ROWS,
    matching_records,
    record_details,
    record_page,
    records_table,
    to_csv_bytes,
    to_xlsx_bytes,
)
from panhuo.nouns import noun
from panhuo.privacy import scope_note


def render() -> None:
    ctx = current()
    page_header("明细", ctx)
    plan = ctx.plan
    if not plan.has_parcels and not plan.has_zones:
        missing("本规划未列出地块或片区清单，没有明细可显示。")
        return
    what = noun(ctx.dataset)
    query = st.text_input(
        "搜索", key="records_search", placeholder=f"输入{what}名称、位置、类型等关键词", on_change=_first_page
    )
    sort_col, order_col = st.columns([3, 1])
    sort = sort_col.selectbox(
        "排序", SORTS, format_func=SORT_LABELS.get, key="records_sort", on_change=_first_page
    )
    descending = order_col.selectbox(
        "顺序", [False, True], format_func=_order_label, key="records_order", on_change=_first_page
    )
    extras, where = record_tools.extra_choices(ctx, on_change=_first_page)
    size = int(st.session_state.get("records_size", PAGE_SIZES[1]))
    # the table, its detail view and both downloads come from the same scoped records; only this
    # page's rows are formatted and sent
    shown = ctx.cached(
        record_page, ctx.records, ctx.dataset, ctx.unit, ctx.scope, query=query, sort=sort,
        descending=descending, page=int(st.session_state.get("records_page", 1)), size=size,
        extras=extras, where=where,
    )  # fmt: skip
    table = shown.table
    bundles = "宗数" in table and (table["宗数"] > 1).any()
    span = (
        f"，第 {shown.first:,}–{shown.first + len(table) - 1:,} 条（第 {shown.page:,}/{shown.pages:,} 页）"
        if shown.pages > 1
        else ""
    )
    st.caption(
        f"共 {shown.total:,} 条{what}记录{span}" + ("（一行可代表多宗地块，见“宗数”）" if bundles else "")
    )
    area_column = f"面积（{ctx.unit_label}）"
    config = {
        area_column: st.column_config.NumberColumn(
            area_column, format="%,.2f" if ctx.unit == "ha" else "%,.1f"
        ),
        "序号": st.column_config.TextColumn("序号", width="small"),
        "名称": st.column_config.TextColumn("名称", width="medium"),
    }
    event = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config=config,
        on_select="rerun",
        selection_mode="single-row",
        key="records_table",
    )
    if shown.total > PAGE_SIZES[0]:
        _pager(shown.page, shown.pages)
    if note := scope_note(ctx.scope, what):
        st.caption(plain(note))
    rows = [r for r in (event.selection.rows if event is not None else []) if r < len(table)]
    if rows:
        title, details = record_details(table, rows[0])
        with st.container(border=True, key="records_detail"):
            st.markdown(f"#### {plain(title)}")
            st.dataframe(details, hide_index=True, width="stretch", key="records_detail_table")
    else:
        st.caption("点选表格中的一行查看详情。")
    name = f"{plan.id}-{what}明细"
    left, right = st.columns(2)
    build = partial(_download_frame, ctx, query, extras, where)  # built when pressed, not on every run
    left.download_button(
        "下载 CSV",
        data=lambda: to_csv_bytes(build()),
        file_name=export_name(plan, f"{name}.csv"),
        mime="text/csv",
        key="records_csv",
        width="stretch",
        on_click="ignore",
    )
    if shown.total > XLSX_MAX_ROWS:
        right.button("下载 Excel", disabled=True, key="records_xlsx", width="stretch")
        st.caption(
            f"共 {shown.total:,} 行，超过 Excel 一个工作表的上限（{XLSX_MAX_ROWS:,} 行）：请下载 CSV，或缩小筛选范围。"
        )
    else:
        right.download_button(
            "下载 Excel",
            data=lambda: to_xlsx_bytes(build(), title=export_title(plan, plan.title)),
            file_name=export_name(plan, f"{name}.xlsx"),
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="records_xlsx",
            width="stretch",
            on_click="ignore",
        )

    record_tools.gis_downloads(ctx, query, name, where)


def _first_page() -> None:
    st.session_state["records_page"] = 1


def _order_label(descending: bool) -> str:
    return "从大到小" if descending else "从小到大"


def _pager(page: int, pages: int) -> None:
    """每页 and 页码 under the table; the page is kept within the pages there are now."""
    st.session_state["records_page"] = page  # after a filter change the last page may be gone
    size_col, page_col, _rest = st.columns([1, 1, 3])
    size_col.selectbox("每页", PAGE_SIZES, index=1, key="records_size", on_change=_first_page)
    page_col.number_input(
        f"页码（共 {pages:,} 页）", min_value=1, max_value=pages, step=1, key="records_page"
    )


def _download_frame(ctx, query: str, extras: tuple[str, ...] = (), where: tuple = ()):
    """Every record matching the filters, the search and the conditions on extra columns, with
    the extra columns shown, as the table shows them."""
    records = matching_records(ctx.records, ctx.dataset, ctx.scope, query, where)
    return export_frame(ctx.plan, records_table(records, ctx.dataset, ctx.unit, ctx.scope, extras=extras))


if __name__ == "__main__":
    render()
