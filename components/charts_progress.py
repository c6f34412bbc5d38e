"""Charts of 进展监测 (/progress): completed against expected per 区县, the burn-up of the city and
of each 区县 (small multiples), and the lifecycle funnel.

Builders take the frames of :class:`panhuo.progress.monitor.Monitor` and return plotly figures;
no Streamlit here, so tests call them directly. Every bar and point carries its value as a label,
so a projected slide needs no hovering.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.chart_safety import template_text
from components.charts import area_format, layout
from components.theme import ALERT, MUTED, PALETTE, PRIMARY
from panhuo import palette

# traffic lights: the same colours in the table, the charts and the alert levels
LIGHT_COLORS = palette.LIGHT_COLORS
COMPLETED_COLOR, EXPECTED_COLOR, TARGET_LINE = PRIMARY, MUTED, ALERT
CITY = "全市"


def _number(value: object, unit_label: str) -> str:
    """A label's text: 亩 without needless decimals (one at most), 公顷 two; '' for no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{float(value):,.1f}".removesuffix(".0") if unit_label == "亩" else f"{float(value):,.2f}"


def sparse_labels(values, unit_label: str, most: int = 6) -> list[str]:
    """Labels for a line's points: all of them when there are few, else every k-th counted back
    from the last (the latest figure is always labelled), so labels never pile up."""
    values = list(values)
    shown = [i for i, v in enumerate(values) if _number(v, unit_label)]
    if len(shown) <= most:
        keep = set(shown)
    else:
        step = math.ceil(len(shown) / most)
        keep = set(shown[::-1][::step])
    return [_number(v, unit_label) if i in keep else "" for i, v in enumerate(values)]


def county_bars(rows: pd.DataFrame, title: str, unit_label: str) -> go.Figure:
    """Completed against expected per 区县 (columns county, completed, expected, light), each bar
    labelled with its value; a completed bar takes the colour of its traffic light."""
    fig = go.Figure()
    expected = rows["expected"].astype(float)
    if expected.notna().any():
        fig.add_bar(
            x=rows["county"],
            y=expected,
            name="应完成",
            marker_color=EXPECTED_COLOR,
            text=[_number(v, unit_label) for v in expected],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{x}}<br>应完成：%{{y:{area_format(unit_label)}}} {unit_label}<extra></extra>",
        )
    completed = rows["completed"].astype(float)
    fig.add_bar(
        x=rows["county"],
        y=completed,
        name="已完成",
        marker_color=[LIGHT_COLORS.get(str(light), COMPLETED_COLOR) for light in rows.get("light", [])]
        if "light" in rows and expected.notna().any()
        else COMPLETED_COLOR,
        text=[_number(v, unit_label) for v in completed],
        textposition="outside",
        cliponaxis=False,
        hovertemplate=f"%{{x}}<br>已完成：%{{y:{area_format(unit_label)}}} {unit_label}<extra></extra>",
    )
    top = max([*completed.dropna(), *expected.dropna(), 0])
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(rows["county"]))
    fig.update_yaxes(title=f"面积（{unit_label}）", tickformat=",", range=[0, top * 1.18 if top else 1])
    return layout(fig, title, height=400)


def _light_color(light: str) -> str:
    """A light's colour; no light (no target) keeps the completed colour."""
    return LIGHT_COLORS[light] if light in ("green", "amber", "red") else COMPLETED_COLOR


def _period_axis(fig: go.Figure, **where) -> None:
    fig.update_xaxes(type="date", tickformat="%Y-%m", **where)


def burnup(frame: pd.DataFrame, title: str, unit_label: str, county: str = CITY) -> go.Figure:
    """Cumulative completed per period against the target trajectory, for one 区县 (or 全市).

    ``frame`` is :attr:`Monitor.burnup` (period_id, period_label, period_end, county, completed,
    expected, target): completed is a line with its values as labels, the trajectory dashed,
    the target a dashed horizontal line.
    """
    rows = frame[frame["county"] == county].sort_values("period_end")
    fig = go.Figure()
    x = pd.to_datetime(rows["period_end"])
    labels = [template_text(v) for v in rows["period_label"]]
    expected = rows["expected"].astype(float)
    if expected.notna().any():
        fig.add_scatter(
            x=x,
            y=expected,
            mode="lines",
            name="目标进度（应完成）",
            line={"color": EXPECTED_COLOR, "width": 3, "dash": "dash"},
            customdata=labels,
            hovertemplate=f"%{{customdata}}<br>应完成：%{{y:{area_format(unit_label)}}} {unit_label}<extra></extra>",
        )
    completed = rows["completed"].astype(float)
    fig.add_scatter(
        x=x,
        y=completed,
        mode="lines+markers+text",
        name="累计完成",
        text=sparse_labels(completed, unit_label),
        textposition="top left",
        line={"color": COMPLETED_COLOR, "width": 3},
        marker={"size": 8},
        customdata=labels,
        hovertemplate=f"%{{customdata}}<br>累计完成：%{{y:{area_format(unit_label)}}} {unit_label}<extra></extra>",
    )
    targets = rows["target"].astype(float).dropna()
    top = max([*completed.dropna(), *expected.dropna(), 0])
    if len(targets):
        target = float(targets.iloc[-1])
        top = max(top, target)
        fig.add_hline(
            y=target,
            line_dash="dot",
            line_color=TARGET_LINE,
            annotation_text=f"目标 {_number(target, unit_label)} {unit_label}",
            annotation_position="top left",
        )
    _period_axis(fig)
    fig.update_yaxes(title=f"累计面积（{unit_label}）", tickformat=",", range=[0, top * 1.15 if top else 1])
    return layout(fig, title, height=400)


def burnup_grid(
    frame: pd.DataFrame, title: str, unit_label: str, columns: int = 2, lights: dict[str, str] | None = None
) -> go.Figure:
    """Small multiples: one burn-up per 区县 (全市 left out), completed against the trajectory,
    the latest completed value labelled; each panel its own scale (a 区县's own pace). With
    ``lights`` (区县 → light) a 区县's line takes the colour of its light."""
    counties = [c for c in dict.fromkeys(frame["county"]) if c != CITY]
    if not counties:
        return layout(go.Figure(), title)
    columns = max(1, min(columns, len(counties)))
    rows_n = math.ceil(len(counties) / columns)
    fig = make_subplots(
        rows=rows_n,
        cols=columns,
        subplot_titles=[template_text(c) for c in counties],
        horizontal_spacing=0.08,
        vertical_spacing=0.16 if rows_n > 1 else 0.1,
    )
    for i, county in enumerate(counties):
        r, c = i // columns + 1, i % columns + 1
        rows = frame[frame["county"] == county].sort_values("period_end")
        x = pd.to_datetime(rows["period_end"])
        labels = [template_text(v) for v in rows["period_label"]]
        expected = rows["expected"].astype(float)
        if expected.notna().any():
            fig.add_scatter(
                x=x,
                y=expected,
                mode="lines",
                name="目标进度（应完成）",
                legendgroup="expected",
                showlegend=False,
                line={"color": EXPECTED_COLOR, "width": 2, "dash": "dash"},
                customdata=labels,
                hovertemplate=f"{template_text(county)}<br>%{{customdata}}<br>应完成：%{{y:{area_format(unit_label)}}} "
                f"{unit_label}<extra></extra>",
                row=r,
                col=c,
            )
        completed = rows["completed"].astype(float)
        last = int(completed.reset_index(drop=True).last_valid_index() or 0)  # later periods: NaN
        fig.add_scatter(
            x=x,
            y=completed,
            mode="lines+markers+text",
            name="累计完成",
            legendgroup="completed",
            showlegend=False,
            text=[_number(v, unit_label) if j == last else "" for j, v in enumerate(completed)],
            textposition="top left",
            line={"color": _light_color((lights or {}).get(county, "")), "width": 2},
            marker={"size": 5},
            customdata=labels,
            hovertemplate=f"{template_text(county)}<br>%{{customdata}}<br>累计完成：%{{y:{area_format(unit_label)}}} "
            f"{unit_label}<extra></extra>",
            row=r,
            col=c,
        )
        top = max([*completed.dropna(), *expected.dropna(), 0])
        fig.update_yaxes(range=[0, top * 1.25 if top else 1], tickformat=",", row=r, col=c)
    # the legend once, in neutral colours (each 区县's line may be in the colour of its light)
    fig.add_scatter(x=[None], y=[None], mode="lines", name="目标进度（应完成）",
                    line={"color": EXPECTED_COLOR, "width": 2, "dash": "dash"}, hoverinfo="skip")  # fmt: skip
    fig.add_scatter(x=[None], y=[None], mode="lines+markers", name="累计完成" + ("（按亮灯着色）" if lights else ""),
                    line={"color": COMPLETED_COLOR, "width": 2}, marker={"size": 5}, hoverinfo="skip")  # fmt: skip
    _period_axis(fig, nticks=4)
    return layout(
        fig,
        title,
        height=max(300, 110 + 230 * rows_n),
        title_space=80,
        legend_y=-0.08 if rows_n > 1 else -0.2,
    )


def funnel(frame: pd.DataFrame, title: str, unit_label: str) -> go.Figure:
    """The lifecycle: count and area of records at each stage, side by side, in stage order
    (columns stage, stage_label, order, count, area), every bar labelled."""
    rows = frame.sort_values("order")
    stages = [template_text(s) for s in rows["stage_label"]]
    fig = make_subplots(
        rows=1,
        cols=2,
        shared_yaxes=True,
        subplot_titles=["个数", f"面积（{unit_label}）"],
        horizontal_spacing=0.04,
    )
    fig.add_bar(
        y=stages,
        x=rows["count"],
        orientation="h",
        name="个数",
        marker_color=PALETTE[2],
        text=[f"{int(v):,}" for v in rows["count"]],
        textposition="outside",
        cliponaxis=False,
        customdata=list(rows["stage"]),
        hovertemplate="%{y}<br>个数：%{x:,}<extra></extra>",
        row=1,
        col=1,
    )
    fig.add_bar(
        y=stages,
        x=rows["area"].astype(float),
        orientation="h",
        name="面积",
        marker_color=PALETTE[0],
        text=[_number(v, unit_label) for v in rows["area"]],
        textposition="outside",
        cliponaxis=False,
        customdata=list(rows["stage"]),
        hovertemplate=f"%{{y}}<br>面积：%{{x:{area_format(unit_label)}}} {unit_label}<extra></extra>",
        row=1,
        col=2,
    )
    for col, values in ((1, rows["count"]), (2, rows["area"])):
        top = float(pd.Series(values, dtype=float).max() or 0)
        fig.update_xaxes(range=[0, top * 1.3 if top else 1], tickformat=",", row=1, col=col)
    fig.update_yaxes(categoryorder="array", categoryarray=stages, autorange="reversed")
    fig.update_layout(showlegend=False)
    return layout(fig, title, height=max(280, 110 + 44 * len(rows)), title_space=80)
