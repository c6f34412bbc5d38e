"""Meeting mode (``?screen=1``) in a real browser at a projector's 1920×1080: the sizes the browser
computes for the headline figures (≥ 48 px) and for every text of the charts (≥ 18 px), no
sidebar and no way to open it, the demonstration banner on top, the parameter kept through a
chart click, and 退出放映 back to the ordinary page. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from components.screen import HEADLINE_PX, SCREEN_FONT_PX
from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID
from tests.e2e.conftest import Server, exceptions, wait_for_app
from tests.e2e.test_journeys import click_bar_and_wait_for_records

pytestmark = pytest.mark.e2e

PROJECTOR = {"width": 1920, "height": 1080}
# the sizes the browser computed (px): headline figures, and every non-empty text of the charts
FIGURE_SIZES = """() => [...document.querySelectorAll('.panhuo-figure-value')]
    .map(e => [e.innerText, parseFloat(getComputedStyle(e).fontSize)])"""
CHART_TEXT_SIZES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
    .filter(e => e.textContent.trim())
    .map(e => [e.textContent.trim(), parseFloat(getComputedStyle(e).fontSize)])"""
NO_SIDEBAR = [
    '[data-testid="stSidebar"]', '[data-testid="stSidebarNav"]', '[data-testid="stExpandSidebarButton"]',
    '[data-testid="stSidebarCollapsedControl"]', '[data-testid="stHeader"]',
]  # fmt: skip


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A server of its own with the demonstration plan on (the banner must stay on the screen)."""
    server = Server(tmp_path_factory.mktemp("e2e-screen"), env={"PANHUO_DEMO": "1"})
    yield server
    server.stop()


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport=PROJECTOR, locale="zh-CN")
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)
    yield context.new_page()
    context.close()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def no_sidebar(page) -> list[str]:
    """The sidebar's parts (and the header with its menu) still to be seen on the page."""
    return [s for s in NO_SIDEBAR if any(element.is_visible() for element in page.locator(s).all())]


def test_overview_reads_on_a_projector(demo_server, projector, screenshots):
    page = projector
    page.goto(f"{demo_server.url}/overview?screen=1&plan={DEMO_PLAN_ID}")
    wait_for_app(page)
    page.locator('[data-testid="stPlotlyChart"] .barlayer').first.wait_for(state="visible")
    page.screenshot(path=str(screenshots / "screen-overview-1920.png"))
    assert not exceptions(page)
    assert query(page) == {"screen": ["1"], "plan": [DEMO_PLAN_ID]}
    assert not no_sidebar(page)
    banner = page.locator('[data-testid="stAlert"]', has_text=DEMO_LABEL).first
    assert banner.is_visible() and banner.bounding_box()["y"] < 100  # the first thing on the screen

    figures = dict(page.evaluate(FIGURE_SIZES))
    assert figures == {value: HEADLINE_PX for value in ["66 个", "23,743 亩", "69.9%", "20,000 亩", "118.7%"]}
    texts = page.evaluate(CHART_TEXT_SIZES)
    shown = {text for text, _size in texts}
    assert {"德清县", "6,005", "低效工业片区", "12,643"} <= shown  # ticks and bar labels, both charts
    small = [(text, size) for text, size in texts if size < SCREEN_FONT_PX]
    assert not small, small
    # every figure fits in its box at this width (nothing cut or wrapped)
    widths = page.evaluate("""() => [...document.querySelectorAll('.panhuo-figure')]
        .map(e => e.scrollWidth - e.clientWidth)""")
    assert max(widths) <= 0, widths


def test_the_parameter_survives_a_click_and_exit_brings_the_sidebar_back(demo_server, projector, screenshots):
    page = projector
    page.goto(f"{demo_server.url}/overview?screen=1&plan={DEMO_PLAN_ID}")
    wait_for_app(page)
    # bar paths follow the data, drawn bottom up: 安吉县, 长兴县, 德清县, …
    click_bar_and_wait_for_records(page, chart=0, bar=2)
    page.screenshot(path=str(screenshots / "screen-records-1920.png"))
    assert not exceptions(page)
    assert query(page) == {"screen": ["1"], "plan": [DEMO_PLAN_ID], "county": ["德清县"]}
    assert page.locator("h1").first.inner_text().strip() == "明细"
    assert "共 26 条片区记录" in page.locator('[data-testid="stMain"]').inner_text()
    assert not no_sidebar(page)
    table = page.locator('[data-testid="stDataFrame"]').first
    assert float(table.evaluate("e => getComputedStyle(e).zoom")) >= 1.4  # 13 px cells → 18 px
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PROJECTOR["width"]  # zoomed, and still fits

    page.locator(".st-key-screen_controls a", has_text="退出放映").click()
    page.wait_for_url(lambda url: "screen=" not in url, wait_until="commit")
    wait_for_app(page)
    assert query(page) == {"plan": [DEMO_PLAN_ID], "county": ["德清县"]}
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 1
    assert "共 26 条片区记录" in page.locator('[data-testid="stMain"]').inner_text()
    # the next click (a filter) stays out of meeting mode: the address bar was updated too
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"] label', has_text="公顷").click()
    page.wait_for_url(lambda url: "unit=ha" in url, wait_until="commit")
    wait_for_app(page)
    assert query(page) == {"plan": [DEMO_PLAN_ID], "county": ["德清县"], "unit": ["ha"]}
    assert page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').count() == 1
    assert not page.locator(".st-key-screen_controls").count()


def _path(page) -> str:
    return urlparse(page.url).path


def test_the_rotation_goes_through_overview_progress_and_the_warnings(demo_server, projector, screenshots):
    page = projector
    view = {"screen": ["1"], "plan": [DEMO_PLAN_ID], "rotate": ["10"]}
    page.goto(f"{demo_server.url}/overview?screen=1&plan={DEMO_PLAN_ID}&rotate=10")
    wait_for_app(page)
    controls = page.locator(".st-key-screen_controls")
    assert "停止轮播" in controls.inner_text() and "下一页：进展监测" in controls.inner_text()

    page.wait_for_url(lambda url: urlparse(url).path == "/progress", wait_until="commit", timeout=40_000)
    wait_for_app(page)
    page.screenshot(path=str(screenshots / "screen-progress-1920.png"))
    assert not exceptions(page) and not no_sidebar(page)
    assert query(page) == view
    assert page.locator("h1").first.inner_text().strip() == "进展监测"
    assert page.locator('[data-testid="stAlert"]', has_text=DEMO_LABEL).count() == 1
    figures = page.evaluate(FIGURE_SIZES)
    assert figures and all(size >= HEADLINE_PX for _value, size in figures), figures
    texts = page.evaluate(CHART_TEXT_SIZES)
    assert texts and not [(t, s) for t, s in texts if s < SCREEN_FONT_PX]
    assert "下一页：预警" in controls.inner_text()

    page.wait_for_url(lambda url: "view=alerts" in url, wait_until="commit", timeout=40_000)
    wait_for_app(page)
    page.screenshot(path=str(screenshots / "screen-alerts-1920.png"))
    assert not exceptions(page) and not no_sidebar(page)
    assert _path(page) == "/progress" and query(page) == view | {"view": ["alerts"]}
    assert page.get_by_role("heading", name="预警").first.is_visible()

    page.wait_for_url(lambda url: urlparse(url).path == "/overview", wait_until="commit", timeout=40_000)
    wait_for_app(page)
    assert query(page) == view  # back to the start, the warnings' own parameter gone

    controls.locator("a", has_text="停止轮播").click()
    page.wait_for_url(lambda url: "rotate=" not in url, wait_until="commit")
    wait_for_app(page)
    page.wait_for_timeout(12_000)  # longer than the interval: nothing moves any more
    assert _path(page) == "/overview" and query(page) == {"screen": ["1"], "plan": [DEMO_PLAN_ID]}
    controls.locator("a", has_text="自动轮播").click()  # starts it again, at the usual minute
    page.wait_for_url(lambda url: "rotate=60" in url, wait_until="commit")
