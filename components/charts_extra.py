"""Chart builders of the 潜力与强度 and 政策与任务 pages: tidy frame in, plotly figure out.

No Streamlit here. Hover labels are Chinese and carry units; totals never enter a colour scale
and invalid values never become a bar.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.charts import PALETTE, layout

BEFORE_COLOR, AFTER_COLOR = "#b8c4bf", PALETTE[0]
THEORY_COLOR, REAL_COLOR = "#b8c4bf", PALETTE[0]
ROLE_COLORS = {"牵头": "#1f6f5c", "责任": "#9fd3c0"}
# measure kinds (panhuo.policy.KIND_LABELS) keep their colour from plan to plan
KIND_COLORS = {"任务措施": PALETTE[0], "配套政策": PALETTE[1], "开发模式": PALETTE[2], "类别定义": PALETTE[3],
               "功能引导": PALETTE[4], "工作启示": PALETTE[5], "再开发主体": PALETTE[6], "实施步骤": PALETTE[7]}  # fmt: skip


def _layout(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    return layout(fig, title, height, title_space=56, legend_y=-0.18)


def _unit_suffix(unit: str) -> str:
    return f" {unit}" if unit else ""


def level_heatmap(cells: pd.DataFrame, title: str, row_label: str, value_label: str, unit: str) -> go.Figure:
    """Rows × 潜力区 heatmap from :func:`panhuo.potential.level_cells`.

    Two traces on the same axes: trace 0 colours the data cells; trace 1 draws the 总计 row and
    column in one flat grey, so the totals are shown but never stretch the colour scale.
    """
    rows = list(dict.fromkeys(cells["row"]))
    levels = list(dict.fromkeys(cells["level"]))

    def grid(column: str, totals: bool) -> list[list]:
        table = {
            (r.row, r.level): (getattr(r, column) if r.is_total == totals else None)
            for r in cells.itertuples()
        }
        return [[table.get((row, level)) for level in levels] for row in rows]

    def text(totals: bool) -> list[list[str]]:
        lookup = {(r.row, r.level): (r.value_text, r.share_text, r.is_total) for r in cells.itertuples()}
        out = []
        for row in rows:
            line = []
            for level in levels:
                value_text, share_text, is_total = lookup.get((row, level), ("", "", totals))
                line.append(f"{value_text}<br>{share_text}" if is_total == totals and value_text else "")
            out.append(line)
        return out

    def custom(totals: bool) -> list[list[list[str]]]:
        lookup = {(r.row, r.level): [r.value_text, r.share_text] for r in cells.itertuples()}
        return [[lookup.get((row, level), ["", ""]) for level in levels] for row in rows]

    hover = (
        f"{row_label}：%{{y}}<br>潜力区：%{{x}}<br>{value_label}：%{{customdata[0]}}{_unit_suffix(unit)}"
        "<br>占比：%{customdata[1]}<extra></extra>"
    )
    fig = go.Figure()
    fig.add_trace(
        go.Heatmap(
            z=grid("value", False),
            x=levels,
            y=rows,
            text=text(False),
            texttemplate="%{text}",
            customdata=custom(False),
            hovertemplate=hover,
            colorscale="Greens",
            colorbar={"title": {"text": unit or value_label}},
            xgap=2,
            ygap=2,
            name=value_label,
        )
    )
    fig.add_trace(
        go.Heatmap(
            z=[[1 if v is not None else None for v in line] for line in grid("value", True)],
            x=levels,
            y=rows,
            text=text(True),
            texttemplate="<b>%{text}</b>",
            customdata=custom(True),
            hovertemplate=hover,
            colorscale=[[0, "#e9ecea"], [1, "#e9ecea"]],
            showscale=False,
            xgap=2,
            ygap=2,
            name="总计",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return _layout(fig, title, height=max(260, 110 + 56 * len(rows)))


def grouped_bars(
    frame: pd.DataFrame,
    x: str,
    series: list[tuple[str, str, str]],
    title: str,
    unit: str,
    x_label: str,
    value_label: str,
    decimals: int = 2,
) -> go.Figure:
    """Side-by-side bars of several value columns per ``x``; ``series`` is (column, name, colour)."""
    fig = go.Figure()
    for column, name, color in series:
        fig.add_bar(
            x=frame[x],
            y=frame[column],
            name=name,
            marker_color=color,
            hovertemplate=f"{x_label}：%{{x}}<br>{name}：%{{y:,.{decimals}f}}{_unit_suffix(unit)}<extra></extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"{value_label}（{unit}）" if unit else value_label, tickformat=",")
    return _layout(fig, title)


def intensity_bars(cells: pd.DataFrame, title: str, omitted: str = "") -> go.Figure:
    """容积率 and 建筑密度 before/after per use, one panel each (from ``intensity_cells``).

    An invalid value is None in ``cells`` and so draws no bar; ``omitted`` names such values in a
    note under the chart.
    """
    metrics = list(dict.fromkeys(cells["metric"]))
    units = {m: cells.loc[cells["metric"] == m, "unit"].iloc[0] for m in metrics}
    subtitles = [f"{m}（{units[m]}）" if units[m] else m for m in metrics]
    fig = make_subplots(rows=1, cols=max(len(metrics), 1), subplot_titles=subtitles, horizontal_spacing=0.1)
    for i, metric in enumerate(metrics, start=1):
        part = cells[cells["metric"] == metric]
        suffix = _unit_suffix(units[metric]).strip()
        for side, name, color in (("before", "现状", BEFORE_COLOR), ("after", "规划", AFTER_COLOR)):
            fig.add_bar(
                x=part["row"],
                y=part[side],
                name=name,
                marker_color=color,
                legendgroup=name,
                showlegend=i == 1,
                hovertemplate=f"%{{x}}<br>{metric}（{name}）：%{{y:,.2f}}{suffix}<extra></extra>",
                row=1,
                col=i,
            )
        fig.update_xaxes(type="category", row=1, col=i)
        axis = "" if i == 1 else str(i)
        for side, name, shift in (("before", "现状", -18), ("after", "规划", 18)):
            for row in part.loc[~part[f"{side}_valid"], "row"]:
                fig.add_annotation(
                    x=row,
                    y=0,
                    xref=f"x{axis}",
                    yref=f"y{axis}",
                    xshift=shift,
                    yanchor="bottom",
                    text=f"{name}<br>无效",
                    showarrow=False,
                    font={"color": "#d1495b", "size": 11},
                )
    fig.update_layout(barmode="group")
    fig = _layout(fig, title, height=460)
    fig.update_layout(legend={"y": -0.1})
    if omitted:
        # the note travels with the figure (a subtitle), so an exported chart still names them
        fig.update_layout(
            title={
                "subtitle": {
                    "text": f"未绘出（数值无效）：{omitted}",
                    "font": {"color": "#d1495b", "size": 12},
                }
            },
            margin={"t": 100},
        )
        fig.update_annotations(yshift=0)
    return fig


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
    fig = _layout(fig, title, height=max(220, 130 + 36 * len(keys)))
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
    fig = _layout(fig, title, height=max(300, 130 + 30 * len(matrix.index)))
    fig.update_layout(margin={"t": 90 if title else 50})
    return fig
