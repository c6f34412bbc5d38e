"""The page list, built once, so pages can send the user to another page (a chart click → 明细).

总览 lives at ``/overview``. Streamlit serves the default page at ``/`` whatever its url_path, so
the default page is a hidden one that forwards to 总览 with the same query parameters; both
``/`` and ``/overview`` then open 总览, and the menu marks it as the current page.
"""

from __future__ import annotations

import streamlit as st

_PAGES: dict[str, st.Page] = {}


def _home() -> None:
    goto("overview")


def build(public: bool) -> dict[str, list[st.Page]]:
    """Sections for st.navigation; the import page only outside public mode."""
    from app_pages import (
        audit,
        data_import,
        map_view,
        overview,
        policy,
        potential,
        records,
        structure,
        targets,
        timeline,
    )

    home = st.Page(_home, title="首页", url_path="home", default=True, visibility="hidden")
    analysis = [
        home,
        st.Page(overview.render, title="总览", url_path="overview"),
        st.Page(structure.render, title="结构调整", url_path="structure"),
        st.Page(timeline.render, title="时序安排", url_path="timeline"),
        st.Page(targets.render, title="区县目标", url_path="targets"),
        st.Page(map_view.render, title="地图", url_path="map"),
        st.Page(records.render, title="明细", url_path="records"),
        st.Page(potential.render, title="潜力与强度", url_path="potential"),
        st.Page(policy.render, title="政策与任务", url_path="policy"),
        st.Page(audit.render, title="数据核查", url_path="audit"),
    ]
    sections = {"分析": analysis}
    if not public:
        sections["数据管理"] = [st.Page(data_import.render, title="数据导入", url_path="import")]
    _PAGES.clear()
    _PAGES.update({page.url_path: page for pages in sections.values() for page in pages})
    return sections


def goto(url_path: str) -> None:
    """Switch to the page at ``url_path``, keeping the view's query parameters."""
    query = {key: st.query_params.get(key) for key in st.query_params}
    st.switch_page(_PAGES[url_path], query_params=query)


# which sidebar filter a chart's category axis narrows (总览's breakdowns, 区县目标's bars)
DRILL_FILTERS = {"county": "counties", "zone": "zones", "type": "types", "category": "types"}


def drill_to_records(event, axis: str, field: str) -> None:
    """After a click on bars of ``field`` (values on ``axis``, "x" or "y"): open 明细 filtered to
    the clicked values. Fields with no sidebar filter (乡镇/村) do nothing."""
    from components.sidebar import request_view

    target = DRILL_FILTERS.get(field)
    points = event.selection.points if event else []
    clicked = tuple(dict.fromkeys(str(p[axis]) for p in points if p.get(axis)))
    if target and clicked:
        request_view(**{target: clicked})
        goto("records")
