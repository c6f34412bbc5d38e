"""KPI cards: big numbers readable on a projector."""

from __future__ import annotations

import streamlit as st

from panhuo.views import Metric


def kpi_row(metrics: list[Metric]) -> None:
    if not metrics:
        return
    columns = st.columns(len(metrics))
    for column, metric in zip(columns, metrics, strict=True):
        column.metric(metric.label, metric.value, delta=metric.delta, help=metric.help or None, border=True)
