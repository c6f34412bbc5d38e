"""Meeting mode (放映模式): the app as a projector shows it, switched on by ``?screen=1``.

What changes with ``screen=1`` in the link (``app.py`` asks :func:`is_screen` once per run):

- no sidebar and no way to open it: the router hides its menu, the sidebar's filters and the
  account box are not drawn, and the view is the one the link holds (plan, 区县, unit …; see
  :mod:`panhuo.viewstate`). The demonstration banner stays: it is drawn in the main area;
- a high-contrast page (:func:`style`): near-black text on white, larger type everywhere,
  metric figures at :data:`HEADLINE_PX`, tables larger. Dark on white rather than white on
  black because a projector cannot make black: a dark background shows as the grey of the room's
  light on the screen, so in a lit meeting room light-on-dark loses most of its contrast, while
  dark-on-white keeps the projector's full brightness as the difference. The charts and the map
  are drawn for a white page too, so nothing needs a second palette;
- every plotly chart through :func:`screen_chart` (``components.chart_view.plotly_chart`` does
  it): chart text at least :data:`SCREEN_FONT_PX`, black text and axes, pale fills darkened;
- a small control in the corner (:func:`controls`): 退出放映 (the same view without
  ``screen``) and the optional automatic rotation (:func:`rotation`, ``rotate=<seconds>``).

The parameter survives navigation because nothing drops it: the sidebar keeps the parameters it
does not own, the drill-down (``components.drilldown.goto``) passes every parameter on, and the
links drawn here are built from the current ones.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable

import plotly.graph_objects as go
import streamlit as st

from components.cached import settings
from components.routes import ROUTES, offered
from panhuo import palette
from panhuo.access import User

SCREEN_PARAM, ROTATE_PARAM = "screen", "rotate"
PARAMS = (SCREEN_PARAM, ROTATE_PARAM)  # meeting mode's own query parameters
SCREEN_FONT_PX = 18  # the least size of any chart text
HEADLINE_PX = 48  # the least size of a headline figure
TITLE_PX = 24  # chart titles
CHART_GROWTH = 1.35  # chart heights grow with their text (13 px → 18 px)
TABLE_ZOOM = 1.4  # st.dataframe's 13 px cells → 18 px
INK, BACKGROUND, NOTE = palette.SCREEN_INK, palette.SCREEN_BACKGROUND, palette.SCREEN_NOTE
GRID, EDGE, DARKER = palette.SCREEN_GRID, palette.SCREEN_EDGE, palette.SCREEN_DARKER

# the rotation: 总览, 进展监测, its warnings (url path, with the page's own query parameters)
ROTATION = ["overview", "progress", "progress?view=alerts"]
ROTATION_TITLES = {"progress?view=alerts": "预警"}
DEFAULT_ROTATE_SECONDS, MIN_ROTATE_SECONDS, MAX_ROTATE_SECONDS = 60, 10, 3600
_SHOWN_AT = "_screen_shown_at"  # when this page's full run drew it (monotonic seconds)
_WAS_SCREEN = "_screen_was_on"  # whether the session's last run was in meeting mode


def is_screen() -> bool:
    """Whether this run shows meeting mode (``?screen=1`` in the link)."""
    return st.query_params.get(SCREEN_PARAM) == "1"


def query() -> dict[str, str]:
    """The current query parameters (meeting mode's own among them)."""
    return {key: st.query_params.get(key) for key in st.query_params}


def rotate_seconds() -> int | None:
    """The rotation interval the link asks for (``rotate=60``), kept within 10 s … 1 h; None
    when there is none or it is not a whole number."""
    text = st.query_params.get(ROTATE_PARAM, "")
    if not text.isdigit():
        return None
    return min(max(int(text), MIN_ROTATE_SECONDS), MAX_ROTATE_SECONDS)


# --- charts ---------------------------------------------------------------------------------
def _raise_fonts(node: object, least: int) -> None:
    """Every ``…font`` object below ``node`` (a figure's JSON) at least ``least`` px."""
    if isinstance(node, list):
        for item in node:
            _raise_fonts(item, least)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.endswith("font") and isinstance(value, dict):
            size = value.get("size")
            if isinstance(size, list | tuple):
                value["size"] = [max(s or 0, least) for s in size]
            else:
                value["size"] = max(size or 0, least)
        _raise_fonts(value, least)


def _darken(node: object) -> object:
    """Pale fills (:data:`DARKER`) swapped for their darker shade, anywhere in a trace."""
    if isinstance(node, str):
        return DARKER.get(node.lower(), node)
    if isinstance(node, list):
        return [_darken(item) for item in node]
    if isinstance(node, dict):
        return {key: _darken(value) for key, value in node.items()}
    return node


def _least(font, size: int = SCREEN_FONT_PX) -> None:
    """Raise a plotly font object to at least ``size`` px (a per-point list element by element)."""
    if isinstance(font.size, list | tuple):
        font.size = [max(s or 0, size) for s in font.size]
    else:
        font.size = max(font.size or 0, size)


def screen_chart(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` for the projector: every text at least :data:`SCREEN_FONT_PX` (titles
    :data:`TITLE_PX`; a bar label that would have to shrink below it is left out), black text and axis lines, pale fills
    darkened, the height grown with the text. The figure passed in is left as it was.

    Sizes are set explicitly wherever the chart has text, since Streamlit's chart theme would
    otherwise put its own small defaults (12 px ticks) under anything left unset.

    >>> fig = screen_chart(go.Figure(go.Bar(x=[1], y=["a"], text=["1"]), layout={"font": {"size": 13}}))
    >>> [fig.layout.font.size, fig.layout.title.font.size, fig.layout.xaxis.tickfont.size]
    [18, 24, 18]
    """
    spec = fig.to_plotly_json()
    template = spec.get("layout", {}).pop("template", None)  # the theme's own, left as it is
    _raise_fonts(spec, SCREEN_FONT_PX)
    if template is not None:
        spec["layout"]["template"] = template
    spec["data"] = [_darken(trace) for trace in spec.get("data", [])]
    out = go.Figure(spec)
    layout = out.layout
    layout.font.color = INK
    _least(layout.font)
    _least(layout.title.font, TITLE_PX)
    for font in (layout.legend.font, layout.legend.title.font, layout.hoverlabel.font):
        _least(font)
    layout.legend.font.color = INK
    for annotation in layout.annotations:
        _least(annotation.font)
    if layout.height:
        layout.height = round(layout.height * CHART_GROWTH)
    if layout.margin.t:
        layout.margin.t = round(layout.margin.t * CHART_GROWTH)
    # a bar label never shrinks below the least size to fit its bar: it is left out instead
    # (a crammed label helps nobody; the chart's own mode, when it has one, stands)
    layout.uniformtext = {
        "minsize": max(layout.uniformtext.minsize or 0, SCREEN_FONT_PX),
        "mode": layout.uniformtext.mode or "hide",
    }

    def axis(ax) -> None:
        ax.update(gridcolor=GRID, linecolor=INK, tickcolor=INK, zerolinecolor=INK)
        ax.tickfont.color = ax.title.font.color = INK
        _least(ax.tickfont)
        _least(ax.title.font)

    if any("xaxis" in trace for trace in out.data):  # cartesian traces (a pie has no axes to show)
        out.for_each_xaxis(axis)
        out.for_each_yaxis(axis)
    for trace in out.data:
        for name in ("textfont", "insidetextfont", "outsidetextfont"):
            if name in trace:
                _least(trace[name])
        if "colorbar" in trace:
            _least(trace.colorbar.tickfont)
            _least(trace.colorbar.title.font)
    return out


# --- figures --------------------------------------------------------------------------------
def big_figures(items: list[tuple[str, str, str]]) -> None:
    """Headline figures for the projector: (label, value, note) each, up to five to a row, the
    value at :data:`HEADLINE_PX`. The text is escaped (it is code-made, but may quote a plan)."""
    if not items:
        return
    cells = "".join(
        f'<div class="panhuo-figure" style="border:2px solid {INK};border-radius:8px;padding:14px 20px">'
        f'<div class="panhuo-figure-label" style="font-size:24px;font-weight:600">{html.escape(label)}</div>'
        f'<div class="panhuo-figure-value" style="font-size:{HEADLINE_PX}px;font-weight:700;'
        f'line-height:1.2;white-space:nowrap">{html.escape(value)}</div>'
        f'<div class="panhuo-figure-note" style="font-size:{SCREEN_FONT_PX}px;color:{NOTE}">'
        f"{html.escape(note)}</div></div>"
        for label, value, note in items
    )
    columns = len(items) if len(items) <= 5 else (3 if len(items) == 6 else 4)
    st.html(
        f'<div class="panhuo-figures" style="display:grid;gap:16px;color:{INK};'
        f'grid-template-columns:repeat({columns},minmax(0,1fr))">{cells}</div>'
    )


# --- the page -------------------------------------------------------------------------------
_CSS = f"""
<style>
/* meeting mode (components/screen.py): no sidebar, no toolbar, high contrast, large type */
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stHeader"], [data-testid="stDecoration"] {{
  display: none !important;
}}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{
  background: {BACKGROUND} !important; color: {INK} !important;
}}
[data-testid="stMainBlockContainer"] {{
  max-width: none !important; padding: 1.25rem 2.5rem 4.5rem !important;
}}
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMarkdownContainer"] {{
  font-size: 22px; color: {INK};
}}
[data-testid="stMain"] h1 {{ font-size: 44px; color: {INK}; }}
[data-testid="stMain"] h2 {{ font-size: 36px; color: {INK}; }}
[data-testid="stMain"] h3 {{ font-size: 30px; color: {INK}; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{
  font-size: 20px !important; color: {NOTE} !important; opacity: 1 !important;
}}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {{
  font-size: {HEADLINE_PX}px !important; line-height: 1.2; font-weight: 700; color: {INK};
}}
[data-testid="stMain"] [data-baseweb="select"] div, [data-testid="stMain"] input {{
  font-size: 20px !important; color: {INK};
}}
[data-testid="stMetricLabel"] p {{ font-size: 24px !important; color: {INK}; }}
[data-testid="stMetricDelta"] {{ font-size: 22px !important; }}
/* st.dataframe draws on a canvas whose font no CSS reaches: the grid is zoomed instead (13 px
   cells → 18 px), in a slot narrowed by as much, since Streamlit sizes the grid to its slot */
[data-testid="stDataFrame"] {{ zoom: {TABLE_ZOOM}; }}
[data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) {{
  width: calc(100% / {TABLE_ZOOM}) !important;
}}
[data-testid="stTable"] th, [data-testid="stTable"] td {{ font-size: 20px; color: {INK}; }}
.st-key-screen_controls {{
  position: fixed; right: 20px; bottom: 12px; z-index: 1000; width: auto !important;
  background: {BACKGROUND}; border: 1px solid {EDGE}; border-radius: 8px; padding: 4px 12px;
  opacity: 0.85;
}}
.st-key-screen_controls p {{ font-size: 16px !important; }}
</style>
"""


def keep_url() -> None:
    """Send the browser this run's query parameters while meeting mode is on, and on the run
    after it. Meeting mode's links (退出放映, 自动轮播, 停止轮播) lead to the page already shown,
    and for such a link Streamlit 1.67 runs the page with the link's parameters but leaves the
    address bar — which the browser sends again on the next rerun — as it was: without this,
    the first click after 退出放映 would bring meeting mode back."""
    now = is_screen()
    if now or st.session_state.get(_WAS_SCREEN):
        st.query_params.from_dict(query())
    st.session_state[_WAS_SCREEN] = now


def style() -> None:
    """The high-contrast, large-type page of meeting mode (CSS; takes no room on the page)."""
    st.html(_CSS)


def _without(params: Iterable[str]) -> dict[str, str]:
    dropped = set(params)
    return {key: value for key, value in query().items() if key not in dropped}


def carried() -> dict[str, str]:
    """Meeting mode's own parameters of this link, for a link or page switch that otherwise
    starts afresh (sign-in, 修改密码): ``{"screen": "1"}``, or ``{}`` outside meeting mode."""
    return {key: value for key, value in query().items() if key in PARAMS}


def controls(page: st.Page, user: User) -> None:
    """The corner control: 退出放映 (this view without meeting mode) and the rotation."""
    with st.container(key="screen_controls", width="content", horizontal=True, gap="medium"):
        st.page_link(
            page, label="退出放映", icon=":material/close_fullscreen:", query_params=_without(PARAMS)
        )
        rotation(ROTATION, page, user)


def _split(entry: str) -> tuple[str, dict[str, str]]:
    """``"progress?view=alerts"`` → ``("progress", {"view": "alerts"})``."""
    path, _, rest = entry.partition("?")
    return path, dict(part.partition("=")[::2] for part in rest.split("&") if part)


def next_stop(pages: list[str], current: str, here: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The rotation's next entry after the page at ``current`` with the query ``here``, and the
    query to open it with: ``here`` less the parameters any entry sets, plus the entry's own.
    The entry shown now is the one of ``current`` whose own parameters all match (the most of
    them); on a page outside the rotation the next entry is the first.

    >>> pages = ["overview", "progress", "progress?view=alerts"]
    >>> next_stop(pages, "progress", {"screen": "1", "plan": "p"})
    ('progress?view=alerts', {'screen': '1', 'plan': 'p', 'view': 'alerts'})
    >>> next_stop(pages, "progress", {"screen": "1", "view": "alerts"})
    ('overview', {'screen': '1'})
    """
    entries = [(entry, *_split(entry)) for entry in pages]
    matching = [
        (len(params), index)
        for index, (_entry, path, params) in enumerate(entries)
        if path == current and all(here.get(key) == value for key, value in params.items())
    ]
    index = max(matching)[1] if matching else -1
    entry, _path, params = entries[(index + 1) % len(entries)]
    own = {key for _entry, _path, entry_params in entries for key in entry_params}
    return entry, {key: value for key, value in here.items() if key not in own} | params


def rotation(pages: list[str], page: st.Page, user: User) -> None:
    """The automatic rotation through ``pages`` (url paths, each with the page's own query
    parameters: ``"progress?view=alerts"``) at the interval of ``rotate=<seconds>``; ``page`` is
    the page shown now (the router's), ``user`` who is looking.

    Without ``rotate`` it draws a link 自动轮播 that starts it from this page; with it,
    停止轮播 and a fragment that reruns every interval: its first rerun after the page was drawn
    switches to the next page (st.switch_page from a fragment reruns the whole app on the new
    page). Pages the app does not have (a route not built yet) or ``user`` is not offered are
    left out; with fewer than two left there is no rotation.
    """
    routes = {route.url_path: route for route in ROUTES if offered(route, user, settings().public_mode)}
    pages = [entry for entry in pages if _split(entry)[0] in routes]
    if len(pages) < 2:
        return
    seconds = rotate_seconds()
    if seconds is None:
        start = query() | {ROTATE_PARAM: str(DEFAULT_ROTATE_SECONDS)}
        st.page_link(page, label="自动轮播", icon=":material/autoplay:", query_params=start)
        return
    st.page_link(page, label="停止轮播", icon=":material/stop_circle:", query_params=_without([ROTATE_PARAM]))
    entry, target = next_stop(pages, page.url_path, query())
    path = _split(entry)[0]
    title = ROTATION_TITLES.get(entry, routes[path].title)
    st.session_state[_SHOWN_AT] = time.monotonic()

    @st.fragment(run_every=seconds)
    def advance() -> None:
        shown_at = st.session_state.get(_SHOWN_AT, time.monotonic())
        if time.monotonic() - shown_at >= seconds - 1:  # a rerun of its own, not the page's run
            st.switch_page(routes[path].file, query_params=target)
        st.caption(f"每 {seconds} 秒轮播，下一页：{title}")

    advance()
