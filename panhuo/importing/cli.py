"""``python -m panhuo import FILE [FILE2] --plan ID [--sheet S] [--mapping M.json] [--valid-only] [--json]``
and ``python -m panhuo validate FILE``.

Exit status: 0 when the data was imported (or, for ``validate``, can be imported as it is);
1 when nothing was imported (the report says why); 2 for a wrong command line.
Without ``--valid-only`` a file with rejected rows imports nothing; with it, the valid rows
are imported and the rejected ones reported.

``--mapping`` takes a JSON file ``{"source column": "field"}`` or
``{"source column": {"field": "area", "unit": "亩"}}`` (an empty field keeps the column as an
extra column); for two files, ``{"files": [mapping1, mapping2]}``. The mapping used is
printed, and remembered for the file's layout after a successful import.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from panhuo.access import system_user
from panhuo.import_progress import TextBar, reporting
from panhuo.importing import ImportResult, InputFile, find_plan, import_files, new_plan_meta
from panhuo.importing._limits import MAX_FILE_BYTES, ImportFailure
from panhuo.importing.mapping import HOW_LABELS, KIND_LABELS, fields_for
from panhuo.importing.report import Problem, report_xlsx, sort_problems


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="Excel (.xlsx)、CSV、GeoPackage、GeoJSON 或压缩的 Shapefile（.zip）；"
        "第二个文件为同一批地块的规划图层，按编号合并",
    )
    parser.add_argument("--plan", required=True, help="导入到的规划编号；不存在时新建")
    parser.add_argument(
        "--kind", choices=["parcels", "zones"], default="parcels", help="数据类型：地块或片区"
    )
    parser.add_argument("--sheet", default=None, help="工作表名称或序号（从 1 开始）；默认自动识别")
    parser.add_argument("--mapping", default=None, help="列映射 JSON 文件")
    parser.add_argument("--crs", default=None, help="图层未声明坐标系时指定，如 EPSG:4528")
    parser.add_argument("--valid-only", action="store_true", help="只导入通过检查的行，其余列入报告")
    parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
    parser.add_argument("--report", default=None, help="把问题清单另存为 XLSX")
    parser.add_argument("--title", default="", help="新建规划的标题")
    parser.add_argument("--province", default="", help="新建规划所在省")
    parser.add_argument("--city", default="", help="新建规划所在市（用于核对区县）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    parser.add_argument("--quiet", action="store_true", help="不显示进度条（读取、检查、写入的行数）")


def _read_mapping(path: str | None, count: int) -> list[dict | None] | None:
    if not path:
        return None
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFailure(f"无法读取映射文件 {path}：{exc}", "映射文件应为 UTF-8 JSON") from exc
    if isinstance(data, dict) and isinstance(data.get("files"), list):
        return [m if isinstance(m, dict) else None for m in data["files"]][:count]
    if not isinstance(data, dict):
        raise ImportFailure(
            f"映射文件 {path} 应为 JSON 对象", '例如 {"面积（亩）": {"field": "area", "unit": "亩"}}'
        )
    return [data]


def _load(paths: list[str]) -> list[InputFile]:
    if len(paths) > 2:
        raise ImportFailure("一次最多导入两个文件（现状图层与规划图层）", "请分别导入")
    return [InputFile.from_path(p) for p in paths]


def _fail(message: str, suggestion: str, as_json: bool) -> int:
    if as_json:
        problem = Problem("error", message, suggestion)
        print(
            json.dumps(
                {"ok": False, "status": "failed", "message": message, "problems": [problem.to_json()]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"错误：{message}" + (f"（{suggestion}）" if suggestion else ""), file=sys.stderr)
    return 1


def _print_result(result: ImportResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2, default=str))
        return
    layers = result.checked.analysis.layers if result.checked else []
    for layer in layers:
        where = f"（工作表 {layer.sheet}）" if layer.sheet else ""
        print(f"文件 {layer.file.name}{where}  sha256 {layer.file.sha256[:16]}…")
        if layer.mapping is None:
            continue
        labels = fields_for(layer.mapping.kind)
        for choice in layer.mapping.columns:
            target = labels.get(choice.field, f"附加列“{choice.extra_name}”")
            unit = f" [{choice.unit}]" if choice.unit else ""
            why = f"：{choice.evidence}" if choice.evidence else ""
            print(f"  {choice.column} → {target}{unit}（{HOW_LABELS.get(choice.how, choice.how)}{why}）")
    counts = result.checked.counts if result.checked else {}
    if counts:
        print(
            f"{KIND_LABELS.get(result.dataset, result.dataset)}：{counts['rows']} 行，可导入 {counts['valid']} 行，"
            f"有错误 {counts['rejected']} 行，警告 {counts['warnings']} 条"
        )
    for p in sort_problems(result.problems):
        place = "、".join(x for x in (p.file, p.sheet, f"第{p.row}行" if p.row else "", p.column) if x)
        value = f"“{p.value}”" if p.value else ""
        hint = f" → {p.suggestion}" if p.suggestion else ""
        print(f"[{p.severity_label}·{p.family_label}] {place} {value} {p.problem}{hint}".replace("  ", " "))
    print(result.message)


def _write_report(result: ImportResult, path: str | None) -> None:
    if path:
        summary = {
            "规划": result.plan_id,
            "结果": result.message,
            "文件": "、".join(la.file.name for la in result.checked.analysis.layers)
            if result.checked
            else "",
        }
        Path(path).write_bytes(report_xlsx(result.problems, summary))


def run(args: argparse.Namespace) -> int:
    """The ``import`` command."""
    try:
        files = _load(list(args.files))
        mappings = _read_mapping(args.mapping, len(files))
    except ImportFailure as failure:
        return _fail(failure.message, failure.suggestion, args.json)
    meta = None
    if getattr(args, "title", "") or getattr(args, "city", "") or getattr(args, "province", ""):
        meta = new_plan_meta(
            args.plan, title=args.title, province=args.province, city=args.city, source_file=files[0].name
        )
    from panhuo.store import Store, unavailable_on_failure

    listener = None if args.json or getattr(args, "quiet", False) else TextBar(sys.stderr)
    with unavailable_on_failure():  # the CLI's main turns this into a Chinese message
        store = None if args.dry_run else Store.open()
    with unavailable_on_failure(), reporting(listener):
        result = import_files(
            files,
            args.plan,
            kind=args.kind,
            sheet=args.sheet,
            mappings=mappings,
            valid_only=args.valid_only,
            store=store,
            plan_meta=meta,
            dry_run=args.dry_run,
            crs=args.crs,
            actor=system_user(),  # shell access to the server: acts as its administrator
        )
    _print_result(result, args.json)
    _write_report(result, getattr(args, "report", None))
    return 0 if result.ok else 1


def run_validate(args: argparse.Namespace) -> int:
    """The ``validate`` command: check a file as an import would, write nothing."""
    try:
        files = _load([args.file])
    except ImportFailure as failure:
        return _fail(failure.message, failure.suggestion, args.json)
    plan_id = getattr(args, "plan", None) or ""
    if plan_id and find_plan(plan_id) is None:  # read-only: never creates a database
        return _fail(f"没有编号为 {plan_id} 的规划", "用 python -m panhuo plans 查看已有规划", args.json)
    result = import_files(
        files,
        plan_id or "（未指定规划）",
        kind=getattr(args, "kind", "parcels"),
        sheet=getattr(args, "sheet", None),
        dry_run=True,
    )
    _print_result(result, args.json)
    return 0 if result.ok else 1


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m panhuo.importing.cli``) for when the main CLI is not wired."""
    parser = argparse.ArgumentParser(
        prog="python -m panhuo import",
        description=f"导入调查数据（每个文件不超过 {MAX_FILE_BYTES // 1024 // 1024} MB）",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
