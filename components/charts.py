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
    return layout(fig, title)


def area_format(unit_label: str) -> str:
    """d3 number format for an area unit: 亩 at most one decimal (none when whole), 公顷 two."""
    return ",.1~f" if unit_label == "亩" else ",.2f"


STATUS_COLORS = {
    "进行中": "#1f6f5c",
    "未开始": "#3b7dd8",
    "未到期": "#e07b39",
    "已结束": "#b8c4bf",
    "已到期": "#8a8f8c",
}


def gantt(frame: pd.DataFrame, title: str, today: date) -> go.Figure:
    """Milestones on a calendar, coloured by status, with a dashed line at ``today``.

    Columns (panhuo.timeline.milestone_frame): ``name``, ``shape`` (range / open / deadline),
    ``bar_start``, ``bar_end``, ``period_text``, ``status``, ``content``. Ranges and open-ended
    stages are bars (open ones hatched); deadlines are diamonds at their date.
    """
    fig = go.Figure()
    labels = list(dict.fromkeys(frame["name"]))
    shown: set[str] = set()
    for row in frame.itertuples():
        color = STATUS_COLORS.get(row.status, PALETTE[0])
        first = row.status not in shown
        shown.add(row.status)
        content = str(row.content)
        gist = content if len(content) <= 60 else content[:60] + "…"
        hover = f"<b>{row.name}</b><br>时间：{row.period_text}<br>状态：{row.status}<br>{gist}<extra></extra>"
        if row.shape == "deadline":
            fig.add_scatter(
                x=[pd.Timestamp(row.bar_end)],
                y=[row.name],
                mode="markers",
                marker={
                    "symbol": "diamond",
                    "size": 16,
                    "color": color,
                    "line": {"width": 1, "color": "#333"},
                },
                name=row.status,
                legendgroup=row.status,
                showlegend=first,
                hovertemplate=hover,
            )
            continue
        start, end = pd.Timestamp(row.bar_start), pd.Timestamp(row.bar_end) + pd.Timedelta(days=1)
        fig.add_bar(
            y=[row.name],
            x=[(end - start).total_seconds() * 1000],
            base=[start],
            orientation="h",
            marker={
                "color": color,
                "pattern": {"shape": "/" if row.shape == "open" else ""},
            },
            name=row.status,
            legendgroup=row.status,
            showlegend=first,
            hovertemplate=hover,
        )
    starts = [pd.Timestamp(d) for d in frame["bar_start"].dropna()] + [pd.Timestamp(today)]
    ends = [pd.Timestamp(d) for d in frame["bar_end"].dropna()] + [pd.Timestamp(today)]
    span = max(ends) - min(starts)
    pad = max(span * 0.04, pd.Timedelta(days=20))
    fig.update_xaxes(type="date", tickformat="%Y-%m", range=[min(starts) - pad, max(ends) + pad])
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed")
    today_ms = pd.Timestamp(today).value / 1e6
    fig.add_vline(x=today_ms, line_dash="dash", line_color="#d1495b")
    # the label sits on the side of the line with more room, so it is never cut at the edge
    late = pd.Timestamp(today) > min(starts) + (max(ends) - min(starts)) / 2
    fig.add_annotation(
        x=today_ms,
        y=1.0,
        yref="paper",
        yanchor="bottom",
        xanchor="right" if late else "left",
        text=f"今天 {today:%Y-%m-%d}",
        showarrow=False,
        font={"color": "#d1495b"},
    )
    fig.update_layout(barmode="overlay", bargap=0.35)
    return layout(fig, title, height=max(260, 110 + 40 * len(labels)))


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

    def rgba(hex_color: str, alpha: float) -> str:
        h = hex_color.lstrip("#")
        return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"

    node_colors = [colors.get(use_of(label), "#7a7a7a") if "·" in label else "#7a7a7a" for label in labels]
    link_colors = [
        rgba(colors.get(use_of(s if "·" in s else t), "#7a7a7a"), 0.35)
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
    fig.add_bar(
        x=frame[key],
        y=frame[before],
        name=before_label,
        marker_color="#b8c4bf",
        hovertemplate=f"%{{x}}<br>{before_label}：%{{y:{number}}} {unit_label}<extra></extra>",
    )
    fig.add_bar(
        x=frame[key],
        y=frame[after],
        name=after_label,
        marker_color=PALETTE[0],
        hovertemplate=f"%{{x}}<br>{after_label}：%{{y:{number}}} {unit_label}<extra></extra>",
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
            marker_color=["#1f6f5c" if v > 0 else "#d1495b" if v < 0 else "#b8c4bf" for v in rows[value]],
            text=rows[text],
            textposition="outside",
            cliponaxis=False,
            customdata=rows[text],
            hovertemplate=f"%{{y}}<br>调整量：%{{customdata}} {unit_label}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color="#555", line_width=1)
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


def cumulative(
    frame: pd.DataFrame,
    title: str,
    unit_label: str,
    target: float | None = None,
    targets: pd.DataFrame | None = None,
) -> go.Figure:
    """Cumulative area per period (columns ``label``, ``cumulative``, ``cumulative_text``) against
    targets: ``targets`` rows with an ``x`` (the period label they fall due in) become markers,
    rows without one (or a bare ``target`` value) a dashed horizontal line."""
    x = frame["label"] if "label" in frame else frame["period"]
    text = (
        frame["cumulative_text"] if "cumulative_text" in frame else frame["cumulative"].map("{:,.2f}".format)
    )
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=frame["cumulative"],
            mode="lines+markers+text",
            name="累计面积",
            text=text,
            textposition=["top right" if i == 0 else "top left" for i in range(len(frame))],
            line={"color": PALETTE[0], "width": 3},
            marker={"size": 9},
            customdata=text,
            hovertemplate=f"%{{x}}<br>累计面积：%{{customdata}} {unit_label}<extra></extra>",
        )
    )
    lines = []
    if target is not None:
        lines.append((target, f"目标 {target:,.0f} {unit_label}"))
    if targets is not None and len(targets):
        placed = targets[targets["x"].notna() & targets["x"].isin(list(x))]
        # one legend entry per target, so the captions never overlap the line
        for row in placed.itertuples():
            fig.add_scatter(
                x=[row.x],
                y=[row.value],
                mode="markers",
                name=row.label,
                marker={"symbol": "star", "size": 16, "color": "#d1495b"},
                hovertemplate=f"%{{x}}<br>{row.label}<extra></extra>",
            )
        for row in targets.drop(placed.index).itertuples():
            lines.append((row.value, row.label))
    for value, label in lines:
        fig.add_hline(y=value, line_dash="dash", line_color="#d1495b", annotation_text=label,
                      annotation_position="bottom right")  # fmt: skip
    values = [*frame["cumulative"], *(v for v, _ in lines)]
    if targets is not None:
        values.extend(targets["value"])
    top = max(values, default=0)
    fig.update_xaxes(type="category", range=[-0.3, len(frame) - 0.7])
    fig.update_yaxes(title=f"累计面积（{unit_label}）", tickformat=",", range=[0, top * 1.15 if top else 1])
    return layout(fig, title)
