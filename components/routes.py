"""The app's pages, listed once: file, menu title, url path and menu section of each.

``app.py`` builds its ``st.Page`` list from :data:`ROUTES`; the drill-down switches page by the
file found here; the tests open pages by url path through it. Plain data, no Streamlit, and no
page is imported (a page is a file Streamlit runs as its own script).
"""

from __future__ import annotations

from typing import NamedTuple


class Route(NamedTuple):
    file: str  # relative to the repository root, as st.Page and st.switch_page take it
    title: str
    url_path: str
    section: str  # the menu section; the 数据管理 pages are left out in public mode
    hidden: bool = False


ANALYSIS, MANAGEMENT = "分析", "数据管理"

# menu order; the first route is the default page (``/``): hidden, it forwards to 总览
ROUTES: tuple[Route, ...] = (
    Route("app_pages/home.py", "首页", "home", ANALYSIS, hidden=True),
    Route("app_pages/overview.py", "总览", "overview", ANALYSIS),
    Route("app_pages/structure.py", "结构调整", "structure", ANALYSIS),
    Route("app_pages/timeline.py", "时序安排", "timeline", ANALYSIS),
    Route("app_pages/targets.py", "区县目标", "targets", ANALYSIS),
    Route("app_pages/map_view.py", "地图", "map", ANALYSIS),
    Route("app_pages/records.py", "明细", "records", ANALYSIS),
    Route("app_pages/potential.py", "潜力与强度", "potential", ANALYSIS),
    Route("app_pages/policy.py", "政策与任务", "policy", ANALYSIS),
    Route("app_pages/audit.py", "数据核查", "audit", ANALYSIS),
    Route("app_pages/data_import.py", "数据导入", "import", MANAGEMENT),
)

# url path → page file
PAGE_FILES: dict[str, str] = {route.url_path: route.file for route in ROUTES}


def sections(public: bool) -> dict[str, list[Route]]:
    """The routes by menu section, in order; the 数据管理 section only outside public mode."""
    found: dict[str, list[Route]] = {}
    for route in ROUTES:
        if route.section == MANAGEMENT and public:
            continue
        found.setdefault(route.section, []).append(route)
    return found
