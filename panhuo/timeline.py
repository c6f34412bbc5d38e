"""时序安排: milestones on a calendar, quantities per period, cumulative area against the target.

Every function that depends on the date takes ``today`` so tests can fix it.

>>> from datetime import date
>>> from panhuo.catalog import open_catalog
>>> frame = milestone_frame(open_catalog(imports=False).get("urumqi-2025"), date(2026, 6, 1))
>>> frame.set_index("name").loc["推进实施阶段", ["period_text", "status"]].tolist()
['2026年1月—2027年9月', '进行中']
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from panhuo.aggregate import EMPTY_KEY, TOTAL_COLUMNS, grouped, named, varied
from panhuo.memo import remember
from panhuo.model import STAGES, Plan
from panhuo.structure import table_by_role
from panhuo.units import convert, format_area, format_in, to_ha, unit_code, unit_label
from panhuo.views import Metric, parse_date, period_end_year

MILESTONE_COLUMNS = [
    "id", "name", "start", "end", "shape", "bar_start", "bar_end", "period_text", "status", "content",
    "lead", "responsible", "note", "source",
]  # fmt: skip
# shape: range (start and end), deadline (end only: a point), open (start only), undated
STATUS_ORDER = ("进行中", "未开始", "未到期", "已结束", "已到期", "未载明时间")
STACK_FIELDS = (("type", "类型"), ("zone", "片区"), ("county", "区县"), ("category", "类别"))
PERIOD_COLUMNS = ["period", "group", "count", "area_value", "area_text"]
_COMPARATORS = {">=": "≥ ", "<=": "≤ ", ">": "> ", "<": "< "}


def date_text(raw: object) -> str:
    """Chinese date at the printed precision: ``2025`` → 2025年, ``2025-12`` → 2025年12月."""
    text = str(raw or "").strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if not match:
        return text
    year, month, day = match.groups()
    out = f"{year}年"
    if month:
        out += f"{int(month)}月"
    if day:
        out += f"{int(day)}日"
    return out


def _status(start: date | None, end: date | None, today: date) -> str:
    if start is None and end is None:
        return "未载明时间"
    if start is None:  # a deadline
        return "已到期" if end < today else "未到期"
    if start > today:
        return "未开始"
    if end is not None and end < today:
        return "已结束"
    return "进行中"


def milestone_frame(plan: Plan, today: date) -> pd.DataFrame:
    """The plan's milestones with dates, a drawable span and a status relative to ``today``.

    ``bar_start``/``bar_end`` are what a Gantt draws: the printed span; a deadline is a point
    (both equal the deadline); an open-ended start runs to the plan's last year, or to today
    when the plan prints no end. Undated items (湖州's rhythm of reports) have no bar.
    """
    milestones = plan.milestones
    _, period_end = plan.period
    rows = []
    for record in milestones.to_dict("records"):
        start = parse_date(record.get("start"))
        end = parse_date(record.get("end"), end=True)
        if start and end:
            shape, bar_start, bar_end = "range", start, end
            period = f"{date_text(record['start'])}—{date_text(record['end'])}"
        elif end:
            shape, bar_start, bar_end = "deadline", end, end
            period = f"{date_text(record['end'])}前"
        elif start:
            shape, bar_start = "open", start
            bar_end = date(period_end, 12, 31) if period_end and period_end >= start.year else None
            bar_end = bar_end or max(today, start + timedelta(days=365))
            period = f"{date_text(record['start'])}起"
        else:
            shape, bar_start, bar_end, period = "undated", None, None, "未载明时间"
        rows.append(
            {
                "id": record.get("id", ""),
                "name": record.get("name", ""),
                "start": start,
                "end": end,
                "shape": shape,
                "bar_start": bar_start,
                "bar_end": bar_end,
                "period_text": period,
                "status": _status(start, end, today),
                "content": record.get("content", ""),
                "lead": record.get("lead", ""),
                "responsible": record.get("responsible", ""),
                "note": record.get("note", ""),
                "source": record.get("source", ""),
            }
        )
    return pd.DataFrame(rows, columns=MILESTONE_COLUMNS)


def dated(frame: pd.DataFrame) -> pd.DataFrame:
    """The milestones a Gantt can place (those with a start or an end)."""
    return frame[frame["shape"] != "undated"].reset_index(drop=True)


def milestone_metrics(frame: pd.DataFrame, today: date) -> list[Metric]:
    """Counts of milestones, those under way, and the next date due after ``today``."""
    if frame.empty:
        return []
    metrics = [
        Metric("阶段与时间节点", f"{len(frame)} 个"),
        Metric("进行中", f"{int((frame['status'] == '进行中').sum())} 个", f"截至 {today:%Y-%m-%d}"),
    ]
    upcoming = []
    for r in frame.itertuples():
        for when, what in ((r.start, "开始"), (r.end, "截止" if r.shape == "deadline" else "结束")):
            if when is not None and when >= today:
                upcoming.append((when, f"{r.name}{what}"))
    if upcoming:
        when, what = min(upcoming, key=lambda pair: pair[0])
        metrics.append(Metric("下一个时间节点", f"{when:%Y-%m-%d}", what))
    else:
        metrics.append(Metric("下一个时间节点", "无", f"全部时间节点均早于 {today:%Y-%m-%d}"))
    undated = int((frame["shape"] == "undated").sum())
    if undated:
        metrics.append(Metric("未载明时间", f"{undated} 个", "原文未给起止日期，仅列于下表"))
    return metrics


def milestone_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Milestones as the page's table: name, period, status, content, departments, source."""
    return pd.DataFrame(
        {
            "名称": frame["name"],
            "时间": frame["period_text"],
            "状态": frame["status"],
            "工作内容": frame["content"],
            "牵头单位": frame["lead"].replace("", "—"),
            "责任单位": frame["responsible"].replace("", "—"),
            "说明": frame["note"].fillna(""),
            "出处": frame["source"],
        }
    )


# --- quantities per period ---------------------------------------------------------------------


def _period_key(period: str) -> tuple[int, int, str]:
    years = [int(y) for y in re.findall(r"\d{4}", str(period))]
    if years and re.search(r"(以后|之后|后)$", str(period).strip()):
        return (years[0], 9998, str(period))  # 2026年以后 after 2026年
    return (years[0], years[-1], str(period)) if years else (9999, 9999, str(period))


def period_label(period: str) -> str:
    """``2023`` → 2023年, ``2021-2025`` → 2021—2025年, ``2026年以后`` stays 2026年以后.

    >>> period_label("2026年以后"), period_label("2020年前")
    ('2026年以后', '2020年以前')
    """
    years = re.findall(r"\d{4}", str(period))
    if len(years) >= 2:
        return f"{years[0]}—{years[-1]}年"
    if years and re.search(r"(以后|之后|后)$", str(period).strip()):
        return f"{years[0]}年以后"
    if years and re.search(r"(以前|之前|前)$", str(period).strip()):
        return f"{years[0]}年以前"
    return f"{years[0]}年" if years else str(period)


def has_phases(records: pd.DataFrame) -> bool:
    return named(records, "phase")


def has_stages(records: pd.DataFrame) -> bool:
    return named(records, "stage")


def plan_schedule(plan: Plan) -> tuple[bool, bool]:
    """Whether the plan's records name phases, and stages (worked out once per loaded plan)."""
    dataset, frame = plan.records()
    return remember(plan, ("schedule", dataset), lambda: (has_phases(frame), has_stages(frame)))


def stack_options(plan: Plan) -> list[tuple[str, str]]:
    """The fields a period chart can stack by: those that vary across the plan's records
    (worked out once per plan and dataset frame)."""
    dataset, frame = plan.records()
    return remember(plan, ("stack_options", dataset), lambda: _stack_options(frame))


def _stack_options(frame: pd.DataFrame) -> list[tuple[str, str]]:
    out = []
    for column, label in STACK_FIELDS:
        if varied(frame, column):
            out.append((column, label))
    return out


def _groups(
    records: pd.DataFrame, key_column: str, by: str | None, unit: str, order: list[str]
) -> pd.DataFrame:
    code = unit_code(unit)
    keys = records[key_column].astype(str).str.strip()
    groups = (
        records[by].astype(str).str.strip().replace("", EMPTY_KEY)
        if by
        else pd.Series("全部", index=records.index)
    )
    sums = grouped(records, {"period": keys, "group": groups}, code)  # one group-by, exact
    rank = {key: i for i, key in enumerate(order)}
    sums = sums[sums["period"].isin(rank)]
    sums = sums.iloc[np.argsort(sums["period"].map(rank).to_numpy(), kind="stable")]
    rows = [
        {"period": r.period, "group": r.group, "count": int(r.count), "area_value": float(r.area),
         "area_text": format_in(r.area, code)}
        for r in sums.itertuples()
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=PERIOD_COLUMNS)


def _rows_named(records: pd.DataFrame, column: str, by: str | None) -> pd.DataFrame:
    """The records that name a ``column`` (phase or stage), with only what :func:`_groups` reads:
    masking a few columns of a million rows, not every one."""
    wanted = [c for c in dict.fromkeys([column, by or column, *TOTAL_COLUMNS]) if c in records]
    return records.loc[(records[column].astype(str).str.strip() != "").to_numpy(), wanted]


def period_totals(records: pd.DataFrame, by: str | None, unit: str) -> pd.DataFrame:
    """Count and area per phase (in time order) × ``by`` (type, 片区 …) of the filtered records.

    Columns ``period`` (as printed), ``label`` (Chinese), ``group``, ``count``, ``area_value``,
    ``area_text``. 无为市: 2023 3 宗 25.32 公顷, 2024 4 宗 20.68, 2025 8 宗 34.80 (表7-2).
    """
    if records.empty or not has_phases(records):
        return pd.DataFrame(columns=[*PERIOD_COLUMNS, "label"])
    phased = _rows_named(records, "phase", by)
    order = sorted(pd.unique(phased["phase"].astype(str).str.strip()), key=_period_key)  # C, not a loop
    out = _groups(phased, "phase", by, unit, order)
    out["label"] = out["period"].map(period_label)
    return out


def stage_totals(records: pd.DataFrame, by: str | None, unit: str) -> pd.DataFrame:
    """Count and area per 实施阶段 (正在实施 → 计划实施 → 储备) × ``by`` (湖州's zones carry stages,
    not years). Same columns as :func:`period_totals`, ``period`` holding the stage."""
    if records.empty or not has_stages(records):
        return pd.DataFrame(columns=[*PERIOD_COLUMNS, "label"])
    staged = _rows_named(records, "stage", by)
    present = list(pd.unique(staged["stage"].astype(str).str.strip()))
    progress = ["已完成", "正在实施", "计划实施", "储备"]  # most advanced first
    order = [s for s in progress if s in present] + [s for s in present if s not in STAGES]
    out = _groups(staged, "stage", by, unit, order)
    out["label"] = out["period"]
    return out


def cumulative_frame(totals: pd.DataFrame, unit: str, running_label: bool = False) -> pd.DataFrame:
    """Running total of area and count over the periods of ``totals`` (summing the groups).

    Columns ``period``, ``label``, ``area_value``, ``cumulative``, ``cumulative_text``,
    ``count``, ``cumulative_count``, ``end_year``. With ``running_label`` the labels read
    正在实施 → +计划实施 → +储备 (a ladder of stages, not of time).
    """
    columns = ["period", "label", "area_value", "cumulative", "cumulative_text", "count",
               "cumulative_count", "end_year"]  # fmt: skip
    if totals.empty:
        return pd.DataFrame(columns=columns)
    code = unit_code(unit)
    rows = []
    running = Decimal(0)
    running_count = 0
    for i, (period, part) in enumerate(totals.groupby("period", sort=False)):
        area = Decimal(str(round(part["area_value"].sum(), 4)))
        running += area
        running_count += int(part["count"].sum())
        label = str(part["label"].iloc[0])
        rows.append(
            {
                "period": period,
                "label": f"+{label}" if running_label and i else label,
                "area_value": float(area),
                "cumulative": float(running),
                "cumulative_text": format_in(running, code),
                "count": int(part["count"].sum()),
                "cumulative_count": running_count,
                "end_year": period_end_year(period),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def area_targets(plan: Plan, unit: str) -> pd.DataFrame:
    """The plan-wide area targets in ``unit``: ``deadline``, ``year``, ``value``, ``text``, ``printed``."""
    columns = ["deadline", "year", "value", "text", "printed", "comparator", "note"]
    targets = plan.targets
    rows = targets[(targets["scope_kind"] == "plan") & (targets["metric"] == "area")]
    code = unit_code(unit)
    out = []
    for r in rows.itertuples():
        value_ha = to_ha(r.value, r.unit or plan.area_unit)
        if value_ha is None:
            continue
        value = convert(value_ha, "ha", code)
        out.append(
            {
                "deadline": r.deadline,
                "year": period_end_year(r.deadline),
                "value": float(value),
                "text": format_area(value_ha, code),
                "printed": f"{_COMPARATORS.get(r.comparator, '')}{r.value} {r.unit}".strip(),
                "comparator": r.comparator,
                "note": r.note,
            }
        )
    frame = pd.DataFrame(out, columns=columns)
    return frame.sort_values("year", kind="stable").reset_index(drop=True) if len(frame) else frame


def target_checks(cumulative: pd.DataFrame, targets: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Each area target beside the cumulative area planned by its deadline year.

    Columns ``target`` (printed), ``deadline``, ``planned_text``, ``target_text``, ``gap_text``,
    ``met`` (bool or None when no period ends by then).
    """
    columns = ["target", "deadline", "target_text", "planned_text", "gap_text", "met", "verdict"]
    label = unit_label(unit)
    code = unit_code(unit)
    rows = []
    for t in targets.itertuples():
        upto = cumulative[cumulative["end_year"].notna() & (cumulative["end_year"] <= (t.year or 0))]
        if upto.empty or t.year is None:
            planned, gap, met = None, None, None
        else:
            planned = float(upto["cumulative"].iloc[-1])
            gap = planned - t.value
            met = gap >= -1e-6 if t.comparator in (">=", "=") else gap <= 1e-6
            if t.comparator == "=":
                met = abs(gap) < 1e-6
        rows.append(
            {
                "target": t.printed,
                "deadline": t.deadline,
                "target_text": f"{t.text} {label}",
                "planned_text": "—" if planned is None else f"{_fmt(planned, code)} {label}",
                "gap_text": "—" if gap is None else f"{'+' if gap > 0 else ''}{_fmt(gap, code)} {label}",
                "met": met,
                "verdict": _verdict(met, t.comparator),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _verdict(met: bool | None, comparator: str) -> str:
    if met is None:
        return "无对应时期"
    if comparator == "=":
        return "一致" if met else "不一致"
    return "达到" if met else "未达到"


def target_check_table(checks: pd.DataFrame) -> pd.DataFrame:
    """The target checks as the page's table, in Chinese."""
    return pd.DataFrame(
        {
            "目标（原文）": checks["target"],
            "期限": checks["deadline"].map(date_text),
            "目标面积": checks["target_text"],
            "截至期限累计": checks["planned_text"],
            "差额": checks["gap_text"],
            "核对": checks["verdict"],
        }
    )


def period_row(plan: Plan, today: date) -> pd.DataFrame:
    """The plan period as one Gantt row (规划期 2023—2025年); empty when start or end is not printed."""
    start, end = plan.period
    if not start or not end:
        return pd.DataFrame(columns=MILESTONE_COLUMNS)
    first, last = date(start, 1, 1), date(end, 12, 31)
    row = {
        "id": "period", "name": "规划期", "start": first, "end": last, "shape": "range", "bar_start": first,
        "bar_end": last, "period_text": f"{start}—{end}年", "status": _status(first, last, today),
        "content": f"规划期 {start}—{end} 年", "lead": "", "responsible": "", "note": "", "source": "文件标题/规划期限",
    }  # fmt: skip
    return pd.DataFrame([row], columns=MILESTONE_COLUMNS)


def _fmt(value: float, code: str) -> str:
    return format_in(Decimal(str(round(value, 4))), code)


def schedule_table(plan: Plan, role: str = "schedule"):
    """The published schedule table (无为市 表7-2) or the earlier round's (表3-1), if any."""
    return table_by_role(plan, role)


def target_points(cumulative: pd.DataFrame, targets: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Where each area target sits on the cumulative chart: ``x`` is the label of the period
    ending in the target's year (None when no period ends then: a horizontal line instead),
    ``value`` in ``unit``, ``label`` the Chinese caption (目标 ≥ 20,000 亩（2027年）)."""
    label = unit_label(unit)
    rows = []
    for t in targets.itertuples():
        match = cumulative[cumulative["end_year"] == t.year] if t.year is not None else cumulative.iloc[0:0]
        comparator = {">=": "≥ ", "<=": "≤ "}.get(t.comparator, "")
        rows.append(
            {
                "x": match["label"].iloc[-1] if len(match) else None,
                "value": t.value,
                "label": f"目标 {comparator}{t.text} {label}（{date_text(t.deadline)}）",
            }
        )
    return pd.DataFrame(rows, columns=["x", "value", "label"])


def ladder_check(cumulative: pd.DataFrame, targets: pd.DataFrame, unit: str) -> list[str]:
    """For stage ladders (湖州): each target against the area under way and the whole list."""
    if cumulative.empty or targets.empty:
        return []
    code = unit_code(unit)
    label = unit_label(code)
    first, last = cumulative.iloc[0], cumulative.iloc[-1]
    out = []
    for t in targets.itertuples():
        share_first = first["cumulative"] / t.value * 100 if t.value else 0
        share_all = last["cumulative"] / t.value * 100 if t.value else 0
        out.append(
            f"目标 {t.printed}（{date_text(t.deadline)}）：{first['period']} {_fmt(first['cumulative'], code)} {label}，"
            f"为目标的 {share_first:.1f}%；清单合计 {_fmt(last['cumulative'], code)} {label}，为目标的 {share_all:.1f}%。"
        )
    return out
