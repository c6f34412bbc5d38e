"""时序安排: milestones Gantt with a today line; area and count per period; cumulative vs target."""

from datetime import date

import pandas as pd
import streamlit as st

from components import charts, charts_timeline
from components.chart_view import plotly_chart
from components.header import missing, page_header
from components.kpi import kpi_row
from components.sidebar import current
from components.text import plain
from panhuo import timeline as domain
from panhuo.nouns import measure_word


def render() -> None:
    ctx = current()
    today = date.today()
    page_header("时序安排", ctx, today)
    plan = ctx.plan
    by_phase, by_stage = domain.plan_schedule(plan)
    milestones = domain.milestone_frame(plan, today)
    if milestones.empty and not (by_phase or by_stage):
        missing("本规划未载明阶段、时间节点或分期安排。")
        return
    _milestones(plan, milestones, today)
    if by_phase or by_stage:
        _quantities(ctx, by_phase)
    else:
        missing("本规划没有按时期或实施阶段安排的地块、片区面积。")


def _milestones(plan, milestones, today) -> None:
    st.subheader("阶段与时间节点")
    if milestones.empty:
        missing("本规划未列出阶段或时间节点，下图只有规划期。")
    else:
        kpi_row(domain.milestone_metrics(milestones, today))
    placed = pd.concat([domain.period_row(plan, today), domain.dated(milestones)], ignore_index=True)
    if not placed.empty:
        figure = charts_timeline.gantt(placed, "", today)
        plotly_chart(figure, key="timeline_gantt", width="stretch")
        st.caption("条形为起止时段（斜纹为只载明起始、持续进行的阶段），菱形为截止日期；红色虚线为今天。")
    if milestones.empty:
        return
    undated = int((milestones["shape"] == "undated").sum())
    if undated:
        st.caption(f"另有 {undated} 项原文未载明时间，只列在下表。")
    st.dataframe(domain.milestone_table(milestones), hide_index=True, width="stretch", key="timeline_table",
                 column_config={"工作内容": st.column_config.TextColumn(width="large")})  # fmt: skip


def _quantities(ctx, by_phase: bool) -> None:
    plan = ctx.plan
    noun = measure_word(ctx.dataset)
    st.subheader("分期面积与数量" if by_phase else "按实施阶段的面积与数量")
    if not by_phase:
        missing("本规划的片区只载明实施阶段（正在实施/计划实施/储备），未按年份安排：无法画出逐年面积；"
                "下图按实施阶段汇总，累计线按阶段由近及远累加，不是时间轴。")  # fmt: skip
    options = domain.stack_options(plan)
    labels = {"": "不分组", **dict(options)}
    by = st.radio("堆叠方式", list(labels), format_func=labels.get, horizontal=True, key="timeline_stack",
                  index=1 if options else 0)  # fmt: skip
    if ctx.records.empty:
        missing("当前筛选条件下没有记录。")
        return
    totals = ctx.cached(
        domain.period_totals if by_phase else domain.stage_totals, ctx.records, by or None, ctx.unit
    )
    x_label = "时期" if by_phase else "实施阶段"
    totals["count_text"] = totals["count"].map(str)
    left, right = st.columns(2)
    with left:
        figure = charts.stacked_bars(totals, "label", "area_value", "group", "面积", ctx.unit_label, x_label,
                                     labels[by], value_label="面积", hover_text="area_text")  # fmt: skip
        plotly_chart(figure, key="timeline_area", width="stretch")
    with right:
        figure = charts.stacked_bars(totals, "label", "count", "group", "数量", noun, x_label, labels[by],
                                     value_label="数量", hover_text="count_text")  # fmt: skip
        plotly_chart(figure, key="timeline_count", width="stretch")
    cumulative = domain.cumulative_frame(totals, ctx.unit, running_label=not by_phase)
    targets = domain.area_targets(plan, ctx.unit)
    points = domain.target_points(cumulative, targets, ctx.unit)
    title = "累计面积与目标" if by_phase else "按实施阶段累计面积与目标"
    figure = charts_timeline.cumulative(cumulative, title, ctx.unit_label, targets=points)
    plotly_chart(figure, key="timeline_cumulative", width="stretch")
    if targets.empty:
        st.caption("本规划未设定全规划面积目标。")
    elif by_phase:
        checks = domain.target_checks(cumulative, targets, ctx.unit)
        st.dataframe(
            domain.target_check_table(checks), hide_index=True, width="stretch", key="timeline_targets"
        )
    else:
        for sentence in domain.ladder_check(cumulative, targets, ctx.unit):
            st.caption(plain(sentence))
    if not ctx.view.filters.is_empty() and not targets.empty:
        st.caption("目标为全规划目标；累计面积只含筛选后的记录。")
    _published(plan)


def _published(plan) -> None:
    for role, label in (("schedule", "原表时序安排"), ("schedule_previous", "上轮规划时序安排")):
        table = domain.schedule_table(plan, role)
        if table is not None:
            with st.expander(f"{label}：{plain(table.id)} {plain(table.title)}"):
                st.dataframe(table.printed,
                             hide_index=True, width="stretch", key=f"timeline_published_{role}")  # fmt: skip
                if table.note:
                    st.caption(plain(table.note))


if __name__ == "__main__":
    render()
