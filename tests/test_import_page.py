"""The page 数据导入 in AppTest, opened at /import through the router by a signed-in 分析人员:
upload, mapping shown, report, import, versions (who made each), restore; who may not use it
(anonymous, a 区县填报员, an 审核员: refused even when the page's file is run by itself), what a
plan-scoped 分析人员 is offered; public mode."""

from __future__ import annotations

import copy

import pytest
from streamlit.testing.v1 import AppTest

from panhuo.access import system_user
from panhuo.importing import examples
from tests.accounts import sign_in
from tests.pages import goto, open_page
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
    return open_page("import", session=sign_in("analyst"), timeout=120)


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
    app.selectbox(key="versions_plan").set_value("shangdang-2021").run()
    listed = next(d.value for d in app.dataframe if "SHA-256" in d.value.columns)
    by = dict(zip(listed["版本"], listed["操作人"], strict=True))
    assert by[1] == "系统（system）" and by[2] == ACTOR.label
    assert by[3].startswith("测试analyst-")  # the signed-in analyst who restored
    assert "时间（北京时间）" in listed.columns


@pytest.mark.parametrize(
    ("role", "plan", "counties"),
    [("", None, ()), ("reporter", "shangdang-2021", ("上党区",)), ("moderator", None, ())],
    ids=["no-role", "reporter", "moderator"],
)
def test_users_without_import_rights_are_refused_even_opening_the_file(sqlite_url, role, plan, counties):
    session = sign_in(role, plan, counties)
    with pytest.raises(ValueError, match="data_import"):  # the router does not offer the page
        goto(open_page(None, session=session, timeout=120), "import")
    at = open_page("import", alone=True, session=session, timeout=120)  # the file run by itself
    assert [e.value for e in at.error] == [next(e.value for e in at.error)]
    assert "没有导入数据的权限" in at.error[0].value
    assert not at.get("file_uploader") and not at.get("button")


@pytest.mark.parametrize("must_change", [False, True], ids=["anonymous", "initial-password"])
def test_anonymous_opening_the_file_is_asked_to_sign_in(sqlite_url, must_change):
    """Also one signed in with an initial password: no import before it is changed."""
    session = sign_in("analyst", must_change_password=True) if must_change else {}
    at = open_page("import", alone=True, session=session, timeout=120, check=False)
    assert at.warning[0].value.startswith("此页面需要登录")
    assert not at.get("file_uploader") and not at.get("button")


def test_anonymous_opening_the_file_sees_no_exception(sqlite_url):
    """require_page's sign-in link falls back to a plain link when no st.navigation ran."""
    at = open_page("import", alone=True, timeout=120)
    assert [m.value for m in at.markdown if "登录" in m.value] == ["[登录](/login)"]


def test_a_plan_analyst_is_offered_only_that_plan_and_no_new_plan(sqlite_url, tmp_path, monkeypatch):
    import shutil

    from tests.conftest import ROOT

    shutil.copytree(ROOT / "data" / "wuwei-2023", tmp_path / "data" / "wuwei-2023")
    at = open_page("import", session=sign_in("analyst", "wuwei-2023"), timeout=120)
    assert at.selectbox(key="import_plan").options == ["wuwei-2023"]
    assert at.selectbox(key="versions_plan").options == ["wuwei-2023"]


def test_public_mode_has_no_import(sqlite_url, monkeypatch):
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = open_page("import", alone=True)  # the router does not offer it; called directly, it refuses
    assert at.info[0].value == "公众模式下不提供数据导入。"
    assert not at.get("file_uploader")


def test_an_unchanged_rerun_does_not_check_the_file_again(app, monkeypatch):
    """A million rows take a minute to check: ticking 列映射已核对无误 or pressing 导入 reads the
    last check back; a changed plan choice (another context) checks again."""
    import panhuo.importing.engine as engine_module

    calls = []
    real = engine_module.check

    def counted(analysis, context):
        calls.append(context.kind)
        return real(analysis, context)

    monkeypatch.setattr(engine_module, "check", counted)
    _new_plan(app, "changzhi-once")
    app.get("file_uploader")[0].upload("地块清单.xlsx", examples.bureau_workbook())
    app.run()
    assert _metrics(app)["可导入"] == "5" and len(calls) == 1
    app.checkbox(key="import_confirm").check().run()
    assert len(calls) == 1 and not app.button(key="import_go").disabled
    app.text_input(key="import_new_city").set_value("晋城市").run()  # another city: checked anew
    assert len(calls) == 2 and _metrics(app)["可导入"] == "0"  # 长治市's 区县 are not 晋城市's
    app.text_input(key="import_new_city").set_value("长治市").run()
    assert len(calls) == 3 and _metrics(app)["可导入"] == "5"
    app.button(key="import_go").click().run()
    assert len(calls) == 3 and [s.value for s in app.success] == [
        "已导入 5 行，为“changzhi-once”的地块第 1 版。"
    ]


def test_a_city_export_shows_the_evidence_and_the_join_rate_before_anything_is_written(app):
    from tests.city_export import city_export

    layers = city_export(60, seed=2)
    app.selectbox(key="import_plan").set_value("（新建规划）").run()
    app.text_input(key="import_new_id").set_value("huzhou-page")
    app.text_input(key="import_new_province").set_value("浙江省")
    app.text_input(key="import_new_city").set_value("湖州市")
    for uploader, (name, body) in zip(app.get("file_uploader"), layers.items(), strict=True):
        uploader.upload(name, body)
    app.run()
    assert not app.exception
    now = app.dataframe[0].value.set_index("列")
    assert now.loc["县名称", ["字段", "识别方式"]].tolist() == ["区县", "按列中的值"]
    assert now.loc["县名称", "依据"] == "值为本市的区县名：吴兴区、南浔区、德清县（5/5 个不同值）"
    assert now.loc["行政区名称", "字段"] == "乡镇/街道" and now.loc["id", "字段"] == "（附加列）"
    assert [i.value for i in app.info if "两个图层" in i.value] == [
        "两个图层按编号列对应：第一个文件“地块编号” ↔ 第二个文件“地块编号”，"
        "第一个文件 60/60（100.0%） 行、第二个文件 60/60（100.0%） 行能对应"
    ]
    assert _metrics(app)["可导入"] == "60"
    from panhuo.catalog import open_catalog

    assert open_catalog().find("huzhou-page") is None  # checked, nothing written yet
