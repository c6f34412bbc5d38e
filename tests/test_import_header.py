"""Finding the header (title rows, two rows with merged cells) and the kind of every row below."""

from __future__ import annotations

import pytest

from panhuo.importing import examples
from panhuo.importing.header import locate_table, total_label
from panhuo.importing.readers import Grid, read_csv_grid, read_grids


def _grid(rows: list[list[str]], merged=()) -> Grid:
    width = max(len(r) for r in rows)
    return Grid(
        filename="t.xlsx",
        sheet="表",
        rows=[r + [""] * (width - len(r)) for r in rows],
        row_numbers=list(range(1, len(rows) + 1)),
        merged=list(merged),
    )


def test_bureau_workbook_two_row_header_and_row_kinds():
    grids = read_grids(examples.bureau_workbook(), "地块清单.xlsx")
    table = locate_table(grids[0])
    assert table.header_numbers == [3, 4]
    assert table.headers == [
        "序号",
        "地块名称",
        "所在区县",
        "乡镇（街道）",
        "类型",
        "面积（亩）",
        "现状_用途",
        "现状_容积率",
        "规划_用途",
        "规划_容积率",
        "实施阶段",
        "权利人",
        "备注",
    ]
    kinds = [(r.number, r.kind) for r in table.rows]
    assert kinds == [
        (5, "data"),
        (6, "data"),
        (7, "data"),
        (8, "subtotal"),
        (9, "data"),
        (10, "data"),
        (11, "subtotal"),
        (12, "total"),
        (13, "note"),
    ]
    # the 区县 merged over its rows is filled into every row, and into the 小计 row
    assert [r.cells[2] for r in table.rows[:4]] == ["上党区"] * 4
    assert locate_table(grids[1]) is None  # the 填表说明 sheet has no table


@pytest.mark.parametrize(
    "cells, expected",
    [
        (["", "小计", ""], ("subtotal", "")),
        (["小 计", "", "300"], ("subtotal", "")),
        (["吴兴区小计", "", "300"], ("subtotal", "吴兴区")),
        (["合　计", "", "1"], ("total", "")),
        (["", "总计", ""], ("total", "")),
        (["全市合计"], ("total", "全市")),
        (["1", "小计村", "3"], None),
        (["1", "合计是多少这个名字很长很长很长很长很长很长合计"], None),
    ],
)
def test_total_rows_are_recognised(cells, expected):
    assert total_label(cells) == expected


def test_title_row_is_not_taken_for_a_header():
    grid = _grid(
        [["附表1 地块清单"], ["序号", "地块名称", "面积（公顷）"], ["1", "甲", "1.5"]], merged=[(0, 0, 0, 2)]
    )
    grid.rows[0] = ["附表1 地块清单", "", ""]
    table = locate_table(grid)
    assert table.header_rows == [1] and table.headers == ["序号", "地块名称", "面积（公顷）"]


def test_repeated_headers_column_numbers_and_notes_are_skipped():
    grid = _grid(
        [
            ["序号", "地块名称", "面积（亩）"],
            ["1", "2", "3"],
            ["1", "甲", "30"],
            ["序号", "地块名称", "面积（亩）"],
            ["2", "乙", "40"],
            ["", "", ""],
            ["注：面积以实测为准。", "", ""],
        ]
    )
    table = locate_table(grid)
    assert [(r.number, r.kind) for r in table.rows] == [
        (2, "column_numbers"),
        (3, "data"),
        (4, "header_repeat"),
        (5, "data"),
        (6, "blank"),
        (7, "note"),
    ]


def test_no_recognisable_header():
    assert locate_table(_grid([["a", "b"], ["1", "2"]])) is None
    assert locate_table(_grid([["序号", "x"], ["1", "2"]])) is None  # one known field is not enough
    assert locate_table(Grid(filename="e.csv")) is None


def test_csv_header_with_bom_and_zones_kind():
    grid = read_csv_grid(
        "\ufeff区县,类别,片区名称,位置,面积（亩）,实施阶段\n吴兴区,低效工业片区,一期,湖东街道,300,正在实施\n".encode(),
        "z.csv",
    )
    table = locate_table(grid, "zones")
    assert table.headers[0] == "区县" and len(table.data_rows) == 1
