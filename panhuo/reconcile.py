"""Recompute every published total, subtotal, percentage and stated figure of a plan.

Each check yields a :class:`Finding` whose severity is judged from the printed precision:

- ``ok``: equal;
- ``rounding``: different, but within what rounding the printed values explains — a sum of n
  values printed with d decimals can be off by n·½·10⁻ᵈ, plus ½·10⁻ᵈ for the printed total;
  whole numbers (counts, integral 亩) are taken as exact. A printed value that is the computed
  one truncated instead of rounded, or a nonzero value printed at the smallest displayable
  value (0.01 for 0.0023), is rounding too, with a note naming the convention;
- ``mismatch``: beyond that;
- ``invalid``: a value that cannot be true (a density over 100 %, a negative area);
- ``uncheckable``: a check whose inputs include an invalid value: not computed from it.

Every finding names the printed value it checks (``claim``) and the printed values it is
computed from (``inputs``), as cell keys (``表｜行｜列`` or ``正文｜出处｜句子｜数值``), and
carries its evidence in words: where (``location``), the printed row or sentence (``quote``)
and the arithmetic (``arithmetic``). :mod:`panhuo.causes` groups the failing ones by cause.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from decimal import ROUND_DOWN, Decimal

import pandas as pd

from panhuo.aggregate import FIELD_LABELS, record_count
from panhuo.model import Plan, PublishedTable
from panhuo.ranges import RANGES
from panhuo.units import AREA_UNITS, decimals_of, is_area_unit, parse_number, to_ha, unit_code

SEVERITIES = ("ok", "rounding", "mismatch", "invalid", "uncheckable")
SEVERITY_LABELS = {
    "ok": "一致",
    "rounding": "舍入误差",
    "mismatch": "不一致",
    "invalid": "数值无效",
    "uncheckable": "无法核查",
}
PROBLEMS = ("mismatch", "invalid", "uncheckable")  # what a reviewer has to act on
_EPS = Decimal("1e-9")
_WS = re.compile(r"[\s\u3000]+")
_META_COLUMNS = {"row_kind", "group", "source", "derived"}
DATASET_LABELS = {"parcels": "地块清单", "zones": "片区清单", "schedules": "时序安排表"}
# a cross-table fact quotes the cell it checks: "附表2 住宅用地行 占比：57.16"
_CELL_QUOTE = re.compile(r"^(\S+) (\S+?)行 (\S+?)：")


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
    kind: str = ""  # sum | share | row_sum | change | range | fact | record
    label: str = ""  # the check in words, for people (``item`` is the stable key)
    location: str = ""  # 表 and 行, or chapter and section
    quote: str = ""  # the printed row or sentence
    arithmetic: str = ""  # the computation written out, with the printed value
    claim: str = ""  # the printed value checked
    inputs: list[str] = field(default_factory=list)  # the printed values it is computed from
    cause: str = ""  # set by panhuo.causes for problems
    additive: bool = False  # computed as a plain sum of its inputs (a corrected input shifts it)
    printed: str = ""  # the checked value as printed
    rule: str = ""  # what is wrong with it, in a few words (与面积不符, 超出 0–100%)

    def to_json(self) -> dict:
        return asdict(self)


def column_phrase(name: str) -> str:
    """A table column's name as a Chinese phrase: ``总计_占比`` → 总计占比,
    ``规划期间变化率_容积率`` → 规划期间容积率变化率.

    >>> column_phrase("现状_面积"), column_phrase("规划期间变化率_建筑密度")
    ('现状面积', '规划期间建筑密度变化率')
    """
    head, _, tail = str(name).partition("_")
    if not tail:
        return head
    if head.endswith("变化率"):
        return f"{head[:-3]}{tail}变化率"
    return f"{head}{tail}"


def _half_ulp(decimals: int) -> Decimal:
    return Decimal(5).scaleb(-decimals - 1)


def _num(value: Decimal | None) -> float | None:
    if value is None:
        return None
    value = value.quantize(Decimal("0.0001"))
    return float(value)


def _text(value: Decimal, decimals: int) -> str:
    """``value`` written with ``decimals`` decimals (for the arithmetic in words)."""
    return f"{value.quantize(Decimal(1).scaleb(-decimals)):,f}" if decimals else f"{round(value):,}"


def _printed(text: object) -> str:
    return str(text).strip()


def _judge(documented: Decimal, computed: Decimal, tolerance: Decimal, ok_within: Decimal) -> str:
    """ok when the printed value is the computed one rounded to its printed decimals."""
    diff = abs(documented - computed)
    if diff <= ok_within + _EPS:
        return "ok"
    if diff <= tolerance + _EPS:
        return "rounding"
    return "mismatch"


def _convention(documented: Decimal, computed: Decimal, decimals: int) -> str:
    """The publishing convention that explains a printed value, or "" (a genuine difference)."""
    step = Decimal(1).scaleb(-decimals)
    if computed > 0 and documented == computed.quantize(step, rounding=ROUND_DOWN) != computed:
        return (
            f"印刷惯例：文件按截尾（舍去）而非四舍五入保留 {decimals} 位小数"
            if decimals
            else ("印刷惯例：文件取整数时舍去了小数部分（截尾），而非四舍五入")
        )
    if decimals and documented == step and 0 < computed < step / 2:
        return f"印刷惯例：不为零的小值按最小可显示值 {step} 印出"
    return ""


def _finding(
    table,
    item,
    documented,
    computed,
    tolerance,
    unit="",
    source="",
    note="",
    printed: object = None,
    **evidence,
) -> Finding:
    """A finding; ``printed`` is the documented value as printed (its decimals set what is ok)."""
    decimals = decimals_of(printed) if printed is not None else 0
    ok_within = _half_ulp(decimals) if printed is not None else Decimal(0)
    severity = _judge(documented, computed, max(tolerance, ok_within), ok_within)
    if severity == "mismatch" and printed is not None:
        convention = _convention(documented, computed, decimals)
        if convention:
            severity, note = "rounding", "；".join(n for n in (note, convention) if n)
    shown = decimals if severity == "mismatch" else decimals + 2
    if "arithmetic" in evidence:
        suffix = "%" if unit == "%" else (f" {unit}" if unit else "")
        written = _printed(printed if printed is not None else documented).rstrip("%％")
        words = evidence["arithmetic"]
        equals = "" if words.endswith("为") else " = "
        evidence["arithmetic"] = f"{words}{equals}{_text(computed, shown)}{suffix}，文件为 {written}{suffix}"
    evidence.setdefault("printed", _printed(printed if printed is not None else documented))
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
        **evidence,
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


def _added(texts: list[str], limit: int = 8) -> str:
    """``a + b + c`` for a few printed values, ``n 个数之和`` for many."""
    shown = [_printed(t) for t in texts if _printed(t)]
    if len(shown) > limit:
        return f"{len(shown)} 个数相加"
    return " + ".join(shown) or "0"


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


def cell_key(table_id: str, row_label: str, column: str) -> str:
    return f"{table_id}｜{row_label}｜{column}"


def _cell(table: PublishedTable, row: pd.Series, column: str) -> str:
    return cell_key(table.id, _label(table, row), column)


def _where(table: PublishedTable, row: pd.Series) -> str:
    return f"{table.id} {_label(table, row)}行"


def _row_quote(table: PublishedTable, row: pd.Series) -> str:
    """The printed row: each column's phrase and its value as printed."""
    cells = [
        f"{column_phrase(c)} {_printed(row[c])}"
        for c in row.index
        if c not in _META_COLUMNS and c != table.key and _printed(row[c])
    ]
    return f"{_label(table, row)}：" + "；".join(cells)


def _values(frame: pd.DataFrame, column: str) -> list[str]:
    return [str(v) for v in frame[column]]


def _sum(texts: list[str]) -> Decimal:
    return sum((parse_number(t) or Decimal(0) for t in texts), Decimal(0))


def _is_share_column(table: PublishedTable, column: str) -> bool:
    if any(spec.get("share") == column for spec in table.shares) or "占比" in column:
        return True
    values = [_printed(v) for v in table.frame[column] if _printed(v)] if column in table.frame else []
    return bool(values) and all(v.endswith(("%", "％")) for v in values)


def _column_unit(table: PublishedTable, column: str) -> str:
    return "%" if _is_share_column(table, column) else table.unit


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
            findings.extend(
                _sum_finding(table, f"{_label(table, sub)} {column}", parts, sub, column, "本组各行之和")
            )
        for _, total in totals.iterrows():
            parts = subtotals if len(subtotals) else data
            what = "各小计之和" if len(subtotals) else "各行之和"
            findings.extend(
                _sum_finding(table, f"{_label(table, total)} {column}（{what}）", parts, total, column, what)
            )
    return findings


def _sum_finding(table, item, parts: pd.DataFrame, row: pd.Series, column: str, what: str) -> list[Finding]:
    documented = parse_number(row[column])
    if documented is None:
        return []
    texts = _values(parts, column)
    computed = _sum(texts)
    tolerance = _sum_tolerance(texts, row[column])
    return [
        _finding(
            table.id,
            item,
            documented,
            computed,
            tolerance,
            _column_unit(table, column),
            printed=row[column],
            kind="sum",
            label=f"{_label(table, row)}行的{column_phrase(column)}应等于{what}",
            rule=f"与{what}不符",
            location=_where(table, row),
            quote=_row_quote(table, row),
            arithmetic=f"{column_phrase(column)} {_added(texts)}",
            claim=_cell(table, row, column),
            inputs=[_cell(table, part, column) for _, part in parts.iterrows()],
            additive=True,
        )
    ]


def _missing_column(table: PublishedTable, column: str) -> Finding:
    return Finding(
        table.id,
        f"列“{column}”不存在",
        None,
        None,
        None,
        "invalid",
        note="tables.toml 的核查设置引用了表中没有的列",
        kind="setting",
        label=f"核查设置引用的列“{column}”不在表中",
        location=table.id,
        claim=cell_key(table.id, "", column),
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
            total_row = total_rows.iloc[0]
            total_text = str(total_row[of])
            total = parse_number(total_text)
            denominators = [_cell(table, total_row, of)]
            total_name = _label(table, total_row)
            of_phrase = column_phrase(of)
            whole = f"{of_phrase if of_phrase.startswith(total_name) else total_name + of_phrase} {_printed(total_text)}"
        else:
            data_rows = frame[kinds == "data"]
            data_texts = _values(data_rows, of)
            total, total_text = _sum(data_texts), max(data_texts, key=decimals_of, default="0")
            denominators = [_cell(table, r, of) for _, r in data_rows.iterrows()]
            whole = f"各行{column_phrase(of)}之和 {_text(total, decimals_of(total_text))}"
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
                    kind="share",
                    label=f"{_label(table, row)}的{column_phrase(share)}应为其{column_phrase(of)}占总数的比例",
                    rule=f"与{column_phrase(of)}不符",
                    location=_where(table, row),
                    quote=_row_quote(table, row),
                    arithmetic=f"{column_phrase(of)} {_printed(row[of])} ÷ {whole} × 100",
                    claim=_cell(table, row, share),
                    inputs=list(dict.fromkeys([_cell(table, row, of), *denominators])),
                )
            )
        # shares of the data rows add up to the total row's share
        if len(total_rows) and parse_number(total_rows.iloc[0][share]) is not None:
            total_row = total_rows.iloc[0]
            data_rows = frame[kinds == "data"]
            texts = _values(data_rows, share)
            what = "各行之和"
            findings.append(
                _finding(
                    table.id,
                    f"{share}合计（各行之和）",
                    parse_number(total_row[share]),
                    _sum(texts),
                    _sum_tolerance(texts, total_row[share]),
                    "%",
                    printed=total_row[share],
                    kind="sum",
                    label=f"{_label(table, total_row)}行的{column_phrase(share)}应等于{what}",
                    rule=f"与{what}不符",
                    location=_where(table, total_row),
                    quote=_row_quote(table, total_row),
                    arithmetic=f"{column_phrase(share)} {_added(texts)}",
                    claim=_cell(table, total_row, share),
                    inputs=[_cell(table, r, share) for _, r in data_rows.iterrows()],
                    additive=True,
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
        words = "＋".join(column_phrase(c) for c in parts) + "".join(f"－{column_phrase(m)}" for m in minus)
        for _, row in frame.iterrows():
            documented = parse_number(row[total_col])
            if documented is None:
                continue
            texts = [str(row[c]) for c in parts + minus]
            computed = _sum([str(row[c]) for c in parts]) - _sum([str(row[c]) for c in minus])
            tolerance = _sum_tolerance(texts, row[total_col])
            written = " + ".join(_printed(row[c]) for c in parts) + "".join(
                f" − {_printed(row[m])}" for m in minus
            )
            findings.append(
                _finding(
                    table.id,
                    f"{_label(table, row)} {total_col}（{formula}）",
                    documented,
                    computed,
                    tolerance,
                    _column_unit(table, total_col),
                    printed=row[total_col],
                    kind="row_sum",
                    label=f"{_label(table, row)}的{column_phrase(total_col)}应等于{words}",
                    rule=f"与{words}不符",
                    location=_where(table, row),
                    quote=_row_quote(table, row),
                    arithmetic=f"{words}：{written}",
                    claim=_cell(table, row, total_col),
                    inputs=[_cell(table, row, c) for c in parts + minus],
                    additive=not minus,
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
        bounds = f"{spec.get('min', '')}–{spec.get('max', '')}{unit}"
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
                    note=f"取值应在 {bounds} 之间",
                    kind="range",
                    label=f"{_label(table, row)}的{column_phrase(column)}应在 {bounds} 之间",
                    rule=f"不可能成立（应在 {bounds} 之间）",
                    printed=_printed(row[column]),
                    location=_where(table, row),
                    quote=_row_quote(table, row),
                    arithmetic=(
                        f"{column_phrase(column)}印为 {_printed(row[column])}，"
                        f"{'超出上限' if value > high else '低于下限'} {bound}{unit}"
                    ),
                    claim=_cell(table, row, column),
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
            b, a = _printed(row[before_col]), _printed(row[after_col])
            findings.append(
                _finding(
                    table.id,
                    f"{_label(table, row)} {rate_col}（{before_col}→{after_col}）",
                    rate,
                    computed,
                    tolerance,
                    "%",
                    printed=row[rate_col],
                    kind="change",
                    label=(
                        f"{_label(table, row)}的{column_phrase(rate_col)}应由"
                        f"{column_phrase(before_col)}与{column_phrase(after_col)}算出"
                    ),
                    rule=f"与{column_phrase(before_col)}、{column_phrase(after_col)}不符",
                    location=_where(table, row),
                    quote=_row_quote(table, row),
                    arithmetic=f"（{a} − {b}）÷ {b} × 100",
                    claim=_cell(table, row, rate_col),
                    inputs=[_cell(table, row, before_col), _cell(table, row, after_col)],
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


def fact_claim(plan: Plan, fact: dict) -> str:
    """The printed value a fact states, as a cell key: a table cell when the fact quotes one
    (``附表2 住宅用地行 占比：57.16``), else its sentence and value (two facts quoting the same
    sentence and value state the same printed number)."""
    match = _CELL_QUOTE.match(str(fact.get("text", "")))
    if match and match.group(1) in plan.tables:
        return cell_key(match.group(1), clean_key(match.group(2)), match.group(3))
    text = clean_key(fact.get("text", ""))
    if not text:
        return f"正文｜{fact.get('id', '')}"
    return f"正文｜{clean_key(fact.get('source', ''))}｜{text}｜{_printed(fact.get('value', ''))}"


def _dataset_words(plan: Plan, spec: dict) -> str:
    where = spec.get("where", {})
    parts = []
    for column, wanted in where.items():
        values = wanted if isinstance(wanted, list) else [wanted]
        parts.append(f"{FIELD_LABELS.get(column, column)}为{'或'.join(str(v) for v in values)}")
    scope = "、".join(parts)
    return f"{DATASET_LABELS.get(spec['dataset'], spec['dataset'])}中{scope + '的' if scope else ''}"


def _compute_fact(plan: Plan, fact: dict, facts_by_id: dict) -> tuple[Decimal, Decimal, str, list[str], str]:
    """(computed value, rounding tolerance of the computation, note, inputs, arithmetic in words)
    for a fact's ``compute``."""
    spec, unit = fact["compute"], _fact_unit(fact)
    if "dataset" in spec:
        frame = plan.dataset(spec["dataset"])
        where = spec.get("where", {})
        for column, wanted in where.items():
            if column not in frame:
                raise ValueError(f"数据集 {spec['dataset']} 没有列 {column}")
            values = wanted if isinstance(wanted, list) else [wanted]
            frame = frame[frame[column].isin([str(v) for v in values])]
        inputs = [f"{spec['dataset']}｜{json.dumps(where, ensure_ascii=False, sort_keys=True)}"]
        words = _dataset_words(plan, spec)
        metric = spec.get("metric", "count")
        if metric == "count":
            if spec["dataset"] == "schedules":
                return _sum(_values(frame, "count")), Decimal(0), "", inputs, f"{words}个数之和"
            return Decimal(record_count(frame)), Decimal(0), "", inputs, f"{words}记录数"
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
            return computed, tolerance, "", inputs, f"{words} {len(texts)} 条面积之和（{target_unit}）"
        raise ValueError(f"未知的 metric：{metric}")
    if "table" in spec:
        table = plan.tables.get(spec["table"])
        if table is None:
            raise ValueError(f"没有表 {spec['table']}")
        column = spec["column"]
        minus = spec.get("minus", [])
        minus = [minus] if isinstance(minus, str) else list(minus)
        for wanted in [column, *minus]:
            if wanted not in table.frame:
                raise ValueError(f"表 {table.id} 没有列 {wanted}")
        names = spec.get("sum_rows") or [spec["row"]]
        rows = []
        for name in names:
            row = _find_row(table, name)
            if row is None:
                raise ValueError(f"表 {table.id} 中找不到行 {name}")
            rows.append(row)
        texts = [str(row[column]) for row in rows]
        minus_texts = [str(row[m]) for row in rows for m in minus]
        computed = _sum(texts) - _sum(minus_texts)
        tolerance = sum(
            (_half_ulp(decimals_of(t)) for t in texts + minus_texts if decimals_of(t) > 0), Decimal(0)
        )
        table_unit = "%" if texts and texts[0].strip().endswith("%") else table.unit
        factor = Decimal(1)
        if is_area_unit(unit) and is_area_unit(table_unit) and unit_code(unit) != unit_code(table_unit):
            factor = AREA_UNITS[unit_code(table_unit)][1] / AREA_UNITS[unit_code(unit)][1]
            computed, tolerance = computed * factor, tolerance * factor
        inputs = [cell_key(table.id, _label(table, r), c) for r in rows for c in [column, *minus]]
        where = f"{table.id} " + "、".join(_label(table, r) for r in rows) + "行"
        if minus:
            words = (
                f"{where}{column_phrase(column)}减{'、'.join(column_phrase(m) for m in minus)}："
                + " − ".join([_added(texts), *(_added([t]) for t in minus_texts)])
            )
        elif len(rows) > 1:
            words = f"{where}{column_phrase(column)}之和：{_added(texts)}"
        else:
            words = f"{where}{column_phrase(column)}为"
        if factor != 1:
            words += f"（{table_unit}换算为{unit}）"
        return computed, tolerance, "", inputs, words
    if "facts" in spec:
        texts = [str(facts_by_id[f]["value"]) for f in spec["facts"]]
        inputs = [fact_claim(plan, facts_by_id[f]) for f in spec["facts"]]
        words = _added(texts) if len(texts) > 1 else f"{facts_by_id[spec['facts'][0]].get('item', '')}为"
        return _sum(texts), _sum_tolerance(texts, "0"), "", inputs, words
    if "share_of" in spec:
        part, whole = (facts_by_id[f] for f in spec["share_of"])
        p, w = parse_number(str(part["value"])), parse_number(str(whole["value"]))
        if not w:
            raise ValueError("占比的分母为零")
        d_p, d_w = decimals_of(part["value"]), decimals_of(whole["value"])
        tolerance = (
            Decimal(100) * ((_half_ulp(d_p) if d_p else 0) + (_half_ulp(d_w) if d_w else 0) * abs(p) / w) / w
        )
        inputs = [fact_claim(plan, part), fact_claim(plan, whole)]
        words = f"{_printed(part['value'])} ÷ {_printed(whole['value'])} × 100"
        return p / w * 100, tolerance, "", inputs, words
    raise ValueError("compute 的写法无法识别")


def _fact_location(fact: dict) -> str:
    """Chapter and section; for a cross-table fact quoting a cell, its table and row."""
    match = _CELL_QUOTE.match(str(fact.get("text", "")))
    if match and fact.get("table") == "跨表核对":
        return f"{match.group(1)} {match.group(2)}行"
    return str(fact.get("source", "")).strip() or str(fact.get("table", "")) or "正文"


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
        evidence = dict(
            kind="fact",
            label=fact.get("item", fact.get("id", "")),
            rule="与重算不符",
            location=_fact_location(fact),
            quote=str(fact.get("text", "")),
            claim=fact_claim(plan, fact),
        )
        try:
            computed, tolerance, note, inputs, words = _compute_fact(plan, fact, facts_by_id)
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
                    **evidence,
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
                arithmetic=words,
                inputs=inputs,
                additive="facts" in fact["compute"]
                or ("table" in fact["compute"] and not fact["compute"].get("minus")),
                **evidence,
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
            where = dict(
                kind="record",
                location=f"{label} {row.get('source', '') or name}",
                quote=name,
            )
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
                        label=f"{name}的面积应大于 0",
                        rule="不可能成立（面积应大于 0）",
                        printed=_printed(row.get("area", "")),
                        arithmetic=f"面积印为 {_printed(row.get('area', ''))}",
                        claim=cell_key(label, str(row.get("id", "")), "area"),
                        **where,
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
                            label=f"{name}的{bounds.label}应在 {bounds.text} 之间",
                            rule=f"不可能成立（应在 {bounds.text} 之间）",
                            printed=_printed(row.get(column, "")),
                            arithmetic=f"{bounds.label}印为 {_printed(row.get(column, ''))}",
                            claim=cell_key(label, str(row.get("id", "")), column),
                            **where,
                        )
                    )
    return findings


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per check: a share column listed both as a column to sum and as a share
    column is checked twice, identically — the second is dropped."""
    seen, kept = set(), []
    for finding in findings:
        key = (finding.claim, tuple(sorted(finding.inputs)), finding.documented, finding.computed)
        if finding.claim and key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept


def _mark_uncheckable(findings: list[Finding]) -> None:
    """A check computed from a value that cannot be true is not a mismatch: it is uncheckable."""
    invalid = {f.claim: f for f in findings if f.severity == "invalid" and f.kind in ("range", "record")}
    for finding in findings:
        bad = [invalid[c] for c in finding.inputs if c in invalid]
        if not bad or finding.kind in ("range", "record"):
            continue
        why = "、".join(f"{b.location} {b.documented:g}{b.unit}" for b in bad)
        finding.severity = "uncheckable"
        finding.note = f"依据的数值无效（{why}），无法核查"
        finding.arithmetic = f"{finding.arithmetic.split('=')[0].strip()}：因所依据的数值无效，不作计算"
        finding.computed = finding.difference = None


def reconcile(plan: Plan) -> list[Finding]:
    """All findings of a plan: published tables, stated figures, record values; each check once,
    and every problem given its cause (:func:`panhuo.causes.group`)."""
    from panhuo.causes import group

    findings: list[Finding] = []
    for table in plan.tables.values():
        findings.extend(check_table(table))
    findings.extend(check_facts(plan))
    findings.extend(check_records(plan))
    findings = _dedupe(findings)
    _mark_uncheckable(findings)
    group(findings)
    return findings


def size_text(finding: Finding) -> str:
    """How large a difference is, in words: ``差 15.35 个百分点`` or ``差 1.35 公顷（5.4%）``."""
    if finding.difference is None:
        return ""
    diff = Decimal(str(finding.difference))
    sign = "多" if diff > 0 else "少"
    step = Decimal("0.01") if abs(diff) >= Decimal("0.01") else Decimal("0.0001")
    amount = f"{abs(diff).quantize(step).normalize():f}"
    if finding.unit == "%":
        return f"计算值比文件{sign} {amount} 个百分点"
    text = f"计算值比文件{sign} {amount}{(' ' + finding.unit) if finding.unit else ''}"
    if finding.documented:
        text += f"（相差 {abs(diff) / abs(Decimal(str(finding.documented))) * 100:.1f}%）"
    return text


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
    "PROBLEMS",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "Finding",
    "cell_key",
    "check_facts",
    "check_records",
    "check_table",
    "column_phrase",
    "findings_frame",
    "reconcile",
    "severity_counts",
    "size_text",
]  # fmt: skip
