"""进展填报 and 进展审核 in a real browser, on a fresh server: a 德清县 reporter of huzhou-2023 signs
in, picks a closed period, types the figures into the entry table (Streamlit's data editor, a
glide-data-grid canvas driven by keyboard), saves the draft and submits; an analyst, in a browser
context of their own, sees 德清县 已提交 and returns it with a reason; the reporter sees the reason,
fixes a value and resubmits; the analyst approves, and the approved figures show on the review
page and come out of ``python -m panhuo progress export`` run against the server's database.

The grid is read through its accessibility table (``td[role=gridcell]`` with ``aria-colindex``),
which holds the rows and columns currently drawn. Screenshots of both pages at 1440 px and at
390 px (the same page, its viewport narrowed) go to artifacts/screenshots/. Each user keeps one
page session and comes back to it from the sidebar, as a person would, which keeps the run short.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from playwright.sync_api import expect

from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.catalog import open_catalog
from tests.conftest import ROOT
from tests.e2e.conftest import Server, exceptions, wait_for_app
from tests.e2e.test_sign_in import PASSWORD, _nav, _store

pytestmark = pytest.mark.e2e

PLAN = "huzhou-2023"
PERIOD, PERIOD_LABEL = "2024-B2", "2024年第2期（3—4月）"  # closed long ago; not the page's default
OTHER_COUNTIES = ("吴兴区", "南浔区", "长兴县", "安吉县", "南太湖新区")
AREA, INVESTMENT = "累计再开发面积（亩）", "累计投资（万元）"
# the entry table's columns, left to right, as the reporter sees them
COLUMNS = [
    "编号", "名称", "规划面积（亩）", "上期阶段", f"上期{AREA}", f"上期{INVESTMENT}", "阶段",
    "方案批复日期", "供地/签约日期", "开工日期", "竣工日期", "验收/上图入库日期", AREA, INVESTMENT,
    "新增建筑面积（平方米）", "亩均税收（万元/亩）", "进展说明", "存在问题", "变动原因",
]  # fmt: skip
# typed into the grid column by column, from the first row down
TYPED = {
    "阶段": ["开工", "方案批复"],
    "方案批复日期": ["2023-01-10", "2023-03-15"],
    "供地/签约日期": ["2023-02-01"],
    "开工日期": ["2023-04-06"],
    AREA: ["12.5", "0"],
    INVESTMENT: ["800", "60"],
}
SUBMIT = "提交（报送市领导小组）"
REASON = "累计投资与财政拨付台账不一致，请核对后重报。"
EDITOR = '[class*="st-key-progress_editor_"] [data-testid="stDataFrame"]'
CELL_OVERLAY = '[data-testid="portal"] .gdg-clip-region'
ROW_HEIGHT = 35  # Streamlit's grid rows and header, px
GRID_ROWS = """el => [...el.querySelectorAll('tr')].map(tr => Object.fromEntries(
    [...tr.querySelectorAll('th, td')].map(c => [Number(c.getAttribute('aria-colindex')) - 1, c.innerText])))"""


@pytest.fixture
def progress_server(tmp_path_factory):
    """A fresh server whose database has a 德清县 reporter and an analyst of huzhou-2023."""
    workdir = tmp_path_factory.mktemp("e2e-progress")
    accounts, admin = Accounts(_store(workdir)), system_user("e2e")
    reporter = [Grant(Role.REPORTER, PLAN, ("德清县",))]
    accounts.add(admin, "deqing", PASSWORD, reporter, display_name="德清填报员", must_change_password=False)
    analyst = [Grant(Role.ANALYST, PLAN)]
    accounts.add(admin, "shi", PASSWORD, analyst, display_name="市分析员", must_change_password=False)
    server = Server(workdir)
    server.database = workdir / "panhuo-e2e.sqlite"
    yield server
    server.stop()


def _deqing_ids() -> list[str]:
    _dataset, frame = open_catalog().get(PLAN).records()
    return [str(i) for i in frame.loc[frame["county"] == "德清县", "id"]]


def _main(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def _grid(locator) -> list[dict[int, str]]:
    """The rows of a grid as drawn (header first): column position → text."""
    return [{int(i): text for i, text in row.items()} for row in locator.evaluate(GRID_ROWS)]


def _table(page, column: str) -> list[dict[str, str]]:
    """The first table in the main area with that column (all its columns drawn), as dicts by
    header (st.dataframe carries no key in the page)."""
    for frame in page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').all():
        grid = _grid(frame)  # empty in a tab not shown or a closed expander
        if grid and column in grid[0].values():
            header, *rows = grid
            return [{header[i]: row.get(i, "") for i in header} for row in rows]
    raise AssertionError(f"no table with the column {column}: {_main(page)}")


def _pick(page, label: str, option: str) -> None:
    """Choose ``option`` in the main area's selectbox ``label``."""
    box = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"]').filter(has_text=label)
    box.locator('[role="combobox"]').click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def _press(page, button: str, expected: str) -> str:
    """Click a button and wait until the main area says ``expected`` (the run the click starts
    may begin a moment later); the main area's text."""
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator('[data-testid="stMain"]')).to_contain_text(expected, timeout=30_000)
    wait_for_app(page)
    return _main(page)


def _sign_in(page, base: str, name: str) -> None:
    """The sign-in form at /login; done once the session cookie is set (the overview it opens
    next is not waited for: the test goes on to its page)."""
    page.goto(f"{base}/login")
    wait_for_app(page)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    deadline = time.monotonic() + 30
    while "panhuo_session" not in {c["name"] for c in page.context.cookies()}:
        assert time.monotonic() < deadline, _main(page)
        page.wait_for_timeout(100)


def _open(page, base: str, path: str) -> None:
    """A page of the plan by its address (a new Streamlit session, signed in by the cookie),
    at the period under test."""
    page.goto(f"{base}/{path}?plan={PLAN}")
    wait_for_app(page)
    _pick(page, "报送期", PERIOD_LABEL)


def _again(page, title: str) -> None:
    """The same page run again from the sidebar (the period chosen stays), as a user returning
    to it does: what others wrote meanwhile shows."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).click()
    wait_for_app(page)


def _type_into_grid(page, typed: dict[str, list[str]]) -> None:
    """Fill the entry table as a person at the keyboard would: click the first row's 编号, then
    per column → to it, Enter opens the cell's editor, type, Enter keeps it (and moves down)."""
    editor = page.locator(EDITOR)
    editor.scroll_into_view_if_needed()
    editor.click(position={"x": 30, "y": ROW_HEIGHT * 1.5})  # row 1, 编号 (pinned, left)
    overlay, column = page.locator(CELL_OVERLAY), 0
    for name, values in typed.items():
        target = COLUMNS.index(name)
        for _ in range(target - column):
            page.keyboard.press("ArrowRight")
        column = target
        for value in values:
            page.keyboard.press("Enter")
            field = overlay.locator("input, textarea").first
            field.wait_for()
            field.fill(value)  # a stage's drop-down filters to the typed label; a date input takes ISO
            page.keyboard.press("Enter")
            overlay.first.wait_for(state="detached")
        for _ in values:
            page.keyboard.press("ArrowUp")
    page.keyboard.press("Escape")
    wait_for_app(page)


def _editor_row(page, position: int) -> dict[str, str]:
    """Row ``position`` (0 = first record) of the entry table, for the columns now drawn."""
    rows = _grid(page.locator(EDITOR))
    return {COLUMNS[i]: text for i, text in rows[position + 1].items()}


def _shoot(page, name: str, screenshots) -> None:
    """The whole page: the viewport stretched to the main area's height for the picture."""
    size = page.viewport_size
    height = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 6000)})
    page.wait_for_timeout(400)
    page.screenshot(path=str(screenshots / name), full_page=True)
    page.set_viewport_size(size)


def _phone_shot(page, name: str, screenshots) -> None:
    """The same page at 390 px (the layout follows the width; the sidebar folds away), and
    nothing wider than the phone."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.wait_for_timeout(500)
        overflow = page.evaluate("document.documentElement.scrollWidth") - 390
        assert overflow <= 10, f"{name}: the page is {overflow} px wider than the phone"
        _shoot(page, name, screenshots)
    finally:
        page.set_viewport_size(size)


def test_report_return_fix_resubmit_approve(progress_server, browser, screenshots):
    base, ids = progress_server.url, _deqing_ids()
    options = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}
    reporter_context, analyst_context = browser.new_context(**options), browser.new_context(**options)
    try:
        reporter, analyst = reporter_context.new_page(), analyst_context.new_page()

        # the reporter: only 德清县 (even when the address asks for another), a closed period
        _sign_in(reporter, base, "deqing")
        reporter.goto(f"{base}/progress-report?plan={PLAN}&county=长兴县")
        wait_for_app(reporter)
        assert not exceptions(reporter)
        assert "已登录：德清填报员（deqing）" in reporter.locator('[data-testid="stSidebar"]').inner_text()
        assert "进展填报" in _nav(reporter) and "进展审核" not in _nav(reporter)
        main = _main(reporter)
        assert "区县：德清县" in main and "本期尚未填报" in main
        assert not any(county in main for county in OTHER_COUNTIES), main
        boxes = reporter.locator('[data-testid="stMain"] [data-testid="stSelectbox"]')
        assert [b.inner_text().split("\n")[0] for b in boxes.all()] == ["报送期"]  # no 区县 choice
        assert f"共 {len(ids)} 个片区" in main
        drawn = [row[0] for row in _grid(reporter.locator(EDITOR))[1:]]
        assert drawn == ids[: len(drawn)] and len(drawn) >= 10  # 德清县's records, in order
        _pick(reporter, "报送期", PERIOD_LABEL)
        assert "截止日期：2024-05-15，已逾期" in _main(reporter)

        # figures typed into the grid, the narrative, 保存草稿, 提交
        _type_into_grid(reporter, TYPED)
        assert _editor_row(reporter, 0)[INVESTMENT] == "800"  # what was typed is in the table
        reporter.get_by_label("工作进展及成效").fill("高新区城北老旧工业区块已开工。")
        main = _press(reporter, "保存草稿", f"德清县 {PERIOD_LABEL} 草稿已保存（第 1 版）")
        assert "状态：草稿（第 1 版）" in main
        assert reporter.get_by_label("工作进展及成效").input_value() == "高新区城北老旧工业区块已开工。"
        main = _press(reporter, SUBMIT, f"{PERIOD_LABEL} 已提交（报送市领导小组）（第 1 版，逾期报送）")
        assert "等待市领导小组审核，审核前不能修改" in main
        assert reporter.get_by_role("button", name="保存草稿", exact=True).count() == 0
        assert not exceptions(reporter)

        # the analyst, in a browser of their own: 德清县 已提交; returned with a reason
        _sign_in(analyst, base, "shi")
        _open(analyst, base, "progress-review")
        status = {row["区县"]: row for row in _table(analyst, "报送时间（北京时间）")}
        assert (status["德清县"]["状态"], status["德清县"]["逾期"]) == ("已提交", "逾期报送")
        assert {status[c]["状态"] for c in OTHER_COUNTIES} == {"未报送"}
        main = _main(analyst)
        assert f"德清县 · {PERIOD_LABEL}" in main and "德清填报员" in main
        assert not exceptions(analyst)
        _shoot(analyst, "progress-review-submitted-1440.png", screenshots)
        _phone_shot(analyst, "progress-review-submitted-390.png", screenshots)
        analyst.get_by_label("审核意见（退回时必填").fill(REASON)
        _press(analyst, "退回", f"已退回 德清县 {PERIOD_LABEL} 的填报（第 1 版）")
        assert not exceptions(analyst)

        # the reporter comes back to the page: the reason; fixes the investment, resubmits
        _again(reporter, "进展填报")
        main = _main(reporter)
        assert "状态：已退回（第 1 版）" in main and f"退回理由：{REASON}" in main, main
        returned = _editor_row(reporter, 0)  # the returned figures, editable (the columns drawn)
        assert (returned["阶段"], returned["方案批复日期"]) == ("开工", "2023-01-10")
        _shoot(reporter, "progress-report-returned-1440.png", screenshots)
        _phone_shot(reporter, "progress-report-returned-390.png", screenshots)
        _type_into_grid(reporter, {INVESTMENT: ["820"]})
        _press(reporter, SUBMIT, f"{PERIOD_LABEL} 已提交（报送市领导小组）（第 2 版，逾期报送）")
        assert not exceptions(reporter)

        # the analyst approves; the approved figures are the ones that count
        _again(analyst, "进展审核")
        assert "状态：已提交（第 2 版）" in _main(analyst)
        _press(analyst, "通过", f"已通过 德清县 {PERIOD_LABEL} 的填报（第 2 版）")
        assert not exceptions(analyst)
        approved = {row["编号"]: row for row in _table(analyst, "数据所属报送期")}
        first, second = approved[ids[0]], approved[ids[1]]
        assert (first["区县"], first["阶段"]) == ("德清县", "开工")
        assert (first[AREA], first[INVESTMENT]) == ("12.5", "820")  # the fixed figure
        assert (second["阶段"], second[AREA], second[INVESTMENT]) == ("方案批复", "0", "60")
        assert first["数据所属报送期"] == PERIOD and first["来源"] == "本期通过"
        assert {row["区县"] for row in approved.values()} == {"德清县"}  # only approved reports
        _shoot(analyst, "progress-review-approved-1440.png", screenshots)

        _again(reporter, "进展填报")
        assert "状态：已通过（第 2 版），市分析员" in _main(reporter)
        assert not exceptions(reporter)
    finally:
        reporter_context.close()
        analyst_context.close()

    exported = {row["id"]: row for row in _export_json(progress_server)}
    first, second = exported[ids[0]], exported[ids[1]]
    assert (first["county"], first["stage"], first["area"], first["unit"], first["investment"]) == (
        "德清县", "started", 12.5, "亩", 820,
    )  # fmt: skip
    assert (first["state"], first["period_id"]) == ("approved", PERIOD)
    assert (second["stage"], second["area"], second["investment"]) == ("approved", 0, 60)
    assert not [r for r in exported.values() if r["county"] != "德清县" and r["state"] != "none"]


def _export_json(server) -> list[dict]:
    """``python -m panhuo progress export PLAN --period P --json`` on the server's database."""
    environment = os.environ | {"PANHUO_SQLITE_PATH": str(server.database)}
    done = subprocess.run(
        [sys.executable, "-m", "panhuo", "progress", "export", PLAN, "--period", PERIOD, "--json"],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
