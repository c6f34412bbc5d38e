"""KPI cards: big numbers readable on a projector."""

from __future__ import annotations

import streamlit as st

from components.text import plain
from panhuo.views import Metric

MAX_PER_ROW = 4  # more cards per row cut the numbers short ("146.…") on a laptop screen


def kpi_row(metrics: list[Metric]) -> None:
    """Metric cards in rows of at most four (five or six cards: rows of three)."""
    if not metrics:
        return
    per_row = len(metrics) if len(metrics) <= MAX_PER_ROW else 3
    for start in range(0, len(metrics), per_row):
        columns = st.columns(per_row)
        for column, metric in zip(columns, metrics[start : start + per_row], strict=False):
            # labels and help are built from the plan's data; values and deltas are formatted by code
            column.metric(
                plain(metric.label),
                metric.value,
                delta=metric.delta,
                help=plain(metric.help) or None,
                border=True,
            )
