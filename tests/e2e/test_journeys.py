"""Browser journeys: every page for every plan with no request leaving the server, the figures a
user reads, a phone-width 总览, a deep link to a fresh server, a chart click, and the URL."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from tests.conftest import SAMPLE_IDS
from tests.e2e.conftest import exceptions, foreign, outside_links, record_requests, wait_for_app

pytestmark = pytest.mark.e2e

PAGES = ["overview", "structure", "timeline", "targets", "map", "records", "potential", "policy", "audit"]
TITLES = {
    "overview": "总览", "structure": "结构调整", "timeline": "时序安排", "targets": "区县目标", "map": "地图",
    "records": "明细", "potential": "潜力与强度", "policy": "政策与任务", "audit": "数据核查",
}  # fmt: skip
# figures a user reads on the page, from the source documents (see tests/test_app_core.py)
FIGURES = {
    ("overview", "huzhou-2023"): ["23,743 亩", "20,000 亩", "66 个", "69.9%"],
    ("overview", "shangdang-2021"): ["146.59 公顷", "89 宗", "13 宗", "26.15 公顷"],
    ("overview", "wuwei-2023"): ["80.80 公顷", "15 宗"],
    ("overview", "liaocheng-2020"): ["本规划未列出地块或片区清单"],
    ("overview", "urumqi-2025"): ["本规划未列出地块或片区清单"],
    ("targets", "huzhou-2023"): ["20,000 亩", "23,743 亩", "118.7%"],
    ("targets", "shangdang-2021"): ["146.59 公顷"],
    ("records", "shangdang-2021"): ["共 89 条地块记录"],
    ("records", "huzhou-2023"): ["共 66 条片区记录"],
    ("records", "wuwei-2023"): ["共 10 条地块记录"],
    ("audit", "shangdang-2021"): ["13 个", "28 项"],  # 问题 by cause, 涉及核查
    ("audit", "huzhou-2023"): ["15 项"],
}


def text_of(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


@pytest.mark.parametrize("plan", SAMPLE_IDS)
@pytest.mark.parametrize("path", PAGES)
def test_page_opens_offline(app_server, page, screenshots, path, plan):
    """Every page × plan: no exception, its title, its figures, and not one request elsewhere."""
    requests = record_requests(page)
    page.goto(f"{app_server.url}/{path}?plan={plan}")
    wait_for_app(page)
    if path == "map" and page.locator('[data-testid="stDeckGlJsonChart"]').count():
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(
            state="attached", timeout=30_000
        )
        page.wait_for_timeout(1000)  # let deck.gl ask for whatever it would ask for
    page.screenshot(path=str(screenshots / f"{path}-{plan}.png"), full_page=True)
    assert not exceptions(page), exceptions(page)
    assert page.locator("h1").first.inner_text().strip() == TITLES[path]
    assert urlparse(page.url).path == f"/{path}"
    shown = text_of(page)
    for figure in FIGURES.get((path, plan), []):
        assert figure in shown, f"{figure} not on /{path}?plan={plan}"
    assert foreign(requests) == [], "requests leaving the server"
    assert outside_links(page) == [], "links or images pointing elsewhere"


def test_root_forwards_to_overview_with_the_view(app_server, page):
    page.goto(f"{app_server.url}/?plan=huzhou-2023")
    wait_for_app(page)
    assert urlparse(page.url).path == "/overview"
    assert query(page) == {"plan": ["huzhou-2023"]}
    assert "23,743 亩" in text_of(page)


def test_overview_at_phone_width(app_server, browser, screenshots):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(f"{app_server.url}/overview?plan=huzhou-2023")
        wait_for_app(page)
        page.screenshot(path=str(screenshots / "overview-huzhou-2023-phone.png"), full_page=True)
        assert not exceptions(page)
        overflow = page.evaluate("document.documentElement.scrollWidth") - 390
        assert overflow <= 10, f"the page is {overflow} px wider than the phone"
        figure = page.get_by_text("23,743 亩").first
        figure.wait_for(state="visible")
        box = figure.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    finally:
        context.close()


def test_deep_link_is_the_first_request_to_a_fresh_server(fresh_server, page, screenshots):
    page.goto(f"{fresh_server.url}/targets?plan=huzhou-2023&unit=mu")
    wait_for_app(page)
    page.screenshot(path=str(screenshots / "deep-link-targets.png"), full_page=True)
    assert not exceptions(page)
    assert page.locator("h1").first.inner_text().strip() == "区县目标"
    shown = text_of(page)
    assert "20,000 亩" in shown and "23,743 亩" in shown
    assert "Page not found" not in page.content()


def click_bar_and_wait_for_records(page, chart: int, bar: int) -> None:
    """Click the ``bar``-th bar of the first trace of the ``chart``-th plotly chart, as a user
    would, and wait for 明细 to open."""
    figure = page.locator('[data-testid="stPlotlyChart"]').nth(chart)
    figure.scroll_into_view_if_needed()
    path = figure.locator(".barlayer .trace").first.locator(".point path").nth(bar)
    path.wait_for(state="visible")
    box = path.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"/records\?"), timeout=30_000)
    wait_for_app(page)


def test_click_on_a_county_bar_opens_its_records(app_server, page, screenshots):
    page.goto(f"{app_server.url}/targets?plan=huzhou-2023")
    wait_for_app(page)
    # trace 0 is 正在实施; its 4th bar is 德清县 (区县 in the order of 附件2)
    click_bar_and_wait_for_records(page, chart=0, bar=3)
    page.screenshot(path=str(screenshots / "click-county-records.png"), full_page=True)
    assert not exceptions(page)
    assert page.locator("h1").first.inner_text().strip() == "明细"
    assert query(page) == {"plan": ["huzhou-2023"], "county": ["德清县"]}
    assert "共 26 条片区记录" in text_of(page)


def test_click_on_a_category_bar_of_the_overview_opens_its_records(app_server, page):
    page.goto(f"{app_server.url}/overview?plan=huzhou-2023")
    wait_for_app(page)
    # chart 1 is 按类别的片区面积; bar paths follow the data (largest area first):
    # 工业 12,643, 村庄 8,555, 住宅 2,437, 矿地 108 亩
    click_bar_and_wait_for_records(page, chart=1, bar=2)
    assert not exceptions(page)
    assert query(page) == {"plan": ["huzhou-2023"], "type": ["低效住宅片区"]}
    assert "共 13 条片区记录" in text_of(page)


def test_menu_navigation_keeps_the_filters(app_server, page):
    page.goto(f"{app_server.url}/targets?plan=huzhou-2023&county=德清县")
    wait_for_app(page)
    assert "6,005 亩" in text_of(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="明细").click()
    page.wait_for_url(re.compile(r"/records"))
    wait_for_app(page)
    assert query(page) == {"plan": ["huzhou-2023"], "county": ["德清县"]}
    assert "共 26 条片区记录" in text_of(page)


def test_plan_choice_goes_to_the_url_and_back(app_server, page):
    page.goto(f"{app_server.url}/overview")
    wait_for_app(page)
    assert "146.59 公顷" in text_of(page)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option", name=re.compile("湖州")).click()
    wait_for_app(page)
    page.wait_for_url(re.compile(r"plan=huzhou-2023"))
    assert "23,743 亩" in text_of(page)
    copied = page.url
    again = page.context.new_page()
    again.goto(copied)
    wait_for_app(again)
    assert "23,743 亩" in text_of(again) and query(again) == {"plan": ["huzhou-2023"]}
    again.close()


def test_invalid_link_falls_back_with_a_notice(app_server, page):
    page.goto(f"{app_server.url}/overview?plan=nowhere&unit=acre")
    wait_for_app(page)
    assert not exceptions(page)
    shown = text_of(page)
    assert "链接中的规划“nowhere”不存在，已显示默认规划。" in shown
    assert "146.59 公顷" in shown
    assert query(page) == {}


def _click_row(page, row: int) -> None:
    """Tick the selection box of ``row`` in the first table (the grid is drawn on a canvas)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    row_height = 35  # Streamlit's default row height; the header row has the same height
    page.mouse.click(box["x"] + 16, box["y"] + row_height * (row + 1) + row_height / 2)
    wait_for_app(page)


def test_selected_record_shows_its_details(app_server, page, screenshots):
    page.goto(f"{app_server.url}/records?plan=shangdang-2021")
    wait_for_app(page)
    _click_row(page, 2)
    page.locator(".st-key-records_detail h4").wait_for()
    page.screenshot(path=str(screenshots / "records-detail.png"), full_page=True)
    assert page.locator(".st-key-records_detail h4").inner_text().strip() == "长治森特重型机械制造有限公司"


@pytest.fixture
def public_server(tmp_path_factory):
    from tests.e2e.conftest import Server

    server = Server(tmp_path_factory.mktemp("e2e-public"), env={"PANHUO_PUBLIC": "1"})
    yield server
    server.stop()


def test_public_mode_hides_import_and_the_right_holder(public_server, page, screenshots):
    page.goto(f"{public_server.url}/records?plan=shangdang-2021")
    wait_for_app(page)
    assert page.locator('[data-testid="stSidebarNav"] a', has_text="数据导入").count() == 0
    assert page.locator('[data-testid="stSidebarNav"] a', has_text="明细").count() == 1
    page.get_by_placeholder(re.compile("关键词")).fill("不公开")
    page.keyboard.press("Enter")
    wait_for_app(page)
    assert "共 1 条地块记录" in text_of(page)
    _click_row(page, 0)
    page.locator(".st-key-records_detail h4").wait_for()
    page.screenshot(path=str(screenshots / "records-public.png"), full_page=True)
    assert page.locator(".st-key-records_detail h4").inner_text().strip() == "（权利人信息不公开）"
    assert "刘志平" not in page.content()
    page.get_by_placeholder(re.compile("关键词")).fill("")
    page.keyboard.press("Enter")
    wait_for_app(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    table = pd.read_csv(io.StringIO(text), dtype=str)
    assert list(table.columns[:3]) == ["序号", "名称", "区县"] and "权利人" not in table.columns
    assert len(table) == 89 and "刘志平" not in text
    page.goto(f"{public_server.url}/import")  # its address says why, and the page's file never runs
    wait_for_app(page)
    assert "本站为公开视图，不提供此页面" in page.locator('[data-testid="stMain"]').inner_text()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"] a', has_text="登录").count() == 0
