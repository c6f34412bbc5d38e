"""总览: headline figures, small charts, the plan's source and status."""

from datetime import date
from functools import partial

import streamlit as st

from components import charts
from components.chart_view import plotly_chart
from components.drilldown import DRILL_FILTERS, drill_to_records
from components.header import missing, page_header
from components.kpi import kpi_row
from components.progress_monitor import overview_block
from components.screen import big_figures, is_screen
from components.sidebar import current
from components.text import plain
from panhuo.briefing import PPTX_MIME, briefing_pptx, file_name
from panhuo.demo import DEMO_LABEL
from panhuo.nouns import noun
from panhuo.views import breakdowns, headline, outline_metrics, totals_by

SOURCE_WORDS = {"sample": "样例数据", "demo": f"湖州市样例数据的演示副本，进展为{DEMO_LABEL}"}


def render() -> None:
    ctx = current()
    page_header("总览", ctx)
    plan = ctx.plan
    if plan.meta.get("summary"):
        st.markdown(plain(plan.meta["summary"]))
    if ctx.dataset == "zones" and not plan.has_zones:
        missing("本规划未列出地块或片区清单，以下为其阶段、措施与政策；见“时序安排”“政策与任务”。")
        _briefing(ctx)
        _counts(plan)
        return
    figures = ctx.cached(headline, plan, ctx.records, ctx.dataset, ctx.unit)
    if is_screen():
        big_figures([(m.label, m.value, m.delta or m.help) for m in figures])
    else:
        kpi_row(figures)
    _briefing(ctx)
    overview_block(ctx)  # 进展预警: signed-in users with a role on the plan only
    if ctx.records.empty:
        missing("当前筛选条件下没有记录。")
        return
    left, right = st.columns(2)
    what = noun(ctx.dataset)
    shown = ctx.cached(breakdowns, ctx.records, ctx.dataset)
    for column, (field, label) in zip((left, right), shown, strict=True):
        with column:
            groups = ctx.cached(totals_by, ctx.records, field, ctx.unit)
            figure = charts.bar_totals(groups, f"按{label}的{what}面积", ctx.unit_label, label)
            if field in DRILL_FILTERS:
                event = plotly_chart(
                    figure,
                    key=f"overview_{field}",
                    on_select="rerun",
                    selection_mode="points",
                    width="stretch",
                )
                drill_to_records(event, "y", field)
            else:
                plotly_chart(figure, key=f"overview_{field}", width="stretch")
    st.caption("点击柱子可查看对应的明细。")
    _source(plan)


def _briefing(ctx) -> None:
    """One button: the meeting briefing (public version, current filters), built when clicked;
    none in meeting mode (a projector needs no download)."""
    if is_screen():
        return
    today = date.today()
    st.download_button(
        "下载会议简报（PPTX）",
        data=partial(briefing_pptx, ctx.plan, ctx.records, ctx.dataset, ctx.unit, today),
        file_name=file_name(ctx.plan, today),
        mime=PPTX_MIME,
        on_click="ignore",
        key="overview_briefing",
        help="按当前筛选与单位生成；公开版，不含权利人信息。",
    )


def _counts(plan) -> None:
    kpi_row(outline_metrics(plan))
    _source(plan)


def _source(plan) -> None:
    if is_screen():  # meeting mode: few controls
        return
    with st.expander("来源与说明"):
        st.markdown(
            f"原文文件：{plain(plan.meta.get('source_file', ''))}"
            f"（数据来源：{SOURCE_WORDS.get(plan.origin, '导入')}）"
        )
        for note in plan.meta.get("notes", []):
            st.markdown(f"- {plain(note)}")


if __name__ == "__main__":
    render()
