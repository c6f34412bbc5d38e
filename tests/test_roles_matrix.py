"""Roles × pages × plans: what each role is offered and what reaches its browser.

Every element of a run is serialised (tables as Arrow bytes, the map as deck JSON, downloads as
their bytes) and searched for the sample's right-holder: what the browser receives, not only what
a label shows. The plans' own private values come from the data (privacy.sensitive_values), so a
sample that gains right-holders is checked without a change here.
"""

from __future__ import annotations

import pytest

from components.routes import ROUTES
from panhuo.privacy import sensitive_values
from tests.accounts import sign_in
from tests.conftest import SAMPLE_IDS
from tests.pages import ANALYSIS_PAGES, open_page

# (role, plan of the grant, 区县): None is the anonymous visitor
ROLES = {
    "anonymous": None,
    "reporter-deqing": ("reporter", "huzhou-2023", ("德清县",)),
    "reporter-shangdang": ("reporter", "shangdang-2021", ("上党区",)),
    "analyst-huzhou": ("analyst", "huzhou-2023", ()),
    "analyst": ("analyst", None, ()),
    "moderator": ("moderator", None, ()),
    "admin": ("admin", None, ()),
}
MANAGEMENT = {"数据导入", "进展填报", "进展审核", "意见审核", "用户管理", "操作日志"}
OFFERED = {
    "anonymous": {"登录"},
    "reporter-deqing": {"进展填报", "修改密码"},
    "reporter-shangdang": {"进展填报", "修改密码"},
    "analyst-huzhou": {"数据导入", "进展审核", "修改密码"},
    "analyst": {"数据导入", "进展审核", "修改密码"},
    "moderator": {"意见审核", "修改密码"},
    "admin": MANAGEMENT | {"修改密码"},
}
# who may see 上党区's right-holder (the one sample with one)
SEES_SHANGDANG_PRIVATE = {"reporter-shangdang", "analyst", "admin"}


def _session(role: str) -> dict:
    grant = ROLES[role]
    return {} if grant is None else sign_in(grant[0], grant[1], grant[2])


def _offered(at) -> set[str]:
    titles = set()
    for route in ROUTES:
        if route.hidden:
            continue
        try:
            at.switch_page(route.file)
        except ValueError:
            continue
        titles.add(route.title)
    return titles


def _sent_bytes(at) -> bytes:
    """Everything the runs sent to the browser: every element's message, serialised."""
    chunks: list[bytes] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            chunks.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    walk(at.sidebar)
    return b"\n".join(chunks)


@pytest.fixture(scope="module")
def private_values(catalog) -> dict[str, set[str]]:
    return {pid: sensitive_values(catalog.get(pid).records()[1]) for pid in SAMPLE_IDS}


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_is_offered_exactly_its_pages(role):
    at = open_page("overview", session=_session(role), plan="huzhou-2023")
    offered = _offered(at)
    assert set(ANALYSIS_PAGES) and {r.title for r in ROUTES if r.url_path in ANALYSIS_PAGES} <= offered
    assert offered - {r.title for r in ROUTES if r.url_path in ANALYSIS_PAGES} == OFFERED[role]


@pytest.mark.parametrize("page", ANALYSIS_PAGES)
@pytest.mark.parametrize("role", list(ROLES))
def test_every_analysis_page_opens_for_every_role_and_shows_only_what_it_may(role, page, private_values):
    at = open_page(page, session=_session(role), plan="shangdang-2021")
    sent = _sent_bytes(at)
    leaked = {v for v in private_values["shangdang-2021"] if v.encode("utf-8") in sent}
    if role not in SEES_SHANGDANG_PRIVATE:
        assert leaked == set(), f"{role} on /{page} received {leaked}"


@pytest.mark.parametrize("plan", SAMPLE_IDS)
@pytest.mark.parametrize("role", list(ROLES))
def test_records_of_every_plan_for_every_role(role, plan, private_values):
    at = open_page("records", session=_session(role), plan=plan)
    sent = _sent_bytes(at)
    values = private_values[plan]
    leaked = {v for v in values if v.encode("utf-8") in sent}
    allowed = role in ("analyst", "admin") or (role == "reporter-shangdang" and plan == "shangdang-2021")
    if allowed:
        assert leaked == values  # the records table carries them for those who may see them
    else:
        assert leaked == set(), f"{role} on {plan} received {leaked}"
