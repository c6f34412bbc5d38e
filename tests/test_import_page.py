"""The page 数据导入 in AppTest, opened at /import through the router: upload, mapping shown,
report, import, versions, public mode."""

from __future__ import annotations

import copy

import pytest
from streamlit.testing.v1 import AppTest

from panhuo.access import system_user
from panhuo.importing import examples
from tests.pages import open_page
from tests.test_store import use_data_dir, use_database

ACTOR = system_user()  # who the store's writes are made by in these tests


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database("sqlite", tmp_path, monkeypatch)


@pytest.fixture
def app(sqlite_url):
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    return open_page("import", timeout=120)


def _new_plan(at: AppTest, plan_id: str) -> None:
    at.selectbox(key="import_plan").set_value("（新建规划）").run()
    at.text_input(key="import_new_id").set_value(plan_id)
    at.text_input(key="import_new_title").set_value("长治市调查")
    at.text_input(key="import_new_province").set_value("山西省")
    at.text_input(key="import_new_city").set_value("长治市")


def _metrics(at: AppTest) -> dict[str, str]:
    """The four counts shown above the report."""
    return {m.label: m.value for m in at.metric}


def test_module_does_nothing_when_imported():
    import importlib

    module = importlib.import_module("app_pages.data_import")
    assert callable(module.render)


def test_upload_confirm_and_import_a_bureau_workbook(app):
    _new_plan(app, "changzhi-page")
    app.get("file_uploader")[0].upload("地块清单.xlsx", examples.bureau_workbook())
    app.run()
    assert not app.exception
    assert _metrics(app) == {"数据行": "5", "可导入": "5", "有错误（不导入）": "0", "警告": "0"}
    mapping = app.dataframe[0].value  # the mapping editor, shown for confirmation
    assert mapping.set_index("列").loc["面积（亩）", ["字段", "单位"]].tolist() == ["面积", "亩"]
    assert app.button(key="import_go").disabled  # not before the mapping is confirmed
    app.checkbox(key="import_confirm").check().run()
    assert not app.button(key="import_go").disabled and app.button(key="import_go_valid").disabled
    app.button(key="import_go").click().run()
    assert not app.exception
    assert [s.value for s in app.success] == ["已导入 5 行，为“changzhi-page”的地块第 1 版。"]
    assert "/overview?plan=changzhi-page" in app.main.markdown[-1].value  # a link to the imported plan
    from panhuo.catalog import open_catalog

    assert open_catalog().get("changzhi-page").origin == "import"


def test_rejected_rows_offer_only_the_valid_rows(app):
    rows = copy.deepcopy(examples.BUREAU_ROWS)
    rows[0][5] = -1
    _new_plan(app, "changzhi-bad")
    app.get("file_uploader")[0].upload("坏.xlsx", examples.bureau_workbook(rows))
    app.run()
    assert _metrics(app)["有错误（不导入）"] == "1"
    assert "有 1 行未通过检查" in app.warning[0].value
    app.checkbox(key="import_confirm").check().run()
    assert app.button(key="import_go").disabled and not app.button(key="import_go_valid").disabled
    report = next(d.value for d in app.dataframe if "问题" in d.value.columns)
    assert "面积必须大于 0" in report["问题"].tolist()
    app.button(key="import_go_valid").click().run()
    assert "已导入 4 行" in app.success[0].value


def test_an_unreadable_file_shows_an_error_not_an_exception(app):
    _new_plan(app, "changzhi-x")
    app.get("file_uploader")[0].upload("坏.xlsx", b"PK\x03\x04 not really")
    app.run()
    assert not app.exception
    assert app.error[0].value.startswith("文件无法导入")


def test_versions_tab_lists_versions_and_restores(app):
    from panhuo.store import NewSource, Store

    store = Store.open()
    frame = store.version_frame(store.versions("shangdang-2021", "parcels")[0].id).head(3)
    store.save_import("shangdang-2021", "parcels", frame, [NewSource("x.csv", b"x")], actor=ACTOR)
    app.run()
    app.selectbox(key="versions_plan").set_value("shangdang-2021").run()
    options = app.selectbox(key="versions_pick").options
    app.selectbox(key="versions_pick").select_index(
        next(i for i, o in enumerate(options) if "地块 第 1 版" in o)
    ).run()
    app.button(key="versions_restore").click().run()
    assert not app.exception
    assert "已恢复" in app.success[0].value
    assert [v.is_current for v in store.versions("shangdang-2021", "parcels")] == [False, False, True]


def test_public_mode_has_no_import(sqlite_url, monkeypatch):
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = open_page("import", alone=True)  # the router does not offer it; called directly, it refuses
    assert at.info[0].value == "公众模式下不提供数据导入。"
    assert not at.get("file_uploader")
