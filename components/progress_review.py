"""The widgets of 进展审核 (/progress-review): each 区县's state for a period, one report's narrative,
attachments and changes against the last period (changed cells marked), 通过 / 退回 with a reason,
the revisions, and the approved figures of the period. The page (``app_pages/progress_review.py``)
puts them in order; every decision is :class:`panhuo.progress.Progress`'s (role check, audit row).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth
from components.progress_form import flash, when
from components.text import plain
from panhuo.access import PermissionDenied, User
from panhuo.model import Plan
from panhuo.progress import FIELDS, STATE_LABELS, Period, Progress, ProgressRejected, entry_columns
from panhuo.progress.fields import NARRATIVE
from panhuo.progress.stages import stage_of

CHANGED = "background-color: #fff3bf; font-weight: 600"  # a cell that differs from last period
APPROVED_STATES = {"approved": "本期通过", "carried": "沿用以前各期", "none": "尚无通过的数据"}


def _label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def status_frame(statuses) -> pd.DataFrame:
    """One row per 区县: 状态, 报送时间（北京时间）, 逾期 (报送 after the due date, or nothing
    submitted by then), 版本, 条数."""
    rows = []
    for s in statuses:
        r = s.report
        rows.append(
            {
                "区县": s.county,
                "状态": _label(s.state),
                "报送时间（北京时间）": when(r.submitted_at) if r else "",
                "逾期": "逾期报送" if s.late else ("逾期未报" if s.overdue else ""),
                "版本": str(r.revision) if r else "",
                "条数": str(s.entries) if r else "",
            }
        )
    return pd.DataFrame(rows, columns=["区县", "状态", "报送时间（北京时间）", "逾期", "版本", "条数"])


def status_counts(statuses) -> str:
    counts: dict[str, int] = {}
    for s in statuses:
        counts[_label(s.state)] = counts.get(_label(s.state), 0) + 1
    late = sum(bool(s.late) for s in statuses)
    overdue = sum(bool(s.overdue) for s in statuses)
    parts = [f"{label} {n} 个" for label, n in counts.items()]
    tail = (f"；逾期报送 {late} 个" if late else "") + (f"；逾期未报 {overdue} 个" if overdue else "")
    return f"共 {len(statuses)} 个区县：" + "，".join(parts) + tail + "。"


def report_summary(report) -> None:
    version = f"第 {report.revision} 版" + ("（更正）" if report.kind == "correction" else "")
    parts = [f"状态：{_label(report.state)}（{version}）"]
    if report.submitted_at:
        timing = "，逾期" if report.late else "，按期"
        parts.append(f"{plain(report.submitted_by_label)} 于 {plain(when(report.submitted_at))} 报送{timing}")
    parts.append(f"截止日期 {report.due.isoformat()}" if report.due else "")
    st.markdown("；".join(p for p in parts if p) + "。")
    if report.kind == "correction" and report.correction_reason:
        st.warning(f"更正原因：{plain(report.correction_reason)}", icon=":material/edit:")
    if report.state == "returned":
        st.error(
            f"{plain(report.reviewed_by_label)} 于 {plain(when(report.reviewed_at))} 退回，理由："
            f"{plain(report.review_note)}",
            icon=":material/undo:",
        )
    elif report.state == "approved":
        st.success(
            f"{plain(report.reviewed_by_label)} 于 {plain(when(report.reviewed_at))} 审核通过。",
            icon=":material/task_alt:",
        )


def narrative(report) -> None:
    """The four parts as plain text."""
    internal = set((report.narrative or {}).get("internal") or [])
    for key, label in NARRATIVE:
        st.markdown(f"**{label}**" + ("（仅内部使用，不进入公开简报）" if key in internal else ""))
        text = str((report.narrative or {}).get(key) or "").strip()
        st.text(text or "（未填写）")


def entries_frame(
    entries: list[dict], previous: dict, stages, unit: str
) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """This report's entries with Chinese headers, and the (row, column) cells that differ from
    last period's approved values."""
    headers = entry_columns(unit)
    rows, changed = [], []
    for i, entry in enumerate(entries):
        last = previous.get(str(entry.get("record_id", ""))) or {}
        row = {}
        for field in FIELDS:
            value, before = str(entry.get(field.key, "") or ""), str(last.get(field.key, "") or "")
            if field.kind == "stage":
                now_stage, last_stage = stage_of(value, stages), stage_of(before, stages)
                value = now_stage.label if now_stage else value
                before = last_stage.label if last_stage else before
            row[headers[field.key]] = value
            if field.key not in ("record_id", "note", "issues", "reason") and value != before:
                changed.append((i, headers[field.key]))
        rows.append(row)
    return pd.DataFrame(rows, columns=list(headers.values())), changed


def entries_table(entries: list[dict], previous: dict, stages, unit: str, *, key: str) -> None:
    frame, changed = entries_frame(entries, previous, stages, unit)
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for row, column in changed:
        styles.loc[row, column] = CHANGED
    st.caption(f"黄色底纹为与上期通过数值不同的单元格（{len(changed)} 处）。")
    st.dataframe(frame.style.apply(lambda _: styles, axis=None), hide_index=True, width="stretch", key=key)


def changes_table(progress: Progress, plan: Plan, report, *, key: str) -> None:
    """Per record and field: 上期 → 本期 (only what changed)."""
    changes = progress.changes(plan, report.id)
    if changes.empty:
        st.caption("与上期相比没有变化。")
        return
    st.dataframe(
        changes.style.set_properties(subset=["本期"], **{"background-color": "#fff3bf"}),
        hide_index=True,
        width="stretch",
        key=key,
    )


def decision(progress: Progress, user: User, plan: Plan, report, period: Period) -> None:
    """通过 or 退回 (a reason required) for a submitted report."""
    if report.state != "submitted":
        return
    reason = st.text_area(
        "审核意见（退回时必填，将显示给区县填报员；通过时可不填）", key=f"review_reason_{report.id}"
    )
    approve, give_back = st.columns(2)
    client = auth.client_address()
    try:
        if approve.button(
            "通过", key="review_approve", type="primary", icon=":material/check:", width="stretch"
        ):
            progress.approve(
                user, plan, report.county, period.id, note=reason.strip(), report_id=report.id, client=client
            )
            flash(f"已通过 {report.county} {period.label} 的填报（第 {report.revision} 版）。")
        if give_back.button("退回", key="review_return", icon=":material/undo:", width="stretch"):
            if not reason.strip():
                st.error("请填写退回理由：区县填报员需要知道要修改什么。", icon=":material/error:")
                return
            progress.return_report(
                user, plan, report.county, period.id, reason.strip(), report_id=report.id, client=client
            )
            flash(f"已退回 {report.county} {period.label} 的填报（第 {report.revision} 版）。")
    except (ProgressRejected, PermissionDenied, ValueError) as exc:  # a refusal may say why
        st.error(
            plain(exc.__cause__ or exc if isinstance(exc, PermissionDenied) else exc), icon=":material/block:"
        )


def history_frame(history) -> pd.DataFrame:
    rows = [
        {
            "版本": r.revision,
            "类型": "更正" if r.kind == "correction" else "填报",
            "状态": _label(r.state),
            "填报人": r.created_by_label,
            "报送时间（北京时间）": when(r.submitted_at),
            "逾期": "逾期" if r.late else "",
            "审核人": r.reviewed_by_label or "",
            "审核时间（北京时间）": when(r.reviewed_at),
            "审核意见": r.review_note or "",
            "更正原因": r.correction_reason or "",
        }
        for r in history
    ]
    return pd.DataFrame(rows)


def approved_frame(progress: Progress, plan: Plan, period: Period, unit: str, scope) -> pd.DataFrame:
    """The figures that count after this period: only approved reports' (this period's or carried);
    a private person's name shows only where ``scope`` (the viewer's) covers the 区县."""
    state = progress.approved_state(plan, period.id, scope)
    state = state[state["state"] != "none"]
    headers = entry_columns(unit)
    return pd.DataFrame(
        {
            "编号": state["id"].astype(str),
            "区县": state["county"].astype(str),
            "名称": state["name"].astype(str),
            "阶段": state["stage_label"].astype(str),
            headers["area"]: state["area"].astype(str),
            headers["investment"]: state["investment"].astype(str),
            "数据所属报送期": state["period_id"].astype(str),
            "来源": state["state"].map(APPROVED_STATES).fillna(""),
        }
    )


def settings_panel(progress: Progress, user: User, plan: Plan) -> None:
    """报送设置 for an administrator of the plan: months per period, first period, days allowed
    after a period's end. A change that would leave reports without their period is refused."""
    config = progress.config(plan)
    source = "默认（来自规划数据）" if config.is_default else f"由 {config.created_by} 设置"
    with st.expander("报送设置（管理员）", icon=":material/settings:"):
        st.caption(
            f"现为每 {config.cadence_months} 个月一期，自 {config.first_start.isoformat()} 起，"
            f"期末后 {config.due_days} 天内报送（{plain(source)}）。已有报告的报送期不能因修改而消失。"
        )
        months = (1, 2, 3, 6, 12)
        with st.form(f"progress_settings_{plan.id}"):
            cadence = st.selectbox(
                "每期月数",
                months,
                index=months.index(config.cadence_months) if config.cadence_months in months else 0,
                format_func=lambda m: {
                    1: "1（每月）",
                    2: "2（每双月）",
                    3: "3（每季度）",
                    6: "6（每半年）",
                    12: "12（每年）",
                }[m],
            )
            start = st.date_input("第一期起始月", value=config.first_start, format="YYYY-MM-DD")
            due = st.number_input(
                "期末后几天内报送", min_value=0, max_value=180, value=int(config.due_days), step=1
            )
            if st.form_submit_button("保存设置", icon=":material/save:"):
                try:
                    progress.set_config(
                        user,
                        plan,
                        cadence_months=int(cadence),
                        first_start=start.replace(day=1),
                        due_days=int(due),
                        client=auth.client_address(),
                    )
                except (ValueError, PermissionDenied) as exc:
                    st.error(plain(str(exc), limit=400), icon=":material/error:")
                else:
                    flash("报送设置已保存。")
