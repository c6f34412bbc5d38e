"""``python -m panhuo consultation …`` and ``python -m panhuo comments …``: 公众征求意见 from the
command line, the same service as the pages.

- ``consultation list PLAN [--json]``: the plan's windows (opening, closing, state)
- ``consultation open PLAN --until DATE [--from DATE] --user NAME``; ``consultation extend PLAN
  --until DATE [--id N] --user NAME``; ``consultation close PLAN [--id N] --user NAME``;
  ``consultation release PLAN [--id N] --user NAME`` (publish the answers)
- ``comments add PLAN --text T [--measure N | --zone ID | --record ID | --point LON,LAT]
  --channel 信函|传真|邮件|现场 --received DATETIME --user NAME [--topic T] [--name N]
  [--contact C] [--json]``: a comment received by letter, fax, e-mail or in person
- ``comments list PLAN [--state S] [--id N] --user NAME [--with-contact] [--json]``: the
  moderators' view (reference, state, target, channel, received, masked text, answer)
- ``comments publish|reject|answer|mask|merge REF --plan PLAN --user NAME …``
- ``comments export PLAN [--consultation N] [--user NAME] [--format xlsx|pdf] -o F``: the
  意见汇总表; with a moderator's ``--user`` the internal version (masked text of every comment,
  why one was not published), without it the public one. Never a name or a contact.

Dates and times are 北京时间 (``2025-12-17`` or ``"2025-12-17 18:00"``); a deadline given as a
date alone runs to the end of that day. Exit status as for ``progress``: 0 done, 1 refused and
nothing written, 2 a wrong command line or a user without the role.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from panhuo.access import Action
from panhuo.progress.cli import Refused, UsageError, _client, acting_user, guarded


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _context(plan_id: str):
    from panhuo.consultation import Consultations
    from panhuo.progress.cli import _context as plan_context

    store, _progress, plan = plan_context(plan_id)
    return store, Consultations(store), plan


def refusing(call):
    """Run ``call``; a ConsultationError (the service refused, nothing written) becomes Refused."""
    from panhuo.consultation import ConsultationError

    try:
        return call()
    except ConsultationError as exc:
        raise Refused(str(exc)) from None


def _target(args: argparse.Namespace):
    from panhuo.consultation import Target

    given = [(k, v) for k, v in (("measure", args.measure), ("zone", args.zone), ("parcel", args.record),
                                 ("point", args.point)) if v]  # fmt: skip
    if len(given) > 1:
        raise UsageError("--measure、--zone、--record、--point 只能给出一个")
    if not given:
        return Target()
    kind, value = given[0]
    if kind == "point":
        try:
            lon, lat = (float(x) for x in str(value).replace("，", ",").split(","))
        except ValueError:
            raise UsageError(f"--point 应为“经度,纬度”，如 87.6168,43.8256，现为“{value}”") from None
        return Target("point", lon=lon, lat=lat)
    return Target(kind, str(value))


# --- consultation ------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    _store, service, plan = _context(args.plan)
    at = service.clock()
    windows = service.windows(plan)
    if args.json:
        _print_json([w.to_json(at) for w in windows])
        return 0
    if not windows:
        print(f"{plan.title}（{plan.id}）没有征求意见安排")
    for w in windows:
        released = "，答复已公布" if w.answers_released else ""
        print(f"{w.id}\t{w.opens_text} 至 {w.closes_text}\t{w.status_text(at)}{released}")
    return 0


def cmd_open(args: argparse.Namespace) -> int:
    store, service, plan = _context(args.plan)
    actor = acting_user(store, args.user, Action.MANAGE_CONSULTATIONS, plan.id)
    window = refusing(lambda: service.open(actor, plan, until=args.until, start=args.start, notice=args.notice,
                                           client=_client()))  # fmt: skip
    print(f"已开启征求意见（编号 {window.id}）：{window.opens_text} 至 {window.closes_text}（北京时间）")
    return 0


def cmd_extend(args: argparse.Namespace) -> int:
    store, service, plan = _context(args.plan)
    actor = acting_user(store, args.user, Action.MANAGE_CONSULTATIONS, plan.id)
    window = refusing(lambda: service.extend(actor, plan, args.until, args.id, client=_client()))
    print(f"征求意见（编号 {window.id}）截止时间改为 {window.closes_text}（北京时间）")
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    store, service, plan = _context(args.plan)
    actor = acting_user(store, args.user, Action.MANAGE_CONSULTATIONS, plan.id)
    window = refusing(lambda: service.close(actor, plan, args.id, client=_client()))
    print(f"征求意见（编号 {window.id}）已于 {window.closes_text}（北京时间）提前结束")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    store, service, plan = _context(args.plan)
    actor = acting_user(store, args.user, Action.MODERATE, plan.id)
    window = refusing(lambda: service.release_answers(actor, plan, args.id, client=_client()))
    print(f"征求意见（编号 {window.id}）的答复已公布")
    return 0


# --- comments ----------------------------------------------------------------------------------
def cmd_add(args: argparse.Namespace) -> int:
    store, service, plan = _context(args.plan)
    actor = acting_user(store, args.user, Action.MODERATE, plan.id)
    target = _target(args)
    comment = refusing(
        lambda: service.enter(
            actor, plan, args.text, target, channel=args.channel, received=args.received, topic=args.topic,
            name=args.name, contact=args.contact, client=_client(),
        )
    )  # fmt: skip
    if args.json:
        _print_json(comment.to_json())
    else:
        print(
            f"已录入第 {comment.number} 条意见，编号 {comment.ref}（{comment.channel}，收到于 {comment.received_text}）"
        )
    return 0


def cmd_comments(args: argparse.Namespace) -> int:
    store, service, plan = _context(args.plan)
    actor = acting_user(store, args.user, Action.MODERATE, plan.id)
    found = refusing(lambda: service.comments(actor, plan, args.id, args.state))
    if args.json:
        _print_json([c.to_json(with_contact=args.with_contact) for c in found])
        return 0
    for c in found:
        line = [str(c.number), c.ref, c.state_label, c.target_text, c.channel, c.received_text,
                c.answer_status or "未答复", c.text_masked.replace("\n", " ")]  # fmt: skip
        if args.with_contact:
            line += [c.author_name, c.author_contact]
        print("\t".join(line))
    if not found:
        print("（没有意见）")
    return 0


def _moderation(verb: str):
    def run(args: argparse.Namespace) -> int:
        store, service, plan = _context(args.plan)
        actor = acting_user(store, args.user, Action.MODERATE, plan.id)
        calls = {
            "publish": lambda: service.publish(actor, plan, args.ref),
            "reject": lambda: service.reject(actor, plan, args.ref, args.reason),
            "answer": lambda: service.answer(actor, plan, args.ref, args.status, args.reason),
            "mask": lambda: service.mask(actor, plan, args.ref, args.text),
            "merge": lambda: service.merge(actor, plan, args.ref, args.into),
        }
        comment = refusing(calls[verb])
        done = {"publish": "已公开", "reject": "不予公开", "answer": f"已答复（{comment.answer_status}）",
                "mask": "已隐去个人信息", "merge": "已合并"}[verb]  # fmt: skip
        print(f"第 {comment.number} 条（{comment.ref}）{done}")
        return 0

    run.__name__ = f"cmd_{verb}"
    return run


def cmd_export(args: argparse.Namespace) -> int:
    from panhuo.access import system_user
    from panhuo.consultation.summary import summary_pdf, summary_xlsx

    store, service, plan = _context(args.plan)
    window = refusing(lambda: service.window(plan, args.consultation))
    internal = bool(args.user)
    actor = (
        acting_user(store, args.user, Action.MODERATE, plan.id)
        if internal  # the public version reads what anyone may see: the published comments …
        else system_user()
    )
    # … but lists every comment, marked, so that none is silently dropped; no text of an
    # unpublished one and never a name or a contact
    comments = service.comments(actor, plan, window.id)
    fmt = args.format or ("pdf" if args.output.lower().endswith(".pdf") else "xlsx")
    writer = summary_pdf if fmt == "pdf" else summary_xlsx
    content = writer(window, plan.title, comments, internal=internal)
    Path(args.output).write_bytes(content)
    which = "内部版" if internal else "公开版"
    print(f"已写出意见汇总表（{which}，{len(comments)} 条意见）：{args.output}", file=sys.stderr)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    consultation = sub.add_parser("consultation", help="征求意见安排：list、open、extend、close、release")
    actions = consultation.add_subparsers(dest="consultation_command", required=True, metavar="ACTION")
    p = actions.add_parser("list", help="规划的征求意见安排")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_list))
    p = actions.add_parser("open", help="开启征求意见（管理员）")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--until", required=True, metavar="DATE", help="截止（北京时间；只写日期即到当日 24 时）")
    p.add_argument("--from", dest="start", default=None, metavar="DATE", help="开始（默认现在）")
    p.add_argument("--notice", default="", metavar="TEXT", help="公告正文")
    p.add_argument("--user", required=True, metavar="NAME")
    p.set_defaults(func=guarded(cmd_open))
    for name, command, helptext in (
        ("extend", cmd_extend, "修改截止时间（管理员）"),
        ("close", cmd_close, "提前结束（管理员）"),
        ("release", cmd_release, "公布答复（审核员或管理员）"),
    ):
        p = actions.add_parser(name, help=helptext)
        p.add_argument("plan", metavar="PLAN")
        if name == "extend":
            p.add_argument("--until", required=True, metavar="DATE")
        p.add_argument("--id", type=int, default=None, metavar="N", help="征求意见编号（默认当前这次）")
        p.add_argument("--user", required=True, metavar="NAME")
        p.set_defaults(func=guarded(command))

    comments = sub.add_parser(
        "comments", help="征求意见的意见：add、list、publish、reject、answer、mask、merge、export"
    )
    actions = comments.add_subparsers(dest="comments_command", required=True, metavar="ACTION")
    p = actions.add_parser("add", help="录入信函、传真、邮件或现场收到的意见（审核员或管理员）")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--text", required=True, metavar="T")
    p.add_argument("--measure", default=None, metavar="N", help="针对的措施编号")
    p.add_argument("--zone", default=None, metavar="ID", help="针对的片区编号")
    p.add_argument("--record", default=None, metavar="ID", help="针对的地块编号")
    p.add_argument("--point", default=None, metavar="LON,LAT", help="针对的地图位置")
    p.add_argument("--channel", required=True, choices=["信函", "传真", "邮件", "现场"])
    p.add_argument("--received", required=True, metavar="DATETIME", help="收到时间（北京时间）")
    p.add_argument("--topic", default="", metavar="T")
    p.add_argument("--name", default="", metavar="N", help="意见人姓名（不公开）")
    p.add_argument("--contact", default="", metavar="C", help="联系方式（不公开）")
    p.add_argument("--user", required=True, metavar="NAME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_add))
    p = actions.add_parser("list", help="审核员看到的意见列表")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--state", default=None, choices=["new", "published", "rejected", "merged"])
    p.add_argument("--id", type=int, default=None, metavar="N", help="征求意见编号（默认当前这次）")
    p.add_argument("--user", required=True, metavar="NAME")
    p.add_argument("--with-contact", action="store_true", help="同时列出意见人姓名和联系方式")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=guarded(cmd_comments))
    for verb, helptext in (("publish", "公开"), ("reject", "不予公开（--reason）"),
                           ("answer", "答复（--status --reason）"), ("mask", "用＊隐去个人信息（--text）"),
                           ("merge", "合并到另一条（--into）")):  # fmt: skip
        p = actions.add_parser(verb, help=helptext)
        p.add_argument("ref", metavar="REF", help="意见编号，如 YJ-ABCD-2345")
        p.add_argument("--plan", required=True, metavar="PLAN")
        p.add_argument("--user", required=True, metavar="NAME")
        if verb in ("reject", "answer"):
            p.add_argument("--reason", required=True, metavar="理由")
        if verb == "answer":
            p.add_argument(
                "--status", required=True, choices=["采纳", "部分采纳", "不予采纳", "已有考虑", "研究中"]
            )
        if verb == "mask":
            p.add_argument("--text", required=True, metavar="T", help="遮盖后的全文")
        if verb == "merge":
            p.add_argument("--into", required=True, metavar="REF")
        p.set_defaults(func=guarded(_moderation(verb)))
    p = actions.add_parser("export", help="导出意见汇总表（XLSX 或 PDF）")
    p.add_argument("plan", metavar="PLAN")
    p.add_argument("--consultation", type=int, default=None, metavar="N")
    p.add_argument("--user", default=None, metavar="NAME", help="审核员：导出内部版")
    p.add_argument("--format", default=None, choices=["xlsx", "pdf"])
    p.add_argument("-o", "--output", required=True, metavar="F")
    p.set_defaults(func=guarded(cmd_export))
