"""The rules a progress report must pass, each written once, for the page, the workbook and the
command line alike. :func:`check_entries` cleans the entries (stage codes, ISO dates, numbers
without separators) and lists every problem in the import report's shape (row, column, value,
problem, suggestion); any ``error`` means nothing is written.

Rules:
- every entry names a record of the plan (unknown ids are listed, never dropped), once, of the
  report's 区县 (records of another 区县 are refused);
- the stage is one of the plan's stages; it never goes back from the last approved period
  without a 变动原因;
- once a stage is reached its date is given, no date is given for a stage not reached, dates
  follow the stages' order and none is after today (after the period's end: a warning);
- figures are numbers ≥ 0; cumulative area and investment never fall from the last approved
  period without a 变动原因;
- the area redeveloped never exceeds the record's area: within the record's printed precision
  it is a warning, beyond it an error.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd

from panhuo import units
from panhuo.importing.report import Problem as ReportProblem
from panhuo.progress.fields import FIELD_BY_KEY, KEYS, NUMBER_KEYS, TEXT_KEYS, TEXT_MAX, entry_columns
from panhuo.progress.periods import Period
from panhuo.progress.stages import Stage, parse_stage, stage_of


@dataclass
class Problem(ReportProblem):
    """One problem of a progress report; ``record_id`` names the record when there is one."""

    record_id: str = ""


class ProgressRejected(ValueError):
    """A report with errors: nothing was written. ``problems`` lists them all (and warnings)."""

    def __init__(self, problems: Sequence[Problem], message: str = ""):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        super().__init__(
            message or f"填报有 {len(errors)} 处错误，未保存任何内容：{errors[0].problem if errors else ''}"
        )


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－／", "0123456789.,-/")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def parse_figure(text: object) -> Decimal | None:
    """A figure as typed: digits with an optional sign, decimals and thousands separators
    (full-width too). Words such as 约 are refused: a cumulative figure is a measurement.

    >>> parse_figure("1,234.50"), parse_figure("１２"), parse_figure("约3")
    (Decimal('1234.50'), Decimal('12'), None)
    """
    raw = str(text if text is not None else "").strip().translate(_FULLWIDTH).replace(" ", "")
    raw = re.sub(r"(?<=\d),(?=\d{3}(\D|$))", "", raw)
    if not _NUMBER.fullmatch(raw):
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
        return None


def parse_day(value: object) -> dt.date | None:
    """A date from a date object or text (2024-03-05, 2024/3/5, 2024年3月5日); None if not one."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    raw = str(value or "").strip().translate(_FULLWIDTH)
    raw = re.sub(r"\s+00:00(:00)?$", "", raw)
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp) and pd.isna(value):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _tolerance(area_text: str, unit: str) -> Decimal:
    """Half a unit of the record area's last printed digit, in hectares."""
    decimals = units.decimals_of(area_text)
    return units.to_ha(Decimal(5) * Decimal(10) ** (-decimals - 1), unit) or Decimal(0)


def check_entries(
    entries: Iterable[Mapping],
    *,
    records: pd.DataFrame,
    county: str,
    previous: Mapping[str, Mapping],
    stages: Sequence[Stage],
    unit: str,
    period: Period,
    today: dt.date,
    following: Mapping[str, tuple[str, Mapping]] | None = None,
) -> tuple[list[dict], list[Problem]]:
    """Clean and check a report's entries. ``records``: the plan's records (``id``, ``county``,
    ``area``, ``area_unit``); ``previous``: record id → last approved entry before ``period``;
    ``following``: record id → (period id, first approved entry after ``period``), for a
    correction or a late report, which must not rise above what was approved later.
    Each entry may carry ``_row`` (its row in the table or workbook, for the report)."""
    headers = entry_columns(unit)
    by_id = {str(r["id"]).strip(): r for r in records.to_dict("records")} if not records.empty else {}
    problems: list[Problem] = []
    cleaned: list[dict] = []
    seen: dict[str, int | None] = {}

    for index, raw in enumerate(entries):
        row = raw.get("_row", index + 1)
        entry = _check_entry(
            raw,
            int(row) if row is not None else None,
            problems=problems,
            seen=seen,
            by_id=by_id,
            county=county,
            previous=previous,
            following=following or {},
            stages=stages,
            unit=unit,
            period=period,
            today=today,
            headers=headers,
        )
        if entry is not None:
            cleaned.append(entry)
    return cleaned, problems


def _check_entry(
    raw: Mapping,
    row: int | None,
    *,
    problems: list[Problem],
    seen: dict[str, int | None],
    by_id: dict,
    county: str,
    previous: Mapping[str, Mapping],
    following: Mapping[str, tuple[str, Mapping]],
    stages: Sequence[Stage],
    unit: str,
    period: Period,
    today: dt.date,
    headers: dict[str, str],
) -> dict | None:
    """Clean and check one entry (problems are appended); None when it cannot be used at all."""
    entry = {key: _text(raw.get(key)) for key in KEYS}
    rid = entry["record_id"]

    def problem(key: str, text: str, suggestion: str = "", severity: str = "error", value: str | None = None):
        problems.append(
            Problem(
                severity,
                text,
                suggestion,
                row=row,
                column=headers.get(key, key),
                value=entry.get(key, "") if value is None else value,
                record_id=rid,
            )
        )

    if not rid:
        problem("record_id", "缺少编号", "填写规划中的片区/地块编号（见模板或“明细”页）")
        return None
    if rid in seen:
        problem("record_id", f"编号 {rid} 重复（另见第 {seen[rid]} 行）", "每个片区/地块只填一行")
        return None
    seen[rid] = row
    record = by_id.get(rid)
    if record is None:
        problem(
            "record_id",
            f"编号 {rid} 不在本规划的片区/地块中",
            "核对编号；新增的片区/地块须先由分析人员导入规划数据",
        )
        return None
    record_county = str(record.get("county") or "").strip()
    if record_county != county:
        problem(
            "record_id",
            f"编号 {rid} 属于{record_county or '（未填区县）'}，不属于本报告的{county}",
            "只能填报本区县的片区/地块",
        )
        return None
    before = previous.get(rid) or {}
    reason = entry["reason"]

    # --- stage -------------------------------------------------------------------------
    stage = parse_stage(entry["stage"], stages) if entry["stage"] else None
    if entry["stage"] and stage is None:
        problem("stage", f"未知的阶段“{entry['stage']}”", "可选：" + "、".join(s.label for s in stages))
    if stage is not None:
        entry["stage"] = stage.code
        last = stage_of(str(before.get("stage") or ""), stages)
        if last is not None and stage.order < last.order:
            text = f"阶段由上期的“{last.label}”退回“{stage.label}”"
            if reason:
                problem("stage", text + "（已说明原因）", "", "warning", stage.label)
            else:
                problem(
                    "stage",
                    text + "，未说明原因",
                    "在“变动原因”中写明原因，或改回上期阶段",
                    value=stage.label,
                )

    # --- dates -------------------------------------------------------------------------
    dates: dict[str, dt.date] = {}
    for candidate in stages:
        key = candidate.date_field
        if not key:
            continue
        text = entry[key]
        if not text:
            continue
        day = parse_day(raw.get(key)) or parse_day(text)
        if day is None:
            problem(key, "不是日期", "按 2024-03-05 的格式填写")
            continue
        entry[key] = day.isoformat()
        dates[key] = day
        if day > today:
            problem(key, "日期晚于今天", "填写已经发生的日期")
        elif day > period.end:
            problem(
                key, f"日期晚于本期截止日 {period.end.isoformat()}", "如属实可保留（将记入本期）", "warning"
            )
    if stage is not None:
        reached = [s for s in stages if s.date_field and s.order <= stage.order]
        for s in reached:
            if s.date_field not in dates and not entry[s.date_field]:
                problem(
                    s.date_field,
                    f"已到“{stage.label}”阶段，须填写{FIELD_BY_KEY[s.date_field].header}",
                    "填写该阶段的实际日期",
                )
        for s in stages:
            if s.date_field and s.order > stage.order and s.date_field in dates:
                problem(
                    s.date_field,
                    f"填写了{FIELD_BY_KEY[s.date_field].header}，但阶段为“{stage.label}”",
                    f"将阶段改为“{s.label}”或以后，或删去该日期",
                )
    elif dates:
        problem("stage", "填写了日期但没有填写阶段", "选择本期末所处的阶段")
    ordered = [(s, dates[s.date_field]) for s in stages if s.date_field in dates]
    for (first, day1), (second, day2) in itertools.pairwise(ordered):
        if day2 < day1:
            problem(
                second.date_field,
                f"{FIELD_BY_KEY[second.date_field].header} {day2.isoformat()} 早于{FIELD_BY_KEY[first.date_field].header} {day1.isoformat()}",
                "按阶段先后核对日期",
            )

    # --- what was approved before and after may not be erased or overtaken ---------------
    last_stage = stage_of(str(before.get("stage") or ""), stages)
    for key, word, shown in (
        ("stage", "阶段", last_stage.label if last_stage else ""),
        ("area", "累计再开发面积", str(before.get("area") or "")),
        ("investment", "累计投资", str(before.get("investment") or "")),
    ):
        if shown and not entry[key]:
            text = f"{word}留空，上期已通过的为“{shown}”"
            if reason:
                problem(key, text + "（已说明原因）", "", "warning")
            else:
                problem(key, text + "，未说明原因", "未变化请照填上期数值；确需清空的，在“变动原因”中写明")
    later_period, after = following.get(rid, ("", {}))
    if after:
        later_stage = stage_of(str(after.get("stage") or ""), stages)
        over: list[tuple[str, str]] = []
        if stage is not None and later_stage is not None and stage.order > later_stage.order:
            over.append(
                ("stage", f"阶段“{stage.label}”晚于以后一期（{later_period}）已通过的“{later_stage.label}”")
            )
        for key, word in (("area", "累计再开发面积"), ("investment", "累计投资")):
            mine, theirs = parse_figure(entry[key]), parse_figure(after.get(key, ""))
            if mine is not None and theirs is not None and mine > theirs:
                over.append(
                    (key, f"{word} {entry[key]} 高于以后一期（{later_period}）已通过的 {after.get(key)}")
                )
        for key, text in over:
            if reason:
                problem(key, text + "（已说明原因）", "以后各期也须相应更正", "warning")
            else:
                problem(
                    key,
                    text + "，未说明原因",
                    "累计数和阶段不能比以后一期还多；如属更正，写明原因并更正以后各期",
                )

    # --- figures -----------------------------------------------------------------------
    figures: dict[str, Decimal] = {}
    for key in NUMBER_KEYS:
        text = entry[key]
        if not text:
            continue
        number = parse_figure(text)
        if number is None:
            problem(key, "不是数字", "只填数字，单位见列名")
            continue
        if number < 0:
            problem(key, "不能为负数", "填写自开始实施以来的累计数")
            continue
        entry[key] = text.translate(_FULLWIDTH).replace(",", "").replace(" ", "")
        figures[key] = number
    for key, word in (("area", "累计再开发面积"), ("investment", "累计投资")):
        last_value = parse_figure(before.get(key, "")) if before.get(key) else None
        if key in figures and last_value is not None and figures[key] < last_value:
            text = f"{word}由上期的 {before.get(key)} 减少为 {entry[key]}"
            if reason:
                problem(key, text + "（已说明原因）", "", "warning")
            else:
                problem(key, text + "，未说明原因", "累计数不应减少；如属更正，在“变动原因”中写明")
    if "area" in figures:
        record_ha = units.to_ha(record.get("area"), str(record.get("area_unit") or unit))
        entry_ha = units.to_ha(figures["area"], unit)
        if record_ha is not None and entry_ha is not None and entry_ha > record_ha:
            allowed = _tolerance(str(record.get("area")), str(record.get("area_unit") or unit))
            shown = f"{record.get('area')}{record.get('area_unit') or unit}"
            if entry_ha - record_ha <= allowed:
                problem(
                    "area", f"累计再开发面积略大于该记录面积 {shown}（在取整误差内）", "核对面积", "warning"
                )
            else:
                problem(
                    "area",
                    f"累计再开发面积超过该记录面积 {shown}",
                    "不能超过规划中该片区/地块的面积；如面积有变化，请分析人员更新规划数据",
                )
    for key in TEXT_KEYS:
        if len(entry[key]) > TEXT_MAX:
            problem(
                key,
                f"内容过长（{len(entry[key])} 字，上限 {TEXT_MAX} 字）",
                "精简后再填",
                value=entry[key][:40] + "…",
            )
    entry["_row"] = row
    return entry


def errors_in(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
