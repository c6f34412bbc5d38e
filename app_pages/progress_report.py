"""进展填报 (/progress-report): a 区县填报员 reports a period — the records of their 区县 with last
period's approved values, the narrative, attachments; 保存草稿 and 提交. Or the workbook route:
下载填报模板, fill it offline, upload it into the draft. A submitted report is read-only until it
is returned; after approval a 更正 is a new revision with a reason.

Thin: the widgets are in ``components/progress_form.py``, the work in ``panhuo.progress``, which
checks the role again and writes the audit trail. Streamlit runs it as a page (``render()``).
"""

from __future__ import annotations

import streamlit as st

from components import auth
from components import cached as data
from components import progress_form as form
from components.header import page_header
from components.sidebar import current
from components.text import plain
from panhuo.access import Action
from panhuo.nouns import measure_word, noun
from panhuo.progress import Progress
from panhuo.store import StoreUnavailable


def render() -> None:
    if data.settings().public_mode:  # the navigation hides this page; a direct call is refused too
        st.title("进展填报")
        st.info("本站为公开视图，不提供此页面。")
        return
    user = auth.require_page(Action.REPORT)  # stops with a Chinese message without the role
    ctx = current()
    page_header("进展填报", ctx, filters=False)  # the sidebar's filters do not narrow this page
    plan = ctx.plan
    if not user.can(Action.REPORT, plan.id):
        st.info("您在所选规划没有填报权限。请在左侧“规划”中选择您负责填报的规划。", icon=":material/info:")
        return
    try:
        progress = Progress(data.store())
        counties = form.counties_for(progress, plan, user)
    except StoreUnavailable as exc:
        st.error(f"无法打开数据库，暂时不能填报：{plain(exc.detail, limit=300)}")
        return
    if not counties:
        st.info("本规划中没有您负责的区县。", icon=":material/info:")
        return
    today = progress.today()  # 北京时间
    periods = form.reportable(progress.periods(plan), today)
    if not periods:
        st.info("本规划的报送期尚未开始。", icon=":material/info:")
        return
    left, right = st.columns(2)
    with left:
        county = form.county_choice(counties)
    with right:
        default = form.default_period(progress, plan, county, periods, today)
        period = form.period_choice(periods, default, f"progress_period_{plan.id}_{county}", today)
    form.show_flash()
    report = progress.report(plan.id, county, period.id)
    history = progress.history(plan.id, county, period.id) if report else []
    form.state_banner(report, period, history, today)

    correcting, reason = False, ""
    if report is not None and report.state == "approved":
        correcting = st.toggle("更正已通过的数据", key=f"progress_correct_{report.id}")
        if correcting:
            reason = st.text_input("更正原因（必填）", key=f"progress_correct_reason_{report.id}")
    editable = report is None or report.state in ("draft", "returned") or correcting
    stamp = (
        f"{plan.id}_{county}_{period.id}_{report.id if report else 0}_{st.session_state.get(form.NONCE, 0)}"
    )
    stages, unit = progress.stages(plan), plan.area_unit
    records = progress.records(plan, county)

    st.subheader("项目实施情况")
    st.caption(
        f"共 {len(records)} {measure_word(ctx.dataset)}{noun(ctx.dataset)}；“上期”各列为上一期审核通过的数值，不能修改。"
    )
    frame = form.editor_frame(
        records, progress.previous_values(plan, county, period.id),
        progress.entries(report.id) if report else [], stages, unit,
    )  # fmt: skip
    edited = form.entry_editor(frame, stages, unit, key=f"progress_editor_{stamp}", disabled=not editable)
    st.subheader("工作进展与问题")
    narrative = form.narrative_inputs(
        report.narrative if report else {}, key=f"progress_narrative_{stamp}", disabled=not editable
    )
    st.subheader("附件")
    form.attachments_panel(progress, user, plan, county, period, report, stamp=stamp, editable=editable)
    with st.expander("用 Excel 模板填报", icon=":material/table_view:"):
        form.workbook_panel(
            progress,
            user,
            plan,
            county,
            period,
            report,
            stamp=stamp,
            editable=editable,
            correction_reason=reason,
        )
    if not editable:
        return
    if correcting and not reason.strip():
        st.caption("更正已通过的数据须填写更正原因。")
    save, submit = st.columns(2)
    entries = form.entries_from_editor(edited, stages, unit)
    blocked = correcting and not reason.strip()
    if save.button(
        "保存草稿", key="progress_save", icon=":material/save:", disabled=blocked, width="stretch"
    ):
        form.save(progress, user, plan, county, period, entries, narrative, correction_reason=reason)
    if submit.button(
        "提交（报送市领导小组）", key="progress_submit", type="primary", icon=":material/send:",
        disabled=blocked, width="stretch",
    ):  # fmt: skip
        form.save(
            progress, user, plan, county, period, entries, narrative, correction_reason=reason, submit=True
        )


if __name__ == "__main__":
    render()
