"""The tables of the store (SQLAlchemy ORM). A change here needs a migration in
``migrations/versions`` (``tests/test_store_migrations.py`` fails while they differ).

- ``plans``: one row per plan (``origin`` sample or import) with its plan.toml metadata.
- ``dataset_versions``: each version of one dataset of a plan (parcels, zones, targets, …,
  ``tables``, ``facts``): number, time, who made it, source file name and sha256, origin
  (sample, import, restore), whether it is current. An import or a restore adds a version; nothing is updated
  in place.
- ``records``: the rows of a version of the small datasets (targets, schedules, tables …), one
  JSON object of text values per row.
- ``version_parts``: the rows of a parcels or zones version, typed and columnar (Parquet parts:
  the printed text, the values parsed once at import, the geometry as WKB apart), see
  :mod:`panhuo.store.columnar`; migration 0007 converted the JSON rows of older stores.
- ``source_files``: the original files byte for byte, attached to the version they made.
- ``mappings``: the confirmed column mapping per source layout (hash of the header row).
- ``import_reports``: every import attempt's report, also for failed imports — the only trace
  a failed import leaves.
- ``users``, ``role_grants``: local accounts (argon2 hashes only, never a password) and their
  roles per plan (``plan_id`` NULL: all plans; ``counties`` for a 区县填报员).
- ``auth_sessions``: signed-in browsers, by the sha256 of their token (the token itself is
  only in the browser's cookie), with absolute and idle expiry, revoked on sign-out.
- ``login_throttle``: consecutive failed sign-ins per account and per client, and the time
  until which each is locked.
- ``progress_config``: each plan's reporting cadence, first period, due days and lifecycle
  stages; a change adds a row (the newest wins), so earlier settings stay readable.
- ``progress_reports``: one row per revision of a 区县's report for a period (draft, submitted,
  returned, approved); a return or a correction starts a new revision, a submitted revision's
  entries are never edited.
- ``progress_entries``: a report's figures per record (stage, dates, cumulative area as typed
  with its unit, investment …).
- ``progress_attachments``: photos and PDFs of a report, byte for byte with their sha256.
- ``consultations``: a plan's consultation windows (征求意见): opening and closing time in UTC
  (closing is exclusive: a date-only deadline closes at the next midnight in 北京时间), the
  notice, channels and contacts, when the answers were released; ``key`` is unique (a window
  taken from a plan's own data is ``<plan>/data``).
- ``comments``: each comment as received (original text kept), its masked and published text,
  target (plan, measure, 片区, 地块 or map point), channel and received time, the author's name
  and contact (never published), moderation state and answer. ``ref`` is the unguessable
  reference the author looks the answer up with.
- ``audit_log``: append-only (triggers refuse UPDATE and DELETE on SQLite and PostgreSQL): every
  write and security event, who, when (UTC), what, the plan, the records, before and after.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> dt.datetime:
    """The time stored with rows: UTC, naive, whole seconds."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    pass


class PlanRow(Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    origin: Mapped[str] = mapped_column(String(16))
    meta: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class VersionRow(Base):
    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("plan_id", "dataset", "number", name="uq_version_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
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
    # who made the version (an import or a restore): the account name and how it was shown then;
    # "" for versions from before migration 0003
    created_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    created_by_label: Mapped[str] = mapped_column(String(200), default="", server_default="")


class RecordRow(Base):
    __tablename__ = "records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), index=True)
    row_no: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)


class PartRow(Base):
    """A part of a parcels or zones version, typed and columnar (:mod:`panhuo.store.columnar`)."""

    __tablename__ = "version_parts"
    version_id: Mapped[int] = mapped_column(ForeignKey("dataset_versions.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # attributes | geometry
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    format: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


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
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class ReportRow(Base):
    __tablename__ = "import_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    source_name: Mapped[str] = mapped_column(String(1000))
    source_sha256: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # imported | partial | failed
    version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[list] = mapped_column(JSON, default=list)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the sign-in name, lower case
    display_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)  # argon2; None: no password
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class GrantRow(Base):
    __tablename__ = "role_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    plan_id: Mapped[str | None] = mapped_column(String(120), nullable=True)  # None: all plans
    counties: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class SessionRow(Base):
    __tablename__ = "auth_sessions"
    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    client: Mapped[str] = mapped_column(String(200), default="")


class ThrottleRow(Base):
    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)  # "account:<name>" | "client:<addr>"
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class AuditRow(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now, index=True)  # UTC
    actor: Mapped[str] = mapped_column(String(120), index=True)  # account name; "" anonymous
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    actor_kind: Mapped[str] = mapped_column(String(16), default="local")
    kind: Mapped[str] = mapped_column(String(32), index=True)
    plan_id: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    records: Mapped[list] = mapped_column(JSON, default=list)  # affected record ids
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    client: Mapped[str] = mapped_column(String(200), default="")


class ProgressConfigRow(Base):
    __tablename__ = "progress_config"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    cadence_months: Mapped[int] = mapped_column(Integer)
    first_start: Mapped[dt.date] = mapped_column(Date)
    due_days: Mapped[int] = mapped_column(Integer)
    stages: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")


class ProgressReportRow(Base):
    __tablename__ = "progress_reports"
    __table_args__ = (
        UniqueConstraint("plan_id", "county", "period_id", "revision", name="uq_progress_revision"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    county: Mapped[str] = mapped_column(String(100))
    period_id: Mapped[str] = mapped_column(String(16), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), index=True)  # draft | submitted | returned | approved
    kind: Mapped[str] = mapped_column(String(16), default="report")  # report | correction
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id"), nullable=True)
    record_kind: Mapped[str] = mapped_column(String(16))  # parcels | zones
    area_unit: Mapped[str] = mapped_column(String(16))
    narrative: Mapped[dict] = mapped_column(JSON, default=dict)
    due: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_by_label: Mapped[str] = mapped_column(String(200), default="")
    editors: Mapped[list] = mapped_column(JSON, default=list)  # every account that saved this revision
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    submitted_by: Mapped[str] = mapped_column(String(120), default="")
    submitted_by_label: Mapped[str] = mapped_column(String(200), default="")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    reviewed_by: Mapped[str] = mapped_column(String(120), default="")
    reviewed_by_label: Mapped[str] = mapped_column(String(200), default="")
    review_note: Mapped[str] = mapped_column(Text, default="")


class ProgressEntryRow(Base):
    __tablename__ = "progress_entries"
    __table_args__ = (UniqueConstraint("report_id", "record_id", name="uq_progress_entry"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(32), default="")
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    supplied_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    started_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    accepted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    area: Mapped[str] = mapped_column(String(40), default="")  # as typed, in area_unit
    area_unit: Mapped[str] = mapped_column(String(16), default="")
    investment: Mapped[str] = mapped_column(String(40), default="")  # 万元, as typed
    floor_area: Mapped[str] = mapped_column(String(40), default="")  # 平方米
    tax_per_mu: Mapped[str] = mapped_column(String(40), default="")  # 万元/亩
    note: Mapped[str] = mapped_column(Text, default="")
    issues: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")


class ProgressAttachmentRow(Base):
    __tablename__ = "progress_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id"), index=True)
    record_id: Mapped[str] = mapped_column(String(120), default="")
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(60))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")


class ProgressTargetRow(Base):
    """One version of a plan's target broken down by 区县 (目标分解): every save is a new row."""

    __tablename__ = "progress_targets"
    __table_args__ = (UniqueConstraint("plan_id", "version", name="uq_progress_target_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    version: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    deadline: Mapped[str] = mapped_column(String(16))
    shares: Mapped[list] = mapped_column(JSON, default=list)  # [{county, value, yearly: {year: value}}]
    total: Mapped[str] = mapped_column(String(40), default="")
    plan_target: Mapped[str] = mapped_column(String(40), default="")  # same unit; "" = none
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_by_label: Mapped[str] = mapped_column(String(200), default="")


class ProgressMilestoneRow(Base):
    """A milestone of a plan marked done (or un-marked: done_on empty); the newest row counts."""

    __tablename__ = "progress_milestones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    milestone_id: Mapped[str] = mapped_column(String(60))
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    created_by_label: Mapped[str] = mapped_column(String(200), default="")


class ConsultationRow(Base):
    """One consultation window of a plan; extending or closing it updates the row (the audit
    trail keeps before and after)."""

    __tablename__ = "consultations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    title: Mapped[str] = mapped_column(String(400), default="")
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, inclusive
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC, exclusive
    planned_closes_at: Mapped[dt.datetime] = mapped_column(DateTime)  # before an early close
    notice: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[str] = mapped_column(Text, default="")
    contacts: Mapped[list] = mapped_column(JSON, default=list)  # [[label, value], ...]
    source: Mapped[str] = mapped_column(String(16), default="admin")  # data | admin
    answers_released_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    created_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_by: Mapped[str] = mapped_column(String(120), default="")


class CommentRow(Base):
    """One comment on a consultation, as received and as moderated and answered."""

    __tablename__ = "comments"
    __table_args__ = (UniqueConstraint("consultation_id", "number", name="uq_comment_number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"), index=True)
    plan_id: Mapped[str] = mapped_column(String(120), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 序号 within the consultation
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    target_kind: Mapped[str] = mapped_column(String(16))  # plan | measure | zone | parcel | point
    target_id: Mapped[str] = mapped_column(String(120), default="")
    target_label: Mapped[str] = mapped_column(String(400), default="")
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    topic: Mapped[str] = mapped_column(String(80), default="")
    text_original: Mapped[str] = mapped_column(Text)
    text_masked: Mapped[str] = mapped_column(Text)
    text_published: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    author_name: Mapped[str] = mapped_column(String(120), default="")
    author_contact: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC: what the deadline is checked on
    client_hash: Mapped[str] = mapped_column(String(64), default="", index=True)
    entered_by: Mapped[str] = mapped_column(String(120), default="")  # staff who typed it in
    state: Mapped[str] = mapped_column(String(16), default="new")  # new|published|rejected|merged
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    merged_into: Mapped[int | None] = mapped_column(Integer, nullable=True)
    moderated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    moderated_by: Mapped[str] = mapped_column(String(120), default="")
    answer_status: Mapped[str] = mapped_column(String(16), default="")
    answer_reason: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    answered_by: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


TABLES = (PlanRow, VersionRow, RecordRow, SourceFileRow, MappingRow, ReportRow)
ACCOUNT_TABLES = (UserRow, GrantRow, SessionRow, ThrottleRow, AuditRow)
PROGRESS_TABLES = (
    ProgressConfigRow,
    ProgressReportRow,
    ProgressEntryRow,
    ProgressAttachmentRow,
    ProgressTargetRow,
    ProgressMilestoneRow,
)
CONSULTATION_TABLES = (ConsultationRow, CommentRow)
