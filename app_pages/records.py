"""明细: the filtered records a page at a time — search, sort, detail of the selected record,
downloads built when asked. Only the page's rows are formatted and sent to the browser, so a
province's million parcels page as fast as a county's hundred."""

from functools import partial

import streamlit as st

from components.header import missing, page_header
from components.sidebar import current
from components.text import plain
from panhuo.demo import export_frame, export_name, export_title
from panhuo.export import (
    PAGE_SIZES,
    SORT_LABELS,
    SORTS,
    XLSX_MAX_ROWS,
    extra_columns,
    extra_values,
    matching_records,
    record_details,
    record_page,
    records_table,
    to_csv_bytes,
    to_xlsx_bytes,
)
from panhuo.gis_export import MIMES, gis_counts, left_out_note, searched
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
    extras, where = _extra_choices(ctx)
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

    _gis_downloads(ctx, query, name, where)


def _gis_downloads(ctx, query: str, name: str, where: tuple = ()) -> None:
    """下载 GeoPackage / 下载 Shapefile: the searched records with their surveyed outlines
    (CGCS2000, EPSG:4490), built when pressed; a record with only a 示意位置 is left out, and
    the caption says how many."""
    total, surveyed = ctx.cached(
        gis_counts, ctx.records, ctx.dataset, query=query, where=where, scope=ctx.scope
    )
    what = noun(ctx.dataset)
    left, right = st.columns(2)
    buttons = (
        ("gpkg", "下载 GeoPackage", f"{name}.gpkg"),
        ("shp", "下载 Shapefile（zip）", f"{name}-shp.zip"),
    )
    for column, (fmt, label, file_name) in zip((left, right), buttons, strict=True):
        if not surveyed:
            column.button(label, disabled=True, key=f"records_{fmt}", width="stretch")
            continue
        column.download_button(
            label,
            data=partial(_gis_file, ctx, query, fmt, where),
            file_name=export_name(ctx.plan, file_name),
            mime=MIMES[fmt],
            key=f"records_{fmt}",
            width="stretch",
            on_click="ignore",
        )
    if not surveyed:
        st.caption(
            f"这些{plain(what)}没有实测图形（地图上为示意位置，不是实际位置），不能导出 GIS 文件；请下载 CSV 或 Excel。"
        )
    else:
        note = left_out_note(ctx.dataset, total, surveyed)
        st.caption(
            f"GIS 文件为 CGCS2000 经纬度（EPSG:4490），含 {surveyed:,} 条有实测图形的{plain(what)}。" + note
        )


def _gis_file(ctx, query: str, fmt: str, where: tuple = ()) -> bytes:
    from components import cached
    from panhuo.gis_export import download_bytes, surveyed_geometry

    plan = ctx.plan
    store = cached.store() if ctx.dataset in plan.shapes else None
    return download_bytes(
        searched(ctx.records, ctx.dataset, query, where, ctx.scope), ctx.dataset, fmt, scope=ctx.scope,
        geometry=surveyed_geometry(plan, ctx.dataset, store), plan=plan, name=f"{plan.id}-{ctx.dataset}",
    )  # fmt: skip


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


NO_FILTER = "（不筛选）"


def _extra_choices(ctx) -> tuple[tuple[str, ...], tuple]:
    """附加列: which extra columns the table shows and one condition on an extra column (the
    columns an import kept beyond the standard ones, those this viewer may see)."""
    extras = extra_columns(ctx.records.head(0), ctx.dataset, ctx.scope)
    if not extras:
        return (), ()
    with st.expander(f"附加列（导入时保留的其他列，共 {len(extras)} 列）"):
        shown = st.multiselect(
            "在表格中显示",
            extras,
            key="records_extras",
            on_change=_first_page,
            placeholder="选择要显示的附加列",
        )
        column = st.selectbox(
            "按附加列筛选", [NO_FILTER, *extras], key="records_extra_column", on_change=_first_page
        )
        if column == NO_FILTER:
            return tuple(shown), ()
        values = ctx.cached(extra_values, ctx.records, column=column)
        if values is None:  # too many distinct values to pick from
            word = st.text_input(f"“{plain(column)}”包含", key="records_extra_word", on_change=_first_page)
            picked: list[str] = []
        else:
            picked = st.multiselect(
                f"“{plain(column)}”的取值",
                values,
                key="records_extra_values",
                on_change=_first_page,
                placeholder="选择取值",
            )
            word = ""
    shown = [*shown, column] if column not in shown else shown
    return tuple(shown), ((column, tuple(picked), word),) if picked or word.strip() else ()


if __name__ == "__main__":
    render()
