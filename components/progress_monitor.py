"""The widgets of 进展监测 (/progress): the period, headline figures, the 区县 table with traffic
lights and rank (亮晒比拼), completed against expected by 区县, the burn-up of the city and of each
区县, the lifecycle funnel, plan against actual per record, the slipped records and the warnings
(预警) — all from approved reports only (:class:`panhuo.progress.monitor.Monitor`). Also the compact
预警 block of 总览. The page (``app_pages/progress.py``) puts them in order.

Drilling: a 区县 (a bar, a cell of the 区县 table, a warning about a 区县) opens 明细 filtered to
it, through the sidebar's filters (:func:`components.sidebar.request_view`). The records behind a
stage of the funnel or behind a warning are a set of ids, which no sidebar filter expresses; 明细
has no id filter, and one would be a view-state parameter every page and link then carries for
one page's sake. So those records are listed right here, under the chart or the warning
(:func:`record_list`), with the link to 明细 of their 区县 beside them.

The Monitor of a plan, period and unit is computed once and cached (:func:`monitor`), keyed by
:meth:`Progress.history_token`, which changes with any report, breakdown or milestone written.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components import cached as data
from components import charts_progress as charts
from components.chart_view import plotly_chart
from components.drilldown import drill_to_records, goto
from components.kpi import kpi_row
from components.routes import PAGE_FILES
from components.sidebar import request_view, set_page_param
from components.text import plain
from panhuo.access import Action, User
from panhuo.export import Rate
from panhuo.model import Plan
from panhuo.progress import Period, Progress
from panhuo.progress.monitor import Monitor, MonitorSettings, monitor_for
from panhuo.store import Store, StoreUnavailable, unavailable_on_failure
from panhuo.units import unit_label
from panhuo.views import Metric

PERIOD_PARAM, VIEW_PARAM = "period", "view"
LIGHT_MARK = "●"  # a coloured dot before the light's name (no emoji: the colour comes from the style)
LEVEL_LABELS = {"red": "红色预警", "amber": "黄色预警"}
SHOWN_ROWS = 500  # record tables on screen; the download carries every row
_TTL = 6 * 3600
_TOKENS: dict[str, str] = {}  # plan id → the history token the cached monitors were made with
_KEYS: dict[int, tuple] = {}  # id of a cached monitor → its cache key (the key of its charts)
_LOCK = threading.Lock()


# ------------------------------------------------------------------ the cached figures


def open_progress() -> Progress | None:
    """Progress on the settings' store. In public mode the database is only read (never created
    or upgraded, as the catalog does): None when there is none. Raises StoreUnavailable."""
    s = data.settings()
    if not s.public_mode:
        return Progress(data.store())
    with unavailable_on_failure():
        store = Store(settings=s)
        return Progress(store) if store.exists() else None


@st.cache_resource(show_spinner="正在读取进展数据…", max_entries=4, ttl=_TTL)
def _history(url: str, plan_id: str, token: str, _progress: Progress, _plan: Plan):
    """Every approved entry of the plan (one query), shared until anything is written."""
    return _progress.approved_history(_plan)


@st.cache_resource(show_spinner="正在计算进展监测…", max_entries=16, ttl=_TTL)
def _monitor(
    url: str,
    plan_id: str,
    revision: int,
    token: str,
    period_id: str,
    unit: str,
    thresholds: tuple[float, float, int],
    today: dt.date,
    _plan: Plan,
    _progress: Progress,
) -> Monitor | None:
    """One plan's figures for a period and unit. Shared by every session and never changed
    (pages only read it): the key holds everything the figures depend on."""
    green, amber, stale = thresholds
    settings = MonitorSettings(green=green, amber=amber, stale_periods=stale)
    history = _history(url, plan_id, token, _progress, _plan)
    return monitor_for(_progress, _plan, period_id or None, unit, settings, today=today, history=history)


def monitor(progress: Progress, plan: Plan, period_id: str | None, unit: str) -> Monitor | None:
    """The Monitor for ``plan`` (cached until anything of its progress is written); None when
    the plan has no records or no period has begun."""
    token = progress.history_token(plan)
    with _LOCK:
        changed = _TOKENS.get(plan.id) not in (None, token)
        _TOKENS[plan.id] = token
    if changed:  # a write: the figures made before it are of no use to anyone any more
        _monitor.clear()
        _history.clear()
        _figure_dict.clear()
    s = data.settings()
    key = (
        progress.store.url,
        plan.id,
        data.plan_revision(plan.id),
        token,
        period_id or "",
        unit,
        (float(s.monitor_green), float(s.monitor_amber), int(s.stale_periods)),
        progress.today(),
    )
    m = _monitor(*key, plan, progress)
    if m is not None:
        with _LOCK:
            if id(m) not in _KEYS:  # forgotten with the monitor (an id can be reused after)
                weakref.finalize(m, _KEYS.pop, id(m), None)
            _KEYS[id(m)] = key
    return m


# ------------------------------------------------------------------ formatting


def area_text(value: object, unit: str) -> str:
    """An area in the page's unit: 亩 one decimal at most, 公顷 two; '—' for none."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if unit == "ha":
        return f"{float(value):,.2f}"
    return f"{float(value):,.1f}".removesuffix(".0")


def percent_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{float(value):.1f}%"


def day_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# ------------------------------------------------------------------ the period


def closed_periods(monitor_periods: list[Period], today: dt.date) -> list[Period]:
    """The periods whose figures can be shown: those that have ended (reports are approved only
    after a period's end); the first one while none has."""
    closed = [p for p in monitor_periods if p.is_closed(today)]
    return closed or monitor_periods[:1]


def period_choice(periods: list[Period], default: Period, plan_id: str) -> Period:
    """报送期, newest first, default the latest; a link's ``period`` chooses it, and a choice is
    written back to the link (dropped again when it is the default)."""
    key, asked_key = f"monitor_period_{plan_id}", f"_monitor_period_asked_{plan_id}"
    ids = [p.id for p in reversed(periods)]
    labels = {p.id: p.label for p in periods}
    asked = st.query_params.get(PERIOD_PARAM)
    if asked and asked != st.session_state.get(asked_key):  # a link that names a period
        if asked in ids:
            st.session_state[key] = asked
        else:
            st.warning(f"链接中的报送期“{plain(asked, limit=40)}”不适用于本规划，已显示最新一期。",
                       icon=":material/warning:")  # fmt: skip
    st.session_state[asked_key] = asked
    if st.session_state.get(key) not in ids:
        st.session_state[key] = default.id
    chosen = st.selectbox("报送期", ids, format_func=labels.get, key=key)
    set_page_param(PERIOD_PARAM, "" if chosen == default.id else chosen)
    st.session_state[asked_key] = st.query_params.get(PERIOD_PARAM)
    return periods[[p.id for p in periods].index(chosen)]


def alerts_first() -> bool:
    """``?view=alerts``: the warnings open the page (meeting mode's rotation links to it)."""
    return st.query_params.get(VIEW_PARAM) == "alerts"


# ------------------------------------------------------------------ headline figures


def _light_counts(m: Monitor) -> dict[str, int]:
    counts = {"red": 0, "amber": 0, "green": 0, "none": 0}
    for row in m.counties:
        counts[row.light] = counts.get(row.light, 0) + 1
    return counts


def _reporting_counts(m: Monitor) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in m.counties:
        counts[row.reporting] = counts.get(row.reporting, 0) + 1
    return counts


def headline(m: Monitor) -> list[Metric]:
    """The six figures the leading group asks for first: completed, the rate against the target,
    expected by the as-of date, the city's light, 区县 lit red/amber, reports missing or late."""
    city, unit = m.city, m.unit_label
    lights, reporting = _light_counts(m), _reporting_counts(m)
    target = f"目标 {area_text(city.target, m.unit)} {unit}" if city.target is not None else "未设面积目标"
    as_of = day_text(m.as_of)
    vs = f"（{percent_text(city.vs_expected)}）" if city.vs_expected is not None else ""
    return [
        Metric("累计完成", f"{area_text(city.completed, m.unit)} {unit}",
               f"截至{m.period.label}审核通过的累计再开发面积（{target}）"),
        Metric(f"完成率（{target}）", percent_text(city.rate), "累计完成 ÷ 全市目标"),
        Metric(f"截至{as_of}应完成", f"{area_text(city.expected, m.unit)} {unit}" if city.expected is not None
               else "—", m.target_note),
        Metric("全市进度", f"{city.light_label}{vs}",
               f"已完成占应完成：绿灯 ≥ {m.settings.green:g}%，黄灯 ≥ {m.settings.amber:g}%"),
        Metric("区县亮灯", f"红 {lights['red']} · 黄 {lights['amber']} · 绿 {lights['green']}",
               "按各区县已完成占其应完成的百分比"),
        Metric("本期报送", f"未报 {reporting.get('missing', 0)} · 逾期 {reporting.get('late', 0)}",
               f"{m.period.label}：未报送与逾期报送的区县个数"),
    ]  # fmt: skip


def headline_cards(m: Monitor) -> None:
    kpi_row(headline(m))


# ------------------------------------------------------------------ the 区县 table


def _number_config(frame: pd.DataFrame, unit: str) -> dict:
    """Number formats for the numeric columns: areas in the unit's decimals, percents, ranks."""
    area = "%,.2f" if unit == "ha" else "%,.1f"
    config = {}
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        if "%" in column:  # the header says 百分比 already: 61.5
            config[column] = st.column_config.NumberColumn(column, format="%.1f")
        elif column == "排名":
            config[column] = st.column_config.NumberColumn(column, format="%d", width="small")
        elif f"（{unit_label(unit)}）" not in column:  # counts
            config[column] = st.column_config.NumberColumn(column, format="%d")
        else:
            config[column] = st.column_config.NumberColumn(column, format=area)
    return config


def county_rates(m: Monitor, table: pd.DataFrame) -> dict:
    """The 区县 table's rates for its XLSX: the 合计 row recomputes them from the summed areas."""
    ul = m.unit_label
    done, target, expected = f"已完成（{ul}）", f"目标（{ul}）", f"截至期末应完成（{ul}）"
    rates = {"完成率（%）": Rate(done, target), "进度（占应完成，%）": Rate(done, expected)}
    return {c: r for c, r in rates.items() if {c, r.numerator, r.denominator} <= set(table.columns)}


def ranked(table: pd.DataFrame) -> pd.DataFrame:
    """The 区县 table in rank order (亮晒比拼; ties and unranked in plan order), 全市 last."""
    if "排名" not in table:
        return table
    city = table["区县"] == charts.CITY
    rest = table[~city].copy()
    rest["_order"] = range(len(rest))
    rest = rest.sort_values(["排名", "_order"], na_position="last", kind="stable").drop(columns="_order")
    return pd.concat([rest, table[city]], ignore_index=True)


def _light_style(frame: pd.DataFrame, m: Monitor) -> pd.DataFrame:
    colors = {row.light_label: charts.LIGHT_COLORS.get(row.light, "") for row in [m.city, *m.counties]}
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    if "亮灯" in frame:
        for i, text in frame["亮灯"].items():
            label = str(text).removeprefix(LIGHT_MARK).strip()
            if colors.get(label):
                styles.loc[i, "亮灯"] = f"color: {colors[label]}; font-weight: 600"
    return styles


def county_table(m: Monitor, key: str) -> pd.DataFrame:
    """The 区县 table in rank order, the light as a coloured dot and its name; a click on any cell
    opens 明细 of that 区县 (全市: every 区县). Returns the table as shown (for the download)."""
    table = ranked(m.county_table())
    shown = table.copy()
    if "亮灯" in shown:
        shown["亮灯"] = [f"{LIGHT_MARK} {v}" if str(v).strip() else "" for v in shown["亮灯"]]
    if {"已填报记录", "记录数"} <= set(shown.columns):  # one narrow column on screen: 10 / 12
        shown["已填报/记录"] = [
            f"{a} / {b}" for a, b in zip(shown["已填报记录"], shown["记录数"], strict=True)
        ]
        shown = shown.drop(columns=["已填报记录", "记录数"])
    event = st.dataframe(
        shown.style.apply(lambda f: _light_style(f, m), axis=None),
        hide_index=True,
        width="stretch",
        key=key,
        column_config=_number_config(shown, m.unit),
        on_select="rerun",
        selection_mode="single-cell",
    )
    county = clicked_county(shown, event)
    if county is not None:
        drill_counties(() if county == charts.CITY else (county,))
    return table


def clicked_county(table: pd.DataFrame, event) -> str | None:
    """The 区县 of the row a cell was clicked in (None when nothing was)."""
    selection = getattr(event, "selection", None) or {}
    cells = list(
        selection.get("cells", []) if isinstance(selection, dict) else getattr(selection, "cells", [])
    )
    rows = [int(cell[0]) for cell in cells] + list(
        selection.get("rows", []) if isinstance(selection, dict) else getattr(selection, "rows", [])
    )
    rows = [r for r in rows if 0 <= r < len(table)]
    return str(table.iloc[rows[0]]["区县"]) if rows else None


def drill_counties(counties: tuple[str, ...]) -> None:
    """明细 filtered to these 区县 (none: all)."""
    request_view(counties=counties)
    goto("records")


def _county_bars(m: Monitor) -> go.Figure:
    rows = pd.DataFrame(
        [{"county": r.county, "completed": r.completed, "expected": r.expected, "light": r.light}
         for r in m.counties]
    )  # fmt: skip
    order = {c: i for i, c in enumerate(ranked(m.county_table())["区县"])} if len(rows) else {}
    rows = rows.sort_values("county", key=lambda s: s.map(lambda c: order.get(c, len(order))), kind="stable")
    # the title short: the demonstration label follows it; the as-of date is above the charts
    return charts.county_bars(rows, "各区县已完成与应完成", m.unit_label)


_BUILDERS: dict[str, Callable[[Monitor], go.Figure]] = {
    "counties": _county_bars,
    "burnup": lambda m: charts.burnup(m.burnup, "全市累计完成与目标进度", m.unit_label),
    "grid": lambda m: charts.burnup_grid(
        m.burnup, "各区县累计完成与目标进度", m.unit_label, lights={r.county: r.light for r in m.counties}
    ),
    "funnel": lambda m: charts.funnel(m.funnel, "项目阶段分布", m.unit_label),
}


@st.cache_resource(show_spinner=False, max_entries=64, ttl=_TTL)
def _figure_dict(key: tuple, kind: str, _m: Monitor) -> dict:
    return _BUILDERS[kind](_m).to_dict()


def figure(m: Monitor, kind: str) -> go.Figure:
    """A chart of the monitor, built once per monitor (plotly's builders validate every property:
    most of a rerun's time) and handed out as a fresh copy, which the caller may change."""
    key = _KEYS.get(id(m))
    made = _figure_dict(key, kind, m) if key is not None else _BUILDERS[kind](m).to_dict()
    return go.Figure(made, _validate=False)


def county_chart(m: Monitor, key: str) -> None:
    """Completed against expected per 区县 (in rank order), values as labels; a click on a bar
    opens 明细 of that 区县."""
    if not m.counties:
        return
    fig = figure(m, "counties")
    event = plotly_chart(fig, key=key, on_select="rerun", selection_mode="points", width="stretch")
    drill_to_records(event, "x", "county")


# ------------------------------------------------------------------ burn-up and funnel


def burnup_charts(m: Monitor, key: str, *, small_multiples: bool = True) -> None:
    if m.burnup.empty:
        st.caption("尚无审核通过的数据，无法绘制进度曲线。")
        return
    plotly_chart(figure(m, "burnup"), key=f"{key}_city", width="stretch")
    if small_multiples:
        plotly_chart(figure(m, "grid"), key=f"{key}_counties", width="stretch")


def funnel_chart(m: Monitor, key: str) -> None:
    """Count and area per stage; a click on a bar lists the records at that stage."""
    if m.funnel.empty:
        st.caption("没有可统计的记录。")
        return
    event = plotly_chart(
        figure(m, "funnel"), key=key, on_select="rerun", selection_mode="points", width="stretch"
    )
    points = event.selection.points if event else []
    labels = list(dict.fromkeys(str(p.get("y", "")).replace("&lt;", "<") for p in points if p.get("y")))
    if labels:
        ids = m.plan_vs_actual.loc[m.plan_vs_actual["stage_label"].isin(labels), "id"].astype(str)
        record_list(m, tuple(ids), f"阶段为“{'、'.join(labels)}”的记录", key=f"{key}_records")
    else:
        st.caption("点击柱子可列出该阶段的记录。")


# ------------------------------------------------------------------ records: plan against actual

PLAN_VS_ACTUAL_HEADERS = {
    "id": "编号",
    "name": "名称",
    "county": "区县",
    "planned": "计划（实施阶段/分期）",
    "planned_year": "计划年份",
    "stage_label": "实际阶段",
    "against": "对照计划",
    "started_on": "开工日期",
    "completed_on": "竣工日期",
    "accepted_on": "验收/上图入库日期",
}


def plan_vs_actual_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:attr:`Monitor.plan_vs_actual` with Chinese headers, slipped records marked (vectorised:
    it runs on every rerun, for 100,000 records too)."""
    shown = frame[[c for c in PLAN_VS_ACTUAL_HEADERS if c in frame]].rename(columns=PLAN_VS_ACTUAL_HEADERS)
    if "计划年份" in shown:  # a year, not a quantity: text, blank when the plan gives none
        years = pd.to_numeric(shown["计划年份"], errors="coerce").astype("Int64")
        shown["计划年份"] = years.astype("string").fillna("")
        if not shown["计划年份"].str.len().any():  # the plan gives no years: no empty column
            shown = shown.drop(columns="计划年份")
    if "slipped" in frame:  # beside how it compares, before the dates
        slipped = np.where(frame["slipped"].fillna(False).astype(bool).to_numpy(), "是", "")
        shown.insert(list(shown.columns).index("对照计划") + 1, "逾期未完成", slipped)
    return shown.reset_index(drop=True)


def record_list(m: Monitor, ids: tuple[str, ...], title: str, *, key: str) -> None:
    """The records behind a stage or a warning, listed in place (明细 has no filter by id)."""
    frame = m.plan_vs_actual
    rows = frame[frame["id"].astype(str).isin(set(ids))]
    with st.container(border=True, key=key):
        st.markdown(f"**{plain(title)}**（{len(rows)} 条）")
        if rows.empty:
            st.caption("没有对应的记录。")
            return
        shown = plan_vs_actual_frame(rows)
        st.dataframe(shown.head(SHOWN_ROWS), hide_index=True, width="stretch", key=f"{key}_table")
        if len(shown) > SHOWN_ROWS:
            st.caption(f"只显示前 {SHOWN_ROWS} 条。")
        counties = tuple(dict.fromkeys(str(c) for c in rows["county"] if str(c)))
        if counties and st.button(
            f"在明细中查看{plain('、'.join(counties[:3]))}{'等' if len(counties) > 3 else ''}的全部记录",
            key=f"{key}_open",
            icon=":material/table_rows:",
        ):
            drill_counties(counties)


def plan_vs_actual(m: Monitor, key: str) -> pd.DataFrame:
    """Plan against actual per record, narrowed by 区县 and by how it compares; returns the rows
    chosen (for the download)."""
    frame = plan_vs_actual_frame(m.plan_vs_actual)
    left, right = st.columns(2)
    counties = ["全部区县", *[r.county for r in m.counties]]
    county = left.selectbox("区县", counties, key=f"{key}_county")
    kinds = ["全部", "滞后", "符合", "超前", "逾期未完成"]
    kind = right.selectbox("对照计划", kinds, key=f"{key}_kind")
    if county != "全部区县":
        frame = frame[frame["区县"] == county]
    if kind == "逾期未完成":
        frame = frame[frame.get("逾期未完成", "") == "是"]
    elif kind != "全部":
        frame = frame[frame["对照计划"] == kind]
    counts = m.plan_vs_actual["against"].value_counts()
    st.caption(
        f"共 {len(m.plan_vs_actual)} 条：滞后 {int(counts.get('滞后', 0))}、符合 {int(counts.get('符合', 0))}、"
        f"超前 {int(counts.get('超前', 0))}；当前显示 {min(len(frame), SHOWN_ROWS)} / {len(frame)} 条。"
    )
    st.dataframe(
        frame.head(SHOWN_ROWS),
        hide_index=True,
        width="stretch",
        key=f"{key}_table",
        column_config={"名称": st.column_config.TextColumn(width="medium")},
    )
    return frame


# ------------------------------------------------------------------ warnings


def alert_rows(m: Monitor, levels: tuple[str, ...] = ("red", "amber")) -> list:
    return [a for a in m.alerts if a.level in levels]


def alert_counts_text(m: Monitor) -> str:
    red = sum(a.level == "red" for a in m.alerts)
    amber = sum(a.level == "amber" for a in m.alerts)
    return f"红色预警 {red} 条，黄色预警 {amber} 条。" if m.alerts else "本期没有预警。"


def _level_style(frame: pd.DataFrame) -> pd.DataFrame:
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    if "级别" in frame:
        for i, text in frame["级别"].items():
            light = "red" if "红" in str(text) else "amber" if "黄" in str(text) else ""
            if light:
                styles.loc[i, "级别"] = f"color: {charts.LIGHT_COLORS[light]}; font-weight: 600"
    return styles


def alerts_table(m: Monitor, user: User, key: str) -> pd.DataFrame:
    """Every warning with why; a click on a row lists the records behind it, with the way to the
    page that settles it. Returns the table (for the download)."""
    table = m.alert_table().reset_index(drop=True)
    st.caption(alert_counts_text(m))
    if table.empty:
        return table
    shown = table.copy()
    if "级别" in shown:
        shown["级别"] = [f"{LIGHT_MARK} {v}" for v in shown["级别"]]
    event = st.dataframe(
        shown.style.apply(_level_style, axis=None),
        hide_index=True,
        width="stretch",
        key=key,
        on_select="rerun",
        selection_mode="single-row",
        # 类型 is in the title already: on screen the columns that fit (the download has all)
        column_order=[c for c in ("级别", "区县", "预警", "原因", "涉及记录") if c in shown],
        column_config={"级别": st.column_config.TextColumn(width=100),
                       "区县": st.column_config.TextColumn(width=90),
                       "预警": st.column_config.TextColumn(width="medium"),
                       "原因": st.column_config.TextColumn(width="large"),
                       "涉及记录": st.column_config.NumberColumn(width=70)},
    )  # fmt: skip
    rows = [r for r in (event.selection.rows if event is not None else []) if r < len(m.alerts)]
    if rows:
        alert_detail(m, m.alerts[rows[0]], user, key=f"{key}_detail")
    else:
        st.caption("点选一行可查看该预警涉及的记录。")
    return table


PAGE_LINKS = {
    "timeline": ("时序安排", ":material/event:"),
    "progress-review": ("进展审核", ":material/fact_check:"),
}


def alert_detail(m: Monitor, alert, user: User, *, key: str) -> None:
    """What lies behind one warning: its records in place, and a link to 明细 of its 区县, to
    时序安排 (a milestone) or to 进展审核 (a report, for those who review)."""
    title = f"{alert.county or '全市'}：{alert.title}"
    if alert.record_ids:
        record_list(m, tuple(alert.record_ids), title, key=f"{key}_records")
    else:
        with st.container(border=True, key=f"{key}_box"):
            st.markdown(f"**{plain(title)}**")
            st.markdown(plain(alert.why))
            if alert.county and st.button(
                f"在明细中查看{plain(alert.county)}的记录", key=f"{key}_county", icon=":material/table_rows:"
            ):
                drill_counties((alert.county,))
    page = alert.page if alert.page in PAGE_LINKS else ""
    if page == "progress-review" and not user.can(Action.REVIEW, m.plan_id):
        return  # only reviewers can open it
    if page:
        label, icon = PAGE_LINKS[page]
        if st.button(f"打开{label}", key=f"{key}_page", icon=icon):
            goto(page)


def next_milestones_frame(m: Monitor) -> pd.DataFrame:
    """What is due next: the milestones not marked done, soonest first."""
    frame = m.next_milestones
    if frame.empty:
        return pd.DataFrame(columns=["时间节点", "时间", "牵头单位"])
    return pd.DataFrame(
        {
            "时间节点": frame["name"].astype(str),
            "时间": frame["period_text"].astype(str),
            "牵头单位": frame["lead"].fillna("").astype(str) if "lead" in frame else "",
        }
    )


# ------------------------------------------------------------------ 总览's block


def may_see_alerts(user: User, plan: Plan) -> bool:
    """总览 shows the warnings to signed-in users with any role on the plan, never to visitors."""
    return not user.is_anonymous and bool(user.roles(plan.id))


def overview_block(ctx, top: int = 5) -> None:
    """A compact 预警 block for 总览: counts by level, the first warnings, a link to 进展监测."""
    plan = ctx.plan
    if not may_see_alerts(ctx.user, plan) or data.settings().public_mode:
        return
    if not (plan.has_parcels or plan.has_zones):
        return
    try:
        progress = Progress(data.store())
        default = progress.default_period(ctx.plan)
        if default is None:
            return
        m = monitor(progress, ctx.plan, default.id, ctx.unit)
    except StoreUnavailable:  # 总览 stands without it; the sidebar has said the database is away
        return
    if m is None:
        return
    with st.container(border=True, key="overview_alerts"):
        st.markdown(f"**进展预警** · {plain(m.period.label)}")
        st.caption(alert_counts_text(m))
        if m.alerts:  # a table: its cells are plain text, the level coloured by the table's style
            shown = m.alert_table().head(top)[["级别", "区县", "预警", "原因"]]
            shown["级别"] = [f"{LIGHT_MARK} {v}" for v in shown["级别"]]
            st.dataframe(
                shown.style.apply(_level_style, axis=None),
                hide_index=True,
                width="stretch",
                key="overview_alerts_table",
                column_config={"级别": st.column_config.TextColumn(width=100),
                               "区县": st.column_config.TextColumn(width=90),
                               "原因": st.column_config.TextColumn(width="large")},
            )  # fmt: skip
        if len(m.alerts) > top:
            st.caption(f"另有 {len(m.alerts) - top} 条，见进展监测。")
        # the plan and unit only (both checked by the sidebar); 进展监测 takes no other filter
        query = {"plan": plan.id, "unit": ctx.unit, VIEW_PARAM: "alerts"}
        st.page_link(PAGE_FILES["progress"], label="打开进展监测", icon=":material/monitoring:",
                     query_params=query)  # fmt: skip
