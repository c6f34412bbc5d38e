"""The map on 征求意见 where a person picks the point a comment is on.

The plan's 区县 outlines and (public) features for orientation, under a grid of faint cells to
click (:mod:`panhuo.consultation.picking`); the picked point is a red dot. A click writes the
point into the form's 经度/纬度 fields (``cmt_lon``/``cmt_lat``) and narrows the grid around it;
the chart's key changes with each grid, so the map opens on the new one.
"""

from __future__ import annotations

from functools import partial

import pydeck as pdk
import streamlit as st

from components import cached as data
from components import map_data
from components.map_builder import build_map, fit_bounds, fit_view
from panhuo.consultation.picking import grid, picked_cell
from panhuo.privacy import public_records

LAYER_CELLS = "pick-cells"
LAYER_POINT = "picked-point"
FEATURES_MAX = 5000  # more than this are not drawn: outlines only (the map is for orientation)
SIZE = (800, 420)
STATE = "cmt_pick"  # (level of the grid shown, (lon, lat) it is centred on, serial)


def _picked(key: str) -> None:
    """The chart's callback: the clicked cell's centre into the form, the grid one level finer."""
    event = st.session_state.get(key)
    found = picked_cell(getattr(event, "selection", None) or event, LAYER_CELLS)
    if found is None:
        return
    lon, lat, level = found
    st.session_state["cmt_lon"], st.session_state["cmt_lat"] = lon, lat
    _level, _around, serial = st.session_state.get(STATE, (0, None, 0))
    st.session_state[STATE] = (level + 1, (lon, lat), serial + 1)


def reset() -> None:
    serial = st.session_state.get(STATE, (0, None, 0))[2]
    st.session_state[STATE] = (0, None, serial + 1)


def _layers(cells: list[dict], point: tuple[float, float] | None) -> list[pdk.Layer]:
    layers = [
        pdk.Layer(
            "PolygonLayer",
            id=LAYER_CELLS,
            data=[{**c, "tip": "点击选择此处"} for c in cells],
            get_polygon="ring",
            filled=True,
            get_fill_color=[30, 90, 160, 12],
            stroked=True,
            get_line_color=[30, 90, 160, 40],
            line_width_min_pixels=0.5,
            pickable=True,
            auto_highlight=True,
            highlight_color=[200, 40, 40, 90],
        )
    ]
    if point is not None:
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                id=LAYER_POINT,
                data=[{"position": list(point), "tip": "已选位置"}],
                get_position="position",
                get_radius=6,
                radius_units="'pixels'",
                get_fill_color=[200, 30, 30, 255],
                stroked=True,
                get_line_color=[255, 255, 255],
                line_width_min_pixels=2,
                pickable=False,
            )
        )
    return layers


def point_picker(plan) -> None:
    """The map, its hint, and a button to start again from the whole plan."""
    outlines, _problems = map_data.plan_outlines(plan.id, data.plan_revision(plan.id))
    _dataset, records = plan.records()
    features = None
    if 0 < len(records) <= FEATURES_MAX:
        features = public_records(map_data.features_for(plan.id, records))
    bounds = fit_bounds(features, outlines, "all")
    if bounds is None:
        st.caption("本规划没有可显示的范围，请直接填写经纬度。")
        return
    level, around, serial = st.session_state.get(STATE, (0, None, 0))
    cells = grid(bounds, level, around)
    spec = build_map(
        features, outlines, show=("outlines", "features", "labels"), tile_url=data.settings().tile_url or None,
        fit="all", size=SIZE,
    )  # fmt: skip
    lon, lat = st.session_state.get("cmt_lon"), st.session_state.get("cmt_lat")
    point = (float(lon), float(lat)) if lon is not None and lat is not None else None
    deck = spec.deck
    deck.layers = [*deck.layers, *_layers(cells.cells, point)]
    deck.initial_view_state = pdk.ViewState(**fit_view(cells.bounds, SIZE))
    key = f"cmt_map_{serial}"
    st.pydeck_chart(
        deck, on_select=partial(_picked, key), selection_mode="single-object", key=key, width="stretch",
        height=SIZE[1],
    )  # fmt: skip
    hint = f"在地图上点击一个方格选择位置（方格边长约 {cells.cell_m:,.0f} 米）"
    hint += "；已是最细的方格，可再次点击微调。" if cells.finest else "；点击后地图放大，可再点击细化。"
    st.caption(hint + "也可以直接在下方填写经纬度（WGS84）。")
    if level:
        st.button("重新选择（回到全图）", key="cmt_pick_reset", on_click=reset)
