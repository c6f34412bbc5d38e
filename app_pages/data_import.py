"""数据导入 (/import): upload a workbook or layer, confirm the mapping, read the report, import;
see and restore earlier versions. Thin: the steps in order; the widgets are in
``components/import_form.py`` and ``components/versions_panel.py``, the work in ``panhuo.importing``
and ``panhuo.store``. Streamlit runs it as a page (``render()``); importing it does nothing.
"""

from __future__ import annotations

import streamlit as st

from components import auth
from components import cached as data
from components import import_form as form
from components.text import plain
from components.versions_panel import versions_panel
from panhuo.access import Action, User
from panhuo.importing import MAX_FILE_BYTES, engine, examples, mapping
from panhuo.store import Store, StoreUnavailable

FILE_TYPES = ["xlsx", "xlsm", "csv", "gpkg", "zip", "geojson", "json"]


def _import_tab(store: Store, user: User) -> None:
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
    plan_id, meta = form.plan_choice(store, user)
    nonce = st.session_state.get(form.NONCE, 0)
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
    plan = data.catalog().find(plan_id)  # the cached catalog: the plan as it stands, store or sample
    place = dict(plan.meta) if plan is not None else dict(meta or {})
    counties, _source = engine.known_counties(
        str(place.get("province", "")), str(place.get("city", "")), list(place.get("counties", []) or [])
    )  # a column holding these names is the 区县 column, whatever its header says
    analysis = form.analyse(files, kind, sheet, crs, data.revision(), store, tuple(counties))
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
    engine.apply_mappings(
        analysis, [form.mapping_editor(la, i, kind) for i, la in enumerate(analysis.layers)]
    )
    checked = form.check(analysis, plan, kind, plan_id, meta, [u for u in uploads if u is not None])
    if checked.join is not None:  # the match rate of the two files, before anything is written
        (st.error if checked.join.refused else st.info)(plain(checked.join.sentence))
    st.subheader("2. 检查结果")
    form.check_report(checked, plan_id)
    if checked.fatal:
        st.error("文件无法导入，请按问题清单修正后重新上传。")
        return
    st.subheader("3. 导入")
    valid, rejected = checked.counts["valid"], checked.counts["rejected"]
    if rejected:
        st.warning(
            f"有 {rejected:,} 行未通过检查（见上表“必须修改”）。可以修正文件后重新上传，"
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
        with form.progress_bar():
            result = engine.commit(
                checked,
                store,
                plan_id,
                actor=user,
                valid_only=go_valid,
                new_meta=None if plan else meta,
                client=auth.client_address(),
            )
        if result.ok:
            form.finish(result.message, plan_id, result.problems, clear_upload=True)
        st.error(plain(result.message))


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
    # checked here too, not only by the menu: the page's file can be opened by itself
    user = auth.require_page(Action.IMPORT)  # stops with a Chinese message without the role
    form.show_done()
    tab_import, tab_versions = st.tabs(["导入数据", "版本与导入记录"])
    with tab_import:
        _import_tab(store, user)
    with tab_versions:
        versions_panel(store, user, auth.client_address())


if __name__ == "__main__":
    render()
