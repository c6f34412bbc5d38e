"""Figures the pages show, computed from a plan (no Streamlit here).

Each function takes a plan and/or its filtered records and returns plain data: numbers with
their display text, or DataFrames ready for a chart builder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from panhuo.aggregate import (
    EMPTY_KEY,
    exact_area_ha,
    for_totals,
    group_totals,
    grouped,
    named,
    record_count,
    varied,
)
from panhuo.export import Rate, SummaryTable
from panhuo.model import Plan
from panhuo.nouns import count_note, measure_word, type_column, type_label
from panhuo.nouns import noun as dataset_noun
from panhuo.reconcile import SEVERITIES, SEVERITY_LABELS
from panhuo.units import format_area, format_number, from_ha, parse_number, to_ha, unit_code, unit_label

UNDER_WAY = "正在实施"


@dataclass(frozen=True)
class Metric:
    label: str
    value: str
    help: str = ""
    delta: str | None = None


def parse_date(text: object, end: bool = False) -> date | None:
    """A date from ``2025``, ``2025-12`` or ``2025-12-17``; ``end`` picks the last day."""
    raw = str(text or "").strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", raw)
    if not match:
        return None
    year, month, day = match.groups()
    y = int(year)
    if month is None:
        return date(y, 12, 31) if end else date(y, 1, 1)
    m = int(month)
    if day is None:
        if not end:
            return date(y, m, 1)
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    return date(y, m, int(day))


def period_position(plan: Plan, today: date) -> tuple[float | None, str]:
    """Where ``today`` falls in the plan period: (fraction 0-1 or None, Chinese sentence)."""
    start, end = plan.period
    if not start or not end:
        return None, "文件未载明规划期限"
    first, last = date(start, 1, 1), date(end, 12, 31)
    if today < first:
        return 0.0, f"规划期 {start}—{end} 年，尚未开始"
    if today > last:
        return 1.0, f"规划期 {start}—{end} 年，已于 {end} 年底结束"
    fraction = (today - first).days / (last - first).days
    return fraction, f"规划期 {start}—{end} 年，已过 {fraction:.0%}（今天 {today:%Y-%m-%d}）"


def status_text(plan: Plan, today: date) -> str:
    if plan.is_consultation:
        until = plan.meta.get("comment_until", "")
        if plan.consultation_open(today):
            return f"征求意见中，截止 {until}"
        return f"征求意见已于 {until} 截止"
    return "现行有效"


COMPARATORS = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "=": ""}


@dataclass(frozen=True)
class AreaTarget:
    """A plan-wide area target: the value in hectares and the words of the document."""

    value_ha: Decimal
    printed: str  # the value as printed (``20000``)
    unit: str  # the unit as printed (``亩``)
    comparator: str = "="
    deadline: str = ""

    @property
    def text(self) -> str:
        """``≥ 20000 亩（2027年）`` — the target in the document's words."""
        sign = COMPARATORS.get(self.comparator, self.comparator)
        when = (
            f"（{self.deadline}年）"
            if re.fullmatch(r"\d{4}", self.deadline)
            else (f"（{self.deadline}）" if self.deadline else "")
        )
        return f"{sign + ' ' if sign else ''}{self.printed} {self.unit}{when}"


def plan_area_target(plan: Plan) -> AreaTarget | None:
    """The plan's final area target (the latest deadline: 上党区 has one for 2025 and one for 2035)."""
    targets = plan.targets
    rows = targets[(targets["scope_kind"] == "plan") & (targets["metric"] == "area")]
    rows = rows.assign(_end=rows["deadline"].map(lambda d: parse_date(d, end=True) or date.min))
    for row in rows.sort_values("_end", ascending=False, kind="stable").itertuples():
        value = to_ha(row.value, row.unit or plan.area_unit)
        if value is not None:
            return AreaTarget(value, str(row.value), row.unit or plan.area_unit,
                              str(row.comparator or "="), str(row.deadline or ""))  # fmt: skip
    return None


def period_end_year(period: object) -> int | None:
    """The last year a phase or period names: ``2021-2025`` → 2025; None without a year."""
    years = re.findall(r"\d{4}", str(period))
    return int(years[-1]) if years else None


def near_term(plan: Plan, records: pd.DataFrame) -> pd.DataFrame:
    """Records whose phase ends by the plan's near-term year (上党区: 2021-2025)."""
    end = plan.meta.get("near_term_end")
    if not end or "phase" not in records:
        return records.iloc[0:0]

    phases = records["phase"]
    ends = phases.map({p: period_end_year(p) for p in pd.unique(phases)}).astype("float64")  # once per phase
    return records[(ends.notna() & (ends <= int(end))).to_numpy()]


def headline(plan: Plan, records: pd.DataFrame, dataset: str, unit: str) -> list[Metric]:
    """The 总览 figures: count, area, share under way, target coverage, near term."""
    code = unit_code(unit)
    label = unit_label(code)
    noun, what = measure_word(dataset), dataset_noun(dataset)
    total_ha = exact_area_ha(records)
    metrics = [
        Metric(
            f"{what}数量",
            f"{record_count(records):,} {noun}",
            count_note(dataset),
        ),
        Metric(f"{what}面积", f"{format_area(total_ha, code)} {label}"),
    ]
    if named(records, "stage"):
        under = exact_area_ha(for_totals(records)[(records["stage"] == UNDER_WAY).to_numpy()])
        share = under / total_ha * 100 if total_ha else Decimal(0)
        metrics.append(
            Metric(
                "正在实施面积占比",
                f"{format_number(share, 1)}%",
                f"正在实施 {format_area(under, code)} {label}",
            )
        )
    target = plan_area_target(plan)
    if target is not None:
        year = f"{target.deadline}年" if re.fullmatch(r"\d{4}", target.deadline) else target.deadline
        metrics.append(
            Metric(
                f"面积目标（{year}）" if year else "面积目标",
                f"{format_area(target.value_ha, code)} {label}",
                f"原文：{target.text}",
            )
        )
        coverage = total_ha / target.value_ha * 100 if target.value_ha else Decimal(0)
        metrics.append(
            Metric(
                "目标覆盖率",
                f"{format_number(coverage, 1)}%",
                f"清单面积 ÷ 目标面积（{target.text}）",
            )
        )
    near = near_term(
        plan, for_totals(records).assign(phase=records["phase"]) if "phase" in records else records
    )
    if len(near):
        year = plan.meta["near_term_end"]
        metrics.append(Metric(f"近期{what}（至{year}年）", f"{record_count(near)} {noun}"))
        metrics.append(Metric(f"近期面积（至{year}年）", f"{format_area(exact_area_ha(near), code)} {label}"))
    return metrics


def totals_by(records: pd.DataFrame, by: str, unit: str) -> pd.DataFrame:
    """Count and area per value of ``by`` with display text, for charts and tables."""
    groups = group_totals(records, by, unit)
    groups["area_text"] = [format_area(to_ha(a, unit), unit) for a in groups["area"]]
    return groups


SPLIT_COLUMNS = ["county", "split", "area_value", "count", "area"]


def county_split(records: pd.DataFrame, unit: str) -> tuple[pd.DataFrame, str]:
    """Area per 区县 split by 实施阶段, or by 实施时序 when no record names a stage (上党区).

    Returns the long frame (county, split, area_value, count, and the exact ``area``) and the
    Chinese name of the split.
    """
    by, label = "stage", "实施阶段"
    if not named(records, "stage") and named(records, "phase"):
        by, label = "phase", "实施时序"
    keys = records[by].astype(str).str.strip() if by in records else pd.Series("", index=records.index)
    sums = grouped(records, {"county": records["county"], "split": keys.replace("", EMPTY_KEY)}, unit)
    sums["area_value"] = sums["area"].map(float)
    rows = sums[SPLIT_COLUMNS].to_dict("records")
    return pd.DataFrame(rows, columns=SPLIT_COLUMNS), label


def target_metrics(plan: Plan, records: pd.DataFrame, unit: str) -> list[Metric]:
    """区县目标's first row: the area target, the listed area and the coverage."""
    target = plan_area_target(plan)
    if target is None:
        return []
    code = unit_code(unit)
    label = unit_label(code)
    listed = exact_area_ha(records)
    coverage = listed / target.value_ha * 100 if target.value_ha else Decimal(0)
    return [
        Metric("面积目标", f"{format_area(target.value_ha, code)} {label}", f"原文：{target.text}"),
        Metric("清单面积", f"{format_area(listed, code)} {label}", "当前筛选条件下的清单面积"),
        Metric("覆盖率", f"{format_number(coverage, 1)}%", "清单面积 ÷ 面积目标"),
    ]


def counts_against_targets(plan: Plan, records: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Per category: target count, listed count (湖州 38/13/14/1)."""
    targets = plan.targets
    rows = targets[(targets["scope_kind"] == "category") & (targets["metric"] == "count")]
    column = type_column(dataset)
    result = []
    for row in rows.itertuples():
        listed = record_count(records[records[column] == row.scope]) if column in records else 0
        target = parse_number(row.value)
        result.append(
            {
                "category": row.scope,
                "target": int(target) if target is not None else None,
                "listed": listed,
                "deadline": row.deadline,
                "note": row.note,
            }
        )
    return pd.DataFrame(result, columns=["category", "target", "listed", "deadline", "note"])


def breakdowns(records: pd.DataFrame, dataset: str) -> list[tuple[str, str]]:
    """The two most telling breakdowns of the records for small charts: (field, Chinese label)."""

    first = next(
        (
            (f, label)
            for f, label in (("county", "区县"), ("zone", "片区"), ("place", "乡镇/村"))
            if varied(records, f)
        ),
        ("county", "区县"),
    )
    second = (type_column(dataset), type_label(dataset))
    return [first, second]


def county_targets(plan: Plan, records: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Per 区县 with an area target: target, listed area, coverage (empty when none is set)."""
    targets = plan.targets
    rows = targets[(targets["scope_kind"] == "county") & (targets["metric"] == "area")]
    result = []
    for row in rows.itertuples():
        target = to_ha(row.value, row.unit or plan.area_unit)
        listed = exact_area_ha(records[records["county"] == row.scope]) if "county" in records else Decimal(0)
        result.append(
            {
                "county": row.scope,
                "target": float(from_ha(target, unit)) if target is not None else None,
                "listed": float(from_ha(listed, unit)),
                "coverage": float(listed / target * 100) if target else None,
            }
        )
    return pd.DataFrame(result, columns=["county", "target", "listed", "coverage"])


def county_targets_summary(plan: Plan, records: pd.DataFrame, unit: str) -> SummaryTable:
    """:func:`county_targets` with Chinese headers, figures as numbers (覆盖率 in percent points):
    区县, 目标（亩）, 清单（亩）, 覆盖率; its 合计 row sums target and listed area and recomputes
    覆盖率 from them."""
    frame = county_targets(plan, records, unit)
    label = unit_label(unit_code(unit))
    target, listed = f"目标（{label}）", f"清单（{label}）"
    numbers = pd.DataFrame(
        {
            "区县": frame["county"],
            target: frame["target"].astype(float),
            listed: frame["listed"].astype(float),
            "覆盖率": frame["coverage"].astype(float),
        }
    )
    return SummaryTable(numbers, {"覆盖率": Rate(listed, target)})


def county_stage_summary(
    records: pd.DataFrame, unit: str, split: tuple[pd.DataFrame, str] | None = None
) -> tuple[SummaryTable, str]:
    """The figures of 区县目标's stacked chart as a table: one row per 区县 (in the records'
    order), one area column per 实施阶段 (or 实施时序, :func:`county_split`) in order of first
    appearance, the 区县's 合计 area and its count; the 合计 row sums every column. Returns the
    table and the split's Chinese name. ``split`` is what :func:`county_split` returned for the
    same records and unit, when the caller has it already (区县目标's chart).

    >>> records = pd.DataFrame({"county": ["甲", "甲", "乙"], "stage": ["正在实施", "谋划", "正在实施"],
    ...                         "area": ["10", "5", "7.5"], "area_unit": ["亩"] * 3})
    >>> table, label = county_stage_summary(records, "mu")
    >>> table.shown().values.tolist(), label
    ([['甲', '10', '5', '15', '2'], ['乙', '7.5', '0', '7.5', '1'], ['合计', '17.5', '5', '22.5', '3']], '实施阶段')
    """
    frame, split_label = split if split is not None else county_split(records, unit)
    label = unit_label(unit_code(unit))
    splits = list(dict.fromkeys(frame["split"]))
    counties = list(dict.fromkeys(frame["county"]))
    area = frame.pivot_table(index="county", columns="split", values="area_value", aggfunc="sum")
    counts = frame.groupby("county", sort=False)["count"].sum()
    table = pd.DataFrame({"区县": counties})
    for split in splits:
        # a 区县 with no record at a stage has 0 there (not an unknown)
        table[f"{split}（{label}）"] = [
            0.0 if pd.isna(area.at[c, split]) else float(area.at[c, split]) for c in counties
        ]
    totals: dict = {}  # exact: the sum of each 区县's exact split areas
    for county, area in zip(frame["county"], frame["area"], strict=True):
        totals[county] = totals.get(county, Decimal(0)) + area
    table[f"合计（{label}）"] = [float(totals[c]) if c in totals else 0.0 for c in counties]
    table["个数"] = [int(counts[c]) for c in counties]
    return SummaryTable(table), split_label


TARGET_METRIC_LABELS = {
    "area": "面积",
    "count": "个数",
    "investment_intensity": "投资强度",
    "tax_per_mu": "亩均税收",
    "far": "容积率",
    "investment_intensity_growth": "投资强度增幅",
    "far_increase": "容积率提高",
    "density_increase": "建筑密度提高",
}


def targets_table(plan: Plan) -> pd.DataFrame:
    """All of a plan's targets in Chinese, as printed."""
    frame = plan.targets
    return pd.DataFrame(
        {
            "范围": frame["scope"],
            "指标": frame["metric"].map(lambda m: TARGET_METRIC_LABELS.get(m, m)),
            "目标": [
                f"{COMPARATORS.get(c, c)} {v}".strip()
                for c, v in zip(frame["comparator"], frame["value"], strict=True)
            ],
            "单位": frame["unit"],
            "期限": frame["deadline"],
            "说明": frame["note"],
            "出处": frame["source"],
        }
    )


def plain_number(value: object) -> str:
    """A figure as a reader expects it: thousands separators, no trailing zeros, — for none.

    >>> plain_number(1438.0), plain_number(-0.1), plain_number(None)
    ('1,438', '-0.1', '—')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    number = Decimal(str(value)).quantize(Decimal("0.0001"))
    text = f"{number:,.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def audit_headline(findings: list, found: list) -> str:
    """The counts of 数据核查 in one sentence: causes first, with the checks they explain.

    ``findings`` is :func:`panhuo.reconcile.reconcile`, ``found`` its
    :func:`panhuo.causes.causes`.
    """
    counts = {s: 0 for s in SEVERITIES}
    for finding in findings:
        counts[finding.severity] += 1
    conventions = sum(1 for f in findings if f.severity == "rounding" and "印刷惯例" in f.note)
    problems = sum(c.checks for c in found)
    head = f"问题 {len(found)} 个（涉及 {problems} 项核查）" if found else "未发现问题"
    rounding = f"舍入误差 {counts['rounding']}" + (f"（其中印刷惯例 {conventions}）" if conventions else "")
    return f"{head}；共核查 {len(findings)} 项：一致 {counts['ok']}，{rounding}"


def cause_rows(found: list) -> pd.DataFrame:
    """One row per failing check, under its cause, in Chinese (the 问题清单 download)."""
    from panhuo.reconcile import size_text

    rows = [
        {
            "问题": cause.id,
            "问题结论": SEVERITY_LABELS[cause.severity],
            "问题概述": cause.title,
            "本项结论": SEVERITY_LABELS[f.severity],
            "位置": f.location,
            "核查项": f.label or f.item,
            "原文": f.quote,
            "核算": f.arithmetic,
            "差值": size_text(f),
            "说明": f.note,
        }
        for cause in found
        for f in cause.findings
    ]
    columns = ["问题", "问题结论", "问题概述", "本项结论", "位置", "核查项", "原文", "核算", "差值", "说明"]
    return pd.DataFrame(rows, columns=columns)


AUDIT_COLUMNS = {
    "severity_label": "结论",
    "cause": "问题",
    "location": "位置",
    "label": "核查项",
    "documented": "文件数值",
    "computed": "计算数值",
    "difference": "差值",
    "tolerance": "允许误差",
    "unit": "单位",
    "arithmetic": "核算",
    "note": "说明",
}


def audit_table(findings: pd.DataFrame, severities: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Findings of the chosen severities, documented and computed values side by side, in Chinese.

    ``findings`` is :func:`panhuo.reconcile.findings_frame`; an empty selection means all.
    """
    shown = findings[findings["severity"].isin(severities)] if severities else findings
    table = shown[list(AUDIT_COLUMNS)].copy()
    for column in ("documented", "computed", "difference", "tolerance"):
        table[column] = table[column].map(plain_number)
    return table.rename(columns=AUDIT_COLUMNS).reset_index(drop=True)


def audit_summary(findings: pd.DataFrame, severities: list[str] | tuple[str, ...]) -> SummaryTable:
    """:func:`audit_table` with the figures as numbers (for downloads), each with as many
    decimals as it has: the findings are of mixed units and precision. No 合计 row — adding up
    figures of different tables and units means nothing."""
    shown = findings[findings["severity"].isin(severities)] if severities else findings
    table = shown[list(AUDIT_COLUMNS)].copy()
    figures = ("documented", "computed", "difference", "tolerance")
    for column in figures:
        table[column] = [None if v is None or pd.isna(v) else float(v) for v in table[column]]
    table = table.rename(columns=AUDIT_COLUMNS).reset_index(drop=True)
    return SummaryTable(table, dict.fromkeys((AUDIT_COLUMNS[c] for c in figures), "plain"), ())


def audit_note(
    counts: dict[str, int], chosen: list[str] | tuple[str, ...], shown: int, total: int, headline: str = ""
) -> str:
    """The lines a download of 数据核查 carries: the causes (``headline``, :func:`audit_headline`),
    the counts per conclusion, which were chosen."""
    counted = "；".join(f"{SEVERITY_LABELS[s]} {counts.get(s, 0)} 项" for s in SEVERITIES)
    picked = "、".join(SEVERITY_LABELS[s] for s in (chosen or SEVERITIES))
    head = f"{headline}\n" if headline else ""
    return f"{head}核查结果：{counted}\n本表结论：{picked}（{shown} / {total} 项）"


def outline_metrics(plan: Plan) -> list[Metric]:
    """总览 of a plan without a parcel or 片区 list (聊城, 乌鲁木齐): what it does carry.

    Counts agree with 政策与任务: the main measures (乌鲁木齐 18) apart from their sub-items and
    from modes and policies; departments are those named as lead or responsible anywhere.
    """
    from panhuo import policy

    frame = policy.measures(plan)
    main, subs, others = policy.kind_counts(frame)
    named = set(policy.responsibilities(plan, include_stages=True)["department"])
    named |= {str(n) for n in plan.departments.get("name", pd.Series(dtype=str)) if str(n).strip()}
    return [
        Metric("任务措施", f"{main} 项" if main else "—", help=f"另有子项 {subs} 项" if subs else ""),
        Metric("模式、政策等", f"{others} 项" if others else "—"),
        Metric("阶段与时间节点", f"{len(plan.milestones)} 个" if len(plan.milestones) else "—"),
        Metric("涉及部门", f"{len(named)} 个" if named else "—", help="牵头或责任单位，及领导小组成员单位"),
    ]
