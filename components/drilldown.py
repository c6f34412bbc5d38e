"""Switching page from inside a page: a chart click → 明细 filtered to the clicked bars.

Pages are addressed by their file (``app_pages/<name>.py``), so nothing here imports a page.
"""

from __future__ import annotations

import streamlit as st

from components.routes import PAGE_FILES
from components.sidebar import PAGE_PARAMS, request_view

# which sidebar filter a chart's category axis narrows (总览's breakdowns, 区县目标's bars)
DRILL_FILTERS = {"county": "counties", "zone": "zones", "type": "types", "category": "types"}


def goto(page: str, **params: str) -> None:
    """Switch to ``page`` (a url path of components.routes), keeping the view's query parameters
    and meeting mode (``screen``), not the other page's own (a period, ``view``); ``params`` are
    the new page's own."""
    dropped = set(PAGE_PARAMS) - {"screen"}
    query = {key: st.query_params.get(key) for key in st.query_params if key not in dropped}
    query.update(params)
    st.switch_page(PAGE_FILES[page], query_params=query)


def drill_to_records(event, axis: str, field: str) -> None:
    """After a click on bars of ``field`` (values on ``axis``, "x" or "y"): open 明细 filtered to
    the clicked values. Fields with no sidebar filter (乡镇/村) do nothing."""
    target = DRILL_FILTERS.get(field)
    points = event.selection.points if event else []
    # chart_safety sent "<" as "&lt;": the clicked value is the category as the data has it
    clicked = tuple(dict.fromkeys(str(p[axis]).replace("&lt;", "<") for p in points if p.get(axis)))
    if target and clicked:
        request_view(**{target: clicked})
        goto("records")
