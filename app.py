"""盘活 Panhuo — router only: page config, the page list for this user, the shared sidebar,
st.navigation.

Each page is a file in ``app_pages/`` (run by Streamlit as its own script). 总览 lives at
``/overview``. Streamlit serves the default page at ``/`` whatever its url_path, so the default
page is a hidden one (``app_pages/home.py``) that forwards to 总览 with the same query parameters;
both ``/`` and ``/overview`` then open 总览, and the menu marks it as the current page.

Only the pages the user may open are given to st.navigation (a page left out cannot be reached by
its address); each page checks the role again itself. A user with an initial password gets only
修改密码 until it is changed.
"""

import streamlit as st

from components import auth
from components.cached import settings
from components.routes import ACCOUNT, ROUTES, Route, sections
from components.sidebar import render_sidebar


def _page(route: Route, default: bool) -> st.Page:
    visibility = "hidden" if route.hidden else "visible"
    return st.Page(
        route.file, title=route.title, url_path=route.url_path, default=default, visibility=visibility
    )


def _pages() -> dict[str, list[st.Page]]:
    """Sections for st.navigation: the routes this user is offered (components.routes)."""
    user = auth.signed_in_user()
    if user.must_change_password:
        password = next(r for r in ROUTES if r.url_path == "password")
        return {ACCOUNT: [_page(password, default=True)]}
    return {
        section: [_page(r, default=r is ROUTES[0]) for r in routes]
        for section, routes in sections(user, public=settings().public_mode).items()
    }


st.set_page_config(page_title="盘活 · 城镇低效用地再开发", page_icon="🏙️", layout="wide")
page = st.navigation(_pages())
auth.send_cookie()
if not auth.signed_in_user().must_change_password:
    render_sidebar()
auth.render_account_box()
page.run()
