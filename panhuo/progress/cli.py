"""``python -m panhuo progress …``: reporting periods, templates, workbook uploads, review, status,
the approved figures — the same engine as the pages 进展填报 and 进展审核.

- ``progress periods PLAN [--json]``: the reporting periods (JSON: ``[{"id", "start", "end", "due"}]``)
- ``progress template PLAN --county 区县 --period P -o F.xlsx``: the template of a 区县 and period
- ``progress import F.xlsx --plan PLAN --period P --user NAME [--county 区县] [--submit]
  [--reason 理由] [--dry-run] [--json]``: a filled template saved as the 区县's draft (and
  submitted); the 区县 is the one the template records unless ``--county`` says it
- ``progress review PLAN --period P --county 区县 --user NAME --approve | --return 理由``
- ``progress status PLAN --period P [--json]``: each 区县's state (未报送, 草稿, 已提交 …)
- ``progress export PLAN [--period P] [--json]``: the approved figures, one row per record
- ``progress monitor PLAN [--period P] [--unit 亩] [--json]``: 进展监测 — each 区县 against its
  target (expected by the as-of date, rate, light, rank, reporting) and the alerts
- ``progress targets PLAN [--set F.csv --user NAME [--deadline 2027] [--unit 亩] [--reason 说明]]
  [--json]``: the 区县 target breakdown (目标分解) and its versions; ``--set`` saves a new version
  from a CSV with columns 区县, 目标 and optional year columns (2024, 2025 …: that year's amount)

Who acts: ``import`` and ``review`` act as the local account ``--user`` names, which must exist,
be active and hold the role (区县填报员 of that 区县 for ``import``; 分析人员 or 管理员 for
``review``); the audit trail records that account, with the command line as the client. The
reading commands need no account (shell access to the server is access to its database).

Exit status: 0 done; 1 nothing written (a workbook that cannot be read, errors in it, a step the
workflow refuses); 2 a wrong command line — an unknown plan, period, 区县 or user, or a user
without the role. Every message is Chinese; never a traceback.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from panhuo.access import Action, PermissionDenied, User, system_user
from panhuo.demo import DEMO_LABEL, is_demo
from panhuo.planid import check_plan_id


class UsageError(ValueError):
    """A wrong command line (exit status 2); the message is Chinese."""


class Refused(ValueError):
    """A step refused, nothing written (exit status 1); the message is Chinese."""


def guarded(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The command with its refusals as Chinese messages on standard error (see the module doc)."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from panhuo.progress.validation import ProgressRejected

        try:
            return int(command(args) or 0)
        except UsageError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        except PermissionDenied as exc:  # a refusal may say why (不能审核自己提交的报告)
            print(f"错误：{exc.__cause__ or exc}", file=sys.stderr)
            return 2
        except Refused as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        except ProgressRejected as exc:
            _print_problems(exc.problems, file=sys.stderr)
            print(f"错误：{exc}", file=sys.stderr)
            return 1

    return run


# --- arguments ---------------------------------------------------------------------------------


def add_progress_parser(sub: argparse._SubParsersAction) -> None:
    progress = sub.add_parser(
        "progress",
        help="进展填报与监测：periods、template、import、review、status、export、config、monitor、targets",
    )
    actions = progress.add_subparsers(dest="progress_command", required=True, metavar="ACTION")

    p = actions.add_parser("periods", help="规划的填报期（起止日期、报送截止日期）")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_periods))

    p = actions.add_parser("template", help="下载某区县某填报期的填报模板（XLSX）")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--county", required=True, metavar="区县")
    p.add_argument("--period", required=True, metavar="P", help="填报期编号，如 2024-B1")
    p.add_argument("-o", "--output", required=True, metavar="F.xlsx", help="输出文件")
    p.set_defaults(func=guarded(cmd_template))

    p = actions.add_parser("import", help="导入填好的模板，保存为草稿（--submit 同时提交）")
    p.add_argument("file", metavar="F.xlsx")
    p.add_argument("--plan", required=True, metavar="PLAN")
    p.add_argument("--period", required=True, metavar="P")
    p.add_argument("--user", required=True, metavar="NAME", help="以该用户（区县填报员）的身份填报")
    p.add_argument("--county", default=None, metavar="区县", help="默认取模板中记载的区县")
    p.add_argument("--submit", action="store_true", help="保存后随即提交审核")
    p.add_argument("--reason", default="", metavar="理由", help="已通过的填报再作更正时，更正的理由")
    p.add_argument("--dry-run", action="store_true", help="只检查，不保存")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_import))

    p = actions.add_parser("review", help="审核某区县的填报：通过或退回")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--period", required=True, metavar="P")
    p.add_argument("--county", required=True, metavar="区县")
    p.add_argument("--user", required=True, metavar="NAME", help="以该用户（分析人员或管理员）的身份审核")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true", help="通过")
    verdict.add_argument(
        "--return", dest="return_reason", default=None, metavar="理由", help="退回，并写明理由"
    )
    p.set_defaults(func=guarded(cmd_review))

    p = actions.add_parser("status", help="某填报期各区县的报送情况")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--period", required=True, metavar="P")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_status))

    p = actions.add_parser("config", help="报送设置：周期、起始日、报送期限、阶段（不带选项则只显示）")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--cadence", type=int, default=None, metavar="月数", help="每期月数：1、2、3、6 或 12")
    p.add_argument(
        "--first-start", default=None, metavar="YYYY-MM-DD", help="第一期的起始日（取其所在月的 1 日）"
    )
    p.add_argument("--due-days", type=int, default=None, metavar="天数", help="期末后几天内报送")
    p.add_argument("--user", default=None, metavar="NAME", help="修改时必填：以该用户（管理员）的身份修改")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_config))

    p = actions.add_parser("export", help="审核通过的进展数字，每条记录一行")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--period", default=None, metavar="P", help="截至该填报期；默认为最新")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_export))

    p = actions.add_parser("monitor", help="进展监测：各区县对照目标的完成情况、亮灯、排名和预警")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--period", default=None, metavar="P", help="截至该填报期；默认为最新")
    p.add_argument("--unit", default=None, metavar="单位", help="面积单位；默认为规划的单位")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_monitor))

    p = actions.add_parser("targets", help="区县目标分解：查看各版本，或 --set 从 CSV 保存新版本")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--set", dest="source", default=None, metavar="F.csv", help="列：区县、目标，可加年份列")
    p.add_argument("--user", default=None, metavar="NAME", help="保存时必填：以该用户（管理员）的身份保存")
    p.add_argument("--deadline", default=None, metavar="年份", help="期限；默认为规划目标的年份")
    p.add_argument("--unit", default=None, metavar="单位", help="目标的面积单位；默认为规划的单位")
    p.add_argument("--reason", default="", metavar="说明", help="合计与全市目标不一致时必填")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_targets))


# --- helpers -------------------------------------------------------------------------------------


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _client() -> str:
    """The client recorded in the audit trail: the command line and the shell account."""
    return system_user().display_name  # 命令行（root）


def _context(plan_id: str):
    """(store, progress service, plan) for ``plan_id``; UsageError for an unknown plan."""
    from panhuo.catalog import open_catalog
    from panhuo.progress import Progress
    from panhuo.store import Store

    check_plan_id(plan_id)
    store = Store.open()
    plan = open_catalog(store=store, only=[plan_id]).find(plan_id)
    if plan is None:
        known = "、".join(store.plan_ids()) or "（无）"
        raise UsageError(f"没有编号为 {plan_id} 的规划；已有规划：{known}")
    return store, Progress(store), plan


def _period(progress, plan, period_id: str):
    periods = progress.periods(plan)
    found = next((p for p in periods if p.id == str(period_id).strip()), None)
    if found is None:
        shown = [p.id for p in periods]
        listed = "、".join(shown if len(shown) <= 12 else [*shown[:3], "…", *shown[-3:]]) or "（无）"
        raise UsageError(f"规划 {plan.id} 没有填报期“{period_id}”；可选：{listed}")
    return found


def _county(progress, plan, county: str) -> str:
    name = str(county or "").strip()
    valid = progress.counties(plan)
    if name not in valid:
        raise UsageError(f"规划 {plan.id} 没有区县“{name}”；可选的区县：{'、'.join(valid) or '（无）'}")
    return name


def acting_user(store, name: str, action: Action, plan_id: str, county: str | None = None) -> User:
    """The local account ``name`` as the acting user, if it exists, is active and may do
    ``action`` (for ``county``); UsageError or PermissionDenied (both exit status 2) otherwise."""
    from panhuo.accounts import Accounts, normalise_name

    account = Accounts(store).get(name)
    if account is None:
        raise UsageError(f"没有用户“{normalise_name(name)}”：--user 应为已开通的本地账户")
    if not account.is_active:
        raise UsageError(f"用户“{account.name}”已停用，不能以其身份操作")
    user = account.user()
    if not user.can(action, plan_id, county):
        raise PermissionDenied(action, user, plan_id, county)
    return user


def _number(text: object) -> float | None:
    from panhuo.units import parse_number

    value = parse_number(str(text)) if text is not None and str(text).strip() else None
    return float(value) if isinstance(value, Decimal) else None


def _print_problems(problems, file=None) -> None:
    """One line a problem, as the import prints its report: 级别, where, value, problem → what to do."""
    for p in sorted(problems, key=lambda p: (p.row is not None, p.row or 0, p.severity != "error")):
        level = "错误" if p.severity == "error" else "警告"
        place = "、".join(x for x in (p.sheet, f"第{p.row}行" if p.row else "", p.column) if x)
        value = f"“{p.value}”" if p.value else ""
        hint = f" → {p.suggestion}" if p.suggestion else ""
        print(f"[{level}] {place} {value} {p.problem}{hint}".replace("  ", " "), file=file or sys.stdout)


def _report_json(report) -> dict | None:
    if report is None:
        return None
    return {
        "id": report.id,
        "plan_id": report.plan_id,
        "county": report.county,
        "period_id": report.period_id,
        "revision": report.revision,
        "state": report.state,
        "kind": report.kind,
        "late": bool(report.late),
    }


def _demo_banner(plan) -> None:

    if is_demo(plan):
        print(DEMO_LABEL)


# --- commands ------------------------------------------------------------------------------------


def cmd_periods(args: argparse.Namespace) -> int:
    _store, progress, plan = _context(args.plan)
    periods = progress.periods(plan)
    if args.json:
        _print_json(
            [
                {"id": p.id, "start": p.start.isoformat(), "end": p.end.isoformat(), "due": p.due.isoformat()}
                for p in periods
            ]
        )
        return 0
    _demo_banner(plan)
    for p in periods:
        print(f"{p.id}\t{p.label}\t{p.start.isoformat()} 至 {p.end.isoformat()}\t截止 {p.due.isoformat()}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from panhuo.progress.workbook import template_workbook

    _store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period)
    county = _county(progress, plan, args.county)
    records = progress.records(plan, county)
    previous = progress.previous_values(plan, county, period.id)
    stages = progress.stages(plan)
    # a report already under way (a draft, or one returned for revision): its figures, not blanks
    report = progress.report(plan.id, county, period.id)
    current = {e["record_id"]: e for e in progress.entries(report.id)} if report else None
    content = template_workbook(
        plan,
        county,
        period,
        records,
        previous,
        stages,
        plan.area_unit,
        current=current,
        narrative=report.narrative if report else None,
    )
    out = Path(args.output)
    try:
        out.write_bytes(content)
    except OSError as exc:
        raise Refused(f"无法写出文件 {out}：{exc.strerror or exc}") from None
    since = f"，按第 {report.revision} 版（{report.state_label}）预填" if report else ""
    print(f"已写出{county}{period.label}（{period.id}）的填报模板：{out}（{len(records)} 条记录{since}）")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from panhuo.progress.workbook import WorkbookError, import_workbook, read_meta

    store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period)
    path = Path(args.file)
    try:
        content = path.read_bytes()
    except OSError as exc:
        return _import_failed(f"无法读取文件 {path}：{exc.strerror or exc}", args.json)
    try:
        meta = read_meta(content)
    except WorkbookError as exc:
        return _import_failed(str(exc), args.json)
    if meta.get("plan") and meta["plan"] != plan.id:
        return _import_failed(f"这份工作簿是规划 {meta['plan']} 的填报模板，不是 {plan.id} 的", args.json)
    county = args.county or meta.get("county") or ""
    if not county:
        raise UsageError("工作簿中没有记载区县：请用 --county 指定")
    if args.county and meta.get("county") and args.county.strip() != meta["county"]:
        return _import_failed(
            f"这份工作簿是{meta['county']}的填报模板，不是 --county 所写的{args.county.strip()}的", args.json
        )
    county = _county(progress, plan, county)
    actor = acting_user(store, args.user, Action.REPORT, plan.id, county)
    outcome = import_workbook(
        progress,
        actor,
        plan,
        county,
        period.id,
        content,
        submit=args.submit,
        dry_run=args.dry_run,
        correction_reason=args.reason,
        client=_client(),
    )
    if args.json:
        _print_json(
            {
                "ok": outcome.ok,
                "message": outcome.message,
                "entries": outcome.entries,
                "submitted": outcome.submitted,
                "report": _report_json(outcome.report),
                "problems": [p.to_json() for p in outcome.problems],
            }
        )
    else:
        _demo_banner(plan)
        _print_problems(outcome.problems, file=sys.stdout if outcome.ok else sys.stderr)
        if outcome.ok:
            print(outcome.message)
        else:
            print(f"错误：{outcome.message}", file=sys.stderr)
    return 0 if outcome.ok else 1


def _import_failed(message: str, as_json: bool) -> int:
    if as_json:
        _print_json(
            {
                "ok": False,
                "message": message,
                "entries": 0,
                "submitted": False,
                "report": None,
                "problems": [],
            }
        )
    else:
        print(f"错误：{message}", file=sys.stderr)
    return 1


def cmd_review(args: argparse.Namespace) -> int:
    store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period)
    county = _county(progress, plan, args.county)
    actor = acting_user(store, args.user, Action.REVIEW, plan.id)
    if args.return_reason is not None and not args.return_reason.strip():
        raise UsageError('退回须写明理由：--return "理由"')
    try:
        if args.approve:
            report = progress.approve(actor, plan, county, period.id, client=_client())
        else:
            report = progress.return_report(
                actor, plan, county, period.id, args.return_reason.strip(), client=_client()
            )
    except ValueError as exc:  # the workflow refuses: nothing submitted, already reviewed …
        raise Refused(str(exc)) from None
    where = f"{county} {period.label}（{period.id}）第 {report.revision} 版"
    if args.approve:
        print(f"已通过：{where}")
    else:
        print(f"已退回：{where}；理由：{report.review_note}")
    return 0


def _config_json(config, periods) -> dict:
    return {
        "plan": config.plan_id,
        "cadence_months": config.cadence_months,
        "first_start": config.first_start.isoformat(),
        "due_days": config.due_days,
        "default": config.is_default,
        "stages": [s.to_json() for s in config.stages],
        "periods": len(periods),
    }


def cmd_config(args: argparse.Namespace) -> int:
    import datetime as dt

    store, progress, plan = _context(args.plan)
    changing = any(v is not None for v in (args.cadence, args.first_start, args.due_days))
    if changing:
        if not args.user:
            raise UsageError("修改报送设置须用 --user 指明管理员账户")
        actor = acting_user(store, args.user, Action.MANAGE_PROGRESS, plan.id)
        start = None
        if args.first_start:
            try:
                start = dt.date.fromisoformat(args.first_start.strip()).replace(day=1)
            except ValueError:
                raise UsageError(f"起始日“{args.first_start}”不是 YYYY-MM-DD 格式的日期") from None
        try:
            progress.set_config(
                actor,
                plan,
                cadence_months=args.cadence,
                first_start=start,
                due_days=args.due_days,
                client=_client(),
            )
        except ValueError as exc:
            raise Refused(str(exc)) from None
    config = progress.config(plan)
    periods = progress.periods(plan)
    if args.json:
        _print_json(_config_json(config, periods))
        return 0
    _demo_banner(plan)
    source = "默认（规划数据）" if config.is_default else f"{config.created_by} 设置"
    print(
        f"{'已修改。' if changing else ''}{plan.id}：每 {config.cadence_months} 个月一期，自 {config.first_start.isoformat()} 起，"
        f"期末后 {config.due_days} 天内报送，共 {len(periods)} 期（{source}）"
    )
    print("阶段：" + " → ".join(f"{s.label}（{s.plan_stage}）" for s in config.stages))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    _store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period)
    statuses = progress.status(plan, period.id)
    if args.json:
        marked = {"simulated": True, "label": DEMO_LABEL} if is_demo(plan) else {}
        _print_json([s.to_json() | marked for s in statuses])
        return 0
    _demo_banner(plan)
    print(f"{plan.title}（{plan.id}）{period.label}（{period.id}），报送截止 {period.due.isoformat()}")
    for s in statuses:
        data = s.to_json()
        cells = [s.county, data["state_label"]]
        if data["revision"]:
            cells.append(f"第 {data['revision']} 版，{data['entries']} 条")
        if data["submitted_at"]:
            cells.append(f"提交于 {data['submitted_at']}" + ("（逾期）" if s.late else ""))
        if data["review_note"]:
            cells.append(f"审核意见：{data['review_note']}")
        print("\t".join(cells))
    return 0


EXPORT_COLUMNS = {
    "id": "编号",
    "name": "名称",
    "county": "区县",
    "stage_label": "阶段",
    "area": "累计再开发面积",
    "investment": "累计投资（万元）",
    "period_id": "数据所属填报期",
    "state": "状态",
}
EXPORT_STATES = {"approved": "本期通过", "carried": "沿用上期", "none": "尚无通过的填报"}


def cmd_export(args: argparse.Namespace) -> int:

    from panhuo.units import unit_label

    _store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period) if args.period else None
    frame = progress.approved_state(plan, period.id if period else None)
    unit = unit_label(plan.area_unit)
    demo = is_demo(plan)
    rows = frame.fillna("").to_dict("records")
    if args.json:
        _print_json(
            [
                {
                    "id": str(r.get("id", "")),
                    "name": str(r.get("name", "")),
                    "county": str(r.get("county", "")),
                    "stage": str(r.get("stage", "")),
                    "stage_label": str(r.get("stage_label", "")),
                    "area": _number(r.get("area")),
                    "unit": str(r.get("unit", "") or unit),
                    "investment": _number(r.get("investment")),
                    "period_id": str(r.get("period_id", "")),
                    "state": str(r.get("state", "")),
                    "simulated": demo,
                    **({"label": DEMO_LABEL} if demo else {}),
                }
                for r in rows
            ]
        )
        return 0
    _demo_banner(plan)
    headers = dict(EXPORT_COLUMNS, area=f"累计再开发面积（{unit}）")
    print("\t".join(headers.values()))
    for r in rows:
        cells = {k: str(r.get(k, "") or "") for k in headers}
        cells["state"] = EXPORT_STATES.get(cells["state"], cells["state"])
        print("\t".join(cells[k] or "—" for k in headers))
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    from panhuo.progress.monitor import MonitorSettings, monitor_for
    from panhuo.settings import load_settings
    from panhuo.units import find_unit

    _store, progress, plan = _context(args.plan)
    period = _period(progress, plan, args.period) if args.period else None
    if args.unit and find_unit(args.unit) is None:
        raise UsageError(f"面积单位“{args.unit}”无法识别；可用 亩、公顷、平方米")
    settings = MonitorSettings.from_settings(load_settings())
    try:
        m = monitor_for(progress, plan, period.id if period else None, unit=args.unit, settings=settings)
    except ValueError as exc:
        raise Refused(str(exc)) from None
    if m is None:
        raise Refused(f"规划 {plan.id} 没有片区或地块清单，或还没有开始的填报期，无从监测进展")
    if args.json:
        _print_json(m.to_json() | ({"label": DEMO_LABEL} if is_demo(plan) else {}))
        return 0
    _demo_banner(plan)
    print(f"{plan.title}（{plan.id}）{m.period.label}（{m.period.id}），截至{m.as_of_text}")
    print(m.target_note)
    table = m.county_table()
    print("\t".join(table.columns))
    for row in table.itertuples(index=False):
        print("\t".join("—" if _blank(v) else _cell(v) for v in row))
    c = m.city
    print(f"全市：已完成 {_cell(c.completed)} {m.unit_label}" + (
        f"，目标 {_cell(c.target)}，应完成 {_cell(c.expected)}，完成率 {_cell(c.rate)}%，{c.light_label}"
        if c.target else ""))  # fmt: skip
    print(f"预警 {len(m.alerts)} 条：")
    for a in m.alerts:
        print(f"[{a.level_label}] {a.kind_label}\t{a.county or '全市'}\t{a.title}\t{a.why}")
    return 0


def _blank(value: object) -> bool:
    try:
        return value is None or value != value  # NaN
    except (TypeError, ValueError):
        return False


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


def cmd_targets(args: argparse.Namespace) -> int:
    from panhuo.progress.targets import parse_shares
    from panhuo.progress.validation import ProgressRejected
    from panhuo.views import plan_area_target

    store, progress, plan = _context(args.plan)
    if args.source:
        if not args.user:
            raise UsageError("保存目标分解须用 --user 指明管理员账户")
        actor = acting_user(store, args.user, Action.MANAGE_PROGRESS, plan.id)
        rows = _share_rows(Path(args.source))
        shares, problems = parse_shares(rows)
        target = plan_area_target(plan)
        deadline = args.deadline or (
            target.deadline if target and target.deadline else str(plan.period[1] or "")
        )
        unit = args.unit or (target.unit if target else plan.area_unit)
        if any(p.severity == "error" for p in problems):
            _print_problems(problems, sys.stderr)
            raise Refused("目标分解有错误，未保存")
        try:
            saved = progress.set_targets(
                actor, plan, shares, unit=unit, deadline=str(deadline), reason=args.reason, client=_client()
            )
        except ProgressRejected as exc:
            _print_problems(exc.problems, sys.stderr)
            raise Refused("目标分解有错误，未保存") from None
        print(f"已保存第 {saved.version} 版：{saved.check.text}")
    versions = progress.target_versions(plan)
    if args.json:
        _print_json(
            [
                {"version": b.version, "unit": b.unit, "deadline": b.deadline, "total": float(b.total),
                 "plan_target": float(b.plan_target) if b.plan_target is not None else None,
                 "difference": float(b.check.difference) if b.check.difference is not None else None,
                 "check": b.check.text, "reason": b.reason, "created_by": b.created_by_label,
                 "created_at": b.created_at.isoformat() if b.created_at else "",
                 "shares": [s.to_json() for s in b.shares]}
                for b in versions
            ]
        )  # fmt: skip
        return 0
    _demo_banner(plan)
    if not versions:
        print(f"规划 {plan.id} 尚未分解目标：进展监测按全市目标计算")
        return 0
    for b in versions:
        print(
            f"第 {b.version} 版（{b.created_by_label}）期限 {b.deadline}：{b.check.text}"
            + (f"；说明：{b.reason}" if b.reason else "")
        )
    current = versions[-1]
    for share in current.shares:
        yearly = "，".join(f"{y}年 {v}" for y, v in sorted(share.yearly.items()))
        print(f"{share.county}\t{share.value} {current.unit}" + (f"\t（{yearly}）" if yearly else ""))
    return 0


def _share_rows(path: Path) -> list[dict]:
    """Rows of a breakdown CSV (UTF-8 with or without BOM, or GB18030): 区县, 目标, years."""
    import csv
    import io

    if not path.is_file():
        raise UsageError(f"找不到文件 {path}")
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused(f"{path.name} 不是 UTF-8 或 GB18030 编码的 CSV")
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip() for h in reader.fieldnames or []]
    county_col = next((h for h in headers if h in ("区县", "county")), None)
    value_col = next((h for h in headers if h.startswith("目标") or h == "value"), None)
    if county_col is None or value_col is None:
        raise Refused(f"{path.name} 须有“区县”和“目标”两列，现有：{'、'.join(headers) or '（无）'}")
    rows = []
    for raw_row in reader:
        row = {str(k).strip(): v for k, v in raw_row.items() if k is not None}
        years = {
            k.rstrip("年"): v for k, v in row.items() if k.rstrip("年").isdigit() and len(k.rstrip("年")) == 4
        }
        rows.append({"county": row.get(county_col, ""), "value": row.get(value_col, ""), **years})
    return rows
