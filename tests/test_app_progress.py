"""进展填报 (/progress-report) and 进展审核 (/progress-review) in AppTest, with real accounts and
sessions: the workflow end to end (a 德清县 reporter of huzhou-2023 fills the table and saves,
submits; an analyst returns it with a reason; the reporter sees the reason, fixes and resubmits;
the analyst approves; the approved figures show on the review page), a reporter's 区县 scope, who
is refused, and bad values (the Chinese problems table, nothing written).

The workflow runs against SQLite always and PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set.
Edits to the entry table are given as Streamlit's edit state (``edited_rows``), the way the
browser sends them.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from panhuo.catalog import open_catalog
from panhuo.progress import Progress
from panhuo.store import Store
from tests.accounts import sign_in
from tests.conftest import ROOT
from tests.pages import goto, open_page, rendered_text
from tests.test_store import BACKENDS, PG_URL

HUZHOU = "huzhou-2023"
PERIOD = "2024-B1"  # the earliest closed period: the page's default while nothing is submitted
AREA, INVESTMENT, STAGE = "累计再开发面积（亩）", "累计投资（万元）", "阶段"


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _use_store(backend: str, tmp_path, monkeypatch) -> Store:
    folder = tmp_path / "data"
    for name in (HUZHOU, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    else:
        url = PG_URL
        Store(url).drop_schema()
    monkeypatch.setenv("PANHUO_DATABASE_URL", url)
    _clear_caches()
    return Store.open()


@pytest.fixture
def store(tmp_path, monkeypatch):
    yield _use_store("sqlite", tmp_path, monkeypatch)
    _clear_caches()


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path, monkeypatch):
    yield _use_store(request.param, tmp_path, monkeypatch)
    _clear_caches()


def _plan():
    return open_catalog().get(HUZHOU)


def _deqing_ids() -> list[str]:
    _dataset, frame = _plan().records()
    return [str(i) for i in frame.loc[frame["county"] == "德清县", "id"]]


def _edit(at: AppTest, rows: dict[int, dict]) -> None:
    """Type into the entry table as the browser would (row position → {header: value})."""
    (editor,) = at.data_editor
    at.session_state[editor.key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}


def _table(at: AppTest, column: str):
    """The first table on the page with that column (st.dataframe keeps no key in AppTest)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(elements) -> list[str]:
    return [rendered_text(e.value) for e in elements]


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


def _report(store: Store):
    return Progress(store).report(HUZHOU, "德清县", PERIOD)


# the first 德清县 片区 reaches 开工 by 2024's first period (dates from 2023)
STARTED = {
    STAGE: "开工",
    "方案批复日期": "2023-01-10",
    "供地/签约日期": "2023-02-01",
    "开工日期": "2023-02-20",
    AREA: 12.5,
    INVESTMENT: 800,
}


def test_report_return_fix_resubmit_approve(any_store):
    store = any_store
    reporter = open_page("progress-report", session=sign_in("reporter", HUZHOU, ("德清县",)), plan=HUZHOU)
    # one 区县: no 区县 selector; the period is the earliest closed one
    assert not [s for s in reporter.selectbox if s.label == "区县"]
    assert "**区县：德清县**" in _texts(reporter.markdown)
    assert reporter.selectbox(key=f"progress_period_{HUZHOU}_德清县").value == PERIOD
    table = reporter.data_editor[0].value
    assert table["编号"].tolist() == _deqing_ids()  # only 德清县's records
    assert {STAGE, AREA, INVESTMENT, "上期阶段", f"上期{AREA}"} <= set(table.columns)
    assert "本期尚未填报" in reporter.info[0].value

    _edit(reporter, {0: STARTED})
    reporter.text_area(key=next(t.key for t in reporter.text_area if t.label == "工作进展及成效")).input(
        "完成首个片区开工。"
    )
    reporter.button(key="progress_save").click().run()
    assert not reporter.exception
    assert "草稿已保存" in reporter.success[0].value
    draft = _report(store)
    assert draft.state == "draft" and draft.narrative["progress"] == "完成首个片区开工。"
    first = Progress(store).entries(draft.id)[0]
    assert (first["stage"], first["area"], first["investment"], first["started_on"]) == (
        "started", "12.5", "800", "2023-02-20",
    )  # fmt: skip
    # the saved values are what the table shows now
    assert reporter.data_editor[0].value.loc[0, AREA] == 12.5
    # a photo for the draft: stored, shown as a thumbnail
    (uploader,) = [u for u in reporter.get("file_uploader") if "附件" in u.label]
    uploader.upload("现场.png", _png(), "image/png")
    reporter.run()
    reporter.button(key=next(b.key for b in reporter.button if b.label == "添加附件")).click().run()
    assert "已添加 1 个附件" in reporter.success[0].value
    assert [a.filename for a in Progress(store).attachments(draft.id)] == ["现场.png"]
    assert len(reporter.get("image")) == 1 and "现场.png" in " ".join(t.value for t in reporter.text)

    reporter.button(key="progress_submit").click().run()
    assert "已提交" in reporter.success[0].value
    assert _report(store).state == "submitted"
    assert reporter.data_editor[0].proto.disabled or not reporter.button  # read-only now
    assert not [b for b in reporter.button if b.key in ("progress_save", "progress_submit")]

    analyst = open_page("progress-review", session=sign_in("analyst", HUZHOU), plan=HUZHOU)
    analyst.selectbox(key=f"review_period_{HUZHOU}").set_value(PERIOD).run()
    status = _table(analyst, "报送时间（北京时间）").set_index("区县")
    assert status.loc["德清县", "状态"] == "已提交" and status.loc["长兴县", "状态"] == "未报送"
    shown = " ".join(t.value for t in analyst.text)  # narrative and file names: plain text
    assert "完成首个片区开工。" in shown and "现场.png" in shown
    changes = _table(analyst, "本期")
    assert "800" in changes["本期"].astype(str).tolist()
    analyst.button(key="review_return").click().run()  # no reason: refused, in Chinese
    assert "请填写退回理由" in analyst.error[0].value
    assert _report(store).state == "submitted"
    reason = "开工日期与施工许可不符，请核对。"
    analyst.text_area(key=f"review_reason_{draft.id}").input(reason)
    analyst.button(key="review_return").click().run()
    assert not analyst.exception
    assert _report(store).state == "returned"

    reporter.run()
    assert reason in rendered_text(reporter.error[0].value)  # the reviewer's reason, prominent
    _edit(reporter, {0: {"开工日期": "2023-02-25"}})
    reporter.button(key="progress_submit").click().run()
    assert not reporter.exception
    resubmitted = _report(store)
    assert (resubmitted.state, resubmitted.revision) == ("submitted", 2)

    analyst.run()
    analyst.button(key="review_approve").click().run()
    assert not analyst.exception
    assert "已通过" in analyst.success[0].value
    assert _report(store).state == "approved"
    approved = _table(analyst, "数据所属报送期").set_index("编号")
    rid = _deqing_ids()[0]
    assert (approved.loc[rid, AREA], approved.loc[rid, INVESTMENT], approved.loc[rid, "阶段"]) == (
        "12.5",
        "800",
        "开工",
    )
    history = _table(analyst, "审核人")
    assert history["状态"].tolist() == ["已退回", "已通过"]

    # a correction after approval: a new revision, and only with a reason
    approved_id = _report(store).id
    reporter.run()
    reporter.selectbox(key=f"progress_period_{HUZHOU}_德清县").set_value(PERIOD).run()
    assert "审核通过" in reporter.success[0].value
    assert not [b for b in reporter.button if b.key == "progress_save"]
    reporter.toggle(key=f"progress_correct_{approved_id}").set_value(True).run()
    assert reporter.button(key="progress_save").disabled
    reporter.text_input(key=f"progress_correct_reason_{approved_id}").input("投资统计口径更正").run()
    _edit(reporter, {0: {INVESTMENT: 850}})
    reporter.button(key="progress_save").click().run()
    assert not reporter.exception
    correction = _report(store)
    assert (correction.kind, correction.state, correction.revision) == ("correction", "draft", 3)
    assert correction.correction_reason == "投资统计口径更正"
    assert Progress(store).entries(correction.id)[0]["investment"] == "850"


def test_bad_values_show_the_problems_table_and_write_nothing(store):
    at = open_page("progress-report", session=sign_in("reporter", HUZHOU, ("德清县",)), plan=HUZHOU)
    # beyond the 片区's area, and 开工 without its dates
    _edit(at, {0: {STAGE: "开工", AREA: 1_000_000}})
    at.button(key="progress_save").click().run()
    assert not at.exception
    assert "本次未保存任何内容" in at.error[0].value
    problems = _table(at, "建议")
    assert list(problems.columns) == ["级别", "行", "编号", "列", "值", "问题", "建议"]
    assert problems.loc[problems["列"] == AREA, "问题"].str.contains("超过该记录面积").any()
    assert problems.loc[problems["列"] == "开工日期", "问题"].str.contains("须填写开工日期").any()
    assert set(problems["编号"]) == {_deqing_ids()[0]}
    assert _report(store) is None  # nothing saved
    assert not at.success


def test_a_reporter_of_two_counties_picks_only_among_them(store):
    at = open_page("progress-report", session=sign_in("reporter", HUZHOU, ("长兴县", "德清县")), plan=HUZHOU)
    assert at.selectbox(key="progress_county").options == ["德清县", "长兴县"]  # the plan's order
    at.selectbox(key="progress_county").set_value("长兴县").run()
    _dataset, frame = _plan().records()
    assert at.data_editor[0].value["编号"].tolist() == [
        str(i) for i in frame.loc[frame["county"] == "长兴县", "id"]
    ]


@pytest.mark.parametrize("who", ["anonymous", "analyst"])
def test_who_may_not_report_is_refused(store, who):
    session = {} if who == "anonymous" else sign_in("analyst", HUZHOU)
    if who == "analyst":
        with pytest.raises(ValueError, match="progress_report"):  # the router does not offer it
            goto(open_page(None, session=session), "progress-report")
    at = open_page("progress-report", alone=True, session=session, check=False)
    if who == "anonymous":
        assert at.warning[0].value.startswith("此页面需要登录")
    else:
        assert "没有填报进展的权限" in at.error[0].value
    assert not at.data_editor and not at.get("button")


def test_a_filled_template_becomes_the_draft_and_a_bad_one_writes_nothing(store):
    workbook = pytest.importorskip("panhuo.progress.workbook")  # branch i17-wb, merged by the lead
    import io

    import openpyxl

    plan, progress = _plan(), Progress(store)
    period = progress.period(plan, PERIOD)
    template = workbook.template_workbook(
        plan, "德清县", period, progress.records(plan, "德清县"), {}, progress.stages(plan), plan.area_unit
    )
    at = open_page("progress-report", session=sign_in("reporter", HUZHOU, ("德清县",)), plan=HUZHOU)
    assert "下载填报模板" in [b.label for b in at.get("download_button")]

    def filled(area: float) -> bytes:
        book = openpyxl.load_workbook(io.BytesIO(template))
        sheet = book.worksheets[0]
        header = next(r for r in sheet.iter_rows() if r[0].value == "编号")
        column = {c.value: c.column for c in header}
        row = header[0].row + 1
        for name, value in {**STARTED, AREA: area}.items():
            sheet.cell(row, column[name], value)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    uploader = next(u for u in at.get("file_uploader") if "模板" in u.label)
    uploader.upload("德清县.xlsx", filled(1_000_000))
    at.run()
    at.button(key=next(b.key for b in at.button if b.label == "按模板保存草稿")).click().run()
    assert not at.exception
    assert _table(at, "建议")["问题"].str.contains("超过该记录面积").any()
    assert _report(store) is None  # nothing written

    uploader = next(u for u in at.get("file_uploader") if "模板" in u.label)
    uploader.upload("德清县.xlsx", filled(12.5))
    at.run()
    at.button(key=next(b.key for b in at.button if b.label == "按模板保存草稿")).click().run()
    assert not at.exception
    assert "已保存草稿" in at.success[0].value
    entry = Progress(store).entries(_report(store).id)[0]
    assert (entry["stage"], entry["area"], entry["started_on"]) == ("started", "12.5", "2023-02-20")
    assert at.data_editor[0].value.loc[0, AREA] == 12.5  # the page shows the draft the file made
