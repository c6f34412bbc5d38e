"""政策与任务: measures by group, the department × measure responsibility matrix, modes and
policies, work stages, and a draft's consultation notice."""

from datetime import date
from urllib.parse import quote

import streamlit as st

from components import charts_policy, theme
from components.chart_view import plotly_chart
from components.header import missing, page_header
from components.sidebar import current
from components.text import plain
from panhuo import policy as pol

MAIN_KINDS = pol.MAIN_KINDS


def render() -> None:
    ctx = current()
    page_header("政策与任务", ctx)
    plan = ctx.plan
    notice = pol.consultation(plan, date.today())
    if notice:
        _notice(notice, plan.id)
    frame = pol.measures(plan)
    if frame.empty and plan.milestones.empty:
        missing("本规划未载措施、政策或工作阶段。")
        return
    if len(frame):
        _overview(frame)
        left, right = st.columns(2)
        groups = left.multiselect(
            "分组", list(dict.fromkeys(frame["group"])), key="policy_groups", placeholder="全部分组"
        )
        department = right.text_input(
            "按部门搜索", key="policy_department", placeholder="例如：自然资源、财政"
        )
        shown = pol.filter_measures(frame, groups, department)
        _measures(frame, shown)
        _matrix(plan, frame, shown, department, groups)
        _others(shown)
    if len(plan.milestones):
        st.header("工作阶段")
        st.dataframe(pol.stages_table(plan), hide_index=True, width="stretch", key="policy_stages")
        st.caption("各阶段的甘特图见“时序安排”页。")
    if len(plan.departments):
        with st.expander("领导小组 / 工作专班成员（按原文）"):
            st.dataframe(
                pol.departments_table(plan), hide_index=True, width="stretch", key="policy_departments"
            )


def _notice(notice: dict, plan_id: str) -> None:
    with st.container(border=True):
        st.markdown("#### 公开征求意见")
        if notice["open"]:
            state = f"征求意见中，截止 {notice['deadline']}（还有 {notice['days_left']} 天）"
        else:
            state = f"征求意见已于 {notice['deadline']} 截止"
        st.markdown(f"发布日期：{plain(notice['published']) or '未载明'}　·　{plain(state)}")
        if notice["text"]:
            st.markdown(plain(notice["text"]))
        if notice["channels"]:
            st.markdown(f"**反馈方式**：{plain(notice['channels'])}")
        if notice["contacts"]:
            st.markdown(
                "　·　".join(f"{plain(label)}：{plain(value)}" for label, value in notice["contacts"])
            )
        label = "在线提交意见、查看已公开的意见和答复" if notice["open"] else "查看已公开的意见和答复"
        try:
            st.page_link(
                "app_pages/consultation.py",
                label=label,
                icon=":material/forum:",
                query_params={"plan": plan_id},
            )
        except st.errors.StreamlitPageNotFoundError:  # the page file run by itself, without the router
            st.markdown(
                f"[{label}](/consultation?plan={quote(plan_id, safe='')})"
            )  # an imported id: inert in the target


def _overview(frame) -> None:
    counts = pol.group_counts(frame)
    _main, subs, others = pol.kind_counts(frame)
    cols = st.columns(4)
    cols[0].metric("任务措施", f"{int(counts['count'].sum())} 项" if len(counts) else "—", border=True)
    cols[1].metric("措施分组", f"{len(counts)} 组" if len(counts) else "—", border=True)
    cols[2].metric("子项措施", f"{subs} 项" if subs else "—", border=True)
    cols[3].metric("模式、政策等", f"{others} 项" if others else "—", border=True)
    figure = charts_policy.count_bars(
        pol.group_kind_counts(frame),
        "group",
        "count",
        "各组条目数",
        "分组",
        color="kind_label",
        colors=theme.KIND_COLORS,
    )
    plotly_chart(figure, key="policy_group_counts", width="stretch")


def _measures(frame, shown) -> None:
    main = frame[frame["kind"].isin(MAIN_KINDS)]
    if main.empty:
        return
    st.header("任务措施")
    table = pol.measures_table(shown[shown["kind"].isin(MAIN_KINDS)])
    st.caption(
        f"显示 {len(table)} / {len(main)} 项"
        + ("（含子项）" if (main["kind"] != pol.MAIN_KIND).any() else "")
    )
    st.dataframe(table, hide_index=True, width="stretch", key="policy_measures")


def _matrix(plan, frame, shown, department: str, groups) -> None:
    st.header("部门职责矩阵")
    stages_have_departments = bool(
        (plan.milestones["lead"].str.strip() + plan.milestones["responsible"].str.strip()).ne("").any()
    )
    include = stages_have_departments and st.toggle("包括工作阶段", key="policy_matrix_stages")
    long = pol.responsibilities(plan, include_stages=include)
    if long.empty:
        missing("本规划的措施未列牵头或责任单位。")
        return
    long = pol.filter_responsibilities(long, shown["id"], department, keep_stages=not groups)
    if long.empty:
        missing("当前筛选条件下没有列出牵头或责任单位的措施。")
        return
    matrix = pol.responsibility_matrix(long)
    short = [item.split(" ", 1)[0] for item in matrix.columns]
    plotly_chart(
        charts_policy.responsibility_heatmap(matrix, "部门 × 事项（深色：牵头；浅色：责任）", short),
        key="policy_matrix",
        width="stretch",
    )
    note = "横轴为编号（悬停显示名称）；一个部门同时列为牵头和责任单位时记为牵头。"
    st.caption(note + plain(pol.unassigned_sentence(frame[frame["id"].isin(shown["id"])])))
    with st.expander("各部门承担的事项数"):
        st.dataframe(pol.department_load(long), hide_index=True, width="stretch", key="policy_load")


def _others(shown) -> None:
    others = shown[~shown["kind"].isin(MAIN_KINDS)]
    if others.empty:
        return
    st.header("模式与政策")
    kinds = pol.kinds(others)
    for tab, kind in zip(st.tabs([plain(pol.kind_label(k)) for k in kinds]), kinds, strict=True):
        with tab:
            table = pol.measures_table(others[others["kind"] == kind])
            st.dataframe(table, hide_index=True, width="stretch", key=f"policy_kind_{kind}")


if __name__ == "__main__":
    render()
