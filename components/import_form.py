"""The widgets of the import form (数据导入): the cached analysis of the uploaded files, the plan
choice, the mapping editor, the check report, and the notice after an import or a restore.
The page (``app_pages/data_import.py``) puts them in order; the work is ``panhuo.importing``'s.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pandas as pd
import streamlit as st

from components import cached as data
from components.text import plain
from panhuo.access import Action, User
from panhuo.demo import ORIGIN as DEMO_ORIGIN
from panhuo.import_progress import STAGES, Step, reporting
from panhuo.importing import InputFile, engine, mapping
from panhuo.importing.report import FAMILIES, GRADE_LABELS, Problem, by_family, report_frame, report_xlsx
from panhuo.store import Store

NEW_PLAN = "（新建规划）"
_DONE = "_import_done"  # (message, plan id, problems) of the last import or restore, shown after the rerun
NONCE = "_import_nonce"  # part of the uploaders' keys: a new value empties them after an import
_NEXT_PLAN = "_import_next_plan"  # the plan to select in the form at the next run


@st.cache_data(max_entries=2, show_spinner="正在读取文件…")
def analyse(
    uploads: tuple[tuple[str, bytes], ...],
    kind: str,
    sheet: str | None,
    crs: str | None,
    revision: int,
    _store: Store,
    counties: tuple[str, ...] = (),
) -> engine.Analysis:
    """Read and analyse the uploaded files once per content and options, not on every rerun
    (editing the mapping reruns the page). ``revision`` refreshes remembered mappings after an
    import; cache_data hands each run its own copy, which apply_mappings and check change."""
    return engine.analyse(
        [InputFile(name, body) for name, body in uploads],
        kind,
        sheet,
        store=_store,
        crs=crs,
        counties=list(counties) or None,
    )


@contextmanager
def progress_bar() -> Iterator[None]:
    """A bar of the rows checked and written while the block runs (a large file takes a while),
    gone once it is done; the text says the stage and the rows, e.g. 写入：已写入 250,000 / 1,000,000 行."""
    slot = st.empty()
    shown: dict[str, object] = {}

    def listen(step: Step) -> None:
        text = f"{STAGES.get(step.stage, step.stage)}：{step.label}"
        if "bar" not in shown:
            shown["bar"] = slot.progress(step.overall, text=text)
        else:
            shown["bar"].progress(step.overall, text=text)

    try:
        with reporting(listen):
            yield
    finally:
        slot.empty()


_CHECKED = "_import_checked"  # (what was checked, the result): a rerun with nothing changed reads it


def check(
    analysis: engine.Analysis, plan, kind: str, plan_id: str, meta: dict | None, uploads
) -> engine.Checked:
    """The check of the analysed files against the plan, with the bar while it runs; done again
    only when the files, the mapping, the plan or the store changed (a million rows take a
    minute: ticking "列映射已核对无误" or pressing 导入 must not check them again). The session
    holds the last result only, and drops it after an import."""
    key = json.dumps(
        [
            [(u.name, getattr(u, "file_id", ""), u.size) for u in uploads],
            kind,
            plan_id,
            data.revision(),
            meta,
            [layer.mapping.to_json() if layer.mapping else None for layer in analysis.layers],
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    held = st.session_state.get(_CHECKED)
    if held is not None and held[0] == key:
        return held[1]
    st.session_state.pop(_CHECKED, None)  # the old result goes before the new one is made
    with progress_bar():
        checked = engine.check(
            analysis, engine.context_for(plan, kind, meta or engine.new_plan_meta(plan_id))
        )
    st.session_state[_CHECKED] = (key, checked)
    return checked


def finish(
    message: str, plan_id: str, problems: list[Problem] | None = None, *, clear_upload: bool = False
) -> None:
    """Have the catalog look at the store again (only the plan that changed is reloaded), then run
    again so the sidebar and every page see the change."""
    data.invalidate()
    st.session_state.pop(_CHECKED, None)
    if clear_upload:  # the imported file is in the store now; start the form afresh
        st.session_state[NONCE] = st.session_state.get(NONCE, 0) + 1
        st.session_state.pop("import_confirm", None)
        st.session_state[_NEXT_PLAN] = plan_id
    st.session_state[_DONE] = (message, plan_id, [p.to_json() for p in problems or []])
    st.rerun()


def show_done() -> None:
    """After an import or a restore: what happened, links to the plan, and its problem list."""
    done = st.session_state.pop(_DONE, None)
    if not done:
        return
    message, plan_id, problems = done
    st.success(plain(message))
    link = quote(plan_id, safe="")  # the id is typed by the user: inert in the link target too
    st.markdown(
        f"[在总览中查看“{plain(plan_id)}”](/overview?plan={link}) · "
        f"[明细](/records?plan={link}) · [数据核查](/audit?plan={link})"
    )
    if any(p["severity"] in ("error", "warning") for p in problems):
        st.download_button(
            "下载本次导入的问题清单（XLSX）",
            report_xlsx([Problem(**p) for p in problems], {"规划": plan_id, "结果": message}),
            "导入问题清单.xlsx",
            key="import_done_report",
        )


def importable_plans(store: Store, user: User) -> list[str]:
    """The plans ``user`` may import into, in the store's order (never the demonstration copy:
    it follows 湖州's sample and carries simulated progress)."""
    demo = set(store.plan_ids(DEMO_ORIGIN))
    return [pid for pid in store.plan_ids() if pid not in demo and user.can(Action.IMPORT, pid)]


def plan_choice(store: Store, user: User) -> tuple[str, dict | None]:
    """(plan id, metadata of a new plan or None) from the form: the plans ``user`` may import
    into, and a new plan only for one who may create plans."""
    options = importable_plans(store, user)
    if user.can(Action.CREATE_PLAN):
        options.insert(0, NEW_PLAN)
    if st.session_state.get(_NEXT_PLAN) in options:  # set before the widget exists in this run
        st.session_state["import_plan"] = st.session_state.pop(_NEXT_PLAN)
    st.session_state.pop(_NEXT_PLAN, None)
    choice = st.selectbox("导入到规划", options, index=None, placeholder="请选择规划", key="import_plan")
    if choice != NEW_PLAN:
        return choice or "", None
    cols = st.columns(4)
    plan_id = cols[0].text_input("规划编号（英文、数字、连字符）", key="import_new_id").strip()
    title = cols[1].text_input("标题", key="import_new_title")
    province = cols[2].text_input("省", key="import_new_province")
    city = cols[3].text_input("市（用于核对区县）", key="import_new_city")
    return plan_id, engine.new_plan_meta(plan_id, title=title, province=province, city=city)


def mapping_editor(layer: engine.Layer, index: int, kind: str) -> dict | None:
    if layer.mapping is None:
        return None
    role = "现状" if index == 0 else ("调查区" if layer.role == "zones_of" else "规划")
    st.markdown(
        f"**{role}文件 {plain(layer.file.name)}**{f'（工作表 {plain(layer.sheet)}）' if layer.sheet else ''}："
        "请核对每列对应的字段和面积单位，可直接修改"
    )
    config = {
        "字段": st.column_config.SelectboxColumn(options=mapping.field_choices(kind), required=True),
        "单位": st.column_config.SelectboxColumn(options=mapping.UNIT_CHOICES),
        "依据": st.column_config.TextColumn(width="large", help="决定该列对应字段的表头或列中的值"),
    }
    edited = st.data_editor(
        pd.DataFrame(mapping.editor_rows(layer.mapping)),
        hide_index=True,
        width="stretch",
        key=f"import_mapping_{index}_{layer.mapping.layout}",
        column_config=config,
        disabled=["列", "识别方式", "示例", "依据"],
        height=min(36 * (len(layer.mapping.columns) + 1) + 4, 900),
    )
    return mapping.mapping_from_editor(edited.to_dict("records"), kind)


_REPORT_COLUMNS = {
    "级别": st.column_config.TextColumn(width="medium"),
    "问题": st.column_config.TextColumn(width="large"),
    "建议": st.column_config.TextColumn(width="large"),
}


def _report_table(problems: list[Problem], key: str, drop: tuple[str, ...] = ()) -> None:
    frame = report_frame(problems).astype({"行": "string"}).fillna("")  # no "None" on screen
    frame = frame.drop(columns=[c for c in drop if c in frame.columns])
    st.dataframe(frame, hide_index=True, width="stretch", key=key, column_config=_REPORT_COLUMNS)


def _grades(problems: list[Problem]) -> str:
    """必须修改 2 · 建议修改 5 · 提示 1 (the grades present)."""
    counts = [(label, sum(p.severity == s for p in problems)) for s, label in GRADE_LABELS.items()]
    return " · ".join(f"{label} {n:,}" for label, n in counts if n)


def check_report(checked: engine.Checked, plan_id: str) -> None:
    """The counts of the check, the report (all of it, then one tab per quality-control family
    with 必须修改 apart from 建议修改), the comparison with the previous version in a line, and
    the report to download."""
    for col, (label, value) in zip(st.columns(4), checked.summary.items(), strict=True):
        col.metric(label, f"{value:,}")
    groups = by_family(checked.problems)
    summary = next(
        (p for p in checked.problems if p.family == "versions" and p.problem.startswith("与上一版本比较")),
        None,
    )
    if summary is not None:  # counts and area totals against the plan's previous version
        st.info(plain(summary.problem))
    tabs = st.tabs(
        [f"全部（{len(checked.problems):,}）", *(f"{FAMILIES[f]}（{_grades(found)}）" for f, found in groups)]
    )
    with tabs[0]:
        _report_table(checked.problems, "import_report")
    for tab, (family, found) in zip(tabs[1:], groups, strict=True):
        with tab:
            for severity, label in GRADE_LABELS.items():
                graded = [p for p in found if p.severity == severity]
                if graded:
                    st.markdown(f"**{plain(label)}**（{len(graded):,} 条）")
                    _report_table(graded, f"import_report_{family}_{severity}", drop=("类别",))
    st.download_button(
        "下载问题清单（XLSX）",
        report_xlsx(checked.problems, {"规划": plan_id, **checked.summary}),
        "导入问题清单.xlsx",
        key="import_report_xlsx",
    )
