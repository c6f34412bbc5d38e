"""Step 2 of an import, *map*: the cells of each data row become field values through the
mapping, each remembering its cell; a second (规划) file is joined to the first on the id."""

from __future__ import annotations

from dataclasses import dataclass, field

from panhuo.importing.analyse import Layer
from panhuo.importing.header import SheetRow
from panhuo.importing.join import JoinKey
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


def join_second(second: Layer, main: Layer, rows: Rows, key: JoinKey) -> tuple[list[Problem], set[int]]:
    """Join the 规划 layer's fields onto the 现状 layer's ``rows`` on ``key`` (in place).

    Returns the problems and the indices of the 现状 rows that found no 规划 row. Every row of
    either file that could not be joined is an error on its row: the 现状 rows are not imported
    as if the 规划 layer had nothing to say of them (with ``valid_only`` they are left out and
    listed).
    """
    values, origins, extras, geometry = rows.values, rows.origins, rows.extras, rows.geometry
    problems: list[Problem] = []
    main_keys = [
        (row.cells[key.main_column] if key.main_column < len(row.cells) else "").strip()
        for row in (origin[""].row for origin in origins)
    ]
    index: dict[str, int] = {}
    for i, text in enumerate(main_keys):
        if text:
            index.setdefault(text, i)
    theirs = rows_of(second)
    s_values, s_origins, s_extras, s_geometry = theirs.values, theirs.origins, theirs.extras, theirs.geometry
    seen: dict[str, int] = {}
    id_col = key.second_header
    mapped = set(main.mapping.mapped_fields())
    for j, record in enumerate(s_values):
        row = s_origins[j][""].row
        cells = row.cells
        text = (cells[key.second_column] if key.second_column < len(cells) else "").strip()
        where = {
            "row": row.number,
            "column": id_col,
            "value": text,
            "file": second.file.name,
            "sheet": second.sheet,
        }
        if not text:
            problems.append(
                Problem("error", "第二个文件中该行编号为空，无法与第一个文件对应", "请补填编号", **where)
            )
            continue
        if text in seen:
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中编号“{text}”重复（另见第 {seen[text]} 行），无法唯一对应",
                    "请删除重复行",
                    **where,
                )
            )
            continue
        seen[text] = row.number
        if text not in index:
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中的编号“{text}”在第一个文件的“{key.main_header}”中找不到，该行未导入",
                    "请核对两个文件的编号",
                    **where,
                )
            )
            continue
        i = index[text]
        for name, value in record.items():
            if name == "id" or (values[i].get(name) not in (None, "") and name in mapped):
                continue
            values[i][name] = value
            origins[i][name] = s_origins[j][name]
        for name, value in s_extras[j].items():
            extras[i].setdefault(name if name not in extras[i] else f"{name}（规划）", value)
        if geometry and s_geometry and geometry[i] is None:
            geometry[i] = s_geometry[j]
    unmatched: set[int] = set()
    for i, text in enumerate(main_keys):
        if text not in seen:
            unmatched.add(i)
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中没有“{key.second_header}”为“{text}”的记录，该行无法与规划信息合并，未导入"
                    if text
                    else f"该行“{key.main_header}”为空，无法与第二个文件对应，未导入",
                    "请补充第二个文件中的对应记录，或核对编号；也可只导入能对应的行",
                    row=origins[i][""].row.number,
                    column=key.main_header,
                    value=text,
                    file=main.file.name,
                    sheet=main.sheet,
                )
            )
    return problems, unmatched
