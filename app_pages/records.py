"""明细: the filtered records as a table — search, detail of the selected record, downloads."""

import streamlit as st

from components.header import missing, page_header
from components.sidebar import current
from components.text import plain
from panhuo.demo import export_frame, export_name, export_title
from panhuo.export import record_details, records_table, search, to_csv_bytes, to_xlsx_bytes
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
    query = st.text_input("搜索", key="records_search", placeholder=f"输入{what}名称、位置、类型等关键词")
    # the table, its detail view and both downloads come from this one scoped table
    table = search(records_table(ctx.records, ctx.dataset, ctx.unit, ctx.scope), query)
    bundles = "宗数" in table and (table["宗数"] > 1).any()
    st.caption(f"共 {len(table)} 条{what}记录" + ("（一行可代表多宗地块，见“宗数”）" if bundles else ""))
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
    download = export_frame(plan, table)  # a demonstration plan's rows say so in the file
    left.download_button(
        "下载 CSV",
        to_csv_bytes(download),
        file_name=export_name(plan, f"{name}.csv"),
        mime="text/csv",
        key="records_csv",
        width="stretch",
    )
    right.download_button(
        "下载 Excel",
        to_xlsx_bytes(download, title=export_title(plan, plan.title)),
        file_name=export_name(plan, f"{name}.xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="records_xlsx",
        width="stretch",
    )


if __name__ == "__main__":
    render()
