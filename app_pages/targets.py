"""区县目标: area by 区县 against targets, counts per category against targets, stages per 区县."""

import streamlit as st

from components import charts, theme
from components.chart_view import plotly_chart
from components.drilldown import drill_to_records
from components.header import missing, page_header
from components.kpi import kpi_row
from components.sidebar import current
from components.table_download import figure_columns, table_downloads
from panhuo.export import filters_line
from panhuo.views import (
    counts_against_targets,
    county_split,
    county_stage_summary,
    county_targets_summary,
    target_metrics,
    targets_table,
)


def render() -> None:
    ctx = current()
    page_header("区县目标", ctx)
    plan = ctx.plan
    if plan.targets.empty and not (plan.has_parcels or plan.has_zones):
        missing("本规划没有量化目标，也没有地块或片区清单，无法按区县比较。")
        return
    kpi_row(ctx.cached(target_metrics, plan, ctx.records, ctx.unit))
    if not (plan.has_parcels or plan.has_zones):
        missing("本规划没有地块或片区清单，无法按区县比较。")
    elif ctx.records.empty:
        missing("当前筛选条件下没有记录。")
    else:
        split = ctx.cached(county_split, ctx.records, ctx.unit)  # the chart's figures are the table's
        _county_chart(ctx, split)
        _county_tables(ctx, split)
    counts = ctx.cached(counts_against_targets, plan, ctx.records, ctx.dataset)
    if not counts.empty:
        figure = charts.target_bars(counts, "各类别个数与目标")
        plotly_chart(figure, key="targets_counts", width="stretch")
    if plan.targets.empty:
        missing("本规划未设定量化目标。")
    else:
        st.subheader("全部目标（按原文）")
        table = targets_table(plan)
        st.dataframe(table, hide_index=True, width="stretch", key="targets_table")
        table_downloads(table, f"{plan.id}-全部目标", "targets_all", plan=plan, sum_columns=[])


def _county_chart(ctx, split) -> None:
    """Area per 区县 stacked by stage (or phase); a click on a bar opens 明细 of that 区县."""
    frame, split_label = split
    colors = theme.STAGE_COLORS if split_label == "实施阶段" else None
    figure = charts.stacked_bars(
        frame, "county", "area_value", "split", f"各区县面积（按{split_label}）", ctx.unit_label, "区县",
        split_label, colors=colors,
    )  # fmt: skip
    event = plotly_chart(
        figure, key="targets_county_stage", on_select="rerun", selection_mode="points", width="stretch"
    )
    drill_to_records(event, "x", "county")
    st.caption("点击柱子可查看该区县的明细。")


def _county_tables(ctx, split) -> None:
    """The chart's figures as a table, and the 区县 area targets where the plan sets them; both
    with a 合计 row and downloads."""
    plan, note = ctx.plan, filters_line(ctx.view.filters)
    summary, split_label = county_stage_summary(ctx.records, ctx.unit, split)
    st.subheader(f"各区县面积表（按{split_label}）")
    st.dataframe(
        summary.shown(),
        column_config=figure_columns(summary.frame),
        hide_index=True,
        width="stretch",
        key="targets_county_stage_table",
    )
    table_downloads(summary.frame, f"{plan.id}-各区县面积", "targets_county_stage", plan=plan, note=note)
    targets = county_targets_summary(plan, ctx.records, ctx.unit)
    if not targets.frame.empty:
        st.subheader("各区县面积目标")
        st.dataframe(
            targets.shown(),
            column_config=figure_columns(targets.frame, targets.formats),
            hide_index=True,
            width="stretch",
            key="targets_per_county",
        )
        table_downloads(
            targets.frame,
            f"{plan.id}-各区县目标",
            "targets_per_county",
            plan=plan,
            formats=targets.formats,
            note=note,
        )


if __name__ == "__main__":
    render()
