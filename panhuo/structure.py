"""结构调整: current → planned land use from a plan's published tables and parcels.

Tables are picked by role (``structure`` for the adjustment table such as 上党区 附表8 or 无为市
表6-1, ``structure_detail`` for the classes behind it such as 附表9). Areas are converted from
the table's unit to the view's unit exactly (Decimal); the printed 调整量 is kept beside the
one recomputed as 规划 − 现状, so a page can show where they differ (附表8 商服用地: printed 3.92,
8.20 − 4.27 = 3.93).

>>> from panhuo.catalog import open_catalog
>>> frame = structure_frame(open_catalog(imports=False).get("shangdang-2021"), "ha")
>>> frame.set_index("use").loc["住宅用地", ["current", "planned", "change_printed"]].tolist()
[106.29, 85.07, -21.22]
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from panhuo.aggregate import EMPTY_KEY, area_in, record_count
from panhuo.classify import first_level, landuse_code
from panhuo.export import SummaryTable, area_kind, column_kinds, shown_value
from panhuo.model import Plan, PublishedTable
from panhuo.units import (
    convert,
    decimals_of,
    format_area,
    format_in,
    parse_number,
    unit_code,
    unit_in_text,
    unit_label,
)
from panhuo.views import Metric

RETAINED = "保留"
CHANGE_NODE = "用途调整（原表未载明去向）"

STRUCTURE_COLUMNS = [
    "use", "level1_code", "level1_name", "current", "planned", "change_printed", "change_computed",
    "difference", "current_text", "planned_text", "change_text", "change_computed_text",
    "current_share", "planned_share",
]  # fmt: skip


def table_by_role(plan: Plan, role: str) -> PublishedTable | None:
    """The first published table of ``plan`` with ``role`` (tables.toml order), or None."""
    return next((t for t in plan.tables.values() if t.role == role), None)


def _column(table: PublishedTable, role: str, must: tuple[str, ...], avoid: tuple[str, ...] = ()) -> str:
    """The column playing ``role``: named in tables.toml ``columns``, else found by its words."""
    if table.columns.get(role):
        return str(table.columns[role])
    for column in table.frame.columns:
        if all(word in column for word in must) and not any(word in column for word in avoid):
            return column
    return ""


def structure_columns(table: PublishedTable) -> dict[str, str]:
    """Which columns of a structure table hold current area, planned area, change and shares."""
    return {
        "current": _column(table, "current", ("现状", "面积")),
        "planned": _column(table, "planned", ("规划", "面积"), avoid=("现状", "变化", "调整")),
        "change": _column(table, "change", ("调整",)) or _column(table, "change", ("变化",)),
        "current_share": _column(table, "current_share", ("现状",), avoid=("面积",)),
        "planned_share": _column(table, "planned_share", ("规划",), avoid=("面积", "变化", "调整", "现状")),
    }


def _level1(word: str) -> tuple[str, str]:
    code, _top = landuse_code(word)
    return first_level(code) if code else ("", "")


def _table_unit(table: PublishedTable, plan: Plan) -> str:
    return unit_in_text(table.unit or "") or plan.area_unit


def structure_frame(plan: Plan, unit: str) -> pd.DataFrame:
    """One row per use of the plan's ``structure`` table, areas in ``unit`` (floats).

    Columns: ``use`` (as printed), ``level1_code``/``level1_name`` (用地用海 first-level class),
    ``current``, ``planned``, ``change_printed`` (None when the table prints no change),
    ``change_computed`` (planned − current), ``difference`` (printed − computed), display texts,
    and the printed shares. Empty when the plan has no structure table.
    """
    table = table_by_role(plan, "structure")
    if table is None:
        return pd.DataFrame(columns=STRUCTURE_COLUMNS)
    cols = structure_columns(table)
    source_unit = _table_unit(table, plan)
    code = unit_code(unit)
    rows = []
    for record in table.data_rows.to_dict("records"):
        use = str(record.get(table.key, "")).strip()
        current = convert(record.get(cols["current"]), source_unit, code) or Decimal(0)
        planned = convert(record.get(cols["planned"]), source_unit, code) or Decimal(0)
        printed = convert(record.get(cols["change"]), source_unit, code) if cols["change"] else None
        computed = planned - current
        level1_code, level1_name = _level1(use)
        rows.append(
            {
                "use": use,
                "level1_code": level1_code,
                "level1_name": level1_name,
                "current": float(current),
                "planned": float(planned),
                "change_printed": float(printed) if printed is not None else None,
                "change_computed": float(computed),
                "difference": float(printed - computed) if printed is not None else None,
                "current_text": format_in(current, code),
                "planned_text": format_in(planned, code),
                "change_text": _signed(printed, code) if printed is not None else "—",
                "change_computed_text": _signed(computed, code),
                "current_share": str(record.get(cols["current_share"], "")) if cols["current_share"] else "",
                "planned_share": str(record.get(cols["planned_share"], "")) if cols["planned_share"] else "",
            }
        )
    return pd.DataFrame(rows, columns=STRUCTURE_COLUMNS)


def _signed(value: Decimal, code: str) -> str:
    text = format_in(value, code)
    return text if value <= 0 or text.startswith("-") else f"+{text}"


def is_unchanged(frame: pd.DataFrame) -> bool:
    """True when every use keeps its area (无为市 表6-1: 现状 = 规划, change 0.00)."""
    if frame.empty:
        return False
    printed = frame["change_printed"].dropna()
    return bool((frame["change_computed"].abs() < 1e-9).all() and (printed.abs() < 1e-9).all())


def unchanged_sentence(plan: Plan, frame: pd.DataFrame, unit: str) -> str:
    """The statement for a table that records no change, built from the table's own values."""
    table = table_by_role(plan, "structure")
    label = unit_label(unit)
    parts = "、".join(f"{r.use} {r.current_text} {label}" for r in frame.itertuples())
    change = structure_columns(table)["change"] if table is not None else ""
    printed = sorted({str(v) for v in table.data_rows[change]}) if table is not None and change else []
    change_word = f"“{change}”一栏均为 {'、'.join(printed)}" if printed else "规划期间面积变化为 0"
    name = table.id if table is not None else ""
    return f"{name}各用途现状与规划面积相同（{parts}），{change_word}：本规划未调整用地结构。"


def structure_totals(frame: pd.DataFrame, unit: str) -> dict[str, float]:
    """Totals of a structure frame: current, planned, area moved (sum of increases / decreases)."""
    computed = frame["change_computed"]
    return {
        "current": float(frame["current"].sum()),
        "planned": float(frame["planned"].sum()),
        "increase": float(computed[computed > 0].sum()),
        "decrease": float(-computed[computed < 0].sum()),
    }


def structure_metrics(plan: Plan, frame: pd.DataFrame, unit: str) -> list[Metric]:
    """现状 / 规划 totals as printed in the table's total row, and the area moved between uses."""
    code = unit_code(unit)
    label = unit_label(code)
    table = table_by_role(plan, "structure")
    totals = structure_totals(frame, code)
    printed = _printed_totals(plan, table, code) if table is not None else {}

    def text(value: float | Decimal) -> str:
        return f"{format_in(value, code)} {label}"

    metrics = [
        Metric(
            "现状面积",
            text(printed.get("current", totals["current"])),
            _help(printed, "current", totals, code),
        ),
        Metric(
            "规划面积",
            text(printed.get("planned", totals["planned"])),
            _help(printed, "planned", totals, code),
        ),
        Metric("调增面积", text(totals["increase"]), "各用途 规划 − 现状 之和（增加的部分）"),
        Metric("调减面积", text(totals["decrease"]), "各用途 现状 − 规划 之和（减少的部分）"),
    ]
    return metrics


def _help(printed: dict, key: str, totals: dict, code: str) -> str:
    if key not in printed:
        return "各用途之和"
    diff = abs(float(printed[key]) - totals[key])
    summed = format_in(Decimal(str(totals[key])), code)
    return "原表总计行" + (f"；各用途相加为 {summed} {unit_label(code)}" if diff > 1e-6 else "")


def _printed_totals(plan: Plan, table: PublishedTable, code: str) -> dict[str, Decimal]:
    if "row_kind" not in table.frame:
        return {}
    total = table.frame[table.frame["row_kind"] == "total"]
    if total.empty:
        return {}
    cols = structure_columns(table)
    source_unit = _table_unit(table, plan)
    row = total.iloc[0]
    result = {}
    for key in ("current", "planned"):
        value = convert(row.get(cols[key]), source_unit, code) if cols[key] else None
        if value is not None:
            result[key] = value
    return result


def structure_flows(frame: pd.DataFrame) -> pd.DataFrame:
    """Sankey links: each use keeps min(现状, 规划); decreases flow into one 用途调整 node and out of
    it to the uses that grow. The table gives no use-to-use transfers, so none are invented.

    Columns: ``source``, ``target``, ``value``, ``kind`` (保留 / 调出 / 调入), ``use``.
    """
    rows = []
    for r in frame.itertuples():
        kept = min(r.current, r.planned)
        if kept > 0:
            rows.append(("现状·" + r.use, "规划·" + r.use, kept, RETAINED, r.use))
        if r.change_computed < 0:
            rows.append(("现状·" + r.use, CHANGE_NODE, -r.change_computed, "调出", r.use))
    for r in frame.itertuples():
        if r.change_computed > 0:
            rows.append((CHANGE_NODE, "规划·" + r.use, r.change_computed, "调入", r.use))
    return pd.DataFrame(rows, columns=["source", "target", "value", "kind", "use"])


def structure_table_view(frame: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The structure frame as a Chinese table (printed 调整量 beside the recomputed one); areas in
    ``unit``, shares as printed; the 合计 row of :func:`structure_summary` last."""
    table = pd.DataFrame(
        {
            "用途": frame["use"],
            "一级类": (frame["level1_code"] + " " + frame["level1_name"]).str.strip(),
            "现状": frame["current_text"],
            "现状占比": frame["current_share"],
            "规划": frame["planned_text"],
            "规划占比": frame["planned_share"],
            "调整量（原表）": frame["change_text"],
            "规划−现状": frame["change_computed_text"],
        }
    )
    summary = structure_summary(frame, unit)
    total = summary.total
    if total is None or frame.empty:
        return table
    kinds = column_kinds(summary.frame, summary.formats)
    shown = [shown_value(kinds[c], total[c]) for c in summary.frame.columns]
    shown = [
        "" if c in ("现状占比", "规划占比") else v for c, v in zip(summary.frame.columns, shown, strict=True)
    ]
    return pd.concat([table, pd.DataFrame([shown], columns=table.columns)], ignore_index=True)


def structure_summary(frame: pd.DataFrame, unit: str) -> SummaryTable:
    """The structure table with numbers as numbers (for downloads), headers carrying the unit:
    用途, 一级类, 现状（公顷）, 现状占比 (percent points, as printed), 规划（公顷）, 规划占比,
    调整量（原表，公顷） (empty when the table prints none), 规划−现状（公顷）. The 合计 row adds
    up the rows (which may differ from the table's printed total row: :func:`printed_total_note`);
    shares are not added up."""
    label = unit_label(unit)
    shares = [*frame["current_share"], *frame["planned_share"]]
    decimals = max([decimals_of(s) for s in shares if str(s).strip()] or [2])
    change, computed = f"调整量（原表，{label}）", f"规划−现状（{label}）"
    numbers = pd.DataFrame(
        {
            "用途": frame["use"],
            "一级类": (frame["level1_code"] + " " + frame["level1_name"]).str.strip(),
            f"现状（{label}）": frame["current"].astype(float),
            "现状占比": [_share(s) for s in frame["current_share"]],
            f"规划（{label}）": frame["planned"].astype(float),
            "规划占比": [_share(s) for s in frame["planned_share"]],
            change: [None if pd.isna(v) else float(v) for v in frame["change_printed"]],
            computed: frame["change_computed"].astype(float),
        }
    )
    percent = f"percent:{decimals}"
    formats = {
        "现状占比": percent,
        "规划占比": percent,
        change: area_kind(unit, signed=True),
        computed: area_kind(unit, signed=True),
    }
    return SummaryTable(numbers, formats)


def _share(printed: object) -> float | None:
    value = parse_number(str(printed)) if str(printed).strip() else None
    return float(value) if value is not None else None


def printed_total_note(plan: Plan, frame: pd.DataFrame, unit: str) -> str:
    """A sentence when the table's printed 合计 differs from its rows added up ('' otherwise):
    上党区 附表8 prints 规划 146.59 公顷, its rows add up to 146.60."""
    table = table_by_role(plan, "structure")
    if table is None or frame.empty:
        return ""
    code = unit_code(unit)
    printed = _printed_totals(plan, table, code)
    totals = structure_totals(frame, code)
    label = unit_label(code)
    names = {"current": "现状", "planned": "规划"}
    differs = [
        f"{names[k]}为 {format_in(printed[k], code)} {label}，各行相加为 "
        f"{format_in(Decimal(str(totals[k])), code)} {label}"
        for k in names
        if k in printed and abs(float(printed[k]) - totals[k]) > 1e-6
    ]
    if not differs:
        return ""
    return f"原表合计行{'；'.join(differs)}。本表合计行为各行相加。"


def change_mismatches(frame: pd.DataFrame, unit: str) -> list[str]:
    """Sentences for uses whose printed 调整量 differs from 规划 − 现状 (beyond float noise)."""
    label = unit_label(unit)
    out = []
    for r in frame.itertuples():
        if r.difference is not None and pd.notna(r.difference) and abs(r.difference) > 1e-6:
            out.append(
                f"{r.use}：原表调整量 {r.change_text} {label}，规划−现状为 {r.change_computed_text} {label}"
            )
    return out


# --- the classes behind the structure (附表9) ---------------------------------------------------


def detail_frame(plan: Plan, unit: str) -> pd.DataFrame:
    """One row per class of the ``structure_detail`` table, with its 用途 and first-level class.

    Columns: ``use`` (the structure table's 用途 it belongs to), ``name`` (class as printed),
    ``code`` (用地用海 2023), ``level1_code``, ``level1_name``, ``area`` (float, ``unit``),
    ``area_text``, ``share`` (printed).
    """
    columns = ["use", "name", "code", "level1_code", "level1_name", "area", "area_text", "share"]
    table = table_by_role(plan, "structure_detail")
    if table is None:
        return pd.DataFrame(columns=columns)
    frame = table.data_rows
    code = unit_code(unit)
    source_unit = _table_unit(table, plan)
    area_col = _column(table, "area", ("面积",))
    share_col = _column(table, "share", ("占比",)) or _column(table, "share", ("比例",))
    parent_col = next((c for c in frame.columns if c not in (table.key, area_col, share_col)), "")
    if "group" in frame and (frame["group"].str.strip() != "").any():
        parents = frame["group"]
    else:  # merged cells left empty on continuation rows
        parents = frame[parent_col].replace("", pd.NA).ffill().fillna("") if parent_col else ""
    rows = []
    for name, parent, area, share in zip(
        frame[table.key], parents, frame[area_col], frame[share_col] if share_col else [""] * len(frame),
        strict=True,
    ):  # fmt: skip
        value = convert(area, source_unit, code) or Decimal(0)
        class_code, _top = landuse_code(name)
        level1_code, level1_name = first_level(class_code) if class_code else ("", "")
        rows.append(
            {
                "use": str(parent).strip() or EMPTY_KEY,
                "name": str(name).strip(),
                "code": class_code,
                "level1_code": level1_code,
                "level1_name": level1_name or EMPTY_KEY,
                "area": float(value),
                "area_text": format_in(value, code),
                "share": str(share),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def detail_rollup(detail: pd.DataFrame, level: str, unit: str) -> pd.DataFrame:
    """Areas of the detail classes at ``level``: ``use`` (原表用途), ``level1`` (一级类) or ``class``.

    Columns ``key``, ``count`` (classes), ``area_value``, ``area_text`` (bar_totals' shape).
    """
    code = unit_code(unit)
    if level == "level1":
        keys = (detail["level1_code"] + " " + detail["level1_name"]).str.strip()
    elif level == "use":
        keys = detail["use"]
    else:
        keys = detail["name"]
    rows = []
    for key in dict.fromkeys(keys):
        part = detail[keys == key]
        total = Decimal(str(round(part["area"].sum(), 4)))
        rows.append(
            {
                "key": key,
                "count": len(part),
                "area_value": float(total),
                "area_text": format_in(total, code),
            }
        )
    out = pd.DataFrame(rows, columns=["key", "count", "area_value", "area_text"])
    if level == "level1":
        out = out.sort_values("key", kind="stable").reset_index(drop=True)
    return out


def detail_hierarchy(detail: pd.DataFrame, level: str) -> pd.DataFrame:
    """Parent → class rows for a sunburst: ``id``, ``label``, ``parent``, ``value``, ``text``."""
    parent_of = (
        (detail["level1_code"] + " " + detail["level1_name"]).str.strip()
        if level == "level1"
        else detail["use"]
    )
    rows = []
    for parent in dict.fromkeys(parent_of):
        part = detail[parent_of == parent]
        rows.append({"id": f"p:{parent}", "label": parent, "parent": "", "value": float(part["area"].sum())})
        for r in part.itertuples():
            rows.append(
                {"id": f"c:{parent}:{r.name}", "label": r.name, "parent": f"p:{parent}", "value": r.area}
            )
    return pd.DataFrame(rows, columns=["id", "label", "parent", "value"])


# --- parcels ---------------------------------------------------------------------------------


def parcel_use_flows(records: pd.DataFrame, unit: str) -> pd.DataFrame:
    """current_use → planned_use of the (filtered) parcels that carry both; area in ``unit``."""
    columns = ["source", "target", "value", "count"]
    if records.empty or "planned_use" not in records or "current_use" not in records:
        return pd.DataFrame(columns=columns)
    both = records[(records["current_use"].str.strip() != "") & (records["planned_use"].str.strip() != "")]
    rows = []
    for (current, planned), part in both.groupby(["current_use", "planned_use"], sort=False):
        rows.append(
            {
                "source": f"现状·{current}",
                "target": f"规划·{planned}",
                "value": float(area_in(part, unit)),
                "count": record_count(part),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def parcel_current_uses(records: pd.DataFrame, level: str, unit: str) -> pd.DataFrame:
    """Area and count of the (filtered) parcels by current use, as printed or rolled up to 一级类."""
    columns = ["key", "count", "area_value", "area_text"]
    if records.empty or "current_use" not in records:
        return pd.DataFrame(columns=columns)
    uses = records["current_use"].astype(str).str.strip()
    if level == "level1":
        keys = uses.map(lambda w: " ".join(_level1(w)).strip() or (f"（未归类）{w}" if w else EMPTY_KEY))
    else:
        keys = uses.replace("", EMPTY_KEY)
    code = unit_code(unit)
    rows = []
    for key in dict.fromkeys(keys):
        part = records[keys == key]
        area = area_in(part, code)
        rows.append(
            {"key": key, "count": record_count(part), "area_value": float(area), "area_text": format_area(
                convert(area, code, "ha"), code)}
        )  # fmt: skip
    return pd.DataFrame(rows, columns=columns).sort_values("area_value", ascending=False, kind="stable")


def detail_mismatches(frame: pd.DataFrame, detail: pd.DataFrame, unit: str) -> list[str]:
    """Uses whose planned area in the structure table differs from the sum of its detail classes
    (上党区: 附表9 其他土地 13.69 + 8.50 + 0.91 + 0.18 = 23.28, 附表8 规划 23.29)."""
    if frame.empty or detail.empty:
        return []
    code = unit_code(unit)
    label = unit_label(code)
    out = []
    for r in frame.itertuples():
        part = detail[
            (detail["use"] == r.use) | ((detail["level1_code"] == r.level1_code) & (r.level1_code != ""))
        ]
        part = detail[detail["use"].isin(part["use"])]
        if part.empty:
            continue
        summed = Decimal(str(round(part["area"].sum(), 4)))
        if abs(float(summed) - r.planned) > 1e-6:
            text = format_in(summed, code)
            out.append(f"{r.use}：各分类相加 {text} {label}，结构调整表规划 {r.planned_text} {label}")
    return out
