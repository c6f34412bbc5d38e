"""Charts of the 潜力与强度 page: rows × 潜力区 heatmaps, grouped bars, 容积率/建筑密度 panels.

Totals never enter a colour scale and invalid values never become a bar.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.chart_safety import template_text
from components.charts import layout_spaced
from components.theme import AFTER_COLOR, ALERT, BEFORE_COLOR, HEATMAP_SCALE, TOTAL_CELL


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
            colorscale=HEATMAP_SCALE,
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
            colorscale=[[0, TOTAL_CELL], [1, TOTAL_CELL]],
            showscale=False,
            xgap=2,
            ygap=2,
            name="总计",
        )
    )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return layout_spaced(fig, title, height=max(260, 110 + 56 * len(rows)))


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
            hovertemplate=f"{template_text(x_label)}：%{{x}}<br>{template_text(name)}："
            f"%{{y:,.{decimals}f}}{_unit_suffix(unit)}<extra></extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"{value_label}（{unit}）" if unit else value_label, tickformat=",")
    return layout_spaced(fig, title)


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
                hovertemplate=f"%{{x}}<br>{template_text(metric)}（{template_text(name)}）：%{{y:,.2f}}{suffix}"
                "<extra></extra>",
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
                    font={"color": ALERT, "size": 11},
                )
    fig.update_layout(barmode="group")
    fig = layout_spaced(fig, title, height=460)
    fig.update_layout(legend={"y": -0.1})
    if omitted:
        # the note travels with the figure (a subtitle), so an exported chart still names them
        fig.update_layout(
            title={
                "subtitle": {
                    "text": f"未绘出（数值无效）：{omitted}",
                    "font": {"color": ALERT, "size": 12},
                }
            },
            margin={"t": 100},
        )
        fig.update_annotations(yshift=0)
    return fig
