"""Chart builders: DataFrame in, plotly figure out. No Streamlit here, so tests call them directly.

Hover labels are Chinese and carry units; fonts name CJK families present on intranet PCs
(Microsoft YaHei) and on Debian (Noto Sans CJK).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

FONT = "Microsoft YaHei, Noto Sans CJK SC, PingFang SC, sans-serif"
PALETTE = ["#1f6f5c", "#e07b39", "#3b7dd8", "#c4a22b", "#8e5bb5", "#d1495b", "#5b8e7d", "#7a7a7a"]
STAGE_COLORS = {"储备": "#b8c4bf", "计划实施": "#e0a458", "正在实施": "#1f6f5c", "已完成": "#3b7dd8"}


def _layout(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": 50 if title else 20, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hoverlabel={"font": {"family": FONT}},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        separators=".,",
    )
    return fig


def bar_totals(groups: pd.DataFrame, title: str, unit_label: str, key_label: str) -> go.Figure:
    """Horizontal bars of area per group (columns key, count, area_value, area_text)."""
    frame = groups.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=frame["area_value"],
            y=frame["key"],
            orientation="h",
            marker_color=PALETTE[0],
            text=frame["area_text"],
            textposition="auto",
            customdata=frame[["count", "area_text"]],
            hovertemplate=f"{key_label}：%{{y}}<br>面积：%{{customdata[1]}} {unit_label}"
            "<br>数量：%{customdata[0]}<extra></extra>",
        )
    )
    fig.update_xaxes(title=f"面积（{unit_label}）", tickformat=",")
    return _layout(fig, title, height=max(220, 60 + 34 * len(frame)))


def stacked_bars(
    frame: pd.DataFrame,
    x: str,
    y: str,
    color: str,
    title: str,
    unit_label: str,
    x_label: str,
    color_label: str,
    colors: dict[str, str] | None = None,
    value_label: str = "面积",
) -> go.Figure:
    """Vertical bars of ``y`` per ``x`` stacked by ``color`` (long-format frame)."""
    fig = go.Figure()
    for i, (name, part) in enumerate(frame.groupby(color, sort=False)):
        fig.add_bar(
            x=part[x],
            y=part[y],
            name=str(name),
            marker_color=(colors or {}).get(str(name), PALETTE[i % len(PALETTE)]),
            hovertemplate=f"{x_label}：%{{x}}<br>{color_label}：{name}<br>{value_label}："
            f"%{{y:,.2f}} {unit_label}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"{value_label}（{unit_label}）" if unit_label else value_label, tickformat=",")
    fig.update_xaxes(type="category")
    return _layout(fig, title)


def target_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Listed count against target count per category (columns category, target, listed)."""
    fig = go.Figure()
    fig.add_bar(
        x=frame["category"],
        y=frame["target"],
        name="目标",
        marker_color="#b8c4bf",
        hovertemplate="%{x}<br>目标：%{y} 个<extra></extra>",
    )
    fig.add_bar(
        x=frame["category"],
        y=frame["listed"],
        name="清单",
        marker_color=PALETTE[0],
        hovertemplate="%{x}<br>清单：%{y} 个<extra></extra>",
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="个数")
    return _layout(fig, title)


def gantt(frame: pd.DataFrame, title: str, today: date) -> go.Figure:
    """Milestones as horizontal bars (columns name, start, end, label, content); a line at today."""
    fig = go.Figure()
    for i, row in enumerate(frame.itertuples()):
        start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
        duration_ms = max((end - start).total_seconds() * 1000, 86400000 * 10)
        fig.add_bar(
            y=[row.label],
            x=[duration_ms],
            base=[start],
            orientation="h",
            marker_color=PALETTE[i % len(PALETTE)],
            name=row.label,
            showlegend=False,
            customdata=[[row.period_text, row.content]],
            hovertemplate="%{y}<br>%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
        )
    fig.update_xaxes(type="date", tickformat="%Y-%m")
    fig.update_yaxes(autorange="reversed")
    today_ts = pd.Timestamp(today)
    fig.add_vline(x=today_ts.value / 1e6, line_dash="dash", line_color="#d1495b")
    fig.add_annotation(
        x=today_ts.value / 1e6,
        y=1.02,
        yref="paper",
        text=f"今天 {today:%Y-%m-%d}",
        showarrow=False,
        font={"color": "#d1495b"},
    )
    return _layout(fig, title, height=max(260, 80 + 38 * len(frame)))


def sankey(flows: pd.DataFrame, title: str, unit_label: str) -> go.Figure:
    """Flows between current and planned uses (columns source, target, value)."""
    sources = [f"现状·{s}" for s in flows["source"]]
    targets = [f"规划·{t}" for t in flows["target"]]
    labels = list(dict.fromkeys(sources + targets))
    index = {label: i for i, label in enumerate(labels)}
    fig = go.Figure(
        go.Sankey(
            node={
                "label": labels,
                "pad": 18,
                "color": [PALETTE[i % len(PALETTE)] for i in range(len(labels))],
            },
            link={
                "source": [index[s] for s in sources],
                "target": [index[t] for t in targets],
                "value": flows["value"],
                "hovertemplate": f"%{{source.label}} → %{{target.label}}<br>"
                f"%{{value:,.2f}} {unit_label}<extra></extra>",
            },
        )
    )
    return _layout(fig, title, height=420)


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
    fig = go.Figure()
    fig.add_bar(
        x=frame[key],
        y=frame[before],
        name=before_label,
        marker_color="#b8c4bf",
        hovertemplate=f"%{{x}}<br>{before_label}：%{{y:,.2f}} {unit_label}<extra></extra>",
    )
    fig.add_bar(
        x=frame[key],
        y=frame[after],
        name=after_label,
        marker_color=PALETTE[0],
        hovertemplate=f"%{{x}}<br>{after_label}：%{{y:,.2f}} {unit_label}<extra></extra>",
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title=unit_label, tickformat=",")
    return _layout(fig, title)


def heatmap(matrix: pd.DataFrame, title: str, unit_label: str, text: pd.DataFrame | None = None) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(dtype=float),
            x=list(matrix.columns),
            y=list(matrix.index),
            colorscale="Greens",
            text=(text if text is not None else matrix).to_numpy(),
            texttemplate="%{text}",
            hovertemplate=f"%{{y}} · %{{x}}<br>%{{z:,.2f}} {unit_label}<extra></extra>",
            colorbar={"title": unit_label},
        )
    )
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(260, 90 + 44 * len(matrix)))


def cumulative(frame: pd.DataFrame, title: str, unit_label: str, target: float | None) -> go.Figure:
    """Cumulative area per period (columns period, cumulative) against a target line."""
    fig = go.Figure(
        go.Scatter(
            x=frame["period"],
            y=frame["cumulative"],
            mode="lines+markers",
            name="累计面积",
            line={"color": PALETTE[0], "width": 3},
            hovertemplate=f"%{{x}}<br>累计：%{{y:,.2f}} {unit_label}<extra></extra>",
        )
    )
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color="#d1495b",
            annotation_text=f"目标 {target:,.0f} {unit_label}",
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(title=f"面积（{unit_label}）", tickformat=",")
    return _layout(fig, title)
