"""结构调整: current → planned use (Sankey, paired bars, 调整量), the classes behind it, parcels."""

import streamlit as st

from components import charts
from components.chart_view import plotly_chart
from components.charts_structure import change_bars, paired_bars, sankey, sunburst
from components.header import missing, page_header
from components.kpi import kpi_row
from components.sidebar import current
from components.table_download import table_downloads
from components.text import plain
from panhuo import structure as domain


def render() -> None:
    ctx = current()
    page_header("结构调整", ctx)
    plan = ctx.plan
    frame = domain.structure_frame(plan, ctx.unit)
    detail = domain.detail_frame(plan, ctx.unit)
    parcels = ctx.dataset == "parcels" and plan.has_parcels
    if frame.empty and detail.empty and not parcels:
        missing("本规划未载明用地结构调整（现状用途与规划用途），无结构调整数据。")
        return
    if frame.empty:
        missing("本规划未发布结构调整表（现状→规划用途）。")
    else:
        _adjustment(ctx, frame)
    if not detail.empty:
        _detail(ctx, frame, detail)
    if parcels:
        _parcels(ctx)


def _adjustment(ctx, frame) -> None:
    table = domain.table_by_role(ctx.plan, "structure")
    st.subheader(f"{plain(table.id)} {plain(table.title)}")
    kpi_row(domain.structure_metrics(ctx.plan, frame, ctx.unit))
    if domain.is_unchanged(frame):
        st.info(plain(domain.unchanged_sentence(ctx.plan, frame, ctx.unit)), icon=":material/info:")
    flows = domain.structure_flows(frame)
    plotly_chart(
        sankey(flows, "现状用途 → 规划用途", ctx.unit_label), key="structure_sankey", width="stretch"
    )
    if not domain.is_unchanged(frame):
        st.caption(
            "原表只给出各用途的现状与规划面积，未给出用途之间的转换去向：各用途保留的部分直接相连，"
            "减少的部分汇入“用途调整”节点，再分到增加的用途。"
        )
    paired = paired_bars(frame, "use", "current", "planned", "现状与规划面积", ctx.unit_label)
    if domain.is_unchanged(frame):
        plotly_chart(paired, key="structure_paired", width="stretch")
    else:
        _paired_and_change(ctx, frame, paired)
    for sentence in domain.change_mismatches(frame, ctx.unit):
        st.warning(f"原表调整量与规划−现状不一致：{plain(sentence)}", icon=":material/warning:")
    shown = domain.structure_table_view(frame, ctx.unit)
    figures = [c for c in shown.columns if c not in ("用途", "一级类")]
    st.dataframe(
        shown,
        column_config={c: st.column_config.TextColumn(c, alignment="right") for c in figures},
        hide_index=True,
        width="stretch",
        key="structure_table",
    )
    st.caption(
        f"面积单位：{ctx.unit_label}（原表单位：{plain(table.unit)}）。"
        + plain(domain.printed_total_note(ctx.plan, frame, ctx.unit))
        + (f"原表说明：{plain(table.note)}" if table.note else "")
    )
    summary = domain.structure_summary(frame, ctx.unit)
    table_downloads(
        summary.frame,
        f"{ctx.plan.id}-结构调整",
        "structure_table",
        plan=ctx.plan,
        formats=summary.formats,
        note=f"{table.id} {table.title}（原表单位：{table.unit}）",
    )


def _paired_and_change(ctx, frame, paired) -> None:
    left, right = st.columns(2)
    with left:
        plotly_chart(paired, key="structure_paired", width="stretch")
    with right:
        value = "change_printed" if frame["change_printed"].notna().all() else "change_computed"
        text = "change_text" if value == "change_printed" else "change_computed_text"
        figure = change_bars(frame, "use", value, text, "调整量（规划 − 现状）", ctx.unit_label)
        plotly_chart(figure, key="structure_change", width="stretch")


def _detail(ctx, frame, detail) -> None:
    table = domain.table_by_role(ctx.plan, "structure_detail")
    st.subheader(f"{plain(table.id)} {plain(table.title)}")
    # raw text for the chart (chart_view makes it inert there), escaped only where Markdown reads it
    labels = {"use": "按原表用途", "level1": "按用地用海一级类", "class": f"按{table.id}分类"}
    level = st.radio(
        "汇总层级",
        list(labels),
        format_func=lambda key: plain(labels[key]),
        horizontal=True,
        key="structure_level",
        index=1,
    )
    left, right = st.columns(2)
    with left:
        rollup = domain.detail_rollup(detail, level, ctx.unit)
        name = labels[level].removeprefix("按")
        figure = charts.bar_totals(rollup, f"规划用地（{name}）", ctx.unit_label, name)
        plotly_chart(figure, key="structure_rollup", width="stretch")
    with right:
        hierarchy = domain.detail_hierarchy(detail, "level1" if level == "level1" else "use")
        figure = sunburst(hierarchy, "逐级展开（点击扇区下钻）", ctx.unit_label)
        plotly_chart(figure, key="structure_sunburst", width="stretch")
    for sentence in domain.detail_mismatches(frame, detail, ctx.unit):
        st.caption(f":material/warning: 与结构调整表不一致：{plain(sentence)}")
    if table.note:
        st.caption(f"原表说明：{plain(table.note)}")


def _parcels(ctx) -> None:
    st.subheader("地块用途（随筛选变化）")
    records = ctx.records
    if records.empty:
        missing("当前筛选条件下没有地块。")
        return
    flows = domain.parcel_use_flows(records, ctx.unit)
    if not flows.empty:
        figure = sankey(flows, "地块：现状用途 → 规划用途", ctx.unit_label)
        plotly_chart(figure, key="structure_parcel_sankey", width="stretch")
        return
    missing("地块清单未载明规划用途，无法逐地块画出现状→规划流向；下图为筛选后地块的现状用途。")
    labels = {"use": "按原文用途", "level1": "按用地用海一级类"}
    level = st.radio(
        "地块用途层级", list(labels), format_func=labels.get, horizontal=True, key="structure_parcel_level"
    )
    rollup = domain.parcel_current_uses(records, level, ctx.unit)
    name = labels[level].removeprefix("按")
    figure = charts.bar_totals(rollup, f"地块现状用途（{name}）", ctx.unit_label, name)
    plotly_chart(figure, key="structure_parcel_uses", width="stretch")


if __name__ == "__main__":
    render()
