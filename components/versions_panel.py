"""版本与导入记录: the versions of a plan's datasets, their rows and original files, restoring an
earlier version, and the log of import attempts with their problem lists."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.import_form import finish
from components.text import plain
from panhuo import labels
from panhuo.importing import mapping
from panhuo.importing.report import Problem, report_xlsx
from panhuo.store import Store


def versions_panel(store: Store) -> None:
    plan_id = st.selectbox("规划", store.plan_ids(), key="versions_plan")
    if not plan_id:
        return
    versions = store.versions(plan_id)
    st.dataframe(
        pd.DataFrame([labels.version_row(v) for v in versions]),
        hide_index=True,
        width="stretch",
        key="versions_list",
    )
    by_id = {v.id: v for v in versions}
    picked = st.selectbox(
        "查看版本", list(by_id), format_func=lambda i: labels.version_title(by_id[i]), key="versions_pick"
    )
    if picked is None:
        return
    version = by_id[picked]
    rows = store.version_frame(version.id)
    if version.dataset in mapping.KINDS:
        rows = rows.rename(columns=mapping.column_labels(version.dataset))
    st.dataframe(rows, width="stretch", key="versions_rows")
    for i, (name, digest, content) in enumerate(store.source_files(version.id)):
        st.download_button(
            f"下载原始文件 {plain(name)}",
            content,
            name,
            key=f"versions_file_{version.id}_{i}",
            help=f"SHA-256 {digest}",
        )
    if not version.is_current and st.button("恢复为当前版本", key="versions_restore"):
        restored = store.restore(plan_id, version.dataset, version.number)
        finish(f"已恢复：新的第 {restored.number} 版与第 {version.number} 版内容相同。", plan_id)
    with st.expander("导入记录（含未导入的尝试及其问题清单）"):
        st.dataframe(
            pd.DataFrame(labels.report_rows(store.reports(plan_id))),
            hide_index=True,
            width="stretch",
            key="versions_reports",
        )
        for report in store.reports(plan_id, limit=1):
            st.download_button(
                "下载最近一次导入的问题清单（XLSX）",
                report_xlsx([Problem(**p) for p in report["problems"]]),
                "导入问题清单.xlsx",
                key="versions_report_xlsx",
            )
