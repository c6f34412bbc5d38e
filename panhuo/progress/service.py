"""进展填报 in the store: reporting settings, 区县 reports by revision, review, attachments, and
the approved state the monitoring views read.

The workflow: a 区县填报员 saves a draft (resumable) and submits it; an analyst or administrator
approves it or returns it with a reason; a returned report is revised as a new revision and
submitted again. A correction after approval is a new revision with a reason. A submitted
revision is never edited, so the history of a period is every revision in order. Only
approved revisions count (:meth:`Progress.approved_state`). Every write checks the role
(:func:`panhuo.access.require`) and writes its audit row in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from panhuo import audit
from panhuo.access import Action, CountyScope, PermissionDenied, User, require
from panhuo.model import Plan
from panhuo.privacy import scoped_records
from panhuo.progress.fields import (
    FIELD_BY_KEY,
    INTERNAL,
    KEYS,
    NARRATIVE,
    NARRATIVE_MAX,
    clean_narrative,
    entry_columns,
)
from panhuo.progress.periods import (
    DEFAULT_CADENCE_MONTHS,
    DEFAULT_DUE_DAYS,
    Period,
    make_periods,
    period_by_id,
)
from panhuo.progress.stages import DATE_FIELDS, DEFAULT_STAGES, Stage, stage_of, stages_from
from panhuo.progress.targets import Share, TargetBreakdown, check_breakdown
from panhuo.progress.validation import Problem, ProgressRejected, check_entries, errors_in
from panhuo.store.schema import (
    ProgressAttachmentRow,
    ProgressConfigRow,
    ProgressEntryRow,
    ProgressMilestoneRow,
    ProgressReportRow,
    ProgressTargetRow,
    now,
)
from panhuo.units import AREA_UNITS as _AREA_FACTORS
from panhuo.units import unit_code

STATE_LABELS = {
    "missing": "未报送",
    "draft": "草稿",
    "submitted": "已提交",
    "returned": "已退回",
    "approved": "已通过",
}
# what an attachment may be: checked by the file's first bytes, not its name
ATTACHMENT_TYPES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"%PDF-": "application/pdf",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_REPORT = 30
REASON_MAX = 2_000


def beijing_today() -> dt.date:
    return dt.datetime.now(audit.BEIJING).date()


@dataclass(frozen=True)
class ProgressConfig:
    plan_id: str
    cadence_months: int
    first_start: dt.date
    due_days: int
    stages: tuple[Stage, ...]
    is_default: bool = True
    created_by: str = ""
    created_at: dt.datetime | None = None


@dataclass(frozen=True)
class ReportInfo:
    id: int
    plan_id: str
    county: str
    period_id: str
    revision: int
    state: str
    kind: str
    correction_reason: str
    narrative: dict
    due: dt.date
    late: bool
    simulated: bool
    created_by: str
    created_by_label: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    submitted_by: str
    submitted_by_label: str
    reviewed_at: dt.datetime | None
    reviewed_by: str
    reviewed_by_label: str
    review_note: str
    previous_id: int | None
    area_unit: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def editable(self) -> bool:
        return self.state == "draft"

    @classmethod
    def of(cls, row: ProgressReportRow) -> ReportInfo:
        return cls(
            id=row.id,
            plan_id=row.plan_id,
            county=row.county,
            period_id=row.period_id,
            revision=row.revision,
            state=row.state,
            kind=row.kind,
            correction_reason=row.correction_reason or "",
            narrative=clean_narrative(row.narrative),
            due=row.due,
            late=bool(row.late),
            simulated=bool(row.simulated),
            created_by=row.created_by,
            created_by_label=row.created_by_label,
            created_at=row.created_at,
            updated_at=row.updated_at,
            submitted_at=row.submitted_at,
            submitted_by=row.submitted_by,
            submitted_by_label=row.submitted_by_label,
            reviewed_at=row.reviewed_at,
            reviewed_by=row.reviewed_by,
            reviewed_by_label=row.reviewed_by_label,
            review_note=row.review_note or "",
            previous_id=row.previous_id,
            area_unit=row.area_unit,
        )


@dataclass(frozen=True)
class CountyStatus:
    county: str
    state: str  # missing | draft | submitted | returned | approved
    due: dt.date
    overdue: bool  # nothing submitted and the due date has passed
    report: ReportInfo | None = None
    entries: int = 0

    @property
    def state_label(self) -> str:
        label = STATE_LABELS[self.state]
        if self.state in ("missing", "draft") and self.overdue:
            return f"{label}（已逾期）"
        return label

    @property
    def late(self) -> bool:
        return bool(self.report and self.report.late)

    def to_json(self) -> dict:
        r = self.report
        return {
            "county": self.county,
            "state": self.state,
            "state_label": self.state_label,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "late": self.late,
            "revision": r.revision if r else None,
            "submitted_at": audit.to_beijing(r.submitted_at) if r and r.submitted_at else "",
            "reviewed_at": audit.to_beijing(r.reviewed_at) if r and r.reviewed_at else "",
            "review_note": r.review_note if r else "",
            "entries": self.entries,
        }


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    report_id: int
    record_id: str
    filename: str
    media_type: str
    size: int
    sha256: str
    created_at: dt.datetime
    created_by: str
    thumbnail: bytes | None = field(default=None, repr=False)

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def default_config(plan: Plan) -> ProgressConfig:
    """The plan's reporting settings before an administrator sets any: its cadence
    (``progress_cadence_months``, else half-yearly) from 1 January of its first year, or from
    the period in which it was issued when that is later (湖州, issued 2024-01-30: 2024-B1)."""
    months = int(plan.meta.get("progress_cadence_months") or DEFAULT_CADENCE_MONTHS)
    start_year = plan.period[0] or beijing_today().year
    start = dt.date(int(start_year), 1, 1)
    issued = _issue_month(plan)
    if issued is not None and issued > start:  # nobody reports on a period before the plan existed
        start = dt.date(issued.year, (issued.month - 1) // months * months + 1, 1)
    return ProgressConfig(plan.id, months, start, DEFAULT_DUE_DAYS, DEFAULT_STAGES)


def _issue_month(plan: Plan) -> dt.date | None:
    """The first day of the month the plan was issued in (``date`` = YYYY-MM or YYYY-MM-DD)."""
    text = str(plan.meta.get("date") or "").strip()
    try:
        return dt.date(int(text[:4]), int(text[5:7]), 1) if len(text) >= 7 else None
    except ValueError:
        return None


def record_frame(plan: Plan, scope: CountyScope | None = None) -> tuple[str, pd.DataFrame]:
    """The records a plan reports on (its parcels, else its zones): kind and a frame with
    ``id, name, county, area, area_unit, stage, phase`` as text. With a ``scope``, a name that is
    a private person's (the right-holder's) is masked outside the 区县 the scope covers."""
    kind, frame = plan.records()
    if scope is not None:
        frame = scoped_records(frame, scope)
    columns = ["id", "name", "county", "area", "area_unit", "stage", "phase"]
    out = pd.DataFrame({c: frame.get(c, "") for c in columns}, index=frame.index)
    out = out.fillna("").astype(str).apply(lambda s: s.str.strip())
    return kind, out.reset_index(drop=True)


def _entry_dict(row: ProgressEntryRow) -> dict:
    entry = {key: getattr(row, key) for key in KEYS}
    for key in DATE_FIELDS:
        entry[key] = entry[key].isoformat() if entry[key] else ""
    return {k: ("" if v is None else str(v)) for k, v in entry.items()}


def _entry_row(report_id: int, entry: Mapping, unit: str) -> ProgressEntryRow:
    values = {key: str(entry.get(key) or "") for key in KEYS}
    dates = {key: (dt.date.fromisoformat(values[key]) if values[key] else None) for key in DATE_FIELDS}
    return ProgressEntryRow(
        report_id=report_id,
        **{k: v for k, v in values.items() if k not in DATE_FIELDS},
        **dates,
        area_unit=unit,
    )


def _sniff(content: bytes) -> str | None:
    return next((kind for magic, kind in ATTACHMENT_TYPES.items() if content.startswith(magic)), None)


def _thumbnail(content: bytes) -> bytes | None:
    """A PNG of at most 320 px for an image; None when Pillow cannot read it."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(content)) as image:
            image.thumbnail((320, 320))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="PNG")
            return out.getvalue()
    except Exception:
        return None


class Progress:
    """Progress reports of the plans in ``store``. ``today`` gives the date in 北京时间 (tests
    pass a fixed one)."""

    def __init__(self, store, today: Callable[[], dt.date] | None = None) -> None:
        self.store = store
        self.today = today or beijing_today

    # --- settings and periods ----------------------------------------------------------------
    def config(self, plan: Plan) -> ProgressConfig:
        with self.store.session() as session:
            row = session.scalar(
                select(ProgressConfigRow)
                .where(ProgressConfigRow.plan_id == plan.id)
                .order_by(ProgressConfigRow.id.desc())
                .limit(1)
            )
        if row is None:
            return default_config(plan)
        return ProgressConfig(
            plan.id,
            row.cadence_months,
            row.first_start,
            row.due_days,
            stages_from(row.stages),
            False,
            row.created_by,
            row.created_at,
        )

    def set_config(
        self,
        actor: User,
        plan: Plan,
        *,
        cadence_months: int | None = None,
        first_start: dt.date | None = None,
        due_days: int | None = None,
        stages: Sequence[Mapping] | None = None,
        client: str = "",
    ) -> ProgressConfig:
        """Change the plan's reporting settings (管理员). Periods with reports keep their ids
        only if the cadence stays; a change that would orphan reports is refused."""
        require(actor, Action.MANAGE_PROGRESS, plan.id)
        old = self.config(plan)
        months = int(cadence_months if cadence_months is not None else old.cadence_months)
        start = first_start or old.first_start
        days = int(due_days if due_days is not None else old.due_days)
        stage_list = stages_from(stages) if stages is not None else old.stages
        if not 0 <= days <= 180:
            raise ValueError("报送期限须为期末后 0—180 天")
        first_year, last_plan_year = plan.period
        low, high = (first_year or start.year) - 1, (last_plan_year or start.year)
        if not low <= start.year <= high:
            raise ValueError(f"第一期的起始日须在规划期内（{low}—{high} 年），现为 {start.isoformat()}")
        last_year = plan.period[1] or start.year
        periods = make_periods(start, max(last_year, start.year), months, days)
        with self.store.writing() as session:
            used = set(
                session.scalars(
                    select(ProgressReportRow.period_id).where(ProgressReportRow.plan_id == plan.id)
                )
            )
            orphaned = sorted(used - {p.id for p in periods})
            if orphaned:
                raise ValueError(f"已有报告的报送期在新设置下不存在：{'、'.join(orphaned)}；不能这样修改")
            codes_used = set(
                session.scalars(
                    select(ProgressEntryRow.stage)
                    .join(ProgressReportRow, ProgressReportRow.id == ProgressEntryRow.report_id)
                    .where(ProgressReportRow.plan_id == plan.id)
                )
            ) - {""}
            missing = sorted(codes_used - {s.code for s in stage_list})
            if missing:
                raise ValueError(f"已填报的阶段在新设置中不存在：{'、'.join(missing)}；不能删除")
            session.add(
                ProgressConfigRow(
                    plan_id=plan.id,
                    cadence_months=months,
                    first_start=start,
                    due_days=days,
                    stages=[s.to_json() for s in stage_list],
                    created_by=actor.name,
                )
            )
            audit.record(
                session,
                actor,
                "progress_config_changed",
                plan=plan.id,
                summary=f"进展填报设置：每 {months} 个月一期，自 {start.isoformat()} 起，期末后 {days} 天内报送，{len(stage_list)} 个阶段",
                before=_config_json(old),
                after={"cadence_months": months, "first_start": start.isoformat(), "due_days": days,
                       "stages": [s.label for s in stage_list]},
                client=client,
            )  # fmt: skip
        return self.config(plan)

    def periods(self, plan: Plan) -> list[Period]:
        config = self.config(plan)
        last_year = plan.period[1] or max(config.first_start.year, self.today().year)
        return make_periods(
            config.first_start,
            max(last_year, config.first_start.year),
            config.cadence_months,
            config.due_days,
        )

    def period(self, plan: Plan, period_id: str) -> Period:
        return period_by_id(self.periods(plan), period_id)

    def stages(self, plan: Plan) -> tuple[Stage, ...]:
        return self.config(plan).stages

    def default_period(self, plan: Plan) -> Period | None:
        """The latest period that has ended (what a report is made for now), else the first."""
        periods = self.periods(plan)
        closed = [p for p in periods if p.is_closed(self.today())]
        return closed[-1] if closed else (periods[0] if periods else None)

    def records(self, plan: Plan, county: str | None = None) -> pd.DataFrame:
        frame = record_frame(plan)[1]
        return frame[frame["county"] == county].reset_index(drop=True) if county else frame

    def counties(self, plan: Plan) -> list[str]:
        """The plan's 区县 in its own order, then any other 区县 its records name."""
        found = [c for c in record_frame(plan)[1]["county"].unique() if c]
        return list(dict.fromkeys([*plan.counties, *found]))

    # --- reading ------------------------------------------------------------------------------
    def _latest(
        self, session: Session, plan_id: str, county: str, period_id: str
    ) -> ProgressReportRow | None:
        return session.scalar(
            select(ProgressReportRow)
            .where(
                ProgressReportRow.plan_id == plan_id,
                ProgressReportRow.county == county,
                ProgressReportRow.period_id == period_id,
            )
            .order_by(ProgressReportRow.revision.desc())
            .limit(1)
        )

    def report(self, plan_id: str, county: str, period_id: str) -> ReportInfo | None:
        """The latest revision of a 区县's report for a period, or None."""
        with self.store.session() as session:
            row = self._latest(session, plan_id, county, period_id)
            return ReportInfo.of(row) if row else None

    def report_by_id(self, report_id: int) -> ReportInfo:
        with self.store.session() as session:
            row = session.get(ProgressReportRow, report_id)
            if row is None:
                raise KeyError(f"没有编号为 {report_id} 的进展报告")
            return ReportInfo.of(row)

    def history(self, plan_id: str, county: str, period_id: str) -> list[ReportInfo]:
        with self.store.session() as session:
            rows = session.scalars(
                select(ProgressReportRow)
                .where(
                    ProgressReportRow.plan_id == plan_id,
                    ProgressReportRow.county == county,
                    ProgressReportRow.period_id == period_id,
                )
                .order_by(ProgressReportRow.revision)
            ).all()
            return [ReportInfo.of(r) for r in rows]

    def entries(self, report_id: int) -> list[dict]:
        with self.store.session() as session:
            rows = session.scalars(
                select(ProgressEntryRow)
                .where(ProgressEntryRow.report_id == report_id)
                .order_by(ProgressEntryRow.id)
            ).all()
            return [_entry_dict(r) for r in rows]

    def _approved_reports(self, plan_id: str, period_ids: Iterable[str], county: str | None = None) -> dict:
        """(county, period id) → the approved revision counting for it (the newest approved)."""
        wanted = list(period_ids)
        if not wanted:
            return {}
        with self.store.session() as session:
            query = select(ProgressReportRow).where(
                ProgressReportRow.plan_id == plan_id,
                ProgressReportRow.state == "approved",
                ProgressReportRow.period_id.in_(wanted),
            )
            if county is not None:
                query = query.where(ProgressReportRow.county == county)
            found: dict[tuple[str, str], ProgressReportRow] = {}
            for row in session.scalars(query):
                key = (row.county, row.period_id)
                if key not in found or row.revision > found[key].revision:
                    found[key] = row
            return {k: ReportInfo.of(v) for k, v in found.items()}

    def _entries_of(self, report_ids: Iterable[int]) -> dict[int, list[dict]]:
        ids = list(report_ids)
        out: dict[int, list[dict]] = {i: [] for i in ids}
        if not ids:
            return out
        with self.store.session() as session:
            for row in session.scalars(select(ProgressEntryRow).where(ProgressEntryRow.report_id.in_(ids))):
                out[row.report_id].append(_entry_dict(row))
        return out

    def _state_until(
        self, plan: Plan, period_ids: Sequence[str], county: str | None = None
    ) -> dict[str, tuple[str, dict]]:
        """record id → (period id, entry): the newest approved entry over ``period_ids`` (in order)."""
        approved = self._approved_reports(plan.id, period_ids, county)
        order = {pid: i for i, pid in enumerate(period_ids)}
        by_report = self._entries_of(r.id for r in approved.values())
        state: dict[str, tuple[str, dict]] = {}
        for (_county, pid), report in sorted(approved.items(), key=lambda kv: order[kv[0][1]]):
            for entry in by_report[report.id]:
                state[entry["record_id"]] = (pid, entry)
        return state

    def previous_values(self, plan: Plan, county: str | None, period_id: str) -> dict[str, dict]:
        """record id → its last approved entry from the periods before ``period_id``."""
        ids = [p.id for p in self.periods(plan)]
        earlier = ids[: ids.index(period_id)] if period_id in ids else []
        return {rid: entry for rid, (_pid, entry) in self._state_until(plan, earlier, county).items()}

    def following_values(self, plan: Plan, county: str | None, period_id: str) -> dict[str, tuple[str, dict]]:
        """record id → (period id, entry): its first approved entry from the periods after
        ``period_id`` (a correction or a late report must not rise above what came later)."""
        ids = [p.id for p in self.periods(plan)]
        later = ids[ids.index(period_id) + 1 :] if period_id in ids else []
        return self._state_until(plan, list(reversed(later)), county)

    def approved_state(
        self, plan: Plan, period_id: str | None = None, scope: CountyScope | None = None
    ) -> pd.DataFrame:
        """One row per record of the plan: its approved figures as of ``period_id`` (default: the
        latest period that has ended). ``state``: approved (in this period), carried (from an
        earlier period: this period's report for it is not approved or does not include it) or
        none (never reported and approved). Names that are a private person's are masked outside
        ``scope`` (default: everywhere, as in a public export)."""
        periods = self.periods(plan)
        if period_id is None:
            chosen = self.default_period(plan)
            period_id = chosen.id if chosen else ""
        ids = [p.id for p in periods]
        if period_id not in ids:
            period_by_id(periods, period_id)  # raises with the ids there are
        upto = ids[: ids.index(period_id) + 1]
        state = self._state_until(plan, upto)
        stages = self.stages(plan)
        records = record_frame(plan, scope if scope is not None else CountyScope())[1]
        rows = []
        for rec in records.to_dict("records"):
            pid, entry = state.get(rec["id"], ("", {}))
            stage = stage_of(entry.get("stage", ""), stages)
            rows.append(
                {
                    "id": rec["id"],
                    "name": rec["name"],
                    "county": rec["county"],
                    "record_area": rec["area"],
                    "record_unit": rec["area_unit"],
                    "stage": stage.code if stage else "",
                    "stage_label": stage.label if stage else "",
                    "plan_stage": stage.plan_stage if stage else "",
                    **{k: entry.get(k, "") for k in KEYS if k not in ("record_id", "stage")},
                    "unit": plan.area_unit,
                    "period_id": pid,
                    "state": ("approved" if pid == period_id else "carried") if pid else "none",
                }
            )
        return pd.DataFrame(rows)

    def status(self, plan: Plan, period_id: str) -> list[CountyStatus]:
        """Each 区县's report state for the period (未报送 when none)."""
        period = self.period(plan, period_id)
        overdue = self.today() > period.due
        out = []
        with self.store.session() as session:
            for county in self.counties(plan):
                row = self._latest(session, plan.id, county, period_id)
                if row is None:
                    out.append(CountyStatus(county, "missing", period.due, overdue))
                    continue
                count = session.scalar(
                    select(func.count())
                    .select_from(ProgressEntryRow)
                    .where(ProgressEntryRow.report_id == row.id)
                )
                state = row.state
                # a correction in progress after an approval: the approved one still counts
                out.append(
                    CountyStatus(
                        county,
                        state,
                        period.due,
                        overdue and state in ("draft",),
                        ReportInfo.of(row),
                        int(count or 0),
                    )
                )
        return out

    def changes(self, plan: Plan, report_id: int) -> pd.DataFrame:
        """What a report changes against the last approved values: 编号, 名称, 项目, 上期, 本期."""
        report = self.report_by_id(report_id)
        previous = self.previous_values(plan, report.county, report.period_id)
        names = dict(zip(record_frame(plan)[1]["id"], record_frame(plan)[1]["name"], strict=False))
        headers = entry_columns(report.area_unit)
        stages = self.stages(plan)
        rows = []
        for entry in self.entries(report_id):
            before = previous.get(entry["record_id"], {})
            for key in KEYS:
                if key == "record_id":
                    continue
                old, new = str(before.get(key, "")), str(entry.get(key, ""))
                if old == new:
                    continue
                if key == "stage":
                    old = getattr(stage_of(old, stages), "label", old)
                    new = getattr(stage_of(new, stages), "label", new)
                rows.append(
                    {
                        "编号": entry["record_id"],
                        "名称": names.get(entry["record_id"], ""),
                        "项目": headers[key],
                        "上期": old,
                        "本期": new,
                    }
                )
        return pd.DataFrame(rows, columns=["编号", "名称", "项目", "上期", "本期"])

    # --- checking -----------------------------------------------------------------------------
    def check(
        self, plan: Plan, county: str, period_id: str, entries: Iterable[Mapping]
    ) -> tuple[list[dict], list[Problem]]:
        """Clean and check entries for a 区县's report (nothing written)."""
        period = self.period(plan, period_id)
        return check_entries(
            entries,
            records=self.records(plan),
            county=county,
            previous=self.previous_values(plan, county, period_id),
            following=self.following_values(plan, county, period_id),
            stages=self.stages(plan),
            unit=plan.area_unit,
            period=period,
            today=self.today(),
        )

    def _check_county(self, plan: Plan, county: str) -> None:
        if county not in self.counties(plan):
            raise ValueError(f"规划 {plan.id} 中没有区县“{county}”。可选：{'、'.join(self.counties(plan))}")

    # --- writing ------------------------------------------------------------------------------
    def save_draft(
        self,
        actor: User,
        plan: Plan,
        county: str,
        period_id: str,
        entries: Iterable[Mapping],
        narrative: Mapping | None = None,
        *,
        correction_reason: str = "",
        client: str = "",
    ) -> ReportInfo:
        """Save the 区县's draft for the period (a new revision after a return or an approval).
        Raises :class:`ProgressRejected` when an entry has errors: nothing is written."""
        require(actor, Action.REPORT, plan.id, county)
        self._check_county(plan, county)
        period = self.period(plan, period_id)
        if period.start > self.today():
            raise ValueError(f"报送期 {period.label} 尚未开始，不能填报")
        cleaned, problems = self.check(plan, county, period_id, entries)
        text = clean_narrative(narrative)
        for key, label in NARRATIVE:
            if len(text[key]) > NARRATIVE_MAX:
                problems.append(
                    Problem(
                        "error",
                        f"“{label}”过长（{len(text[key])} 字，上限 {NARRATIVE_MAX} 字）",
                        "精简后再填",
                        column=label,
                    )
                )
        if errors_in(problems):
            raise ProgressRejected(problems)
        reason = str(correction_reason or "").strip()[:REASON_MAX]
        with self.store.writing() as session:
            latest = self._latest(session, plan.id, county, period_id)
            before = None
            if latest is not None and latest.state == "submitted":
                raise ValueError(f"{county} {period.label} 的报告已提交，等待审核；退回后才能修改")
            if narrative is not None and INTERNAL not in narrative and latest is not None:
                # a workbook carries no internal marks: keep the ones the report has
                marked = clean_narrative(latest.narrative).get(INTERNAL)
                if marked:
                    text = {**text, INTERNAL: marked}
            if latest is not None and latest.state == "draft":
                row = latest
                old_entries = [
                    _entry_dict(e)
                    for e in session.scalars(
                        select(ProgressEntryRow).where(ProgressEntryRow.report_id == row.id)
                    )
                ]
                before = {"entries": len(old_entries)}
                for old in session.scalars(
                    select(ProgressEntryRow).where(ProgressEntryRow.report_id == row.id)
                ):
                    session.delete(old)
                session.flush()
                if row.kind == "correction" and reason:
                    row.correction_reason = reason
                row.narrative, row.updated_at = text, now()
            else:
                kind = "report"
                if latest is not None and latest.state == "approved":
                    if not reason:
                        raise ValueError(
                            f"{county} {period.label} 的报告已通过审核；更正须写明更正原因，作为新的一次报送"
                        )
                    kind = "correction"
                elif latest is not None:  # returned: revise as a new revision
                    kind = latest.kind
                    reason = reason or latest.correction_reason
                old_entries = []
                row = ProgressReportRow(
                    plan_id=plan.id,
                    county=county,
                    period_id=period_id,
                    revision=(latest.revision + 1) if latest else 1,
                    state="draft",
                    kind=kind,
                    correction_reason=reason if kind == "correction" else "",
                    previous_id=latest.id if latest else None,
                    record_kind=record_frame(plan)[0],
                    area_unit=plan.area_unit,
                    narrative=text,
                    due=period.due,
                    late=False,
                    simulated=False,
                    created_by=actor.name,
                    created_by_label=actor.label,
                    editors=[],
                    submitted_by="",
                    submitted_by_label="",
                    reviewed_by="",
                    reviewed_by_label="",
                    review_note="",
                )
                session.add(row)
                session.flush()
                if latest is not None:  # the attachments go on with the report
                    for att in session.scalars(
                        select(ProgressAttachmentRow).where(ProgressAttachmentRow.report_id == latest.id)
                    ).all():
                        session.add(_copy_attachment(att, row.id))
            row.editors = list(dict.fromkeys([*(row.editors or []), actor.name]))
            for entry in cleaned:
                session.add(_entry_row(row.id, entry, plan.area_unit))
            changed = _changed_ids(old_entries, cleaned)
            audit.record(
                session,
                actor,
                "progress_draft_saved",
                plan=plan.id,
                summary=f"保存进展填报草稿：{county} {period.label}（第 {row.revision} 版），{len(cleaned)} 条"
                + (f"，更正原因：{row.correction_reason}" if row.kind == "correction" else ""),
                records=[row.id, *changed[:200]],
                before=before,
                after={"report_id": row.id, "revision": row.revision, "entries": len(cleaned), "changed": changed[:200],
                       "warnings": len(problems)},
                client=client,
            )  # fmt: skip
            session.flush()
            return ReportInfo.of(row)

    def submit(self, actor: User, plan: Plan, county: str, period_id: str, *, client: str = "") -> ReportInfo:
        """Submit the 区县's draft for review; late when after the due date (北京时间)."""
        require(actor, Action.REPORT, plan.id, county)
        period = self.period(plan, period_id)
        today = self.today()
        report = self.report(plan.id, county, period_id)
        if report is None or report.state != "draft":
            state = report.state_label if report else "未填报"
            raise ValueError(f"{county} {period.label} 没有可提交的草稿（当前：{state}）")
        if today < period.end:
            raise ValueError(f"报送期 {period.label} 到 {period.end.isoformat()} 才结束，届时再提交")
        entries = self.entries(report.id)
        _cleaned, problems = self.check(plan, county, period_id, entries)
        if not entries and not any(report.narrative.get(key) for key, _label in NARRATIVE):
            problems.append(
                Problem("error", "报告是空的：没有填报任何片区/地块，也没有文字说明", "填写后再提交")
            )
        if errors_in(problems):
            raise ProgressRejected(problems)
        late = today > period.due
        with self.store.writing() as session:
            row = session.get(ProgressReportRow, report.id)
            if (
                row is None or row.state != "draft" or row.updated_at != report.updated_at
            ):  # changed meanwhile
                raise ValueError(f"{county} {period.label} 的草稿已被提交或更改，请刷新后再看")
            row.state, row.submitted_at, row.late = "submitted", now(), late
            row.submitted_by, row.submitted_by_label, row.updated_at = actor.name, actor.label, now()
            audit.record(
                session,
                actor,
                "progress_submitted",
                plan=plan.id,
                summary=f"提交进展报告：{county} {period.label}（第 {row.revision} 版，{len(entries)} 条）"
                + ("，逾期报送" if late else ""),
                records=[row.id],
                before={"state": "draft"},
                after={
                    "state": "submitted",
                    "late": late,
                    "due": period.due.isoformat(),
                    "revision": row.revision,
                },
                client=client,
            )
            session.flush()
            return ReportInfo.of(row)

    def _review(
        self,
        actor: User,
        plan: Plan,
        county: str,
        period_id: str,
        *,
        approve: bool,
        reason: str,
        client: str,
        report_id: int | None = None,
    ) -> ReportInfo:
        require(actor, Action.REVIEW, plan.id)
        period = self.period(plan, period_id)
        reason = str(reason or "").strip()
        if not approve and not reason:
            raise ValueError("退回须写明理由，区县据此修改")
        if len(reason) > REASON_MAX:
            raise ValueError(f"理由过长（{len(reason)} 字，上限 {REASON_MAX} 字）")
        with self.store.writing() as session:
            row = self._latest(session, plan.id, county, period_id)
            if row is None or row.state != "submitted":
                state = STATE_LABELS[row.state] if row else "未报送"
                raise ValueError(f"{county} {period.label} 没有待审核的报告（当前：{state}）")
            if report_id is not None and row.id != report_id:
                raise ValueError(
                    f"{county} {period.label} 的报告已更新（现为第 {row.revision} 版），请刷新后审核新的一版"
                )
            if actor.name in {row.submitted_by, row.created_by, *(row.editors or [])}:
                raise PermissionDenied(Action.REVIEW, actor, plan.id, county) from ValueError(
                    "不能审核自己填报或提交的报告"
                )
            row.state = "approved" if approve else "returned"
            row.reviewed_at, row.reviewed_by, row.reviewed_by_label = now(), actor.name, actor.label
            row.review_note, row.updated_at = reason, now()
            audit.record(
                session,
                actor,
                "progress_approved" if approve else "progress_returned",
                plan=plan.id,
                summary=f"{'通过' if approve else '退回'}进展报告：{county} {period.label}（第 {row.revision} 版）"
                + (f"，理由：{reason}" if reason else ""),
                records=[row.id],
                before={"state": "submitted"},
                after={"state": row.state, "reason": reason, "revision": row.revision},
                client=client,
            )
            session.flush()
            return ReportInfo.of(row)

    def approve(
        self,
        actor: User,
        plan: Plan,
        county: str,
        period_id: str,
        *,
        note: str = "",
        report_id: int | None = None,
        client: str = "",
    ) -> ReportInfo:
        """Approve the 区县's submitted report (``report_id``: only if it is still the one shown)."""
        return self._review(
            actor, plan, county, period_id, approve=True, reason=note, client=client, report_id=report_id
        )

    def return_report(
        self,
        actor: User,
        plan: Plan,
        county: str,
        period_id: str,
        reason: str,
        *,
        report_id: int | None = None,
        client: str = "",
    ) -> ReportInfo:
        """Return the 区县's submitted report with a reason (required)."""
        return self._review(
            actor, plan, county, period_id, approve=False, reason=reason, client=client, report_id=report_id
        )

    # --- attachments --------------------------------------------------------------------------
    def add_attachment(
        self,
        actor: User,
        plan: Plan,
        county: str,
        period_id: str,
        filename: str,
        content: bytes,
        *,
        record_id: str = "",
        client: str = "",
    ) -> AttachmentInfo:
        """Attach a photo (JPEG, PNG) or a PDF of at most 10 MB to the 区县's draft."""
        require(actor, Action.REPORT, plan.id, county)
        name = str(filename or "附件").replace("\\", "/").rsplit("/", 1)[-1][:300]
        media = _sniff(content or b"")
        if media is None:
            raise ValueError(f"附件“{name}”不是 JPG、PNG 图片或 PDF 文件，未保存")
        if len(content) > ATTACHMENT_MAX_BYTES:
            raise ValueError(f"附件“{name}”有 {len(content) / 1048576:.1f} MB，超过 10 MB 上限，未保存")
        if record_id and record_id not in set(self.records(plan, county)["id"]):
            raise ValueError(f"编号 {record_id} 不是{county}的片区/地块")
        digest = hashlib.sha256(content).hexdigest()
        thumb = _thumbnail(content) if media.startswith("image/") else None
        with self.store.writing() as session:
            row = self._latest(session, plan.id, county, period_id)
            if row is None or row.state != "draft":
                raise ValueError("请先保存草稿，再上传附件（已提交的报告不能再加附件）")
            count = session.scalar(
                select(func.count())
                .select_from(ProgressAttachmentRow)
                .where(ProgressAttachmentRow.report_id == row.id)
            )
            if int(count or 0) >= ATTACHMENTS_PER_REPORT:
                raise ValueError(f"每份报告最多 {ATTACHMENTS_PER_REPORT} 个附件")
            same = session.scalar(
                select(ProgressAttachmentRow.id).where(
                    ProgressAttachmentRow.report_id == row.id, ProgressAttachmentRow.sha256 == digest
                )
            )
            if same is not None:
                raise ValueError(f"附件“{name}”已上传过（内容相同）")
            att = ProgressAttachmentRow(
                report_id=row.id,
                record_id=record_id,
                filename=name,
                media_type=media,
                size=len(content),
                sha256=digest,
                content=content,
                thumbnail=thumb,
                created_by=actor.name,
            )
            session.add(att)
            session.flush()
            audit.record(
                session,
                actor,
                "progress_attachment_added",
                plan=plan.id,
                summary=f"上传进展附件：{county} {period_id} {name}（{len(content)} 字节）",
                records=[row.id, att.id],
                after={
                    "report_id": row.id,
                    "filename": name,
                    "media_type": media,
                    "size": len(content),
                    "sha256": digest,
                },
                client=client,
            )
            return _attachment_info(att)

    def remove_attachment(self, actor: User, plan: Plan, attachment_id: int, *, client: str = "") -> None:
        """Take an attachment off a draft (its bytes stay in earlier revisions that had it)."""
        with self.store.writing() as session:
            att = session.get(ProgressAttachmentRow, attachment_id)
            report = session.get(ProgressReportRow, att.report_id) if att else None
            if att is None or report is None or report.plan_id != plan.id:
                raise KeyError(f"没有编号为 {attachment_id} 的附件")
            require(actor, Action.REPORT, plan.id, report.county)
            if report.state != "draft":
                raise ValueError("已提交的报告不能删除附件")
            audit.record(
                session,
                actor,
                "progress_attachment_removed",
                plan=plan.id,
                summary=f"删除进展附件：{report.county} {report.period_id} {att.filename}",
                records=[report.id, att.id],
                before={"filename": att.filename, "sha256": att.sha256, "size": att.size},
                client=client,
            )
            session.delete(att)

    def attachments(self, report_id: int) -> list[AttachmentInfo]:
        with self.store.session() as session:
            rows = session.scalars(
                select(ProgressAttachmentRow)
                .where(ProgressAttachmentRow.report_id == report_id)
                .order_by(ProgressAttachmentRow.id)
            ).all()
            return [_attachment_info(r) for r in rows]

    def attachment_content(self, attachment_id: int) -> bytes:
        with self.store.session() as session:
            row = session.get(ProgressAttachmentRow, attachment_id)
            if row is None:
                raise KeyError(f"没有编号为 {attachment_id} 的附件")
            return bytes(row.content)

    # --- 目标分解 and milestones (进展监测) ---------------------------------------------------
    def target_versions(self, plan: Plan) -> list[TargetBreakdown]:
        """Every saved breakdown of the plan's target by 区县, oldest first."""
        with self.store.session() as session:
            rows = session.scalars(
                select(ProgressTargetRow)
                .where(ProgressTargetRow.plan_id == plan.id)
                .order_by(ProgressTargetRow.version)
            ).all()
            return [_breakdown(row) for row in rows]

    def targets(self, plan: Plan) -> TargetBreakdown | None:
        """The current breakdown (the newest version), or None when none was ever set."""
        with self.store.session() as session:
            row = session.scalar(
                select(ProgressTargetRow)
                .where(ProgressTargetRow.plan_id == plan.id)
                .order_by(ProgressTargetRow.version.desc())
                .limit(1)
            )
            return _breakdown(row) if row else None

    def set_targets(
        self,
        actor: User,
        plan: Plan,
        shares: Sequence[Share],
        *,
        unit: str,
        deadline: str,
        reason: str = "",
        client: str = "",
    ) -> TargetBreakdown:
        """Save a new version of the breakdown (管理员). Refused (ProgressRejected, nothing
        written) on any error, and when the sum differs from the plan's target without a reason."""
        require(actor, Action.MANAGE_PROGRESS, plan.id)
        reason = str(reason or "").strip()
        deadline = str(deadline or "").strip()
        check, problems = check_breakdown(plan, shares, unit, deadline, self.counties(plan))
        if len(reason) > REASON_MAX:
            problems.append(Problem("error", f"说明过长（上限 {REASON_MAX} 字）", "精简说明", column="说明"))
        if not check.matches and not reason:
            problems.append(
                Problem(
                    "error",
                    f"{check.text}；与全市目标不一致时须填写说明",
                    "填写差额的原因，或调整各区县目标",
                    column="说明",
                )
            )
        if errors_in(problems):
            raise ProgressRejected(problems)
        old = self.targets(plan)
        with self.store.writing() as session:
            version = (
                session.scalar(
                    select(func.max(ProgressTargetRow.version)).where(ProgressTargetRow.plan_id == plan.id)
                )
                or 0
            ) + 1
            row = ProgressTargetRow(
                plan_id=plan.id,
                version=version,
                unit=unit,
                deadline=deadline,
                shares=[s.to_json() for s in shares],
                total=str(check.total),
                plan_target="" if check.plan_target is None else str(check.plan_target),
                reason=reason,
                created_by=actor.name,
                created_by_label=actor.label,
            )
            session.add(row)
            audit.record(
                session,
                actor,
                "progress_targets_set",
                plan=plan.id,
                summary=f"区县目标分解第 {version} 版：{check.text}（期限 {deadline}）",
                before=_breakdown_json(old) if old else None,
                after={"version": version, "unit": unit, "deadline": deadline,
                       "shares": [s.to_json() for s in shares], "reason": reason},
                client=client,
            )  # fmt: skip
        return self.targets(plan)

    def milestones_done(self, plan: Plan) -> dict[str, MilestoneDone]:
        """milestone id → when it was marked done (the newest mark counts; an un-mark removes)."""
        with self.store.session() as session:
            rows = session.scalars(
                select(ProgressMilestoneRow)
                .where(ProgressMilestoneRow.plan_id == plan.id)
                .order_by(ProgressMilestoneRow.id)
            ).all()
            found: dict[str, MilestoneDone] = {}
            for row in rows:
                if row.done_on is None:
                    found.pop(row.milestone_id, None)
                else:
                    found[row.milestone_id] = MilestoneDone(
                        row.milestone_id, row.done_on, row.note, row.created_by_label, row.created_at
                    )
            return found

    def mark_milestone(
        self,
        actor: User,
        plan: Plan,
        milestone_id: str,
        done_on: dt.date | None,
        note: str = "",
        *,
        client: str = "",
    ) -> None:
        """Mark a milestone of the plan done on ``done_on`` (None: not done after all)."""
        require(actor, Action.REVIEW, plan.id)
        ids = {str(m) for m in plan.milestones.get("id", pd.Series(dtype=str)).astype(str)}
        if str(milestone_id) not in ids:
            raise ValueError(f"本规划没有编号为“{milestone_id}”的时间节点")
        if done_on is not None and done_on > self.today():
            raise ValueError(f"完成日期 {done_on.isoformat()} 晚于今天")
        note = str(note or "").strip()[:REASON_MAX]
        name = plan.milestones.set_index(plan.milestones["id"].astype(str)).loc[str(milestone_id), "name"]
        with self.store.writing() as session:
            session.add(
                ProgressMilestoneRow(
                    plan_id=plan.id,
                    milestone_id=str(milestone_id),
                    done_on=done_on,
                    note=note,
                    created_by=actor.name,
                    created_by_label=actor.label,
                )
            )
            audit.record(
                session,
                actor,
                "progress_milestone_marked",
                plan=plan.id,
                summary=(f"时间节点“{name}”标记为 {done_on.isoformat()} 完成" if done_on
                         else f"时间节点“{name}”取消完成标记"),
                after={"milestone": str(milestone_id), "done_on": done_on.isoformat() if done_on else None,
                       "note": note},
                client=client,
            )  # fmt: skip

    def history_token(self, plan: Plan) -> str:
        """A short text that changes whenever a report, a breakdown or a milestone of the plan
        is written: the cache key of :meth:`approved_history` and the monitoring figures."""
        with self.store.session() as session:
            reports = session.execute(
                select(
                    func.count(ProgressReportRow.id),
                    func.max(ProgressReportRow.id),
                    func.max(ProgressReportRow.updated_at),
                    func.max(ProgressReportRow.reviewed_at),
                ).where(ProgressReportRow.plan_id == plan.id)
            ).one()
            targets = session.scalar(
                select(func.max(ProgressTargetRow.id)).where(ProgressTargetRow.plan_id == plan.id)
            )
            marks = session.scalar(
                select(func.max(ProgressMilestoneRow.id)).where(ProgressMilestoneRow.plan_id == plan.id)
            )
        return "|".join(str(v) for v in (*reports, targets, marks))

    def approved_history(self, plan: Plan) -> ApprovedHistory:
        """Every approved entry that counts (the newest approved revision per 区县 and period),
        with the period's index, in one frame; and the approved reports themselves."""
        token = self.history_token(plan)
        order = {p.id: i for i, p in enumerate(self.periods(plan))}
        with self.store.session() as session:
            found = session.execute(
                select(
                    ProgressReportRow.id,
                    ProgressReportRow.county,
                    ProgressReportRow.period_id,
                    ProgressReportRow.revision,
                    ProgressReportRow.late,
                    ProgressReportRow.narrative,
                    ProgressReportRow.simulated,
                ).where(ProgressReportRow.plan_id == plan.id, ProgressReportRow.state == "approved")
            ).all()
            reports = pd.DataFrame(
                found,
                columns=["report_id", "county", "period_id", "revision", "late", "narrative", "simulated"],
            )
            reports = reports[reports["period_id"].isin(order)].sort_values("revision", kind="stable")
            # late or on time is the first approved revision's: a correction after approval is
            # submitted later, but the report was in when it was first approved
            reports["late"] = reports.groupby(["county", "period_id"])["late"].transform("first")
            reports = (
                reports.drop_duplicates(["county", "period_id"], keep="last")
                .assign(period_index=lambda f: f["period_id"].map(order).astype(int))
                .sort_values(["period_index", "county"])
                .reset_index(drop=True)
            )
            # dates as their ISO text: parsing 5 dates × a million entries into objects is most
            # of the load and the monitor only shows them
            shown_dates = ("started_on", "completed_on", "accepted_on")  # what the monitor shows
            columns = [ProgressEntryRow.report_id, ProgressEntryRow.record_id, ProgressEntryRow.stage,
                       *(cast(getattr(ProgressEntryRow, f), String).label(f) for f in shown_dates),
                       ProgressEntryRow.area, ProgressEntryRow.area_unit, ProgressEntryRow.investment]  # fmt: skip
            ids = [int(i) for i in reports["report_id"]]
            names = ["report_id", "record_id", "stage", *shown_dates, "area", "area_unit", "investment"]
            connection = session.connection()  # Core rows read by pandas: no ORM objects
            chunks = [
                pd.read_sql_query(
                    select(*columns).where(ProgressEntryRow.report_id.in_(ids[i : i + 500])), connection
                )
                for i in range(0, len(ids), 500)
            ]
        entries = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=names)
        meta = reports.set_index("report_id")
        entries["county"] = entries["report_id"].map(meta["county"])
        entries["period_id"] = entries["report_id"].map(meta["period_id"])
        entries["period_index"] = entries["report_id"].map(meta["period_index"]).astype("int64")
        units = entries["area_unit"].fillna("").astype(str).replace("", plan.area_unit)
        factor = {u: _ha_per(u) for u in units.unique()}  # once per distinct unit word
        entries["area_ha"] = pd.to_numeric(entries["area"], errors="coerce") * units.map(factor).astype(float)
        entries["investment_value"] = pd.to_numeric(entries["investment"], errors="coerce")
        entries = entries.sort_values("period_index", kind="stable").reset_index(drop=True)
        return ApprovedHistory(plan.id, token, entries, reports.drop(columns=[]))

    # --- simulated data (the demonstration plan only) -----------------------------------------
    def write_simulated(
        self,
        session: Session,
        plan: Plan,
        county: str,
        period: Period,
        entries: Sequence[Mapping],
        narrative: Mapping,
        *,
        state: str,
        submitted_at: dt.datetime | None,
        reviewed_at: dt.datetime | None = None,
        review_note: str = "",
        revision: int = 1,
        previous_id: int | None = None,
        label: str = "模拟数据",
    ) -> int:
        """Write one simulated report revision in ``session`` (no role check: the caller is the
        demonstration loader, which writes one audit row for all of it). Returns its id."""
        if not plan.meta.get("demo"):
            raise ValueError("模拟进展只能写入演示规划")
        row = ProgressReportRow(
            plan_id=plan.id,
            county=county,
            period_id=period.id,
            revision=revision,
            state=state,
            kind="report",
            correction_reason="",
            previous_id=previous_id,
            record_kind=plan.records()[0],  # the kind only: no frame per revision
            area_unit=plan.area_unit,
            narrative=clean_narrative(narrative),
            due=period.due,
            late=bool(submitted_at and (submitted_at + dt.timedelta(hours=8)).date() > period.due),
            simulated=True,
            created_at=submitted_at or now(),
            created_by="system",
            created_by_label=label,
            editors=["system"],
            updated_at=reviewed_at or submitted_at or now(),
            submitted_at=submitted_at,
            submitted_by="system" if submitted_at else "",
            submitted_by_label=label if submitted_at else "",
            reviewed_at=reviewed_at,
            reviewed_by="system" if reviewed_at else "",
            reviewed_by_label=label if reviewed_at else "",
            review_note=review_note,
        )
        session.add(row)
        session.flush()
        for entry in entries:
            session.add(_entry_row(row.id, entry, plan.area_unit))
        return row.id


@dataclass(frozen=True)
class MilestoneDone:
    milestone_id: str
    done_on: dt.date
    note: str = ""
    by_label: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ApprovedHistory:
    """What the monitoring views read: every approved entry that counts, by period.

    ``entries``: report_id, record_id, stage, started_on, completed_on, accepted_on (ISO text),
    area (text), area_unit, investment (text), county, period_id, period_index, area_ha (float, NaN when blank),
    investment_value (float). ``reports``: report_id, county, period_id, revision, late,
    narrative, simulated, period_index. ``token`` changes with any write (a cache key)."""

    plan_id: str
    token: str
    entries: pd.DataFrame
    reports: pd.DataFrame
    cache: dict = field(default_factory=dict, compare=False, repr=False)  # arrays made from it


def _ha_per(unit: str) -> float:
    """Hectares in one ``unit`` (NaN for a unit nobody knows)."""
    try:
        return float(_AREA_FACTORS[unit_code(unit)][1])
    except (ValueError, KeyError):
        return float("nan")


def _breakdown(row: ProgressTargetRow) -> TargetBreakdown:
    return TargetBreakdown(
        plan_id=row.plan_id,
        version=row.version,
        unit=row.unit,
        deadline=row.deadline,
        shares=tuple(Share.from_json(s) for s in row.shares or []),
        reason=row.reason,
        created_by_label=row.created_by_label,
        created_at=row.created_at,
        plan_target=Decimal(row.plan_target) if row.plan_target else None,
    )


def _breakdown_json(b: TargetBreakdown) -> dict:
    return {"version": b.version, "unit": b.unit, "deadline": b.deadline,
            "shares": [s.to_json() for s in b.shares], "reason": b.reason}  # fmt: skip


def _config_json(config: ProgressConfig) -> dict:
    return {
        "cadence_months": config.cadence_months,
        "first_start": config.first_start.isoformat(),
        "due_days": config.due_days,
        "stages": [s.label for s in config.stages],
        "default": config.is_default,
    }


def _changed_ids(old: Sequence[Mapping], new: Sequence[Mapping]) -> list[str]:
    before = {e["record_id"]: {k: str(e.get(k, "")) for k in KEYS} for e in old}
    changed = []
    for entry in new:
        values = {k: str(entry.get(k, "")) for k in KEYS}
        if before.get(entry["record_id"]) != values:
            changed.append(entry["record_id"])
    return changed


def _copy_attachment(att: ProgressAttachmentRow, report_id: int) -> ProgressAttachmentRow:
    return ProgressAttachmentRow(
        report_id=report_id,
        record_id=att.record_id,
        filename=att.filename,
        media_type=att.media_type,
        size=att.size,
        sha256=att.sha256,
        content=att.content,
        thumbnail=att.thumbnail,
        created_at=att.created_at,
        created_by=att.created_by,
    )


def _attachment_info(row: ProgressAttachmentRow) -> AttachmentInfo:
    return AttachmentInfo(
        row.id, row.report_id, row.record_id, row.filename, row.media_type, row.size, row.sha256,
        row.created_at, row.created_by, row.thumbnail,
    )  # fmt: skip


__all__ = [
    "ATTACHMENT_MAX_BYTES",
    "FIELD_BY_KEY",
    "STATE_LABELS",
    "AttachmentInfo",
    "CountyStatus",
    "Progress",
    "ProgressConfig",
    "ReportInfo",
]
