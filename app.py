"""盘活 Panhuo — router only: page config, the page list for this user, the shared sidebar,
st.navigation.

Each page is a file in ``app_pages/`` (run by Streamlit as its own script). 总览 lives at
``/overview``. Streamlit serves the default page at ``/`` whatever its url_path, so the default
page is a hidden one (``app_pages/home.py``) that forwards to 总览 with the same query parameters;
both ``/`` and ``/overview`` then open 总览, and the menu marks it as the current page.

Only the pages the user may open are given to st.navigation (a page left out cannot be reached by
its address); each page checks the role again itself. A user with an initial password gets only
修改密码 until it is changed.

With ``?screen=1`` (meeting mode, :mod:`components.screen`) the menu, the sidebar's filters and
the account box are left out, and a small corner control takes their place.
"""

import streamlit as st

from components import auth, screen
from components.cached import settings
from components.routes import ROUTES, Route, offered
from components.sidebar import render_sidebar


def _page(route: Route, default: bool) -> st.Page:
    visibility = "hidden" if route.hidden else "visible"
    return st.Page(
        route.file, title=route.title, url_path=route.url_path, default=default, visibility=visibility
    )


def _refusal(route: Route) -> st.Page:
    """A page this user may not open: its address answers with the reason (and a sign-in link),
    and the page's own file is never run."""

    def refused() -> None:
        auth.refuse(route.title, route.access)

    refused.__name__ = f"refused_{route.url_path.replace('-', '_')}"
    return st.Page(refused, title=route.title, url_path=route.url_path, visibility="hidden")


def _pages() -> dict[str, list[st.Page]]:
    """Sections for st.navigation: the routes this user is offered (components.routes), and for
    every other route a hidden page that says why it is not."""
    user = auth.signed_in_user()
    public = settings().public_mode
    found: dict[str, list[st.Page]] = {}
    for route in ROUTES:
        if user.must_change_password:  # until the initial password is changed: 修改密码 only
            allowed = route.url_path == "password"
            default = allowed
        else:
            allowed = offered(route, user, public)
            default = route is ROUTES[0]
        found.setdefault(route.section, []).append(_page(route, default) if allowed else _refusal(route))
    return found


st.set_page_config(page_title="盘活 · 城镇低效用地再开发", page_icon="🏙️", layout="wide")
meeting = screen.is_screen()  # ?screen=1: the projector view, no sidebar at all
page = st.navigation(_pages(), expanded=True, position="hidden" if meeting else "sidebar")
auth.send_cookie()
screen.keep_url()
if meeting:
    screen.style()
if not auth.signed_in_user().must_change_password:
    render_sidebar(filters=not meeting)
if meeting:
    screen.controls(page, auth.current_user())
else:
    auth.render_account_box()
page.run()
