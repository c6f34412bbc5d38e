"""The app's pages, listed once: file, menu title, url path and menu section of each.

``app.py`` builds its ``st.Page`` list from :data:`ROUTES`; the drill-down switches page by the
file found here; the tests open pages by url path through it. Plain data, no Streamlit, and no
page is imported (a page is a file Streamlit runs as its own script).
"""

from __future__ import annotations

from typing import NamedTuple

from panhuo.access import ANONYMOUS, Action, User  # noqa: F401 (ANONYMOUS: the doctest)


class Route(NamedTuple):
    file: str  # relative to the repository root, as st.Page and st.switch_page take it
    title: str
    url_path: str
    section: str  # the menu section
    hidden: bool = False
    # who gets the page in the menu and the router: "" everyone; "anonymous" only before signing
    # in; "signed_in" any signed-in user; else a panhuo.access.Action the user must hold on some
    # plan. The page checks again itself (a page is a file that can be run on its own).
    access: str = ""


ANALYSIS, MANAGEMENT, ACCOUNT = "分析", "数据管理", "账户"

# menu order; the first route is the default page (``/``): hidden, it forwards to 总览
ROUTES: tuple[Route, ...] = (
    Route("app_pages/home.py", "首页", "home", ANALYSIS, hidden=True),
    Route("app_pages/overview.py", "总览", "overview", ANALYSIS),
    Route("app_pages/structure.py", "结构调整", "structure", ANALYSIS),
    Route("app_pages/timeline.py", "时序安排", "timeline", ANALYSIS),
    Route("app_pages/targets.py", "区县目标", "targets", ANALYSIS),
    Route("app_pages/progress.py", "进展监测", "progress", ANALYSIS),
    Route("app_pages/map_view.py", "地图", "map", ANALYSIS),
    Route("app_pages/records.py", "明细", "records", ANALYSIS),
    Route("app_pages/potential.py", "潜力与强度", "potential", ANALYSIS),
    Route("app_pages/policy.py", "政策与任务", "policy", ANALYSIS),
    Route("app_pages/audit.py", "数据核查", "audit", ANALYSIS),
    Route("app_pages/consultation.py", "征求意见", "consultation", ANALYSIS),
    Route("app_pages/data_import.py", "数据导入", "import", MANAGEMENT, access=Action.IMPORT.value),
    Route(
        "app_pages/progress_report.py", "进展填报", "progress-report", MANAGEMENT, access=Action.REPORT.value
    ),
    Route(
        "app_pages/progress_review.py", "进展审核", "progress-review", MANAGEMENT, access=Action.REVIEW.value
    ),
    Route(
        "app_pages/consultation_review.py",
        "意见审核",
        "consultation-review",
        MANAGEMENT,
        access=Action.MODERATE.value,
    ),
    Route("app_pages/users.py", "用户管理", "users", MANAGEMENT, access=Action.MANAGE_USERS.value),
    Route("app_pages/audit_log.py", "操作日志", "audit-log", MANAGEMENT, access=Action.READ_AUDIT.value),
    Route("app_pages/login.py", "登录", "login", ACCOUNT, access="anonymous"),
    Route("app_pages/password.py", "修改密码", "password", ACCOUNT, access="signed_in"),
)

# url path → page file
PAGE_FILES: dict[str, str] = {route.url_path: route.file for route in ROUTES}


def offered(route: Route, user: User, public: bool = False) -> bool:
    """Whether the router offers ``route`` to ``user`` (in public mode: the analysis pages only).

    >>> offered(ROUTES[-1], ANONYMOUS), offered(ROUTES[-2], ANONYMOUS)
    (False, True)
    """
    if public:
        return route.access == ""
    if route.access == "":
        return True
    if route.access == "anonymous":
        return user.is_anonymous
    if user.is_anonymous:
        return False
    if route.access == "signed_in":
        return True
    if user.must_change_password:  # until the initial password is changed, only 修改密码
        return False
    return user.plans_with(Action(route.access)) != set()


def sections(user: User, public: bool = False) -> dict[str, list[Route]]:
    """The routes ``user`` is offered, by menu section, in order."""
    found: dict[str, list[Route]] = {}
    for route in ROUTES:
        if offered(route, user, public):
            found.setdefault(route.section, []).append(route)
    return found
