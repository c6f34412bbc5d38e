"""盘活 Panhuo — router only: page config, the page list, the shared sidebar, st.navigation.

Each page is a file in ``app_pages/`` (run by Streamlit as its own script). 总览 lives at
``/overview``. Streamlit serves the default page at ``/`` whatever its url_path, so the default
page is a hidden one (``app_pages/home.py``) that forwards to 总览 with the same query parameters;
both ``/`` and ``/overview`` then open 总览, and the menu marks it as the current page.
"""

import streamlit as st

from components.cached import settings
from components.sidebar import render_sidebar

PAGES = "app_pages"


def _pages(public: bool) -> dict[str, list[st.Page]]:
    """Sections for st.navigation; the import page only outside public mode."""
    analysis = [
        st.Page(f"{PAGES}/home.py", title="首页", url_path="home", default=True, visibility="hidden"),
        st.Page(f"{PAGES}/overview.py", title="总览", url_path="overview"),
        st.Page(f"{PAGES}/structure.py", title="结构调整", url_path="structure"),
        st.Page(f"{PAGES}/timeline.py", title="时序安排", url_path="timeline"),
        st.Page(f"{PAGES}/targets.py", title="区县目标", url_path="targets"),
        st.Page(f"{PAGES}/map_view.py", title="地图", url_path="map"),
        st.Page(f"{PAGES}/records.py", title="明细", url_path="records"),
        st.Page(f"{PAGES}/potential.py", title="潜力与强度", url_path="potential"),
        st.Page(f"{PAGES}/policy.py", title="政策与任务", url_path="policy"),
        st.Page(f"{PAGES}/audit.py", title="数据核查", url_path="audit"),
    ]
    sections = {"分析": analysis}
    if not public:
        sections["数据管理"] = [st.Page(f"{PAGES}/data_import.py", title="数据导入", url_path="import")]
    return sections


st.set_page_config(page_title="盘活 · 城镇低效用地再开发", page_icon="🏙️", layout="wide")
page = st.navigation(_pages(public=settings().public_mode))
render_sidebar()
page.run()
