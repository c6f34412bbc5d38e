"""工作简报: the bimonthly briefing of a period (or the half-year report), as PPTX and as PDF.

:func:`collect` gathers every figure and text the briefing shows from a
:class:`~panhuo.progress.monitor.Monitor` (the figures of the 进展监测 page) and the approved
reports' narratives, into one :class:`~panhuo.progress.briefing_model.Briefing`; the renderers
(:mod:`~panhuo.progress.briefing_pptx`, :mod:`~panhuo.progress.briefing_pdf`) only lay it out, so
the slide deck, the PDF and the page show the same numbers.

Two versions:

- **public** (default): names that are a private person's (the right-holder's) masked as
  everywhere else (:mod:`panhuo.privacy`), every right-holder name scrubbed from the narratives
  too, and no narrative part a 区县 marked 仅内部使用 (:func:`panhuo.progress.fields.public_narrative`);
- **internal** (``internal=True``): the names and every narrative part, parts marked internal
  labelled （内部）, and 内部资料 on every page and slide. Who may have it is the caller's
  decision: the page offers it to 分析人员/管理员 (Action.REVIEW), the command line asks for such an
  account (``--user``).

The half-year report (``half_year=True``) covers the periods of the half-year containing the
period: its figures at the half's last period that has ended (or the period itself, if later), the gains over the
half per 区县, the city's figures at each period, and every period's narratives.

A demonstration plan's briefing carries 模拟数据（演示用，非真实进展） on every page and slide and
its file name begins 模拟- (:mod:`panhuo.demo`).

>>> short_label(Period("2024-B4", dt.date(2024, 7, 1), dt.date(2024, 8, 31), dt.date(2024, 9, 15), ""))
'7—8月'
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from panhuo import palette
from panhuo.access import CountyScope
from panhuo.briefing import _departments
from panhuo.demo import demo_label, export_name
from panhuo.model import Plan
from panhuo.nouns import measure_word, noun
from panhuo.privacy import MASK, sensitive_values
from panhuo.progress.briefing_model import (
    LIGHT_COLORS,
    Bar,
    BarChart,
    Briefing,
    CountyNarrative,
    Figure,
    LineChart,
    NarrativePart,
    Series,
    Table,
)
from panhuo.progress.fields import INTERNAL, NARRATIVE, clean_narrative, public_narrative
from panhuo.progress.monitor import CITY, REPORTING_LABELS, Monitor, _fmt, monitor_for
from panhuo.progress.periods import Period
from panhuo.progress.service import record_frame
from panhuo.units import format_number

FORMATS = ("pptx", "pdf")
MIMES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}
COMPLETED_COLOR = palette.BRIEFING_ACCENT
EXPECTED_COLOR = "#6b7280"
NOT_REPORTED_COLOR = "#9ca3af"
MAX_SLIPPED = 40  # rows of the slipped-records table; the rest counted in a line


class BriefingError(ValueError):
    """A briefing that cannot be made (no records, no period): the message is Chinese."""


# --- small helpers -------------------------------------------------------------------------------


def short_label(period: Period) -> str:
    """The period on a chart axis: ``7—8月``, ``上半年``, ``全年``, ``3月``."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    if months == 12 and period.start.month == 1:
        return "全年"
    if months == 6 and period.start.month in (1, 7):
        return "上半年" if period.start.month == 1 else "下半年"
    if months == 1:
        return f"{period.start.month}月"
    return f"{period.start.month}—{period.end.month}月"


def half_of(periods: Sequence[Period], period: Period) -> list[Period]:
    """The periods of the half-year containing ``period`` (those starting in the same half).

    >>> from panhuo.progress.periods import make_periods
    >>> ps = make_periods(dt.date(2024, 1, 1), 2024, 2)
    >>> [p.id for p in half_of(ps, ps[1])], [p.id for p in half_of(ps, ps[4])]
    (['2024-B1', '2024-B2', '2024-B3'], ['2024-B4', '2024-B5', '2024-B6'])
    """
    first = period.start.month <= 6
    return [p for p in periods if p.start.year == period.start.year and (p.start.month <= 6) == first] or [
        period
    ]


def half_label(period: Period) -> tuple[str, str]:
    """(``2024-H1``, ``2024年上半年``) for a period of the first half of 2024."""
    first = period.start.month <= 6
    return f"{period.start.year}-H{1 if first else 2}", f"{period.start.year}年{'上' if first else '下'}半年"


def _percent(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{format_number(value, 1)}%"


def _holders(plan: Plan) -> list[str]:
    """Every right-holder name of the plan (longest first), to scrub from public text."""
    names: set[str] = set()
    for dataset in (plan.parcels, plan.zones):
        names |= sensitive_values(dataset)
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def _scrubber(plan: Plan, internal: bool) -> Callable[[object], str]:
    holders = [] if internal else _holders(plan)

    def clean(value: object) -> str:
        text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        for name in holders:
            text = text.replace(name, MASK)
        return text

    return clean


# --- the pieces ----------------------------------------------------------------------------------


def _headline(m: Monitor, kind: str, gain: tuple[float, float] | None) -> list[Figure]:
    ul, c, code = m.unit_label, m.city, m.unit
    figures = []
    if c.target:
        note = f"目标 {_fmt(c.target, code)} {ul}，完成率 {_percent(c.rate)}"
    else:
        note = "本规划未设面积目标"
    figures.append(Figure(f"全市已完成（{ul}）", _fmt(c.completed, code), note))
    if gain is not None:
        before, after = gain
        figures.append(
            Figure(
                f"半年新增（{ul}）",
                _fmt(after - before, code),
                f"由 {_fmt(before, code)} 增至 {_fmt(after, code)} {ul}",
            )
        )
    if c.expected is not None:
        figures.append(
            Figure(
                f"截至期末应完成（{ul}）",
                _fmt(c.expected, code),
                f"截至{m.as_of_text}；完成量为应完成的 {_percent(c.vs_expected)}（{c.light_label}）",
                c.light,
            )
        )
    states = [r.reporting for r in m.counties]
    approved = sum(s in ("on_time", "late") for s in states)
    parts = [f"{REPORTING_LABELS[s]} {states.count(s)} 个" for s in REPORTING_LABELS if states.count(s)]
    figures.append(Figure(f"{m.period.label}报送", f"{approved}/{len(states)} 个区县通过", "，".join(parts)))
    red = sum(a.level == "red" for a in m.alerts)
    amber = sum(a.level == "amber" for a in m.alerts)
    figures.append(
        Figure(
            "预警", f"{len(m.alerts)} 条", f"红色 {red} 条，黄色 {amber} 条" if m.alerts else "本期没有预警"
        )
    )
    ranked = [r for r in m.counties if r.rank == 1]
    if ranked:
        by = "完成率" if any(r.target for r in m.counties) else "已完成面积"
        first = ranked[0]
        value = f"{first.county}" + (f"等 {len(ranked)} 个" if len(ranked) > 1 else "")
        shown = _percent(first.rate) if by == "完成率" else f"{_fmt(first.completed, code)} {ul}"
        figures.append(Figure("排名第一（亮晒比拼）", value, f"按{by}：{shown}"))
    f = m.funnel.set_index("stage")
    total = int(m.funnel["count"].sum())
    started = int(f.loc["started", "reached_count"]) if "started" in f.index else 0
    finished = int(f.loc["completed", "reached_count"]) if "completed" in f.index else 0
    unreported = int(f.loc["", "count"]) if "" in f.index else 0
    word, what = measure_word(kind), noun(kind)
    note = f"{total} {word}{what}中 {finished} {word}已竣工或验收" + (
        f"，{unreported} {word}未填报" if unreported else ""
    )
    figures.append(Figure(f"{what}推进", f"{started} {word}已开工", note))
    return figures[:6]


def _county_table(m: Monitor) -> Table:
    ul, code = m.unit_label, m.unit
    rows, lights = [], []
    for r in [*m.counties, m.city]:
        city = r.county == CITY
        rows.append(
            (
                "" if city or r.rank is None else str(r.rank),
                r.county,
                _fmt(r.target, code),
                _fmt(r.completed, code),
                _fmt(r.expected, code),
                _percent(r.rate),
                _percent(r.vs_expected),
                r.light_label,
                "—" if city else r.reporting_label,
                f"{r.reported}/{r.records}",
            )
        )
        lights.append(r.light)
    columns = ("排名", "区县", f"目标（{ul}）", f"已完成（{ul}）", f"截至期末应完成（{ul}）", "完成率",
               "进度（占应完成）", "亮灯", "报送情况", "已填报记录")  # fmt: skip
    return Table(
        columns, tuple(rows), (0.6, 1.3, 1.1, 1.1, 1.25, 0.95, 1.05, 1.05, 1.2, 0.95),
        ("C", "L", "R", "R", "R", "R", "R", "L", "L", "R"), light_column=7, lights=tuple(lights), bold_last=True,
    )  # fmt: skip


def _charts(m: Monitor) -> tuple[LineChart, tuple[LineChart, ...]]:
    by_id = {p.id: p for p in m.periods}
    ul = m.unit_label

    def chart(county: str, title: str) -> LineChart:
        rows = m.burnup[m.burnup["county"] == county]
        periods = [by_id[pid] for pid in rows["period_id"]]
        completed = tuple(None if pd.isna(v) else float(v) for v in rows["completed"])
        expected = tuple(None if pd.isna(v) else float(v) for v in rows["expected"])
        target = rows["target"].dropna()
        series = [Series("累计完成", completed, COMPLETED_COLOR)]
        if any(v is not None for v in expected):
            series.append(Series("应完成（目标进度）", expected, EXPECTED_COLOR, dashed=True))
        return LineChart(
            title,
            tuple(short_label(p) for p in periods),
            tuple(f"{p.start.year}年" for p in periods),
            tuple(series),
            ul,
            float(target.iloc[0]) if len(target) else None,
            "目标",
        )

    city = chart(CITY, "全市累计完成")
    counties = tuple(chart(r.county, r.county) for r in m.counties) if len(m.counties) > 1 else ()
    return city, counties


def _funnel(m: Monitor, kind: str, stages) -> tuple[BarChart, Table]:
    ul, code = m.unit_label, m.unit
    plan_stage = {s.code: s.plan_stage for s in stages}
    word = measure_word(kind)
    frame = m.funnel[(m.funnel["stage"] != "") | (m.funnel["count"] > 0)]
    bars = tuple(
        Bar(
            r.stage_label,
            float(r.count),
            f"{int(r.count)} {word}，{_fmt(r.area, code)} {ul}",
            palette.STAGE_COLORS.get(plan_stage.get(r.stage, ""), NOT_REPORTED_COLOR)
            if r.stage
            else NOT_REPORTED_COLOR,
        )
        for r in frame.itertuples()
    )
    chart = BarChart(
        f"各阶段{noun(kind)}数量（截至{m.as_of_text}）", bars, "按各记录最新一期审核通过的填报阶段统计。"
    )
    rows = [
        (
            r.stage_label,
            f"{int(r.count)}",
            _fmt(r.area, code),
            f"{int(r.reached_count)}",
            _fmt(r.reached_area, code),
        )
        for r in frame.itertuples()
    ]
    rows.append(
        ("合计", f"{int(m.funnel['count'].sum())}", _fmt(float(m.funnel["area"].sum()), code), "—", "—")
    )
    table = Table(
        ("阶段", f"数量（{word}）", f"面积（{ul}）", f"达到该阶段及以后（{word}）", f"及以后面积（{ul}）"),
        tuple(rows), (1.4, 0.9, 1.1, 1.3, 1.2), ("L", "R", "R", "R", "R"), bold_last=True,
    )  # fmt: skip
    return chart, table


def _alerts(m: Monitor, clean) -> tuple[Table, str]:
    rows = tuple(
        (a.level_label, a.kind_label, a.county or CITY, clean(a.title), clean(a.why),
         f"{len(a.record_ids)} 个" if a.record_ids else "—")
        for a in m.alerts
    )  # fmt: skip
    table = Table(
        ("级别", "类型", "区县", "预警", "原因", "涉及记录"), rows, (1.3, 1.2, 1.1, 2.4, 3.6, 1.0),
        ("L", "L", "L", "L", "L", "R"), light_column=0, lights=tuple(a.level for a in m.alerts),
        empty="本期没有预警。",
    )  # fmt: skip
    red = sum(a.level == "red" for a in m.alerts)
    note = (
        f"截至{m.as_of_text}共 {len(m.alerts)} 条预警：红色 {red} 条，黄色 {len(m.alerts) - red} 条。"
        if m.alerts
        else ""
    )
    return table, note


def _milestones(m: Monitor, clean) -> tuple[Table, str]:
    frame = m.next_milestones
    rows = tuple(
        (clean(r.name), clean(r.period_text), clean(r.status), _departments(clean(r.lead or r.responsible)))
        for r in frame.itertuples()
    )
    table = Table(
        ("时间节点", "时间", "状态", "牵头/实施单位"), rows, (3.0, 2.2, 1.2, 3.4),
        empty="规划中没有尚未到期、未标记完成的时间节点。",
    )  # fmt: skip
    note = f"截至{m.as_of_text}尚未到期、未标记完成的时间节点，按时间先后。" if rows else ""
    return table, note


def _slipped(m: Monitor, plan: Plan, internal: bool, clean) -> Table | None:
    frame = m.slipped
    if frame.empty:
        return None
    names = {}
    if internal:  # the names as they are, also a private person's
        full = record_frame(plan, CountyScope(everything=True))[1]
        names = dict(zip(full["id"], full["name"], strict=True))
    shown = frame.head(MAX_SLIPPED)
    rows = [
        (str(r.id), clean(names.get(str(r.id), r.name)), r.county, clean(r.planned), r.stage_label,
         r.started_on or "—")
        for r in shown.itertuples()
    ]  # fmt: skip
    if len(frame) > len(shown):
        rows.append(("", f"另有 {len(frame) - len(shown)} 个，见进展监测页", "", "", "", ""))
    return Table(
        ("编号", "名称", "区县", "计划", "填报阶段", "开工日期"), tuple(rows), (0.9, 2.6, 1.0, 1.6, 1.2, 1.1)
    )


def _narratives(
    m: Monitor, reports: pd.DataFrame, periods: Sequence[Period], internal: bool, clean
) -> tuple[CountyNarrative, ...]:
    found = {}
    if not reports.empty:
        for r in reports.itertuples():
            found[(r.county, r.period_id)] = r.narrative
    labels = dict(NARRATIVE)
    out = []
    for period in periods:
        for row in m.counties:
            narrative = found.get((row.county, period.id))
            if narrative is None:
                state = (
                    f"（{row.reporting_label}）" if period.id == m.period.id and row.reporting_label else ""
                )
                out.append(
                    CountyNarrative(
                        row.county, period.id, period.label, (), f"本期没有审核通过的报告{state}。"
                    )
                )
                continue
            text = clean_narrative(narrative)
            marked = set(text.get(INTERNAL, []))
            shown = text if internal else public_narrative(narrative)
            parts = tuple(
                NarrativePart(key, labels[key], clean(shown[key]), key in marked)
                for key, _label in NARRATIVE
                if key in shown and str(shown[key]).strip()
            )
            note = "" if parts else "本期报告没有可公开的文字说明。"
            out.append(CountyNarrative(row.county, period.id, period.label, parts, note))
    return tuple(out)


def _half_tables(m: Monitor, covered: Sequence[Period]) -> tuple[Table, Table, tuple[float, float]]:
    """The city's figures at each period of the half, and each 区县's gain over it."""
    ul, code = m.unit_label, m.unit
    ids = [p.id for p in m.periods]
    first = ids.index(covered[0].id)
    before_id = ids[first - 1] if first > 0 else None
    burnup = m.burnup.set_index(["county", "period_id"])

    def done(county: str, period_id: str | None) -> float:
        if period_id is None or (county, period_id) not in burnup.index:
            return 0.0
        value = burnup.loc[(county, period_id), "completed"]
        return 0.0 if pd.isna(value) else float(value)

    rows = []
    previous = done(CITY, before_id)
    for p in covered:
        now = done(CITY, p.id)
        expected = burnup.loc[(CITY, p.id), "expected"] if (CITY, p.id) in burnup.index else None
        expected = None if expected is None or pd.isna(expected) else float(expected)
        rows.append(
            (p.label, _fmt(now, code), _fmt(now - previous, code), _fmt(expected, code),
             _percent(now / expected * 100 if expected else None))
        )  # fmt: skip
        previous = now
    periods = Table(
        ("填报期", f"全市累计完成（{ul}）", f"本期新增（{ul}）", f"期末应完成（{ul}）", "进度（占应完成）"),
        tuple(rows), (2.2, 1.4, 1.2, 1.4, 1.3), ("L", "R", "R", "R", "R"),
    )  # fmt: skip
    last = covered[-1].id
    gains = []
    for r in [*m.counties, m.city]:
        start, end = done(r.county, before_id), done(r.county, last)
        share = (end - start) / r.target * 100 if r.target else None
        gains.append((r.county, _fmt(start, code), _fmt(end, code), _fmt(end - start, code), _percent(share)))
    start_text = "上半年初" if covered[0].start.month == 1 else "下半年初"
    table = Table(
        ("区县", f"{start_text}累计（{ul}）", f"{covered[-1].label}末累计（{ul}）", f"半年新增（{ul}）", "新增占目标"),
        tuple(gains), (1.3, 1.4, 1.9, 1.3, 1.1), ("L", "R", "R", "R", "R"), bold_last=True,
    )  # fmt: skip
    return periods, table, (done(CITY, before_id), done(CITY, last))


# --- the briefing --------------------------------------------------------------------------------


def collect(
    progress,
    plan: Plan,
    monitor: Monitor,
    *,
    internal: bool = False,
    half_year: bool = False,
    today: dt.date | None = None,
    history=None,
) -> Briefing:
    """Every figure and text of the briefing for ``monitor``'s period (see the module).

    ``progress`` (a :class:`~panhuo.progress.service.Progress`) gives the stages, the approved
    reports' narratives (``history``, an ApprovedHistory, may be passed in to save the query)
    and, for the half-year report, the monitor at the half's last period."""
    today = today or progress.today()
    history = history or progress.approved_history(plan)
    kind = record_frame(plan)[0]
    clean = _scrubber(plan, internal)
    covered = [monitor.period]
    gain = None
    period_table = gains = None
    period_id, period_label, title = monitor.period.id, monitor.period.label, "工作简报"
    if half_year:
        half = half_of(monitor.periods, monitor.period)
        ended = [p for p in half if p.is_closed(today) or p.id == monitor.period.id]
        last = max(ended, key=lambda p: p.start)
        covered = [p for p in half if p.start <= last.start]
        if last.id != monitor.period.id:
            monitor = monitor_for(progress, plan, last.id, unit=monitor.unit, settings=monitor.settings, today=today,
                                  history=history)  # fmt: skip
        period_table, gains, gain = _half_tables(monitor, covered)
        period_id, period_label = half_label(monitor.period)
        title = "半年工作报告"
        if len(covered) > 1 or covered[0].label != period_label:
            span = f"{covered[0].start.month}—{covered[-1].end.month}月"
            period_label += f"（{span}，{len(covered)} 期）"
    m = monitor
    city, counties = _charts(m)
    funnel, funnel_table = _funnel(m, kind, progress.stages(plan))
    alerts, alert_note = _alerts(m, clean)
    milestones, milestone_note = _milestones(m, clean)
    reports = history.reports
    notes = ()
    if half_year and covered[-1].end > m.as_of:
        notes = (f"{covered[-1].label}尚未结束，本报告数据截至 {m.as_of_text}。",)
    return Briefing(
        plan_id=plan.id,
        plan_title=plan.title,
        plan_short=plan.short_title,
        title=title,
        period_id=period_id,
        period_label=period_label,
        period_ids=tuple(p.id for p in covered),
        made_on=today,
        as_of=m.as_of,
        internal=internal,
        demo_label=demo_label(plan),
        unit_label=m.unit_label,
        target_note=m.target_note,
        headline=tuple(_headline(m, kind, gain)),
        counties=_county_table(m),
        city_burnup=city,
        county_burnups=counties,
        funnel=funnel,
        funnel_table=funnel_table,
        alerts=alerts,
        alert_note=alert_note,
        milestones=milestones,
        milestone_note=milestone_note,
        narratives=_narratives(m, reports, covered, internal, clean),
        gains=gains,
        period_table=period_table,
        slipped=_slipped(m, plan, internal, clean),
        notes=notes,
    )


def render(briefing: Briefing, fmt: str) -> bytes:
    """The briefing as ``fmt`` ("pptx" or "pdf") bytes; the PDF raises
    :class:`~panhuo.progress.briefing_pdf.FontsMissing` without the Chinese fonts."""
    if fmt == "pptx":
        from panhuo.progress.briefing_pptx import render_pptx

        return render_pptx(briefing)
    if fmt == "pdf":
        from panhuo.progress.briefing_pdf import render_pdf

        return render_pdf(briefing)
    raise BriefingError(f"不支持的格式“{fmt}”：可选 {'、'.join(FORMATS)}")


def file_name(plan: Plan, period_id: str, fmt: str, *, half_year: bool = False, internal: bool = False,
              periods: Sequence[Period] = ()) -> str:  # fmt: skip
    """``湖州市…实施方案_工作简报_2024-B4.pdf`` (``_半年工作报告_2024-H1``, ``_内部``; ``模拟-`` first
    for a demonstration)."""
    what = "工作简报"
    if half_year:
        what = "半年工作报告"
        found = next((p for p in periods if p.id == period_id), None)
        if found is not None:
            period_id = half_label(found)[0]
    suffix = "_内部" if internal else ""
    return export_name(plan, f"{plan.short_title}_{what}_{period_id}{suffix}.{fmt}")


def build(
    progress,
    plan: Plan,
    period_id: str | None,
    fmt: str,
    *,
    internal: bool = False,
    half_year: bool = False,
    unit: str | None = None,
    settings=None,
    today: dt.date | None = None,
) -> bytes:
    """The briefing of ``plan`` for ``period_id`` (default: the latest ended) as ``fmt`` bytes."""
    try:
        monitor = monitor_for(progress, plan, period_id, unit=unit, settings=settings, today=today)
    except ValueError as exc:  # a period that has not begun
        raise BriefingError(str(exc)) from None
    if monitor is None:
        raise BriefingError(f"规划 {plan.id} 没有可报告的填报期或片区/地块清单，无法生成工作简报")
    return render(collect(progress, plan, monitor, internal=internal, half_year=half_year, today=today), fmt)


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder, renamed at the
    end: a reader never sees half a file, and a failure leaves no file behind."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(temp, 0o666 & ~mask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# --- the command line ----------------------------------------------------------------------------


def output_format(requested: str | None, output: Path) -> str:
    """``--format``, else the output file's extension, else pptx; a contradiction is refused.

    >>> output_format(None, Path("a.pdf")), output_format("pptx", Path("a")), output_format(None, Path("a"))
    ('pdf', 'pptx', 'pptx')
    """
    suffix = output.suffix.lower().lstrip(".")
    if requested and suffix in FORMATS and suffix != requested:
        raise ValueError(f"输出文件 {output.name} 的扩展名与 --format {requested} 不符")
    return requested or (suffix if suffix in FORMATS else "pptx")


def _os_reason(exc: OSError) -> str:
    import errno

    words = {errno.ENOENT: "所在目录不存在", errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限",
             errno.ENOSPC: "磁盘空间不足", errno.EROFS: "文件系统只读", errno.EISDIR: "这是一个目录"}  # fmt: skip
    return words.get(exc.errno, exc.strerror or str(exc))


def run_cli(args) -> int:
    """``python -m panhuo briefing PLAN --period P [--half-year] [--format pptx|pdf] [--internal
    --user NAME] -o F``: the 工作简报 written to F through a temporary file (nothing half-written).

    The public version needs no account, like the other reading commands; the internal version
    (names and narrative parts marked internal) is for 分析人员/管理员 only, so ``--internal``
    asks for ``--user`` naming such an active local account, as ``progress review`` does."""
    from panhuo.access import Action
    from panhuo.progress.briefing_pdf import FontsMissing
    from panhuo.progress.cli import Refused, UsageError, _context, _period, acting_user
    from panhuo.progress.monitor import MonitorSettings
    from panhuo.settings import load_settings

    out = Path(args.output)
    try:
        fmt = output_format(args.format, out)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period)
    if args.internal:
        if not args.user:
            raise UsageError("内部版含权利人信息和仅内部使用的内容：须用 --user 指明分析人员或管理员账户")
        acting_user(store, args.user, Action.REVIEW, plan.id)
    settings = MonitorSettings.from_settings(load_settings())
    try:
        content = build(progress, plan, period.id, fmt, internal=args.internal, half_year=args.half_year,
                        unit=args.unit, settings=settings)  # fmt: skip
    except (BriefingError, FontsMissing) as exc:
        raise Refused(str(exc)) from None
    try:
        write_atomic(out, content)
    except OSError as exc:
        raise Refused(f"无法写出文件 {out}：{_os_reason(exc)}") from None
    label = demo_label(plan)
    if label:
        print(label)
    what = "半年工作报告" if args.half_year else "工作简报"
    version = "内部版" if args.internal else "公开版"
    print(f"已写出{what}：{out}｜{plan.short_title}｜{period.label}｜{version}｜{fmt.upper()}")
    return 0


__all__ = [
    "FORMATS",
    "LIGHT_COLORS",
    "MIMES",
    "Briefing",
    "BriefingError",
    "build",
    "collect",
    "file_name",
    "half_of",
    "output_format",
    "render",
    "run_cli",
    "short_label",
    "write_atomic",
]
