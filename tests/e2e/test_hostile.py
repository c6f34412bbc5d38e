"""Issue 8.1 in the browser: a plan with hostile Markdown/HTML in every free-text field, opened
with hostile link parameters, on every page in analyst and public mode — not one request leaves
the server and no link or image points elsewhere; the text reads literally."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.e2e.conftest import Server, exceptions, foreign, outside_links, record_requests, wait_for_app
from tests.hostile import HOSTILE, hostile_county, write_hostile_plans
from tests.pages import ANALYSIS_PAGES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=[False, True], ids=["analyst", "public"])
def hostile_server(request, tmp_path_factory):
    data = write_hostile_plans(tmp_path_factory.mktemp("hostile-data"))
    env = {"PANHUO_DATA_DIR": str(data), "PANHUO_PUBLIC": "1" if request.param else "0"}
    server = Server(tmp_path_factory.mktemp("e2e-hostile"), env=env)
    yield server
    server.stop()


def _query(plan: str, county: str) -> str:
    values = {"plan": plan, "county": f"{hostile_county(county)},{HOSTILE}", "zone": HOSTILE,
              "type": HOSTILE, "stage": HOSTILE, "unit": HOSTILE}  # fmt: skip
    return urlencode(values)


@pytest.mark.parametrize("page_name", [*ANALYSIS_PAGES, "import"])
def test_hostile_values_stay_text(hostile_server, page, screenshots, page_name):
    requests = record_requests(page)
    for plan, county in (("shangdang-2021", "上党区"), ("huzhou-2023", "德清县")):
        page.goto(f"{hostile_server.url}/{page_name}?{_query(plan, county)}")
        wait_for_app(page)
        if page_name == "map" and page.locator('[data-testid="stDeckGlJsonChart"]').count():
            page.wait_for_timeout(1000)
        assert not exceptions(page), exceptions(page)
        assert outside_links(page) == []
        assert foreign(requests) == [], "requests leaving the server"
    if page_name == "overview":
        page.set_viewport_size({"width": 1440, "height": 900})
        page.screenshot(path=str(screenshots / "overview-hostile.png"), full_page=True)
        main = page.locator('[data-testid="stMain"]').inner_text().replace("\u2060", "")
        assert "[点我](http://evil.example/p)" in main  # shown literally, as written
