"""Charts of the 时序安排 page: milestones on a calendar (Gantt) and cumulative area against targets."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from components.chart_safety import template_text
from components.charts import layout
from components.theme import ALERT, MARKER_EDGE, PALETTE, STATUS_COLORS


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
        name, period, status, gist = (template_text(v) for v in (row.name, row.period_text, row.status, gist))
        hover = f"<b>{name}</b><br>时间：{period}<br>状态：{status}<br>{gist}<extra></extra>"
        if row.shape == "deadline":
            fig.add_scatter(
                x=[pd.Timestamp(row.bar_end)],
                y=[row.name],
                mode="markers",
                marker={
                    "symbol": "diamond",
                    "size": 16,
                    "color": color,
                    "line": {"width": 1, "color": MARKER_EDGE},
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
    fig.add_vline(x=today_ms, line_dash="dash", line_color=ALERT)
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
        font={"color": ALERT},
    )
    fig.update_layout(barmode="overlay", bargap=0.35)
    return layout(fig, title, height=max(260, 110 + 40 * len(labels)))


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
                marker={"symbol": "star", "size": 16, "color": ALERT},
                hovertemplate=f"%{{x}}<br>{template_text(row.label)}<extra></extra>",
            )
        for row in targets.drop(placed.index).itertuples():
            lines.append((row.value, row.label))
    for value, label in lines:
        fig.add_hline(y=value, line_dash="dash", line_color=ALERT, annotation_text=label,
                      annotation_position="bottom right")  # fmt: skip
    values = [*frame["cumulative"], *(v for v, _ in lines)]
    if targets is not None:
        values.extend(targets["value"])
    top = max(values, default=0)
    fig.update_xaxes(type="category", range=[-0.3, len(frame) - 0.7])
    fig.update_yaxes(title=f"累计面积（{unit_label}）", tickformat=",", range=[0, top * 1.15 if top else 1])
    return layout(fig, title)
