"""The ``Store`` API: one database of versions of each plan's datasets, original files,
remembered mappings and import reports.

SQLAlchemy 2. An SQLite file by default (``Settings.sqlite_path``, created on first use with no
set-up); PostgreSQL (or any SQLAlchemy URL) when ``PANHUO_DATABASE_URL`` / ``database_url`` is
set. :meth:`Store.open` upgrades the schema (:mod:`panhuo.store.migrate`) and loads the sample
plans (:mod:`panhuo.store.samples`) once per process.

>>> store = Store("sqlite://")
>>> store.ensure_schema()
>>> store.plan_ids()
[]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from panhuo import audit
from panhuo.access import SYSTEM, Action, User, require
from panhuo.labels import dataset_label
from panhuo.model import COLUMNS, Plan
from panhuo.planid import check_plan_id
from panhuo.settings import Settings, load_settings
from panhuo.store import columnar, migrate
from panhuo.store.columnar import COLUMNAR_DATASETS
from panhuo.store.connect import get_engine, lock_for_writing, normalise_url, sqlite_file, writer
from panhuo.store.errors import PlanExists
from panhuo.store.records import (
    NewSource,
    clean_json,
    frame_records,
    records_frame,
    sha256,
    tables_from_records,
)
from panhuo.store.samples import sync_plan
from panhuo.store.schema import (
    TABLES,
    Base,
    MappingRow,
    PartRow,
    PlanRow,
    RecordRow,
    ReportRow,
    SourceFileRow,
    VersionRow,
    now,
)
from panhuo.store.versions import add_version, current_version

DATASETS = (*COLUMNS, "tables", "facts")
_SAMPLES_SYNCED: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class VersionInfo:
    """A version as the version list shows it (:mod:`panhuo.labels` words it)."""

    id: int
    plan_id: str
    dataset: str
    number: int
    created_at: dt.datetime
    origin: str
    data_origin: str
    source_name: str
    source_sha256: str
    row_count: int
    is_current: bool
    restored_from: int | None
    note: str
    created_by: str = ""  # the account name of who made it ("" before migration 0003)
    created_by_label: str = ""  # how they were named then, e.g. 李工（li）

    @classmethod
    def of(cls, row: VersionRow) -> VersionInfo:
        return cls(
            row.id,
            row.plan_id,
            row.dataset,
            row.number,
            row.created_at,
            row.origin,
            row.data_origin,
            row.source_name,
            row.source_sha256,
            row.row_count,
            row.is_current,
            row.restored_from,
            row.note,
            row.created_by or "",
            row.created_by_label or "",
        )


def _version_facts(row: VersionRow) -> dict:
    """A version as the audit log keeps it in ``before`` / ``after``."""
    return {
        "dataset": row.dataset,
        "version": row.number,
        "version_id": row.id,
        "rows": row.row_count,
        "source": row.source_name,
        "source_sha256": row.source_sha256,
    }


class Store:
    """One database. ``Store()`` uses the configured URL; ``Store(url)`` any SQLAlchemy URL."""

    def __init__(self, url: str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.url = normalise_url(url or self.settings.effective_database_url)
        self.engine = get_engine(self.url)
        self.session = sessionmaker(self.engine, expire_on_commit=False)
        self._writer = sessionmaker(writer(self.engine), expire_on_commit=False)

    # --- set-up ------------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings | None = None, url: str | None = None) -> Store:
        """The store, with its schema upgraded and the sample plans loaded (once per process)."""
        store = cls(url, settings)
        store.ensure_schema()
        key = (store.url, str(store.settings.data_dir))
        if key not in _SAMPLES_SYNCED:
            store.sync_samples()
            _SAMPLES_SYNCED.add(key)
        return store

    def ensure_schema(self) -> None:
        """Bring the schema to the newest revision (creating the tables, and the SQLite file's
        folder, when they do not exist; stamping a store made before migrations)."""
        migrate.upgrade(self.engine)

    def upgrade(self) -> str:
        """Upgrade the schema now (``python -m panhuo db upgrade``); returns the revision."""
        return migrate.upgrade(self.engine, force=True)

    def current_revision(self) -> str | None:
        """The schema revision of the database (None when empty or made before migrations)."""
        return migrate.current(self.engine)

    def drop_schema(self) -> None:
        """Drop every table of the store (tests, or an administrator starting over)."""
        Base.metadata.drop_all(self.engine)
        with self.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            if connection.dialect.name == "postgresql":
                connection.execute(text("DROP FUNCTION IF EXISTS panhuo_audit_append_only() CASCADE"))
        migrate.forget(self.engine)
        for key in [k for k in _SAMPLES_SYNCED if k[0] == self.url]:
            _SAMPLES_SYNCED.discard(key)

    def exists(self) -> bool:
        """True when the database holds the store's tables (never creates anything)."""
        file = sqlite_file(self.url)
        if file is not None and not file.exists():
            return False
        return inspect(self.engine).has_table("dataset_versions")

    def revision(self) -> int:
        """The id of the latest version (0 with no store yet): changes with every import,
        restore or sample update. Never creates anything."""
        if not self.exists():
            return 0
        with self.session() as session:
            return int(session.scalar(select(func.max(VersionRow.id))) or 0)

    def plan_revisions(self, demo: bool = True) -> dict[str, int]:
        """For each plan whose current data is not the sample data (see
        :meth:`changed_plan_ids`), the id of its latest version: a cache keyed on it is
        refreshed when that plan, and only that plan, changes. Never creates anything."""
        if not self.exists():
            return {}
        with self.session() as session:
            latest = dict(
                session.execute(
                    select(VersionRow.plan_id, func.max(VersionRow.id)).group_by(VersionRow.plan_id)
                ).all()
            )
        return {pid: int(latest.get(pid) or 0) for pid in self.changed_plan_ids(demo)}

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A write transaction holding the store's write lock: concurrent writers (other
        processes too) take turns, so version numbers never collide."""
        with self._writer.begin() as session:
            lock_for_writing(session)
            yield session

    def sync_samples(self, data_dir: Path | None = None) -> int:
        """Load the sample plans into the store; returns the number of versions added.

        Idempotent: a sample file already stored (same sha256) is skipped. A changed sample
        file becomes a new version, current unless the plan's data was replaced by an import.
        The server does this itself (:data:`~panhuo.access.SYSTEM`, no role check): each plan
        it adds or changes leaves one ``samples_loaded`` row in the audit log, others none.
        """
        from panhuo.loader import sample_plan_dirs

        data_dir = data_dir or self.settings.data_dir
        added = 0
        for folder in sample_plan_dirs(data_dir):
            for attempt in range(2):  # a database without the write lock may still race
                try:
                    with self.writing() as session:
                        added += sync_plan(session, folder, SYSTEM)
                    break
                except IntegrityError:
                    if attempt:
                        raise
        return added

    # --- reading -----------------------------------------------------------------------------

    def plan_ids(self, origin: str | None = None) -> list[str]:
        with self.session() as session:
            query = select(PlanRow.id).order_by(PlanRow.created_at, PlanRow.id)
            if origin:
                query = query.where(PlanRow.origin == origin)
            return list(session.scalars(query))

    def plan_meta(self, plan_id: str) -> dict | None:
        with self.session() as session:
            row = session.get(PlanRow, plan_id)
            return dict(row.meta) if row else None

    def plan_metas(self, plan_ids: Iterable[str]) -> dict[str, dict]:
        """The metadata of these plans (title, city, counties …), by id, in one query."""
        wanted = list(plan_ids)
        if not wanted:
            return {}
        with self.session() as session:
            rows = session.execute(select(PlanRow.id, PlanRow.meta).where(PlanRow.id.in_(wanted))).all()
        return {pid: dict(meta or {}) for pid, meta in rows}

    def changed_plan_ids(self, demo: bool = True) -> list[str]:
        """Plans whose current data is not the sample data: imported plans, samples with an
        imported or restored dataset, and (last; none with ``demo=False``) the demonstration
        plan (:mod:`panhuo.demo`)."""
        with self.session() as session:
            imported = set(session.scalars(select(PlanRow.id).where(PlanRow.origin == "import")))
            changed = set(
                session.scalars(
                    select(VersionRow.plan_id).where(
                        VersionRow.is_current.is_(True), VersionRow.data_origin != "sample"
                    )
                )
            )
            order = session.execute(
                select(PlanRow.id, PlanRow.origin).order_by(PlanRow.created_at, PlanRow.id)
            ).all()
        wanted = imported | changed
        found = [pid for pid, origin in order if pid in wanted and origin != "demo"]
        return found + ([pid for pid, origin in order if origin == "demo"] if demo else [])

    def versions(self, plan_id: str, dataset: str | None = None) -> list[VersionInfo]:
        with self.session() as session:
            query = select(VersionRow).where(VersionRow.plan_id == plan_id)
            if dataset:
                query = query.where(VersionRow.dataset == dataset)
            rows = session.scalars(query.order_by(VersionRow.dataset, VersionRow.number))
            return [VersionInfo.of(r) for r in rows]

    def version(self, version_id: int) -> VersionInfo:
        with self.session() as session:
            row = session.get(VersionRow, version_id)
            if row is None:
                raise KeyError(f"没有编号为 {version_id} 的版本")
            return VersionInfo.of(row)

    @staticmethod
    def _records(session: Session, version_id: int) -> list[dict]:
        return list(
            session.scalars(
                select(RecordRow.data).where(RecordRow.version_id == version_id).order_by(RecordRow.row_no)
            )
        )

    @staticmethod
    def _text_frame(session: Session, version: VersionRow) -> pd.DataFrame:
        """The rows of a version as text, columns in their stored order (the geometry of a
        typed version as WKT again)."""
        if version.dataset not in COLUMNAR_DATASETS or not columnar.has_parts(session, version.id):
            return records_frame(Store._records(session, version.id), version.columns)
        columns = [c for c in version.columns if c != columnar.GEOMETRY]
        frame = columnar.read_attributes(session, version.id, columns)
        if columnar.GEOMETRY in version.columns:
            wkb = columnar.read_geometry(session, version.id, len(frame))
            frame[columnar.GEOMETRY] = _wkt(wkb, len(frame))
        return frame[list(version.columns)]

    def version_frame(self, version_id: int) -> pd.DataFrame:
        """The rows of a version as text, columns in their stored order."""
        with self.session() as session:
            version = session.get(VersionRow, version_id)
            if version is None:
                raise KeyError(f"没有编号为 {version_id} 的版本")
            return self._text_frame(session, version)

    def version_geometry(self, version_id: int) -> np.ndarray | None:
        """The surveyed shapes of a parcels or zones version as shapely geometries (None where
        a row has none), in row order; None when the version has no shapes. Only what draws
        them reads them: loading a plan does not."""
        import shapely

        with self.session() as session:
            version = session.get(VersionRow, version_id)
            if version is None:
                raise KeyError(f"没有编号为 {version_id} 的版本")
            wkb = columnar.read_geometry(session, version_id, version.row_count)
        return None if wkb is None else shapely.from_wkb(wkb)

    def source_files(self, version_id: int) -> list[tuple[str, str, bytes]]:
        """(file name, sha256, bytes) of the original files of a version (a restore's are its
        origin's)."""
        with self.session() as session:
            version = session.get(VersionRow, version_id)
            while version is not None and version.restored_from is not None:
                version = session.get(VersionRow, version.restored_from)
            if version is None:
                return []
            rows = session.scalars(
                select(SourceFileRow).where(SourceFileRow.version_id == version.id).order_by(SourceFileRow.id)
            )
            return [(r.filename, r.sha256, bytes(r.content)) for r in rows]

    def load_plan(self, plan_id: str) -> Plan:
        """The plan as its current versions make it."""
        from panhuo.loader import plan_from_frames
        from panhuo.model import PublishedTable

        with self.session() as session:
            plan = session.get(PlanRow, plan_id)
            if plan is None:
                raise KeyError(f"数据库中没有编号为 {plan_id} 的规划")
            current = list(
                session.scalars(
                    select(VersionRow).where(VersionRow.plan_id == plan_id, VersionRow.is_current.is_(True))
                )
            )
            frames: dict[str, object] = {}
            shapes: dict[str, int] = {}
            tables: dict[str, PublishedTable] = {}
            facts: list[dict] = []
            for version in current:
                if version.dataset in COLUMNAR_DATASETS and columnar.has_parts(session, version.id):
                    frames[version.dataset] = self._typed_frame(session, version, plan.meta)
                    if columnar.GEOMETRY in version.columns:
                        shapes[version.dataset] = version.id
                    tables.update(tables_from_records((version.extra or {}).get("tables", [])))
                    continue
                rows = self._records(session, version.id)
                if version.dataset == "tables":
                    tables.update(tables_from_records(rows))
                elif version.dataset == "facts":
                    facts = [dict(r) for r in rows]
                else:
                    frames[version.dataset] = records_frame(rows, version.columns)
                tables.update(tables_from_records((version.extra or {}).get("tables", [])))
            if plan.origin == "demo":
                origin = "demo"
            elif plan.origin == "import" or any(v.data_origin != "sample" for v in current):
                origin = "import"
            else:
                origin = "sample"
            meta = dict(plan.meta)
        loaded = plan_from_frames(meta, origin=origin, tables=tables, facts=facts, **frames)
        loaded.shapes = shapes
        return loaded

    @staticmethod
    def _typed_frame(session: Session, version: VersionRow, meta: dict) -> pd.DataFrame:
        """A typed version's attributes for a plan: text as printed and the parsed columns
        (re-parsed by the loader only if the plan's default unit changed since); the geometry
        stays in the store (:meth:`version_geometry`; the plan's ``shapes`` says which version)."""
        frame = columnar.read_attributes(session, version.id)
        unit = str(meta.get("area_unit") or "公顷")
        if (version.extra or {}).get("parsed_unit") != unit:
            frame = frame.drop(columns=[c for c in columnar.PARSED if c in frame])
        return frame

    def saved_mapping(self, layout: str) -> dict | None:
        with self.session() as session:
            row = session.get(MappingRow, layout)
            return dict(row.mapping) if row else None

    def reports(self, plan_id: str | None = None, limit: int = 50) -> list[dict]:
        """Import attempts, newest first (``panhuo.labels.report_rows`` words them)."""
        with self.session() as session:
            query = select(ReportRow).order_by(ReportRow.id.desc()).limit(limit)
            if plan_id:
                query = query.where(ReportRow.plan_id == plan_id)
            return [
                {
                    "id": r.id,
                    "created_at": r.created_at,
                    "plan_id": r.plan_id,
                    "source_name": r.source_name,
                    "status": r.status,
                    "summary": r.summary,
                    "problems": r.problems,
                    "version_id": r.version_id,
                }
                for r in session.scalars(query)
            ]

    def audit_entries(self, query: audit.Query | None = None) -> list:
        """Rows of the audit log matching ``query`` (:class:`panhuo.audit.Query`), newest first;
        :func:`panhuo.audit.frame` makes the table shown and downloaded. Never creates anything."""
        if not self.exists():
            return []
        with self.session() as session:
            return audit.entries(session, query or audit.Query())

    def counts(self) -> dict[str, int]:
        """Rows per table (tests use it to prove a failed import wrote nothing); ``records``
        counts the records of every version, JSON rows and the rows of typed parts alike."""
        with self.session() as session:
            counts = {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in TABLES
            }
            typed = select(func.coalesce(func.sum(PartRow.rows), 0)).where(PartRow.kind == "attributes")
            counts["records"] += int(session.scalar(typed) or 0)
            counts["version_parts"] = session.scalar(select(func.count()).select_from(PartRow)) or 0
            return counts

    # --- writing -----------------------------------------------------------------------------
    # Every write takes the acting user, checks the role with panhuo.access.require before
    # anything is written, and adds its audit row in the same transaction: a refused write
    # raises PermissionDenied (Chinese message) and leaves the database as it was.

    def save_import(
        self,
        plan_id: str,
        dataset: str,
        frame: pd.DataFrame | None,
        sources: list[NewSource],
        *,
        actor: User,
        records: list[dict] | None = None,
        new_plan_meta: dict | None = None,
        mapping: dict | None = None,
        note: str = "",
        client: str = "",
        also: dict[str, pd.DataFrame] | None = None,
    ) -> VersionInfo:
        """Store an import as a new current version, in one transaction, with its audit row.

        ``also`` holds other datasets the same files carry (the 调查区 of a survey's 调查单元:
        ``{"zones": frame}``), each stored as a new current version of its own in the same
        transaction and audit trail; the version returned is ``dataset``'s.

        The rows are ``frame``'s (as text), or ``records`` as given (tables, facts).
        ``mapping`` may hold ``{"layout", "kind", "headers", "mapping"}`` (remembered for the
        layout) and ``tables`` (published tables found in the file). ``new_plan_meta`` creates
        the plan when it does not exist yet; when another import created it meanwhile,
        :class:`~panhuo.store.errors.PlanExists`. ``actor`` needs 导入数据 on the plan, or
        导入新规划 when the import creates it (:class:`~panhuo.access.PermissionDenied`
        otherwise). Raises and writes nothing on any error (an invalid plan id:
        :class:`~panhuo.planid.InvalidPlanId`).
        """
        check_plan_id(plan_id)
        if dataset not in DATASETS:
            raise ValueError(f"未知的数据集：{dataset}")
        if records is None:
            if frame is None:
                raise ValueError("save_import 需要 frame 或 records")
            columns = [str(c) for c in frame.columns]
            records = [] if dataset in COLUMNAR_DATASETS else frame_records(frame)
        else:
            columns = [str(c) for c in frame.columns] if frame is not None else []
        mapping = mapping or {}
        with self.writing() as session:
            plan = session.get(PlanRow, plan_id)
            require(actor, Action.IMPORT if plan is not None else Action.CREATE_PLAN, plan_id)
            if plan is None:
                if new_plan_meta is None:
                    raise KeyError(f"没有编号为 {plan_id} 的规划")
                session.add(PlanRow(id=plan_id, origin="import", meta={**new_plan_meta, "id": plan_id}))
                session.flush()
            elif new_plan_meta is not None and plan.origin == "import":
                raise PlanExists(plan_id)
            else:
                plan.updated_at = now()
            previous = current_version(session, plan_id, dataset)
            before = _version_facts(previous) if previous is not None else None
            extra = {k: v for k, v in mapping.items() if k in ("layout", "mapping", "tables", "headers")}
            imported = partial(
                add_version,
                session,
                plan_id,
                sources=sources,
                origin="import",
                data_origin="import",
                source_name="、".join(s.filename for s in sources),
                source_sha=",".join(sha256(s.content) for s in sources),
                make_current=True,
                note=note,
                author=actor,
            )
            row = imported(
                dataset=dataset,
                records=records,
                columns=columns,
                extra=extra,
                frame=frame if dataset in COLUMNAR_DATASETS and not records else None,
            )
            for other, other_frame in (also or {}).items():
                if other not in COLUMNAR_DATASETS or other == dataset:
                    raise ValueError(f"未知的数据集：{other}")
                earlier = current_version(session, plan_id, other)
                other_row = imported(
                    dataset=other,
                    records=[],
                    columns=[str(c) for c in other_frame.columns],
                    extra={},
                    frame=other_frame,
                )
                session.flush()
                audit.record(
                    session,
                    actor,
                    "import",
                    plan=plan_id,
                    summary=f"导入 {dataset_label(other)} 第 {other_row.number} 版（与{dataset_label(dataset)}同一次导入）："
                    f"{other_row.source_name}，{other_row.row_count:,} 行",
                    records=[other_row.id],
                    before=_version_facts(earlier) if earlier is not None else None,
                    after=_version_facts(other_row),
                    client=client,
                )
            layouts = []
            for item in mapping.get("remember", []):
                self._remember(session, item["layout"], item["kind"], item["headers"], item["mapping"])
                layouts.append(item["layout"])
            session.flush()
            created = "新建规划，" if plan is None else ""
            files = row.source_name or "（无文件）"
            audit.record(
                session,
                actor,
                "import",
                plan=plan_id,
                summary=f"{created}导入 {dataset_label(dataset)} 第 {row.number} 版：{files}，"
                f"{row.row_count:,} 行" + (f"（{note}）" if note else ""),
                records=[row.id],
                before=before,
                after={
                    **_version_facts(row),
                    **({"plan_created": True} if plan is None else {}),
                    **({"mappings_saved": layouts} if layouts else {}),
                },
                client=client,
            )
            return VersionInfo.of(row)

    @staticmethod
    def _remember(session: Session, layout: str, kind: str, headers: list, mapping: dict) -> dict | None:
        """Keep the mapping of a layout; returns the one it replaces (None when new)."""
        row = session.get(MappingRow, layout)
        if row is None:
            session.add(MappingRow(layout=layout, kind=kind, headers=list(headers), mapping=dict(mapping)))
            return None
        old = dict(row.mapping)
        row.mapping, row.kind, row.headers, row.updated_at = dict(mapping), kind, list(headers), now()
        return old

    def remember_mapping(
        self,
        layout: str,
        kind: str,
        headers: list[str],
        mapping: dict,
        *,
        actor: User,
        plan_id: str | None = None,
        client: str = "",
    ) -> None:
        """Remember the confirmed mapping of a file layout (offered for the next such file).

        Needs 导入数据 on ``plan_id`` (a mapping remembered for no plan: on all plans)."""
        require(actor, Action.IMPORT, plan_id)
        with self.writing() as session:
            old = self._remember(session, layout, kind, headers, mapping)
            audit.record(
                session,
                actor,
                "mapping_saved",
                plan=plan_id,
                summary=f"{'更新' if old is not None else '保存'}字段对应（{kind}，{len(headers)} 列）",
                records=[layout],
                before={"mapping": old} if old is not None else None,
                after={"mapping": dict(mapping), "headers": list(headers)},
                client=client,
            )

    def restore(
        self, plan_id: str, dataset: str, number: int, *, actor: User, client: str = ""
    ) -> VersionInfo:
        """Make an earlier version current again, as a new version (history stays linear).

        Needs 恢复历史版本 on the plan; the audit row keeps the version that was current
        (``before``) and the new one (``after``)."""
        check_plan_id(plan_id)
        require(actor, Action.RESTORE, plan_id)
        with self.writing() as session:
            old = session.scalar(
                select(VersionRow).where(
                    VersionRow.plan_id == plan_id, VersionRow.dataset == dataset, VersionRow.number == number
                )
            )
            if old is None:
                raise KeyError(f"{plan_id} 的{dataset_label(dataset)}没有第 {number} 版")
            previous = current_version(session, plan_id, dataset)
            before = _version_facts(previous) if previous is not None else None
            typed = dataset in COLUMNAR_DATASETS and columnar.has_parts(session, old.id)
            row = add_version(
                session,
                plan_id,
                dataset,
                [] if typed else self._records(session, old.id),
                list(old.columns or []),
                [],
                origin="restore",
                data_origin=old.data_origin,
                source_name=old.source_name,
                source_sha=old.source_sha256,
                make_current=True,
                extra=dict(old.extra or {}),
                note=f"恢复第 {number} 版",
                restored_from=old.id,
                author=actor,
                frame=self._text_frame(session, old) if typed else None,
            )
            session.flush()
            audit.record(
                session,
                actor,
                "restore",
                plan=plan_id,
                summary=f"恢复第 {number} 版：{dataset_label(dataset)} 第 {row.number} 版与第 {number} 版相同"
                + (f"（原当前为第 {previous.number} 版）" if previous is not None else ""),
                records=[row.id, old.id],
                before=before,
                after={**_version_facts(row), "restored_from": number},
                client=client,
            )
            return VersionInfo.of(row)

    def record_report(
        self,
        plan_id: str,
        source_name: str,
        source_sha: str,
        status: str,
        problems: Iterable[dict],
        summary: str = "",
        version_id: int | None = None,
        *,
        actor: User,
        client: str = "",
    ) -> int:
        """Keep an import's report (its own transaction, so a failed import still leaves it).

        Needs 导入数据 on the plan (导入新规划 when it does not exist). A failed import's
        report is its audit row too (``import_failed``); a successful one's row was written
        with the version (:meth:`save_import`)."""
        check_plan_id(plan_id)
        problems = [clean_json(p) for p in problems]
        with self.writing() as session:
            exists = session.get(PlanRow, plan_id) is not None
            require(actor, Action.IMPORT if exists else Action.CREATE_PLAN, plan_id)
            row = ReportRow(
                plan_id=plan_id,
                source_name=source_name[:1000],
                source_sha256=source_sha[:200],
                status=status,
                summary=summary,
                problems=problems,
                version_id=version_id,
            )
            session.add(row)
            session.flush()
            if status == "failed":
                errors = sum(1 for p in problems if isinstance(p, dict) and p.get("severity") == "error")
                audit.record(
                    session,
                    actor,
                    "import_failed",
                    plan=plan_id,
                    summary=f"导入未完成：{source_name or '（无文件）'}："
                    + (summary or "未写入数据")
                    + (f"（{errors} 个错误）" if errors else ""),
                    records=[row.id],
                    after={"report_id": row.id, "source": source_name, "source_sha256": source_sha},
                    client=client,
                )
            return row.id


def _wkt(wkb: np.ndarray | None, rows: int) -> list[str]:
    import shapely

    if wkb is None:
        return [""] * rows
    shapes = shapely.from_wkb(wkb)
    return ["" if g is None else shapely.to_wkt(g, rounding_precision=-1) for g in shapes]


def store_plans(settings: Settings | None = None) -> list[Plan]:
    """Plans the catalog should take from the store (imports, and samples changed by an import).

    Never creates a database: with no database yet there is nothing imported.
    """
    store = Store(settings=settings)
    if not store.exists():
        return []
    return [store.load_plan(pid) for pid in store.changed_plan_ids()]
