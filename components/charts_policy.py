"""Charts of the 政策与任务 page: counts of measures by kind, and who leads or shares each one."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.charts import layout_spaced
from components.theme import PALETTE, ROLE_COLORS


def count_bars(
    frame: pd.DataFrame,
    key: str,
    value: str,
    title: str,
    key_label: str,
    color: str | None = None,
    color_label: str = "类别",
    unit: str = "项",
    colors: dict[str, str] | None = None,
) -> go.Figure:
    """Horizontal bars of counts per ``key`` (order kept, top to bottom), stacked by ``color``;
    series named in ``colors`` come first, in that order, with those colours."""
    fig = go.Figure()
    parts = list(frame.groupby(color, sort=False)) if color else [("", frame)]
    rank = list(colors or {})
    parts.sort(key=lambda item: rank.index(item[0]) if item[0] in rank else len(rank))
    for i, (name, part) in enumerate(parts):
        kind = f"<br>{color_label}：{name}" if color else ""
        fig.add_bar(
            x=part[value],
            y=part[key],
            orientation="h",
            name=str(name),
            marker_color=(colors or {}).get(str(name), PALETTE[i % len(PALETTE)]),
            text=part[value],
            textposition="inside",
            textangle=0,
            insidetextanchor="middle",
            hovertemplate=f"{key_label}：%{{y}}{kind}<br>数量：%{{x}} {unit}<extra></extra>",
        )
    keys = list(dict.fromkeys(frame[key]))
    fig.update_layout(barmode="stack", showlegend=bool(color))
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array", categoryarray=keys)
    fig.update_xaxes(title=f"数量（{unit}）", dtick=1)
    fig = layout_spaced(fig, title, height=max(220, 130 + 36 * len(keys)))
    fig.update_layout(
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "traceorder": "normal"}
    )
    return fig


def responsibility_heatmap(matrix: pd.DataFrame, title: str, short: list[str] | None = None) -> go.Figure:
    """Department × item grid: dark cell 牵头, light cell 责任, blank otherwise.

    ``short`` labels the item axis (the measure numbers); the full item name is in the hover.
    """
    code = {"牵头": 2, "责任": 1}
    z = [[code.get(v) for v in row] for row in matrix.to_numpy()]
    text = [[{"牵头": "牵", "责任": "责"}.get(v, "") for v in row] for row in matrix.to_numpy()]
    custom = [[v or "—" for v in row] for row in matrix.to_numpy()]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(matrix.columns),
            y=list(matrix.index),
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            zmin=1,
            zmax=2,
            colorscale=[
                [0, ROLE_COLORS["责任"]],
                [0.5, ROLE_COLORS["责任"]],
                [0.5, ROLE_COLORS["牵头"]],
                [1, ROLE_COLORS["牵头"]],
            ],
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="部门：%{y}<br>事项：%{x}<br>职责：%{customdata}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category", showgrid=False)
    columns = list(matrix.columns)
    fig.update_xaxes(
        type="category", side="top", tickvals=columns, ticktext=short or columns, tickangle=0, showgrid=False
    )
    fig = layout_spaced(fig, title, height=max(300, 130 + 30 * len(matrix.index)))
    fig.update_layout(margin={"t": 90 if title else 50})
    return fig
