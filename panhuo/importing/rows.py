"""Step 2 of an import, *map*: the cells of each data row become field values through the
mapping, each remembering its cell; a second (规划) file is joined to the first on the id."""

from __future__ import annotations

from dataclasses import dataclass, field

from panhuo.importing.analyse import Layer
from panhuo.importing.header import SheetRow
from panhuo.importing.report import Problem
from panhuo.importing.validation import UNCACHED


@dataclass
class Cell:
    """Where a value came from: the layer, its row, and the column (None: the row as a whole)."""

    layer: Layer
    row: SheetRow
    column: int | None


class RowOrigin:
    """Where each value of one row came from (field → :class:`Cell`; ``""``: the row): made on
    demand from the layer's column of each field, which all its rows share, so a million rows
    hold no million dictionaries of cells. A joined layer's cells are set on it."""

    __slots__ = ("columns", "layer", "overrides", "row")

    def __init__(self, layer: Layer, row: SheetRow, columns: dict[str, int]) -> None:
        self.layer, self.row, self.columns = layer, row, columns
        self.overrides: dict[str, Cell] | None = None

    def get(self, name: str, default: Cell | None = None) -> Cell | None:
        if self.overrides is not None and name in self.overrides:
            return self.overrides[name]
        if name == "":
            return Cell(self.layer, self.row, None)
        column = self.columns.get(name)
        return Cell(self.layer, self.row, column) if column is not None else default

    def __getitem__(self, name: str) -> Cell:
        cell = self.get(name)
        if cell is None:
            raise KeyError(name)
        return cell

    def __setitem__(self, name: str, cell: Cell) -> None:
        if self.overrides is None:
            self.overrides = {}
        self.overrides[name] = cell


@dataclass
class Rows:
    """The data rows of a layer through its mapping, one entry per row in each list."""

    values: list[dict[str, str]] = field(default_factory=list)  # field -> cell text
    origins: list[RowOrigin] = field(default_factory=list)  # field ("" the row) -> its cell
    extras: list[dict[str, str]] = field(default_factory=list)  # extra column -> cell text
    geometry: list[str | None] = field(default_factory=list)  # WKT per row; empty: no geometry

    @property
    def numbers(self) -> list[int]:
        """The source row number of each row (as the file counts them, from 1)."""
        return [where[""].row.number for where in self.origins]


def area_unit_of(layer: Layer, ctx_unit: str) -> tuple[str, bool]:
    """(unit of the area column, whether the file said so)."""
    choice = layer.mapping.choice("area") if layer.mapping else None
    if choice is not None and choice.unit:
        return choice.unit, True
    return ctx_unit, False


def rows_of(layer: Layer) -> Rows:
    """The data rows of an analysed layer as field values, with where each came from."""
    table, mapping = layer.table, layer.mapping
    assert table is not None and mapping is not None  # only analysed layers reach this step
    rows = Rows()
    values, origins, extras, geometry = rows.values, rows.origins, rows.extras, rows.geometry
    uncached = table.grid.uncached
    fields = [(c, choice.field) for c, choice in enumerate(mapping.columns) if choice.field]
    others = [(c, choice.extra_name) for c, choice in enumerate(mapping.columns) if not choice.field]
    columns = {name: c for c, name in fields}
    shapes = table.grid.geometry
    for row in table.data_rows:
        cells = row.cells
        n = len(cells)
        record = {name: cells[c] if c < n else "" for c, name in fields}
        extra = {name: cells[c] if c < n else "" for c, name in others}
        if uncached:  # a formula cell saved without its result: said so, not read as empty
            for c, name in fields:
                if (row.index, c) in uncached and not record[name]:
                    record[name] = UNCACHED
            for c, name in others:
                if (row.index, c) in uncached and not extra[name]:
                    extra[name] = UNCACHED
        values.append(record)
        origins.append(RowOrigin(layer, row, columns))
        extras.append(extra)
        if shapes is not None:
            geometry.append(shapes[row.index])
    return rows


def join_second(second: Layer, main: Layer, rows: Rows) -> list[Problem]:
    """Join the 规划 layer's fields onto the 现状 layer's ``rows`` by id (in place).

    Every row of either file that could not be joined is listed (an error in the second file,
    a warning in the first).
    """
    values, origins, extras, geometry = rows.values, rows.origins, rows.extras, rows.geometry
    problems: list[Problem] = []
    if main.mapping.column_of("id") is None or second.mapping.column_of("id") is None:
        return [
            Problem(
                "error",
                "两个文件都需要编号列才能按编号合并",
                "请在两个文件的映射中都指定编号列",
                file=second.file.name,
            )
        ]
    index = {}
    for i, row in enumerate(values):
        index.setdefault(str(row.get("id", "")).strip(), i)
    theirs = rows_of(second)
    s_values, s_origins, s_extras, s_geometry = theirs.values, theirs.origins, theirs.extras, theirs.geometry
    seen: dict[str, int] = {}
    id_col = second.table.headers[second.mapping.column_of("id")]
    for j, record in enumerate(s_values):
        key = str(record.get("id", "")).strip()
        row = s_origins[j][""].row
        where = {
            "row": row.number,
            "column": id_col,
            "value": key,
            "file": second.file.name,
            "sheet": second.sheet,
        }
        if not key:
            problems.append(
                Problem("error", "第二个文件中该行编号为空，无法与第一个文件对应", "请补填编号", **where)
            )
            continue
        if key in seen:
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中编号“{key}”重复（另见第 {seen[key]} 行），无法唯一对应",
                    "请删除重复行",
                    **where,
                )
            )
            continue
        seen[key] = row.number
        if key not in index:
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中的编号“{key}”在第一个文件中找不到，该行未导入",
                    "请核对两个文件的编号",
                    **where,
                )
            )
            continue
        i = index[key]
        for name, text in record.items():
            if name == "id" or (
                values[i].get(name) not in (None, "") and name in main.mapping.mapped_fields()
            ):
                continue
            values[i][name] = text
            origins[i][name] = s_origins[j][name]
        for name, text in s_extras[j].items():
            extras[i].setdefault(name if name not in extras[i] else f"{name}（规划）", text)
        if geometry and s_geometry and geometry[i] is None:
            geometry[i] = s_geometry[j]
    matched = set(seen)
    for i, record in enumerate(values):
        if str(record.get("id", "")).strip() not in matched:
            row = origins[i][""].row
            problems.append(
                Problem(
                    "warning",
                    "第二个文件中没有该编号的记录",
                    "如应有规划信息，请补充第二个文件",
                    row=row.number,
                    file=main.file.name,
                    sheet=main.sheet,
                    value=str(record.get("id", "")),
                )
            )
    return problems
