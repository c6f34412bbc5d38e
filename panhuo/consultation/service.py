"""公众征求意见 in the store: consultation windows, comments, moderation, answers.

A window is open from ``opens_at`` (inclusive) to ``closes_at`` (exclusive), both kept in UTC and
entered and shown in 北京时间; a date-only deadline (乌鲁木齐: 2025-12-17) closes at the next
midnight there. The deadline is checked here, on the server, against the time a comment was
received: :meth:`Consultations.submit` (the public form) takes the server's clock, staff who type
in a letter, fax or e-mail give the day it arrived (:meth:`Consultations.enter`).

A comment's text is kept as received (``text_original``, moderators only), masked for personal
data at once (``text_masked``: phone numbers, ID-card numbers, e-mail addresses), and made public
only when a moderator publishes it (``text_published``). A moderator may edit only by masking
(:func:`panhuo.consultation.pii.is_masking_of`). The author's name and contact are never public.
Answers (采纳 …) are public once the bureau releases them for the window.

Every write checks the role (:func:`panhuo.access.require`) and writes its audit row in the same
transaction; a public submission is logged with the anonymous visitor as actor and no text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from panhuo import audit
from panhuo.access import ANONYMOUS, SYSTEM, Action, User, require
from panhuo.consultation.pii import describe, is_masking_of, mask_personal
from panhuo.model import Plan
from panhuo.store.schema import CommentRow, ConsultationRow, now

BEIJING = audit.BEIJING

TARGET_LABELS = {"plan": "规划整体", "measure": "措施", "zone": "片区", "parcel": "地块", "point": "地图位置"}
CHANNELS = ("网页", "信函", "传真", "邮件", "现场")
STAFF_CHANNELS = CHANNELS[1:]
STATE_LABELS = {"new": "待审核", "published": "已公开", "rejected": "不予公开", "merged": "已合并"}
ANSWER_STATUSES = ("采纳", "部分采纳", "不予采纳", "已有考虑", "研究中")

TEXT_MIN, TEXT_MAX = 5, 2000
TOPIC_MAX, NAME_MAX, CONTACT_MAX, REASON_MAX = 40, 50, 100, 1000
# per client (the browser's address, hashed): at most RATE_MAX comments in RATE_WINDOW, DAY_MAX a day
RATE_MAX, RATE_WINDOW = 5, dt.timedelta(minutes=10)
DAY_MAX = 20
# China's extent, for a point picked on a map (a point outside is a mistake, not a comment)
LON_RANGE, LAT_RANGE = (73.0, 136.0), (3.0, 54.0)

_CONTACT = re.compile(r"^(?:\+?86[- ]?)?(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
_REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone


class ConsultationError(ValueError):
    """A request refused; the message is a Chinese sentence for the screen. Nothing was written."""


class ConsultationClosed(ConsultationError):
    """A comment outside the window (after it closed, or before it opened)."""


class RateLimited(ConsultationError):
    """Too many comments from one client."""


def beijing(moment: dt.datetime, closing: bool = False) -> str:
    """A stored UTC time in 北京时间 to the minute (seconds when not whole); a closing midnight
    reads as the end of the day before, as notices write it: ``2025-12-17 24:00``.

    >>> beijing(dt.datetime(2025, 12, 17, 16, 0), closing=True), beijing(dt.datetime(2025, 12, 4, 16, 0))
    ('2025-12-17 24:00', '2025-12-05 00:00')
    """
    local = moment.replace(tzinfo=dt.UTC).astimezone(BEIJING)
    if local.second:
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if closing and (local.hour, local.minute) == (0, 0):
        return f"{(local - dt.timedelta(days=1)).date().isoformat()} 24:00"
    return local.strftime("%Y-%m-%d %H:%M")


def parse_moment(text: str | dt.date | dt.datetime, *, end_of_day: bool) -> dt.datetime:
    """北京时间 text (``2025-12-17``, ``2025-12-17 18:00``, ``2025-12-17T18:00:30``) as a naive UTC
    time. A date alone is the start of that day, or with ``end_of_day`` the next midnight.

    >>> parse_moment("2025-12-17", end_of_day=True)
    datetime.datetime(2025, 12, 17, 16, 0)
    >>> parse_moment("2025-12-05 09:30", end_of_day=False)
    datetime.datetime(2025, 12, 5, 1, 30)
    """
    if isinstance(text, dt.datetime):
        local = text if text.tzinfo else text.replace(tzinfo=BEIJING)
    else:
        raw = text.isoformat() if isinstance(text, dt.date) else str(text).strip()
        try:
            if len(raw) == 10:
                day = dt.date.fromisoformat(raw)
                local = dt.datetime.combine(day + dt.timedelta(days=int(end_of_day)), dt.time(), BEIJING)
            else:
                local = dt.datetime.fromisoformat(raw.replace(" ", "T")).replace(tzinfo=BEIJING)
        except ValueError:
            raise ConsultationError(f"时间“{raw}”无法识别，请写成 2025-12-17 或 2025-12-17 18:00") from None
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def _normalise(text: str) -> str:
    """Text for duplicate detection: NFKC, no whitespace or punctuation, lower case."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def content_hash(text: str) -> str:
    return hashlib.sha256(_normalise(text).encode()).hexdigest()


def client_hash(client: str) -> str:
    """The client's address hashed (the address itself is personal data and is not kept)."""
    return hashlib.sha256(f"panhuo-comment:{client}".encode()).hexdigest() if client else ""


def _new_ref() -> str:
    body = "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))
    return f"YJ-{body[:4]}-{body[4:]}"


def clean_text(text: object, limit: int) -> str:
    """Plain text as typed: control characters dropped (newlines kept), trimmed, at most ``limit``."""
    raw = str(text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept.strip()[: limit + 1]


@dataclass(frozen=True)
class Window:
    id: int
    key: str
    plan_id: str
    title: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    planned_closes_at: dt.datetime
    notice: str
    channels: str
    contacts: tuple[tuple[str, str], ...]
    source: str
    answers_released_at: dt.datetime | None

    def is_open(self, at: dt.datetime) -> bool:
        return self.opens_at <= at < self.closes_at

    def state(self, at: dt.datetime) -> str:
        """not_yet | open | closed."""
        return "not_yet" if at < self.opens_at else ("open" if at < self.closes_at else "closed")

    @property
    def closed_early(self) -> bool:
        return self.closes_at < self.planned_closes_at

    @property
    def answers_released(self) -> bool:
        return self.answers_released_at is not None

    @property
    def opens_text(self) -> str:
        return beijing(self.opens_at)

    @property
    def closes_text(self) -> str:
        return beijing(self.closes_at, closing=True)

    def status_text(self, at: dt.datetime) -> str:
        """征求意见中，截止 2025-12-17 24:00（北京时间） …"""
        state = self.state(at)
        if state == "not_yet":
            return f"征求意见将于 {self.opens_text} 开始，截止 {self.closes_text}（北京时间）"
        if state == "open":
            return f"征求意见中，截止 {self.closes_text}（北京时间）"
        early = "（提前结束）" if self.closed_early else ""
        return f"征求意见已于 {self.closes_text}（北京时间）截止{early}"

    def to_json(self, at: dt.datetime) -> dict:
        return {
            "id": self.id,
            "plan": self.plan_id,
            "title": self.title,
            "opens": self.opens_text,
            "closes": self.closes_text,
            "state": self.state(at),
            "status": self.status_text(at),
            "closed_early": self.closed_early,
            "answers_released": self.answers_released,
            "source": self.source,
            "channels": self.channels,
            "contacts": [list(c) for c in self.contacts],
        }

    @classmethod
    def of(cls, row: ConsultationRow) -> Window:
        return cls(
            row.id, row.key, row.plan_id, row.title, row.opens_at, row.closes_at, row.planned_closes_at,
            row.notice or "", row.channels or "", tuple((str(a), str(b)) for a, b in row.contacts or []),
            row.source, row.answers_released_at,
        )  # fmt: skip


@dataclass(frozen=True)
class Target:
    """What a comment is on: the plan, a measure, a 片区, a 地块 (by id) or a point."""

    kind: str = "plan"
    id: str = ""
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class Comment:
    """A comment as a moderator sees it (:meth:`public` gives what anyone may see)."""

    id: int
    consultation_id: int
    plan_id: str
    number: int
    ref: str
    target_kind: str
    target_id: str
    target_label: str
    lon: float | None
    lat: float | None
    topic: str
    text_original: str
    text_masked: str
    text_published: str
    author_name: str
    author_contact: str
    channel: str
    received_at: dt.datetime
    entered_by: str
    state: str
    reject_reason: str
    merged_into: int | None
    moderated_at: dt.datetime | None
    moderated_by: str
    answer_status: str
    answer_reason: str
    answered_at: dt.datetime | None
    possible_duplicates: tuple[int, ...] = ()  # numbers of other comments with the same text

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def target_text(self) -> str:
        """规划整体 / 措施 第3条 优化容积率核定 / 地图位置 87.61680, 43.82560."""
        kind = TARGET_LABELS.get(self.target_kind, self.target_kind)
        return kind if self.target_kind == "plan" else f"{kind} {self.target_label}".strip()

    @property
    def received_text(self) -> str:
        return audit.to_beijing(self.received_at)

    def to_json(self, with_contact: bool = False) -> dict:
        out = {
            "number": self.number,
            "ref": self.ref,
            "state": self.state,
            "state_label": self.state_label,
            "target": self.target_text,
            "target_kind": self.target_kind,
            "target_id": self.target_id,
            "topic": self.topic,
            "channel": self.channel,
            "received": self.received_text,
            "text": self.text_masked,
            "published_text": self.text_published,
            "reject_reason": self.reject_reason,
            "merged_into": self.merged_into,
            "answer_status": self.answer_status,
            "answer_reason": self.answer_reason,
            "possible_duplicates": list(self.possible_duplicates),
        }
        if with_contact:
            out |= {"name": self.author_name, "contact": self.author_contact}
        return out

    @classmethod
    def of(cls, row: CommentRow, duplicates: tuple[int, ...] = ()) -> Comment:
        return cls(
            row.id, row.consultation_id, row.plan_id, row.number, row.ref, row.target_kind,
            row.target_id or "", row.target_label or "", row.lon, row.lat, row.topic or "",
            row.text_original, row.text_masked, row.text_published or "", row.author_name or "",
            row.author_contact or "", row.channel, row.received_at, row.entered_by or "", row.state,
            row.reject_reason or "", row.merged_into, row.moderated_at, row.moderated_by or "",
            row.answer_status or "", row.answer_reason or "", row.answered_at, duplicates,
        )  # fmt: skip


@dataclass(frozen=True)
class PublicComment:
    """What anyone may see of a published comment: never the name, the contact or the original."""

    number: int
    received_day: str
    target: str
    topic: str
    text: str
    answer_status: str  # "" until the answers are released
    answer_reason: str


@dataclass(frozen=True)
class Lookup:
    """What the author sees with the reference: state, why not published, the answer once released."""

    ref: str
    number: int
    state: str
    state_label: str
    received: str
    target: str
    text: str  # as masked: the author's own words, personal data hidden
    reason: str  # why not published, or which comment it was merged into
    answer_status: str
    answer_reason: str


# what the form offers per kind, in this order
TARGET_CHOICES = {
    "plan": "规划整体",
    "measure": "某项措施",
    "zone": "某个片区",
    "parcel": "某个地块",
    "point": "某个位置",
}
PARCELS_OFFERED = 5000  # a list longer than this is no help in a drop-down: the map point is


def target_label(kind: str, row) -> str:
    """How a comment's target is named (kept with the comment): 第3条 优化容积率核定, a 片区's id
    and name; a 地块 by id and 区县 only, since its name can be its right-holder's."""
    ident = str(row.get("id", "")).strip()
    if kind == "measure":
        return f"第{ident}条 {str(row.get('title', '')).strip()}"
    if kind == "zone":
        return f"{ident} {str(row.get('name', '')).strip()}".strip()
    county = str(row.get("county", "")).strip()
    return f"{ident}（{county}）" if county else ident


def target_options(plan: Plan) -> dict[str, list[tuple[str, str]]]:
    """What a comment on ``plan`` can be on, by kind: (id, label) pairs (the plan as a whole and
    a point always; measures, 片区 and the first :data:`PARCELS_OFFERED` 地块 when it has them)."""
    found: dict[str, list[tuple[str, str]]] = {"plan": [("", "规划整体")]}
    for kind, frame in (("measure", plan.measures), ("zone", plan.zones), ("parcel", plan.parcels)):
        if len(frame) and "id" in frame:
            rows = frame.head(PARCELS_OFFERED).to_dict("records")
            found[kind] = [(str(r["id"]).strip(), target_label(kind, r)) for r in rows]
    found["point"] = [("", "地图上的一个位置（在地图上点选或填写经纬度）")]
    return found


class Consultations:
    """Consultation windows and comments of the plans in ``store``. ``clock`` gives the time in
    UTC (naive; tests pass a fixed one)."""

    def __init__(self, store, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None))

    # --- windows ---------------------------------------------------------------------------
    def windows(self, plan: Plan) -> list[Window]:
        """The plan's windows, oldest first; a draft's own window (plan data) is stored on first read."""
        self._ensure_from_plan(plan)
        with self.store.session() as session:
            rows = session.scalars(
                select(ConsultationRow).where(ConsultationRow.plan_id == plan.id).order_by(ConsultationRow.opens_at)
            ).all()  # fmt: skip
            return [Window.of(r) for r in rows]

    def current(self, plan: Plan) -> Window | None:
        """The window open now, else the next one to open, else the latest closed one, else None."""
        windows = self.windows(plan)
        at = self.clock()
        for state in ("open", "not_yet"):
            found = [w for w in windows if w.state(at) == state]
            if found:
                return found[0]
        return windows[-1] if windows else None

    def window(self, plan: Plan, window_id: int | None = None) -> Window:
        if window_id is None:
            found = self.current(plan)
            if found is None:
                raise ConsultationError(f"规划 {plan.id} 没有征求意见安排")
            return found
        found = next((w for w in self.windows(plan) if w.id == int(window_id)), None)
        if found is None:
            raise ConsultationError(f"规划 {plan.id} 没有编号为 {window_id} 的征求意见")
        return found

    def _ensure_from_plan(self, plan: Plan) -> None:
        """A draft whose data names a deadline (乌鲁木齐) gets that window, stored once."""
        until = str(plan.meta.get("comment_until") or "").strip()
        if not plan.is_consultation or not until:
            return
        key = f"{plan.id}/data"
        with self.store.session() as session:
            if session.scalar(select(ConsultationRow.id).where(ConsultationRow.key == key)) is not None:
                return
        notice = plan.meta.get("consultation", {}) or {}
        contacts = [
            [label, str(notice[k]).strip()]
            for k, label in (("department", "联系科室"), ("phone", "联系电话"), ("fax", "传真"), ("email", "电子邮件"))
            if str(notice.get(k, "")).strip()
        ]  # fmt: skip
        start = str(plan.meta.get("published") or plan.meta.get("date") or until)
        closes = parse_moment(until, end_of_day=True)
        row = ConsultationRow(
            key=key, plan_id=plan.id, title=plan.title, opens_at=parse_moment(start[:10], end_of_day=False),
            closes_at=closes, planned_closes_at=closes, notice=str(notice.get("text", "")).strip(),
            channels=str(notice.get("channels", "")).strip(), contacts=contacts, source="data",
            created_by=SYSTEM.name, updated_by=SYSTEM.name,
        )  # fmt: skip
        try:
            with self.store.writing() as session:
                if session.scalar(select(ConsultationRow.id).where(ConsultationRow.key == key)) is None:
                    session.add(row)
                    session.flush()
                    audit.record(
                        session, SYSTEM, "consultation_opened", plan=plan.id,
                        summary=f"按规划数据登记征求意见：{beijing(row.opens_at)} 至 {beijing(closes, True)}",
                        after={"opens": beijing(row.opens_at), "closes": beijing(closes, True)},
                    )  # fmt: skip
        except IntegrityError:  # another process stored it first
            pass

    def open(
        self,
        actor: User,
        plan: Plan,
        *,
        until: str | dt.date | dt.datetime,
        start: str | dt.date | dt.datetime | None = None,
        notice: str = "",
        channels: str = "",
        contacts: list[tuple[str, str]] | None = None,
        client: str = "",
    ) -> Window:
        """Open a window for ``plan`` (管理员) from ``start`` (default now) until ``until``."""
        require(actor, Action.MANAGE_CONSULTATIONS, plan.id)
        at = self.clock()
        opens = parse_moment(start, end_of_day=False) if start else at
        closes = parse_moment(until, end_of_day=True)
        if closes <= opens:
            raise ConsultationError(f"截止时间 {beijing(closes, True)} 须晚于开始时间 {beijing(opens)}")
        if closes <= at:
            raise ConsultationError(f"截止时间 {beijing(closes, True)} 已经过去")
        for other in self.windows(plan):
            if other.opens_at < closes and opens < other.closes_at:
                raise ConsultationError(
                    f"与已有的征求意见（{other.opens_text} 至 {other.closes_text}）时间重叠"
                )
        with self.store.writing() as session:
            count = session.scalar(select(func.count()).where(ConsultationRow.plan_id == plan.id)) or 0
            row = ConsultationRow(
                key=f"{plan.id}/{count + 1}-{secrets.token_hex(3)}", plan_id=plan.id, title=plan.title,
                opens_at=opens, closes_at=closes, planned_closes_at=closes,
                notice=clean_text(notice, 4000), channels=clean_text(channels, 400),
                contacts=[[clean_text(a, 40), clean_text(b, 200)] for a, b in contacts or []],
                source="admin", created_by=actor.name, updated_by=actor.name,
            )  # fmt: skip
            session.add(row)
            session.flush()
            audit.record(
                session, actor, "consultation_opened", plan=plan.id,
                summary=f"开启征求意见：{beijing(opens)} 至 {beijing(closes, True)}（北京时间）",
                after={"id": row.id, "opens": beijing(opens), "closes": beijing(closes, True)}, client=client,
            )  # fmt: skip
            return Window.of(row)

    def extend(
        self, actor: User, plan: Plan, until: str | dt.date | dt.datetime, window_id: int | None = None,
        client: str = "",
    ) -> Window:  # fmt: skip
        """Move the deadline of a window (管理员); a closed window can be reopened this way."""
        require(actor, Action.MANAGE_CONSULTATIONS, plan.id)
        window = self.window(plan, window_id)
        closes = parse_moment(until, end_of_day=True)
        if closes <= max(window.opens_at, self.clock()):
            raise ConsultationError(f"新的截止时间 {beijing(closes, True)} 须晚于现在和开始时间")
        for other in self.windows(plan):
            if other.id != window.id and other.opens_at < closes and window.opens_at < other.closes_at:
                raise ConsultationError(
                    f"与已有的征求意见（{other.opens_text} 至 {other.closes_text}）时间重叠"
                )
        return self._update(actor, plan, window, closes, closes, "consultation_changed", client)

    def close(self, actor: User, plan: Plan, window_id: int | None = None, client: str = "") -> Window:
        """End an open window now (管理员); the planned deadline is kept to show it closed early."""
        require(actor, Action.MANAGE_CONSULTATIONS, plan.id)
        window = self.window(plan, window_id)
        at = self.clock()
        if not window.is_open(at):
            raise ConsultationError(f"这次征求意见现在没有在进行（{window.status_text(at)}）")
        return self._update(actor, plan, window, at, window.planned_closes_at, "consultation_closed", client)

    def _update(self, actor, plan, window, closes, planned, kind, client) -> Window:
        with self.store.writing() as session:
            row = session.get(ConsultationRow, window.id)
            before = {"closes": beijing(row.closes_at, True)}
            row.closes_at, row.planned_closes_at = closes, planned
            row.updated_at, row.updated_by = now(), actor.name
            what = "提前结束征求意见" if kind == "consultation_closed" else "征求意见截止时间改为"
            audit.record(
                session, actor, kind, plan=plan.id, summary=f"{what} {beijing(closes, True)}（北京时间）",
                before=before, after={"closes": beijing(closes, True)}, client=client,
            )  # fmt: skip
            return Window.of(row)

    def release_answers(
        self, actor: User, plan: Plan, window_id: int | None = None, client: str = ""
    ) -> Window:
        """Make the answers of a window's published comments public (管理员 or 审核员)."""
        require(actor, Action.MODERATE, plan.id)
        window = self.window(plan, window_id)
        with self.store.writing() as session:
            row = session.get(ConsultationRow, window.id)
            if row.answers_released_at is None:
                row.answers_released_at = now()
                audit.record(session, actor, "answers_released", plan=plan.id,
                             summary=f"公布征求意见（{window.closes_text} 截止）的答复", client=client)  # fmt: skip
            return Window.of(row)

    # --- receiving comments --------------------------------------------------------------------
    def submit(
        self,
        plan: Plan,
        text: str,
        target: Target = Target(),
        *,
        topic: str = "",
        name: str = "",
        contact: str = "",
        honeypot: str = "",
        client: str = "",
    ) -> Comment:
        """A comment from the public form, received now. Refused (ConsultationError, nothing
        written) outside the window, over the rate limit, with a filled honeypot, empty or too long
        text, a contact that is neither a phone number nor an e-mail address, or the same text
        from the same client again."""
        if str(honeypot or "").strip():
            raise ConsultationError("提交未被接受，请刷新页面后重新填写。")
        at = self.clock()
        window = self._window_at(plan, at)
        digest = client_hash(client)
        if digest:
            self._check_rate(digest, at)
        return self._add(
            ANONYMOUS, plan, window, text, target, topic, name, contact, "网页", at, digest, client
        )

    def enter(
        self,
        actor: User,
        plan: Plan,
        text: str,
        target: Target = Target(),
        *,
        channel: str,
        received: str | dt.date | dt.datetime,
        topic: str = "",
        name: str = "",
        contact: str = "",
        client: str = "",
    ) -> Comment:
        """A comment received by letter, fax, e-mail or in person, typed in by staff (审核员 or
        管理员); ``received`` (北京时间; a date alone is that day's start) is checked against the window."""
        require(actor, Action.MODERATE, plan.id)
        if channel not in STAFF_CHANNELS:
            raise ConsultationError(f"渠道须为{'、'.join(STAFF_CHANNELS)}之一，现为“{channel}”")
        at = parse_moment(received, end_of_day=False)
        if at > self.clock():
            raise ConsultationError(f"收到时间 {audit.to_beijing(at)} 晚于现在")
        window = self._window_at(plan, at)
        return self._add(actor, plan, window, text, target, topic, name, contact, channel, at, "", client)

    def _window_at(self, plan: Plan, at: dt.datetime) -> Window:
        windows = self.windows(plan)
        found = next((w for w in windows if w.is_open(at)), None)
        if found is not None:
            return found
        if not windows:
            raise ConsultationClosed(f"《{plan.title}》没有征求意见安排，不接受意见。")
        before = [w for w in windows if w.closes_at <= at]
        if before:
            last = before[-1]
            early = "（提前结束）" if last.closed_early else ""
            raise ConsultationClosed(
                f"征求意见已于 {last.closes_text}（北京时间）截止{early}，不再接受意见。"
            )
        first = windows[0]
        raise ConsultationClosed(f"征求意见将于 {first.opens_text}（北京时间）开始，现在还不能提交意见。")

    def _check_rate(self, digest: str, at: dt.datetime) -> None:
        with self.store.session() as session:

            def since(delta):
                return session.scalar(
                    select(func.count()).where(CommentRow.client_hash == digest, CommentRow.created_at >= at - delta)
                ) or 0  # fmt: skip

            if since(RATE_WINDOW) >= RATE_MAX:
                minutes = int(RATE_WINDOW.total_seconds() // 60)
                raise RateLimited(f"提交过于频繁：{minutes} 分钟内最多 {RATE_MAX} 条，请稍后再提交。")
            if since(dt.timedelta(days=1)) >= DAY_MAX:
                raise RateLimited(f"同一来源一天内最多提交 {DAY_MAX} 条意见，请明天再提交。")

    def _target(self, plan: Plan, target: Target) -> tuple[str, str, float | None, float | None]:
        """(kind, id, lon, lat) checked against the plan, and the label kept with the comment."""
        kind, ident = target.kind, str(target.id or "").strip()
        if kind == "plan":
            return "", "", None, None
        if kind == "point":
            try:
                lon, lat = float(target.lon), float(target.lat)
            except (TypeError, ValueError):
                raise ConsultationError("地图位置须给出经度和纬度") from None
            if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
                raise ConsultationError(f"位置（经度 {lon}，纬度 {lat}）不在我国范围内，请在地图上重新选取")
            return f"{lon:.5f}, {lat:.5f}", "", round(lon, 6), round(lat, 6)
        frames = {"measure": plan.measures, "zone": plan.zones, "parcel": plan.parcels}
        if kind not in frames:
            raise ConsultationError(f"未知的意见对象：{kind}")
        frame = frames[kind]
        hit = (
            frame[frame["id"].astype(str).str.strip() == ident]
            if len(frame) and "id" in frame
            else frame.iloc[0:0]
        )
        if hit.empty:
            raise ConsultationError(f"本规划没有编号为“{ident}”的{TARGET_LABELS[kind]}")
        label = target_label(kind, hit.iloc[0])
        return label, ident, None, None

    def _add(
        self, actor, plan, window, text, target, topic, name, contact, channel, at, digest, client
    ) -> Comment:
        body = clean_text(text, TEXT_MAX)
        if len(body) < TEXT_MIN:
            raise ConsultationError(f"意见内容太短：请至少写 {TEXT_MIN} 个字")
        if len(body) > TEXT_MAX:
            raise ConsultationError(f"意见内容超过 {TEXT_MAX} 字，请精简后再提交")
        topic, name = clean_text(topic, TOPIC_MAX), clean_text(name, NAME_MAX)
        if len(topic) > TOPIC_MAX or len(name) > NAME_MAX:
            raise ConsultationError(f"主题不超过 {TOPIC_MAX} 字，姓名不超过 {NAME_MAX} 字")
        contact = unicodedata.normalize("NFKC", clean_text(contact, CONTACT_MAX)).replace(" ", "")
        if contact and not _CONTACT.match(contact):
            raise ConsultationError("联系方式请填写手机号码、固定电话或电子邮件地址（也可不填）")
        label, ident, lon, lat = self._target(plan, target)
        masked, _findings = mask_personal(body)
        digest_text = content_hash(body)
        with self.store.writing() as session:
            if digest:
                same = session.scalar(
                    select(CommentRow.number).where(
                        CommentRow.consultation_id == window.id, CommentRow.client_hash == digest,
                        CommentRow.content_hash == digest_text,
                    )
                )  # fmt: skip
                if same is not None:
                    raise ConsultationError(f"您已提交过相同内容的意见（第 {same} 条），无需重复提交。")
            number = (session.scalar(
                select(func.max(CommentRow.number)).where(CommentRow.consultation_id == window.id)
            ) or 0) + 1  # fmt: skip
            row = CommentRow(
                consultation_id=window.id, plan_id=plan.id, number=number, ref=_new_ref(),
                target_kind=target.kind, target_id=ident, target_label=label, lon=lon, lat=lat,
                topic=topic, text_original=body, text_masked=masked, text_published="",
                content_hash=digest_text, author_name=name, author_contact=contact, channel=channel,
                received_at=at.replace(microsecond=0), client_hash=digest,
                entered_by="" if actor.is_anonymous else actor.name, state="new",
                reject_reason="", moderated_by="", answer_status="", answer_reason="", answered_by="",
                created_at=now(),
            )  # fmt: skip
            session.add(row)
            session.flush()
            kind = "comment_received" if actor.is_anonymous else "comment_entered"
            what = TARGET_LABELS.get(target.kind, target.kind)
            audit.record(
                session, actor, kind, plan=plan.id, records=[row.ref],
                summary=f"第 {number} 条意见（{channel}，{what}），收到于 {audit.to_beijing(row.received_at)}",
                client=client if not actor.is_anonymous else "",
            )  # fmt: skip
            return Comment.of(row)

    # --- reading -----------------------------------------------------------------------------
    def comments(
        self, actor: User, plan: Plan, window_id: int | None = None, state: str | None = None
    ) -> list[Comment]:
        """Every comment of a window as a moderator sees it (审核员 or 管理员), in number order,
        each with the numbers of other comments of the same text (possible duplicates)."""
        require(actor, Action.MODERATE, plan.id)
        window = self.window(plan, window_id)
        if state is not None and state not in STATE_LABELS:
            raise ConsultationError(f"未知的状态“{state}”；可用：{'、'.join(STATE_LABELS)}")
        with self.store.session() as session:
            rows = session.scalars(
                select(CommentRow).where(CommentRow.consultation_id == window.id).order_by(CommentRow.number)
            ).all()  # fmt: skip
        by_hash: dict[str, list[int]] = {}
        for r in rows:
            by_hash.setdefault(r.content_hash, []).append(r.number)
        found = [Comment.of(r, tuple(n for n in by_hash[r.content_hash] if n != r.number)) for r in rows]
        return [c for c in found if state is None or c.state == state]

    def published(self, plan: Plan, window_id: int | None = None) -> list[PublicComment]:
        """The published comments of a window, for anyone; answers only once released."""
        try:
            window = self.window(plan, window_id)
        except ConsultationError:
            return []
        with self.store.session() as session:
            rows = session.scalars(
                select(CommentRow)
                .where(CommentRow.consultation_id == window.id, CommentRow.state == "published")
                .order_by(CommentRow.number)
            ).all()
        released = window.answers_released
        return [
            PublicComment(
                r.number,
                audit.to_beijing(r.received_at)[:10],
                Comment.of(r).target_text,
                r.topic or "",
                r.text_published,
                r.answer_status if released else "",
                r.answer_reason if released else "",
            )
            for r in rows
        ]

    def lookup(self, ref: str) -> Lookup | None:
        """The author's view of their comment by reference (None for an unknown reference)."""
        key = unicodedata.normalize("NFKC", str(ref or "")).strip().upper()
        if not re.fullmatch(r"YJ-[0-9A-Z]{4}-[0-9A-Z]{4}", key):
            return None
        with self.store.session() as session:
            row = session.scalar(select(CommentRow).where(CommentRow.ref == key))
            if row is None:
                return None
            window = Window.of(session.get(ConsultationRow, row.consultation_id))
            merged = session.get(CommentRow, row.merged_into) if row.merged_into is not None else None
        comment = Comment.of(row)
        reason = ""
        if row.state == "rejected":
            reason = row.reject_reason
        elif merged is not None:
            reason = f"与内容相同的第 {merged.number} 条意见合并处理"
        released = window.answers_released
        answered = merged if merged is not None else row  # a merged comment is answered with the other
        return Lookup(
            row.ref, row.number, row.state, STATE_LABELS[row.state], comment.received_text, comment.target_text,
            row.text_published or row.text_masked, reason,
            answered.answer_status if released else "", answered.answer_reason if released else "",
        )  # fmt: skip

    # --- moderation --------------------------------------------------------------------------
    def _moderate(self, actor: User, plan: Plan, ref: str, kind: str, change, summary) -> Comment:
        require(actor, Action.MODERATE, plan.id)
        with self.store.writing() as session:
            row = session.scalar(select(CommentRow).where(CommentRow.ref == str(ref).strip().upper(),
                                                         CommentRow.plan_id == plan.id))  # fmt: skip
            if row is None:
                raise ConsultationError(f"本规划没有编号为“{ref}”的意见")
            before = {"state": row.state, "answer_status": row.answer_status}
            change(session, row)
            row.moderated_at, row.moderated_by = now(), actor.name
            audit.record(
                session, actor, kind, plan=plan.id, records=[row.ref], summary=f"第 {row.number} 条：{summary(row)}",
                before=before, after={"state": row.state, "answer_status": row.answer_status},
            )  # fmt: skip
            return Comment.of(row)

    def publish(self, actor: User, plan: Plan, ref: str) -> Comment:
        """Publish a comment as masked (审核员)."""

        def change(_session, row):
            if row.state == "merged":
                raise ConsultationError(f"第 {row.number} 条已合并到另一条意见，不能单独公开")
            row.state, row.text_published, row.reject_reason = "published", row.text_masked, ""

        return self._moderate(actor, plan, ref, "comment_published", change, lambda r: "公开")

    def reject(self, actor: User, plan: Plan, ref: str, reason: str) -> Comment:
        """Do not publish a comment, with a reason the author sees by reference (审核员)."""
        why = clean_text(reason, REASON_MAX)
        if not why:
            raise ConsultationError("不予公开须写明理由")

        def change(_session, row):
            row.state, row.text_published, row.reject_reason = "rejected", "", why

        return self._moderate(actor, plan, ref, "comment_rejected", change, lambda r: f"不予公开（{why}）")

    def mask(self, actor: User, plan: Plan, ref: str, text: str) -> Comment:
        """Replace the masked text by ``text``, which may differ from it only by further masking
        (＊); the original stays, visible to moderators (审核员)."""
        new = str(text or "").replace("\r\n", "\n").strip()

        def change(_session, row):
            if not is_masking_of(row.text_masked, new):
                raise ConsultationError("只能用“＊”遮盖个人信息，不能改写意见的其他内容")
            row.text_masked = new
            if row.state == "published":
                row.text_published = new

        return self._moderate(actor, plan, ref, "comment_masked", change, lambda r: "隐去个人信息")

    def merge(self, actor: User, plan: Plan, ref: str, into_ref: str) -> Comment:
        """Merge a duplicate into another comment of the same window (审核员): it is answered with
        that one and marked, never deleted."""

        def change(session, row):
            target = session.scalar(select(CommentRow).where(CommentRow.ref == str(into_ref).strip().upper()))
            if target is None or target.consultation_id != row.consultation_id or target.id == row.id:
                raise ConsultationError(f"不能合并到“{into_ref}”：须为同一次征求意见中的另一条意见")
            if target.state == "merged":
                raise ConsultationError(f"第 {target.number} 条本身已合并到其他意见，请合并到那一条")
            row.state, row.merged_into, row.text_published = "merged", target.id, ""

        return self._moderate(actor, plan, ref, "comment_merged", change, lambda r: "合并到另一条意见")

    def answer(self, actor: User, plan: Plan, ref: str, status: str, reason: str) -> Comment:
        """The bureau's answer to a comment: a status of :data:`ANSWER_STATUSES` and a reason (审核员)."""
        if status not in ANSWER_STATUSES:
            raise ConsultationError(f"答复须为{'、'.join(ANSWER_STATUSES)}之一，现为“{status}”")
        why = clean_text(reason, REASON_MAX)
        if not why:
            raise ConsultationError("答复须写明理由")

        def change(_session, row):
            row.answer_status, row.answer_reason, row.answered_at = status, why, now()
            row.answered_by = actor.name

        return self._moderate(actor, plan, ref, "comment_answered", change, lambda r: f"答复：{status}")


def findings_text(text: str) -> str:
    """What masking would hide in ``text`` (for a moderator): 已隐去手机号码 1 处 …"""
    return describe(mask_personal(text)[1])
