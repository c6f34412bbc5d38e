"""Who may do what: roles, grants, the user object every layer sees, and the one check.

A signed-in user holds grants: a role for one plan or for all plans (``plan=None``), a 区县填报员
also a set of 区县. Whatever signed the user in (a local account, the bureau's identity provider,
a header from its reverse proxy), pages and domain functions see one :class:`User`. Anonymous
visitors are :data:`ANONYMOUS`; command-line work on the server is :func:`system_user`; the
server loading its sample data is :data:`SYSTEM`.

Pages check with :meth:`User.can` to decide what to draw; every write function in the domain
package calls :func:`require`, so a crafted link or a direct call cannot get around a page.

>>> analyst = User("li", "李工", (Grant(Role.ANALYST, "huzhou-2023"),))
>>> analyst.can(Action.IMPORT, "huzhou-2023"), analyst.can(Action.IMPORT, "wuwei-2024")
(True, False)
>>> reporter = User("wang", "王", (Grant(Role.REPORTER, "huzhou-2023", ("德清县",)),))
>>> reporter.private_scope("huzhou-2023").covers("德清县"), reporter.private_scope("huzhou-2023").covers("长兴县")
(True, False)
>>> require(ANONYMOUS, Action.IMPORT, "huzhou-2023")
Traceback (most recent call last):
...
panhuo.access.PermissionDenied: 请先登录：导入数据需要分析人员或管理员角色。
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    REPORTER = "reporter"
    ANALYST = "analyst"
    MODERATOR = "moderator"
    ADMIN = "admin"


ROLE_LABELS: dict[Role, str] = {
    Role.REPORTER: "区县填报员",
    Role.ANALYST: "分析人员",
    Role.MODERATOR: "审核员",
    Role.ADMIN: "管理员",
}


def parse_role(code: str) -> Role:
    """A role from its code or its Chinese name; ValueError (in Chinese) otherwise.

    >>> parse_role("analyst"), parse_role("区县填报员")
    (<Role.ANALYST: 'analyst'>, <Role.REPORTER: 'reporter'>)
    """
    text = str(code).strip()
    for role, label in ROLE_LABELS.items():
        if text in (role.value, label):
            return role
    codes = "、".join(f"{r.value}（{label}）" for r, label in ROLE_LABELS.items())
    raise ValueError(f"未知的角色“{text}”；可用：{codes}")


class Action(StrEnum):
    VIEW_PRIVATE = "view_private"  # right-holders and other private fields (区县-scoped for reporters)
    DOWNLOAD_PRIVATE = "download_private"
    IMPORT = "import"  # import into an existing plan
    CREATE_PLAN = "create_plan"  # an import that creates a plan: needs a grant for all plans
    RESTORE = "restore"
    REPORT = "report"  # 进展填报 (区县-scoped)
    REVIEW = "review"  # review of progress reports
    MANAGE_PROGRESS = "manage_progress"  # reporting cadence, stages, targets by 区县
    MODERATE = "moderate"  # consultation comments
    MANAGE_CONSULTATIONS = "manage_consultations"
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"  # needs a grant for all plans


ACTION_LABELS: dict[Action, str] = {
    Action.VIEW_PRIVATE: "查看权利人等不公开信息",
    Action.DOWNLOAD_PRIVATE: "下载含不公开信息的明细",
    Action.IMPORT: "导入数据",
    Action.CREATE_PLAN: "导入新规划",
    Action.RESTORE: "恢复历史版本",
    Action.REPORT: "填报进展",
    Action.REVIEW: "审核进展填报",
    Action.MANAGE_PROGRESS: "设置进展填报",
    Action.MODERATE: "审核公众意见",
    Action.MANAGE_CONSULTATIONS: "管理征求意见",
    Action.READ_AUDIT: "查看操作日志",
    Action.MANAGE_USERS: "管理用户与角色",
}

# what each role may do; the administrator may do everything
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.REPORTER: frozenset({Action.VIEW_PRIVATE, Action.DOWNLOAD_PRIVATE, Action.REPORT}),
    Role.ANALYST: frozenset(
        {
            Action.VIEW_PRIVATE,
            Action.DOWNLOAD_PRIVATE,
            Action.IMPORT,
            Action.CREATE_PLAN,
            Action.RESTORE,
            Action.REVIEW,
        }
    ),
    Role.MODERATOR: frozenset({Action.MODERATE}),
    Role.ADMIN: frozenset(Action),
}
# actions a reporter holds only for the 区县 of the grant
COUNTY_SCOPED = frozenset({Action.VIEW_PRIVATE, Action.DOWNLOAD_PRIVATE, Action.REPORT})
# actions that only a grant for all plans gives (there is no plan to scope them to)
GLOBAL_ONLY = frozenset({Action.CREATE_PLAN, Action.MANAGE_USERS})


def _roles_for(action: Action) -> str:
    return "或".join(ROLE_LABELS[r] for r in Role if action in ROLE_ACTIONS[r])


class PermissionDenied(PermissionError):
    """A user without the role for an action; the message is for the screen (Chinese)."""

    def __init__(self, action: Action, user: User, plan: str | None = None, county: str | None = None):
        self.action, self.user, self.plan, self.county = action, user, plan, county
        what = ACTION_LABELS[action]
        if user.is_anonymous:
            message = f"请先登录：{what}需要{_roles_for(action)}角色。"
        else:
            where = f"（规划 {plan}" + (f"，{county}" if county else "") + "）" if plan else ""
            message = (
                f"{user.display_name or user.name} 没有{what}的权限{where}：需要{_roles_for(action)}角色。"
            )
        super().__init__(message)


@dataclass(frozen=True)
class Grant:
    """One role, for one plan (or all plans: ``plan=None``); a reporter's also for some 区县."""

    role: Role
    plan: str | None = None
    counties: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(
            self, "counties", tuple(dict.fromkeys(str(c).strip() for c in self.counties if str(c).strip()))
        )
        if self.role is Role.REPORTER and not self.counties:
            raise ValueError("区县填报员角色需要指定至少一个区县")

    def applies_to(self, plan: str | None) -> bool:
        return self.plan is None or (plan is not None and self.plan == plan)

    @property
    def label(self) -> str:
        """区县填报员（huzhou-2023：德清县、长兴县）, 分析人员（全部规划）."""
        where = self.plan or "全部规划"
        if self.counties:
            where += "：" + "、".join(self.counties)
        return f"{ROLE_LABELS[self.role]}（{where}）"


@dataclass(frozen=True)
class CountyScope:
    """The 区县 of a plan whose private fields a user may see: all, or the named ones (maybe none)."""

    everything: bool = False
    counties: frozenset[str] = frozenset()

    def covers(self, county: object) -> bool:
        return self.everything or str(county).strip() in self.counties

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.counties


@dataclass(frozen=True)
class User:
    """The person acting: ``name`` is the account name (unique), ``kind`` how they signed in."""

    name: str
    display_name: str = ""
    grants: tuple[Grant, ...] = ()
    kind: str = "local"  # local | oidc | header | system | anonymous
    must_change_password: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def is_anonymous(self) -> bool:
        return self.kind == "anonymous"

    @property
    def label(self) -> str:
        """How the user is named on screen and in the audit log: 李工（li）."""
        if self.is_anonymous:
            return "访客"
        if self.display_name and self.display_name != self.name:
            return f"{self.display_name}（{self.name}）"
        return self.name

    def roles(self, plan: str | None = None) -> set[Role]:
        return {g.role for g in self.grants if plan is None or g.applies_to(plan)}

    def can(self, action: Action, plan: str | None = None, county: str | None = None) -> bool:
        """Whether the user may do ``action`` on ``plan`` (and, for 区县-scoped actions, ``county``).

        For a 区县-scoped action without a ``county``, whether the user may do it for some 区县.
        """
        action = Action(action)
        for grant in self.grants:
            if action not in ROLE_ACTIONS[grant.role]:
                continue
            if action in GLOBAL_ONLY or plan is None:
                if grant.plan is not None:
                    continue
            elif not grant.applies_to(plan):
                continue
            scoped = grant.role is Role.REPORTER and action in COUNTY_SCOPED and county is not None
            if scoped and str(county).strip() not in grant.counties:
                continue
            return True
        return False

    def private_scope(self, plan: str) -> CountyScope:
        """The 区县 of ``plan`` whose private fields this user may see."""
        counties: set[str] = set()
        for grant in self.grants:
            if Action.VIEW_PRIVATE not in ROLE_ACTIONS[grant.role] or not grant.applies_to(plan):
                continue
            if grant.role is not Role.REPORTER:
                return CountyScope(everything=True)
            counties |= set(grant.counties)
        return CountyScope(counties=frozenset(counties))

    def county_scope(self, action: Action, plan: str) -> CountyScope:
        """The 区县 of ``plan`` for which the user may do a 区县-scoped ``action`` (e.g. report)."""
        counties: set[str] = set()
        for grant in self.grants:
            if action not in ROLE_ACTIONS[grant.role] or not grant.applies_to(plan):
                continue
            if grant.role is not Role.REPORTER:
                return CountyScope(everything=True)
            counties |= set(grant.counties)
        return CountyScope(counties=frozenset(counties))

    def plans_with(self, action: Action) -> set[str] | None:
        """The plans on which the user may do ``action``: None for all plans. An action that
        only a grant for all plans gives (:data:`GLOBAL_ONLY`) is on no plan without one.

        >>> User("zhao", grants=(Grant(Role.ADMIN, "huzhou-2023"),)).plans_with(Action.MANAGE_USERS)
        set()
        """
        plans: set[str] = set()
        for grant in self.grants:
            if action in ROLE_ACTIONS[grant.role]:
                if grant.plan is None:
                    return None
                if action not in GLOBAL_ONLY:
                    plans.add(grant.plan)
        return plans


ANONYMOUS = User(name="", display_name="访客", kind="anonymous")
# the server itself, loading the sample data it ships (at first start): the actor of those audit
# rows and versions. It holds no grant, so it can never pass a role check.
SYSTEM = User(name="system", display_name="系统", kind="system")


def system_user(name: str | None = None) -> User:
    """Whoever runs ``python -m panhuo`` on the server: shell access to the server is database
    access, so the command line acts as an administrator, recorded under the system account name.
    """
    try:
        account = name or getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        account = "unknown"
    return User(
        name=f"cli:{account}",
        display_name=f"命令行（{account}）",
        grants=(Grant(Role.ADMIN),),
        kind="system",
    )


def require(user: User, action: Action, plan: str | None = None, county: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``user`` may do ``action`` (every write calls this)."""
    if not user.can(action, plan, county):
        raise PermissionDenied(Action(action), user, plan, county)


def grants_from(items: Iterable[dict]) -> tuple[Grant, ...]:
    """Grants from stored dicts ``{"role", "plan", "counties"}``."""
    return tuple(Grant(Role(i["role"]), i.get("plan") or None, tuple(i.get("counties") or ())) for i in items)
