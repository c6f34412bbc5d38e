"""What an import says about the rows it does not take as records: note rows, repeated
headers, 小计/合计 rows (checked against their detail), formula columns, extra columns."""

from __future__ import annotations

from panhuo.importing.analyse import Layer
from panhuo.importing.mapping import EXTRA
from panhuo.importing.report import Problem
from panhuo.importing.totals import check_totals, published_frame, total_problems
from panhuo.model import PublishedTable

_ROW_KIND_TEXT = {
    "note": ("说明文字行，未作为记录导入", ""),
    "header_repeat": ("重复的表头行（跨页表头），已跳过", ""),
    "column_numbers": ("栏目序号行，已跳过", ""),
}


def layer_notes(layer: Layer) -> list[Problem]:
    """What the import skipped or assumed in a file, listed so nothing disappears unseen."""
    if layer.table is None or layer.mapping is None:
        return []
    notes: list[Problem] = []
    base = {"file": layer.file.name, "sheet": layer.sheet}
    for row in layer.table.rows:
        if row.kind in _ROW_KIND_TEXT:
            text, hint = _ROW_KIND_TEXT[row.kind]
            value = next((c for c in row.cells if c), "")[:80]
            notes.append(Problem("info", text, hint, row=row.number, value=value, **base))
        elif row.kind in ("subtotal", "total"):
            word = "小计" if row.kind == "subtotal" else "合计"
            label = row.label
            county = layer.mapping.column_of("county")
            if not label and row.kind == "subtotal" and county is not None and county < len(row.cells):
                label = row.cells[county]  # the 区县 merged over its rows and their 小计
            notes.append(
                Problem(
                    "info",
                    f"{label}{word}行：不作为记录导入，用于核对明细",
                    "",
                    row=row.number,
                    value=next((c for c in row.cells if c), ""),
                    **base,
                )
            )
    data_indices = {row.index for row in layer.table.data_rows}
    formula_columns = sorted(
        {
            c
            for (r, c) in layer.table.grid.formulas
            if (r, c) not in layer.table.grid.uncached and r in data_indices
        }
    )
    for c in formula_columns:
        if c < len(layer.table.headers):
            notes.append(
                Problem(
                    "info",
                    "该列含公式，按 Excel 保存的计算结果导入",
                    "",
                    column=layer.table.headers[c],
                    **base,
                )
            )
    for choice in layer.mapping.columns:
        if choice.field == EXTRA and any(choice.samples):
            named = (
                f"，保留为附加列“{choice.extra_name}”"
                if choice.extra_name != choice.column
                else "，保留为附加列"
            )
            notes.append(
                Problem(
                    "info",
                    f"该列未对应到标准字段{named}",
                    "如需对应，请在映射中选择字段",
                    column=choice.column,
                    **base,
                )
            )
    if layer.table.header_rows:
        numbers = "、".join(str(n) for n in layer.table.header_numbers)
        notes.append(Problem("info", f"表头位于第 {numbers} 行", "", **base))
    for note in layer.table.grid.notes:
        if note:
            notes.append(Problem("info", note, "", **base))
    return notes


def layer_totals(layer: Layer, unit: str) -> tuple[list[Problem], PublishedTable | None]:
    """The layer's 小计/合计 rows checked against their detail, and the sheet as a published table.

    The table's frame carries each row's source row number in ``source_row`` (an integer);
    the commit step uses it and leaves it out of what it stores.
    """
    table, mapping = layer.table, layer.mapping
    if table is None or mapping is None or not any(r.kind in ("subtotal", "total") for r in table.rows):
        return [], None
    area = mapping.column_of("area")
    problems: list[Problem] = []
    sum_columns = []
    for field_name in ("area", "parcel_count"):
        column = mapping.column_of(field_name)
        if column is not None:
            checks = check_totals(table, column, unit if field_name == "area" else "")
            problems += total_problems(checks, layer.file.name, layer.sheet)
            sum_columns.append(table.headers[column])
    if area is None:
        return problems, None
    hidden = {mapping.column_of("right_holder")} - {None}
    label = f"{layer.file.name}（{layer.sheet}）" if layer.sheet else layer.file.name
    frame = published_frame(table, mapping.column_of("county"), hidden, label)  # type: ignore[arg-type]
    key_column = (
        mapping.column_of("name") if mapping.column_of("name") is not None else mapping.column_of("id")
    )
    published = PublishedTable(
        id=f"导入：{label}",
        title=f"{label} 明细与合计行",
        frame=frame,
        unit=unit,
        key=table.headers[key_column] if key_column is not None else table.headers[0],
        sum_columns=sum_columns,
        note="导入文件中的小计、合计行，与其明细相加核对",
        source=label,
    )
    return problems, published
