"""目标分解 (管理员) and 时间节点完成情况 (分析人员/管理员) on 进展监测: the editor of each 区县's share
of the plan's target — checked against the plan's target before saving, the difference shown,
never silently accepted — with its versions; and marking the plan's milestones done.

Every write is :class:`panhuo.progress.Progress`'s (role check, audit row); a refusal shows the
import report's problems table (:func:`components.progress_form.problems_table`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import auth
from components import progress_form as form
from components.text import plain
from panhuo.access import PermissionDenied, User
from panhuo.model import Plan
from panhuo.progress import Progress, ProgressRejected
from panhuo.progress.targets import TargetBreakdown, check_breakdown, parse_shares

COUNTY, SHARE = "区县", "目标"
UNITS = ("亩", "公顷")


def _year_column(year: int) -> str:
    return f"{year}年"


def _plan_years(plan: Plan) -> list[int]:
    first, last = plan.period
    return list(range(int(first), int(last) + 1)) if first and last else []


def _default_deadline(plan: Plan, current: TargetBreakdown | None) -> str:
    if current is not None:
        return current.deadline
    targets = plan.targets
    if not targets.empty:
        rows = targets[(targets["scope_kind"] == "plan") & (targets["metric"] == "area")]
        if len(rows) and str(rows.iloc[0]["deadline"]).strip():
            return str(rows.iloc[0]["deadline"]).strip()
    return str(plan.period[1] or "")


def editor_frame(counties: list[str], current: TargetBreakdown | None, years: list[int]) -> pd.DataFrame:
    """One row per 区县 (the plan's, then any the breakdown names): its share, and with
    ``years`` one column per year (that year's amount), from the current version."""
    names = list(dict.fromkeys([*counties, *((s.county for s in current.shares) if current else ())]))
    rows = []
    for county in names:
        share = current.share(county) if current else None
        row = {COUNTY: county, SHARE: float(share.value) if share else None}
        for year in years:
            amount = share.yearly.get(year) if share else None
            row[_year_column(year)] = float(amount) if amount is not None else None
        rows.append(row)
    columns = [COUNTY, SHARE, *(_year_column(y) for y in years)]
    return pd.DataFrame(rows, columns=columns).astype({c: "float64" for c in columns[1:]})


def rows_from_editor(edited: pd.DataFrame, years: list[int]) -> list[dict]:
    """The edited table as :func:`panhuo.progress.targets.parse_shares` takes it; a 区县 left
    blank has no share (the sum check then shows what is missing)."""
    rows = []
    for record in edited.to_dict("records"):
        yearly = {str(y): _cell(record.get(_year_column(y))) for y in years}
        row = {"county": str(record.get(COUNTY) or "").strip(), "value": _cell(record.get(SHARE)),
               "yearly": {y: v for y, v in yearly.items() if v}}  # fmt: skip
        if row["value"] or row["yearly"]:
            rows.append(row)
    return rows


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    number = float(value) if isinstance(value, int | float) else None
    if number is not None:
        return f"{number:.4f}".rstrip("0").rstrip(".")
    return str(value).strip()


def problems_frame(problems, counties: list[str]) -> pd.DataFrame:
    """The problems as the import report shows them (级别, 行, 区县, 列, 值, 问题, 建议); 行 is the
    editor's row, and 区县 the one on that row."""
    rows = [
        {
            "级别": form.SEVERITY_LABELS.get(p.severity, p.severity),
            "行": "" if p.row is None else str(p.row),
            "区县": counties[p.row - 1] if p.row and 0 < p.row <= len(counties) else "",
            "列": p.column,
            "值": p.value,
            "问题": p.problem,
            "建议": p.suggestion,
        }
        for p in sorted(problems, key=lambda p: (p.severity != "error", p.row or 0))
    ]
    return pd.DataFrame(rows, columns=["级别", "行", "区县", "列", "值", "问题", "建议"], dtype=object)


def problems_table(problems, counties: list[str], *, key: str, refused: bool = False) -> None:
    """The sentence and the table; before saving it says what a save would meet."""
    if not problems:
        return
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if refused:
        st.error(form.summary(problems), icon=":material/error:")
    elif errors:
        st.warning(f"有 {errors} 处错误需修改后才能保存" + (f"，另有 {warnings} 处警告" if warnings else "") + "。",
                   icon=":material/warning:")  # fmt: skip
    else:
        st.caption(f"有 {warnings} 处警告，可以保存；请核对。")
    st.dataframe(
        problems_frame(problems, counties),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={"问题": st.column_config.TextColumn(width="large"),
                       "建议": st.column_config.TextColumn(width="large")},
    )  # fmt: skip


def versions_frame(versions: list[TargetBreakdown]) -> pd.DataFrame:
    rows = [
        {
            "版本": v.version,
            "各区县合计": f"{v.check.text}",
            "单位": v.unit,
            "期限": v.deadline,
            "说明": v.reason,
            "设置人": v.created_by_label,
            "设置时间（北京时间）": form.when(v.created_at),
        }
        for v in reversed(versions)
    ]
    return pd.DataFrame(
        rows, columns=["版本", "各区县合计", "单位", "期限", "说明", "设置人", "设置时间（北京时间）"]
    )


def targets_panel(progress: Progress, user: User, plan: Plan) -> None:
    """The 目标分解 editor, in an expander (the page offers it to administrators only)."""
    current = progress.targets(plan)
    versions = progress.target_versions(plan)
    counties = progress.counties(plan)
    with st.expander("目标分解（管理员）", icon=":material/flag:", expanded=False):
        if current is None:
            st.caption("尚未分解：进展监测按全市目标计算。在下表填写各区县的目标，合计应与全市目标一致。")
        else:
            st.caption(
                f"现行第 {current.version} 版（{plain(current.created_by_label)}，{plain(form.when(current.created_at))}）："
                f"{plain(current.check.text)}，期限 {plain(current.deadline)}。"
            )
        nonce = st.session_state.get(form.NONCE, 0)
        yearly = st.toggle(
            "按年度分解（每年的任务量，非累计）",
            value=bool(current and any(s.yearly for s in current.shares)),
            key=f"targets_yearly_{plan.id}",
        )
        years = _plan_years(plan) if yearly else []
        left, right = st.columns(2)
        units = list(dict.fromkeys([current.unit if current else plan.area_unit, *UNITS]))
        unit = left.selectbox("单位", units, key=f"targets_unit_{plan.id}_{nonce}")
        deadline = right.text_input(
            "期限（年份或日期）",
            value=_default_deadline(plan, current),
            key=f"targets_deadline_{plan.id}_{nonce}",
        )
        frame = editor_frame(counties, current, years)
        number = st.column_config.NumberColumn(min_value=0.0)  # as typed: 2270, 2270.5
        edited = st.data_editor(
            frame,
            key=f"targets_editor_{plan.id}_{len(years)}_{nonce}",
            hide_index=True,
            width="stretch",
            num_rows="fixed",
            disabled=[COUNTY],
            column_config={SHARE: st.column_config.NumberColumn(f"目标（{unit}）", min_value=0.0),
                           **{_year_column(y): number for y in years}},
        )  # fmt: skip
        editor_rows = rows_from_editor(edited, years)
        rows = [r["county"] for r in editor_rows]  # the 区县 of the rows the problems number
        shares, parse_problems = parse_shares(editor_rows)
        check, problems = check_breakdown(plan, shares, unit, deadline, counties)
        (st.info if check.matches else st.warning)(
            plain(check.text), icon=":material/calculate:" if check.matches else ":material/warning:"
        )
        reason = st.text_area(
            "说明（与全市目标不一致时必填）", value="", key=f"targets_reason_{plan.id}_{nonce}", height=80
        )
        found = st.container()  # the problems: before saving what a save would meet, after a refusal why
        refused = None
        if st.button(
            "保存目标分解（新版本）", key=f"targets_save_{plan.id}", type="primary", icon=":material/save:"
        ):
            try:
                saved = progress.set_targets(
                    user, plan, shares, unit=unit, deadline=deadline.strip(), reason=reason,
                    client=auth.client_address(),
                )  # fmt: skip
            except ProgressRejected as exc:
                refused = exc.problems
            except (PermissionDenied, ValueError) as exc:
                st.error(plain(str(exc), limit=400), icon=":material/block:")
            else:
                form.flash(f"已保存目标分解第 {saved.version} 版：{saved.check.text}。")
        with found:
            if refused is not None:
                problems_table(refused, rows, key=f"targets_rejected_{plan.id}", refused=True)
            else:
                problems_table([*parse_problems, *problems], rows, key=f"targets_check_{plan.id}")
                if not check.matches and not reason.strip():
                    st.caption("合计与全市目标不一致：保存时须在“说明”中写明原因。")
        if versions:
            st.markdown("**历次版本**")
            st.dataframe(
                versions_frame(versions), hide_index=True, width="stretch", key=f"targets_versions_{plan.id}"
            )


def milestone_frame(plan: Plan, done: dict) -> pd.DataFrame:
    """The plan's milestones with their deadline and whether they were marked done."""
    rows = []
    for m in plan.milestones.itertuples(index=False):
        mark = done.get(str(m.id))
        rows.append(
            {
                "编号": str(m.id),
                "时间节点": str(m.name),
                "期限": str(m.end or ""),
                "完成情况": f"{mark.done_on.isoformat()} 完成" if mark else "未标记",
                "说明": mark.note if mark else "",
                "标记人": mark.by_label if mark else "",
            }
        )
    return pd.DataFrame(rows, columns=["编号", "时间节点", "期限", "完成情况", "说明", "标记人"])


def milestones_panel(progress: Progress, user: User, plan: Plan) -> None:
    """Mark a milestone of the plan done (or take the mark off), in an expander (分析人员/管理员)."""
    if plan.milestones.empty:
        return
    done = progress.milestones_done(plan)
    with st.expander("时间节点完成情况（分析人员）", icon=":material/event_available:"):
        st.dataframe(
            milestone_frame(plan, done), hide_index=True, width="stretch", key=f"milestones_{plan.id}"
        )
        names = {str(m.id): str(m.name) for m in plan.milestones.itertuples(index=False)}
        nonce = st.session_state.get(form.NONCE, 0)
        chosen = st.selectbox(
            "时间节点", list(names), format_func=lambda i: f"{i} {names[i]}", key=f"milestone_pick_{plan.id}"
        )
        left, right = st.columns(2)
        today = progress.today()
        on = left.date_input(
            "完成日期",
            value=today,
            max_value=today,
            format="YYYY-MM-DD",
            key=f"milestone_date_{plan.id}_{nonce}",
        )
        note = right.text_input("说明（可选）", key=f"milestone_note_{plan.id}_{nonce}")
        mark, unmark = st.columns(2)
        try:
            if mark.button(
                "标记为已完成", key=f"milestone_mark_{plan.id}", icon=":material/check:", width="stretch"
            ):
                progress.mark_milestone(user, plan, chosen, on, note, client=auth.client_address())
                form.flash(f"已将“{names[chosen]}”标记为 {on.isoformat()} 完成。")
            if chosen in done and unmark.button(
                "取消完成标记", key=f"milestone_unmark_{plan.id}", icon=":material/undo:", width="stretch"
            ):
                progress.mark_milestone(user, plan, chosen, None, note, client=auth.client_address())
                form.flash(f"已取消“{names[chosen]}”的完成标记。")
        except (PermissionDenied, ValueError) as exc:
            st.error(plain(str(exc), limit=400), icon=":material/block:")
