"""Plotly reads a little HTML in every string it draws (``<a href>``, ``<span style>``, ``<b>`` …),
in tick labels, hover text, node labels and titles alike; a record named ``<a href=…>`` would
become a live link inside a chart. :func:`inert_figure` makes the strings of a figure's data and
titles inert before it is sent, keeping only the line breaks (``<br>``) the builders write.

Hover *templates* are the builders' own text and stay as written; data enters them only through
``%{…}`` placeholders, whose values are the (now inert) data arrays, or through :func:`inert`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import plotly.graph_objects as go

# "<" that does not open a line break; plotly turns "&lt;" back into "<" as plain text
_TAG = re.compile(r"<(?!br\s*/?>)", re.I)

# the trace properties that can hold data strings (top level, or inside a nested object)
_DATA_PROPS = ("name", "x", "y", "z", "text", "hovertext", "labels", "ids", "parents", "customdata")
_NESTED = {"node": ("label", "customdata"), "link": ("label", "customdata"), "header": ("values",)}
_LAYOUT_TEXT = ("title", "legend.title")


def inert(text: object) -> object:
    # Entities need no escaping: plotly decodes them only inside text it has already split
    # from tags, so "&lt;a&gt;" shows as the text "<a>", never as a tag.
    """``text`` with every tag but ``<br>`` turned into plain text; other values unchanged.

    >>> inert('<a href="http://x.example">点</a><br>二')
    '&lt;a href="http://x.example">点&lt;/a><br>二'
    >>> inert(3.5)
    3.5
    """
    if isinstance(text, str):
        return _TAG.sub("&lt;", text) if "<" in text else text
    return text


def template_text(value: object) -> str:
    """Data text to write inside a hover template: inert, and with no ``%{`` that plotly would
    read as a placeholder (a zero-width space keeps it as text).

    >>> template_text("<b>%{x}</b>")
    '&lt;b>%\u200b{x}&lt;/b>'
    """
    return str(inert(str(value))).replace("%{", "%\u200b{")


def _inert_values(values: object) -> object:
    if isinstance(values, str):
        return inert(values)
    if isinstance(values, np.ndarray):
        if values.dtype.kind in "OUS":
            return np.vectorize(_inert_values, otypes=[object])(values) if values.size else values
        return values
    if isinstance(values, tuple | list):
        return type(values)(_inert_values(v) for v in values)
    return values


def _inert_props(obj: object, props: Iterable[str]) -> None:
    for prop in props:
        # asking first: a missing property raises after a costly "did you mean" search
        if prop not in obj:
            continue  # this trace type has no such property
        try:
            value = obj[prop]
        except (KeyError, ValueError):
            continue
        if value is not None:
            obj[prop] = _inert_values(value)


def inert_figure(fig: go.Figure) -> go.Figure:
    """Make every data string and title of ``fig`` inert (in place); returns ``fig``."""
    for trace in fig.data:
        _inert_props(trace, _DATA_PROPS)
        for parent, props in _NESTED.items():
            if parent in trace:
                _inert_props(trace[parent], props)
    for path in _LAYOUT_TEXT:
        title = fig.layout
        for part in path.split("."):
            title = title[part]
        if title is not None and title.text:
            title.text = inert(title.text)
    axes = [key for key in fig.layout.to_plotly_json() if key.startswith(("xaxis", "yaxis"))]
    for axis in axes:
        title = fig.layout[axis].title
        if title is not None and title.text:
            title.text = inert(title.text)
    for axis in axes:
        # the category order names the (now inert) categories, so it is made inert alike
        for prop in ("ticktext", "tickvals", "categoryarray"):
            values = fig.layout[axis][prop]
            if values is not None:
                fig.layout[axis][prop] = _inert_values(values)
    for annotation in fig.layout.annotations or ():
        annotation.text = inert(annotation.text)
    return fig
