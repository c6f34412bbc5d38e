"""进展审核 (/progress-review): for a period, which 区县 have reported (late, missing); one report's
narrative, attachments and changes against the last period; 通过 or 退回 with a reason; its
revisions; and the approved figures, the only ones that count.

Thin: the widgets are in ``components/progress_review.py``, the work in ``panhuo.progress``, which
checks the role again and writes the audit trail. Streamlit runs it as a page (``render()``).
"""

from __future__ import annotations

import streamlit as st

from components import auth
from components import cached as data
from components import progress_form as form
from components import progress_review as review
from components.header import page_header
from components.sidebar import current
from components.text import plain
from panhuo.access import Action
from panhuo.progress import Progress
from panhuo.store import StoreUnavailable


def render() -> None:
    if data.settings().public_mode:  # the navigation hides this page; a direct call is refused too
        st.title("进展审核")
        st.info("本站为公开视图，不提供此页面。")
        return
    user = auth.require_page(Action.REVIEW)  # stops with a Chinese message without the role
    ctx = current()
    page_header("进展审核", ctx, filters=False)  # the sidebar's filters do not narrow this page
    plan = ctx.plan
    if not user.can(Action.REVIEW, plan.id):
        st.info("您在所选规划没有审核权限。请在左侧“规划”中选择您负责审核的规划。", icon=":material/info:")
        return
    try:
        progress = Progress(data.store())
        periods = progress.periods(plan)
    except StoreUnavailable as exc:
        st.error(f"无法打开数据库，暂时不能审核：{plain(exc.detail, limit=300)}")
        return
    today = progress.today()  # 北京时间
    shown = form.reportable(periods, today)
    if not shown:
        st.info("本规划的报送期尚未开始。", icon=":material/info:")
        if user.can(Action.MANAGE_PROGRESS, plan.id):
            review.settings_panel(progress, user, plan)
        return
    period = form.period_choice(
        shown, progress.default_period(plan) or shown[-1], f"review_period_{plan.id}", today
    )
    form.show_flash()
    statuses = progress.status(plan, period.id)
    st.caption(review.status_counts(statuses) + f"截止日期 {period.due.isoformat()}，时间均为北京时间。")
    st.dataframe(review.status_frame(statuses), hide_index=True, width="stretch", key="review_status")
    reported = [s.county for s in statuses if s.report is not None]
    unit = plan.area_unit
    if reported:
        waiting = [s.county for s in statuses if s.state == "submitted"]  # what needs a decision first
        county = st.selectbox(
            "查看区县的填报",
            reported,
            index=reported.index(waiting[0]) if waiting else 0,
            key=f"review_county_{plan.id}_{period.id}",
        )
        report = progress.report(plan.id, county, period.id)
        st.subheader(f"{plain(county)} · {plain(period.label)}")
        review.report_summary(report)
        if report.state == "draft":
            st.info("该区县的草稿尚未提交。", icon=":material/edit_note:")
        else:
            changes, entries, text, attachments = st.tabs(
                ["与上期相比的变化", "全部填报数据", "文字材料", "附件"]
            )
            with changes:
                review.changes_table(progress, plan, report, key="review_changes")
            with entries:
                previous = progress.previous_values(plan, county, period.id)
                stages = progress.stages(plan)
                review.entries_table(
                    progress.entries(report.id), previous, stages, unit, key="review_entries"
                )
            with text:
                review.narrative(report)
            with attachments:
                form.attachment_list(progress, report.id, key=f"review_att_{report.id}")
            review.decision(progress, user, plan, report, period)
        with st.expander("修订历史", icon=":material/history:"):
            history = progress.history(plan.id, county, period.id)
            st.dataframe(
                review.history_frame(history), hide_index=True, width="stretch", key="review_history"
            )
    else:
        st.info("本期还没有区县填报。", icon=":material/info:")
    st.subheader("已通过的数据（截至本期）")
    st.caption("只有审核通过的数据计入监测；未通过的填报不在此表。")
    approved = review.approved_frame(progress, plan, period, unit, user.private_scope(plan.id))
    if approved.empty:  # not Streamlit's "empty" placeholder in an English word
        st.caption("本期尚无审核通过的数据。")
    else:
        st.dataframe(
            approved,
            hide_index=True,
            width="stretch",
            key="review_approved",
            column_config={  # names and stages (验收/上图入库) not cut short
                "名称": st.column_config.TextColumn(width="medium"),
                "阶段": st.column_config.TextColumn(width=120),
            },
        )
    if user.can(Action.MANAGE_PROGRESS, plan.id):
        review.settings_panel(progress, user, plan)


if __name__ == "__main__":
    render()
