"""Meeting mode (``?screen=1``, components/screen.py): chart text for a projector, the rotation's
order, and the app with the parameter — no sidebar, the view from the link, the parameter kept,
the headline figures large, the demonstration banner still there.

Figures: 湖州 附件2, 德清县 26 片区 of 6005 亩 (see tests/test_app_core.py).
"""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from components import charts, screen
from components.screen import HEADLINE_PX, SCREEN_FONT_PX, TITLE_PX, next_stop, screen_chart
from panhuo import palette
from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID
from tests.pages import goto, open_page
from tests.test_demo import sqlite_demo  # noqa: F401 (a fixture: 上党区 and 湖州 with the copy)


@pytest.fixture(autouse=True)
def _fresh_caches(monkeypatch):
    import streamlit as st

    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def font_sizes(node: object, path: str = "") -> dict[str, object]:
    """Every ``…font.size`` in a figure's JSON, by its path (the theme's template left out)."""
    found: dict[str, object] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "template":
                continue
            if key.endswith("font") and isinstance(value, dict):
                found[f"{path}{key}"] = value.get("size")
            found |= font_sizes(value, f"{path}{key}.")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found |= font_sizes(item, f"{path}{index}.")
    return found


def _small(fig: go.Figure) -> go.Figure:
    return charts.layout(fig, "标题")  # the house style: 13 px text, 16 px title


BAR = go.Bar(x=[3, 1], y=["德清县", "长兴县"], orientation="h", text=["3", "1"], textfont={"size": 11})
FIGURES = {
    "house bar": lambda: _small(go.Figure(BAR)),
    "bar totals": lambda: charts.bar_totals(
        charts.pd.DataFrame({"key": ["德清县"], "count": [26], "area_value": [6005.0], "area_text": ["6,005"]}),
        "按区县的片区面积",
        "亩",
        "区县",
    ),
    "stacked with labels": lambda: charts.stacked_bars(
        charts.pd.DataFrame({"county": ["德清县", "德清县"], "stage": ["正在实施", "储备"], "area": [5565.0, 440.0]}),
        "county", "area", "stage", "各区县面积", "亩", "区县", "阶段",
    ),
    "per-point sizes": lambda: _small(
        go.Figure(go.Scatter(x=[1, 2], y=[1, 2], mode="markers+text", text=["a", "b"], textfont={"size": [9, 30]}))
    ),
    "annotation": lambda: _small(go.Figure(BAR).add_annotation(text="截至今日", x=1, y=0, font={"size": 10})),
    "subplots": lambda: _small(make_subplots(rows=1, cols=2).add_bar(x=[1], y=[2], row=1, col=2)),
    "heatmap": lambda: _small(go.Figure(go.Heatmap(z=[[1, 2]], colorbar={"tickfont": {"size": 9}}))),
    "pie": lambda: _small(go.Figure(go.Pie(labels=["甲", "乙"], values=[1, 2]))),
    "sankey": lambda: _small(go.Figure(go.Sankey(node={"label": ["现状", "规划"]}, link={"source": [0], "target": [1], "value": [1]}))),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_chart_text_is_at_least_the_screen_size(name):
    shown = screen_chart(FIGURES[name]()).to_plotly_json()
    sizes = font_sizes(shown)
    assert sizes, "the figure names no font size at all"
    for where, size in sizes.items():
        least = min(size) if isinstance(size, list) else size
        assert least is not None and least >= SCREEN_FONT_PX, (where, size)
    assert shown["layout"]["font"]["size"] == SCREEN_FONT_PX
    assert shown["layout"]["title"]["font"]["size"] >= TITLE_PX
    assert shown["layout"]["uniformtext"]["minsize"] >= SCREEN_FONT_PX
    # a label that would have to shrink below it is left out rather than crammed
    assert shown["layout"]["uniformtext"]["mode"] == "hide"


def test_text_already_larger_stays_as_large_and_the_figure_passed_in_is_unchanged():
    fig = _small(go.Figure(go.Scatter(x=[1], y=[1], mode="text", text=["大"], textfont={"size": [9, 30]})))
    fig.update_layout(title_font_size=40, height=380)
    fig.update_xaxes(tickfont_size=26)
    before = fig.to_plotly_json()
    shown = screen_chart(fig)
    assert shown.layout.title.font.size == 40
    assert shown.layout.xaxis.tickfont.size == 26
    assert shown.layout.yaxis.tickfont.size == SCREEN_FONT_PX
    assert list(shown.data[0].textfont.size) == [SCREEN_FONT_PX, 30]
    assert shown.layout.height == round(380 * screen.CHART_GROWTH)
    assert fig.to_plotly_json() == before


def test_text_and_axes_black_and_pale_fills_darkened():
    fig = _small(go.Figure([go.Bar(x=["a"], y=[1], marker_color=palette.MUTED), go.Bar(x=["a"], y=[2])]))
    shown = screen_chart(fig)
    assert shown.layout.font.color == palette.SCREEN_INK
    assert shown.layout.xaxis.tickfont.color == shown.layout.yaxis.linecolor == palette.SCREEN_INK
    assert shown.data[0].marker.color == palette.SCREEN_DARKER[palette.MUTED]
    assert shown.data[1].marker.color is None  # the theme's colour, untouched


def test_a_chart_without_axes_gets_none():
    shown = screen_chart(FIGURES["pie"]()).to_plotly_json()
    assert not any(key.startswith(("xaxis", "yaxis")) for key in shown["layout"])


ROTATION = ["overview", "progress", "progress?view=alerts"]


@pytest.mark.parametrize(("current", "here", "entry", "opened"), [
    ("overview", {"screen": "1", "rotate": "60", "plan": "p"}, "progress",
     {"screen": "1", "rotate": "60", "plan": "p"}),
    ("progress", {"screen": "1", "county": "德清县"}, "progress?view=alerts",
     {"screen": "1", "county": "德清县", "view": "alerts"}),
    ("progress", {"screen": "1", "view": "alerts", "period": "2025-B3"}, "overview",
     {"screen": "1", "period": "2025-B3"}),
    ("progress", {"screen": "1", "view": "table"}, "progress?view=alerts",  # another view of the page
     {"screen": "1", "view": "alerts"}),
    ("records", {"screen": "1"}, "overview", {"screen": "1"}),  # outside the rotation: its start
])  # fmt: skip
def test_the_rotation_goes_round_keeping_the_view(current, here, entry, opened):
    assert next_stop(ROTATION, current, here) == (entry, opened)


# --------------------------------------------------------------------------- the app


def _figures(at) -> list[str]:
    """The body of the headline figures (st.html) on the page."""
    return [h.proto.body for h in at.get("html") if "panhuo-figures" in h.proto.body]


def _links(at) -> dict[str, str]:
    """Page links: label → query string."""
    return {link.proto.label: link.proto.query_string for link in at.get("page_link")}


def test_meeting_mode_has_no_sidebar_and_keeps_the_view_of_the_link():
    at = open_page("overview", screen="1", plan="huzhou-2023", county="德清县")
    assert not at.sidebar.children  # no filters, no menu, no account box
    assert not at.selectbox and not at.multiselect and not at.radio
    assert at.query_params == {"screen": "1", "plan": "huzhou-2023", "county": "德清县"}
    assert at.title[0].value == "总览"
    (figures,) = _figures(at)
    assert "26 个" in figures and "6,005 亩" in figures  # 德清县's 片区, from the link's view
    assert f"font-size:{HEADLINE_PX}px" in figures
    assert not at.metric and not at.get("download_button") and not at.expander
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["xaxis"]["tickfont"]["size"] >= SCREEN_FONT_PX
    assert chart["layout"]["yaxis"]["tickfont"]["size"] >= SCREEN_FONT_PX
    # the corner control: back to the same view without meeting mode
    assert _links(at)["退出放映"] == "plan=huzhou-2023&county=%E5%BE%B7%E6%B8%85%E5%8E%BF"
    at.run()  # a rerun (a click) keeps it
    assert at.query_params["screen"] == "1" and not at.sidebar.children


def test_without_the_parameter_the_sidebar_and_controls_are_there():
    at = open_page("overview", plan="huzhou-2023", county="德清县")
    assert at.selectbox(key="f_plan").value == "huzhou-2023"
    assert at.metric and at.get("download_button")
    assert not _figures(at) and "退出放映" not in _links(at)
    assert at.query_params == {"plan": "huzhou-2023", "county": "德清县"}


@pytest.mark.parametrize("page", ["structure", "targets", "records", "timeline"])
def test_every_page_keeps_the_parameter_and_shows_no_sidebar(page):
    at = open_page(page, screen="1", plan="huzhou-2023", unit="ha")
    assert not at.sidebar.children
    assert at.query_params == {"screen": "1", "plan": "huzhou-2023", "unit": "ha"}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert spec["layout"]["font"]["size"] >= SCREEN_FONT_PX, page


def test_a_page_switch_keeps_the_parameter():
    """The drill-down switches page with every parameter of the link (components.drilldown.goto)."""
    at = open_page("overview", screen="1", plan="huzhou-2023")
    goto(at, "records")
    at.query_params["county"] = "德清县"  # what goto passes on after a click on 德清县's bar
    at.run()
    assert not at.exception
    assert at.query_params == {"screen": "1", "plan": "huzhou-2023", "county": "德清县"}
    assert len(at.dataframe(key="records_table").value) == 26
    assert not at.sidebar.children


def test_the_rotation_offers_itself_and_names_the_next_page(monkeypatch):
    # pages that exist on every branch stand in for 进展监测 and its warnings
    monkeypatch.setattr(screen, "ROTATION", ["overview", "targets", "targets?view=alerts"])
    at = open_page("overview", screen="1", plan="huzhou-2023")
    assert _links(at)["自动轮播"] == "screen=1&plan=huzhou-2023&rotate=60"
    rotating = open_page("overview", screen="1", plan="huzhou-2023", rotate="5")  # below the least
    assert _links(rotating)["停止轮播"] == "screen=1&plan=huzhou-2023"
    assert "每 10 秒轮播，下一页：区县目标" in [c.value for c in rotating.caption]


def test_no_rotation_through_pages_the_app_does_not_have(monkeypatch):
    monkeypatch.setattr(screen, "ROTATION", ["overview", "no-such-page", "no-such-page?view=alerts"])
    at = open_page("overview", screen="1", rotate="60")
    assert set(_links(at)) == {"退出放映"}
    assert not any("轮播" in c.value for c in at.caption)


def test_the_demonstration_banner_stays_in_meeting_mode(sqlite_demo):  # noqa: F811
    at = open_page("overview", timeout=120, screen="1", plan=DEMO_PLAN_ID)
    banners = [w.value for w in at.warning if DEMO_LABEL in w.value]
    assert len(banners) == 1
    assert not at.sidebar.children
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert DEMO_LABEL in chart["layout"]["title"]["text"]


def test_the_root_address_forwards_in_meeting_mode():
    at = open_page(None, screen="1", plan="huzhou-2023")
    assert at.title[0].value == "总览"
    assert at.query_params == {"screen": "1", "plan": "huzhou-2023"}
    assert _figures(at) and not at.sidebar.children
