"""进展监测: progress against targets by 区县, from approved reports only.

Everything the 进展监测 page, the 总览 warnings and the 工作简报 show is computed here, once, from
an :class:`~panhuo.progress.service.ApprovedHistory` (every approved entry that counts, loaded in
one query and cacheable under its token), the 区县 report states of the chosen period, the
target breakdown and the milestones marked done. No Streamlit, no I/O in :func:`compute_monitor`.

Definitions (the page and the briefing say them in Chinese):

- **completed** (已完成): the sum of the approved cumulative area (累计再开发面积) of the records,
  each record at its newest approved entry up to the chosen period;
- **as-of date** (截至): the chosen period's last day, or today while that period runs;
- **expected** (应完成): the target × the share of the time from the plan period's first day
  (1 January of its first year) to the target's deadline that has passed by the as-of date; with
  yearly amounts (年度任务), the years before in full, the current year pro rata, and the part of
  the target left without a year pro rata as above;
- **completion rate** (完成率) = completed / target; **progress** (进度) = completed / expected;
- **light**: green from ``green`` % of expected, amber from ``amber`` %, else red; ``none`` without
  a target. Nothing expected yet (expected 0) is green;
- **rank** (亮晒比拼): by completion rate, best first, ties sharing a rank; by completed area
  when there are no targets at all;
- **reporting**: the chosen period's report approved (on time / late), awaiting review, or not
  in (missing once the due date has passed, else not due);
- **alerts** (预警): behind (amber/red light), milestones past their end and not marked done,
  reports missing (red) or late (amber), records whose stage has not changed for
  ``stale_periods`` periods while under way, figures that fell against the previous approved
  period, and area above the record's own area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from panhuo.model import Plan
from panhuo.progress.periods import Period
from panhuo.progress.stages import Stage
from panhuo.progress.targets import TargetBreakdown, deadline_end, plan_target_in
from panhuo.units import AREA_UNITS, DISPLAY_DECIMALS, format_number, unit_code, unit_label

CITY = "全市"
LIGHTS = ("green", "amber", "red", "none")
LIGHT_LABELS = {"green": "绿灯", "amber": "黄灯", "red": "红灯", "none": "无目标"}
REPORTING_LABELS = {
    "on_time": "按时报送",
    "late": "逾期报送",
    "pending": "待审核",
    "missing": "逾期未报",
    "not_due": "未到报送期限",
}
ALERT_KINDS = {
    "behind": "进度滞后",
    "milestone": "时间节点逾期",
    "missing": "未按期报送",
    "late": "逾期报送",
    "stale": "阶段停滞",
    "fell": "数据回退",
    "exceeded": "超出片区面积",
}
LEVEL_LABELS = {"red": "红色预警", "amber": "黄色预警"}
PLAN_STAGE_ORDER = {"储备": 0, "计划实施": 1, "正在实施": 2, "已完成": 3}
NOT_REPORTED = "未填报"
NO_COUNTY = "（未填区县）"  # records that name no 区县: a row of their own, so the rows add up
_FINAL_PLAN_STAGE = "已完成"


@dataclass(frozen=True)
class MonitorSettings:
    """Thresholds: percent of the expected value for green and amber; periods without a stage
    change before a record counts as stalled."""

    green: float = 100.0
    amber: float = 80.0
    stale_periods: int = 3

    @classmethod
    def from_settings(cls, settings) -> MonitorSettings:
        return cls(float(settings.monitor_green), float(settings.monitor_amber), int(settings.stale_periods))


@dataclass(frozen=True)
class CountyRow:
    county: str
    target: float | None
    completed: float
    expected: float | None
    rate: float | None
    vs_expected: float | None
    light: str
    rank: int | None
    reporting: str
    records: int
    reported: int

    @property
    def light_label(self) -> str:
        return LIGHT_LABELS[self.light]

    @property
    def reporting_label(self) -> str:
        return REPORTING_LABELS.get(self.reporting, "")

    def to_json(self) -> dict:
        return {
            "county": self.county,
            "target": self.target,
            "completed": self.completed,
            "expected": self.expected,
            "rate": self.rate,
            "vs_expected": self.vs_expected,
            "light": self.light,
            "light_label": self.light_label,
            "rank": self.rank,
            "reporting": self.reporting,
            "reporting_label": self.reporting_label,
            "records": self.records,
            "reported": self.reported,
        }


@dataclass(frozen=True)
class Alert:
    kind: str
    level: str  # red | amber
    county: str  # "" = the city
    title: str
    why: str
    record_ids: tuple[str, ...] = ()
    page: str = "records"  # where its records are: records | timeline | progress-review

    @property
    def kind_label(self) -> str:
        return ALERT_KINDS[self.kind]

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "level": self.level,
            "county": self.county,
            "title": self.title,
            "why": self.why,
            "record_ids": list(self.record_ids),
            "page": self.page,
        }


@dataclass
class Monitor:
    plan_id: str
    period: Period
    periods: list[Period]
    period_index: int
    as_of: dt.date
    unit: str  # unit code
    target_source: str  # breakdown | plan | none
    target_note: str
    breakdown: TargetBreakdown | None
    city: CountyRow
    counties: list[CountyRow]
    burnup: pd.DataFrame
    funnel: pd.DataFrame
    plan_vs_actual: pd.DataFrame
    alerts: list[Alert]
    next_milestones: pd.DataFrame
    settings: MonitorSettings = field(default_factory=MonitorSettings)
    demo: bool = False

    @property
    def unit_label(self) -> str:
        return unit_label(self.unit)

    @property
    def as_of_text(self) -> str:
        return chinese_date(self.as_of)

    @property
    def slipped(self) -> pd.DataFrame:
        return self.plan_vs_actual[self.plan_vs_actual["slipped"]].reset_index(drop=True)

    @property
    def breakdown_check(self):
        return self.breakdown.check if self.breakdown else None

    def alerts_of(self, level: str | None = None, county: str | None = None) -> list[Alert]:
        return [
            a
            for a in self.alerts
            if (level is None or a.level == level) and (county is None or a.county == county)
        ]

    # --- tables with Chinese headers (numbers stay numbers: the page formats, XLSX keeps them) --
    def county_table(self) -> pd.DataFrame:
        ul = self.unit_label
        rows = [
            {
                "排名": r.rank,
                "区县": r.county,
                f"目标（{ul}）": r.target,
                f"已完成（{ul}）": r.completed,
                f"截至期末应完成（{ul}）": r.expected,
                "完成率（%）": _round(r.rate, 1),
                "进度（占应完成，%）": _round(r.vs_expected, 1),
                "亮灯": r.light_label,
                "报送情况": r.reporting_label,
                "已填报记录": r.reported,
                "记录数": r.records,
            }
            for r in self.counties
        ]
        frame = pd.DataFrame(rows)
        if frame.empty:
            return frame
        frame["排名"] = frame["排名"].astype("Int64")
        return frame

    def alert_table(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "级别": [a.level_label for a in self.alerts],
                "类型": [a.kind_label for a in self.alerts],
                "区县": [a.county or CITY for a in self.alerts],
                "预警": [a.title for a in self.alerts],
                "原因": [a.why for a in self.alerts],
                "涉及记录": [len(a.record_ids) for a in self.alerts],
            }
        )

    def funnel_table(self) -> pd.DataFrame:
        ul = self.unit_label
        f = self.funnel
        return pd.DataFrame(
            {
                "阶段": f["stage_label"],
                "个数": f["count"],
                f"面积（{ul}）": f["area"],
                "达到该阶段及以后（个）": f["reached_count"],
                f"达到该阶段及以后面积（{ul}）": f["reached_area"],
            }
        )

    def slipped_table(self) -> pd.DataFrame:
        s = self.slipped
        return pd.DataFrame(
            {
                "编号": s["id"],
                "名称": s["name"],
                "区县": s["county"],
                "计划": s["planned"],
                "计划年份": s["planned_year"].astype("Int64"),
                "填报阶段": s["stage_label"],
                "开工日期": s["started_on"],
                "竣工日期": s["completed_on"],
            }
        )

    def to_json(self) -> dict:
        return {
            "plan_id": self.plan_id,
            "period": self.period.id,
            "period_label": self.period.label,
            "as_of": self.as_of.isoformat(),
            "unit": self.unit_label,
            "target_source": self.target_source,
            "target_note": self.target_note,
            "breakdown_version": self.breakdown.version if self.breakdown else None,
            "breakdown_check": self.breakdown.check.text if self.breakdown else "",
            "city": self.city.to_json(),
            "counties": [c.to_json() for c in self.counties],
            "funnel": self.funnel.to_dict("records"),
            "slipped": int(self.plan_vs_actual["slipped"].sum()) if not self.plan_vs_actual.empty else 0,
            "alerts": [a.to_json() for a in self.alerts],
            "demo": self.demo,
        }


# --- helpers ----------------------------------------------------------------------------------


def chinese_date(day: dt.date) -> str:
    """``2024年8月31日``.

    >>> chinese_date(dt.date(2024, 8, 31))
    '2024年8月31日'
    """
    return f"{day.year}年{day.month}月{day.day}日"


def _round(value: float | None, decimals: int) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), decimals)


def pro_rata(day: dt.date, start: dt.date, end: dt.date) -> float:
    """The share of [start, end] (both days counted) that has passed by the end of ``day``.

    >>> round(pro_rata(dt.date(2023, 12, 31), dt.date(2023, 1, 1), dt.date(2027, 12, 31)), 6)
    0.19989
    >>> pro_rata(dt.date(2020, 1, 1), dt.date(2023, 1, 1), dt.date(2027, 12, 31)), pro_rata(dt.date(2030, 1, 1), dt.date(2023, 1, 1), dt.date(2027, 12, 31))
    (0.0, 1.0)
    """
    total = (end - start).days + 1
    if total <= 0:
        return 1.0 if day >= end else 0.0
    return min(max(((day - start).days + 1) / total, 0.0), 1.0)


def expected_at(
    target: float, day: dt.date, start: dt.date, end: dt.date, yearly: Mapping[int, float] | None = None
) -> float:
    """What should be done by ``day``: pro rata, or by yearly amounts (see the module).

    >>> expected_at(100.0, dt.date(2024, 12, 31), dt.date(2023, 1, 1), dt.date(2024, 12, 31))
    100.0
    >>> round(expected_at(100.0, dt.date(2024, 6, 30), dt.date(2023, 1, 1), dt.date(2024, 12, 31), {2023: 20.0, 2024: 80.0}), 2)
    59.78
    """
    if not yearly:
        return target * pro_rata(day, start, end)
    done = 0.0
    for year, amount in yearly.items():
        if year < day.year:
            done += amount
        elif year == day.year:
            done += amount * pro_rata(day, dt.date(year, 1, 1), dt.date(year, 12, 31))
    rest = max(target - sum(yearly.values()), 0.0)
    return done + rest * pro_rata(day, start, end)


def _light(vs_expected: float | None, expected: float | None, settings: MonitorSettings) -> str:
    if expected is None:
        return "none"
    if expected <= 0:
        return "green"
    if vs_expected is None or pd.isna(vs_expected):
        return "none"
    if vs_expected >= settings.green:
        return "green"
    if vs_expected >= settings.amber:
        return "amber"
    return "red"


def _ranks(values: Sequence[float | None]) -> list[int | None]:
    """Rank, best (largest) first; ties share the smaller rank; None stays unranked.

    >>> _ranks([50.0, None, 80.0, 50.0])
    [2, None, 1, 2]
    """
    series = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    ranked = series.rank(method="min", ascending=False)
    return [None if pd.isna(r) else int(r) for r in ranked]


def _fmt(value: float | None, code: str) -> str:
    """An area in the unit's printed precision; a whole number without decimals (20,000).

    >>> _fmt(20000.0, "mu"), _fmt(1234.56, "mu"), _fmt(None, "mu")
    ('20,000', '1,234.6', '—')
    """
    if value is None or pd.isna(value):
        return "—"
    decimals = DISPLAY_DECIMALS.get(code, 2)
    value = round(float(value), decimals)
    return format_number(value, 0 if value.is_integer() else decimals)


# --- the computation --------------------------------------------------------------------------


def compute_monitor(
    plan: Plan,
    records: pd.DataFrame,
    entries: pd.DataFrame,
    reports: pd.DataFrame,
    statuses: Iterable,
    periods: Sequence[Period],
    period_id: str,
    *,
    stages: Sequence[Stage],
    breakdown: TargetBreakdown | None = None,
    done: Mapping[str, object] | None = None,
    milestones: pd.DataFrame | None = None,
    unit: str | None = None,
    settings: MonitorSettings | None = None,
    today: dt.date,
    cache: dict | None = None,
) -> Monitor:
    """The monitoring figures for ``period_id`` (see the module for the definitions).

    ``records``: id, name, county, area, area_unit, stage, phase (text, as
    :func:`panhuo.progress.service.record_frame`); ``entries``/``reports``: an
    :class:`~panhuo.progress.service.ApprovedHistory`'s frames; ``statuses``: the
    :class:`~panhuo.progress.service.CountyStatus` list of the period; ``milestones``: the frame
    of :func:`panhuo.timeline.milestone_frame` (computed here when None)."""
    settings = settings or MonitorSettings()
    ids = [p.id for p in periods]
    if period_id not in ids:
        raise KeyError(f"没有报送期“{period_id}”，可选：{'、'.join(ids)}")
    idx = ids.index(period_id)
    period = periods[idx]
    if period.start > today:
        raise ValueError(f"报送期 {period.label}（{period.id}）尚未开始，没有可监测的进展")
    as_of = min(period.end, today)
    code = unit_code(unit or plan.area_unit)
    per_ha = 1.0 / float(AREA_UNITS[code][1])  # hectares → the display unit
    done = done or {}

    # records and their listed area; the entries as arrays by record and period (prepared once
    # per history and records, then cheap for any period)
    records = records.reset_index(drop=True)
    prep = prepare(records, entries, stages, plan.area_unit, len(periods), cache=cache)
    n_rec = len(records)
    record_ha = prep.record_ha
    latest = (
        np.maximum.accumulate(prep.row_of[:, : idx + 1], axis=1) if n_rec else np.zeros((0, idx + 1), int)
    )
    last = latest[:, idx] if n_rec else np.zeros(0, int)
    has_state = last >= 0
    area_state = _take(prep.area0, last, 0.0) * per_ha
    county_names = prep.counties  # record 区县 codes → names ("" = none given)
    county_code = prep.county_code
    completed_by = np.bincount(county_code, weights=area_state, minlength=len(county_names))
    counts_by = np.bincount(county_code, minlength=len(county_names))
    reported_by = np.bincount(county_code, weights=has_state.astype(float), minlength=len(county_names))
    completed = {c: round(float(v), 6) for c, v in zip(county_names, completed_by, strict=True)}
    counts = dict(zip(county_names, counts_by.tolist(), strict=True))
    reported = dict(zip(county_names, reported_by.astype(int).tolist(), strict=True))
    counties = list(dict.fromkeys([*plan.counties, *[c for c in county_names if c]]))
    if counts.get("", 0):
        counties.append(NO_COUNTY)
        completed[NO_COUNTY], counts[NO_COUNTY], reported[NO_COUNTY] = completed[""], counts[""], reported[""]
    stage_by_code = {s.code: s for s in stages}

    # targets
    plan_start = dt.date(plan.period[0], 1, 1) if plan.period[0] else periods[0].start
    plan_target_unit = plan_target_in(plan, unit_label(code))
    plan_deadline = _plan_deadline(plan)
    shares: dict[str, tuple[float, dict[int, float]]] = {}
    if breakdown is not None and breakdown.shares:
        b_per = float(AREA_UNITS[unit_code(breakdown.unit)][1]) * per_ha
        for share in breakdown.shares:
            shares[share.county] = (
                float(share.value) * b_per,
                {int(y): float(v) * b_per for y, v in share.yearly.items()},
            )
        deadline = breakdown.deadline_date or plan_deadline
        source = "breakdown"
        note = (
            f"目标按区县分解（第 {breakdown.version} 版，期限 {breakdown.deadline}）；{breakdown.check.text}"
            + (f"；说明：{breakdown.reason}" if breakdown.reason and not breakdown.check.matches else "")
        )
    elif plan_target_unit is not None:
        deadline, source = plan_deadline, "plan"
        note = (
            f"目标未分解到区县，按全市目标 {_fmt(float(plan_target_unit), code)} {unit_label(code)}"
            f"（{plan_deadline.year}年）计算；区县不亮灯、按已完成面积排名"
        )
    else:
        deadline, source = plan_deadline, "none"
        note = "本规划没有面积目标，也未分解到区县：只列已完成面积，不计完成率、不亮灯"
    deadline = deadline or dt.date(plan.period[1] or today.year, 12, 31)

    reporting = _reporting(statuses, reports, period, today)
    rows: list[CountyRow] = []
    for county in counties:
        target, yearly = shares.get(county, (None, {}))
        done_area = float(completed.get(county, 0.0))
        expected = expected_at(target, as_of, plan_start, deadline, yearly) if target is not None else None
        rate = round(done_area / target * 100, 6) if target else None
        vs = round(done_area / expected * 100, 6) if expected else None
        rows.append(
            CountyRow(
                county,
                target,
                done_area,
                expected,
                rate,
                vs,
                _light(vs, expected, settings),
                None,
                reporting.get(county, "not_due") if county != NO_COUNTY else "",
                int(counts.get(county, 0)),
                int(reported.get(county, 0)),
            )
        )
    by_rate = any(r.target for r in rows)
    ranks = _ranks([r.rate if by_rate else r.completed for r in rows])
    rows = [_with_rank(r, k) for r, k in zip(rows, ranks, strict=True)]

    city_done = round(float(area_state.sum()), 6)
    if source == "breakdown":
        city_target = sum(t for t, _y in shares.values())
        city_expected = sum(r.expected or 0.0 for r in rows)
    elif source == "plan":
        city_target = float(plan_target_unit)
        city_expected = expected_at(city_target, as_of, plan_start, deadline)
    else:
        city_target = city_expected = None
    city_rate = round(city_done / city_target * 100, 6) if city_target else None
    city_vs = round(city_done / city_expected * 100, 6) if city_expected else None
    city = CountyRow(CITY, city_target, city_done, city_expected, city_rate, city_vs,
                     _light(city_vs, city_expected, settings), None, "", n_rec, int(has_state.sum()))  # fmt: skip

    burnup = _burnup(prep, latest, periods, idx, counties, per_ha, shares, city_target, plan_start, deadline,
                     source)  # fmt: skip
    funnel = _funnel(prep, last, record_ha, stages, per_ha)
    pva = _plan_vs_actual(records, prep, entries, last, stages, as_of)
    if milestones is None:
        from panhuo.timeline import milestone_frame

        milestones = milestone_frame(plan, as_of)
    done_by = {k: v for k, v in done.items() if _done_on(v) <= as_of}  # marked done by then
    alerts = _alerts(rows, city, source, as_of, code, settings, period, prep, latest, idx, record_ha,
                     stage_by_code, milestones, done_by, per_ha, records)  # fmt: skip
    upcoming = _next_milestones(milestones, done_by, as_of)
    return Monitor(plan.id, period, list(periods), idx, as_of, code, source, note,
                   breakdown if source == "breakdown" else None, city, rows, burnup, funnel, pva, alerts,
                   upcoming, settings, bool(plan.meta.get("demo")))  # fmt: skip


def _done_on(mark: object) -> dt.date:
    """The day a milestone was marked done (a MilestoneDone, a date, or anything else: long ago)."""
    day = getattr(mark, "done_on", mark)
    return day if isinstance(day, dt.date) else dt.date.min


def _factor(unit: str) -> float:
    try:
        return float(AREA_UNITS[unit_code(unit)][1])
    except (ValueError, KeyError):
        return float("nan")


def _plan_deadline(plan: Plan) -> dt.date | None:
    from panhuo.views import plan_area_target

    target = plan_area_target(plan)
    if target is not None and target.deadline:
        found = deadline_end(target.deadline)
        if found:
            return found
    return dt.date(plan.period[1], 12, 31) if plan.period[1] else None


def _with_rank(row: CountyRow, rank: int | None) -> CountyRow:
    return CountyRow(row.county, row.target, row.completed, row.expected, row.rate, row.vs_expected, row.light,
                     rank, row.reporting, row.records, row.reported)  # fmt: skip


def _reporting(statuses: Iterable, reports: pd.DataFrame, period: Period, today: dt.date) -> dict[str, str]:
    approved = reports[reports["period_id"] == period.id] if not reports.empty else reports
    late = dict(zip(approved.get("county", []), approved.get("late", []), strict=True))
    out: dict[str, str] = {}
    for status in statuses:
        county = status.county
        if county in late:
            out[county] = "late" if bool(late[county]) else "on_time"
        elif status.state == "submitted":
            out[county] = "pending"
        elif today > period.due:
            out[county] = "missing"
        else:
            out[county] = "not_due"
    return out


@dataclass
class Prepared:
    """A history's entries as arrays by record (the records' order) and period: what every
    period's figures are read from without touching the entries frame again.

    ``row_of[r, k]``: the index (into the entries, which are in period order) of record r's entry
    in period k, -1 when none; ``area0``/``investment``/``stage_code`` per entry (area in hectares,
    a blank area as 0; stage as the position in ``stages``, -1 blank); ``county_code`` per record
    into ``counties``; ``record_ha`` the record's own area."""

    row_of: np.ndarray
    area0: np.ndarray
    investment: np.ndarray
    stage_code: np.ndarray
    county_code: np.ndarray
    counties: list[str]
    record_ha: np.ndarray
    stage_labels: np.ndarray  # by stage_code + 1 (0: 未填报)
    stage_order: np.ndarray  # by stage_code + 1
    stage_plan: np.ndarray  # by stage_code + 1: the plan's 实施阶段 of the stage
    planned_year: np.ndarray  # per record, float (NaN: none)
    # per record, for the plan-against-actual table and the alerts (made once)
    ids: np.ndarray = None
    county_of: np.ndarray = None  # 区县, NO_COUNTY for none
    planned_order: np.ndarray = None
    planned: np.ndarray = None
    planned_year_int: object = None
    dates: dict = None  # date field → per entry text ("" none)


def _unit_factors(units: pd.Series, default: str) -> np.ndarray:
    """Hectares per unit for a column of unit words, looked up once per distinct word."""
    words = units.fillna("").astype(str).replace("", default)
    table = {w: _factor(w) for w in words.unique()}
    return words.map(table).to_numpy(dtype=float)


def prepare(
    records: pd.DataFrame,
    entries: pd.DataFrame,
    stages: Sequence[Stage],
    default_unit: str,
    n_periods: int,
    cache: dict | None = None,
) -> Prepared:
    """The arrays of :class:`Prepared` (kept in ``cache``, e.g. the history's, under the records
    and stages they were made for)."""
    from panhuo.views import period_end_year

    key = ("prepared", len(records), hash(tuple(records["id"])), tuple(s.code for s in stages), n_periods)
    if cache is not None and key in cache:
        return cache[key]
    n_rec = len(records)
    record_ha = pd.to_numeric(records["area"], errors="coerce").to_numpy(dtype=float) * _unit_factors(
        records["area_unit"], default_unit
    )
    county_codes, county_names = pd.factorize(records["county"].fillna("").astype(str))
    row_of = np.full((n_rec, max(n_periods, 1)), -1, dtype=np.int64)
    if entries.empty:
        area0 = investment = np.zeros(0)
        stage_code = np.zeros(0, dtype=np.int64)
    else:
        rec = pd.Index(records["id"].astype(str)).get_indexer(entries["record_id"].astype(str))
        pidx = entries["period_index"].to_numpy(dtype=np.int64)
        ok = (rec >= 0) & (pidx >= 0) & (pidx < n_periods)
        row_of[rec[ok], pidx[ok]] = np.flatnonzero(ok)
        area0 = np.nan_to_num(entries["area_ha"].to_numpy(dtype=float), nan=0.0)
        investment = entries["investment_value"].to_numpy(dtype=float)
        codes = {s.code: i for i, s in enumerate(stages)}
        stage_code = entries["stage"].fillna("").astype(str).map(codes).fillna(-1).to_numpy(dtype=np.int64)
    phases = records["phase"].fillna("").astype(str)
    years = {p: period_end_year(p) for p in phases.unique()}
    prepared = Prepared(
        row_of=row_of,
        area0=area0,
        investment=investment,
        stage_code=stage_code,
        county_code=county_codes.astype(np.int64),
        counties=[str(c) for c in county_names],
        record_ha=record_ha,
        stage_labels=np.array([NOT_REPORTED, *(s.label for s in stages)], dtype=object),
        stage_order=np.array([-1, *(s.order for s in stages)], dtype=float),
        stage_plan=np.array(["", *(s.plan_stage for s in stages)], dtype=object),
        planned_year=phases.map({p: np.nan if y is None else float(y) for p, y in years.items()}).to_numpy(
            dtype=float
        ),
    )
    stage_words = records["stage"].fillna("").astype(str)
    distinct = stage_words.unique()
    order_of = np.array([PLAN_STAGE_ORDER.get(w, np.nan) for w in distinct], dtype=float)
    prepared.ids = records["id"].astype(str).to_numpy(dtype=object)
    prepared.county_of = (
        records["county"].fillna("").astype(str).replace("", NO_COUNTY).to_numpy(dtype=object)
    )
    prepared.planned_order = order_of[pd.Index(distinct).get_indexer(stage_words)] if n_rec else np.zeros(0)
    words, phase_text = stage_words.to_numpy(dtype=object), phases.to_numpy(dtype=object)
    joiner = np.where((words != "") & (phase_text != ""), " · ", "").astype(object)
    prepared.planned = (words + joiner + phase_text) if n_rec else np.zeros(0, dtype=object)
    prepared.planned_year_int = pd.array(
        [None if np.isnan(y) else int(y) for y in prepared.planned_year], dtype="Int64"
    )
    prepared.dates = {}
    for column in ("started_on", "completed_on", "accepted_on"):
        if entries.empty or column not in entries:
            prepared.dates[column] = np.zeros(0, dtype=object)
            continue
        values = entries[column].map(lambda d: d.isoformat() if isinstance(d, dt.date) else d)
        prepared.dates[column] = values.fillna("").astype(str).to_numpy(dtype=object)
    if cache is not None:
        cache.clear()  # one records frame per history: the newest
        cache[key] = prepared
    return prepared


def _take(values: np.ndarray, rows: np.ndarray, blank: float = np.nan) -> np.ndarray:
    """values[rows] with ``blank`` where rows is -1."""
    if len(values) == 0:
        return np.full(rows.shape, blank, dtype=float)
    out = values[np.maximum(rows, 0)].astype(float)
    out[rows < 0] = blank
    return out


def _burnup(prep, latest, periods, idx, counties, per_ha, shares, city_target, start, deadline, source):
    """Cumulative completed per period (to the chosen one) against the target trajectory (all
    periods to the deadline), for the city and each 区县: one row per (区县, period)."""
    shown = [p for i, p in enumerate(periods) if i <= idx or p.start <= deadline]
    area = _take(prep.area0, latest, 0.0) * per_ha  # records × periods 0..idx
    by_code = {name: i for i, name in enumerate(prep.counties)}
    sums = np.zeros((len(prep.counties), idx + 1))
    for k in range(idx + 1):
        sums[:, k] = np.bincount(prep.county_code, weights=area[:, k], minlength=len(prep.counties))
    city = sums.sum(axis=0) if len(prep.counties) else np.zeros(idx + 1)
    rows = []
    for i, p in enumerate(shown):
        done_city = float(city[i]) if i <= idx else np.nan
        if source == "breakdown":
            expected_city = sum(expected_at(t, p.end, start, deadline, y) for t, y in shares.values())
        else:
            expected_city = (
                expected_at(city_target, p.end, start, deadline) if city_target is not None else np.nan
            )
        rows.append((p.id, p.label, p.end, CITY, done_city, expected_city, city_target))
        for county in counties:
            target, yearly = shares.get(county, (None, {}))
            code = by_code.get("" if county == NO_COUNTY else county)
            done = np.nan if i > idx else (float(sums[code, i]) if code is not None else 0.0)
            expected = expected_at(target, p.end, start, deadline, yearly) if target is not None else np.nan
            rows.append((p.id, p.label, p.end, county, done, expected, target))
    return pd.DataFrame(
        rows, columns=["period_id", "period_label", "period_end", "county", "completed", "expected", "target"]
    )


def _funnel(prep, last, record_ha, stages: Sequence[Stage], per_ha: float) -> pd.DataFrame:
    codes = _take(prep.stage_code.astype(float), last, -1.0).astype(np.int64) + 1  # 0 = 未填报
    area = np.nan_to_num(record_ha, nan=0.0) * per_ha
    n = len(stages) + 1
    count = np.bincount(codes, minlength=n)[:n]
    areas = np.bincount(codes, weights=area, minlength=n)[:n]
    frame = pd.DataFrame(
        {
            "stage": ["", *(s.code for s in stages)],
            "stage_label": [NOT_REPORTED, *(s.label for s in stages)],
            "order": range(n),
            "count": count.astype(int),
            "area": areas.astype(float),
        }
    )
    # reached: at this stage or a later one (未填报 counts every record)
    frame["reached_count"] = frame["count"][::-1].cumsum()[::-1]
    frame["reached_area"] = frame["area"][::-1].cumsum()[::-1]
    frame.loc[0, ["reached_count", "reached_area"]] = [int(frame["count"].sum()), float(frame["area"].sum())]
    frame["reached_count"] = frame["reached_count"].astype(int)
    return frame


def _plan_vs_actual(records: pd.DataFrame, prep, entries: pd.DataFrame, last, stages, as_of: dt.date):
    code = _take(prep.stage_code.astype(float), last, -1.0).astype(np.int64) + 1
    labels = prep.stage_labels[code]
    reported_order = np.array([PLAN_STAGE_ORDER.get(x, np.nan) for x in prep.stage_plan], dtype=float)[code]
    reported_order[code == 0] = np.nan
    planned_order = prep.planned_order
    against = np.full(len(records), "", dtype=object)
    known = ~np.isnan(planned_order) & ~np.isnan(reported_order)
    against[known & (reported_order > planned_order)] = "超前"
    against[known & (reported_order == planned_order)] = "符合"
    against[known & (reported_order < planned_order)] = "滞后"
    finished = prep.stage_plan[code] == _FINAL_PLAN_STAGE
    year = prep.planned_year
    slipped = ~np.isnan(year) & (np.nan_to_num(year, nan=9999) < as_of.year) & ~finished

    def dates(column: str) -> np.ndarray:
        values = prep.dates.get(column)
        if values is None or not len(values):
            return np.full(len(records), "", dtype=object)
        picked = values[np.maximum(last, 0)]
        picked[last < 0] = ""
        return picked

    return pd.DataFrame(
        {
            "id": prep.ids,
            "name": records["name"].to_numpy(),
            "county": records["county"].to_numpy(),
            "planned": prep.planned,
            "planned_year": prep.planned_year_int,
            "stage_label": labels,
            "started_on": dates("started_on"),
            "completed_on": dates("completed_on"),
            "accepted_on": dates("accepted_on"),
            "against": against,
            "slipped": slipped.astype(bool),
        }
    )


def _alerts(
    rows,
    city,
    source,
    as_of,
    code,
    settings,
    period,
    prep,
    latest,
    idx,
    record_ha,
    stages,
    milestones,
    done,
    per_ha,
    records,
):
    ul = unit_label(code)
    when = chinese_date(as_of)
    alerts: list[Alert] = []
    behind = [city] if source == "plan" else rows
    unfinished = None
    if len(records) and len(prep.stage_code):
        now_code = _take(prep.stage_code.astype(float), latest[:, idx], -1.0).astype(np.int64) + 1
        unfinished = prep.stage_plan[now_code] != _FINAL_PLAN_STAGE  # the records still to finish
    for r in behind:
        if r.light in ("red", "amber"):
            county = "" if r.county == CITY else r.county
            ids_behind: tuple[str, ...] = ()
            if unfinished is not None:
                mine = unfinished if not county else unfinished & (prep.county_of == county)
                ids_behind = tuple(prep.ids[mine])
            alerts.append(
                Alert("behind", "red" if r.light == "red" else "amber", county,
                      f"{r.county}进度滞后（{r.light_label}）",
                      f"已完成 {_fmt(r.completed, code)} {ul}，截至{when}应完成 {_fmt(r.expected, code)} {ul}，"
                      f"为应完成的 {format_number(r.vs_expected or 0.0, 1)}%"
                      f"（绿灯 ≥ {format_number(settings.green, 0)}%，黄灯 ≥ {format_number(settings.amber, 0)}%）；"
                      "涉及记录为其尚未竣工的片区或地块", ids_behind)
            )  # fmt: skip
    for m in milestones.itertuples():
        end = m.end
        if end is None or pd.isna(end) or end >= as_of or str(m.id) in done:
            continue
        alerts.append(
            Alert("milestone", "red", "", f"时间节点“{m.name}”已过期限",
                  f"期限 {chinese_date(end)}，至{when}未标记完成（{m.period_text}）", (), "timeline")
        )  # fmt: skip
    for r in rows:
        if r.reporting == "missing":
            alerts.append(
                Alert("missing", "red", r.county, f"{r.county}未报送{period.label}进展",
                      f"应于 {chinese_date(period.due)} 前报送，至今没有通过审核的报告", (), "progress-review")
            )  # fmt: skip
        elif r.reporting == "late":
            alerts.append(
                Alert("late", "amber", r.county, f"{r.county}逾期报送{period.label}进展",
                      f"应于 {chinese_date(period.due)} 前报送，报告晚于期限提交", (), "progress-review")
            )  # fmt: skip
    if not len(prep.stage_code) or not len(records):
        return alerts
    ids, county_of = prep.ids, prep.county_of

    def grouped(mask: np.ndarray):
        """(区县, record ids, their positions) for the records in ``mask``, 区县 in order of
        first appearance."""
        picked = np.flatnonzero(mask)
        for county in dict.fromkeys(county_of[picked]):
            where = picked[county_of[picked] == county]
            yield county, tuple(ids[where]), where

    # stalled: the stage unchanged for stale_periods periods while under way
    stage_mat = _take(prep.stage_code.astype(float), latest, -2.0)  # -2: nothing reported yet
    current = stage_mat[:, idx]
    since = np.full(len(current), idx)
    running = np.ones(len(current), dtype=bool)
    for k in range(idx - 1, -1, -1):
        running &= stage_mat[:, k] == current
        since[running] = k
    scode = current.astype(np.int64) + 1
    moving = (
        (current >= 0)
        & (prep.stage_order[np.maximum(scode, 0)] > 0)
        & (prep.stage_plan[np.maximum(scode, 0)] != _FINAL_PLAN_STAGE)
    )
    stale = moving & (idx - since >= settings.stale_periods)
    labels = prep.stage_labels
    for county, group, where in grouped(stale):
        shown = sorted({labels[c] for c in np.unique(scode[where])})
        alerts.append(
            Alert("stale", "amber", county, f"{county} {len(group)} 个记录阶段停滞",
                  f"连续 {settings.stale_periods} 期以上阶段没有变化（仍为{'、'.join(shown)}）", group)
        )  # fmt: skip
    # fell / exceeded in the chosen period's approved reports
    cur = prep.row_of[:, idx]
    has_cur = cur >= 0
    if has_cur.any():
        prev = latest[:, idx - 1] if idx > 0 else np.full(len(cur), -1)
        both = has_cur & (prev >= 0)
        area_cur, area_prev = _take(prep.area0, cur, 0.0), _take(prep.area0, prev, 0.0)
        inv_cur, inv_prev = _take(prep.investment, cur), _take(prep.investment, prev)
        order_cur = prep.stage_order[_take(prep.stage_code.astype(float), cur, -1).astype(np.int64) + 1]
        order_prev = prep.stage_order[_take(prep.stage_code.astype(float), prev, -1).astype(np.int64) + 1]
        with np.errstate(invalid="ignore"):
            fell = both & (
                (area_cur < area_prev - 1e-9)
                | (np.nan_to_num(inv_cur, nan=np.inf) < np.nan_to_num(inv_prev, nan=-np.inf) - 1e-9)
                | (order_cur < order_prev)
            )
        for county, group, _where in grouped(fell):
            alerts.append(
                Alert("fell", "amber", county, f"{county} {len(group)} 个记录本期数据低于上期",
                      "累计面积、累计投资或阶段低于上期通过的数值（填报时已说明变动原因）", group)
            )  # fmt: skip
        with np.errstate(invalid="ignore"):
            over = has_cur & (area_cur > record_ha * (1 + 1e-9) + 1e-9)
        for county, group, where in grouped(over):
            excess = float((area_cur[where] - record_ha[where]).sum()) * per_ha
            alerts.append(
                Alert("exceeded", "red", county, f"{county} {len(group)} 个记录累计面积超出其面积",
                      f"累计再开发面积合计超出 {_fmt(excess, code)} {ul}", group)
            )  # fmt: skip
    return alerts


def _next_milestones(milestones: pd.DataFrame, done: Mapping[str, object], as_of: dt.date) -> pd.DataFrame:
    """Milestones not marked done whose start or end is after the as-of date, soonest first."""
    if milestones.empty:
        return milestones
    keep = []
    for m in milestones.itertuples():
        if str(m.id) in done:
            continue
        dates = [d for d in (m.start, m.end) if d is not None and not pd.isna(d) and d >= as_of]
        if dates:
            keep.append((min(dates), m.Index))
    order = [i for _d, i in sorted(keep)]
    return milestones.loc[order].reset_index(drop=True)


def monitor_for(
    progress,
    plan: Plan,
    period_id: str | None = None,
    unit: str | None = None,
    settings: MonitorSettings | None = None,
    today: dt.date | None = None,
    history=None,
) -> Monitor | None:
    """The monitor for ``plan`` read from the store through ``progress`` (a
    :class:`~panhuo.progress.service.Progress`); None when the plan has no records or no period
    has begun; ValueError (Chinese) for a period that has not begun. ``history`` may be passed in (cached) to skip the query."""
    from panhuo.access import CountyScope
    from panhuo.progress.service import record_frame

    today = today or progress.today()
    periods = progress.periods(plan)
    if period_id is None:
        chosen = progress.default_period(plan)
        if chosen is None:
            return None
        period_id = chosen.id
    records = record_frame(plan, CountyScope())[1]
    if records.empty:
        return None
    history = history or progress.approved_history(plan)
    return compute_monitor(
        plan,
        records,
        history.entries,
        history.reports,
        progress.status(plan, period_id),
        periods,
        period_id,
        stages=progress.stages(plan),
        breakdown=progress.targets(plan),
        done=progress.milestones_done(plan),
        unit=unit,
        settings=settings,
        today=today,
        cache=getattr(history, "cache", None),
    )
