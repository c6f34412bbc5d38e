"""Potential (潜力) and intensity (容积率/建筑密度) of a plan, as tidy frames for the pages.

Tables are picked by their ``role`` in ``tables.toml``:

- ``potential_scale`` / ``potential_economic``: rows (类型 or 用途) × 低/中/高潜力区, each level
  with a value column ``<level>_规模`` and a share column ``<level>_占比`` (上党区 附表4-7);
- ``potential_theoretical`` / ``potential_realizable``: the same 片区 rows, once assuming
  every parcel is redeveloped and once what is realizable (无为市 表4-2, 表4-3);
- ``intensity``: 容积率/建筑密度 before and after, paired by the table's ``changes`` (无为 表6-2);
- ``intensity_guidance``: the ranges the plan prescribes (上党区 分类引导).

Values stay as printed until they are parsed here; a value outside a table's ``ranges`` is
invalid and never returned as plottable.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from panhuo.model import Plan, PublishedTable
from panhuo.ranges import within
from panhuo.units import (
    format_number,
    from_ha,
    is_area_unit,
    parse_number,
    to_ha,
    unit_code,
    unit_in_text,
    unit_label,
)
from panhuo.views import Metric

LEVELS = ("低潜力区", "中潜力区", "高潜力区")
TOTAL_LEVEL = "总计"
INTENSITY_ROLES = ("intensity", "intensity_guidance")
ROLE_LABELS = {
    "potential_scale": "规模潜力",
    "potential_economic": "经济潜力",
    "potential_theoretical": "理论潜力",
    "potential_realizable": "可实现潜力",
}
# The measures of a 片区 potential table: column → (label, kind). kind "area" converts with the
# unit the user picked; "money" is 亿元; "count" is 个. A table's ``columns`` can override.
ZONE_MEASURES = {
    "地块个数": ("地块个数", "count"),
    "地块面积": ("地块面积", "area"),
    "规模潜力": ("规模潜力", "area"),
    "经济潜力": ("经济潜力", "money"),
}
KIND_UNITS = {"count": "个", "money": "亿元"}
METRIC_LABELS = {"容积率": "", "建筑密度": "%"}  # metric → unit


def tables_with_role(plan: Plan, *roles: str) -> list[PublishedTable]:
    """The plan's published tables with one of ``roles``, in the order of tables.toml."""
    return [t for t in plan.tables.values() if t.role in roles]


def printed_table(table: PublishedTable) -> pd.DataFrame:
    """The table as printed, without the transcription's bookkeeping columns."""
    return table.printed


def _kind(row: pd.Series) -> str:
    return str(row.get("row_kind", "") or "data")


def _number(text: object) -> float | None:
    value = parse_number(str(text))
    return float(value) if value is not None else None


def _convert(value: Decimal | None, from_unit: str, to_unit: str) -> float | None:
    if value is None:
        return None
    return float(from_ha(to_ha(value, from_unit), to_unit))


def value_unit(table: PublishedTable, unit: str) -> str:
    """The unit a table's values are shown in: the chosen area unit for areas, else as printed."""
    return unit_label(unit) if is_area_unit(table.unit) else table.unit


def level_cells(table: PublishedTable, unit: str = "ha") -> pd.DataFrame:
    """A 潜力区 table (上党区 附表4-7) as one row per cell.

    Columns: ``row`` (类型/用途), ``level`` (低/中/高潜力区 or 总计), ``value`` (in ``unit`` when
    the table is in an area unit, else as printed), ``share`` (% as printed), ``value_text``,
    ``share_text``, ``is_total`` (a 总计 row or column: kept out of a colour scale) and
    ``row_kind``. The shares are printed against the grand total (146.59), not per column.

    >>> from panhuo.catalog import open_catalog
    >>> plan = open_catalog(imports=False).get("shangdang-2021")
    >>> cells = level_cells(plan.tables["附表4"])
    >>> cells.query("row == '总计' and level == '总计'")["value"].item()
    146.59
    """
    frame, key = table.frame, table.key
    convert = is_area_unit(table.unit)
    decimals = 1 if convert and unit_code(unit) == "mu" else 2
    rows = []
    for _, record in frame.iterrows():
        for level in (*LEVELS, TOTAL_LEVEL):
            value_col, share_col = f"{level}_规模", f"{level}_占比"
            if value_col not in frame:
                continue
            printed = parse_number(str(record[value_col]))
            value = _convert(printed, table.unit, unit) if convert else _as_float(printed)
            share = _number(record.get(share_col, ""))
            rows.append(
                {
                    "row": re.sub(r"[\s\u3000]+", "", str(record[key])),
                    "level": level,
                    "value": value,
                    "share": share,
                    "value_text": format_number(value, decimals) if value is not None else "—",
                    "share_text": f"{format_number(share, 2)}%" if share is not None else "—",
                    "printed": str(record[value_col]),
                    "is_total": _kind(record) == "total" or level == TOTAL_LEVEL,
                    "row_kind": _kind(record),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "row",
            "level",
            "value",
            "share",
            "value_text",
            "share_text",
            "printed",
            "is_total",
            "row_kind",
        ],
    )


def _as_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _zone_measures(table: PublishedTable) -> dict[str, tuple[str, str]]:
    measures = {c: spec for c, spec in ZONE_MEASURES.items() if c in table.frame}
    for column, label in (table.columns or {}).items():
        if column in table.frame and column not in measures:
            measures[column] = (str(label), "money")
    return measures


def theoretical_vs_realizable(plan: Plan, unit: str = "ha") -> pd.DataFrame:
    """Theoretical against realizable potential per 片区 (无为市 表4-2 vs 表4-3), long format.

    One row per 片区 × measure: ``zone``, ``measure`` (地块个数/地块面积/规模潜力/经济潜力),
    ``unit``, ``theoretical``, ``realizable``, ``ratio`` (realizable ÷ theoretical × 100, None
    when the theoretical value is 0), ``is_total`` (the 合计 row). Empty when either table is
    missing.
    """
    columns = ["zone", "measure", "unit", "theoretical", "realizable", "ratio", "is_total", "order"]
    theory = tables_with_role(plan, "potential_theoretical")
    real = tables_with_role(plan, "potential_realizable")
    if not theory or not real:
        return pd.DataFrame(columns=columns)
    theory_t, real_t = theory[0], real[0]
    area_unit = unit_in_text(theory_t.unit) or "公顷"
    real_rows = {re.sub(r"\s+", "", str(r[real_t.key])): r for _, r in real_t.frame.iterrows()}
    rows = []
    for order, (_, record) in enumerate(theory_t.frame.iterrows()):
        zone = re.sub(r"\s+", "", str(record[theory_t.key]))
        other = real_rows.get(zone)
        for column, (label, kind) in _zone_measures(theory_t).items():
            t_value = parse_number(str(record[column]))
            r_value = parse_number(str(other[column])) if other is not None and column in other else None
            if kind == "area":
                t_num, r_num = _convert(t_value, area_unit, unit), _convert(r_value, area_unit, unit)
                shown_unit = unit_label(unit)
            else:
                t_num, r_num = _as_float(t_value), _as_float(r_value)
                shown_unit = KIND_UNITS.get(kind, "")
            ratio = r_num / t_num * 100 if t_num and r_num is not None else None
            rows.append(
                {
                    "zone": zone,
                    "measure": label,
                    "unit": shown_unit,
                    "theoretical": t_num,
                    "realizable": r_num,
                    "ratio": ratio,
                    "is_total": _kind(record) == "total",
                    "order": order,
                }
            )
    return pd.DataFrame(rows, columns=columns)


def potential_summary(long: pd.DataFrame) -> pd.DataFrame:
    """The 合计 row of :func:`theoretical_vs_realizable`, one row per measure."""
    return long[long["is_total"]].reset_index(drop=True)


def potential_wide(long: pd.DataFrame) -> pd.DataFrame:
    """片区 × measure with 理论/可实现/实现率 columns, for a table (Chinese headers)."""
    if long.empty:
        return pd.DataFrame()
    wide = pd.DataFrame({"片区": long.drop_duplicates("zone").sort_values("order")["zone"].tolist()})
    for measure, part in long.groupby("measure", sort=False):
        part = part.set_index("zone")
        unit = part["unit"].iloc[0]
        suffix = f"（{unit}）" if unit else ""
        dtype = "Int64" if unit == KIND_UNITS["count"] else "float64"
        wide[f"理论{measure}{suffix}"] = wide["片区"].map(part["theoretical"]).astype(dtype)
        wide[f"可实现{measure}{suffix}"] = wide["片区"].map(part["realizable"]).astype(dtype)
        wide[f"{measure}实现率（%）"] = wide["片区"].map(part["ratio"])
    return wide


# --- intensity ----------------------------------------------------------------------------------


def invalid_cells(table: PublishedTable) -> pd.DataFrame:
    """Cells outside the table's declared ``ranges`` (a 建筑密度 of 1761.13 %): they cannot be true.

    Columns: ``row``, ``column``, ``value``, ``printed``, ``low``, ``high``, ``unit``, ``reason``.
    The same rule as :func:`panhuo.reconcile.check_table` (severity ``invalid``).
    """
    rows = []
    for spec in table.ranges:
        column = spec.get("column", "")
        if column not in table.frame:
            continue
        low = Decimal(str(spec.get("min", "-Infinity")))
        high = Decimal(str(spec.get("max", "Infinity")))
        unit = spec.get("unit", "")
        for _, record in table.frame.iterrows():
            value = parse_number(str(record[column]))
            if value is None or low <= value <= high:
                continue
            bounds = f"{spec.get('min', '')}–{spec.get('max', '')}{unit}"
            rows.append(
                {
                    "row": re.sub(r"\s+", "", str(record[table.key])),
                    "column": column,
                    "value": float(value),
                    "printed": str(record[column]),
                    "low": spec.get("min"),
                    "high": spec.get("max"),
                    "unit": unit,
                    "reason": f"超出 {bounds} 的可能取值",
                }
            )
    return pd.DataFrame(rows, columns=["row", "column", "value", "printed", "low", "high", "unit", "reason"])


def _metric_of(column: str) -> str:
    return column.rsplit("_", 1)[-1]


def _pairs(table: PublishedTable) -> list[dict]:
    """(metric, before, after, rate) column groups: from ``changes``, else 现状_X / 规划_X."""
    if table.changes:
        return [
            {"metric": _metric_of(c["before"]), "before": c["before"], "after": c["after"], "rate": c["rate"]}
            for c in table.changes
        ]
    pairs = []
    for column in table.frame.columns:
        if column.startswith("现状_") and f"规划_{column[3:]}" in table.frame:
            pairs.append({"metric": column[3:], "before": column, "after": f"规划_{column[3:]}", "rate": ""})
    return pairs


def intensity_cells(table: PublishedTable) -> pd.DataFrame:
    """容积率/建筑密度 before and after per row of an intensity table (无为 表6-2), long format.

    Columns: ``row``, ``row_kind``, ``metric`` (容积率/建筑密度), ``unit``, ``before``,
    ``after`` (floats, None when invalid or empty), ``before_printed``, ``after_printed``,
    ``before_valid``, ``after_valid``, ``rate_printed`` (the printed 变化率 %), ``rate_computed``
    ((after − before) / before × 100 from the printed values, None when either is invalid or
    before is 0).
    """
    invalid = invalid_cells(table)
    bad = set(zip(invalid["row"], invalid["column"], strict=True))
    rows = []
    for _, record in table.frame.iterrows():
        name = re.sub(r"\s+", "", str(record[table.key]))
        for pair in _pairs(table):
            out = {"row": name, "row_kind": _kind(record), "metric": pair["metric"]}
            out["unit"] = METRIC_LABELS.get(pair["metric"], "")
            for side in ("before", "after"):
                column = pair[side]
                printed = str(record.get(column, ""))
                valid = (name, column) not in bad
                out[f"{side}_printed"] = printed
                out[f"{side}_valid"] = valid
                out[side] = _number(printed) if valid else None
            out["rate_printed"] = _number(record.get(pair["rate"], "")) if pair["rate"] else None
            before, after = out["before"], out["after"]
            out["rate_computed"] = (after - before) / before * 100 if before and after is not None else None
            rows.append(out)
    columns = ["row", "row_kind", "metric", "unit", "before", "after", "before_printed", "after_printed",
               "before_valid", "after_valid", "rate_printed", "rate_computed"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def invalid_sentence(invalid: pd.DataFrame, reasons: bool = True) -> str:
    """One Chinese sentence naming the invalid cells, e.g. “工矿用地 现状建筑密度 1761.13%”."""
    if invalid.empty:
        return ""
    parts = [
        f"{r.row} {r.column.replace('_', '')} {r.printed}{r.unit}" + (f"（{r.reason}）" if reasons else "")
        for r in invalid.itertuples()
    ]
    return "；".join(parts)


def intensity_display(cells: pd.DataFrame) -> pd.DataFrame:
    """The intensity table as shown: printed values, with an invalid value marked 无效."""

    def shown(printed: str, valid: bool, unit: str) -> str:
        text = printed + (unit if printed and unit else "")
        return text if valid else f"{text}（无效）"

    return pd.DataFrame(
        {
            "用途": cells["row"],
            "指标": cells["metric"],
            "现状": [
                shown(p, v, u)
                for p, v, u in zip(cells["before_printed"], cells["before_valid"], cells["unit"], strict=True)
            ],
            "规划": [
                shown(p, v, u)
                for p, v, u in zip(cells["after_printed"], cells["after_valid"], cells["unit"], strict=True)
            ],
            "变化率（原表，%）": cells["rate_printed"],
            "变化率（按前后值，%）": cells["rate_computed"],
            "说明": [
                "含无效数值，不参与作图" if not (b and a) else ""
                for b, a in zip(cells["before_valid"], cells["after_valid"], strict=True)
            ],
        }
    )


def _range_text(low: str, high: str, unit: str = "") -> str:
    low, high = str(low).strip(), str(high).strip()
    if low and high:
        return f"{low}–{high}{unit}" if not low.endswith("%") else f"{low}–{high}"
    if low:
        return f"≥ {low}{unit}"
    if high:
        return f"≤ {high}{unit}"
    return "—"


def guidance(plan: Plan) -> pd.DataFrame:
    """The plan's 容积率/建筑密度 guidance (role ``intensity_guidance``), one row per 用途.

    Columns: ``type``, ``use``, ``far_low``, ``far_high``, ``density_low``, ``density_high``
    (floats or None; density in %), ``far_text``, ``density_text``, ``quote``.
    """
    columns = ["type", "use", "far_low", "far_high", "density_low", "density_high", "far_text",
               "density_text", "quote", "source"]  # fmt: skip
    tables = tables_with_role(plan, "intensity_guidance")
    if not tables:
        return pd.DataFrame(columns=columns)
    frame = tables[0].frame
    rows = []
    for _, r in frame.iterrows():
        get = lambda c, r=r: str(r.get(c, "")).strip()  # noqa: E731
        rows.append(
            {
                "type": get("类型"),
                "use": get("用途") or get(tables[0].key),
                "far_low": _number(get("容积率_下限")),
                "far_high": _number(get("容积率_上限")),
                "density_low": _number(get("建筑密度_下限")),
                "density_high": _number(get("建筑密度_上限")),
                "far_text": _range_text(get("容积率_下限"), get("容积率_上限")),
                "density_text": _range_text(get("建筑密度_下限"), get("建筑密度_上限"), "%"),
                "quote": get("原文"),
                "source": get("source"),
            }
        )
    return pd.DataFrame(rows, columns=columns)


GUIDANCE_LABELS = {
    "type": "类型",
    "use": "用途",
    "far_text": "容积率",
    "density_text": "建筑密度",
    "quote": "原文",
    "source": "出处",
}


def guidance_table(rules: pd.DataFrame) -> pd.DataFrame:
    """:func:`guidance` as shown: type, use, the two ranges as text, the quote and its source."""
    return rules[list(GUIDANCE_LABELS)].rename(columns=GUIDANCE_LABELS)


INTENSITY_COLUMNS = ("far_before", "far_after", "density_before", "density_after")


def parcels_with_intensity(records: pd.DataFrame) -> pd.DataFrame:
    """Parcels that carry any of 容积率/建筑密度 before/after (empty when none does)."""
    present = [c for c in INTENSITY_COLUMNS if c in records]
    if records.empty or not present:
        return records.iloc[0:0]
    filled = records[present].astype(str).apply(lambda s: s.str.strip() != "").any(axis=1)
    return records[filled]


def _within(value: float | None, low: float | None, high: float | None) -> bool | None:
    if value is None or (low is None and high is None):
        return None
    return (low is None or value >= low) and (high is None or value <= high)


def parcel_intensity(records: pd.DataFrame, rules: pd.DataFrame) -> pd.DataFrame:
    """Per parcel: 容积率/建筑密度 before/after and whether the after value meets the guidance
    for its planned use (matched on the guidance 用途; None when no rule applies).

    Columns: ``id``, ``name``, ``planned_use``, ``far_before``, ``far_after``,
    ``density_before``, ``density_after``, ``guidance_use``, ``far_ok``, ``density_ok``,
    ``invalid`` (a value outside 0–100 % / 0–20, never plotted).
    """
    columns = [
        "id",
        "name",
        "planned_use",
        *INTENSITY_COLUMNS,
        "guidance_use",
        "far_ok",
        "density_ok",
        "invalid",
    ]
    parcels = parcels_with_intensity(records)
    rows = []
    for _, p in parcels.iterrows():
        values = {c: _number(p.get(c, "")) for c in INTENSITY_COLUMNS}
        bad = [c for c in INTENSITY_COLUMNS if values[c] is not None and within(c, values[c]) is False]
        for c in bad:
            values[c] = None
        use = str(p.get("planned_use", "")).strip()
        rule = rules[rules["use"] == use] if use and not rules.empty else rules.iloc[0:0]
        first = rule.iloc[0] if len(rule) else None
        rows.append(
            {
                "id": p.get("id", ""),
                "name": p.get("name", ""),
                "planned_use": use,
                **values,
                "guidance_use": first["use"] if first is not None else "",
                "far_ok": _within(values["far_after"], *(_bounds(first, "far"))),
                "density_ok": _within(values["density_after"], *(_bounds(first, "density"))),
                "invalid": "、".join(bad),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _bounds(rule: pd.Series | None, metric: str) -> tuple[float | None, float | None]:
    if rule is None:
        return None, None
    low, high = rule[f"{metric}_low"], rule[f"{metric}_high"]
    return (None if pd.isna(low) else low), (None if pd.isna(high) else high)


def zone_metrics(long: pd.DataFrame) -> dict[str, list[Metric]]:
    """KPI cards of the 合计 row per potential measure: theoretical, realizable, their ratio."""
    result: dict[str, list[Metric]] = {}
    for r in potential_summary(long).itertuples():
        if "潜力" not in r.measure or r.theoretical is None:
            continue
        decimals = 1 if r.unit == "亩" else 2
        theoretical = f"{format_number(r.theoretical, decimals)} {r.unit}"
        realizable = f"{format_number(r.realizable, decimals)} {r.unit}"
        result[r.measure] = [
            Metric(f"理论{r.measure}", theoretical),
            Metric(f"可实现{r.measure}", realizable),
            Metric(
                "可实现占理论",
                f"{format_number(r.ratio, 1)}%" if r.ratio is not None else "—",
                help=f"{realizable} ÷ {theoretical}",
            ),
        ]
    return result


PARCEL_LABELS = {
    "id": "编号",
    "name": "地块名称",
    "planned_use": "规划用途",
    "far_before": "现状容积率",
    "far_after": "规划容积率",
    "density_before": "现状建筑密度（%）",
    "density_after": "规划建筑密度（%）",
    "guidance_use": "对照指引",
    "far_ok": "容积率符合指引",
    "density_ok": "建筑密度符合指引",
    "invalid": "无效数值",
}


def parcel_intensity_table(parcels: pd.DataFrame) -> pd.DataFrame:
    """:func:`parcel_intensity` with Chinese headers and 是/否 for the guidance checks."""
    shown = parcels.copy()
    for column in ("far_ok", "density_ok"):
        shown[column] = shown[column].map({True: "是", False: "否"}).fillna("—")
    shown["invalid"] = shown["invalid"].map(
        lambda text: "、".join(PARCEL_LABELS[c] for c in text.split("、") if c) if text else ""
    )
    return shown.rename(columns=PARCEL_LABELS)
