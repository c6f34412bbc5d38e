"""小计/合计/总计 rows inside the data: kept out of the records, checked against the rows, and
kept as a published table so the audit page can show them.

A 小计 closes the block of data rows since the previous 小计 (how bureau workbooks are laid
out); a 合计/总计 is checked against all data rows above it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from panhuo.importing.header import SheetRow, Table
from panhuo.importing.report import Problem
from panhuo.units import cell_unit, convert, decimals_of, parse_number


@dataclass
class TotalCheck:
    row: int
    label: str
    column: str
    documented: Decimal
    computed: Decimal
    rows: int
    severity: str  # ok | rounding | mismatch


def _value(text: str, unit: str) -> Decimal | None:
    number = parse_number(text)
    if number is None:
        return None
    own = cell_unit(text)
    if own and unit and own != unit:
        return convert(number, own, unit)
    return number


def _judge(documented: Decimal, computed: Decimal, texts: list[str], total_text: str) -> str:
    if documented == computed:
        return "ok"
    decimals = [decimals_of(t) for t in [*texts, total_text]]
    if max(decimals, default=0) == 0:
        return "mismatch"  # whole numbers add up exactly
    half = Decimal(5).scaleb(-max(decimals) - 1)
    tolerance = half * (len(texts) + 1)
    return "rounding" if abs(documented - computed) <= tolerance else "mismatch"


def check_totals(table: Table, column: int, unit: str = "") -> list[TotalCheck]:
    """Compare each 小计/合计 row's value in ``column`` with the data rows it sums."""
    checks: list[TotalCheck] = []
    block: list[SheetRow] = []
    all_rows: list[SheetRow] = []
    name = table.headers[column]
    for row in table.rows:
        if row.kind == "data":
            block.append(row)
            all_rows.append(row)
            continue
        if row.kind not in ("subtotal", "total"):
            continue
        members = block if row.kind == "subtotal" else all_rows
        documented = _value(row.cells[column], unit)
        if documented is not None and members:
            texts = [m.cells[column] for m in members if _value(m.cells[column], unit) is not None]
            computed = sum((_value(m.cells[column], unit) or Decimal(0) for m in members), Decimal(0))
            word = "小计" if row.kind == "subtotal" else "合计"
            checks.append(
                TotalCheck(
                    row.number,
                    f"{row.label}{word}",
                    name,
                    documented,
                    computed,
                    len(texts),
                    _judge(documented, computed, texts, row.cells[column]),
                )
            )
        if row.kind == "subtotal":
            block = []
    return checks


def total_problems(checks: list[TotalCheck], file: str, sheet: str) -> list[Problem]:
    problems = []
    for c in checks:
        if c.severity == "ok":
            continue
        diff = c.documented - c.computed
        text = (
            f"{c.label}行与明细不符：表中为 {c.documented}，{c.rows} 行明细之和为 "
            f"{c.computed.normalize():f}，差 {diff.normalize():f}"
        )
        if c.severity == "rounding":
            problems.append(
                Problem(
                    "info",
                    text.replace("不符", "有舍入差"),
                    "差值在打印精度的舍入范围内",
                    row=c.row,
                    column=c.column,
                    value=str(c.documented),
                    file=file,
                    sheet=sheet,
                )
            )
        else:
            problems.append(
                Problem(
                    "warning",
                    text,
                    "小计、合计行不作为记录导入；请核对明细或合计，数据核查页会列出此差异",
                    row=c.row,
                    column=c.column,
                    value=str(c.documented),
                    file=file,
                    sheet=sheet,
                )
            )
    return problems


def published_frame(
    table: Table, group_column: int | None, drop_columns: set[int], source: str
) -> pd.DataFrame:
    """The sheet as a published table (data/FORMAT.md tables/): headers, row_kind, group, source,
    and ``source_row``, the row's number in the file as an integer (``source`` shows it as 第n行).

    ``group`` of a data row is the key of the 小计 that closes its block: the 小计's label
    (``上党区小计`` → 上党区), else the block's ``group_column`` value when it is the same for
    all rows, else ``第n组``.
    """
    keep = [i for i in range(len(table.headers)) if i not in drop_columns]
    records, block = [], []
    blocks = 0
    for row in table.rows:
        if row.kind not in ("data", "subtotal", "total"):
            continue
        record = {table.headers[i]: row.cells[i] for i in keep}
        record.update(row_kind=row.kind, group="", source=f"{source} 第{row.number}行", source_row=row.number)
        records.append(record)
        if row.kind == "data":
            block.append(record)
        elif row.kind == "subtotal":
            blocks += 1
            key = row.label
            if not key and group_column is not None:
                values = {r[table.headers[group_column]] for r in block} | {row.cells[group_column]}
                values.discard("")
                key = values.pop() if len(values) == 1 else ""
            key = key or f"第{blocks}组"
            for r in block:
                r["group"] = key
            record["group"] = key
            block = []
    has_subtotals = any(r["row_kind"] == "subtotal" for r in records)
    if not has_subtotals:
        for r in records:
            r["group"] = ""
    return pd.DataFrame(records, dtype=object)
