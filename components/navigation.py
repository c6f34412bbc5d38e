"""The page list, built once, so pages can send the user to another page (a chart click → 明细)."""

from __future__ import annotations

import streamlit as st

_PAGES: dict[str, st.Page] = {}


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

    analysis = [
        st.Page(overview.render, title="总览", url_path="overview", default=True),
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
    _PAGES.update({page.url_path or "overview": page for pages in sections.values() for page in pages})
    return sections


def goto(url_path: str) -> None:
    """Switch to the page at ``url_path`` (the sidebar keeps the filters)."""
    st.switch_page(_PAGES[url_path])
