"""进展监测 (/progress): for a period, from approved reports only — how far along the city and each
区县 are against their targets (traffic lights, rank: 亮晒比拼), the burn-up, the stage funnel, plan
against actual per record, and the warnings (预警); ``?view=alerts`` puts the warnings first,
``?screen=1`` is the meeting mode (big figures, the 区县 table and the burn-up, few controls).
Administrators break the target down by 区县 here; analysts mark milestones done.

Thin: the widgets are in ``components/progress_monitor.py`` (the figures are
:class:`panhuo.progress.monitor.Monitor`'s) and ``components/progress_targets.py`` (the writes,
which :class:`panhuo.progress.Progress` checks and audits). Streamlit runs it as a page.
"""

from __future__ import annotations

import streamlit as st

from components import cached as data
from components import progress_form as form
from components import progress_monitor as pm
from components import progress_targets as targets
from components import screen
from components.header import missing, page_header
from components.progress_briefing import briefing_buttons
from components.sidebar import current
from components.table_download import table_downloads
from components.text import plain
from panhuo.access import Action
from panhuo.store import StoreUnavailable


def _downloads(frame, name: str, key: str, m, **options) -> None:
    """下载 XLSX / CSV of a summary table (the period in its note; nothing for an empty table)."""
    if not frame.empty:
        table_downloads(frame, name, key, plan=current().plan, note=f"报送期：{m.period.label}（截至 {m.as_of_text}）",
                        **options)  # fmt: skip


def render() -> None:
    ctx = current()
    plan, user, meeting = ctx.plan, ctx.user, screen.is_screen()
    if not (plan.has_parcels or plan.has_zones):  # nothing to report on (聊城, 乌鲁木齐)
        page_header("进展监测", ctx, filters=False)
        missing("本规划没有地块或片区清单，无法监测进展。")
        return
    if meeting:
        st.title("进展监测")
        st.markdown(f"**{plain(plan.short_title)}**")
    else:
        page_header("进展监测", ctx, filters=False)  # the figures are the whole plan's; the unit counts
    try:
        progress = pm.open_progress()
        periods = progress.periods(plan) if progress else []
    except StoreUnavailable:  # its detail names hosts and paths: the server log has it, not the page
        st.error("无法打开数据库，暂时不能显示进展，请稍后再试。", icon=":material/error:")
        return
    if progress is None:
        missing("本站没有进展填报数据。")
        return
    if not periods:
        missing("本规划没有报送期，无法监测进展。")
        return
    shown = pm.closed_periods(periods, progress.today())
    default = progress.default_period(plan) or shown[-1]
    period = pm.period_choice(shown, default if default in shown else shown[-1], plan.id)
    form.show_flash()
    m = pm.monitor(progress, plan, period.id, ctx.unit)
    if m is None:
        missing("本规划没有地块或片区清单，无法监测进展。")
        return
    st.caption(f"截至 {pm.day_text(m.as_of)}，只计审核通过的填报数据。")
    if m.target_source != "breakdown":
        st.info(plain(m.target_note), icon=":material/info:")
    if m.city.reported == 0:
        missing("截至本期尚无审核通过的进展数据，以下数字均为零。")
    if meeting:
        _meeting(m)
        return
    pm.headline_cards(m)
    briefing_buttons(ctx, m, user.can(Action.REVIEW, plan.id), key="progress_briefing")
    if pm.alerts_first():
        _alerts(m, ctx)
    st.subheader("各区县进展（亮晒比拼）")
    table = pm.county_table(m, key="progress_counties")
    st.caption("按完成率排名；点击表格中的单元格可查看该区县的明细。" + _light_rule())
    _downloads(
        table, f"{plan.id}-区县进展-{period.id}", "progress_counties_dl", m, formats=pm.county_rates(m, table)
    )
    pm.county_chart(m, key="progress_county_chart")
    st.caption("已完成的柱子和各区县的曲线按亮灯着色；点击柱子可查看该区县的明细。")
    st.subheader("进度曲线")
    pm.burnup_charts(m, key="progress_burnup")
    st.subheader("项目阶段")
    pm.funnel_chart(m, key="progress_funnel")
    funnel = m.funnel_table()  # the 达到…及以后 columns are running totals: not summed again
    _downloads(
        funnel,
        f"{plan.id}-项目阶段-{period.id}",
        "progress_funnel_dl",
        m,
        sum_columns=list(funnel.columns[1:3]),
    )
    st.subheader("计划与实际")
    chosen = pm.plan_vs_actual(m, key="progress_pva")
    _downloads(chosen, f"{plan.id}-计划与实际-{period.id}", "progress_pva_dl", m, sum_columns=[])
    slipped = m.slipped_table()
    st.markdown(f"**超过计划年份仍未竣工的记录**（{len(slipped)} 条）")
    if not slipped.empty:
        st.dataframe(slipped.head(pm.SHOWN_ROWS), hide_index=True, width="stretch", key="progress_slipped")
        _downloads(slipped, f"{plan.id}-滞后清单-{period.id}", "progress_slipped_dl", m, sum_columns=[])
    if not pm.alerts_first():
        _alerts(m, ctx)
    st.subheader("下一步时间节点")
    upcoming = pm.next_milestones_frame(m)
    if upcoming.empty:
        st.caption("没有尚未到期的时间节点。")
    else:
        st.dataframe(upcoming, hide_index=True, width="stretch", key="progress_next")
    if user.can(Action.MANAGE_PROGRESS, plan.id):
        targets.targets_panel(progress, user, plan)
    if user.can(Action.REVIEW, plan.id):
        targets.milestones_panel(progress, user, plan)


def _light_rule() -> str:
    s = data.settings()
    green, amber = f"{s.monitor_green:g}", f"{s.monitor_amber:g}"
    return f"亮灯：已完成达到应完成的 {green}% 为绿灯，{amber}%—{green}% 为黄灯，低于 {amber}% 为红灯。"


def _alerts(m, ctx) -> None:
    st.subheader("预警")
    table = pm.alerts_table(m, ctx.user, key="progress_alerts")
    _downloads(table, f"{ctx.plan.id}-预警-{m.period.id}", "progress_alerts_dl", m, sum_columns=[])


def _meeting(m) -> None:
    """The projector view: big figures, the 区县 table and chart, the city burn-up (or the
    warnings first with ``?view=alerts``). The router draws the rotation and 退出放映, and
    every chart is made readable from the back of the room (components.chart_view)."""
    screen.big_figures([(metric.label, metric.value, metric.help) for metric in pm.headline(m)])
    if pm.alerts_first():
        st.subheader("预警")
        pm.alerts_table(m, current().user, key="screen_alerts")
        return
    st.subheader("各区县进展（亮晒比拼）")
    pm.county_table(m, key="screen_counties")
    pm.county_chart(m, key="screen_county_chart")
    pm.burnup_charts(m, key="screen_burnup", small_multiples=False)


if __name__ == "__main__":
    render()
