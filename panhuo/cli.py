"""Command line: ``python -m panhuo plans | summary | reconcile | validate | import | export |
briefing | db | users | audit-log | progress | consultation | comments``.

``export PLAN -o F`` writes the records with their surveyed outlines as GeoPackage, Shapefile,
GeoJSON, XLSX or CSV (:mod:`panhuo.gis_export`; see :func:`cmd_export`).

``briefing PLAN -o F.pptx`` writes the 会议简报; with ``--period P`` it writes the period's 工作简报
(``--half-year``, ``--format pptx|pdf``, ``--internal --user NAME``; see
:func:`panhuo.progress.briefing.run_cli`).

Gives the same figures as the pages, for scripts and checks; ``users`` and ``audit-log``
(:mod:`panhuo.admin_cli`) manage accounts and read the audit trail; ``progress``
(:mod:`panhuo.progress.cli`) is 进展填报 from the command line; ``consultation`` and ``comments``
(:mod:`panhuo.consultation.cli`) are 公众征求意见. Errors are Chinese
messages on standard error (exit status 1, or 2 for a wrong command line), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from panhuo import admin_cli
from panhuo.aggregate import FIELD_LABELS, GROUP_FIELDS, summarize
from panhuo.catalog import open_catalog
from panhuo.nouns import noun
from panhuo.planid import InvalidPlanId, check_plan_id
from panhuo.reconcile import SEVERITY_LABELS, reconcile, severity_counts, size_text
from panhuo.store.errors import StoreUnavailable
from panhuo.units import AREA_UNITS, find_unit, format_area, to_ha


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def cmd_plans(args: argparse.Namespace) -> int:
    plans = open_catalog().plans()
    if args.json:
        _print_json(
            [
                {"id": p.id, "title": p.title, "kind": p.kind, "city": p.city, "origin": p.origin}
                for p in plans
            ]
        )
    else:
        for plan in plans:
            print(f"{plan.id}\t{plan.title}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    plan = open_catalog().get(args.plan)
    result = summarize(plan, of=args.of, by=args.by, unit=args.unit)
    if args.json:
        _print_json(result)
        return 0
    label = AREA_UNITS[result["unit"]][0]
    what = noun(result["of"])
    print(f"{plan.title}（{plan.id}）")

    def shown(area: float) -> str:
        return format_area(to_ha(area, result["unit"]), result["unit"])

    print(f"{what}：{result['count']} 个，面积 {shown(result['area'])} {label}")
    if result["groups"]:
        print(f"按{FIELD_LABELS.get(result['by'], result['by'])}：")
        for group in result["groups"]:
            print(f"  {group['key']}\t{group['count']}\t{shown(group['area'])} {label}")
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    """The findings of a plan, by cause: ``--json`` lists every check (each problem with its
    ``cause``), ``--json --by-cause`` the causes with their checks (what 数据核查 shows)."""
    from panhuo.causes import causes
    from panhuo.views import audit_headline

    plan = open_catalog().get(args.plan)
    findings = reconcile(plan)
    found = causes(findings)
    if args.json and args.by_cause:
        _print_json(
            {
                "plan": plan.id,
                "checks": len(findings),
                "counts": severity_counts(findings),
                "causes": [c.to_json() for c in found],
            }
        )
        return 0
    if args.json:
        _print_json([{k: v for k, v in f.to_json().items() if k not in _INTERNAL} for f in findings])
        return 0
    print(f"{plan.title}：{audit_headline(findings, found)}")
    for cause in found:
        print(f"{cause.id} [{SEVERITY_LABELS[cause.severity]}] {cause.title}（{cause.checks} 项核查）")
        for f in cause.findings:
            size = size_text(f)
            print(
                f"  - [{SEVERITY_LABELS[f.severity]}] {f.location} | {f.label or f.item} | {f.arithmetic}"
                + (f" | {size}" if size else "")
                + (f" | {f.note}" if f.note else "")
            )
    if args.all:
        for f in findings:
            if f.severity in ("ok", "rounding"):
                print(
                    f"[{SEVERITY_LABELS[f.severity]}] {f.location} | {f.label or f.item} | {f.arithmetic}"
                    + (f" | {f.note}" if f.note else "")
                )
    return 0


_INTERNAL = {"additive"}  # how panhuo.causes reads a check, not what it found


def cmd_briefing(args: argparse.Namespace) -> int:
    """Without ``--period``: the 会议简报 (PPTX, public). With it: the 工作简报 of that period
    (:func:`panhuo.progress.briefing.run_cli`)."""
    from datetime import date
    from pathlib import Path

    from panhuo.briefing import briefing_pptx
    from panhuo.viewstate import default_unit

    if args.period is not None:
        from panhuo.progress.briefing import run_cli
        from panhuo.progress.cli import guarded

        return guarded(run_cli)(args)
    extra = [flag for flag, given in (("--half-year", args.half_year), ("--internal", args.internal),
             ("--format", args.format), ("--user", args.user)) if given]  # fmt: skip
    if extra:
        print(f"错误：{'、'.join(extra)} 只用于进展工作简报：请用 --period 指定填报期，如 --period 2024-B4",
              file=sys.stderr)  # fmt: skip
        return 2
    plan = open_catalog().get(args.plan)
    dataset, records = plan.records()
    unit = args.unit or default_unit(plan)
    out = Path(args.output)
    out.write_bytes(briefing_pptx(plan, records, dataset, unit, date.today()))
    print(f"已写出会议简报：{out}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from panhuo.importing import cli as import_cli

    return import_cli.run_validate(args)


def cmd_import(args: argparse.Namespace) -> int:
    from panhuo.importing import cli as import_cli

    check_plan_id(args.plan)  # refused before any file is read or the database opened
    return import_cli.run(args)


def cmd_export(args: argparse.Namespace) -> int:
    """``export PLAN [--format F] [--dataset parcels|zones] [--county 区县 …] [--crs EPSG] [--public]
    -o FILE``: the (filtered) records with their surveyed outlines (:mod:`panhuo.gis_export`).

    Shell access to the server is access to its database: without ``--public`` the file holds
    what the command line's system user sees (everything, right-holders included), as the other
    reading commands do; ``--public`` writes the public version. A file is written whole or not
    at all (through temporary files in the same folder)."""
    from pathlib import Path

    from panhuo import gis_export as gx
    from panhuo.access import CountyScope, system_user
    from panhuo.demo import demo_label
    from panhuo.progress.briefing import write_atomic

    check_plan_id(args.plan)
    out = Path(args.output)
    try:
        fmt = gx.output_format(args.format, out)
        epsg = gx.parse_crs(args.crs)
        plan = open_catalog().get(args.plan)
        dataset = args.dataset or plan.records()[0]
        records = plan.dataset(dataset)
        what = noun(dataset)
        if records.empty:
            raise gx.ExportError(f"规划 {plan.id} 没有{what}清单", usage=True)
        if args.county:
            wanted = [str(c).strip() for c in args.county]
            named = [*plan.counties, *records["county"].astype(str).str.strip()]
            known = [c for c in dict.fromkeys(named) if c]
            unknown = [c for c in wanted if c not in known]
            if unknown:
                raise gx.ExportError(
                    f"规划 {plan.id} 没有区县“{'、'.join(unknown)}”；可选的区县：{'、'.join(known) or '（无）'}",
                    usage=True,
                )
            records = records[records["county"].astype(str).str.strip().isin(wanted)]
        scope = CountyScope() if args.public else system_user().private_scope(plan.id)
        geometry = gx.surveyed_geometry(plan, dataset)  # XLSX and CSV carry the outlines as WKT
        base = out.stem if out.stem.isascii() and out.stem else dataset  # the parts' name in a zip
        result = gx.export_records(
            records, dataset, fmt, scope=scope, geometry=geometry, epsg=epsg, plan=plan, name=base
        )
    except gx.ExportError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2 if exc.usage else 1
    try:
        if fmt == "shp" and out.suffix.lower() != ".zip":
            written = _write_beside(out, result.files)
        else:
            write_atomic(out, gx.zipped(result.files) if fmt == "shp" else result.content)
            written = [out]
    except OSError as exc:
        from panhuo.progress.briefing import _os_reason

        print(f"错误：无法写出文件 {out}：{_os_reason(exc)}", file=sys.stderr)
        return 1
    if label := demo_label(plan):
        print(label)
    version = "公开版（不含权利人信息）" if args.public else "内部版（含权利人等不公开信息）"
    others = "、".join(p.name for p in written if p != out)
    print(f"已写出 {gx.FORMATS[fmt]}：{out}" + (f"（及同一文件夹中的 {others}）" if others else ""))
    print(f"{plan.short_title}｜{what} {result.written:,} 条｜{gx.crs_label(epsg)}｜{version}")
    for note in result.notes:
        print(f"注意：{note}")
    return 0


def _write_beside(out, files: dict[str, bytes]) -> list:
    """A Shapefile's parts beside ``out`` (``地块.shp`` → ``地块.shx``, ``地块.dbf`` … and
    ``地块.字段说明.csv``), all written to temporary files first: nothing half-written is left."""
    import tempfile
    from pathlib import Path

    folder = out.parent if str(out.parent) else Path(".")
    targets = {}
    for name in files:
        suffix = Path(name).suffix
        targets[name] = folder / (
            f"{out.stem}.字段说明.csv" if name.endswith("字段说明.csv") else f"{out.stem}{suffix}"
        )
    temps: dict[str, str] = {}
    try:
        for name, content in files.items():
            handle, temp = tempfile.mkstemp(prefix=f".{targets[name].name}.", suffix=".tmp", dir=folder)
            temps[name] = temp
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.chmod(temp, 0o644)
        for name, temp in temps.items():
            os.replace(temp, targets[name])
    except BaseException:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)
        raise
    return [targets[n] for n in sorted(targets, key=lambda n: (n.endswith(".csv"), n))]


def _unit_arg(text: str) -> str:
    """``--unit`` takes any spelling of the unit table (亩, mu, 公顷, hm² …) and gives its code."""
    unit = find_unit(text)
    if unit is None:
        raise argparse.ArgumentTypeError(f"未知的面积单位：{text}")
    return unit.code


def cmd_db(args: argparse.Namespace) -> int:
    """``db upgrade``: bring the store's schema to the newest revision (creating it when
    missing); ``db current``: print the revision the store is at."""
    from panhuo.store import Store, migrate, unavailable_on_failure

    with unavailable_on_failure():  # a database that cannot be reached: a Chinese message
        store = Store()
        if args.action == "upgrade":
            existed = store.exists()
            before = store.current_revision() if existed else None
            reached = store.upgrade()
            if not existed:
                print(f"已建立数据库，结构版本 {reached}")
            elif before == reached:
                print(f"数据库已是最新结构：{reached}")
            else:
                print(f"数据库已升级到 {reached}（原为 {before or '旧版，未记录结构版本'}）")
            return 0
        if not store.exists():
            print("数据库尚未建立（首次使用时自动建立，或运行 python -m panhuo db upgrade）")
            return 0
        current = store.current_revision()
    if current is None:
        print(f"旧版数据库（未记录结构版本），升级后为 {migrate.head()}：python -m panhuo db upgrade")
    else:
        print(current + ("（最新）" if current == migrate.head() else f"（最新为 {migrate.head()}）"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m panhuo", description="盘活：城镇低效用地再开发数据工具")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plans", help="列出已载入的规划")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plans)

    p = sub.add_parser("summary", help="地块或片区的合计，可分组")
    p.add_argument("plan")
    p.add_argument("--of", choices=["parcels", "zones"])
    p.add_argument("--by", choices=GROUP_FIELDS)
    p.add_argument("--unit", type=_unit_arg, choices=["mu", "ha"], default="ha", help="亩（mu）或公顷（ha）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("reconcile", help="重算文件中的合计、小计、占比与文字数据")
    p.add_argument("plan")
    p.add_argument("--json", action="store_true")
    p.add_argument("--all", action="store_true", help="也列出一致与舍入误差的项")
    p.add_argument(
        "--by-cause", action="store_true", help="与 --json 同用：按问题（原因）列出，每个问题附其核查项"
    )
    p.set_defaults(func=cmd_reconcile)

    p = sub.add_parser(
        "briefing",
        help="简报：领导小组会议简报（PPTX，公开版）；带 --period 为某填报期的进展工作简报（PPTX 或 PDF）",
    )
    p.add_argument("plan")
    p.add_argument("-o", "--output", required=True, help="输出文件，如 简报.pptx、简报.pdf")
    p.add_argument(
        "--unit", type=_unit_arg, choices=["mu", "ha"], default=None, help="亩或公顷，默认取文件所用单位"
    )
    p.add_argument("--period", default=None, metavar="P", help="工作简报的填报期，如 2024-B4")
    p.add_argument("--half-year", action="store_true", help="半年工作报告：汇总该期所在半年的各期")
    p.add_argument(
        "--format", choices=["pptx", "pdf"], default=None, help="默认按输出文件的扩展名，否则 pptx"
    )
    p.add_argument(
        "--internal", action="store_true", help="内部版：含权利人信息和标注为仅内部使用的内容，须 --user"
    )
    p.add_argument("--user", default=None, metavar="NAME", help="内部版须以分析人员或管理员的身份生成")
    p.set_defaults(func=cmd_briefing)

    p = sub.add_parser("validate", help="检查待导入的文件，逐行列出问题")
    p.add_argument("file")
    p.add_argument("--kind", choices=["parcels", "zones"], default="parcels")
    p.add_argument("--plan", default=None, help="对照该规划的区县清单")
    p.add_argument("--sheet", default=None)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("import", help="导入调查数据（Excel、CSV、GeoPackage、Shapefile、GeoJSON）")
    try:
        from panhuo.importing import cli as import_cli

        import_cli.add_arguments(p)
    except ImportError:  # the import engine is optional until it is installed
        p.add_argument("files", nargs="*")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export", help="导出明细及实测图形：GeoPackage、Shapefile、GeoJSON（GIS），或 Excel、CSV（全部记录）"
    )
    p.add_argument("plan")
    p.add_argument(
        "-o", "--output", required=True, help="输出文件，如 地块.gpkg、地块.zip（Shapefile 打包）、地块.shp"
    )
    p.add_argument(
        "--format",
        choices=["gpkg", "shp", "geojson", "xlsx", "csv"],
        default=None,
        help="默认按输出文件的扩展名",
    )
    p.add_argument(
        "--dataset", choices=["parcels", "zones"], default=None, help="地块或片区，默认为规划的主要清单"
    )
    p.add_argument("--county", nargs="+", default=None, metavar="区县", help="只导出这些区县的记录")
    p.add_argument(
        "--crs",
        default=None,
        metavar="EPSG",
        help="坐标系：4490（CGCS2000 经纬度，默认）或 CGCS2000 3度带 EPSG:4513-4533（含带号）、4534-4554（不含带号）",
    )
    p.add_argument("--public", action="store_true", help="公开版：不含权利人等不公开信息")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("db", help="数据库结构：upgrade 升级到最新，current 显示当前版本")
    p.add_argument("action", choices=["upgrade", "current"])
    p.set_defaults(func=cmd_db)

    admin_cli.add_users_parser(sub)
    admin_cli.add_audit_parser(sub)
    from panhuo.progress import cli as progress_cli

    progress_cli.add_progress_parser(sub)
    from panhuo.consultation import cli as consultation_cli

    consultation_cli.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyError as exc:
        print(f"错误：{exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    except InvalidPlanId as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except StoreUnavailable as exc:
        print(f"错误：{exc}（{exc.detail}）", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
