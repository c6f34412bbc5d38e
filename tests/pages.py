"""The one way tests open a page of the app: AppTest's public API only.

``open_page("records", plan="huzhou-2023")`` runs ``app.py`` as a browser opening
``/records?plan=huzhou-2023`` would, through the real router and sidebar. Pages are files
(``app_pages/<file>.py``); AppTest.switch_page finds a page by its file once a first run has
registered the pages with st.navigation, so the opener runs the app once on its default page, then
sets the link's parameters and switches. ``open_page(None, ...)`` opens ``/`` itself.
"""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from components.auth import TOKEN
from components.routes import ANALYSIS, ROUTES
from tests.conftest import ROOT

# url path → page file, from the one list app.py builds its pages from (the hidden 首页 left out:
# ``open_page(None)`` opens ``/``)
PAGE_FILES = {route.url_path: route.file for route in ROUTES if not route.hidden}
ANALYSIS_PAGES = [route.url_path for route in ROUTES if route.section == ANALYSIS and not route.hidden]


def goto(at: AppTest, page: str) -> AppTest:
    """Switch an app that has run at least once to the page at ``/<page>`` (run it next).
    Raises ValueError when the app does not offer that page (e.g. 数据导入 in public mode)."""
    return at.switch_page(PAGE_FILES[page])


def open_page(
    page: str | None = None,
    *,
    session: dict | None = None,
    secrets: dict | None = None,
    timeout: float = 60,
    check: bool = True,
    alone: bool = False,
    user: dict | None = None,
    **params: str,
) -> AppTest:
    """Run app.py as a browser opens ``/<page>?<params>`` (``page=None``: ``/``); with ``check``,
    fail on any exception shown. With ``alone``, run the page's file by itself, without the
    router and sidebar, as ``streamlit run app_pages/<file>.py`` would (what a page does when
    called directly, e.g. 数据导入 in public mode, where the router does not offer it). ``user`` is
    what the run reads as ``st.user`` (an identity provider's or a proxy header's claims)."""
    script = ROOT / PAGE_FILES[page] if alone else ROOT / "app.py"
    at = AppTest.from_file(str(script), default_timeout=timeout)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    if page is not None and not alone:
        # a signed-in tab is signed in from its first request: the router offers pages by role
        if TOKEN in (session or {}):
            at.session_state[TOKEN] = session[TOKEN]
        at.run()  # registers the pages, so that switch_page can find a page by its file
        assert not at.exception, [e.value for e in at.exception]
        at.query_params.clear()
        goto(at, page)
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    if check:
        assert not at.exception, [e.value for e in at.exception]
    return at


def rendered_text(markdown: str) -> str:
    """The text a reader sees of Markdown that components.text.plain escaped: backslash escapes
    resolved, the invisible word joiners (which keep addresses from turning into links) dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")
