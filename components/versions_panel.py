"""版本与导入记录: the versions of a plan's datasets (who made each), their rows and original files,
restoring an earlier version, and the log of import attempts with their problem lists.

Only the plans the user may import into are listed (a version's rows and files hold private
fields); the restore button only for one who may restore on that plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.import_form import finish, importable_plans
from components.text import plain
from panhuo import labels
from panhuo.access import Action, PermissionDenied, User
from panhuo.importing import mapping
from panhuo.importing.report import Problem, report_xlsx
from panhuo.store import Store


def versions_panel(store: Store, user: User, client: str = "") -> None:
    plan_id = st.selectbox("规划", importable_plans(store, user), key="versions_plan")
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
    may_restore = not version.is_current and user.can(Action.RESTORE, plan_id)
    if may_restore and st.button("恢复为当前版本", key="versions_restore"):
        try:
            restored = store.restore(plan_id, version.dataset, version.number, actor=user, client=client)
        except PermissionDenied as exc:  # the role was taken away meanwhile
            st.error(plain(str(exc)))
        else:
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
