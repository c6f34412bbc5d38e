"""区县目标: area by 区县 against targets, counts per category against targets, stages per 区县."""

import streamlit as st

from components import charts
from components.header import missing, page_header
from components.navigation import goto
from components.sidebar import current, request_view
from panhuo.views import (
    area_against_target,
    counts_against_targets,
    county_stage,
    county_targets,
    targets_table,
)


def render() -> None:
    ctx = current()
    page_header("区县目标", ctx)
    plan = ctx.plan
    if plan.targets.empty and not (plan.has_parcels or plan.has_zones):
        missing("本规划没有量化目标，也没有地块或片区清单。")
        return
    overall = area_against_target(plan, ctx.records, ctx.unit)
    if overall:
        cols = st.columns(3)
        cols[0].metric(
            "面积目标",
            f"{overall['target']:,.0f} {ctx.unit_label}",
            help=f"原文：{overall['printed']}",
            border=True,
        )
        cols[1].metric("清单面积", f"{overall['listed']:,.0f} {ctx.unit_label}", border=True)
        cols[2].metric("覆盖率", f"{overall['coverage']:.1f}%", border=True)
    if ctx.records.empty:
        missing("本规划没有地块或片区清单，无法按区县比较。")
    else:
        stages = county_stage(ctx.records, ctx.unit)
        figure = charts.stacked_bars(
            stages,
            "county",
            "area_value",
            "stage",
            "各区县面积（按实施阶段）",
            ctx.unit_label,
            "区县",
            "实施阶段",
            colors=charts.STAGE_COLORS,
        )
        event = st.plotly_chart(
            figure,
            key="targets_county_stage",
            on_select="rerun",
            selection_mode="points",
            width="stretch",
        )
        clicked = [p.get("x") for p in (event.selection.points if event else []) if p.get("x")]
        if clicked:
            request_view(counties=tuple(dict.fromkeys(clicked)))
            goto("records")
        st.caption("点击柱子可查看该区县的明细。")
        per_county = county_targets(plan, ctx.records, ctx.unit)
        if not per_county.empty:
            st.dataframe(per_county, hide_index=True, width="stretch", key="targets_per_county")
    counts = counts_against_targets(plan, ctx.records, ctx.dataset)
    if not counts.empty:
        st.plotly_chart(
            charts.target_bars(counts, "各类别个数与目标"), key="targets_counts", width="stretch"
        )
    if plan.targets.empty:
        missing("本规划未设定量化目标。")
    else:
        st.subheader("全部目标（按原文）")
        st.dataframe(targets_table(plan), hide_index=True, width="stretch", key="targets_table")
