"""The audit trail (留痕): one append-only row per write and per security event.

:func:`record` adds a row inside the caller's transaction, so a write and its log row land
together or not at all. Nothing here edits or deletes a row, and the database refuses it too
(triggers from migration 0002). Times are stored in UTC and shown in 北京时间.

>>> to_beijing(dt.datetime(2026, 12, 1, 16, 30))
'2026-12-02 00:30:00'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panhuo.access import User
from panhuo.store.records import clean_json
from panhuo.store.schema import AuditRow, now

BEIJING = ZoneInfo("Asia/Shanghai")

# every kind of row, with its label on screen; later issues add theirs here
KIND_LABELS: dict[str, str] = {
    "login": "登录成功",
    "login_failed": "登录失败",
    "lockout": "账户锁定",
    "login_locked": "锁定期间尝试登录",
    "logout": "退出登录",
    "session_expired": "登录过期",
    "password_changed": "修改密码",
    "password_reset": "重置密码",
    "user_added": "新增用户",
    "user_disabled": "停用用户",
    "user_enabled": "启用用户",
    "user_updated": "修改用户",
    "role_granted": "授予角色",
    "role_revoked": "收回角色",
    "import": "导入数据",
    "import_failed": "导入失败",
    "restore": "恢复版本",
    "mapping_saved": "保存字段对应",
    "samples_loaded": "载入样例数据",
    "access_denied": "越权操作被拒绝",
    "progress_config_changed": "修改进展填报设置",
    "progress_draft_saved": "保存进展草稿",
    "progress_submitted": "提交进展报告",
    "progress_approved": "通过进展报告",
    "progress_returned": "退回进展报告",
    "progress_attachment_added": "上传进展附件",
    "progress_attachment_removed": "删除进展附件",
    "progress_targets_set": "修改区县目标分解",
    "progress_milestone_marked": "标记时间节点完成情况",
    "demo_loaded": "载入演示数据",
    "consultation_opened": "开启征求意见",
    "consultation_changed": "修改征求意见期限",
    "consultation_closed": "提前结束征求意见",
    "answers_released": "公布意见答复",
    "comment_received": "收到公众意见",
    "comment_entered": "录入来函意见",
    "comment_published": "公开意见",
    "comment_rejected": "不予公开意见",
    "comment_masked": "隐去意见中的个人信息",
    "comment_merged": "合并重复意见",
    "comment_answered": "答复意见",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def to_beijing(moment: dt.datetime | None) -> str:
    """A stored UTC time as 北京时间 text (``YYYY-MM-DD HH:MM:SS``); '' for None."""
    if moment is None or pd.isna(moment):
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def beijing_day_start(day: dt.date) -> dt.datetime:
    """The UTC time (naive, as stored) at which ``day`` begins in 北京时间."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)
    return start.astimezone(dt.UTC).replace(tzinfo=None)


def record(
    session: Session,
    actor: User,
    kind: str,
    *,
    plan: str | None = None,
    summary: str = "",
    records: Iterable[object] = (),
    before: dict | None = None,
    after: dict | None = None,
    client: str = "",
) -> None:
    """Add one row to the log in ``session``'s transaction (it commits with the write)."""
    if kind not in KIND_LABELS:
        raise ValueError(f"未登记的操作类型：{kind}")
    session.add(
        AuditRow(
            at=now(),
            actor=actor.name[:120],
            actor_label=actor.label[:200],
            actor_kind=actor.kind[:16],
            kind=kind,
            plan_id=plan,
            summary=summary[:4000],
            records=[clean_json(r) for r in records][:10000],
            before=clean_json(before) if before is not None else None,
            after=clean_json(after) if after is not None else None,
            client=client[:200],
        )
    )


@dataclass(frozen=True)
class Query:
    """Filters of the log: any of user, plan, kinds, and a time range [since, until) in UTC."""

    actor: str | None = None
    plan: str | None = None
    plans: frozenset[str] | None = None  # restrict to these plans (a plan administrator's view)
    kinds: Sequence[str] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int | None = None
    offset: int = 0  # rows skipped (newest first) before ``limit``: a page of the table


COLUMNS = {
    "id": "序号",
    "at": "时间（北京时间）",
    "actor_label": "操作人",
    "kind": "操作",
    "plan_id": "规划",
    "summary": "内容",
    "records": "涉及记录",
    "before": "变更前",
    "after": "变更后",
    "client": "来源地址",
}


def _where(query: Query) -> list:
    """The conditions of ``query`` (everything but its paging)."""
    conditions = []
    if query.actor:
        conditions.append(AuditRow.actor == query.actor)
    if query.plan:
        conditions.append(AuditRow.plan_id == query.plan)
    if query.plans is not None:
        conditions.append(AuditRow.plan_id.in_(sorted(query.plans)))
    if query.kinds:
        conditions.append(AuditRow.kind.in_(list(query.kinds)))
    if query.since is not None:
        conditions.append(AuditRow.at >= query.since)
    if query.until is not None:
        conditions.append(AuditRow.at < query.until)
    return conditions


def entries(session: Session, query: Query = Query()) -> list[AuditRow]:
    """The rows matching ``query``, newest first."""
    statement = select(AuditRow).where(*_where(query)).order_by(AuditRow.id.desc())
    if query.offset:
        statement = statement.offset(query.offset)
    if query.limit:
        statement = statement.limit(query.limit)
    return list(session.scalars(statement))


def count(session: Session, query: Query = Query()) -> int:
    """How many rows match ``query`` (its ``limit`` and ``offset`` left aside)."""
    return session.scalar(select(func.count(AuditRow.id)).where(*_where(query))) or 0


@dataclass(frozen=True)
class Choices:
    """What the log's filters can offer within a scope: the actors (account name → the label of
    their latest row) and the plans that occur in it."""

    actors: dict[str, str]
    plans: list[str]


def choices(session: Session, plans: frozenset[str] | None = None) -> Choices:
    """The actors and plans present in the rows of ``plans`` (None: every row)."""
    scope = _where(Query(plans=plans))
    latest = (
        select(AuditRow.actor, func.max(AuditRow.id).label("last")).where(*scope).group_by(AuditRow.actor)
    ).subquery()
    labelled = session.execute(
        select(AuditRow.actor, AuditRow.actor_label)
        .join(latest, AuditRow.id == latest.c.last)
        .order_by(AuditRow.actor)
    )
    actors = {name: label or name or "访客" for name, label in labelled}
    found = session.scalars(select(AuditRow.plan_id).where(*scope, AuditRow.plan_id.is_not(None)).distinct())
    return Choices(actors, sorted(found))


def as_dict(row: AuditRow) -> dict:
    """One row for JSON (the command line): time in UTC ISO and in 北京时间."""
    return {
        "id": row.id,
        "at_utc": row.at.replace(tzinfo=dt.UTC).isoformat(),
        "at": to_beijing(row.at),
        "actor": row.actor,
        "actor_label": row.actor_label,
        "actor_kind": row.actor_kind,
        "kind": row.kind,
        "kind_label": kind_label(row.kind),
        "plan": row.plan_id,
        "summary": row.summary,
        "records": row.records,
        "before": row.before,
        "after": row.after,
        "client": row.client,
    }


# the keys of before/after (stable English in the database and the JSON) as the screen names them
VALUE_LABELS: dict[str, str] = {
    "dataset": "数据集",
    "version": "版本",
    "version_id": "版本编号",
    "rows": "行数",
    "source": "来源文件",
    "source_sha256": "SHA-256",
    "plan_created": "新建规划",
    "mappings_saved": "保存的字段对应",
    "restored_from": "恢复自",
    "report_id": "导入记录",
    "mapping": "字段对应",
    "headers": "表头",
    "layout": "表头格式",
    "kind": "类型",
    "name": "用户名",
    "display_name": "姓名",
    "roles": "角色",
    "versions": "版本",
}


def _short(value: object) -> str:
    if value in (None, [], {}):
        return ""
    if value is True:
        return "是"
    if isinstance(value, dict):
        return "；".join(f"{VALUE_LABELS.get(str(k), k)}：{_short(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def frame(rows: Iterable[AuditRow]) -> pd.DataFrame:
    """The rows as a table for the screen and the XLSX download, Chinese headers, 北京时间."""
    table = pd.DataFrame(
        [
            {
                "id": r.id,
                "at": to_beijing(r.at),
                "actor_label": r.actor_label or r.actor or "访客",
                "kind": kind_label(r.kind),
                "plan_id": r.plan_id or "",
                "summary": r.summary,
                "records": _short(r.records),
                "before": _short(r.before),
                "after": _short(r.after),
                "client": r.client,
            }
            for r in rows
        ],
        columns=list(COLUMNS),
    )
    return table.rename(columns=COLUMNS)
