"""The house style of every chart, and the plain bar charts several pages share.

Chart builders take a DataFrame and return a plotly figure; no Streamlit here, so tests call
them directly. Hover labels are Chinese and carry units. Colours and fonts come from
:mod:`components.theme`. The builders of one page's own charts are in ``charts_structure``
(结构调整), ``charts_timeline`` (时序安排), ``charts_potential`` (潜力与强度) and
``charts_policy`` (政策与任务).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.theme import DEMO_INK, FONT, LISTED_COLOR, PALETTE, TARGET_COLOR, TRANSPARENT


def layout(
    fig: go.Figure, title: str = "", height: int = 380, title_space: int = 50, legend_y: float = -0.15
) -> go.Figure:
    """The house style every chart builder applies: CJK font, quiet background, legend below."""
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 10, "t": title_space if title else 20, "b": 10},
        legend={"orientation": "h", "y": legend_y},
        hoverlabel={"font": {"family": FONT}},
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
        separators=".,",
    )
    return fig


def layout_spaced(fig: go.Figure, title: str = "", height: int = 380) -> go.Figure:
    """:func:`layout` with more room for the title and the legend (潜力与强度, 政策与任务)."""
    return layout(fig, title, height, title_space=56, legend_y=-0.18)


def area_format(unit_label: str) -> str:
    """d3 number format for an area unit: 亩 at most one decimal (none when whole), 公顷 two."""
    return ",.1~f" if unit_label == "亩" else ",.2f"


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
    return layout(fig, title, height=max(220, 60 + 34 * len(frame)))


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
    hover_text: str | None = None,
) -> go.Figure:
    """Vertical bars of ``y`` per ``x`` stacked by ``color`` (long-format frame).

    ``hover_text`` names a column of preformatted values for the hover (亩 without decimals,
    counts as integers); without it the hover shows ``y`` with two decimals.
    """
    fig = go.Figure()
    value = "%{customdata}" if hover_text else "%{y:,.2f}"
    for i, (name, part) in enumerate(frame.groupby(color, sort=False)):
        fig.add_bar(
            x=part[x],
            y=part[y],
            name=str(name),
            marker_color=(colors or {}).get(str(name), PALETTE[i % len(PALETTE)]),
            customdata=part[hover_text] if hover_text else None,
            hovertemplate=f"{x_label}：%{{x}}<br>{color_label}：{name}<br>{value_label}："
            f"{value} {unit_label}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"{value_label}（{unit_label}）" if unit_label else value_label, tickformat=",")
    # keep the x order of the frame (periods in time order) whichever group comes first
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=list(dict.fromkeys(frame[x])))
    return layout(fig, title)


def target_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Listed count against target count per category (columns category, target, listed)."""
    fig = go.Figure()
    fig.add_bar(
        x=frame["category"],
        y=frame["target"],
        name="目标",
        marker_color=TARGET_COLOR,
        hovertemplate="%{x}<br>目标：%{y} 个<extra></extra>",
    )
    fig.add_bar(
        x=frame["category"],
        y=frame["listed"],
        name="清单",
        marker_color=LISTED_COLOR,
        hovertemplate="%{x}<br>清单：%{y} 个<extra></extra>",
    )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="个数")
    return layout(fig, title)


def demo_mark(fig: go.Figure, label: str) -> go.Figure:
    """Mark a chart of a demonstration plan (in place; nothing when ``label`` is ''): the label
    after the title (or as the title), and a faint 模拟数据 across the plot, so that neither the
    chart nor a screenshot of it can pass for real figures. :func:`components.chart_view.plotly_chart`
    applies it to every chart of such a plan."""
    if not label:
        return fig
    title = fig.layout.title.text or ""
    if label not in title:
        fig.update_layout(title={"text": f"{title}｜{label}" if title else label, "x": 0})
        if not title:
            margin = fig.layout.margin.t
            fig.update_layout(margin={"t": max(margin or 0, 50)})
    fig.add_annotation(
        text="模拟数据",
        name="demo_watermark",
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        textangle=-20,
        opacity=0.15,
        font={"size": 56, "family": FONT, "color": DEMO_INK},
    )
    return fig
