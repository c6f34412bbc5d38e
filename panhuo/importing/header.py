"""Find the header of a sheet (one or two rows, merged cells) and classify the rows below it.

A bureau workbook typically starts with a title row, then a header whose upper row has merged
cells (``现状`` over ``用途 | 容积率``), then data with 小计 rows per 区县 and a 合计 row, and
notes (``注：…``) at the end. :func:`locate_table` returns the header names (two rows joined
with ``_`` as in data/FORMAT.md) and every row below with its kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from panhuo.importing.mapping import match_header
from panhuo.importing.readers import Grid
from panhuo.units import parse_number

HEADER_SCAN_ROWS = 30
MIN_RECOGNISED = 2  # a header must name at least two known fields
_WS = re.compile(r"[\s\u3000]+")
_TOTAL = re.compile(r"^(?P<label>.*?)(?P<word>小计|合计|总计|汇总|总合计)$")
_NOTE = re.compile(r"^(注|备注|说明|数据来源|资料来源|填表|制表|审核|单位：|单位:)")


@dataclass
class SheetRow:
    """A row below the header: ``kind`` is data, subtotal, total, note, header_repeat or blank."""

    index: int  # into grid.rows
    number: int  # row number in the source
    cells: list[str]
    kind: str = "data"
    label: str = ""  # for subtotal/total rows: the text before 小计/合计 (e.g. the 区县)


@dataclass
class Table:
    grid: Grid
    kind: str
    header_rows: list[int]
    headers: list[str]
    rows: list[SheetRow] = field(default_factory=list)
    recognised: int = 0

    @property
    def data_rows(self) -> list[SheetRow]:
        return [r for r in self.rows if r.kind == "data"]

    @property
    def header_numbers(self) -> list[int]:
        return [self.grid.row_numbers[i] for i in self.header_rows]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _filled(grid: Grid, upto: int) -> list[list[str]]:
    """The first ``upto`` rows with every merged range filled with its top-left value."""
    rows = [list(r) for r in grid.rows[:upto]]
    for r0, c0, r1, c1 in grid.merged:
        if r0 >= upto:
            continue
        value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else ""
        for r in range(r0, min(r1, upto - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value
    return rows


def _recognised(cells: list[str], kind: str) -> int:
    fields = {match_header(c, kind)[0] for c in cells if c}
    fields.discard("")
    return len(fields)


def _is_numeric_row(cells: list[str]) -> bool:
    return any(parse_number(c) is not None for c in cells if c)


def total_label(cells: list[str]) -> tuple[str, str] | None:
    """('subtotal'|'total', label) when a row is a 小计/合计/总计 row."""
    if not any(("计" in cell or "汇总" in cell) for cell in cells):  # most rows: one quick pass
        return None
    for cell in cells:
        text = _WS.sub("", cell)
        if not text or len(text) > 20:
            continue
        match = _TOTAL.match(text)
        if match:
            kind = "subtotal" if match.group("word") == "小计" else "total"
            label = match.group("label").strip("（(）)-_—:：")
            return kind, label
    return None


def _combine(top: list[str], bottom: list[str] | None) -> list[str]:
    names = []
    for c, upper in enumerate(top):
        upper = _WS.sub("", upper)
        lower = _WS.sub("", bottom[c]) if bottom is not None and c < len(bottom) else ""
        if lower and upper and lower != upper:
            names.append(f"{upper}_{lower}")
        else:
            names.append(upper or lower)
    seen: dict[str, int] = {}
    unique = []
    for c, name in enumerate(names):
        name = name or f"列{column_letter(c)}"
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return unique


def _is_column_number_row(cells: list[str]) -> bool:
    """A row of column numbers (1 2 3 … or ① ② ③) printed under a header."""
    values = [c for c in cells if c]
    if len(values) < 3:
        return False
    if all(re.fullmatch(r"[①-⑳]", v) for v in values):
        return True
    return [v for v in values] == [str(i) for i in range(1, len(values) + 1)]


def locate_table(grid: Grid, kind: str = "parcels") -> Table | None:
    """The table of a grid, or None when no row names at least two known fields."""
    scan = min(len(grid.rows), HEADER_SCAN_ROWS)
    if scan == 0:
        return None
    filled = _filled(grid, min(len(grid.rows), scan + 1))
    # candidates: (score, preference, -row, header rows); a two-row header linked by merged
    # cells wins a tie over its lower row unless its upper row is a title (one value)
    candidates: list[tuple[int, int, int, list[int]]] = []
    for r in range(scan):
        if _is_numeric_row(filled[r]):
            continue
        candidates.append((_recognised(filled[r], kind), 0, -r, [r]))
        if _pair_possible(grid, filled, r):
            distinct = len({c for c in filled[r] if c})
            score = _recognised(_combine(filled[r], filled[r + 1]), kind)
            candidates.append((score, 1 if distinct >= 2 else -1, -r, [r, r + 1]))
    if not candidates:
        return None
    best_score, _pref, _row, header_rows = max(candidates)
    if best_score < MIN_RECOGNISED:
        return None
    bottom = filled[header_rows[1]] if len(header_rows) == 2 else None
    headers = _combine(filled[header_rows[0]], bottom)
    table = Table(grid=grid, kind=kind, header_rows=header_rows, headers=headers, recognised=best_score)
    _classify_rows(table)
    return table


def _pair_possible(grid: Grid, filled: list[list[str]], r: int) -> bool:
    """Rows r and r+1 can form one header: r+1 is text, and merged cells tie the two rows."""
    if r + 1 >= len(filled) or not any(filled[r + 1]) or _is_numeric_row(filled[r + 1]):
        return False
    if total_label(filled[r + 1]):
        return False
    return any(r0 <= r <= r1 and (c1 > c0 or r1 > r) for r0, c0, r1, c1 in grid.merged)


def _fill_data_merges(grid: Grid, start: int) -> list[list[str]]:
    """Data rows with vertically merged cells (a 区县 over its parcels) filled downwards."""
    rows = [list(r) for r in grid.rows]
    for r0, c0, r1, _c1 in grid.merged:
        if r0 < start:
            continue
        for r in range(r0 + 1, r1 + 1):
            rows[r][c0] = rows[r0][c0]
    return rows


def _classify_rows(table: Table) -> None:
    grid = table.grid
    start = table.header_rows[-1] + 1
    rows = _fill_data_merges(grid, start)
    header_texts = [[_WS.sub("", c) for c in rows[i]] for i in table.header_rows]
    # a repeated header has as many filled cells as a header row: only such rows are compared
    header_widths = {sum(1 for c in h if c) for h in header_texts}
    for i in range(start, len(rows)):
        cells = rows[i]
        row = SheetRow(index=i, number=grid.row_numbers[i], cells=cells)
        nonempty = [c for c in cells if c]
        totals = total_label(cells)
        if not nonempty and not any((i, c) in grid.uncached for c in range(len(cells))):
            row.kind = "blank"
        elif (
            sum(1 for c in nonempty if c.strip()) in header_widths
            and [_WS.sub("", c) for c in cells] in header_texts
        ):
            row.kind = "header_repeat"
        elif i == start and _is_column_number_row(cells):
            row.kind = "column_numbers"
        elif totals:
            row.kind, row.label = totals
        elif len(nonempty) == 1 and (_NOTE.match(nonempty[0]) or len(nonempty[0]) > 40):
            row.kind = "note"
        table.rows.append(row)
