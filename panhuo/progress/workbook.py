"""The workbook route of 进展填报: a template XLSX a 区县 fills offline, and reading it back.

:func:`template_workbook` writes four sheets:

- 进展填报 — one row per record of the 区县: 编号, the reference columns (名称, 区县, 规划面积,
  and the 上期 figures: grey, locked, never read back), then the columns of an entry headed as
  the page heads them (:func:`panhuo.progress.entry_columns`), prefilled with the last approved
  values; 阶段 has a drop-down of the stage labels, date columns show ``YYYY-MM-DD``.
- 填报说明 — the four narrative parts (工作进展及成效, 制度建设情况, 典型案例, 难点问题).
- 说明 — how to fill it in: the period, its dates and due date, units, the stages.
- 元数据 (hidden) — plan id, 区县, period id, unit: an upload is checked against them.

:func:`read_workbook` reads a filled workbook back into entries (plain dicts of text, as the
page's editor gives them) and the narrative, tolerant of what people do to a sheet: columns
moved, added or deleted, headers respelled (全角/半角 brackets, spaces, 亩 written as 公顷),
numbers typed as text, dates as Excel dates or as 2024-03-05, 2024/3/5, 2024年3月5日, stages by
label or code. Each entry carries its Excel row (``_row``), so the rules
(:func:`panhuo.progress.check_entries`, the page's own) report a cell that is wrong at the row
and column the 区县 sees. A file that cannot be used at all (not an XLSX, encrypted, damaged,
nothing filled in, or made for another plan, 区县 or period) raises :class:`WorkbookError` with
a Chinese message.

:func:`import_workbook` is the whole upload: read, then :meth:`Progress.save_draft` (the same
check as the page; nothing is written on any error) and, when asked, :meth:`Progress.submit`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING

import pandas as pd

from panhuo.demo import DEMO_LABEL, is_demo
from panhuo.importing._limits import ImportFailure
from panhuo.progress.fields import FIELDS, NARRATIVE, entry_columns
from panhuo.progress.validation import Problem
from panhuo.units import cell_unit, convert, find_unit, parse_number, strip_unit, unit_label

if TYPE_CHECKING:  # pragma: no cover
    from panhuo.access import User
    from panhuo.model import Plan
    from panhuo.progress.periods import Period
    from panhuo.progress.service import Progress, ReportInfo
    from panhuo.progress.stages import Stage

ENTRY_SHEET = "进展填报"
NARRATIVE_SHEET = "填报说明"
GUIDE_SHEET = "说明"
META_SHEET = "元数据"
TEMPLATE_KIND = "盘活进展填报模板"
FORMAT_VERSION = "1"
# the keys of the 元数据 sheet, as written (label → meaning)
META_LABELS = {
    "kind": "用途",
    "version": "格式版本",
    "plan": "规划编号",
    "county": "区县",
    "period": "填报期",
    "unit": "面积单位",
    "demo": "模拟数据",
}
REFERENCE_NOTE = "参考，上传时不读取"
FILENAME = "上传的工作簿"
FIELD_KINDS = {f.key: f.kind for f in FIELDS}
_TOTAL_IDS = {"合计", "小计", "总计", "总计：", "合计："}


class WorkbookError(Exception):
    """A workbook that cannot be used at all; ``message`` is Chinese and says what to do."""

    def __init__(self, message: str, suggestion: str = "") -> None:
        super().__init__(message + (f"（{suggestion}）" if suggestion else ""))
        self.message = message
        self.suggestion = suggestion


# control characters other than tab and newline are not allowed in an XLSX cell
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def _clean(value: object) -> str:
    """Text from data or users as it may go into a cell: always a text cell (never a formula:
    the writer is told so), control characters dropped."""
    return _CONTROL.sub("", str(value if value is not None else ""))


def _unit(unit: str) -> str:
    """The Chinese label of a unit code or word (``mu`` → 亩)."""
    return unit_label(unit) if find_unit(unit) else str(unit)


# --- the template ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    key: str  # an entry field, or ref:… for a reference column
    header: str
    kind: str  # text | stage | date | number
    width: float
    reference: bool = False


def _columns(unit: str) -> list[_Column]:
    headers = entry_columns(unit)
    kinds = {f.key: f.kind for f in FIELDS}
    widths = {"stage": 14, "note": 30, "issues": 24, "reason": 24}
    label = _unit(unit)
    columns = [_Column("record_id", headers["record_id"], "text", 12)]
    columns += [
        _Column("ref:name", "名称", "text", 28, True),
        _Column("ref:county", "区县", "text", 10, True),
        _Column("ref:area", f"规划面积（{label}）", "number", 12, True),
    ]
    for key, header in headers.items():
        if key != "record_id":
            kind = kinds.get(key, "text")
            columns.append(_Column(key, header, kind, widths.get(key, 13 if kind == "date" else 14)))
    columns += [
        _Column("ref:prev_stage", "上期阶段", "text", 12, True),
        _Column("ref:prev_area", f"上期{headers['area']}", "number", 14, True),
        _Column("ref:prev_investment", f"上期{headers['investment']}", "number", 14, True),
    ]
    return columns


def _date_value(text: object) -> dt.datetime | None:
    try:
        return dt.datetime.combine(dt.date.fromisoformat(str(text).strip()), dt.time())
    except ValueError:
        return None


def _number_value(text: object) -> float | None:
    number = parse_number(str(text)) if text is not None else None
    return float(number) if number is not None else None


def _record_area(row: Mapping, unit: str) -> float | None:
    area, area_unit = str(row.get("area", "") or "").strip(), str(row.get("area_unit", "") or "").strip()
    if not area:
        return None
    if not area_unit or not find_unit(area_unit):
        return _number_value(area)
    converted = convert(area, area_unit, _unit(unit))
    return float(converted) if converted is not None else None


def template_workbook(
    plan: Plan,
    county: str,
    period: Period,
    records: pd.DataFrame,
    previous: Mapping[str, Mapping[str, str]],
    stages: Sequence[Stage],
    unit: str,
    *,
    current: Mapping[str, Mapping[str, str]] | None = None,
    narrative: Mapping[str, str] | None = None,
) -> bytes:
    """The template XLSX of ``county``'s records for ``period`` (see the module doc).

    ``records`` are the plan's records (only those of ``county`` are written); ``previous`` the
    last approved entry per record id (prefilled, and shown again in the grey 上期 columns);
    ``current`` a draft's entries, prefilled instead of ``previous`` when given.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}
    )
    book.set_properties({"title": f"{plan.title} {county} {period.label} 进展填报", "company": "盘活"})
    fmt = _formats(book)
    demo = is_demo(plan)
    label = _unit(unit)
    columns = _columns(unit)
    frame = records
    if "county" in frame.columns:
        frame = frame[frame["county"].astype(str).str.strip() == str(county).strip()]
    by_code = {s.code: s for s in stages}

    # 进展填报 -----------------------------------------------------------------------------
    ws = book.add_worksheet(ENTRY_SHEET)
    row = 0
    if demo:
        ws.write_string(row, 0, DEMO_LABEL, fmt["demo"])
        row += 1
    ws.write_string(
        row, 0, _clean(f"{plan.title}｜{county}｜{period.label}（{period.id}）进展填报"), fmt["title"]
    )
    ws.write_string(
        row + 1,
        0,
        f"白色列请填写截至 {period.end.isoformat()} 的累计情况，{period.due.isoformat()} 前报送；"
        f"灰色列（名称、区县、规划面积、上期…）为参考，上传时不读取。填法见“{GUIDE_SHEET}”表。",
        fmt["note"],
    )
    header_row = row + 2
    for c, col in enumerate(columns):
        ws.write_string(header_row, c, col.header, fmt["ref_header" if col.reference else "header"])
        if col.reference:
            ws.write_comment(header_row, c, REFERENCE_NOTE, {"author": "盘活"})
        column_format = None if col.reference else fmt[f"edit_{col.kind}"]
        ws.set_column(c, c, col.width, column_format)
    ws.set_row(header_row, 32)
    first = header_row + 1
    for i, record in enumerate(frame.to_dict("records")):
        r = first + i
        record_id = str(record.get("id", "")).strip()
        before = previous.get(record_id) or {}
        entry = (current or {}).get(record_id) or before
        for c, col in enumerate(columns):
            if col.key == "record_id":
                ws.write_string(r, c, _clean(record_id), fmt["key"])
            elif col.reference:
                _write_reference(ws, r, c, col, record, before, by_code, unit, fmt)
            else:
                _write_value(ws, r, c, col, entry.get(col.key, ""), by_code, fmt)
    last = first + max(len(frame), 1) + 200  # room for rows the 区县 adds
    _stage_dropdown(ws, columns, stages, first, last)
    _date_checks(ws, columns, first, last)
    ws.freeze_panes(first, 2)
    ws.autofilter(header_row, 0, max(first + len(frame) - 1, header_row), len(columns) - 1)
    ws.protect(
        "",
        {"autofilter": True, "sort": True, "format_columns": True, "format_rows": True, "insert_rows": True},
    )
    ws.activate()

    # 填报说明 (the narrative) ---------------------------------------------------------------
    ns = book.add_worksheet(NARRATIVE_SHEET)
    row = 0
    if demo:
        ns.write_string(row, 0, DEMO_LABEL, fmt["demo"])
        row += 1
    ns.write_string(row, 0, f"{county}{period.label}工作简报（文字部分）", fmt["title"])
    ns.write_string(row + 1, 0, "在右侧白色格内填写；每项可写多段。", fmt["note"])
    ns.set_column(0, 0, 18)
    ns.set_column(1, 1, 100)
    for i, (key, text) in enumerate(NARRATIVE):
        r = row + 3 + i
        ns.write_string(r, 0, text, fmt["ref_header"])
        ns.write_string(r, 1, _clean((narrative or {}).get(key, "")), fmt["narrative"])
        ns.set_row(r, 120)
    ns.protect("", {"format_columns": True, "format_rows": True})

    # 说明 -------------------------------------------------------------------------------------
    _guide_sheet(book, fmt, plan, county, period, stages, label, columns, demo)

    # 元数据 (hidden) -------------------------------------------------------------------------
    ms = book.add_worksheet(META_SHEET)
    meta = {
        "kind": TEMPLATE_KIND,
        "version": FORMAT_VERSION,
        "plan": plan.id,
        "county": str(county),
        "period": period.id,
        "unit": label,
        "demo": "是" if demo else "否",
    }
    row = 0
    if demo:
        ms.write_string(row, 0, DEMO_LABEL, fmt["demo"])
        row += 1
    ms.write_string(row, 0, "上传时据此核对规划、区县与填报期，请勿修改。", fmt["note"])
    for i, (key, value) in enumerate(meta.items()):
        ms.write_string(row + 1 + i, 0, META_LABELS[key], fmt["ref_header"])
        ms.write_string(row + 1 + i, 1, _clean(value))
    ms.set_column(0, 0, 14)
    ms.set_column(1, 1, 30)
    ms.protect("")
    ms.hide()
    book.close()
    return buffer.getvalue()


def _formats(book) -> dict:
    grey = {"bg_color": "#ededed", "font_color": "#595959", "border": 1, "border_color": "#c8c8c8"}
    edit = {"locked": False, "border": 1, "border_color": "#c8c8c8"}
    return {
        "demo": book.add_format({"bold": True, "font_size": 14, "font_color": "#c00000"}),
        "title": book.add_format({"bold": True, "font_size": 13}),
        "note": book.add_format({"font_color": "#595959"}),
        "header": book.add_format(
            {"bold": True, "bg_color": "#e6efe9", "border": 1, "text_wrap": True, "valign": "vcenter"}
        ),
        "ref_header": book.add_format(grey | {"bold": True, "text_wrap": True, "valign": "vcenter"}),
        "key": book.add_format({"bg_color": "#f4f7f5", "border": 1, "border_color": "#c8c8c8"}),
        "ref_text": book.add_format(grey),
        "ref_number": book.add_format(grey),
        "edit_text": book.add_format(edit | {"text_wrap": True, "valign": "top"}),
        "edit_stage": book.add_format(edit),
        "edit_number": book.add_format(edit),
        "edit_date": book.add_format(edit | {"num_format": "yyyy-mm-dd"}),
        "narrative": book.add_format(edit | {"text_wrap": True, "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }


def _write_reference(ws, r, c, col: _Column, record: Mapping, before: Mapping, by_code, unit, fmt) -> None:
    if col.key == "ref:name":
        ws.write_string(r, c, _clean(record.get("name")), fmt["ref_text"])
    elif col.key == "ref:county":
        ws.write_string(r, c, _clean(record.get("county")), fmt["ref_text"])
    elif col.key == "ref:area":
        _write_number_or_blank(ws, r, c, _record_area(record, unit), fmt["ref_number"])
    elif col.key == "ref:prev_stage":
        stage = by_code.get(str(before.get("stage", "")))
        ws.write_string(r, c, stage.label if stage else _clean(before.get("stage")), fmt["ref_text"])
    elif col.key == "ref:prev_area":
        _write_number_or_blank(ws, r, c, _number_value(before.get("area", "")), fmt["ref_number"])
    elif col.key == "ref:prev_investment":
        _write_number_or_blank(ws, r, c, _number_value(before.get("investment", "")), fmt["ref_number"])


def _write_number_or_blank(ws, r, c, value: float | None, cell_format) -> None:
    if value is None:
        ws.write_blank(r, c, None, cell_format)
    else:
        ws.write_number(r, c, value, cell_format)


def _write_value(ws, r, c, col: _Column, value: object, by_code, fmt) -> None:
    text = str(value if value is not None else "").strip()
    cell_format = fmt[f"edit_{col.kind}"]
    if not text:
        ws.write_blank(r, c, None, cell_format)
    elif col.kind == "stage":
        stage = by_code.get(text)
        ws.write_string(r, c, stage.label if stage else _clean(text), cell_format)
    elif col.kind == "date" and _date_value(text) is not None:
        ws.write_datetime(r, c, _date_value(text), cell_format)
    elif col.kind == "number" and _number_value(text) is not None:
        ws.write_number(r, c, _number_value(text), cell_format)
    else:
        ws.write_string(r, c, _clean(text), cell_format)


def _stage_dropdown(ws, columns: list[_Column], stages: Sequence[Stage], first: int, last: int) -> None:
    c = next(i for i, col in enumerate(columns) if col.key == "stage")
    labels = [s.label for s in stages]
    options = {
        "validate": "list",
        "input_title": "阶段",
        "input_message": "从列表中选择本期末达到的阶段",
        "error_title": "阶段",
        "error_message": "请从列表中选择：" + "、".join(labels),
        "error_type": "warning",
    }
    if len(",".join(labels)) <= 250:  # Excel's limit on a list written into the rule
        options["source"] = labels
    else:  # the stage table of the 说明 sheet
        options["source"] = (
            f"='{GUIDE_SHEET}'!$B${_STAGE_TABLE_ROW + 2}:$B${_STAGE_TABLE_ROW + 1 + len(labels)}"
        )
    ws.data_validation(first, c, last, c, options)


def _date_checks(ws, columns: list[_Column], first: int, last: int) -> None:
    for c, col in enumerate(columns):
        if col.kind == "date" and not col.reference:
            ws.data_validation(
                first,
                c,
                last,
                c,
                {
                    "validate": "date",
                    "criteria": "between",
                    "minimum": dt.date(1990, 1, 1),
                    "maximum": dt.date(2100, 12, 31),
                    "error_type": "warning",
                    "error_title": col.header,
                    "error_message": "请填写日期，格式 YYYY-MM-DD，如 2024-03-05",
                },
            )


_STAGE_TABLE_ROW = 20  # the row (0-based) of the stage table's header on the 说明 sheet


def _guide_sheet(book, fmt, plan, county, period, stages, label, columns, demo) -> None:
    gs = book.add_worksheet(GUIDE_SHEET)
    gs.set_column(0, 0, 20)
    gs.set_column(1, 1, 22)
    gs.set_column(2, 2, 16)
    gs.set_column(3, 3, 60)
    row = 0
    if demo:
        gs.write_string(row, 0, DEMO_LABEL, fmt["demo"])
        row += 1
    gs.write_string(row, 0, "进展填报模板说明", fmt["title"])
    row += 2
    facts = [
        ("规划", f"{plan.title}（{plan.id}）"),
        ("区县", str(county)),
        ("填报期", period.label),
        ("填报期编号", period.id),
        ("起止日期", f"{period.start.isoformat()} 至 {period.end.isoformat()}"),
        ("报送截止日期", f"{period.due.isoformat()}（逾期报送的将标为逾期）"),
        ("面积单位", f"{label}（累计再开发面积、规划面积）；投资为万元，新增建筑面积为平方米"),
    ]
    for name, value in facts:
        gs.write_string(row, 0, name, fmt["ref_header"])
        gs.write_string(row, 1, _clean(value))
        row += 1
    row += 1
    gs.write_string(row, 0, "填写方法", fmt["title"])
    row += 1
    steps = [
        f"在“{ENTRY_SHEET}”表中逐行填写本区县各记录截至本期末（{period.end.isoformat()}）的情况；"
        "灰色列为参考，上传时不读取；请勿修改编号。",
        "阶段从下拉列表中选择（见下表）；达到某一阶段时须填写该阶段的日期，各阶段日期应先后有序。",
        "日期写成 YYYY-MM-DD，如 2024-03-05（写 2024/3/5、2024年3月5日也可识别）。",
        f"累计再开发面积（{label}）、累计投资（万元）填截至本期末的累计数，不是本期新增数；"
        "比上期减少时须在“变动原因”中说明理由。累计再开发面积不应超过规划面积。",
        f"在“{NARRATIVE_SHEET}”表中填写工作进展及成效、制度建设情况、典型案例、难点问题。",
        f"不要修改隐藏的“{META_SHEET}”表：上传时据此核对规划、区县与填报期。",
        "在“进展填报”页面上传填好的工作簿（或由管理员用命令行导入），检查无误后保存为草稿；"
        "提交后由市里审核，审核通过的数字才计入统计。",
    ]
    for i, step in enumerate(steps, start=1):
        gs.write_string(row, 0, f"{i}.", fmt["note"])
        gs.merge_range(row, 1, row, 3, step, fmt["wrap"])
        gs.set_row(row, 32)
        row += 1
    row = max(row + 1, _STAGE_TABLE_ROW)
    gs.write_string(row, 0, "阶段代码", fmt["ref_header"])
    gs.write_string(row, 1, "阶段", fmt["ref_header"])
    gs.write_string(row, 2, "对应实施阶段", fmt["ref_header"])
    gs.write_string(row, 3, "须填写的日期", fmt["ref_header"])
    headers = {col.key: col.header for col in columns}
    for stage in stages:
        row += 1
        gs.write_string(row, 0, stage.code)
        gs.write_string(row, 1, stage.label)
        gs.write_string(row, 2, stage.plan_stage)
        gs.write_string(row, 3, headers.get(stage.date_field, "—") if stage.date_field else "—（无）")
    row += 2
    gs.write_string(row, 0, "列", fmt["ref_header"])
    gs.merge_range(row, 1, row, 3, "说明", fmt["ref_header"])
    explained = {
        "record_id": "记录（片区或地块）的编号，由系统生成，不要修改",
        "stage": "本期末达到的阶段（下拉选择）",
        "area": f"截至本期末累计完成再开发的面积，单位{label}",
        "investment": "截至本期末累计完成的投资，单位万元",
        "floor_area": "再开发后新增的建筑面积，单位平方米（可不填）",
        "tax_per_mu": "再开发后的亩均税收，单位万元/亩（可不填）",
        "note": "本期进展的简要说明",
        "issues": "存在的问题",
        "reason": "面积、投资减少或阶段倒退时的原因（此时必填）",
    }
    for col in columns:
        if col.reference:
            text = REFERENCE_NOTE
        else:
            text = explained.get(col.key) or ("达到相应阶段的日期，YYYY-MM-DD" if col.kind == "date" else "")
        row += 1
        gs.write_string(row, 0, col.header)
        gs.merge_range(row, 1, row, 3, text, fmt["wrap"])
    gs.protect("")


# --- reading -------------------------------------------------------------------------------------


def _problem(
    severity: str,
    problem: str,
    suggestion: str = "",
    *,
    row: int | None = None,
    column: str = "",
    value: str = "",
) -> Problem:
    return Problem(severity, problem, suggestion, row=row, column=column, value=value)


def _norm(text: object) -> str:
    """A header as compared: NFKC (全角 → 半角), no spaces, no separators, 时间 read as 日期."""
    value = unicodedata.normalize("NFKC", str(text or "")).lower()
    value = re.sub(r"[\s/、·\-_*＊:：]", "", value)
    return value.replace("时间", "日期").replace("()", "")


_BRACKETED = re.compile(r"^(.*?)[(\[](.*)[)\]]$")


def _split_unit(header: str) -> tuple[str, str]:
    """(base, the text in a trailing bracket) of a normalised header: 累计再开发面积(亩) → (…, 亩)."""
    match = _BRACKETED.match(header)
    return (match.group(1), match.group(2)) if match else (header, "")


# other names a column has in 区县 workbooks (compared normalised); the template's own header first
_ALIASES: dict[str, tuple[str, ...]] = {
    "record_id": ("项目编号", "片区编号", "地块编号", "编码", "id", "记录编号"),
    "stage": ("当前阶段", "进展阶段", "实施阶段", "所处阶段", "stage"),
    "approved_on": ("方案批复", "批复日期", "方案批复日期"),
    "supplied_on": ("供地签约", "供地日期", "签约日期", "供地或签约日期"),
    "started_on": ("开工", "开工日期"),
    "completed_on": ("竣工", "竣工日期"),
    "accepted_on": ("验收上图入库", "验收日期", "上图入库日期", "验收或上图入库日期"),
    "area": ("累计再开发面积", "累计盘活面积", "累计完成面积", "再开发面积", "累计完成再开发面积"),
    "investment": ("累计投资", "累计完成投资", "完成投资"),
    "floor_area": ("新增建筑面积",),
    "tax_per_mu": ("亩均税收",),
    "note": ("进展说明", "进展情况", "说明", "备注"),
    "issues": ("存在问题", "问题"),
    "reason": ("变动原因", "原因", "调整原因"),
}
# the columns the template writes for reference: skipped without a word
_REFERENCE_BASES = {"名称", "区县", "规划面积", "项目名称", "片区名称", "地块名称", "面积", "序号"}
_MONEY = {"万元": Decimal(1), "元": Decimal("0.0001"), "亿元": Decimal(10000)}


@dataclass(frozen=True)
class _Mapped:
    key: str
    column: int
    header: str  # as written in the workbook
    unit: str = ""  # area: the unit label of the column; money: its word


def _field_for(header_text: str, unit: str) -> tuple[str, str] | None:
    """(field key, unit) a header names, or None. ``unit`` is the plan's (label)."""
    norm = _norm(header_text)
    base, inside = _split_unit(norm)
    exact = {_norm(h): k for k, h in entry_columns(unit).items()}
    if norm in exact:
        return exact[norm], (unit if exact[norm] == "area" else "")
    for key, names in _ALIASES.items():
        if base in {_norm(n) for n in names} or norm in {_norm(n) for n in names}:
            if key == "area":
                found = find_unit(inside) if inside else None
                if inside and found is None:
                    return None
                return key, found.label if found else ""
            if key == "investment":
                if inside and inside not in _MONEY:
                    return None
                return key, inside or "万元"
            if key == "floor_area":
                found = find_unit(inside) if inside else None
                if inside and found is None:
                    return None
                return key, found.label if found else "平方米"
            if key == "tax_per_mu" and inside and _norm(inside) != _norm("万元/亩"):
                return None
            return key, ""
    return None


def _is_reference(header_text: str) -> bool:
    norm = _norm(header_text)
    return norm.startswith("上期") or _split_unit(norm)[0] in {_norm(b) for b in _REFERENCE_BASES}


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: object) -> str | None:
    """A date as people write it, as ``YYYY-MM-DD``; None when it is not one ('' stays '').

    >>> [parse_date(t) for t in ("2024-03-05", "2024/3/5", "2024年3月5日", "45356", "20240305", "3月5日")]
    ['2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05', None]
    """
    value = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    if not value:
        return ""
    match = _DATE_TEXT.match(value) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
    try:
        if match:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
        if re.fullmatch(r"\d{5}(\.0+)?", value) and 20000 <= int(float(value)) <= 80000:  # a serial
            return (_EXCEL_EPOCH + dt.timedelta(days=int(float(value)))).isoformat()
    except ValueError:  # 2024-02-30
        return None
    return None


def _number_text(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def stage_code(text: object, stages: Sequence[Stage]) -> str | None:
    """The code of the stage ``text`` names (code or label, any width or spacing); None if none.

    A label of two parts (供地/签约, 验收/上图入库) is also found by either part.
    """
    value = _norm(text)
    if not value:
        return ""
    for stage in stages:
        if value in (_norm(stage.code), _norm(stage.label)):
            return stage.code
    for stage in stages:
        parts = [_norm(p) for p in re.split(r"[/／、]", stage.label) if p.strip()]
        if len(parts) > 1 and value in parts:
            return stage.code
    return None


@dataclass
class WorkbookReading:
    """What a workbook gave: entries (each with ``_row``, its Excel row), the narrative, the
    problems of reading it (warnings: the cells' own problems are the rules' to find), and
    its 元数据."""

    entries: list[dict]
    narrative: dict[str, str]
    problems: list[Problem]
    meta: dict[str, str] = field(default_factory=dict)
    sheet: str = ENTRY_SHEET


def _grids(content: bytes):
    from panhuo.importing.readers import read_xlsx_grids

    if not content:
        raise WorkbookError("上传的文件是空的（0 字节）", "请检查是否选错了文件")
    if not content.startswith(b"PK") and not content.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(
            "上传的文件不是 Excel 工作簿（.xlsx）", "请上传由本系统下载的填报模板，填好后以 .xlsx 格式保存"
        )
    try:
        return read_xlsx_grids(content, FILENAME)
    except ImportFailure as failure:
        raise WorkbookError(
            failure.message.replace(f"文件 {FILENAME} ", "该文件"), failure.suggestion
        ) from None


def read_meta(content: bytes) -> dict[str, str]:
    """The 元数据 of a template (keys of :data:`META_LABELS`); {} when it has none.

    Raises :class:`WorkbookError` for a file that is not a readable XLSX.
    """
    return _meta_of(_grids(content))


def _meta_of(grids) -> dict[str, str]:
    by_label = {v: k for k, v in META_LABELS.items()}
    for grid in grids:
        if grid.sheet != META_SHEET:
            continue
        meta = {}
        for cells in grid.rows:
            if len(cells) >= 2 and cells[0].strip() in by_label:
                meta[by_label[cells[0].strip()]] = cells[1].strip()
        return meta
    return {}


def _check_meta(meta: Mapping[str, str], plan: Plan, county: str, period: Period) -> list[Problem]:
    if not meta:
        return [
            _problem(
                "warning",
                f"工作簿中没有“{META_SHEET}”表，无法核对它属于哪个规划、区县和填报期",
                f"已按所选的 {plan.id}、{county}、{period.id} 读取；请确认无误，今后请使用系统下载的模板",
            )
        ]
    download = "请下载所选规划、区县与填报期的模板，把数据复制过去后再上传"
    if meta.get("plan") and meta["plan"] != plan.id:
        raise WorkbookError(
            f"这份工作簿是规划 {meta['plan']} 的填报模板，不是所选规划 {plan.id} 的", download
        )
    if meta.get("county") and meta["county"] != str(county).strip():
        raise WorkbookError(f"这份工作簿是{meta['county']}的填报模板，不是{county}的", download)
    if meta.get("period") and meta["period"] != period.id:
        raise WorkbookError(
            f"这份工作簿是填报期 {meta['period']} 的模板，不是所选的 {period.id}（{period.label}）", download
        )
    return []


def _header_of(grid, unit: str) -> tuple[int, list[_Mapped], list[str]] | None:
    """(row index, mapped columns, unknown headers) of a sheet's header row, or None."""
    for index, cells in enumerate(grid.rows[:30]):
        mapped, unknown = [], []
        for c, text in enumerate(cells):
            if not text.strip():
                continue
            if _is_reference(text):
                continue
            found = _field_for(text, unit)
            if found:
                mapped.append(_Mapped(found[0], c, text.strip(), found[1]))
            else:
                unknown.append(text.strip())
        keys = [m.key for m in mapped]
        if "record_id" in keys and len(set(keys)) >= 2:
            return index, mapped, unknown
    return None


def _entry_sheet(grids, unit: str):
    named = [g for g in grids if g.sheet == ENTRY_SHEET]
    others = [g for g in grids if g.sheet not in (ENTRY_SHEET, NARRATIVE_SHEET, GUIDE_SHEET, META_SHEET)]
    for grid in named + others:
        header = _header_of(grid, unit)
        if header is not None:
            return grid, header
    if not any(g.rows for g in grids):
        raise WorkbookError("工作簿是空的：没有任何内容", f"请在“{ENTRY_SHEET}”表中填写后再上传")
    raise WorkbookError(
        f"找不到填报表：没有一行表头同时含有“编号”和“阶段”“{entry_columns(unit)['area']}”等列",
        f"请使用系统下载的模板，不要删除“{ENTRY_SHEET}”表的表头",
    )


def _narrative_of(grids) -> dict[str, str]:
    labels = {_norm(text): key for key, text in NARRATIVE}
    narrative = {key: "" for key, _ in NARRATIVE}
    ordered = [g for g in grids if g.sheet == NARRATIVE_SHEET] + [
        g for g in grids if g.sheet != NARRATIVE_SHEET
    ]
    for grid in ordered:
        if grid.sheet == ENTRY_SHEET:
            continue
        found = False
        for r, cells in enumerate(grid.rows):
            for c, text in enumerate(cells):
                key = labels.get(_norm(text))
                if key is None:
                    continue
                found = True
                right = next((t for t in cells[c + 1 :] if t.strip()), "")
                below = grid.rows[r + 1][c] if not right and r + 1 < len(grid.rows) else ""
                if not right and _norm(below) in labels:
                    below = ""
                narrative[key] = (right or below).strip()
        if found:
            break
    return narrative


def _figure(text: str) -> Decimal | None:
    from panhuo.progress.validation import parse_figure

    return parse_figure(text)


def _read_cell(key: str, column: _Mapped, text: str, unit: str, stages: Sequence[Stage]) -> str:
    """The entry value of one cell: stages as codes, dates as ``YYYY-MM-DD``, areas in the
    plan's unit. What cannot be read stays as written, for the rules to report at its row."""
    text = text.strip()
    kind = FIELD_KINDS.get(key, "text")
    if not text or kind == "text":
        return text
    if kind == "stage":
        return stage_code(text, stages) or text
    if kind == "date":
        return parse_date(text) or text
    # a number: a unit written in the cell or the header that is not the template's is converted
    if key in ("area", "floor_area"):
        expected = unit if key == "area" else "平方米"
        written = cell_unit(text) or column.unit or expected
        bare = strip_unit(text)[0] if cell_unit(text) else text
        number = _figure(bare)
        if number is None:
            return text
        if written == expected:
            return bare
        converted = convert(number, written, expected)
        return _number_text(converted) if converted is not None else text
    if key == "investment" and (column.unit or "万元") != "万元":
        number = _figure(text)
        return _number_text(number * _MONEY[column.unit]) if number is not None else text
    return text


def read_workbook_full(
    content: bytes, *, plan: Plan, county: str, period: Period, unit: str, stages: Sequence[Stage]
) -> WorkbookReading:
    """:func:`read_workbook`, with the 元数据 read and the sheet the entries came from."""
    label = _unit(unit)
    grids = _grids(content)
    meta = _meta_of(grids)
    problems = _check_meta(meta, plan, county, period)
    grid, (header_index, mapped, unknown) = _entry_sheet(grids, label)
    where = f"“{grid.sheet}”表" if grid.sheet else "填报表"
    header_row = grid.row_numbers[header_index]
    keys = [m.key for m in mapped]
    doubled = sorted({m.header for m in mapped if keys.count(m.key) > 1})
    if doubled:
        raise WorkbookError(f"{where}中有重复的列：{'、'.join(doubled)}", "请删去重复的列，只保留一列")
    for text in unknown:
        problems.append(
            _problem("warning", "未识别的列，已忽略", "列名请与模板一致", row=header_row, column=text)
        )
    columns = []
    for m in mapped:
        if m.key == "area" and not m.unit:
            problems.append(
                _problem(
                    "warning",
                    f"表头没有写面积单位，按{label}读取",
                    f"请写成“{entry_columns(label)['area']}”",
                    row=header_row,
                    column=m.header,
                )
            )
            m = replace(m, unit=label)
        columns.append(m)
    entries: list[dict] = []
    for cells, excel_row in zip(
        grid.rows[header_index + 1 :], grid.row_numbers[header_index + 1 :], strict=True
    ):
        values = {m.key: (cells[m.column] if m.column < len(cells) else "").strip() for m in columns}
        if not any(v for k, v in values.items() if k != "record_id"):
            continue  # an empty row, or a record left as it was given (nothing filled in)
        if values["record_id"] in _TOTAL_IDS:
            continue
        entry = {f.key: "" for f in FIELDS}
        for m in columns:
            entry[m.key] = (
                values[m.key] if m.key == "record_id" else _read_cell(m.key, m, values[m.key], label, stages)
            )
        entry["_row"] = excel_row
        entries.append(entry)
    if not entries:
        raise WorkbookError(f"{where}中没有填写任何内容", "请逐行填写阶段、日期、累计面积等后再上传")
    for p in problems:
        p.sheet = grid.sheet if p.row is not None else ""
    return WorkbookReading(entries, _narrative_of(grids), problems, meta, grid.sheet or ENTRY_SHEET)


def read_workbook(
    content: bytes, *, plan: Plan, county: str, period: Period, unit: str, stages: Sequence[Stage]
) -> tuple[list[dict], dict[str, str], list[Problem]]:
    """A filled template read back: (entries, narrative, problems) — see the module doc.

    Entries are dicts of every :data:`~panhuo.progress.FIELDS` key as text (``""`` empty, dates
    ``YYYY-MM-DD``, stages by code, areas in the plan's unit) plus ``_row``, the Excel row, so
    that :func:`~panhuo.progress.check_entries` places its problems where the 区县 can find
    them. A cell that cannot be read keeps its text: the rules report it. ``problems`` are the
    reading's own (columns not recognised, a workbook without 元数据).

    Raises :class:`WorkbookError` (nothing read) for a file that is not an XLSX, is encrypted
    or damaged, has nothing filled in, or was made for another plan, 区县 or period.
    """
    reading = read_workbook_full(content, plan=plan, county=county, period=period, unit=unit, stages=stages)
    return reading.entries, reading.narrative, reading.problems


# --- the whole upload ---------------------------------------------------------------------------


@dataclass
class WorkbookImport:
    """The outcome of :func:`import_workbook`: written or not, why, and the problems found."""

    ok: bool
    message: str
    problems: list[Problem] = field(default_factory=list)
    report: ReportInfo | None = None
    entries: int = 0
    submitted: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]


def import_workbook(
    progress: Progress,
    actor: User,
    plan: Plan,
    county: str,
    period_id: str,
    content: bytes,
    *,
    submit: bool = False,
    dry_run: bool = False,
    correction_reason: str = "",
    client: str = "",
) -> WorkbookImport:
    """Read a filled template and save it as ``county``'s draft for the period (and submit it).

    The same engine as the page: :meth:`Progress.save_draft` checks the entries with the same
    rules and writes nothing on an error; with ``submit``, :meth:`Progress.submit` follows;
    with ``dry_run`` only the check runs. Raises ``PermissionDenied`` when ``actor`` may not
    report for ``county`` (before the file is read).
    """
    from panhuo.access import Action, require
    from panhuo.progress.validation import ProgressRejected

    require(actor, Action.REPORT, plan.id, county)
    try:
        period = progress.period(plan, period_id)
    except KeyError as exc:
        return WorkbookImport(False, str(exc.args[0] if exc.args else exc))
    try:
        reading = read_workbook_full(
            content,
            plan=plan,
            county=county,
            period=period,
            unit=plan.area_unit,
            stages=progress.stages(plan),
        )
    except WorkbookError as exc:
        return WorkbookImport(False, str(exc))
    count = len(reading.entries)
    where = f"{county} {period.label}（{period.id}）"

    def failed(
        message: str, found: Iterable[Problem] = (), report: ReportInfo | None = None
    ) -> WorkbookImport:
        return WorkbookImport(False, message, _merged(reading.problems, found, reading.sheet), report, count)

    if dry_run:
        _cleaned, found = progress.check(plan, county, period.id, reading.entries)
        problems = _merged(reading.problems, found, reading.sheet)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            return WorkbookImport(False, f"有 {len(errors)} 处错误，不能保存", problems, None, count)
        return WorkbookImport(True, f"检查通过（未保存）：{where}，{count} 条记录", problems, None, count)
    try:
        report = progress.save_draft(
            actor, plan, county, period.id, reading.entries, reading.narrative,
            correction_reason=correction_reason, client=client,
        )  # fmt: skip
    except ProgressRejected as exc:
        return failed(str(exc), exc.problems)
    except ValueError as exc:  # the workflow refuses (submitted and waiting, period not begun …)
        return failed(f"未保存：{exc}")
    if not submit:
        return WorkbookImport(
            True, f"已保存草稿：{where}，{count} 条记录", list(reading.problems), report, count
        )
    try:
        report = progress.submit(actor, plan, county, period.id, client=client)
    except ProgressRejected as exc:
        return failed(f"草稿已保存，但未能提交：{exc}", exc.problems, report)
    except ValueError as exc:
        return failed(f"草稿已保存，但未能提交：{exc}", (), report)
    late = "（逾期报送）" if report.late else ""
    return WorkbookImport(
        True, f"已提交：{where}，{count} 条记录{late}", list(reading.problems), report, count, True
    )


def _merged(first: Iterable[Problem], second: Iterable[Problem], sheet: str) -> list[Problem]:
    """Both lists; the rules' problems placed on the workbook's sheet."""
    merged = list(first)
    for p in second:
        merged.append(replace(p, sheet=p.sheet or (sheet if p.row is not None else "")))
    return merged
