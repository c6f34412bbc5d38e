"""Every plotly chart a page shows goes through :func:`plotly_chart`, so no data string in a
chart can carry live markup (see :mod:`components.chart_safety`)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.chart_safety import inert_figure


def plotly_chart(figure: go.Figure, *, where=st, **kwargs):
    """``st.plotly_chart`` (or ``where.plotly_chart`` for a column) of the figure made inert;
    returns what Streamlit returns (the selection event when ``on_select`` is set)."""
    return where.plotly_chart(inert_figure(figure), **kwargs)
