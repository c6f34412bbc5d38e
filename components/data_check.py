"""The widgets of 数据核查: the counts (causes first), one card per cause with its evidence, the
publishing conventions taken as rounding, and every check in a table with its downloads.

Text from the plan's data (quotes, locations, labels) goes through :func:`components.text.plain`.
"""

from __future__ import annotations

import streamlit as st

from components.table_download import table_downloads
from components.text import plain
from panhuo.causes import Cause
from panhuo.model import Plan
from panhuo.reconcile import SEVERITIES, SEVERITY_LABELS, Finding, findings_frame, severity_counts, size_text
from panhuo.views import audit_headline, audit_note, audit_summary, audit_table, cause_rows

SHOWN_PER_CAUSE = 4  # checks shown open in a card; the rest behind 其余…
_BADGE = {"invalid": "red", "mismatch": "orange", "uncheckable": "gray"}
COLUMNS = {
    "结论": st.column_config.TextColumn("结论", width="small"),
    "问题": st.column_config.TextColumn("问题", width="small"),
    "核查项": st.column_config.TextColumn("核查项", width="large"),
    "核算": st.column_config.TextColumn("核算", width="large"),
    "单位": st.column_config.TextColumn("单位", width="small"),
    **{
        name: st.column_config.TextColumn(name, alignment="right")
        for name in ("文件数值", "计算数值", "差值", "允许误差")
    },
}


def headline(findings: list[Finding], found: list[Cause]) -> None:
    """问题 (causes) with the checks they explain, then rounding and agreement."""
    counts = severity_counts(findings)
    invalid = sum(1 for c in found if c.severity == "invalid")
    problems, checks, rounding, agree = st.columns(4)
    problems.metric("问题", f"{len(found)} 个", border=True, help="按原因归并：同一个印错的数值只算一个问题")
    checks.metric("涉及核查", f"{sum(c.checks for c in found)} 项", border=True)
    rounding.metric("舍入误差", f"{counts['rounding']} 项", border=True)
    agree.metric("一致", f"{counts['ok']} 项", border=True)
    st.caption(
        plain(audit_headline(findings, found))
        + (f"；其中 {invalid} 个问题是不可能成立的数值" if invalid else "")
        + "。“舍入误差”指差值在印刷精度可以解释的范围内，或属截尾、最小显示值等印刷惯例；"
        "依据无效数值的核查记为“无法核查”，不据以计算。筛选条件不影响本页。"
    )


def _finding_lines(finding: Finding) -> str:
    size = size_text(finding)
    lines = [
        f"**{plain(finding.location)}** · {plain(finding.label or finding.item)}"
        + ("" if finding.severity != "uncheckable" else "（无法核查）"),
    ]
    if finding.quote:
        lines.append(f"> {plain(finding.quote)}")
    if finding.arithmetic:
        lines.append(f"核算：{plain(finding.arithmetic)}" + (f"；{plain(size)}" if size else ""))
    if finding.note:
        lines.append(f"说明：{plain(finding.note)}")
    return "\n\n".join(lines)


def _with_unit(finding: Finding) -> str:
    """The printed value with its unit (a share once with %)."""
    value = finding.printed.rstrip("%％")
    unit = finding.unit
    return value + ("%" if unit == "%" else (f" {unit}" if unit else ""))


def cause_card(cause: Cause) -> None:
    """One cause: what is wrong, the printed values it rests on, every check it fails."""
    with st.container(border=True, key=f"cause_{cause.id}"):
        colour = _BADGE.get(cause.severity, "gray")
        st.markdown(
            f":{colour}-badge[{SEVERITY_LABELS[cause.severity]}] **{plain(cause.id)}** {plain(cause.title)}"
        )
        values = "；".join(f"{f.location} {_with_unit(f)}" for f in cause.rests_on if f.printed)
        st.caption(f"依据的印刷数值：{plain(values)}　·　涉及 {cause.checks} 项核查")
        for finding in cause.findings[:SHOWN_PER_CAUSE]:
            st.markdown(_finding_lines(finding))
        rest = cause.findings[SHOWN_PER_CAUSE:]
        if rest:
            with st.expander(f"其余 {len(rest)} 项核查", key=f"cause_more_{cause.id}"):
                for finding in rest:
                    st.markdown(_finding_lines(finding))


def cause_download(plan: Plan, found: list[Cause]) -> None:
    """The 问题清单 as a workbook: one row per failing check under its cause (for the authors)."""
    if not found:
        return
    table_downloads(
        cause_rows(found),
        f"{plan.id}-问题清单",
        "audit_causes",
        plan=plan,
        sum_columns=[],
        note=f"问题 {len(found)} 个（涉及 {sum(c.checks for c in found)} 项核查），每行一项核查",
    )


def conventions(findings: list[Finding]) -> None:
    """The printed values a publishing convention explains: rounding, with the note."""
    noted = [f for f in findings if f.severity == "rounding" and "印刷惯例" in f.note]
    if not noted:
        return
    st.subheader("按印刷惯例计为舍入误差")
    for finding in noted:
        st.markdown(_finding_lines(finding))


def all_checks(plan: Plan, findings: list[Finding], found: list[Cause]) -> None:
    """Every check, filtered by conclusion, in a table with its downloads."""
    counts = severity_counts(findings)
    st.subheader(f"全部核查项（{len(findings)} 项）")
    present = [s for s in SEVERITIES if counts[s]]
    default = [s for s in ("mismatch", "invalid", "uncheckable") if counts[s]] or present
    chosen = st.pills(
        "结论",
        present,
        selection_mode="multi",
        default=default,
        format_func=lambda s: f"{SEVERITY_LABELS[s]} {counts[s]}",
        key=f"audit_severity_{plan.id}",
    )
    frame = findings_frame(findings)
    shown = audit_table(frame, chosen or SEVERITIES)
    st.dataframe(shown, column_config=COLUMNS, hide_index=True, width="stretch", key="audit_table")
    st.caption(f"显示 {len(shown)} / {len(frame)} 项；“文件数值”为文件所印，“计算数值”由数据重算。")
    summary = audit_summary(frame, chosen or SEVERITIES)
    table_downloads(
        summary.frame,
        f"{plan.id}-核查",
        "audit",
        plan=plan,
        sum_columns=summary.sum_columns,
        formats=summary.formats,
        note=audit_note(counts, chosen, len(shown), len(frame), audit_headline(findings, found)),
    )
