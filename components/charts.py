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
from panhuo.units import find_unit, format_in, format_number

# a bar's value written on it: segment labels smaller than this are hidden rather than shrunk
LABEL_MIN_PX = 11
TOTAL_LABEL = "bar_total"  # the name of the annotations above stacked bars


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


def value_text(value: float, unit_label: str) -> str:
    """A figure as a bar's label: an area in its unit's house format (亩 at most one decimal,
    公顷 two), any other quantity whole when whole, else with two decimals.

    >>> value_text(1000.0, "亩"), value_text(2.25, "公顷"), value_text(2.0, "个")
    ('1,000', '2.25', '2')
    """
    value = float(value)  # numpy floats print as np.float64(…), which Decimal cannot read
    if find_unit(unit_label) is not None:
        return format_in(value, unit_label)
    return format_number(value, 0 if value.is_integer() else 2)


def _headroom(values: pd.Series, share: float = 0.14) -> list[float] | None:
    """An axis range with room beyond the longest bar for its label (None for negative bars)."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    if values.empty or (values < 0).any() or values.max() <= 0:
        return None
    return [0, float(values.max()) * (1 + share)]


def bar_totals(groups: pd.DataFrame, title: str, unit_label: str, key_label: str) -> go.Figure:
    """Horizontal bars of area per group (columns key, count, area_value, area_text); each bar
    carries its value as a label, outside the bar (the axis leaves room for it)."""
    frame = groups.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=frame["area_value"],
            y=frame["key"],
            orientation="h",
            marker_color=PALETTE[0],
            text=frame["area_text"],
            textposition="outside",
            cliponaxis=False,
            customdata=frame[["count", "area_text"]],
            hovertemplate=f"{key_label}：%{{y}}<br>面积：%{{customdata[1]}} {unit_label}"
            "<br>数量：%{customdata[0]}<extra></extra>",
        )
    )
    fig.update_xaxes(title=f"面积（{unit_label}）", tickformat=",", range=_headroom(frame["area_value"], 0.2))
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
    labels: bool = True,
) -> go.Figure:
    """Vertical bars of ``y`` per ``x`` stacked by ``color`` (long-format frame).

    ``hover_text`` names a column of preformatted values for the hover (亩 without decimals,
    counts as integers); without it the hover shows ``y`` with two decimals. With ``labels``
    (a projected slide has no hover), each bar's total stands above it (annotations named
    :data:`TOTAL_LABEL`) and each segment of a bar of several carries its value inside, where it
    fits at :data:`LABEL_MIN_PX` or more (smaller segments show none rather than a cramped one).
    """
    fig = go.Figure()
    value = "%{customdata}" if hover_text else "%{y:,.2f}"
    order = list(dict.fromkeys(frame[x]))
    # a bar of one segment carries only its total: the same figure twice says nothing more
    segments = frame[pd.to_numeric(frame[y], errors="coerce").fillna(0) != 0].groupby(x, sort=False).size()
    for i, (name, part) in enumerate(frame.groupby(color, sort=False)):
        texts = part[hover_text] if hover_text else pd.Series([value_text(v, unit_label) for v in part[y]])
        texts = [t if segments.get(k, 0) > 1 else "" for t, k in zip(texts, part[x], strict=True)]
        fig.add_bar(
            x=part[x],
            y=part[y],
            name=str(name),
            marker_color=(colors or {}).get(str(name), PALETTE[i % len(PALETTE)]),
            customdata=part[hover_text] if hover_text else None,
            text=texts if labels else None,
            textposition="inside" if labels else None,
            insidetextanchor="middle" if labels else None,
            textangle=0,
            hovertemplate=f"{x_label}：%{{x}}<br>{color_label}：{name}<br>{value_label}："
            f"{value} {unit_label}<extra></extra>",
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(title=f"{value_label}（{unit_label}）" if unit_label else value_label, tickformat=",")
    # keep the x order of the frame (periods in time order) whichever group comes first
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    if labels and not frame.empty:
        totals = frame.groupby(x, sort=False)[y].sum()
        for position, key in enumerate(order):
            # x as the category's position: the category names are made inert after this
            fig.add_annotation(
                x=position, y=float(totals[key]), text=value_text(totals[key], unit_label), name=TOTAL_LABEL,
                showarrow=False, yanchor="bottom", yshift=2, font={"size": 13},
            )  # fmt: skip
        fig.update_layout(uniformtext={"minsize": LABEL_MIN_PX, "mode": "hide"})
        fig.update_yaxes(range=_headroom(totals))
    return layout(fig, title)


def target_bars(frame: pd.DataFrame, title: str) -> go.Figure:
    """Listed count against target count per category (columns category, target, listed)."""
    fig = go.Figure()
    for column, name, color in (("target", "目标", TARGET_COLOR), ("listed", "清单", LISTED_COLOR)):
        fig.add_bar(
            x=frame["category"],
            y=frame[column],
            name=name,
            marker_color=color,
            text=[value_text(v, "个") if pd.notna(v) else "" for v in frame[column]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{x}}<br>{name}：%{{y}} 个<extra></extra>",
        )
    fig.update_layout(barmode="group")
    fig.update_yaxes(title="个数", range=_headroom(pd.concat([frame["target"], frame["listed"]])))
    fig = layout(fig, title)
    # the legend above the plot, right: below it, long category names slanted on a phone run into it
    fig.update_layout(legend={"y": 1.0, "yanchor": "bottom", "x": 1, "xanchor": "right"})
    return fig


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
