"""盘活 Panhuo — router only: page config, the page list, the shared sidebar, st.navigation.

Each page is a file in ``app_pages/`` (run by Streamlit as its own script). 总览 lives at
``/overview``. Streamlit serves the default page at ``/`` whatever its url_path, so the default
page is a hidden one (``app_pages/home.py``) that forwards to 总览 with the same query parameters;
both ``/`` and ``/overview`` then open 总览, and the menu marks it as the current page.
"""

import streamlit as st

from components.cached import settings
from components.routes import ROUTES, sections
from components.sidebar import render_sidebar


def _pages(public: bool) -> dict[str, list[st.Page]]:
    """Sections for st.navigation from components.routes; the import page only outside public mode."""
    return {
        section: [
            st.Page(
                r.file,
                title=r.title,
                url_path=r.url_path,
                default=r is ROUTES[0],
                visibility="hidden" if r.hidden else "visible",
            )
            for r in routes
        ]
        for section, routes in sections(public).items()
    }


st.set_page_config(page_title="盘活 · 城镇低效用地再开发", page_icon="🏙️", layout="wide")
page = st.navigation(_pages(public=settings().public_mode))
render_sidebar()
page.run()
