"""数据导入 (/import): upload a workbook or layer, confirm the mapping, read the report, import;
see and restore earlier versions. Thin: the work is done by ``panhuo.importing`` and
``panhuo.store``. Streamlit runs it as a page (``render()``); importing it does nothing.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd
import streamlit as st

from components import cached as data
from components.text import plain
from panhuo import labels
from panhuo.importing import MAX_FILE_BYTES, InputFile, engine, examples, mapping
from panhuo.importing.report import Problem, report_frame, report_xlsx
from panhuo.store import Store, StoreUnavailable

NEW_PLAN = "（新建规划）"
FILE_TYPES = ["xlsx", "xlsm", "csv", "gpkg", "zip", "geojson", "json"]
_DONE = "_import_done"  # (kind, message, plan id) of the last import or restore, shown after the rerun
_NONCE = "_import_nonce"  # part of the uploaders' keys: a new value empties them after an import
_NEXT_PLAN = "_import_next_plan"  # the plan to select in the form at the next run


@st.cache_data(max_entries=2, show_spinner="正在读取文件…")
def _analyse(
    uploads: tuple[tuple[str, bytes], ...],
    kind: str,
    sheet: str | None,
    crs: str | None,
    revision: int,
    _store: Store,
) -> engine.Analysis:
    """Read and analyse the uploaded files once per content and options, not on every rerun
    (editing the mapping reruns the page). ``revision`` refreshes remembered mappings after an
    import; cache_data hands each run its own copy, which apply_mappings and check change."""
    return engine.analyse(
        [InputFile(name, body) for name, body in uploads], kind, sheet, store=_store, crs=crs
    )


def _finish(
    message: str, plan_id: str, problems: list[Problem] | None = None, *, clear_upload: bool = False
) -> None:
    """Have the catalog look at the store again (only the plan that changed is reloaded), then run
    again so the sidebar and every page see the change."""
    data.invalidate()
    if clear_upload:  # the imported file is in the store now; start the form afresh
        st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1
        st.session_state.pop("import_confirm", None)
        st.session_state[_NEXT_PLAN] = plan_id
    st.session_state[_DONE] = (message, plan_id, [p.to_json() for p in problems or []])
    st.rerun()


def _show_done() -> None:
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


def _plan_choice(store: Store) -> tuple[str, dict | None]:
    """(plan id, metadata of a new plan or None) from the form."""
    if _NEXT_PLAN in st.session_state:  # set before the widget exists in this run
        st.session_state["import_plan"] = st.session_state.pop(_NEXT_PLAN)
    choice = st.selectbox(
        "导入到规划", [NEW_PLAN, *store.plan_ids()], index=None, placeholder="请选择规划", key="import_plan"
    )
    if choice != NEW_PLAN:
        return choice or "", None
    cols = st.columns(4)
    plan_id = cols[0].text_input("规划编号（英文、数字、连字符）", key="import_new_id").strip()
    title = cols[1].text_input("标题", key="import_new_title")
    province = cols[2].text_input("省", key="import_new_province")
    city = cols[3].text_input("市（用于核对区县）", key="import_new_city")
    return plan_id, engine.new_plan_meta(plan_id, title=title, province=province, city=city)


def _mapping_editor(layer: engine.Layer, index: int, kind: str) -> dict | None:
    if layer.mapping is None:
        return None
    role = "现状" if index == 0 else "规划"
    st.markdown(
        f"**{role}文件 {plain(layer.file.name)}**{f'（工作表 {plain(layer.sheet)}）' if layer.sheet else ''}："
        "请核对每列对应的字段和面积单位，可直接修改"
    )
    config = {
        "字段": st.column_config.SelectboxColumn(options=mapping.field_choices(kind), required=True),
        "单位": st.column_config.SelectboxColumn(options=mapping.UNIT_CHOICES),
    }
    edited = st.data_editor(
        pd.DataFrame(mapping.editor_rows(layer.mapping)),
        hide_index=True,
        width="stretch",
        key=f"import_mapping_{index}_{layer.mapping.layout}",
        column_config=config,
        disabled=["列", "识别方式", "示例"],
        height=min(36 * (len(layer.mapping.columns) + 1) + 4, 900),
    )
    return mapping.mapping_from_editor(edited.to_dict("records"), kind)


def _import_tab(store: Store) -> None:
    st.caption(
        f"支持 Excel（.xlsx）、CSV（UTF-8 或 GBK）、GeoPackage、GeoJSON、压缩的 Shapefile（.zip）；每个文件"
        f"不超过 {MAX_FILE_BYTES // 1024 // 1024} MB。原始文件按字节原样保存。"
    )
    left, right = st.columns(2)
    left.download_button(
        "下载示例工作簿", examples.bureau_workbook(), "示例_地块清单.xlsx", key="import_example"
    )
    kind = right.radio(
        "数据类型",
        ["parcels", "zones"],
        format_func=mapping.KIND_LABELS.get,
        horizontal=True,
        key="import_kind",
    )
    plan_id, meta = _plan_choice(store)
    nonce = st.session_state.get(_NONCE, 0)
    uploads = [
        st.file_uploader("数据文件（现状）", type=FILE_TYPES, key=f"import_file_{nonce}"),
        st.file_uploader(
            "规划图层（可选，按编号与上一个文件合并）", type=FILE_TYPES, key=f"import_file2_{nonce}"
        ),
    ]
    if uploads[0] is None or not plan_id:
        st.info("请上传文件。" if uploads[0] is None else "请选择规划，或填写新规划的编号。")
        return
    files = tuple((f.name, f.getvalue()) for f in uploads if f is not None)
    sheet, crs = st.session_state.get("import_sheet") or None, st.session_state.get("import_crs") or None
    analysis = _analyse(files, kind, sheet, crs, data.revision(), store)
    if len(analysis.layers[0].sheets) > 1:
        st.selectbox(
            "工作表",
            ["", *analysis.layers[0].sheets],
            key="import_sheet",
            format_func=lambda name: name or "自动识别",
        )
    if any(layer.is_gis for layer in analysis.layers):
        st.text_input("坐标系（仅当图层未声明坐标系时填写，如 EPSG:4528）", key="import_crs")
    st.subheader("1. 核对列映射")
    engine.apply_mappings(analysis, [_mapping_editor(la, i, kind) for i, la in enumerate(analysis.layers)])
    plan = data.catalog().find(plan_id)  # the cached catalog: the plan as it stands, store or sample
    checked = engine.check(analysis, engine.context_for(plan, kind, meta or engine.new_plan_meta(plan_id)))
    st.subheader("2. 检查结果")
    for col, (label, value) in zip(st.columns(4), checked.summary.items(), strict=True):
        col.metric(label, f"{value:,}")
    report = report_frame(checked.problems).astype({"行": "string"}).fillna("")  # no "None" on screen
    st.dataframe(
        report,
        hide_index=True,
        width="stretch",
        key="import_report",
        column_config={
            "级别": st.column_config.TextColumn(width="medium"),
            "问题": st.column_config.TextColumn(width="large"),
            "建议": st.column_config.TextColumn(width="large"),
        },
    )
    st.download_button(
        "下载问题清单（XLSX）",
        report_xlsx(checked.problems, {"规划": plan_id, **checked.summary}),
        "导入问题清单.xlsx",
        key="import_report_xlsx",
    )
    if checked.fatal:
        st.error("文件无法导入，请按问题清单修正后重新上传。")
        return
    st.subheader("3. 导入")
    valid, rejected = checked.counts["valid"], checked.counts["rejected"]
    if rejected:
        st.warning(
            f"有 {rejected:,} 行未通过检查（见上表“错误”）。可以修正文件后重新上传，"
            f"或只导入有效的 {valid:,} 行——未导入的行都列在问题清单中。"
        )
    confirmed = st.checkbox("列映射已核对无误", key="import_confirm")
    left, right = st.columns(2)
    go = left.button("导入", type="primary", disabled=not (confirmed and checked.importable), key="import_go")
    go_valid = right.button(
        f"只导入有效的 {valid:,} 行",
        disabled=not confirmed or checked.importable or not valid,
        key="import_go_valid",
    )
    if go or go_valid:
        result = engine.commit(checked, store, plan_id, valid_only=go_valid, new_meta=None if plan else meta)
        if result.ok:
            _finish(result.message, plan_id, result.problems, clear_upload=True)
        st.error(plain(result.message))


def _versions_tab(store: Store) -> None:
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
        _finish(f"已恢复：新的第 {restored.number} 版与第 {version.number} 版内容相同。", plan_id)
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


def render() -> None:
    st.title("数据导入")
    settings = data.settings()
    if settings.public_mode:  # the navigation hides this page; a direct call is refused too
        st.info("公众模式下不提供数据导入。")
        return
    try:
        store = data.store()
    except StoreUnavailable as exc:
        st.error(f"无法打开数据库，暂时不能导入：{plain(exc.detail, limit=300)}")
        return
    _show_done()
    tab_import, tab_versions = st.tabs(["导入数据", "版本与导入记录"])
    with tab_import:
        _import_tab(store)
    with tab_versions:
        _versions_tab(store)


if __name__ == "__main__":
    render()
