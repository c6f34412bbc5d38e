"""The demonstration plan: a copy of 湖州's plan whose progress is simulated, marked as such
wherever it shows.

The real plans carry no progress data and none may be invented for them. To show what the
progress views do, the store holds one more plan, :data:`DEMO_PLAN_ID`: 湖州's sample datasets
(its 66 片区, targets, milestones …) under another id, with ``meta["demo"] = True`` and titles
beginning 【模拟演示】. It is made by :func:`ensure_demo_plan` when the setting ``demo`` is on
(``PANHUO_DEMO``, default on; never in public mode: :attr:`Settings.demo_enabled`), follows 湖州's
sample when its files change, and is hidden from the catalog when the setting is off. Its
progress is simulated once (:mod:`panhuo.progress.simulate`): several periods of 区县 reports,
most approved, a few late, returned or missing, every text marked 【模拟】.

Every rule about how a demonstration is marked lives here, once:

- :func:`is_demo` — whether a plan is the demonstration (``Plan.is_demo``);
- :data:`DEMO_LABEL` — the words every page, chart, export and briefing slide carries;
- :func:`export_name` — download file names begin ``模拟-``;
- :func:`export_frame` — a table for CSV or XLSX gets a first column ``数据性质`` holding the
  label on every row, so a row copied out of the file still says what it is;
- :func:`export_title` — the title row of a workbook begins with the label.

>>> export_name(None, "明细.csv"), demo_label(None)
('明细.csv', '')
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panhuo import audit
from panhuo.access import SYSTEM, User
from panhuo.labels import dataset_label
from panhuo.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from panhuo.model import Plan
    from panhuo.store import Store

DEMO_PLAN_ID = "huzhou-2023-demo"
SOURCE_PLAN_ID = "huzhou-2023"
DEMO_LABEL = "模拟数据（演示用，非真实进展）"
ORIGIN = "demo"  # PlanRow.origin and VersionRow.origin / data_origin of the copy
TITLE_PREFIX = "【模拟演示】"
FILE_PREFIX = "模拟-"
LABEL_COLUMN = "数据性质"
NOTE = (
    "本规划是湖州市方案的演示副本：片区、目标、时间节点等与原文相同，"
    "进展填报数据全部为程序生成的模拟数据，仅供演示，不是真实进展。"
)


# --- the one rule of marking ------------------------------------------------------------------


def is_demo(plan: Plan | None) -> bool:
    """Whether ``plan`` is a demonstration (its figures are simulated)."""
    return plan is not None and plan.is_demo


def demo_label(plan: Plan | None) -> str:
    """:data:`DEMO_LABEL` for a demonstration plan, '' otherwise."""
    return DEMO_LABEL if is_demo(plan) else ""


def export_name(plan: Plan | None, name: str) -> str:
    """A download's file name: ``模拟-`` first for a demonstration plan."""
    return f"{FILE_PREFIX}{name}" if is_demo(plan) and not name.startswith(FILE_PREFIX) else name


def export_frame(plan: Plan | None, frame: pd.DataFrame) -> pd.DataFrame:
    """A table about to be written to CSV or XLSX: for a demonstration plan, a first column
    ``数据性质`` holding :data:`DEMO_LABEL` on every row; otherwise the frame unchanged."""
    if not is_demo(plan) or LABEL_COLUMN in frame.columns:
        return frame
    labelled = frame.copy()
    labelled.insert(0, LABEL_COLUMN, DEMO_LABEL)
    return labelled


def export_title(plan: Plan | None, title: str) -> str:
    """The title row of a workbook: ``模拟数据（演示用，非真实进展）｜…`` for a demonstration plan."""
    return f"{DEMO_LABEL}｜{title}" if is_demo(plan) else title


# --- the copy in the store --------------------------------------------------------------------


def demo_meta(source: dict) -> dict:
    """The demonstration plan's metadata from 湖州's plan.toml: the same document, another id,
    titles beginning 【模拟演示】, ``demo = true`` and a note saying what it is."""
    meta = dict(source)
    meta["id"] = DEMO_PLAN_ID
    meta["demo"] = True
    meta["demo_of"] = str(source.get("id", SOURCE_PLAN_ID))
    for key in ("title", "short_title"):
        if meta.get(key):
            meta[key] = TITLE_PREFIX + str(meta[key])
    meta["summary"] = f"{DEMO_LABEL}。" + str(source.get("summary", ""))
    meta["notes"] = [NOTE, *list(source.get("notes", []) or [])]
    return meta


def source_folder(data_dir: Path) -> Path | None:
    """湖州's sample folder under ``data_dir`` (None when the data folder has no such plan)."""
    folder = Path(data_dir) / SOURCE_PLAN_ID
    return folder if (folder / "plan.toml").exists() else None


def ensure_demo_plan(store: Store, settings: Settings | None = None, today: date | None = None) -> int:
    """Make or bring up to date the demonstration plan, then give it simulated progress once
    (:func:`fill_demo_progress`); returns the versions added.

    Does nothing when ``settings`` (default: the store's) has the demonstration off, when the
    data folder has no 湖州 sample, or when a plan of another origin holds the id. Idempotent:
    a dataset whose latest copy has the sample's digest is not copied again, progress is
    simulated only while the plan has none; one ``demo_loaded`` audit row (as
    :data:`~panhuo.access.SYSTEM`) records each step that added or changed anything.
    """
    settings = settings or store.settings
    if not settings.demo_enabled:
        return 0
    folder = source_folder(settings.data_dir)
    if folder is None:
        return 0
    with store.session() as session:  # the usual case, nothing to do: no write lock taken
        pending = _changes(session, folder) is not None
    added = _sync(store, folder) if pending else 0
    fill_demo_progress(store, today)
    fill_demo_targets(store)
    return added


def _sync(store: Store, folder: Path) -> int:
    for attempt in range(2):  # a database without the write lock may still race
        try:
            with store.writing() as session:
                return sync_demo(session, folder, SYSTEM)
        except IntegrityError:
            if attempt:
                raise
    return 0  # pragma: no cover


def fill_demo_progress(store: Store, today: date | None = None, seed: int | None = None) -> int:
    """Simulated reports for the demonstration plan, from the period in which 湖州's plan was
    issued to the last period ended by ``today`` (北京时间), written once: nothing when the plan
    has simulated reports already, is missing, or is not a demonstration. Returns the reports
    written."""
    from panhuo.progress.service import Progress
    from panhuo.progress.simulate import DEFAULT_SEED, simulate_plan, write_simulation
    from panhuo.store.schema import PlanRow, ProgressReportRow

    with store.session() as session:
        row = session.get(PlanRow, DEMO_PLAN_ID)
        if row is None or row.origin != ORIGIN:
            return 0
        done = session.scalar(
            select(ProgressReportRow.id)
            .where(ProgressReportRow.plan_id == DEMO_PLAN_ID, ProgressReportRow.simulated.is_(True))
            .limit(1)
        )
        if done is not None:
            return 0
    plan = store.load_plan(DEMO_PLAN_ID)
    if not plan.is_demo:
        return 0
    progress = Progress(store, (lambda: today) if today else None)
    reports = simulate_plan(
        plan,
        progress.today(),
        periods=progress.periods(plan),
        stages=progress.stages(plan),
        seed=DEFAULT_SEED if seed is None else seed,
    )
    return write_simulation(store, plan, reports, SYSTEM, once=True)


DEMO_TARGET_REASON = f"按各区县片区清单面积占比模拟分解全市目标（{DEMO_LABEL}）"


def fill_demo_targets(store: Store) -> bool:
    """A simulated breakdown of 湖州's 20000 亩 by 区县 for the demonstration plan, once: each
    区县's share of the plan's target in proportion to the area its 片区 list, rounded to 10 亩,
    the last 区县 taking the rounding so the sum is the target. Written as SYSTEM with one
    ``demo_loaded`` audit row; nothing when the plan has a breakdown already. Returns whether
    it wrote."""
    from decimal import ROUND_HALF_UP, Decimal

    from panhuo.progress.targets import Share, check_breakdown, plan_target_in
    from panhuo.store.schema import PlanRow, ProgressTargetRow

    with store.session() as session:
        row = session.get(PlanRow, DEMO_PLAN_ID)
        if row is None or row.origin != ORIGIN:
            return False
        if session.scalar(
            select(ProgressTargetRow.id).where(ProgressTargetRow.plan_id == DEMO_PLAN_ID).limit(1)
        ):
            return False
    plan = store.load_plan(DEMO_PLAN_ID)
    target = plan_target_in(plan, plan.area_unit)
    _kind, records = plan.records()
    if not plan.is_demo or target is None or records.empty:
        return False
    listed = records.groupby("county")["area"].apply(
        lambda s: sum(Decimal(str(v)) for v in s if str(v).strip())
    )
    counties = [c for c in plan.counties if c in listed.index]
    total = sum((listed[c] for c in counties), Decimal(0))
    if not counties or not total:
        return False
    shares, given = [], Decimal(0)
    for county in counties[:-1]:
        value = (target * listed[county] / total / 10).quantize(Decimal(1), ROUND_HALF_UP) * 10
        shares.append(Share(county, value))
        given += value
    shares.append(Share(counties[-1], target - given))
    deadline = str(plan.period[1])
    check, problems = check_breakdown(plan, shares, plan.area_unit, deadline)
    if any(p.severity == "error" for p in problems):  # pragma: no cover - the sample is known good
        return False
    try:
        with store.writing() as session:
            session.add(
                ProgressTargetRow(
                    plan_id=DEMO_PLAN_ID, version=1, unit=plan.area_unit, deadline=deadline,
                    shares=[s.to_json() for s in shares], total=str(check.total),
                    plan_target=str(check.plan_target), reason=DEMO_TARGET_REASON, created_by=SYSTEM.name,
                    created_by_label=DEMO_LABEL,
                )
            )  # fmt: skip
            audit.record(
                session,
                SYSTEM,
                "demo_loaded",
                plan=DEMO_PLAN_ID,
                summary=f"模拟区县目标分解：{check.text}（{DEMO_LABEL}）",
                after={"shares": [s.to_json() for s in shares], "reason": DEMO_TARGET_REASON},
            )
    except IntegrityError:  # another process wrote version 1 at the same moment
        return False
    return True


def _changes(session: Session, folder: Path) -> tuple[dict, list] | None:
    """What the demonstration plan lacks: (its metadata when new or changed else {}, the
    sample datasets whose latest copy differs); None when there is nothing to do (also when a
    plan of another origin holds the id: someone imported one, never touched)."""
    from panhuo.store.samples import sample_datasets
    from panhuo.store.schema import PlanRow, VersionRow

    meta = demo_meta(tomllib.loads((folder / "plan.toml").read_bytes().decode("utf-8")))
    plan = session.get(PlanRow, DEMO_PLAN_ID)
    if plan is not None and plan.origin != ORIGIN:
        return None
    items = []
    for item in sample_datasets(folder):
        latest = session.scalar(
            select(VersionRow.source_sha256)
            .where(
                VersionRow.plan_id == DEMO_PLAN_ID,
                VersionRow.dataset == item.dataset,
                VersionRow.data_origin == ORIGIN,
            )
            .order_by(VersionRow.number.desc())
            .limit(1)
        )
        if latest != item.digest:
            items.append(item)
    new_meta = meta if plan is None or plan.meta != meta else {}
    return (new_meta, items) if new_meta or items else None


def sync_demo(session: Session, folder: Path, actor: User = SYSTEM) -> int:
    """Copy what changed in 湖州's sample folder into the demonstration plan (the caller holds
    the write lock); returns the number of versions added."""
    from panhuo.store.samples import versions_added
    from panhuo.store.schema import PlanRow, now
    from panhuo.store.versions import add_version, current_version

    changes = _changes(session, folder)
    if changes is None:
        return 0
    meta, items = changes
    plan = session.get(PlanRow, DEMO_PLAN_ID)
    new_plan = plan is None
    meta_changed = bool(meta) and not new_plan
    if plan is None:
        session.add(PlanRow(id=DEMO_PLAN_ID, origin=ORIGIN, meta=meta))
        session.flush()
    elif meta:
        plan.meta, plan.updated_at = meta, now()
    added = []
    for item in items:
        digest = item.digest
        current = current_version(session, DEMO_PLAN_ID, item.dataset)
        added.append(
            add_version(
                session,
                DEMO_PLAN_ID,
                item.dataset,
                item.records,
                item.columns,
                item.sources,
                origin=ORIGIN,
                data_origin=ORIGIN,
                source_name="、".join(f"{folder.name}/{s.filename}" for s in item.sources),
                source_sha=digest,
                make_current=current is None or current.data_origin == ORIGIN,
                extra=item.extra,
                note=f"演示副本（{folder.name} 样例数据）",
                author=actor,
            )
        )
    if added or meta_changed:
        what = "、".join(f"{dataset_label(r.dataset)} 第 {r.number} 版" for r in added)
        audit.record(
            session,
            actor,
            "demo_loaded",
            plan=DEMO_PLAN_ID,
            summary=f"{'建立' if new_plan else '更新'}演示规划 {DEMO_PLAN_ID}：复制 {folder.name} 的"
            + (what or "规划信息")
            + f"；{DEMO_LABEL}",
            records=[r.id for r in added],
            after=versions_added(added, meta_changed),
        )
    return len(added)
