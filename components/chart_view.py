"""Every plotly chart a page shows goes through :func:`plotly_chart`, so no data string in a
chart can carry live markup (see :mod:`components.chart_safety`), and every chart of a
demonstration plan says so (:func:`components.charts.demo_mark`), and in meeting mode every chart
reads on a projector (:func:`components.screen.screen_chart`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.chart_safety import inert_figure
from components.charts import demo_mark
from components.screen import is_screen, screen_chart
from components.sidebar import shown_plan
from panhuo.demo import demo_label


def plotly_chart(figure: go.Figure, *, where=st, **kwargs):
    """``st.plotly_chart`` (or ``where.plotly_chart`` for a column) of the figure made inert;
    returns what Streamlit returns (the selection event when ``on_select`` is set)."""
    figure = demo_mark(figure, demo_label(shown_plan()))
    if is_screen():
        figure = screen_chart(figure)
    return where.plotly_chart(inert_figure(figure), **kwargs)
