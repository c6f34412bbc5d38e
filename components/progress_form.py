"""The widgets of 进展填报 (/progress-report): the 区县 and period choice, the state of the report,
the entry table (``st.data_editor``), the narrative, attachments, the workbook route and the
problems table. The page (``app_pages/progress_report.py``) puts them in order; every write is
:class:`panhuo.progress.Progress`'s, which checks the role and writes the audit row.

An entry is text (``panhuo.progress.fields``); the editor shows it typed (a stage label, a date,
a number) and :func:`entries_from_editor` turns the edited table back into text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st

from components import auth
from components.text import plain
from panhuo import audit
from panhuo.access import Action, PermissionDenied, User
from panhuo.demo import export_name
from panhuo.model import Plan
from panhuo.progress import FIELDS, Period, Progress, ProgressRejected, entry_columns
from panhuo.progress.fields import NARRATIVE, TEXT_KEYS
from panhuo.progress.stages import parse_stage, stage_of

FLASH = "_progress_flash"  # (message, warnings) of the last save, shown after the rerun
NONCE = "_progress_nonce"  # part of the editor's, text areas' and uploaders' keys: bumped after a write
IMAGE_TYPES = ("jpg", "jpeg", "png")
ATTACHMENT_TYPES = [*IMAGE_TYPES, "pdf"]
SEVERITY_LABELS = {"error": "错误", "warning": "警告"}
PREVIOUS = "上期"


# ------------------------------------------------------------------ choices


def counties_for(progress: Progress, plan: Plan, user: User) -> list[str]:
    """The 区县 of ``plan`` the user may report for, in the plan's order."""
    scope = user.county_scope(Action.REPORT, plan.id)
    return [c for c in progress.counties(plan) if scope.covers(c)]


def county_choice(counties: list[str]) -> str:
    """The 区县 to report for: a selector only when there are several."""
    if len(counties) == 1:
        st.markdown(f"**区县：{plain(counties[0])}**")
        return counties[0]
    return st.selectbox("区县", counties, key="progress_county")


def reportable(periods: list[Period], today: dt.date) -> list[Period]:
    """The periods a report can be made for: those that have ended, and the current one (its
    draft can be started; it is submitted once the period ends)."""
    return [p for p in periods if p.start <= today]


def default_period(
    progress: Progress, plan: Plan, county: str, periods: list[Period], today: dt.date
) -> Period:
    """The earliest closed period whose report is not yet submitted or approved, else the latest
    closed one (the current one while none has closed)."""
    closed = [p for p in periods if p.is_closed(today)]
    if not closed:
        return periods[-1]
    for period in closed:
        report = progress.report(plan.id, county, period.id)
        if report is None or report.state not in ("submitted", "approved"):
            return period
    return closed[-1]


def period_choice(periods: list[Period], default: Period, key: str, today: dt.date) -> Period:
    ids = [p.id for p in periods]
    labels = {p.id: p.label + ("（进行中）" if not p.is_closed(today) else "") for p in periods}
    chosen = st.selectbox("报送期", ids, index=ids.index(default.id), format_func=labels.get, key=key)
    return periods[ids.index(chosen)]


# ------------------------------------------------------------------ state


def when(moment: object) -> str:
    """A stored time as 北京时间 text ('' when none)."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, dt.datetime):
        return audit.to_beijing(moment)
    return str(moment)


def state_banner(report, period: Period, history: list, today: dt.date) -> None:
    """草稿 / 已提交 / 已退回 (the reviewer's reason, prominently) / 已通过, the due date and lateness."""
    due = f"截止日期：{period.due.isoformat()}"
    if report is None:
        late = "，已逾期" if today > period.due else ""
        open_note = "" if period.is_closed(today) else f"本期到 {period.end.isoformat()} 结束，届时才能提交；"
        st.info(f"本期尚未填报。{open_note}{due}{late}。", icon=":material/edit_note:")
        return
    label = report.state_label
    version = f"第 {report.revision} 版" + ("（更正）" if report.kind == "correction" else "")
    if report.state == "submitted":
        timing = "逾期报送" if report.late else "按期报送"
        st.info(
            f"状态：{label}（{version}），{plain(when(report.submitted_at))} 由 "
            f"{plain(report.submitted_by_label)} 报送，{timing}。{due}。等待市领导小组审核，审核前不能修改。",
            icon=":material/hourglass_top:",
        )
    elif report.state == "approved":
        st.success(
            f"状态：{label}（{version}），{plain(report.reviewed_by_label)} 于 "
            f"{plain(when(report.reviewed_at))} 审核通过。{due}。",
            icon=":material/task_alt:",
        )
    elif report.state == "returned":
        st.error(
            f"状态：{label}（{version}）。{plain(report.reviewed_by_label)} 于 "
            f"{plain(when(report.reviewed_at))} 退回。  \n**退回理由**：{plain(report.review_note)}",
            icon=":material/undo:",
        )
        st.caption(f"请按退回理由修改后重新提交。{due}。")
    else:
        late = "，已逾期" if today > period.due else ""
        st.info(f"状态：{label}（{version}），尚未提交。{due}{late}。", icon=":material/edit_note:")
        returned = [r for r in history if r.id == report.previous_id and r.state == "returned"]
        if returned:  # the draft that answers a return: keep the reason in sight
            last = returned[-1]
            st.warning(
                f"第 {last.revision} 版被退回的理由：{plain(last.review_note)}", icon=":material/undo:"
            )
    if report.kind == "correction" and report.correction_reason:
        st.caption(f"更正原因：{plain(report.correction_reason)}")


# ------------------------------------------------------------------ the entry table


def _number(text: object) -> float | None:
    try:
        return float(str(text).strip()) if str(text).strip() else None
    except ValueError:
        return None


def _date(text: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip()[:10]) if str(text).strip() else None
    except ValueError:
        return None


def _number_text(value: object) -> str:
    """A number from the editor as the text an entry keeps: 300.0 → "300", 12.50 → "12.5"."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value).strip()
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date_text(value: object) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()[:10]


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return str(value).strip()


def editor_frame(
    records: pd.DataFrame, previous: dict, entries: list[dict], stages, unit: str
) -> pd.DataFrame:
    """One row per record: 编号, 名称, 规划面积, the 上期 values (read-only), then the entry's fields
    typed for the editor. A record with no entry yet starts from last period's values."""
    headers = entry_columns(unit)
    by_id = {str(e.get("record_id", "")): e for e in entries}
    rows = []
    for record in records.itertuples(index=False):
        rid = str(record.id)
        last = previous.get(rid) or {}
        # carried from last period: the stage, dates and cumulative figures, not its notes
        entry = by_id.get(rid) or {k: v for k, v in last.items() if k not in TEXT_KEYS}
        last_stage = stage_of(str(last.get("stage", "")), stages)
        row = {
            headers["record_id"]: rid,
            "名称": str(record.name or ""),
            f"规划面积（{unit}）": str(record.area or ""),
            # last period's approved figures as approved (text: exactly as reported)
            f"{PREVIOUS}阶段": last_stage.label if last_stage else "",
            f"{PREVIOUS}{headers['area']}": str(last.get("area", "")),
            f"{PREVIOUS}{headers['investment']}": str(last.get("investment", "")),
        }
        for field in FIELDS[1:]:
            value = entry.get(field.key, "")
            if field.kind == "stage":
                stage = stage_of(str(value), stages) or parse_stage(value, stages)
                row[field.title(unit)] = stage.label if stage else None
            elif field.kind == "date":
                row[field.title(unit)] = _date(value)
            elif field.kind == "number":
                row[field.title(unit)] = _number(value)
            else:
                row[field.title(unit)] = str(value or "")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=_columns(unit))
    for field in FIELDS:
        if field.kind == "number":
            frame[field.title(unit)] = frame[field.title(unit)].astype("float64")
    return frame


def _columns(unit: str) -> list[str]:
    headers = entry_columns(unit)
    fixed = [headers["record_id"], "名称", f"规划面积（{unit}）", f"{PREVIOUS}阶段",
             f"{PREVIOUS}{headers['area']}", f"{PREVIOUS}{headers['investment']}"]  # fmt: skip
    return fixed + [f.title(unit) for f in FIELDS[1:]]


def entries_from_editor(edited: pd.DataFrame, stages, unit: str) -> list[dict]:
    """The edited table as entries (text); a stage label becomes its code (unknown text is kept,
    for validation to name). A row left all empty is no entry (nothing reported for it);
    ``_row`` is the table's row number, for the problems table."""
    entries = []
    for number, row in enumerate(edited.to_dict("records"), start=1):
        entry: dict = {"_row": number, "record_id": _text(row.get(FIELDS[0].title(unit)))}
        for field in FIELDS[1:]:
            value = row.get(field.title(unit))
            if field.kind == "stage":
                stage = parse_stage(_text(value), stages)
                entry[field.key] = stage.code if stage else _text(value)
            elif field.kind == "date":
                entry[field.key] = _date_text(value)
            elif field.kind == "number":
                entry[field.key] = _number_text(value)
            else:
                entry[field.key] = _text(value)
        if any(entry[f.key] for f in FIELDS[1:]):
            entries.append(entry)
    return entries


def entry_editor(frame: pd.DataFrame, stages, unit: str, *, key: str, disabled: bool) -> pd.DataFrame:
    """The table a 区县 fills: 编号, 名称, 规划面积 and 上期 columns read-only."""
    headers = entry_columns(unit)
    config: dict = {
        headers["record_id"]: st.column_config.TextColumn(pinned=True, width="small"),
        "名称": st.column_config.TextColumn(pinned=True, width="medium"),
        f"{PREVIOUS}阶段": st.column_config.TextColumn(width=120),  # 验收/上图入库 in full
    }
    for field in FIELDS[1:]:
        title, help_text = field.title(unit), field.help or None
        if field.kind == "stage":
            config[title] = st.column_config.SelectboxColumn(
                options=[s.label for s in stages],
                help=help_text,
                width=120,  # 验收/上图入库 in full
            )
        elif field.kind == "date":
            config[title] = st.column_config.DateColumn(format="YYYY-MM-DD", help=help_text)
        elif field.kind == "number":
            config[title] = st.column_config.NumberColumn(
                min_value=0, step=0.0001, format="%g", help=help_text
            )
        else:
            config[title] = st.column_config.TextColumn(max_chars=2000, help=help_text)
    read_only = list(frame.columns[:6])
    edited = st.data_editor(
        frame,
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        column_config=config,
        disabled=True if disabled else read_only,
        height=min(35 * (len(frame) + 1) + 3, 740),
        key=key,
    )
    return edited


INTERNAL_LABEL = "仅内部使用（不进入公开简报）"


def narrative_inputs(narrative: dict, *, key: str, disabled: bool) -> dict:
    """The four narrative parts as text areas (what a reader typed, never rendered), each with a
    checkbox marking it internal: ``{"progress": …, …, "internal": ["difficulties", …]}``."""
    found: dict = {}
    marked = set(narrative.get("internal") or [])
    internal = []
    for part, label in NARRATIVE:
        found[part] = st.text_area(
            label, value=str(narrative.get(part) or ""), key=f"{key}_{part}", disabled=disabled, height=120
        )
        if st.checkbox(
            INTERNAL_LABEL,
            value=part in marked,
            key=f"{key}_{part}_internal",
            disabled=disabled,
            help=f"勾选后，“{label}”只出现在内部版工作简报中，公开版不含这一部分。",
        ):
            internal.append(part)
    found["internal"] = internal
    return found


# ------------------------------------------------------------------ problems


def problems_frame(problems) -> pd.DataFrame:
    """The problems as the import report shows them: 级别, 行, 编号, 列, 值, 问题, 建议."""
    rows = [
        {
            "级别": SEVERITY_LABELS.get(p.severity, p.severity),
            "行": p.row,
            "编号": p.record_id,
            "列": p.column,
            "值": p.value,
            "问题": p.problem,
            "建议": p.suggestion,
        }
        for p in sorted(problems, key=lambda p: (p.severity != "error", p.row or 0))
    ]
    frame = pd.DataFrame(rows, columns=["级别", "行", "编号", "列", "值", "问题", "建议"], dtype=object)
    frame["行"] = frame["行"].astype("Int64").astype("string").fillna("")
    return frame


def summary(problems, *, draft_saved: bool = False) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = sum(p.severity == "warning" for p in problems)
    if errors:
        tail = f"，另有 {warnings} 处警告" if warnings else ""
        if draft_saved:
            return f"有 {errors} 处错误{tail}，草稿已保存，但未提交。请按问题清单修改后再提交。"
        return f"有 {errors} 处错误{tail}，本次未保存任何内容。请按问题清单修改后再保存。"
    return f"有 {warnings} 处警告，已保存；请核对是否属实。"


def problems_table(problems, *, key: str, draft_saved: bool = False) -> None:
    """The summary sentence and the table (all cells plain text)."""
    if not problems:
        return
    errors = any(p.severity == "error" for p in problems)
    (st.error if errors else st.warning)(
        summary(problems, draft_saved=draft_saved),
        icon=":material/error:" if errors else ":material/warning:",
    )
    st.dataframe(
        problems_frame(problems),
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "问题": st.column_config.TextColumn(width="large"),
            "建议": st.column_config.TextColumn(width="large"),
        },
    )


def flash(message: str, problems=()) -> None:
    """Remember a success for the next run, start the form afresh and run again."""
    st.session_state[FLASH] = (message, list(problems))
    st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
    st.rerun()


def show_flash() -> None:
    done = st.session_state.pop(FLASH, None)
    if done:
        message, warnings = done
        st.success(plain(message), icon=":material/check_circle:")
        problems_table(warnings, key="progress_flash_problems")


# ------------------------------------------------------------------ attachments


def attachment_list(progress: Progress, report_id: int, *, key: str, remover: tuple | None = None) -> None:
    """The report's attachments: images as thumbnails, PDFs by name; each with a download
    (its bytes read from the store only when it is asked for), and with ``remover`` = (user,
    plan) a 删除 button (a draft's only)."""
    listed = progress.attachments(report_id)
    if not listed:
        st.caption("暂无附件。")
        return
    columns = st.columns(4)
    for i, att in enumerate(listed):
        with columns[i % 4]:
            if att.is_image and att.thumbnail:
                st.image(att.thumbnail, width=160)
            else:
                st.markdown(":material/picture_as_pdf: PDF" if not att.is_image else ":material/image: 图片")
            st.text(
                att.filename
                + (f"（编号 {att.record_id}）" if att.record_id else "")
                + f"，{att.size / 1024:,.0f} KB"
            )
            st.download_button(
                "下载",
                lambda att_id=att.id: progress.attachment_content(att_id),
                file_name=att.filename,
                mime=att.media_type,
                key=f"{key}_{att.id}",
                icon=":material/download:",
            )
            if remover is not None and st.button("删除", key=f"{key}_rm_{att.id}", icon=":material/delete:"):
                user, plan = remover
                try:
                    progress.remove_attachment(user, plan, att.id, client=auth.client_address())
                except (PermissionDenied, ValueError, KeyError) as exc:
                    st.error(plain(str(exc)), icon=":material/block:")
                else:
                    flash(f"已删除附件：{att.filename}")


# ------------------------------------------------------------------ the workbook route
# TODO(i17-wb): panhuo.progress.workbook is written on branch i17-wb; these two wrappers follow
# its signatures as they stood there (template_workbook, import_workbook). Until it is merged
# the expander says the template is not available.


def template_bytes(progress: Progress, plan: Plan, county: str, period: Period, report) -> bytes | None:
    """The template workbook of this 区县 and period (prefilled with the draft when there is
    one), None while the workbook module is missing."""
    try:
        from panhuo.progress import workbook
    except ImportError:
        return None
    current = {e["record_id"]: e for e in progress.entries(report.id)} if report else None
    return workbook.template_workbook(
        plan, county, period, progress.records(plan, county), progress.previous_values(plan, county, period.id),
        progress.stages(plan), plan.area_unit, current=current, narrative=report.narrative if report else None,
    )  # fmt: skip


def import_filled(
    progress: Progress, user: User, plan: Plan, county: str, period: Period, content: bytes, reason: str
):
    """A filled template read and saved as the draft by the same engine as the command line
    (``WorkbookImport``: ok, message, problems)."""
    from panhuo.progress import workbook

    return workbook.import_workbook(
        progress,
        user,
        plan,
        county,
        period.id,
        content,
        correction_reason=reason,
        client=auth.client_address(),
    )


# ------------------------------------------------------------------ actions


def attachments_panel(
    progress: Progress,
    user: User,
    plan: Plan,
    county: str,
    period: Period,
    report,
    *,
    stamp: str,
    editable: bool,
) -> None:
    """The report's attachments, and (on a draft) an upload of photos and PDFs."""
    if report is not None:
        draft = editable and report.state == "draft"
        attachment_list(
            progress, report.id, key=f"progress_att_{stamp}", remover=(user, plan) if draft else None
        )
    if not editable:
        return
    if report is None or report.state != "draft":
        st.caption("保存草稿后可上传附件（照片 JPG/PNG 或 PDF）。")
        return
    files = st.file_uploader(
        "上传附件（照片 JPG/PNG 或 PDF）",
        type=ATTACHMENT_TYPES,
        accept_multiple_files=True,
        key=f"progress_upload_{stamp}",
    )
    if files and st.button("添加附件", key=f"progress_add_att_{stamp}", icon=":material/attach_file:"):
        try:
            for file in files:
                progress.add_attachment(user, plan, county, period.id, file.name, file.getvalue())
        except (ProgressRejected, PermissionDenied, ValueError) as exc:
            st.error(plain(exc))
            return
        flash(f"已添加 {len(files)} 个附件。")


def save(
    progress: Progress,
    user: User,
    plan: Plan,
    county: str,
    period: Period,
    entries: list[dict],
    narrative: dict,
    *,
    correction_reason: str = "",
    submit: bool = False,
) -> None:
    """保存草稿 (and with ``submit`` 提交): on errors the problems table, and nothing written."""
    client = auth.client_address()
    try:
        _cleaned, problems = progress.check(plan, county, period.id, entries)  # writes nothing
        if any(p.severity == "error" for p in problems):
            raise ProgressRejected(problems)
        report = progress.save_draft(
            user,
            plan,
            county,
            period.id,
            entries,
            narrative,
            correction_reason=correction_reason,
            client=client,
        )
    except ProgressRejected as exc:
        problems_table(exc.problems, key="progress_problems")
        return
    except (PermissionDenied, ValueError) as exc:
        st.error(plain(exc), icon=":material/block:")
        return
    if submit:
        try:
            report = progress.submit(user, plan, county, period.id, client=client)
        except ProgressRejected as exc:  # the draft is saved; say so, then why it was not submitted
            problems_table(exc.problems, key="progress_problems", draft_saved=True)
            return
        except (PermissionDenied, ValueError) as exc:
            st.warning("草稿已保存，但未能提交。", icon=":material/warning:")
            st.error(plain(exc), icon=":material/block:")
            return
    what = "已提交（报送市领导小组）" if submit else "草稿已保存"
    late = "，逾期报送" if submit and report.late else ""
    flash(f"{county} {period.label} {what}（第 {report.revision} 版{late}）。", problems)


def workbook_panel(
    progress: Progress,
    user: User,
    plan: Plan,
    county: str,
    period: Period,
    report,
    *,
    stamp: str,
    editable: bool,
    correction_reason: str,
) -> None:
    """下载填报模板, and an upload of a filled one that goes through the same checks into the draft."""
    template = template_bytes(progress, plan, county, period, report)
    if template is None:
        st.caption("填报模板暂不可用。")
        return
    st.caption("模板已按本区县的片区/地块和上期通过的数值预填；离线填好后在此上传，检查规则与页面相同。")
    st.download_button(
        "下载填报模板",
        template,
        file_name=export_name(plan, f"进展填报_{plan.id}_{county}_{period.id}.xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"progress_template_{stamp}",
        icon=":material/download:",
    )
    if not editable:
        return
    upload = st.file_uploader("上传填好的模板（.xlsx）", type=["xlsx"], key=f"progress_wb_{stamp}")
    if upload is None:
        return
    if not st.button("按模板保存草稿", key=f"progress_wb_go_{stamp}", icon=":material/upload_file:"):
        return
    try:
        result = import_filled(progress, user, plan, county, period, upload.getvalue(), correction_reason)
    except PermissionDenied as exc:
        st.error(plain(exc), icon=":material/block:")
        return
    if not result.ok:
        if not any(p.severity == "error" for p in result.problems):  # else the table's summary says it
            st.error(plain(result.message), icon=":material/error:")
        problems_table(result.problems, key="progress_wb_problems")
        return
    flash(result.message, result.problems)
