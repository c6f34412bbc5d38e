"""Recompute every published total, subtotal, percentage and stated figure of a plan.

Each check yields a :class:`Finding` whose severity is judged from the printed precision:

- ``ok``: equal;
- ``rounding``: different, but within what rounding the printed values explains — a sum of n
  values printed with d decimals can be off by n·½·10⁻ᵈ, plus ½·10⁻ᵈ for the printed total;
  whole numbers (counts, integral 亩) are taken as exact;
- ``mismatch``: beyond that;
- ``invalid``: a value that cannot be true (a density over 100 %, a negative area).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

import pandas as pd

from panhuo.aggregate import record_count
from panhuo.model import Plan, PublishedTable
from panhuo.ranges import RANGES
from panhuo.units import AREA_UNITS, decimals_of, is_area_unit, parse_number, to_ha, unit_code

SEVERITIES = ("ok", "rounding", "mismatch", "invalid")
SEVERITY_LABELS = {"ok": "一致", "rounding": "舍入误差", "mismatch": "不一致", "invalid": "数值无效"}
_EPS = Decimal("1e-9")
_WS = re.compile(r"[\s\u3000]+")


@dataclass
class Finding:
    table: str
    item: str
    documented: float | None
    computed: float | None
    difference: float | None
    severity: str
    unit: str = ""
    tolerance: float | None = None
    source: str = ""
    note: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def _half_ulp(decimals: int) -> Decimal:
    return Decimal(5).scaleb(-decimals - 1)


def _num(value: Decimal | None) -> float | None:
    if value is None:
        return None
    value = value.quantize(Decimal("0.0001"))
    return float(value)


def _judge(documented: Decimal, computed: Decimal, tolerance: Decimal, ok_within: Decimal) -> str:
    """ok when the printed value is the computed one rounded to its printed decimals."""
    diff = abs(documented - computed)
    if diff <= ok_within + _EPS:
        return "ok"
    if diff <= tolerance + _EPS:
        return "rounding"
    return "mismatch"


def _finding(
    table, item, documented, computed, tolerance, unit="", source="", note="", printed: object = None
) -> Finding:
    """A finding; ``printed`` is the documented value as printed (its decimals set what is ok)."""
    ok_within = _half_ulp(decimals_of(printed)) if printed is not None else Decimal(0)
    severity = _judge(documented, computed, max(tolerance, ok_within), ok_within)
    return Finding(
        table=table,
        item=item,
        documented=_num(documented),
        computed=_num(computed),
        difference=_num(computed - documented),
        severity=severity,
        unit=unit,
        tolerance=_num(tolerance),
        source=source,
        note=note,
    )


def _sum_tolerance(texts: list[str], total_text: str) -> Decimal:
    """How far a printed total may differ from the sum of printed parts by rounding alone."""
    decimals = [decimals_of(t) for t in texts if str(t).strip()]
    total_decimals = decimals_of(total_text)
    if not decimals or (max(decimals) == 0 and total_decimals == 0):
        return Decimal(0)
    parts = sum(_half_ulp(d) for d in decimals if d > 0)
    return parts + (_half_ulp(total_decimals) if total_decimals > 0 else Decimal(0))


def clean_key(text: object) -> str:
    return _WS.sub("", str(text))


# --- published tables -------------------------------------------------------------------------


def _kinds(frame: pd.DataFrame) -> pd.Series:
    if "row_kind" not in frame:
        return pd.Series("data", index=frame.index)
    return frame["row_kind"].replace({"": "data"}).fillna("data")


def _label(table: PublishedTable, row: pd.Series) -> str:
    group = clean_key(row.get("group", ""))
    kind = row.get("row_kind", "")
    label = clean_key(row[table.key]) if table.key and table.key in row else ""
    if kind == "subtotal" and group and group not in label:
        return f"{group}{label or '小计'}"
    if label:
        return label
    return {"subtotal": "小计", "total": "合计"}.get(kind, group or "行")


def _values(frame: pd.DataFrame, column: str) -> list[str]:
    return [str(v) for v in frame[column]]


def _sum(texts: list[str]) -> Decimal:
    return sum((parse_number(t) or Decimal(0) for t in texts), Decimal(0))


def _check_sums(table: PublishedTable) -> list[Finding]:
    frame, findings = table.frame, []
    kinds = _kinds(frame)
    data, subtotals, totals = frame[kinds == "data"], frame[kinds == "subtotal"], frame[kinds == "total"]
    for column in table.sum_columns:
        if column not in frame:
            findings.append(_missing_column(table, column))
            continue
        for _, sub in subtotals.iterrows():
            parts = data[data.get("group", pd.Series("", index=data.index)) == sub.get("group", "")]
            findings.extend(_sum_finding(table, f"{_label(table, sub)} {column}", parts, sub, column))
        for _, total in totals.iterrows():
            parts = subtotals if len(subtotals) else data
            what = "各小计之和" if len(subtotals) else "各行之和"
            findings.extend(
                _sum_finding(table, f"{_label(table, total)} {column}（{what}）", parts, total, column)
            )
    return findings


def _sum_finding(table, item, parts: pd.DataFrame, row: pd.Series, column: str) -> list[Finding]:
    documented = parse_number(row[column])
    if documented is None:
        return []
    texts = _values(parts, column)
    computed = _sum(texts)
    tolerance = _sum_tolerance(texts, row[column])
    return [
        _finding(
            table.id, item, documented, computed, tolerance, _unit_of(row[column], table), printed=row[column]
        )
    ]


def _unit_of(text: object, table: PublishedTable) -> str:
    return "%" if str(text).strip().endswith(("%", "％")) else table.unit


def _missing_column(table: PublishedTable, column: str) -> Finding:
    return Finding(
        table.id,
        f"列“{column}”不存在",
        None,
        None,
        None,
        "invalid",
        note="tables.toml 的核查设置引用了表中没有的列",
    )


def _check_shares(table: PublishedTable) -> list[Finding]:
    frame, findings = table.frame, []
    kinds = _kinds(frame)
    for spec in table.shares:
        share, of = spec["share"], spec["of"]
        if share not in frame or of not in frame:
            findings.append(_missing_column(table, share if share not in frame else of))
            continue
        total_rows = frame[kinds == "total"]
        if len(total_rows):
            total_text = str(total_rows.iloc[0][of])
            total = parse_number(total_text)
        else:
            data_texts = _values(frame[kinds == "data"], of)
            total, total_text = _sum(data_texts), max(data_texts, key=decimals_of, default="0")
        if not total:
            continue
        value_half = _half_ulp(decimals_of(total_text)) if decimals_of(total_text) else Decimal(0)
        for _, row in frame.iterrows():
            documented, value = parse_number(row[share]), parse_number(row[of])
            if documented is None or value is None:
                continue
            computed = value / total * 100
            d_share = decimals_of(row[share])
            # the share printed with d decimals, computed from values rounded to their decimals
            tolerance = _half_ulp(d_share) + Decimal(100) * value_half / total * (1 + abs(value) / total)
            findings.append(
                _finding(
                    table.id,
                    f"{_label(table, row)} {share}",
                    documented,
                    computed,
                    tolerance,
                    "%",
                    printed=row[share],
                )
            )
        # shares of the data rows add up to the total row's share
        if len(total_rows) and parse_number(total_rows.iloc[0][share]) is not None:
            texts = _values(frame[kinds == "data"], share)
            findings.append(
                _finding(
                    table.id,
                    f"{share}合计（各行之和）",
                    parse_number(total_rows.iloc[0][share]),
                    _sum(texts),
                    _sum_tolerance(texts, total_rows.iloc[0][share]),
                    "%",
                    printed=total_rows.iloc[0][share],
                )
            )
    return findings


def _check_row_sums(table: PublishedTable) -> list[Finding]:
    frame, findings = table.frame, []
    for spec in table.row_sums:
        total_col, parts, minus = spec["total"], list(spec.get("parts", [])), list(spec.get("minus", []))
        missing = [c for c in [total_col, *parts, *minus] if c not in frame]
        if missing:
            findings.append(_missing_column(table, missing[0]))
            continue
        formula = "+".join(parts) + "".join(f"-{m}" for m in minus)
        for _, row in frame.iterrows():
            documented = parse_number(row[total_col])
            if documented is None:
                continue
            texts = [str(row[c]) for c in parts + minus]
            computed = _sum([str(row[c]) for c in parts]) - _sum([str(row[c]) for c in minus])
            tolerance = _sum_tolerance(texts, row[total_col])
            findings.append(
                _finding(
                    table.id,
                    f"{_label(table, row)} {total_col}（{formula}）",
                    documented,
                    computed,
                    tolerance,
                    table.unit,
                    printed=row[total_col],
                )
            )
    return findings


def _check_ranges(table: PublishedTable) -> list[Finding]:
    frame, findings = table.frame, []
    for spec in table.ranges:
        column = spec["column"]
        if column not in frame:
            findings.append(_missing_column(table, column))
            continue
        low, high = Decimal(str(spec.get("min", "-Infinity"))), Decimal(str(spec.get("max", "Infinity")))
        unit = spec.get("unit", "")
        for _, row in frame.iterrows():
            value = parse_number(row[column])
            if value is None or low <= value <= high:
                continue
            bound = high if value > high else low
            findings.append(
                Finding(
                    table=table.id,
                    item=f"{_label(table, row)} {column}",
                    documented=_num(value),
                    computed=None,
                    difference=_num(value - bound),
                    severity="invalid",
                    unit=unit,
                    note=f"取值应在 {spec.get('min', '')}–{spec.get('max', '')}{unit} 之间",
                )
            )
    return findings


def _check_changes(table: PublishedTable) -> list[Finding]:
    """Rates of change (after − before) / before × 100 within each row.

    The tolerance comes from interval arithmetic on the printed before/after values.
    """
    frame, findings = table.frame, []
    for spec in table.changes:
        rate_col, before_col, after_col = spec["rate"], spec["before"], spec["after"]
        missing = [c for c in (rate_col, before_col, after_col) if c not in frame]
        if missing:
            findings.append(_missing_column(table, missing[0]))
            continue
        for _, row in frame.iterrows():
            rate, before, after = (parse_number(row[c]) for c in (rate_col, before_col, after_col))
            if rate is None or before is None or after is None or before == 0:
                continue
            computed = (after - before) / before * 100
            hb, ha = (_half_ulp(decimals_of(row[c])) for c in (before_col, after_col))
            corners = [
                (a - b) / b * 100
                for b in (before - hb, before + hb)
                for a in (after - ha, after + ha)
                if b > 0
            ]
            tolerance = max((abs(c - computed) for c in corners), default=Decimal(0))
            findings.append(
                _finding(
                    table.id,
                    f"{_label(table, row)} {rate_col}（{before_col}→{after_col}）",
                    rate,
                    computed,
                    tolerance,
                    "%",
                    printed=row[rate_col],
                )
            )
    return findings


def check_table(table: PublishedTable) -> list[Finding]:
    """Every arithmetic check a published table declares."""
    return [
        *_check_sums(table),
        *_check_shares(table),
        *_check_row_sums(table),
        *_check_changes(table),
        *_check_ranges(table),
    ]


# --- stated facts -----------------------------------------------------------------------------


def _fact_unit(fact: dict) -> str:
    return str(fact.get("unit", "")).strip()


def _find_row(table: PublishedTable, row_name: str) -> pd.Series | None:
    frame = table.frame
    wanted = clean_key(row_name)
    columns = [table.key] if table.key in frame else []
    columns += [c for c in frame.columns if c not in columns and frame[c].dtype == object]
    for column in columns:
        hits = frame[frame[column].map(clean_key) == wanted]
        if len(hits):
            return hits.iloc[0]
    return None


def _compute_fact(plan: Plan, fact: dict, facts_by_id: dict) -> tuple[Decimal, Decimal, str]:
    """(computed value, rounding tolerance of the computation, note) for a fact's ``compute``."""
    spec, unit = fact["compute"], _fact_unit(fact)
    if "dataset" in spec:
        frame = plan.dataset(spec["dataset"])
        where = spec.get("where", {})
        for column, wanted in where.items():
            if column not in frame:
                raise ValueError(f"数据集 {spec['dataset']} 没有列 {column}")
            values = wanted if isinstance(wanted, list) else [wanted]
            frame = frame[frame[column].isin([str(v) for v in values])]
        metric = spec.get("metric", "count")
        if metric == "count":
            if spec["dataset"] == "schedules":
                return _sum(_values(frame, "count")), Decimal(0), ""
            return Decimal(record_count(frame)), Decimal(0), ""
        if metric == "area":
            target_unit = unit if is_area_unit(unit) else "公顷"
            total = Decimal(0)
            texts = []
            for area, area_unit in zip(frame["area"], frame["area_unit"], strict=False):
                if str(area).strip():
                    total += to_ha(area, area_unit or plan.area_unit) or Decimal(0)
                    texts.append((str(area), area_unit or plan.area_unit))
            factor = AREA_UNITS[unit_code(target_unit)][1]
            computed = total / factor
            tolerance = sum(
                (
                    _half_ulp(decimals_of(t)) * AREA_UNITS[unit_code(u)][1] / factor
                    for t, u in texts
                    if decimals_of(t) > 0
                ),
                Decimal(0),
            )
            return computed, tolerance, ""
        raise ValueError(f"未知的 metric：{metric}")
    if "table" in spec:
        table = plan.tables.get(spec["table"])
        if table is None:
            raise ValueError(f"没有表 {spec['table']}")
        column = spec["column"]
        if column not in table.frame:
            raise ValueError(f"表 {table.id} 没有列 {column}")
        names = spec.get("sum_rows") or [spec["row"]]
        texts = []
        for name in names:
            row = _find_row(table, name)
            if row is None:
                raise ValueError(f"表 {table.id} 中找不到行 {name}")
            texts.append(str(row[column]))
        computed = _sum(texts)
        tolerance = sum((_half_ulp(decimals_of(t)) for t in texts if decimals_of(t) > 0), Decimal(0))
        table_unit = "%" if texts and texts[0].strip().endswith("%") else table.unit
        if is_area_unit(unit) and is_area_unit(table_unit) and unit_code(unit) != unit_code(table_unit):
            factor = AREA_UNITS[unit_code(table_unit)][1] / AREA_UNITS[unit_code(unit)][1]
            computed, tolerance = computed * factor, tolerance * factor
        return computed, tolerance, f"{table.id} {column}"
    if "facts" in spec:
        texts = [str(facts_by_id[f]["value"]) for f in spec["facts"]]
        return _sum(texts), _sum_tolerance(texts, "0"), "+".join(spec["facts"])
    if "share_of" in spec:
        part, whole = (facts_by_id[f] for f in spec["share_of"])
        p, w = parse_number(str(part["value"])), parse_number(str(whole["value"]))
        if not w:
            raise ValueError("占比的分母为零")
        d_p, d_w = decimals_of(part["value"]), decimals_of(whole["value"])
        tolerance = (
            Decimal(100) * ((_half_ulp(d_p) if d_p else 0) + (_half_ulp(d_w) if d_w else 0) * abs(p) / w) / w
        )
        return p / w * 100, tolerance, f"{part.get('id')} ÷ {whole.get('id')}"
    raise ValueError("compute 的写法无法识别")


def check_facts(plan: Plan) -> list[Finding]:
    """Every stated figure with a ``compute`` recomputed from the data."""
    findings = []
    facts_by_id = {f.get("id"): f for f in plan.facts}
    for fact in plan.facts:
        if "compute" not in fact:
            continue
        label = fact.get("table") or "正文"
        documented = parse_number(str(fact.get("value", "")))
        if documented is None:
            continue
        try:
            computed, tolerance, note = _compute_fact(plan, fact, facts_by_id)
        except (ValueError, KeyError) as exc:
            findings.append(
                Finding(
                    label,
                    fact.get("item", fact.get("id", "")),
                    _num(documented),
                    None,
                    None,
                    "invalid",
                    _fact_unit(fact),
                    source=fact.get("source", ""),
                    note=f"无法核算：{exc}",
                )
            )
            continue
        d = decimals_of(fact.get("value", ""))
        if d > 0:
            tolerance += _half_ulp(d)
        findings.append(
            _finding(
                label,
                fact.get("item", fact.get("id", "")),
                documented,
                computed,
                tolerance,
                _fact_unit(fact),
                fact.get("source", ""),
                note,
                printed=fact.get("value", ""),
            )
        )
    return findings


# --- records ------------------------------------------------------------------------------------

# densities first, then FAR: the order the findings were always listed in
_RECORD_RANGES = {c: RANGES[c] for c in ("density_before", "density_after", "far_before", "far_after")}


def check_records(plan: Plan) -> list[Finding]:
    """Values in the records that cannot be true: areas ≤ 0, densities over 100 %, FAR over 20."""
    findings = []
    for dataset, label in (("parcels", "地块清单"), ("zones", "片区清单")):
        frame = plan.dataset(dataset)
        for _, row in frame.iterrows():
            name = f"{row.get('id', '')} {row.get('name', '')}".strip()
            area = parse_number(row.get("area", ""))
            if str(row.get("area", "")).strip() and (area is None or area <= 0):
                findings.append(
                    Finding(
                        label,
                        f"{name} 面积",
                        _num(area),
                        None,
                        None,
                        "invalid",
                        row.get("area_unit", ""),
                        source=row.get("source", ""),
                        note="面积应大于 0",
                    )
                )
            for column, bounds in _RECORD_RANGES.items():
                value = parse_number(row.get(column, "")) if column in row else None
                if value is not None and not bounds.contains(value):
                    findings.append(
                        Finding(
                            label,
                            f"{name} {bounds.label}",
                            _num(value),
                            None,
                            None,
                            "invalid",
                            bounds.unit,
                            source=row.get("source", ""),
                            note=f"取值应在 {bounds.text} 之间",
                        )
                    )
    return findings


def reconcile(plan: Plan) -> list[Finding]:
    """All findings of a plan: published tables, stated figures, record values."""
    findings: list[Finding] = []
    for table in plan.tables.values():
        findings.extend(check_table(table))
    findings.extend(check_facts(plan))
    findings.extend(check_records(plan))
    return findings


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame (for pages and exports), severity label in Chinese."""
    frame = pd.DataFrame([f.to_json() for f in findings], columns=list(Finding.__dataclass_fields__))
    frame["severity_label"] = frame["severity"].map(SEVERITY_LABELS)
    return frame


def severity_counts(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


__all__ = [
    "SEVERITIES",
    "SEVERITY_LABELS",
    "Finding",
    "check_facts",
    "check_records",
    "check_table",
    "findings_frame",
    "reconcile",
    "severity_counts",
]  # fmt: skip
