"""Local accounts: users and their roles, passwords, sign-in with lockout, sessions.

- Passwords are hashed with argon2id (``argon2-cffi``'s defaults, re-hashed when those change);
  the database holds the hash only. :func:`password_problems` holds the password rules.
- Sign-in failures lock the account and the client with a delay that doubles with each further
  failure (:data:`LOCKOUT`); while locked, the password is not even checked. An unknown name fails
  exactly like a wrong password, with the same work, so the form does not tell which names exist.
- A session is a random token in the browser's cookie; the database keeps its sha256 with an
  absolute expiry (``session_hours``) and an idle expiry (``session_idle_minutes``).
- Every change and every sign-in event is written to the audit log in the same transaction.
  Every function that changes an account takes the acting :class:`~panhuo.access.User` and
  refuses (``PermissionDenied``) one without the 管理员 role for all plans.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from panhuo import audit
from panhuo.access import Action, Grant, Role, User, require
from panhuo.settings import Settings
from panhuo.store.api import Store
from panhuo.store.schema import GrantRow, SessionRow, ThrottleRow, UserRow, now

HASHER = PasswordHasher()
# verified against when the name is unknown, so that both cases take the same time
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MIN_PASSWORD = 10
MAX_PASSWORD = 128


@dataclass(frozen=True)
class Lockout:
    """Failures allowed before a lock, the first lock, and the longest one (seconds)."""

    free_failures: int
    first_seconds: int
    max_seconds: int

    def seconds(self, failures: int) -> int:
        """How long ``failures`` consecutive failures lock: 0, then doubling up to the cap.

        >>> [LOCKOUT["account"].seconds(n) for n in (4, 5, 6, 7, 20)]
        [0, 30, 60, 120, 3600]
        """
        if failures < self.free_failures:
            return 0
        return min(self.max_seconds, self.first_seconds * 2 ** (failures - self.free_failures))


# per account: five tries; per client (an office behind one address has many people): twenty
LOCKOUT = {"account": Lockout(5, 30, 3600), "client": Lockout(20, 30, 3600)}


class AccountError(ValueError):
    """A refused account operation; the message is for the screen (Chinese)."""


def normalise_name(name: str) -> str:
    return str(name).strip().lower()


def check_name(name: str) -> str:
    """The account name, normalised; AccountError when it cannot be one."""
    text = normalise_name(name)
    if not NAME_PATTERN.fullmatch(text):
        raise AccountError("用户名须为 2–64 个字符：小写字母、数字、点、下划线或连字符，以字母或数字开头")
    return text


def password_problems(password: str, name: str = "") -> list[str]:
    """What is wrong with ``password`` under the rules (empty: acceptable).

    >>> password_problems("Panhuo-2026!x", "li")
    []
    >>> password_problems("abc", "li")[0]
    '至少 10 个字符'
    """
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        problems.append(f"不超过 {MAX_PASSWORD} 个字符")
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        problems.append("包含小写字母、大写字母、数字、符号中的至少三类")
    if name and len(name) >= 2 and normalise_name(name) in password.lower():
        problems.append("不能包含用户名")
    if password and len(set(password)) < 4:
        problems.append("不能由极少几个字符重复组成")
    return problems


def check_password(password: str, name: str = "") -> None:
    problems = password_problems(password, name)
    if problems:
        raise AccountError("密码不符合要求：" + "；".join(problems))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Account:
    """One account as listed (never with its hash)."""

    name: str
    display_name: str
    is_active: bool
    must_change_password: bool
    grants: tuple[Grant, ...]
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    has_password: bool

    def user(self, kind: str = "local") -> User:
        return User(
            name=self.name,
            display_name=self.display_name,
            grants=self.grants if self.is_active else (),
            kind=kind,
            must_change_password=self.must_change_password,
        )

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "display_name": self.display_name,
            "active": self.is_active,
            "must_change_password": self.must_change_password,
            "roles": [
                {"role": g.role.value, "plan": g.plan, "counties": list(g.counties)} for g in self.grants
            ],
            "created_at": audit.to_beijing(self.created_at),
            "last_login_at": audit.to_beijing(self.last_login_at),
        }


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a user and a token, or a message (and how long a lock lasts)."""

    user: User | None
    token: str | None
    message: str = ""
    locked_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.user is not None


def _grant_of(row: GrantRow) -> Grant:
    return Grant(Role(row.role), row.plan_id, tuple(row.counties or ()))


def _grant_dict(grant: Grant) -> dict:
    return {"role": grant.role.value, "plan": grant.plan, "counties": list(grant.counties)}


class Accounts:
    """Accounts in one store (its database and write lock)."""

    def __init__(self, store: Store, settings: Settings | None = None) -> None:
        self.store = store
        self.settings = settings or store.settings  # session lifetimes

    # --- reading ---------------------------------------------------------------------------

    def _grants(self, session: Session, user_id: int) -> tuple[Grant, ...]:
        rows = session.scalars(select(GrantRow).where(GrantRow.user_id == user_id).order_by(GrantRow.id))
        return tuple(_grant_of(r) for r in rows)

    def _account(self, session: Session, row: UserRow) -> Account:
        return Account(
            name=row.name,
            display_name=row.display_name,
            is_active=row.is_active,
            must_change_password=row.must_change_password,
            grants=self._grants(session, row.id),
            created_at=row.created_at,
            last_login_at=row.last_login_at,
            has_password=bool(row.password_hash),
        )

    def _row(self, session: Session, name: str) -> UserRow:
        row = session.scalar(select(UserRow).where(UserRow.name == normalise_name(name)))
        if row is None:
            raise AccountError(f"没有用户“{normalise_name(name)}”")
        return row

    def list(self) -> list[Account]:
        with self.store.session() as session:
            return [
                self._account(session, r) for r in session.scalars(select(UserRow).order_by(UserRow.name))
            ]

    def get(self, name: str) -> Account | None:
        with self.store.session() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == normalise_name(name)))
            return self._account(session, row) if row is not None else None

    def count(self) -> int:
        with self.store.session() as session:
            return len(session.scalars(select(UserRow.id)).all())

    # --- administration --------------------------------------------------------------------

    def add(
        self,
        actor: User,
        name: str,
        password: str,
        grants: Iterable[Grant] = (),
        *,
        display_name: str = "",
        must_change_password: bool = True,
        client: str = "",
    ) -> Account:
        """A new account with an initial password (changed at first sign-in unless told)."""
        require(actor, Action.MANAGE_USERS)
        name = check_name(name)
        check_password(password, name)
        display = str(display_name).strip()[:100]
        grants = tuple(grants)
        with self.store.writing() as session:
            if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
                raise AccountError(f"用户“{name}”已存在")
            row = UserRow(
                name=name,
                display_name=display,
                password_hash=HASHER.hash(password),
                is_active=True,
                must_change_password=must_change_password,
                password_changed_at=now(),
            )
            session.add(row)
            session.flush()
            for grant in grants:
                session.add(
                    GrantRow(
                        user_id=row.id,
                        role=grant.role.value,
                        plan_id=grant.plan,
                        counties=list(grant.counties),
                    )
                )
            audit.record(
                session,
                actor,
                "user_added",
                plan=plans.pop() if len(plans := {g.plan for g in grants}) == 1 else None,
                summary=f"新增用户 {name}" + (f"（{display}）" if display else ""),
                records=[name],
                after={"name": name, "display_name": display, "roles": [g.label for g in grants]},
                client=client,
            )
            session.flush()
            return self._account(session, row)

    def grant(self, actor: User, name: str, grant: Grant, *, client: str = "") -> Account:
        require(actor, Action.MANAGE_USERS)
        with self.store.writing() as session:
            row = self._row(session, name)
            before = self._grants(session, row.id)
            if grant in before:
                raise AccountError(f"{row.name} 已有角色 {grant.label}")
            session.add(
                GrantRow(
                    user_id=row.id, role=grant.role.value, plan_id=grant.plan, counties=list(grant.counties)
                )
            )
            session.flush()
            after = self._grants(session, row.id)
            audit.record(
                session,
                actor,
                "role_granted",
                plan=grant.plan,
                summary=f"授予 {row.name} {grant.label}",
                records=[row.name],
                before={"roles": [g.label for g in before]},
                after={"roles": [g.label for g in after]},
                client=client,
            )
            return self._account(session, row)

    def revoke(self, actor: User, name: str, grant: Grant, *, client: str = "") -> Account:
        require(actor, Action.MANAGE_USERS)
        with self.store.writing() as session:
            row = self._row(session, name)
            before = self._grants(session, row.id)
            matches = [
                g
                for g in session.scalars(select(GrantRow).where(GrantRow.user_id == row.id))
                if _grant_of(g) == grant
            ]
            if not matches:
                raise AccountError(f"{row.name} 没有角色 {grant.label}")
            for match in matches:
                session.delete(match)
            session.flush()
            after = self._grants(session, row.id)
            audit.record(
                session,
                actor,
                "role_revoked",
                plan=grant.plan,
                summary=f"收回 {row.name} 的 {grant.label}",
                records=[row.name],
                before={"roles": [g.label for g in before]},
                after={"roles": [g.label for g in after]},
                client=client,
            )
            return self._account(session, row)

    def set_active(self, actor: User, name: str, active: bool, *, client: str = "") -> Account:
        """Disable (signing out every session of the account) or re-enable an account."""
        require(actor, Action.MANAGE_USERS)
        with self.store.writing() as session:
            row = self._row(session, name)
            if row.name == actor.name and not active:
                raise AccountError("不能停用自己的账户")
            if row.is_active == active:
                raise AccountError(f"用户 {row.name} 已经是{'启用' if active else '停用'}状态")
            row.is_active, row.updated_at = active, now()
            if not active:
                self._revoke_sessions(session, row.id)
            audit.record(
                session,
                actor,
                "user_enabled" if active else "user_disabled",
                summary=f"{'启用' if active else '停用'}用户 {row.name}",
                records=[row.name],
                before={"状态": "停用" if active else "启用"},
                after={"状态": "启用" if active else "停用"},
                client=client,
            )
            return self._account(session, row)

    def reset_password(
        self, actor: User, name: str, password: str, *, must_change: bool = True, client: str = ""
    ) -> Account:
        """An administrator sets a new (initial) password; the account's sessions end, its lock too."""
        require(actor, Action.MANAGE_USERS)
        with self.store.writing() as session:
            row = self._row(session, name)
            check_password(password, row.name)
            row.password_hash = HASHER.hash(password)
            row.must_change_password = must_change
            row.password_changed_at = row.updated_at = now()
            self._revoke_sessions(session, row.id)
            self._clear_throttle(session, f"account:{row.name}")
            audit.record(
                session,
                actor,
                "password_reset",
                summary=f"重置 {row.name} 的密码",
                records=[row.name],
                client=client,
            )
            return self._account(session, row)

    def change_password(self, user: User, old: str, new: str, *, client: str = "") -> None:
        """A signed-in user changes their own password (the old one is checked)."""
        if user.kind != "local" or user.is_anonymous:
            raise AccountError("此账户的密码不在本系统中管理")
        with self.store.writing() as session:
            row = self._row(session, user.name)
            if not row.is_active or not _verify(row.password_hash, old):
                raise AccountError("原密码不正确")
            if old == new:
                raise AccountError("新密码不能与原密码相同")
            check_password(new, row.name)
            row.password_hash = HASHER.hash(new)
            row.must_change_password = False
            row.password_changed_at = row.updated_at = now()
            audit.record(
                session,
                user,
                "password_changed",
                summary=f"{row.name} 修改了密码",
                records=[row.name],
                client=client,
            )

    # --- sign-in -----------------------------------------------------------------------------

    @staticmethod
    def _throttle(session: Session, key: str) -> ThrottleRow:
        row = session.get(ThrottleRow, key)
        if row is None:
            row = ThrottleRow(key=key[:300], failures=0)
            session.add(row)
        return row

    @staticmethod
    def _clear_throttle(session: Session, key: str) -> None:
        row = session.get(ThrottleRow, key)
        if row is not None:
            row.failures, row.locked_until = 0, None

    @staticmethod
    def _revoke_sessions(session: Session, user_id: int) -> None:
        session.execute(
            update(SessionRow)
            .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
            .values(revoked_at=now())
        )

    def sign_in(self, name: str, password: str, *, client: str = "") -> SignIn:
        """Check a name and password, with lockout; on success a new session token."""
        name = normalise_name(name)[:64]
        client = str(client or "unknown")[:200]
        moment = now()
        with self.store.writing() as session:
            row = session.scalar(select(UserRow).where(UserRow.name == name)) if name else None
            # a name with no account is often a password typed in the wrong box: it is never
            # stored, neither in the log nor as a throttle key (all such names share one)
            shown = name if row is not None else ""
            keys = {"account": f"account:{shown or '?unknown'}", "client": f"client:{client}"}
            throttles = {scope: self._throttle(session, key) for scope, key in keys.items()}
            locked = max(
                (
                    int((t.locked_until - moment).total_seconds())
                    for t in throttles.values()
                    if t.locked_until and t.locked_until > moment
                ),
                default=0,
            )
            who = User(name=shown, display_name=shown, kind="local" if shown else "anonymous")
            name_text = shown or "未开通的用户名"
            if locked > 0:
                audit.record(
                    session,
                    who,
                    "login_locked",
                    summary=f"{name_text} 在锁定期间尝试登录",
                    records=[shown] if shown else [],
                    client=client,
                )
                return SignIn(None, None, locked_message(locked), locked)
            good = _verify(row.password_hash if row is not None else None, password)
            if row is None or not good or not row.is_active:
                seconds = 0
                for scope, throttle in throttles.items():
                    throttle.failures += 1
                    throttle.last_failure_at = moment
                    wait = LOCKOUT[scope].seconds(throttle.failures)
                    if wait:
                        throttle.locked_until = moment + dt.timedelta(seconds=wait)
                        seconds = max(seconds, wait)
                reason = "账户已停用" if row is not None and good else "用户名或密码不正确"
                if seconds:
                    audit.record(
                        session,
                        who,
                        "lockout",
                        summary=f"连续登录失败，{name_text}（来自 {client}）锁定 {seconds} 秒",
                        records=[shown] if shown else [],
                        client=client,
                    )
                audit.record(
                    session,
                    who,
                    "login_failed",
                    summary=f"{name_text} 登录失败：{reason}",
                    records=[shown] if shown else [],
                    client=client,
                )
                if seconds:
                    return SignIn(None, None, "用户名或密码不正确。" + locked_message(seconds), seconds)
                return SignIn(None, None, "用户名或密码不正确，或账户已停用。")
            for throttle in throttles.values():
                throttle.failures, throttle.locked_until = 0, None
            if HASHER.check_needs_rehash(row.password_hash):
                row.password_hash = HASHER.hash(password)
            row.last_login_at = moment
            token = secrets.token_urlsafe(32)
            session.add(
                SessionRow(
                    token_sha256=token_digest(token),
                    user_id=row.id,
                    created_at=moment,
                    last_seen_at=moment,
                    expires_at=moment + dt.timedelta(hours=self.settings.session_hours),
                    client=client,
                )
            )
            user = self._account(session, row).user()
            audit.record(
                session, user, "login", summary=f"{user.label} 登录", records=[row.name], client=client
            )
            return SignIn(user, token)

    def session_user(self, token: str) -> User | None:
        """The user of a live session token (None when unknown, revoked, expired or idle too long,
        or the account is disabled). Refreshes the idle clock at most once a minute."""
        if not token:
            return None
        digest = token_digest(token)
        moment = now()
        idle = dt.timedelta(minutes=self.settings.session_idle_minutes)
        with self.store.session() as session:
            found = session.get(SessionRow, digest)
            if found is None or found.revoked_at is not None or found.expires_at <= moment:
                return None
            if found.last_seen_at + idle <= moment:
                return None
            row = session.get(UserRow, found.user_id)
            if row is None or not row.is_active:
                return None
            user = self._account(session, row).user()
            stale = moment - found.last_seen_at >= dt.timedelta(seconds=60)
        if stale:
            with self.store.writing() as session:
                session.execute(
                    update(SessionRow).where(SessionRow.token_sha256 == digest).values(last_seen_at=moment)
                )
        return user

    def sign_out(self, user: User, token: str, *, client: str = "") -> None:
        """End the session of ``token`` (server-side: the cookie alone no longer signs anyone in)."""
        with self.store.writing() as session:
            found = session.get(SessionRow, token_digest(token)) if token else None
            if found is not None and found.revoked_at is None:
                found.revoked_at = now()
            audit.record(
                session, user, "logout", summary=f"{user.label} 退出登录", records=[user.name], client=client
            )

    def bootstrap_needed(self) -> bool:
        """True while there is no active administrator for all plans (first start)."""
        return not any(a.is_active and a.user().can(Action.MANAGE_USERS) for a in self.list())


def _verify(hashed: str | None, password: str) -> bool:
    try:
        return HASHER.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def locked_message(seconds: int) -> str:
    """登录失败次数过多，请 2 分 5 秒后再试。

    >>> locked_message(125)
    '登录失败次数过多，已暂时锁定，请 2 分 5 秒后再试。'
    """
    minutes, rest = divmod(max(1, int(seconds)), 60)
    wait = (f"{minutes} 分 " if minutes else "") + (f"{rest} 秒" if rest or not minutes else "")
    return f"登录失败次数过多，已暂时锁定，请 {wait.strip()}后再试。"
