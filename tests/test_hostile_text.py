"""Issue 8.1: hostile Markdown/HTML in every field of a plan and in every link parameter is shown
as plain text on every page, in analyst and public mode — never a live link, image or markup."""

from __future__ import annotations

import pytest

from components.text import plain
from panhuo.planid import PLAN_ID_RULE
from tests.accounts import sign_in
from tests.hostile import (
    ESCAPED,
    HOSTILE,
    PLANS,
    chart_strings,
    hostile_county,
    live_chart_markup,
    live_markup,
    shown_strings,
    write_hostile_plans,
)
from tests.pages import ANALYSIS_PAGES, open_page

PAGES = [*ANALYSIS_PAGES, "import"]
COUNTY = {"shangdang-2021": "上党区", "huzhou-2023": "德清县", "urumqi-2025": ""}


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    return write_hostile_plans(tmp_path_factory.mktemp("hostile-data"))


@pytest.fixture(autouse=True)
def _hostile_data(hostile_dir, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PANHUO_DATA_DIR", str(hostile_dir))
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _params(plan: str) -> dict[str, str]:
    """Every link parameter hostile; the county list also names one of the plan's (hostile) 区县,
    so the page shows filtered data as well as the notices."""
    county = ",".join(c for c in (hostile_county(COUNTY[plan]) if COUNTY[plan] else "", HOSTILE) if c)
    return {"plan": plan, "county": county, "zone": HOSTILE, "type": HOSTILE, "stage": HOSTILE,
            "unit": HOSTILE}  # fmt: skip


@pytest.mark.parametrize("public", [False, True], ids=["analyst", "public"])
@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("page", PAGES)
def test_hostile_plan_and_link_show_as_plain_text(page, plan, public, monkeypatch):
    if public:
        monkeypatch.setenv("PANHUO_PUBLIC", "1")
    if page == "import" and public:
        pytest.skip("public mode has no import page (tests/test_app_core.py)")
    session = None if public else sign_in("analyst")  # an analyst sees the (hostile) right-holders
    at = open_page(page, session=session, timeout=120, **_params(plan))
    strings = shown_strings(at)
    assert live_markup(strings) == []
    if page != "import":  # the header shows the plan's (hostile) title, escaped
        assert any(ESCAPED in s for s in strings), "the hostile title is not on the page"
        assert at.selectbox(key="f_plan").value == plan
        warnings = [w.value for w in at.warning]
        assert any("链接中的单位" in w for w in warnings), warnings


def test_a_reporter_of_a_hostile_county_sees_its_name_and_right_holder_as_plain_text():
    """The line under 明细 names the reporter's 区县; a hostile 区县 name there stays inert, and the
    scope matches the name exactly as the data writes it (the right-holder is shown)."""
    county = hostile_county("上党区")
    at = open_page("records", session=sign_in("reporter", "shangdang-2021", (county,)), plan="shangdang-2021")
    assert live_markup(shown_strings(at)) == []
    assert plain(f"权利人等不公开信息仅显示{county}的地块") in [c.value for c in at.caption]
    holders = set(at.dataframe(key="records_table").value["权利人"])
    assert f"刘志平{HOSTILE}" in holders


CHART_PAGES = ["overview", "structure", "timeline", "targets", "potential", "policy"]


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("page", CHART_PAGES)
def test_hostile_names_in_charts_are_inert(page, plan):
    """Plotly reads <a href>, <span>, <b> in any string it draws: data text reaches it inert."""
    at = open_page(page, timeout=120, plan=plan)
    assert not at.exception
    strings = chart_strings(at)
    assert live_chart_markup(strings) == []
    if at.get("plotly_chart") and any("evil" in s for s in strings):
        assert any("&lt;a href=http://evil.example/a>" in s for s in strings)


def test_charts_with_hostile_names_are_drawn():
    """The check above is not vacuous: the hostile names do reach the charts of 总览."""
    at = open_page("overview", timeout=120, plan="huzhou-2023")
    assert any("&lt;a href=http://evil.example/a>" in s for s in chart_strings(at))


@pytest.mark.parametrize("public", [False, True], ids=["analyst", "public"])
def test_hostile_plan_id_in_the_link_is_not_echoed(public, monkeypatch):
    """An id that breaks the plan-id rule is never quoted back; the notice gives the rule."""
    if public:
        monkeypatch.setenv("PANHUO_PUBLIC", "1")
    at = open_page("overview", plan=HOSTILE * 50)
    assert live_markup(shown_strings(at)) == []
    notice = next(w.value for w in at.warning if "链接中的规划" in w.value)
    assert notice == plain(f"链接中的规划编号无效（{PLAN_ID_RULE}），已显示默认规划。")
    assert "evil" not in notice


@pytest.mark.parametrize("public", [False, True], ids=["analyst", "public"])
def test_unknown_plan_id_in_the_link_is_quoted_short(public, monkeypatch):
    if public:
        monkeypatch.setenv("PANHUO_PUBLIC", "1")
    unknown = "no-such-plan-" + "x" * 50
    at = open_page("overview", plan=unknown)
    notice = next(w.value for w in at.warning if "链接中的规划" in w.value)
    assert notice == plain(f"链接中的规划“{unknown[:40]}…”不存在，已显示默认规划。")


def _hostile_csv() -> bytes:
    """A CSV whose headers and cells carry HOSTILE beside the columns the import recognises."""
    rows = [
        ["地块名称", "所在区县", "面积（亩）", f"备注{HOSTILE}", HOSTILE],
        [f"钛白粉厂{HOSTILE}", "上党区", "12.5", HOSTILE, HOSTILE],
        [f"{HOSTILE}焦化厂", "上党区", "8", f"说明{HOSTILE}", HOSTILE],
    ]
    return "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows).encode("utf-8") + b"\n"


def test_hostile_upload_shows_as_plain_text_through_to_the_versions(tmp_path, monkeypatch):
    """Issue 8.1: an uploaded file named, headed and filled with Markdown/HTML is shown inert at
    every step — mapping, report, import, versions — and its name reads as written."""
    monkeypatch.setenv("PANHUO_DATABASE_URL", f"sqlite:///{tmp_path / 'upload.sqlite'}")
    name, plan_id = f"{HOSTILE}.csv", "hostile-upload"
    at = open_page("import", session=sign_in("analyst"), timeout=120)
    at.selectbox(key="import_plan").set_value("（新建规划）").run()
    at.text_input(key="import_new_id").set_value(plan_id)
    at.text_input(key="import_new_title").set_value(HOSTILE)
    at.text_input(key="import_new_province").set_value("山西省")
    at.text_input(key="import_new_city").set_value("长治市")
    at.get("file_uploader")[0].upload(name, _hostile_csv())
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    strings = shown_strings(at)
    assert live_markup(strings) == []
    assert any(plain(name) in s for s in strings), "the file name is not shown at the mapping step"
    mapping = at.dataframe[0].value.set_index("列")  # the mapping editor: headers as written
    assert mapping.loc["面积（亩）", ["字段", "单位"]].tolist() == ["面积", "亩"]
    assert sum("](http://evil.example/t.png)" in header for header in mapping.index) == 2  # spaces dropped
    assert {m.label: m.value for m in at.metric}["可导入"] == "2"
    at.checkbox(key="import_confirm").check().run()
    go = at.button(key="import_go")
    (go if not go.disabled else at.button(key="import_go_valid")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == [f"已导入 2 行，为“{plan_id}”的地块第 1 版。"]
    assert live_markup(shown_strings(at)) == []
    at.selectbox(key="versions_plan").set_value(plan_id).run()  # the tab 版本与导入记录
    assert not at.exception, [e.value for e in at.exception]
    strings = shown_strings(at)
    assert live_markup(strings) == []
    versions = next(df.value for df in at.dataframe if "SHA-256" in df.value.columns)
    assert versions["文件"].tolist() == [name]  # the table shows it as written
    assert [b.label for b in at.get("download_button") if b.label.startswith("下载原始文件")] == [
        f"下载原始文件 {plain(name)}"  # escaped where Markdown reads it
    ]
    rows = next(df.value for df in at.dataframe if len(df.value) == 2 and "SHA-256" not in df.value.columns)
    assert any(HOSTILE in str(cell) for cell in rows.to_numpy().ravel())  # the cells kept as written


def _alert_cards() -> None:
    """进展监测's warning card and record list for a hostile 区县 (ids, titles and pages from code)."""
    from types import SimpleNamespace

    import pandas as pd

    from components import progress_monitor as pm
    from tests.hostile import hostile_county

    county = hostile_county("德清县")
    frame = pd.DataFrame({"id": ["D-1"], "county": [county], "name": ["甲"], "stage": ["开工"]})
    m = SimpleNamespace(plan_id="huzhou-2023", plan_vs_actual=frame)
    for n, ids in enumerate(((), ("D-1",))):
        alert = SimpleNamespace(county=county, title="未按期报送", why=f"{county}本期未报送。",
                                record_ids=ids, page="")  # fmt: skip
        pm.alert_detail(m, alert, None, key=f"card{n}")


def test_a_hostile_county_in_a_warnings_buttons_is_plain_text():
    """The 在明细中查看… buttons name the 区县 from the data: their labels are Markdown, so escaped."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_alert_cards).run(timeout=30)
    assert not at.exception
    labels = [b.label for b in at.button]
    assert [label for label in labels if label.startswith("在明细中查看德清县")] == labels and len(
        labels
    ) == 2
    assert live_markup(shown_strings(at)) == []
