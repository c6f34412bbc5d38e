"""Simulated progress, for the demonstration plan and for large test and benchmark fixtures.

The real plans carry no progress and none may be invented for them: the store refuses simulated
reports for a plan that is not a demonstration (``Progress.write_simulated``), and every text
written here begins 【模拟】. The generator is deterministic: the same records, periods, ``today``
and ``seed`` give the same reports, whatever the machine (each record draws from its own
``random.Random`` seeded with text, which Python hashes the same everywhere).

For each 区县 and each period that has ended by ``today`` there is a report with one entry per
record of the 区县, whose figures advance plausibly:

- the stage only moves forward, one step (rarely two) in a period, starting from the plan's own
  实施阶段 (储备 → 未启动, 计划实施 → 方案批复 …); each stage reached has its date, in order, within
  the period it was reached in (before the first period for the stages a record starts with);
- the cumulative area grows with the stage and never exceeds the record's area (rounded down
  to 0.1 of the plan's unit); the cumulative investment never falls; new floor area once
  竣工, 亩均税收 once the last stage;
- most reports are approved on time, about one in ten late, ``returned`` of them were first
  returned with a reason and approved as the second revision, ``missing`` 区县 did not report
  in the latest periods, and ``pending`` report of the latest period awaits review — so the
  monitoring views have something to show;
- about three in ten reports mark their 难点问题 internal (``narrative["internal"]``), so the
  public briefing leaves something out.

:func:`synthetic_plan` makes a demonstration plan of any number of parcels for benchmarks and
tests; :func:`write_simulation` writes a simulation in one transaction with one audit row.

>>> records = synthetic_plan(12, seed=1).parcels
>>> a = simulate(records, plan_periods(synthetic_plan(12, seed=1)), dt.date(2025, 1, 10), unit="亩", seed=7)
>>> b = simulate(records, plan_periods(synthetic_plan(12, seed=1)), dt.date(2025, 1, 10), unit="亩", seed=7)
>>> a == b, sorted({r.period.id for r in a})[:2]
(True, ['2024-B1', '2024-B2'])
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

import pandas as pd

from panhuo import audit, units
from panhuo.access import SYSTEM, User
from panhuo.demo import DEMO_LABEL
from panhuo.model import Plan
from panhuo.progress.fields import KEYS, NARRATIVE
from panhuo.progress.periods import Period, make_periods
from panhuo.progress.stages import DEFAULT_STAGES, Stage

DEFAULT_SEED = 20240130  # 湖州's plan was issued on 2024-01-30
SIM_MARK = "【模拟】"
SIM_SUFFIX = f"｜{DEMO_LABEL}"
LATE_SHARE = 0.1  # reports submitted after their due date
ADVANCE = 0.15  # the chance a record moves on a stage in a period (times its 区县's pace)
PACE = (0.15, 1.1)  # each 区县 advances at its own pace, drawn once: some lag, so the lights differ
INTERNAL_SHARE = 0.3  # reports whose 难点问题 is marked 仅内部使用 (not in the public briefing)
BEIJING_HOURS = (9, 17)  # submissions and reviews happen in office hours, 北京时间
SYNTHETIC_COUNTIES = ("甲区", "乙区", "丙县", "丁县", "戊县", "己县")
RETURN_REASONS = (
    "请补充开工、竣工片区的现场照片，并核对累计投资口径。",
    "累计再开发面积与上期台账不一致，请核实后重新报送。",
    "“存在问题”未填写，请补充推进中遇到的困难及需要协调的事项。",
)


@dataclass(frozen=True)
class SimRevision:
    """One revision of a simulated report: its final state and when it was submitted and
    reviewed (UTC, naive, as the store keeps times)."""

    state: str  # returned | approved | submitted
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None = None
    review_note: str = ""


@dataclass(frozen=True)
class SimReport:
    """A simulated 区县 report for a period: its entries, narrative and revisions, oldest first."""

    county: str
    period: Period
    entries: tuple[dict, ...]
    narrative: dict
    revisions: tuple[SimRevision, ...] = ()

    @property
    def state(self) -> str:
        return self.revisions[-1].state

    @property
    def late(self) -> bool:
        submitted = self.revisions[-1].submitted_at
        return _beijing_day(submitted) > self.period.due


# --- time ----------------------------------------------------------------------------------------


def _utc(day: dt.date, rng: random.Random) -> dt.datetime:
    """A moment in office hours (北京时间) of ``day``, as the store keeps it (UTC, naive)."""
    hour = rng.randint(BEIJING_HOURS[0], BEIJING_HOURS[1] - 1)
    local = dt.datetime.combine(
        day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=audit.BEIJING
    )
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _beijing_day(moment: dt.datetime) -> dt.date:
    return moment.replace(tzinfo=dt.UTC).astimezone(audit.BEIJING).date()


def _day_between(first: dt.date, last: dt.date, rng: random.Random) -> dt.date | None:
    if last < first:
        return None
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


# --- one record over the periods -----------------------------------------------------------------


def _initial_stage(plan_stage: str, stages: Sequence[Stage], rng: random.Random) -> Stage:
    """Where a record starts: a stage counting as its 实施阶段, the first stage when it has none."""
    candidates = [s for s in stages if s.plan_stage == str(plan_stage).strip()]
    return rng.choice(candidates) if candidates else stages[0]


def _figure(value: Decimal, places: str = "0.1") -> str:
    text = format(value.quantize(Decimal(places), rounding=ROUND_DOWN), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def county_pace(county: str, seed: int) -> float:
    """A 区县's pace: a factor on a record's chance to advance and on the area it gains in a
    period, the same for every record of the 区县 (so the monitoring views show some lag).

    >>> county_pace("德清县", 1) == county_pace("德清县", 1), PACE[0] <= county_pace("德清县", 1) <= PACE[1]
    (True, True)
    """
    return random.Random(f"{seed}:pace:{county}").uniform(*PACE)


def _trajectory(
    record: dict, periods: Sequence[Period], stages: Sequence[Stage], unit: str, seed: int
) -> dict[str, dict]:
    """period id → the record's entry at the end of that period (cumulative)."""
    rng = random.Random(f"{seed}:record:{record['id']}")
    pace = county_pace(str(record.get("county", "")), seed)
    by_order = sorted(stages, key=lambda s: s.order)
    stage = _initial_stage(record.get("stage", ""), by_order, rng)
    index = by_order.index(stage)
    dates: dict[str, dt.date] = {}
    first = periods[0].start
    reached = [s for s in by_order[: index + 1] if s.date_field]
    days = sorted(
        _day_between(first - dt.timedelta(days=540), first - dt.timedelta(days=1), rng) for _ in reached
    )
    for s, day in zip(reached, days, strict=True):
        dates[s.date_field] = day
    record_ha = units.to_ha(record.get("area"), str(record.get("area_unit") or unit))
    total = units.from_ha(record_ha, unit) if record_ha is not None else None
    mu_per_unit = units.convert(1, unit, "亩") or Decimal(1)
    rate = Decimal(str(round(rng.uniform(15, 60), 1)))  # 万元 per 亩 redeveloped
    share = Decimal(0)
    investment = Decimal(0)
    floor_area = tax = ""
    out: dict[str, dict] = {}
    for number, period in enumerate(periods):
        steps = 0
        if number and index < len(by_order) - 1 and rng.random() < ADVANCE * pace:
            steps = 2 if index < len(by_order) - 2 and rng.random() < 0.1 else 1
        if steps:
            new = by_order[index + 1 : index + 1 + steps]
            after = max(dates.values(), default=period.start - dt.timedelta(days=1))
            start = max(period.start, after)
            picked = sorted(_day_between(start, period.end, rng) or period.end for _ in new)
            for s, day in zip(new, picked, strict=True):
                if s.date_field:
                    dates[s.date_field] = day
            index += steps
        stage = by_order[index]
        last = index == len(by_order) - 1
        if stage.plan_stage == "正在实施":
            share = min(Decimal("0.9"), share + Decimal(str(round(rng.uniform(0.03, 0.18) * pace, 3))))
        elif stage.plan_stage == "已完成":
            share = max(share, Decimal(1) if last else Decimal(str(round(rng.uniform(0.95, 1.0), 3))))
        area = total * share if total is not None else None
        if area is not None:
            area_mu = area * mu_per_unit
            investment = max(investment, (area_mu * rate).quantize(Decimal("0.1"), rounding=ROUND_DOWN))
            if stage.plan_stage == "已完成" and not floor_area:
                floor_area = _figure(
                    area_mu * Decimal("666.67") * Decimal(str(round(rng.uniform(0.8, 2.0), 2))), "1"
                )
        if last and not tax:
            tax = _figure(Decimal(str(round(rng.uniform(15, 80), 1))))
        issue = ""
        if stage.plan_stage == "正在实施" and rng.random() < 0.2:
            issue = SIM_MARK + rng.choice(("搬迁补偿协商进度偏慢", "规划指标调整尚在审批", "资金到位滞后"))
        entry = {key: "" for key in KEYS}
        entry.update(
            {
                "record_id": str(record["id"]),
                "stage": stage.code,
                **{s.date_field: dates[s.date_field].isoformat() for s in by_order if s.date_field in dates},
                "area": _figure(area) if area is not None else "",
                "investment": _figure(investment) if area is not None else "",
                "floor_area": floor_area,
                "tax_per_mu": tax,
                "note": f"{SIM_MARK}本期末处于“{stage.label}”阶段",
                "issues": issue,
            }
        )
        out[period.id] = entry
    return out


# --- the reports ---------------------------------------------------------------------------------


def _narrative(
    county: str,
    entries: Sequence[dict],
    before: dict[str, dict],
    unit: str,
    stages,
    *,
    internal: bool = False,
) -> dict:
    labels = {s.code: s for s in stages}
    moved = [e for e in entries if before.get(e["record_id"], {}).get("stage") != e["stage"]]
    done = [e for e in moved if labels[e["stage"]].plan_stage == "已完成"]
    area = sum((Decimal(e["area"]) for e in entries if e["area"]), Decimal(0))
    texts = {
        "progress": f"{SIM_MARK}{county}本期有 {len(moved)} 个片区/地块推进到新阶段，其中 {len(done)} 个竣工或验收；"
        f"累计再开发面积 {_figure(area)} {unit}。",
        "institution": f"{SIM_MARK}{county}完善低效用地再开发联席会议制度，按月调度重点项目。",
        "cases": f"{SIM_MARK}{county}以“工改工”方式推进老旧厂区整治，腾出发展空间。",
        "difficulties": f"{SIM_MARK}部分项目搬迁补偿协商周期较长，资金平衡压力较大。",
    }
    narrative: dict = {key: texts[key] + SIM_SUFFIX for key, _label in NARRATIVE}
    if internal:  # some 区县 keep their difficulties out of the public briefing
        narrative["internal"] = ["difficulties"]
    return narrative


def _counties(records: pd.DataFrame, counties: Iterable[str] | None) -> list[str]:
    present = [c for c in pd.unique(records["county"].astype(str)) if c]
    if counties is None:
        return present
    return [c for c in counties if c in set(present)]


def simulate(
    records: pd.DataFrame,
    periods: Sequence[Period],
    today: dt.date,
    *,
    unit: str,
    seed: int = DEFAULT_SEED,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    counties: Iterable[str] | None = None,
    start: dt.date | None = None,
    missing: int = 2,
    returned: int = 2,
    pending: int = 1,
) -> list[SimReport]:
    """The simulated reports for ``records`` (columns id, county, area, area_unit, stage) over
    the ``periods`` that have ended by ``today`` (and end on or after ``start``), in period
    then 区县 order. Deterministic in its arguments."""
    shown = [p for p in periods if p.is_closed(today) and (start is None or p.end >= start)]
    if not shown or records.empty:
        return []
    rows = records.assign(id=records["id"].astype(str), county=records["county"].astype(str)).to_dict(
        "records"
    )
    paths = {r["id"]: _trajectory(r, shown, stages, unit, seed) for r in rows}
    places = _counties(records, counties)
    by_county = {c: [r["id"] for r in rows if r["county"] == c] for c in places}
    rng = random.Random(f"{seed}:reports")
    last_day = today - dt.timedelta(days=1)  # every simulated moment is before today

    # who did not report: one 区县 in each of the latest ``missing`` periods
    absent: set[tuple[str, str]] = set()
    for period in shown[::-1][:missing]:
        free = [c for c in places if c not in {a[0] for a in absent}]
        if free:
            absent.add((rng.choice(free), period.id))
    early = [(c, p.id) for p in shown[:-1] for c in places if (c, p.id) not in absent]
    sent_back = set(rng.sample(early, min(returned, len(early))))
    latest = [(c, shown[-1].id) for c in places if (c, shown[-1].id) not in absent]
    waiting = set(rng.sample(latest, min(pending, len(latest))))

    reports: list[SimReport] = []
    previous: dict[str, dict] = {}
    for period in shown:
        for county in places:
            entries = tuple(paths[rid][period.id] for rid in by_county[county])
            internal = random.Random(f"{seed}:internal:{county}:{period.id}").random() < INTERNAL_SHARE
            narrative = _narrative(county, entries, previous, unit, stages, internal=internal)
            for entry in entries:
                previous[entry["record_id"]] = entry
            key = (county, period.id)
            if key in absent:
                continue
            revisions = _revisions(period, last_day, rng, key in sent_back, key in waiting)
            if revisions:
                reports.append(SimReport(county, period, entries, narrative, revisions))
    return reports


def _revisions(
    period: Period, last_day: dt.date, rng: random.Random, sent_back: bool, waiting: bool
) -> tuple[SimRevision, ...]:
    """The revisions of one report; () when there was no time to submit one before today."""
    late = rng.random() < LATE_SHARE
    day = None
    if late:
        day = _day_between(
            period.due + dt.timedelta(days=1), min(period.due + dt.timedelta(days=20), last_day), rng
        )
    if day is None:
        day = _day_between(period.end + dt.timedelta(days=1), min(period.due, last_day), rng)
    if day is None:
        return ()
    submitted = _utc(day, rng)
    if waiting:
        return (SimRevision("submitted", submitted),)
    review_day = _day_between(day + dt.timedelta(days=1), min(day + dt.timedelta(days=7), last_day), rng)
    if review_day is None:
        return (SimRevision("submitted", submitted),)
    reviewed = _utc(review_day, rng)
    if sent_back:
        again = _day_between(
            review_day + dt.timedelta(days=1), min(review_day + dt.timedelta(days=6), last_day), rng
        )
        final = (
            _day_between(again + dt.timedelta(days=1), min(again + dt.timedelta(days=5), last_day), rng)
            if again
            else None
        )
        if again is not None and final is not None:
            reason = SIM_MARK + rng.choice(RETURN_REASONS)
            return (
                SimRevision("returned", submitted, reviewed, reason),
                SimRevision("approved", _utc(again, rng), _utc(final, rng)),
            )
    return (SimRevision("approved", submitted, reviewed),)


# --- plans and the store -------------------------------------------------------------------------


def plan_periods(plan: Plan) -> list[Period]:
    """A plan's periods under its default reporting settings (no store needed)."""
    from panhuo.progress.service import default_config

    config = default_config(plan)
    last = plan.period[1] or config.first_start.year
    return make_periods(
        config.first_start, max(last, config.first_start.year), config.cadence_months, config.due_days
    )


def simulate_plan(
    plan: Plan,
    today: dt.date,
    *,
    periods: Sequence[Period] | None = None,
    stages: Sequence[Stage] = DEFAULT_STAGES,
    seed: int = DEFAULT_SEED,
    **options,
) -> list[SimReport]:
    """:func:`simulate` for a demonstration plan's records (parcels, else zones), from the
    period in which the plan was issued (``meta["date"]``). Refuses a plan that is not a
    demonstration: no real plan gets invented progress."""
    if not plan.is_demo:
        raise ValueError(f"规划 {plan.id} 不是演示规划，不能生成模拟进展")
    from panhuo.progress.service import record_frame

    issued = str(plan.meta.get("date") or "")
    start = dt.date.fromisoformat(issued) if len(issued) == 10 else None
    return simulate(
        record_frame(plan)[1],
        periods if periods is not None else plan_periods(plan),
        today,
        unit=plan.area_unit,
        seed=seed,
        stages=stages,
        counties=plan.counties or None,
        start=start,
        **options,
    )


def write_simulation(
    store, plan: Plan, reports: Sequence[SimReport], actor: User = SYSTEM, *, once: bool = False
) -> int:
    """Write simulated reports (every revision) in one transaction with one ``demo_loaded``
    audit row; returns the number of reports written. A 区县 and period that already has a
    report (someone tried the workflow on the demonstration) is left as it is; with ``once``
    nothing is written when the plan already has simulated reports. The store refuses a plan
    that is not a demonstration."""
    from sqlalchemy import select

    from panhuo.progress.service import Progress
    from panhuo.store.schema import ProgressReportRow

    if not reports:
        return 0
    progress = Progress(store)
    with store.writing() as session:
        mine = ProgressReportRow.plan_id == plan.id
        if once and session.scalar(
            select(ProgressReportRow.id).where(mine, ProgressReportRow.simulated.is_(True)).limit(1)
        ):
            return 0
        rows = session.execute(select(ProgressReportRow.county, ProgressReportRow.period_id).where(mine))
        taken = {(county, period_id) for county, period_id in rows}
        reports = [r for r in reports if (r.county, r.period.id) not in taken]
        if not reports:
            return 0
        for report in reports:
            previous = None
            for number, revision in enumerate(report.revisions, start=1):
                previous = progress.write_simulated(
                    session,
                    plan,
                    report.county,
                    report.period,
                    report.entries,
                    report.narrative,
                    state=revision.state,
                    submitted_at=revision.submitted_at,
                    reviewed_at=revision.reviewed_at,
                    review_note=revision.review_note,
                    revision=number,
                    previous_id=previous,
                    label=DEMO_LABEL,
                )
        states = {s: sum(1 for r in reports if r.state == s) for s in ("approved", "submitted")}
        periods = sorted({r.period.id for r in reports})
        audit.record(
            session,
            actor,
            "demo_loaded",
            plan=plan.id,
            summary=f"生成模拟进展：{len(reports)} 份区县报告（{periods[0]}—{periods[-1]}，已通过 {states['approved']} 份、"
            f"待审核 {states['submitted']} 份，其中逾期 {sum(r.late for r in reports)} 份、"
            f"退回后通过 {sum(len(r.revisions) > 1 for r in reports)} 份）；{DEMO_LABEL}",
            after={
                "reports": len(reports),
                "entries": sum(len(r.entries) for r in reports),
                "periods": periods,
                "simulated": True,
            },
        )
    return len(reports)


def synthetic_plan(
    n: int,
    *,
    seed: int = DEFAULT_SEED,
    counties: Sequence[str] = SYNTHETIC_COUNTIES,
    years: tuple[int, int] = (2024, 2027),
    cadence_months: int = 2,
) -> Plan:
    """A demonstration plan of ``n`` synthetic parcels (亩) in ``counties`` — large fixtures for
    benchmarks and tests; :func:`simulate_plan` gives its progress."""
    from panhuo.loader import plan_from_frames

    rng = random.Random(f"{seed}:synthetic:{n}")
    stages = ("储备", "计划实施", "正在实施", "已完成")
    weights = (3, 3, 3, 1)
    frame = pd.DataFrame(
        {
            "id": [f"S{i + 1:06d}" for i in range(n)],
            "name": [f"{SIM_MARK}地块{i + 1}" for i in range(n)],
            "county": [counties[i % len(counties)] for i in range(n)],
            "type": [rng.choice(("低效工业用地", "低效商业用地", "城中村")) for _ in range(n)],
            "area": [_figure(Decimal(str(round(rng.uniform(5, 400), 1)))) for _ in range(n)],
            "area_unit": ["亩"] * n,
            "stage": rng.choices(stages, weights, k=n),
            "source": [SIM_MARK + "合成数据"] * n,
        }
    )
    meta = {
        "id": f"synthetic-{n}",
        "title": f"【模拟演示】合成规划（{n:,} 个地块）",
        "short_title": f"【模拟演示】合成规划 {n:,}",
        "kind": "实施方案",
        "city": "",
        "counties": list(counties),
        "period_start": years[0],
        "period_end": years[1],
        "date": f"{years[0]}-01-01",
        "area_unit": "亩",
        "progress_cadence_months": cadence_months,
        "demo": True,
    }
    return plan_from_frames(meta, origin="demo", parcels=frame)
