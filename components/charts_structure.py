"""Charts of the 结构调整 page: land-use flows (Sankey), 现状 against 规划, 调整量, the hierarchy."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import area_format, layout
from components.theme import (
    AFTER_COLOR,
    AXIS_LINE,
    BEFORE_COLOR,
    DECREASE_COLOR,
    INCREASE_COLOR,
    NEUTRAL,
    NO_CHANGE_COLOR,
    PALETTE,
    rgba,
)


def sankey(flows: pd.DataFrame, title: str, unit_label: str) -> go.Figure:
    """Flows between land uses (columns ``source``, ``target``, ``value``; labels as given).

    A use keeps one colour on both sides (现状·住宅用地 and 规划·住宅用地); links take the colour
    of the use they leave or reach, half transparent.
    """
    labels = list(dict.fromkeys([*flows["source"], *flows["target"]]))
    index = {label: i for i, label in enumerate(labels)}

    def use_of(label: str) -> str:
        return label.split("·", 1)[1] if "·" in label else label

    uses = list(dict.fromkeys(use_of(label) for label in labels if "·" in label))
    colors = {use: PALETTE[i % len(PALETTE)] for i, use in enumerate(uses)}

    node_colors = [colors.get(use_of(label), NEUTRAL) if "·" in label else NEUTRAL for label in labels]
    link_colors = [
        rgba(colors.get(use_of(s if "·" in s else t), NEUTRAL), 0.35)
        for s, t in zip(flows["source"], flows["target"], strict=True)
    ]
    number = area_format(unit_label)
    fig = go.Figure(
        go.Sankey(
            valueformat=number,
            valuesuffix=f" {unit_label}",
            node={
                "label": labels,
                "pad": 18,
                "thickness": 18,
                "color": node_colors,
                "hovertemplate": f"%{{label}}<br>面积：%{{value:{number}}} {unit_label}<extra></extra>",
            },
            link={
                "source": [index[s] for s in flows["source"]],
                "target": [index[t] for t in flows["target"]],
                "value": list(flows["value"]),
                "color": link_colors,
                "hovertemplate": f"%{{source.label}} → %{{target.label}}<br>面积：%{{value:{number}}} "
                f"{unit_label}<extra></extra>",
            },
        )
    )
    return layout(fig, title, height=max(380, 60 + 48 * len(uses)))


def paired_bars(
    frame: pd.DataFrame,
    key: str,
    before: str,
    after: str,
    title: str,
    unit_label: str,
    before_label: str = "现状",
    after_label: str = "规划",
) -> go.Figure:
    """现状 and 规划 side by side per ``key``; values in ``unit_label``."""
    number = area_format(unit_label)
    fig = go.Figure()
    for column, label, color in ((before, before_label, BEFORE_COLOR), (after, after_label, AFTER_COLOR)):
        fig.add_bar(
            x=frame[key],
            y=frame[column],
            name=label,
            marker_color=color,
            hovertemplate=f"%{{x}}<br>{label}：%{{y:{number}}} {unit_label}<extra></extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=f"面积（{unit_label}）", tickformat=",")
    fig.update_xaxes(type="category")
    return layout(fig, title)


def change_bars(
    frame: pd.DataFrame, key: str, value: str, text: str, title: str, unit_label: str
) -> go.Figure:
    """Diverging horizontal bars of 调整量 per ``key`` (increase green, decrease red).

    ``text`` names a column of preformatted, signed values shown on and over the bars.
    """
    rows = frame.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=rows[value],
            y=rows[key],
            orientation="h",
            marker_color=[
                INCREASE_COLOR if v > 0 else DECREASE_COLOR if v < 0 else NO_CHANGE_COLOR for v in rows[value]
            ],
            text=rows[text],
            textposition="outside",
            cliponaxis=False,
            customdata=rows[text],
            hovertemplate=f"%{{y}}<br>调整量：%{{customdata}} {unit_label}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color=AXIS_LINE, line_width=1)
    # room for the value labels outside the bars on both sides
    low, high = min(0.0, float(rows[value].min())), max(0.0, float(rows[value].max()))
    pad = max(high - low, 1.0) * 0.22
    fig.update_xaxes(
        title=f"调整量（{unit_label}）", tickformat=",", zeroline=True, range=[low - pad, high + pad]
    )
    return layout(fig, title, height=max(240, 70 + 40 * len(rows)))


def sunburst(hierarchy: pd.DataFrame, title: str, unit_label: str) -> go.Figure:
    """Parent groups and their classes (columns ``id``, ``label``, ``parent``, ``value``);
    clicking a group zooms into its classes."""
    number = area_format(unit_label)
    fig = go.Figure(
        go.Sunburst(
            ids=hierarchy["id"],
            labels=hierarchy["label"],
            parents=hierarchy["parent"],
            values=hierarchy["value"],
            branchvalues="total",
            insidetextorientation="horizontal",
            hovertemplate=f"%{{label}}<br>面积：%{{value:{number}}} {unit_label}"
            "<br>占上级：%{percentParent:.1%}<extra></extra>",
            marker={"colors": None},
        )
    )
    fig.update_layout(sunburstcolorway=PALETTE)
    return layout(fig, title, height=460)
