"""``python -m panhuo users …`` (accounts and roles) and ``python -m panhuo audit-log`` (操作日志).

Whoever runs these on the server acts as :func:`panhuo.access.system_user` (shell access to the
server is access to its database), and every change lands in the audit log under that name.

- ``users list [--json]``
- ``users add NAME --role ROLE [--plan ID] [--county 区县 …] [--display-name 名] [--password-stdin]``
- ``users grant|revoke NAME --role ROLE [--plan ID] [--county 区县 …]``
- ``users disable|enable NAME``, ``users passwd NAME [--password-stdin]``
- ``audit-log [--plan ID] [--since DATE] [--until DATE] [--user NAME] [--kind KIND …] [--limit N]
  [--json]``: dates are days in 北京时间, ``--until`` included; newest first.

A password is asked twice without echo (``getpass``), or read as the first line of standard
input with ``--password-stdin``; it is never an argument, never printed and never logged.
An added user changes the password at first sign-in — except the initial administrator (an
administrator for all plans added while there is none), who typed it at the server themselves.
A password reset by ``users passwd`` is again an initial password.

Exit status 0 when done, 1 when refused (a name taken, a weak password, the two entries differ),
2 for a wrong command line (an unknown role, plan or 区县); every message is Chinese.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import getpass
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from panhuo.access import ROLE_LABELS, Action, Grant, PermissionDenied, Role, parse_role, require, system_user
from panhuo.planid import check_plan_id

if TYPE_CHECKING:  # pragma: no cover
    from panhuo.accounts import Account

# panhuo.accounts and panhuo.audit are imported where used: the other commands of the command
# line need neither the database layer nor argon2 (whose import computes a hash)

ROLE_CODES = "、".join(f"{r.value}（{label}）" for r, label in ROLE_LABELS.items())


class UsageError(ValueError):
    """A wrong command line (exit status 2); the message is Chinese."""


class Refused(ValueError):
    """A refused operation (exit status 1) found before the accounts layer is reached."""


def guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The command with its refusals as Chinese messages on standard error: 1 for a refused
    operation, 2 for a wrong command line; the database being down is the main CLI's to say."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from panhuo.accounts import AccountError

        try:
            return int(command(args) or 0)
        except UsageError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        except (AccountError, Refused, PermissionDenied) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1

    return run


# --- arguments ---------------------------------------------------------------------------------


def _grant_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="用户名（登录名）")
    parser.add_argument("--role", required=True, help=f"角色：{ROLE_CODES}")
    parser.add_argument("--plan", default=None, help="规划编号；不写则为全部规划")
    parser.add_argument(
        "--county",
        nargs="+",
        action="extend",
        default=[],
        metavar="区县",
        help="区县填报员负责的区县（可写多个）",
    )


def _password_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin", action="store_true", help="从标准输入的第一行读取密码（不回显、不记录）"
    )


def add_users_parser(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="用户与角色：list、add、grant、revoke、disable、enable、passwd")
    actions = users.add_subparsers(dest="users_command", required=True, metavar="ACTION")

    p = actions.add_parser("list", help="列出用户及其角色")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_users_list))

    p = actions.add_parser("add", help="新增用户（第一个全部规划的管理员即初始管理员）")
    _grant_arguments(p)
    p.add_argument("--display-name", default="", metavar="名", help="显示的姓名，如 李工")
    _password_argument(p)
    p.set_defaults(func=guarded(cmd_users_add))

    for action, text in (("grant", "授予角色"), ("revoke", "收回角色")):
        p = actions.add_parser(action, help=text)
        _grant_arguments(p)
        p.set_defaults(func=guarded(cmd_users_grant), revoke=action == "revoke")

    for action, text in (("disable", "停用用户（立即退出其所有登录）"), ("enable", "重新启用用户")):
        p = actions.add_parser(action, help=text)
        p.add_argument("name", metavar="NAME")
        p.set_defaults(func=guarded(cmd_users_active), active=action == "enable")

    p = actions.add_parser("passwd", help="重置密码（下次登录时须修改）")
    p.add_argument("name", metavar="NAME")
    _password_argument(p)
    p.set_defaults(func=guarded(cmd_users_passwd))


def add_audit_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit-log", help="操作日志（北京时间，最新的在前）")
    p.add_argument("--plan", default=None, help="只看该规划")
    p.add_argument("--since", default=None, metavar="DATE", help="自该日起（北京时间，YYYY-MM-DD）")
    p.add_argument("--until", default=None, metavar="DATE", help="至该日止，含当日（北京时间）")
    p.add_argument("--user", default=None, metavar="NAME", help="只看该用户的操作")
    p.add_argument(
        "--kind",
        action="append",
        default=[],
        metavar="KIND",
        help="操作类型，如 import、login_failed（可多次）",
    )
    p.add_argument("--limit", type=int, default=None, metavar="N", help="最多显示 N 条")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_audit_log))


# --- helpers -------------------------------------------------------------------------------------


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _store():
    from panhuo.store import Store

    return Store.open()


def plan_counties(plan) -> list[str]:
    """The 区县 a 区县填报员 of ``plan`` may be given: those the plan lists or its records name,
    else (a plan that lists none) the 区县 of its city in the boundary data."""
    names = list(plan.counties)
    for frame in (plan.parcels, plan.zones):
        if "county" in frame:
            names += [str(c).strip() for c in frame["county"] if str(c).strip()]
    names = list(dict.fromkeys(names))
    if not names and plan.city:
        from panhuo.importing.context import known_counties

        names, _source = known_counties(plan.province, plan.city, [])
    return names


def _grant(args: argparse.Namespace, store) -> Grant:
    """The grant the command line names, checked against the catalog."""
    try:
        role = parse_role(args.role)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    counties = [c.strip() for text in args.county for c in text.replace("，", ",").split(",") if c.strip()]
    plan_id = (args.plan or "").strip() or None
    if plan_id is not None:
        check_plan_id(plan_id)
    if role is Role.REPORTER and (plan_id is None or not counties):
        raise UsageError("区县填报员（reporter）需要用 --plan 指定规划、用 --county 指定区县")
    if counties and role is not Role.REPORTER:
        raise UsageError(f"只有区县填报员按区县授予；{ROLE_LABELS[role]}不需要 --county")
    if plan_id is not None:
        from panhuo.catalog import open_catalog

        plan = open_catalog(store=store, only=[plan_id]).find(plan_id)
        if plan is None:
            known = "、".join(store.plan_ids()) or "（无）"
            raise UsageError(f"没有编号为 {plan_id} 的规划；已有规划：{known}")
        if counties:
            valid = plan_counties(plan)
            if not valid:
                raise UsageError(f"规划 {plan_id} 没有列出区县，无法授予区县填报员角色")
            unknown = [c for c in counties if c not in valid]
            if unknown:
                raise UsageError(
                    f"规划 {plan_id} 没有区县“{'”“'.join(unknown)}”；可选的区县：{'、'.join(valid)}"
                )
    return Grant(role, plan_id, tuple(counties))


def _read_password(from_stdin: bool) -> str:
    """The new password: the first line of standard input, or asked twice without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line[:-1] if line.endswith("\n") else line
        password = password[:-1] if password.endswith("\r") else password
        if not password:
            raise Refused("标准输入中没有密码")
        return password
    try:
        first = getpass.getpass("新密码：")
        second = getpass.getpass("再次输入新密码：")
    except (EOFError, KeyboardInterrupt):
        raise Refused("未输入密码，已取消") from None
    if first != second:
        raise Refused("两次输入的密码不一致，未作更改")
    return first


def _roles(account: Account) -> str:
    return "、".join(g.label for g in account.grants) or "无角色"


# --- users ---------------------------------------------------------------------------------------


def cmd_users_list(args: argparse.Namespace) -> int:
    from panhuo import audit
    from panhuo.accounts import Accounts

    accounts = Accounts(_store()).list()
    if args.json:
        _print_json([a.as_dict() for a in accounts])
        return 0
    if not accounts:
        print("还没有用户。建立第一个管理员：python -m panhuo users add NAME --role admin")
        return 0
    for a in accounts:
        state = "启用" if a.is_active else "停用"
        flags = "；须修改初始密码" if a.must_change_password else ""
        last = audit.to_beijing(a.last_login_at) or "从未登录"
        print(f"{a.name}\t{a.display_name or '—'}\t{state}{flags}\t{_roles(a)}\t最近登录 {last}")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from panhuo.accounts import Accounts, check_name

    store = _store()
    accounts = Accounts(store)
    grant = _grant(args, store)
    name = check_name(args.name)  # before asking for a password
    if accounts.get(name) is not None:
        raise Refused(f"用户“{name}”已存在")
    initial_admin = accounts.bootstrap_needed() and grant.role is Role.ADMIN and grant.plan is None
    password = _read_password(args.password_stdin)
    account = accounts.add(
        system_user(),
        name,
        password,
        [grant],
        display_name=args.display_name,
        must_change_password=not initial_admin,
    )
    who = account.name + (f"（{account.display_name}）" if account.display_name else "")
    if initial_admin:
        print(f"已建立初始管理员 {who}：{grant.label}。")
    else:
        print(f"已新增用户 {who}：{grant.label}。首次登录时须修改密码。")
        if accounts.bootstrap_needed():
            print("提示：还没有管理员，请用 --role admin（不写 --plan）建立一个。", file=sys.stderr)
    return 0


def cmd_users_grant(args: argparse.Namespace) -> int:
    from panhuo.accounts import Accounts

    store = _store()
    accounts = Accounts(store)
    grant = _grant(args, store)
    if args.revoke:
        current = accounts.get(args.name)
        for held in current.grants if current is not None else ():  # the 区县 in any order
            if (held.role, held.plan, set(held.counties)) == (grant.role, grant.plan, set(grant.counties)):
                grant = held
        account = accounts.revoke(system_user(), args.name, grant)
        print(f"已收回 {account.name} 的 {grant.label}；现有角色：{_roles(account)}")
    else:
        account = accounts.grant(system_user(), args.name, grant)
        print(f"已授予 {account.name} {grant.label}；现有角色：{_roles(account)}")
    return 0


def cmd_users_active(args: argparse.Namespace) -> int:
    from panhuo.accounts import Accounts

    account = Accounts(_store()).set_active(system_user(), args.name, args.active)
    print(f"已{'启用' if args.active else '停用'}用户 {account.name}")
    return 0


def cmd_users_passwd(args: argparse.Namespace) -> int:
    from panhuo.accounts import Accounts

    accounts = Accounts(_store())
    if accounts.get(args.name) is None:  # before asking for a password
        raise Refused(f"没有用户“{args.name.strip().lower()}”")
    account = accounts.reset_password(system_user(), args.name, _read_password(args.password_stdin))
    print(f"已重置 {account.name} 的密码；其所有登录已结束，下次登录时须修改密码。")
    return 0


# --- audit-log -----------------------------------------------------------------------------------


def _day(text: str | None, option: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{option} 的日期“{text}”无法识别：应为 YYYY-MM-DD（北京时间），如 2026-12-01"
        ) from None


def _kinds(values: list[str]) -> list[str]:
    from panhuo import audit

    by_label = {label: kind for kind, label in audit.KIND_LABELS.items()}
    kinds = []
    for value in values:
        kind = value.strip() if value.strip() in audit.KIND_LABELS else by_label.get(value.strip())
        if kind is None:
            known = "、".join(f"{k}（{label}）" for k, label in audit.KIND_LABELS.items())
            raise UsageError(f"未知的操作类型“{value}”；可用：{known}")
        kinds.append(kind)
    return kinds


def cmd_audit_log(args: argparse.Namespace) -> int:
    from panhuo import audit
    from panhuo.store import Store

    actor = system_user()
    require(actor, Action.READ_AUDIT)
    since, until = _day(args.since, "--since"), _day(args.until, "--until")
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit 应为正整数")
    query = audit.Query(
        actor=(args.user or "").strip() or None,
        plan=(args.plan or "").strip() or None,
        kinds=_kinds(args.kind),
        since=audit.beijing_day_start(since) if since else None,
        until=audit.beijing_day_start(until + dt.timedelta(days=1)) if until else None,
        limit=args.limit,
    )
    store = Store()
    rows = []
    if store.exists():  # reading never creates a database
        store.ensure_schema()
        rows = store.audit_entries(query)
    if args.json:
        _print_json([audit.as_dict(r) for r in rows])
        return 0
    if not rows:
        print("没有符合条件的日志记录")
        return 0
    for r in rows:
        who = r.actor_label or r.actor or "访客"
        where = f"\t来自 {r.client}" if r.client else ""
        print(
            f"{audit.to_beijing(r.at)}\t{who}\t{audit.kind_label(r.kind)}\t{r.plan_id or '—'}\t{r.summary}{where}"
        )
    return 0
