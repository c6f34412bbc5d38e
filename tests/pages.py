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

from tests.conftest import ROOT

# url path → page file (the url paths are what a user sees; app.py lists the same pages)
PAGE_FILES = {
    "overview": "app_pages/overview.py",
    "structure": "app_pages/structure.py",
    "timeline": "app_pages/timeline.py",
    "targets": "app_pages/targets.py",
    "map": "app_pages/map_view.py",
    "records": "app_pages/records.py",
    "potential": "app_pages/potential.py",
    "policy": "app_pages/policy.py",
    "audit": "app_pages/audit.py",
    "import": "app_pages/data_import.py",
}
ANALYSIS_PAGES = [page for page in PAGE_FILES if page != "import"]


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
    **params: str,
) -> AppTest:
    """Run app.py as a browser opens ``/<page>?<params>`` (``page=None``: ``/``); with ``check``,
    fail on any exception shown."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if page is not None:
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
