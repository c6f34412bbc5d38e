"""数据核查: every published figure recomputed, with the disagreements and their size."""

import streamlit as st

from components import cached as data
from components.header import missing, page_header
from components.sidebar import current
from components.table_download import table_downloads
from panhuo.reconcile import SEVERITIES, SEVERITY_LABELS, findings_frame, severity_counts
from panhuo.views import audit_note, audit_summary, audit_table

COLUMNS = {
    "结论": st.column_config.TextColumn("结论", width="small"),
    "核查项": st.column_config.TextColumn("核查项", width="large"),
    "单位": st.column_config.TextColumn("单位", width="small"),
    **{
        name: st.column_config.TextColumn(name, alignment="right")
        for name in ("文件数值", "计算数值", "差值", "允许误差")
    },
}


def render() -> None:
    ctx = current()
    page_header("数据核查", ctx)
    findings = data.findings(ctx.plan.id)
    if not findings:
        missing("本规划没有可重算的合计、占比或文字数据。")
        return
    counts = severity_counts(findings)
    cols = st.columns(len(SEVERITIES))
    for column, severity in zip(cols, SEVERITIES, strict=True):
        column.metric(SEVERITY_LABELS[severity], f"{counts[severity]} 项", border=True)
    st.caption(
        "“舍入误差”指差值在印刷精度可以解释的范围内（n 个保留 d 位小数的数相加，最多差 n×½×10⁻ᵈ）；"
        "“不一致”超出此范围；“数值无效”是不可能成立的值（如建筑密度超过 100%）。筛选条件不影响本页。"
    )
    default = [s for s in ("mismatch", "invalid") if counts[s]] or list(SEVERITIES)
    chosen = st.pills(
        "结论",
        SEVERITIES,
        selection_mode="multi",
        default=default,
        format_func=SEVERITY_LABELS.get,
        key=f"audit_severity_{ctx.plan.id}",
    )
    frame = findings_frame(findings)
    shown = audit_table(frame, chosen or SEVERITIES)
    st.dataframe(shown, column_config=COLUMNS, hide_index=True, width="stretch", key="audit_table")
    st.caption(f"显示 {len(shown)} / {len(frame)} 项；“文件数值”为文件所印，“计算数值”由数据重算。")
    summary = audit_summary(frame, chosen or SEVERITIES)
    table_downloads(
        summary.frame,
        f"{ctx.plan.id}-核查",
        "audit",
        plan=ctx.plan,
        sum_columns=summary.sum_columns,
        formats=summary.formats,
        note=audit_note(counts, chosen, len(shown), len(frame)),
    )


if __name__ == "__main__":
    render()
