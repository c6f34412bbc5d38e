"""The database behind imports: versions of each plan's datasets, the original files, mappings.

SQLAlchemy 2. An SQLite file by default (``Settings.sqlite_path``, created on first use with no
set-up); PostgreSQL (or any SQLAlchemy URL) when ``PANHUO_DATABASE_URL`` / ``database_url`` is
set. Tables:

- ``plans``: one row per plan (``origin`` sample or import) with its plan.toml metadata.
- ``dataset_versions``: each version of one dataset of a plan (parcels, zones, targets, …,
  ``tables``, ``facts``): number, time, source file name and sha256, origin (sample, import,
  restore), whether it is current. An import or a restore adds a version; nothing is updated
  in place.
- ``records``: the rows of a version, one JSON object of text values per row.
- ``source_files``: the original files byte for byte, attached to the version they made.
- ``mappings``: the confirmed column mapping per source layout (hash of the header row).
- ``import_reports``: every import attempt's report, also for failed imports — the only trace
  a failed import leaves.

The sample plans under ``data/`` load into the store on first use, idempotently (a file
already stored with the same sha256 is not stored again). The catalog asks :func:`store_plans`
for plans whose current data differs from the samples (imports and restores).

>>> store = Store("sqlite://")
>>> store.ensure_schema()
>>> store.plan_ids()
[]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    inspect,
    select,
    update,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from panhuo.model import COLUMNS, Plan, PublishedTable
from panhuo.settings import Settings, load_settings

DATASETS = (*COLUMNS, "tables", "facts")
DATASET_LABELS = {
    "parcels": "地块", "zones": "片区", "targets": "目标", "schedules": "时序安排", "milestones": "时间节点",
    "measures": "措施", "departments": "成员单位", "tables": "公开表格", "facts": "文字数据",
}  # fmt: skip
# the form in which tables and facts are stored as records; a change makes the samples' tables
# and facts a new version at the next sync, so a store made by an older release is brought up
RECORD_FORMAT = "records-2"
ORIGIN_LABELS = {"sample": "样例数据", "import": "导入", "restore": "恢复"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Base(DeclarativeBase):
    pass


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16))
    meta: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class VersionRow(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("plan_id", "dataset", "number", name="uq_version_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    origin: Mapped[str] = mapped_column(String(16))  # sample | import | restore
    data_origin: Mapped[str] = mapped_column(String(16))  # sample | import: where the rows came from
    source_name: Mapped[str] = mapped_column(String(500), default="")
    source_sha256: Mapped[str] = mapped_column(String(200), default="")  # comma-separated for two files
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    columns: Mapped[list] = mapped_column(JSON, default=list)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    restored_from: Mapped[int | None] = mapped_column(ForeignKey("dataset_versions.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict] = mapped_column(JSON, default=dict)  # mapping used, published tables …


class RecordRow(Base):
    __tablename__ = "records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)


class SourceFileRow(Base):
    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class MappingRow(Base):
    __tablename__ = "mappings"
    layout: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    headers: Mapped[list] = mapped_column(JSON)
    mapping: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class ReportRow(Base):
    __tablename__ = "import_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    source_name: Mapped[str] = mapped_column(String(1000))
    source_sha256: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # imported | partial | failed
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[list] = mapped_column(JSON, default=list)


@dataclass(frozen=True)
class VersionInfo:
    """What the version list shows."""

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
        )

    @property
    def title(self) -> str:
        return f"{DATASET_LABELS.get(self.dataset, self.dataset)} 第 {self.number} 版（{self.source_name}）"

    def label(self) -> dict:
        return {
            "版本": self.number,
            "数据集": DATASET_LABELS.get(self.dataset, self.dataset),
            "时间（UTC）": self.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            "来源": ORIGIN_LABELS.get(self.origin, self.origin),
            "文件": self.source_name,
            "SHA-256": self.source_sha256,
            "行数": self.row_count,
            "当前": "是" if self.is_current else "",
            "说明": self.note,
        }


@dataclass
class NewSource:
    """An original file to keep with a version."""

    filename: str
    content: bytes


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs use psycopg 3 (the installed driver)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_ENGINES: dict[str, Engine] = {}
_SAMPLES_SYNCED: set[tuple[str, str]] = set()
_LOCK = threading.Lock()


def _engine(url: str) -> Engine:
    with _LOCK:
        if url not in _ENGINES:
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite":
                engine = create_engine(url, connect_args={"timeout": 30})

                @event.listens_for(engine, "connect")
                def _sqlite_pragmas(connection, _record):
                    cursor = connection.cursor()
                    cursor.execute("PRAGMA foreign_keys=ON")
                    cursor.close()
            elif parsed.get_backend_name() == "postgresql":
                # a database that cannot be reached fails within seconds instead of hanging a page
                engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
            else:
                engine = create_engine(url, pool_pre_ping=True)
            _ENGINES[url] = engine
        return _ENGINES[url]


class Store:
    """One database. ``Store()`` uses the configured URL; ``Store(url)`` any SQLAlchemy URL."""

    def __init__(self, url: str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or load_settings()
        self.url = normalise_url(url or self.settings.effective_database_url)
        self.engine = _engine(self.url)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    # --- set-up ------------------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings | None = None, url: str | None = None) -> Store:
        """The store, with its tables created and the sample plans loaded (once per process)."""
        store = cls(url, settings)
        store.ensure_schema()
        key = (store.url, str(store.settings.data_dir))
        if key not in _SAMPLES_SYNCED:
            store.sync_samples()
            _SAMPLES_SYNCED.add(key)
        return store

    def ensure_schema(self) -> None:
        """Create the tables (and the SQLite file's folder) when they do not exist."""
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        Base.metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        """Drop every table of the store (tests, or an administrator starting over)."""
        Base.metadata.drop_all(self.engine)
        for key in [k for k in _SAMPLES_SYNCED if k[0] == self.url]:
            _SAMPLES_SYNCED.discard(key)

    def exists(self) -> bool:
        """True when the database holds the store's tables (never creates anything)."""
        parsed = make_url(self.url)
        sqlite_file = parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
        if sqlite_file and not Path(parsed.database).exists():
            return False
        return inspect(self.engine).has_table("dataset_versions")

    def revision(self) -> int:
        """The id of the latest version (0 with no store yet): changes with every import,
        restore or sample update, so caches keyed on it are refreshed. Never creates anything."""
        if not self.exists():
            return 0
        with self.session() as session:
            return int(session.scalar(select(func.max(VersionRow.id))) or 0)

    def sync_samples(self, data_dir: Path | None = None) -> int:
        """Load the sample plans into the store; returns the number of versions added.

        Idempotent: a sample file already stored (same sha256) is skipped. A changed sample
        file becomes a new version, current unless the plan's data was replaced by an import.
        """
        from panhuo.loader import sample_plan_dirs

        data_dir = data_dir or self.settings.data_dir
        added = 0
        for folder in sample_plan_dirs(data_dir):
            for attempt in range(2):  # a concurrent first run may insert the same rows
                try:
                    added += self._sync_plan(folder)
                    break
                except IntegrityError:
                    if attempt:
                        raise
        return added

    def _sync_plan(self, folder: Path) -> int:
        meta_bytes = (folder / "plan.toml").read_bytes()
        meta = tomllib.loads(meta_bytes.decode("utf-8"))
        plan_id = str(meta.setdefault("id", folder.name))
        added = 0
        with self.session.begin() as session:
            plan = session.get(PlanRow, plan_id)
            if plan is None:
                session.add(PlanRow(id=plan_id, origin="sample", meta=meta))
                session.flush()
            elif plan.origin == "sample" and plan.meta != meta:
                plan.meta, plan.updated_at = meta, _now()
            for dataset, frame, sources, extra in _sample_datasets(folder):
                digest = (
                    sha256(sources[0].content)
                    if len(sources) == 1 and dataset in COLUMNS
                    else sha256(
                        RECORD_FORMAT.encode()
                        + b"".join(sha256(s.content).encode() + s.filename.encode() for s in sources)
                    )
                )
                known = session.scalar(
                    select(VersionRow.id).where(
                        VersionRow.plan_id == plan_id,
                        VersionRow.dataset == dataset,
                        VersionRow.data_origin == "sample",
                        VersionRow.source_sha256 == digest,
                    )
                )
                if known is not None:
                    continue
                current = self._current_row(session, plan_id, dataset)
                make_current = current is None or current.data_origin == "sample"
                name = "、".join(f"{folder.name}/{s.filename}" for s in sources)
                self._add_version(
                    session,
                    plan_id,
                    dataset,
                    frame,
                    sources,
                    origin="sample",
                    data_origin="sample",
                    source_name=name,
                    source_sha=digest,
                    make_current=make_current,
                    extra=extra,
                    note="样例数据",
                )
                added += 1
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

    def changed_plan_ids(self) -> list[str]:
        """Plans whose current data is not the sample data: imported plans, and samples with
        an imported or restored dataset."""
        with self.session() as session:
            imported = set(session.scalars(select(PlanRow.id).where(PlanRow.origin == "import")))
            changed = set(
                session.scalars(
                    select(VersionRow.plan_id).where(
                        VersionRow.is_current.is_(True), VersionRow.data_origin != "sample"
                    )
                )
            )
            order = list(session.scalars(select(PlanRow.id).order_by(PlanRow.created_at, PlanRow.id)))
        wanted = imported | changed
        return [pid for pid in order if pid in wanted]

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

    def version_frame(self, version_id: int) -> pd.DataFrame:
        """The rows of a version as text, columns in their stored order."""
        with self.session() as session:
            version = session.get(VersionRow, version_id)
            if version is None:
                raise KeyError(f"没有编号为 {version_id} 的版本")
            rows = list(
                session.scalars(
                    select(RecordRow.data)
                    .where(RecordRow.version_id == version_id)
                    .order_by(RecordRow.row_no)
                )
            )
            return _frame(rows, version.columns)

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

    def _current_row(self, session: Session, plan_id: str, dataset: str) -> VersionRow | None:
        return session.scalar(
            select(VersionRow).where(
                VersionRow.plan_id == plan_id, VersionRow.dataset == dataset, VersionRow.is_current.is_(True)
            )
        )

    def load_plan(self, plan_id: str) -> Plan:
        """The plan as its current versions make it."""
        from panhuo.loader import plan_from_frames

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
            tables: dict[str, PublishedTable] = {}
            facts: list[dict] = []
            for version in current:
                rows = list(
                    session.scalars(
                        select(RecordRow.data)
                        .where(RecordRow.version_id == version.id)
                        .order_by(RecordRow.row_no)
                    )
                )
                if version.dataset == "tables":
                    tables.update(_tables_from_records(rows))
                elif version.dataset == "facts":
                    facts = [dict(r) for r in rows]
                else:
                    frames[version.dataset] = _frame(rows, version.columns)
                tables.update(_tables_from_records((version.extra or {}).get("tables", [])))
            origin = (
                "import"
                if plan.origin == "import" or any(v.data_origin != "sample" for v in current)
                else "sample"
            )
            meta = dict(plan.meta)
        return plan_from_frames(meta, origin=origin, tables=tables, facts=facts, **frames)

    def saved_mapping(self, layout: str) -> dict | None:
        with self.session() as session:
            row = session.get(MappingRow, layout)
            return dict(row.mapping) if row else None

    def reports(self, plan_id: str | None = None, limit: int = 50) -> list[dict]:
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

    def report_rows(self, plan_id: str, limit: int = 50) -> list[dict]:
        """The import attempts of a plan with Chinese column names, newest first."""
        status = {"imported": "已导入", "partial": "部分导入", "failed": "未导入"}
        return [
            {
                "时间（UTC）": r["created_at"],
                "文件": r["source_name"],
                "结果": status.get(r["status"], r["status"]),
                "说明": r["summary"],
                "问题数": len(r["problems"]),
            }
            for r in self.reports(plan_id, limit)
        ]

    def counts(self) -> dict[str, int]:
        """Rows per table (tests use it to prove a failed import wrote nothing)."""
        with self.session() as session:
            return {
                table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
                for table in (PlanRow, VersionRow, RecordRow, SourceFileRow, MappingRow, ReportRow)
            }

    # --- writing -----------------------------------------------------------------------------

    def save_import(
        self,
        plan_id: str,
        dataset: str,
        frame: pd.DataFrame,
        sources: list[NewSource],
        *,
        new_plan_meta: dict | None = None,
        mapping: dict | None = None,
        note: str = "",
    ) -> VersionInfo:
        """Store an import as a new current version, in one transaction.

        ``mapping`` may hold ``{"layout", "kind", "headers", "mapping"}`` (remembered for the
        layout) and ``tables`` (published tables found in the file). ``new_plan_meta`` creates
        the plan when it does not exist yet. Raises and writes nothing on any error.
        """
        if dataset not in DATASETS:
            raise ValueError(f"未知的数据集：{dataset}")
        mapping = mapping or {}
        with self.session.begin() as session:
            plan = session.get(PlanRow, plan_id)
            if plan is None:
                if new_plan_meta is None:
                    raise KeyError(f"没有编号为 {plan_id} 的规划")
                session.add(PlanRow(id=plan_id, origin="import", meta={**new_plan_meta, "id": plan_id}))
                session.flush()
            else:
                plan.updated_at = _now()
            name = "、".join(s.filename for s in sources)
            digest = ",".join(sha256(s.content) for s in sources)
            extra = {k: v for k, v in mapping.items() if k in ("layout", "mapping", "tables", "headers")}
            row = self._add_version(
                session,
                plan_id,
                dataset,
                frame,
                sources,
                origin="import",
                data_origin="import",
                source_name=name,
                source_sha=digest,
                make_current=True,
                extra=extra,
                note=note,
            )
            for item in mapping.get("remember", []):
                self._remember(session, item["layout"], item["kind"], item["headers"], item["mapping"])
            session.flush()
            return VersionInfo.of(row)

    def _remember(self, session: Session, layout: str, kind: str, headers: list, mapping: dict) -> None:
        row = session.get(MappingRow, layout)
        if row is None:
            session.add(MappingRow(layout=layout, kind=kind, headers=list(headers), mapping=dict(mapping)))
        else:
            row.mapping, row.kind, row.headers, row.updated_at = dict(mapping), kind, list(headers), _now()

    def remember_mapping(self, layout: str, kind: str, headers: list[str], mapping: dict) -> None:
        with self.session.begin() as session:
            self._remember(session, layout, kind, headers, mapping)

    def restore(self, plan_id: str, dataset: str, number: int) -> VersionInfo:
        """Make an earlier version current again, as a new version (history stays linear)."""
        with self.session.begin() as session:
            old = session.scalar(
                select(VersionRow).where(
                    VersionRow.plan_id == plan_id, VersionRow.dataset == dataset, VersionRow.number == number
                )
            )
            if old is None:
                raise KeyError(f"{plan_id} 的{DATASET_LABELS.get(dataset, dataset)}没有第 {number} 版")
            rows = list(
                session.scalars(
                    select(RecordRow.data).where(RecordRow.version_id == old.id).order_by(RecordRow.row_no)
                )
            )
            frame = _frame(rows, old.columns)
            row = self._add_version(
                session,
                plan_id,
                dataset,
                frame,
                [],
                origin="restore",
                data_origin=old.data_origin,
                source_name=old.source_name,
                source_sha=old.source_sha256,
                make_current=True,
                extra=dict(old.extra or {}),
                note=f"恢复第 {number} 版",
                restored_from=old.id,
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
    ) -> int:
        """Keep an import's report (its own transaction, so a failed import still leaves it)."""
        with self.session.begin() as session:
            row = ReportRow(
                plan_id=plan_id,
                source_name=source_name[:1000],
                source_sha256=source_sha[:200],
                status=status,
                summary=summary,
                problems=[_clean_json(p) for p in problems],
                version_id=version_id,
            )
            session.add(row)
            session.flush()
            return row.id

    def _add_version(
        self,
        session: Session,
        plan_id: str,
        dataset: str,
        frame: pd.DataFrame,
        sources: list[NewSource],
        *,
        origin: str,
        data_origin: str,
        source_name: str,
        source_sha: str,
        make_current: bool,
        extra: dict,
        note: str,
        restored_from: int | None = None,
    ) -> VersionRow:
        number = (
            session.scalar(
                select(func.max(VersionRow.number)).where(
                    VersionRow.plan_id == plan_id, VersionRow.dataset == dataset
                )
            )
            or 0
        ) + 1
        if make_current:
            session.execute(
                update(VersionRow)
                .where(VersionRow.plan_id == plan_id, VersionRow.dataset == dataset)
                .values(is_current=False)
            )
        columns = [str(c) for c in frame.columns]
        row = VersionRow(
            plan_id=plan_id,
            dataset=dataset,
            number=number,
            origin=origin,
            data_origin=data_origin,
            source_name=source_name[:500],
            source_sha256=source_sha[:200],
            row_count=len(frame),
            columns=columns,
            is_current=make_current,
            restored_from=restored_from,
            note=note,
            extra=_clean_json(extra),
        )
        session.add(row)
        session.flush()
        records = [
            {"version_id": row.id, "row_no": i, "data": _clean_json(record)}
            for i, record in enumerate(_records(frame))
        ]
        if records:
            session.execute(RecordRow.__table__.insert(), records)
        for source in sources:
            session.add(
                SourceFileRow(
                    version_id=row.id,
                    filename=source.filename[:500],
                    sha256=sha256(source.content),
                    size=len(source.content),
                    content=source.content,
                )
            )
        return row


# --- helpers --------------------------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[dict]:
    if "__rows__" in frame.attrs:  # tables and facts carry their records as they are
        return list(frame.attrs["__rows__"])
    clean = frame.astype(object).where(frame.notna(), "")
    return [
        {str(k): ("" if v is None else str(v)) for k, v in rec.items()} for rec in clean.to_dict("records")
    ]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns or None, dtype=object)
    return frame.fillna("")


def _clean_json(value: object) -> object:
    """JSON-safe copies: no NUL characters (PostgreSQL refuses them), plain types only."""
    if isinstance(value, dict):
        return {str(k).replace("\x00", ""): _clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_json(v) for v in value]
    if isinstance(value, str):
        return value.replace("\x00", "")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _rows_frame(rows: list[dict]) -> pd.DataFrame:
    """A placeholder frame whose records are stored as given (tables, facts)."""
    frame = pd.DataFrame(index=range(len(rows)))
    frame.attrs["__rows__"] = rows
    return frame


def table_record(table: PublishedTable) -> dict:
    """A published table as one JSON record: its tables.toml spec (every field of
    :class:`PublishedTable` but the frame: role, columns, changes …) and its rows as text."""
    frame = table.frame.astype(object).where(table.frame.notna(), "")
    spec = {f.name: getattr(table, f.name) for f in dataclasses.fields(table) if f.name != "frame"}
    return {
        "spec": _clean_json(spec),
        "columns": [str(c) for c in frame.columns],
        "rows": [[str(v) for v in row] for row in frame.itertuples(index=False)],
    }


def _tables_from_records(records: Iterable[dict]) -> dict[str, PublishedTable]:
    known = {f.name for f in dataclasses.fields(PublishedTable)}
    tables = {}
    for record in records:
        spec = {k: v for k, v in dict(record["spec"]).items() if k in known}
        frame = pd.DataFrame(record["rows"], columns=record["columns"], dtype=object)
        tables[spec["id"]] = PublishedTable(frame=frame, **spec)
    return tables


def _sample_datasets(folder: Path) -> Iterable[tuple[str, pd.DataFrame, list[NewSource], dict]]:
    """(dataset, frame, original files, extra) for each dataset file of a sample plan folder."""
    from panhuo.loader import _load_tables, read_csv_text, read_toml

    for dataset in COLUMNS:
        path = folder / f"{dataset}.csv"
        if path.exists():
            yield dataset, read_csv_text(path), [NewSource(path.name, path.read_bytes())], {}
    spec_path = folder / "tables.toml"
    if spec_path.exists():
        tables = _load_tables(folder)
        sources = [NewSource("tables.toml", spec_path.read_bytes())]
        for spec in read_toml(spec_path).get("table", []):
            sources.append(NewSource(spec["file"], (folder / spec["file"]).read_bytes()))
        yield "tables", _rows_frame([table_record(t) for t in tables.values()]), sources, {}
    facts_path = folder / "facts.toml"
    if facts_path.exists():
        facts = read_toml(facts_path).get("fact", [])
        yield (
            "facts",
            _rows_frame([_clean_json(f) for f in facts]),
            [NewSource("facts.toml", facts_path.read_bytes())],
            {},
        )


def store_plans(settings: Settings | None = None) -> list[Plan]:
    """Plans the catalog should take from the store (imports, and samples changed by an import).

    Never creates a database: with no database yet there is nothing imported.
    """
    store = Store(settings=settings)
    if not store.exists():
        return []
    return [store.load_plan(pid) for pid in store.changed_plan_ids()]


__all__ = ["NewSource", "Store", "VersionInfo", "sha256", "store_plans", "table_record"]
