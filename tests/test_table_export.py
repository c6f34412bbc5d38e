"""Summary tables people take away (:func:`panhuo.export.table_xlsx`), read back with openpyxl,
and the value labels of the bar charts by 区县.

The small table below is checked by hand: 甲 100 亩 target / 50 listed, 乙 300.5 / 250.25, 丙 no
target / 12 listed; 合计 400.5 / 312.25; 覆盖率 of the 合计 recomputed over the rows with both,
(50 + 250.25) ÷ (100 + 300.5) = 74.97 %, not the mean of the rates.
"""

from __future__ import annotations

import io
from dataclasses import replace

import openpyxl
import pandas as pd
import pytest

from components.charts import TOTAL_LABEL, bar_totals, stacked_bars, target_bars
from panhuo import demo
from panhuo.aggregate import Filters
from panhuo.catalog import open_catalog
from panhuo.demo import DEMO_LABEL
from panhuo.export import Rate, SummaryTable, column_kind, filters_line, table_note, table_xlsx, total_row

FRAME = pd.DataFrame(
    {
        "区县": ["甲", "乙", "丙"],
        "目标（亩）": [100.0, 300.5, None],
        "清单（亩）": [50.0, 250.25, 12.0],
        "覆盖率": [50.0, 83.28, None],
        "排名": [2, 1, None],
        "个数": [3, 5, 1],
        "投资（万元）": [12.5, 1.234, 0.0],
    }
)
FORMATS = {"覆盖率": Rate("清单（亩）", "目标（亩）")}


def sheet_rows(data: bytes) -> tuple[openpyxl.worksheet.worksheet.Worksheet, list[list]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return sheet, [[c.value for c in row] for row in sheet.iter_rows()]


def table_at(rows: list[list], first_header: str) -> tuple[int, dict[str, int]]:
    """(the header row's index, header → column index) of the table in a sheet's rows."""
    head = next(i for i, row in enumerate(rows) if row[0] == first_header)
    return head, {name: col for col, name in enumerate(rows[head]) if name is not None}


# ---------------------------------------------------------------- what a column holds


@pytest.mark.parametrize(
    ("header", "values", "kind", "summed"),
    [
        ("目标（亩）", [1.5], "area", True),
        ("截至2026-10-31应完成（亩）", [1.5], "area", True),
        ("面积（公顷）", [1.5], "area", True),
        ("投资（万元）", [1.5], "money", True),
        ("个数", [3], "count", True),
        ("片区数", [3], "count", True),
        ("宗数", [3], "count", True),
        ("完成率", [85.3], "percent", False),
        ("进度（占应完成）", [85.3], "percent", False),
        ("现状占比", [4.54], "percent", False),
        ("建筑密度%（改造前）", [40.0], "percent", False),
        ("排名", [1], "rank", False),
        ("容积率（改造后）", [1.2], "number", False),
        ("亩均税收（万元/亩）", [30.0], "number", False),
        ("年份", [2027], "integer", False),
        ("区县", ["德清县"], "text", False),
        ("目标（亩）", ["≥ 20000"], "text", False),  # as printed: text, never summed
    ],
)
def test_a_column_kind_is_read_from_its_header(header, values, kind, summed):
    found = column_kind(header, pd.Series(values))
    assert (found.kind, found.summed) == (kind, summed)


def test_the_total_row_sums_areas_counts_and_money_and_recomputes_a_rate():
    total = total_row(FRAME, formats=FORMATS)
    assert total == {
        "区县": "合计",
        "目标（亩）": 400.5,
        "清单（亩）": 312.25,
        "覆盖率": pytest.approx(300.25 / 400.5 * 100),
        "排名": None,
        "个数": 9,
        "投资（万元）": pytest.approx(13.734),
    }
    # without the Rate, a percentage has no 合计 (a mean of rates is not the rate of the total)
    assert total_row(FRAME)["覆盖率"] is None
    assert total_row(FRAME, sum_columns=["个数"]) == dict.fromkeys(FRAME.columns) | {
        "区县": "合计",
        "个数": 9,
    }
    assert total_row(FRAME, sum_columns=[]) is None
    with pytest.raises(ValueError, match="不能相加"):
        total_row(FRAME, sum_columns=["覆盖率"])
    with pytest.raises(ValueError, match="没有这些列"):
        total_row(FRAME, formats={"完成率": "percent"})


def test_sums_are_exact_decimals():
    frame = pd.DataFrame({"名称": ["a", "b", "c"], "面积（公顷）": [0.1, 0.2, 0.3]})
    assert total_row(frame)["面积（公顷）"] == 0.6  # not 0.6000000000000001


# ---------------------------------------------------------------- the workbook, read back


def test_the_workbook_has_note_headers_formats_and_the_total_row():
    data = table_xlsx(FRAME, sheet="各区县目标", formats=FORMATS, note="某规划｜各区县目标\n筛选：区县 甲")
    sheet, rows = sheet_rows(data)
    assert sheet.title == "各区县目标"
    assert rows[0][0] == "某规划｜各区县目标" and sheet["A1"].font.b
    assert rows[1][0] == "筛选：区县 甲"
    head, col = table_at(rows, "区县")
    assert head == 3 and rows[head] == list(FRAME.columns)
    assert sheet.cell(head + 1, 1).font.b and sheet.cell(head + 1, 1).fill.fgColor.rgb.endswith("E6EFE9")
    assert sheet.freeze_panes == f"A{head + 2}"
    assert sheet.auto_filter.ref == f"A{head + 1}:G{head + 4}"  # the data rows, not the 合计 row
    total = rows[head + 4]
    assert total[col["区县"]] == "合计" and total[col["目标（亩）"]] == 400.5 and total[col["个数"]] == 9
    assert total[col["清单（亩）"]] == 312.25
    assert total[col["覆盖率"]] == pytest.approx(0.7497, abs=1e-4)  # an Excel percentage: 0.7497 = 74.97%
    assert total[col["排名"]] is None
    assert sheet.cell(head + 5, 1).font.b
    assert "“覆盖率”按合计重算" in rows[head + 5][0] and "“排名”不作合计" in rows[head + 5][0]

    def number_format(row: int, name: str) -> str:
        return sheet.cell(head + 1 + row, col[name] + 1).number_format

    # 亩: no decimals when whole, one otherwise (as on the page); 万元 two; percentages; whole counts
    assert number_format(1, "目标（亩）") == "#,##0" and number_format(2, "目标（亩）") == "#,##0.0"
    assert number_format(4, "目标（亩）") == "#,##0.0"  # 合计 400.5
    assert number_format(1, "投资（万元）") == "#,##0.00"
    assert number_format(1, "覆盖率") == "0.0%" and rows[head + 1][col["覆盖率"]] == pytest.approx(0.5)
    assert number_format(1, "个数") == "#,##0" and number_format(1, "排名") == "0"
    assert rows[head + 3][col["目标（亩）"]] is None  # no value: an empty cell, not 0 or "nan"


def test_hectares_and_percent_decimals_follow_the_spec():
    frame = pd.DataFrame({"用途": ["商服用地"], "现状（公顷）": [4.27], "现状占比": [4.54]})
    sheet, rows = sheet_rows(table_xlsx(frame, sheet="结构", formats={"现状占比": "percent:2"}))
    assert rows[0] == ["用途", "现状（公顷）", "现状占比"]
    assert sheet["B2"].number_format == "#,##0.00" and sheet["C2"].number_format == "0.00%"
    assert rows[2] == ["合计", 4.27, None]


def test_no_total_row_when_nothing_is_summed():
    frame = pd.DataFrame({"核查项": ["住宅用地 占比"], "文件数值": [57.16], "计算数值": [72.5084]})
    sheet, rows = sheet_rows(
        table_xlsx(
            frame, sheet="核查", sum_columns=[], formats=dict.fromkeys(["文件数值", "计算数值"], "plain")
        )
    )
    assert rows == [["核查项", "文件数值", "计算数值"], ["住宅用地 占比", 57.16, 72.5084]]
    assert sheet["B2"].number_format == "#,##0.00" and sheet["C2"].number_format == "#,##0.0000"


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x.example","点")', "+cmd|' /C calc'!A0", "-12亩", "@SUM(A1)"]
)
def test_text_from_data_stays_text(text):
    frame = pd.DataFrame({"名称": [text, "乙\x07"], "面积（亩）": [1.0, 2.0]})
    sheet, rows = sheet_rows(table_xlsx(frame, sheet="t"))
    assert rows[1][0] == text and sheet["A2"].data_type == "s"  # as written, no quote added
    assert rows[2][0] == "乙"  # a control character cannot go into XLSX: dropped


def test_chinese_columns_are_wider_than_latin_ones_and_the_sheet_name_is_legal():
    frame = pd.DataFrame({"名称": ["城南低效工业片区改造提升项目"], "code": ["ab"]})
    sheet = openpyxl.load_workbook(io.BytesIO(table_xlsx(frame, sheet="附表[1]/区县:目标*？" * 3))).active
    assert sheet.column_dimensions["A"].width > 28 > sheet.column_dimensions["B"].width
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("[]:*?/\\")


def test_the_summary_table_shown_matches_the_workbook():
    summary = SummaryTable(FRAME, FORMATS)
    shown = summary.shown()
    assert shown.iloc[-1].tolist() == ["合计", "400.5", "312.3", "75.0%", "—", "9", "13.73"]
    assert shown.iloc[0].tolist() == ["甲", "100", "50", "50.0%", "2", "3", "12.50"]
    assert shown.iloc[2]["目标（亩）"] == "—"


# ---------------------------------------------------------------- the note


def test_the_note_of_the_demonstration_plan_begins_with_its_label():
    source = open_catalog(imports=False).get(demo.SOURCE_PLAN_ID)
    copy = replace(source, id=demo.DEMO_PLAN_ID, meta=demo.demo_meta(source.meta), origin="demo")
    line = filters_line(Filters(counties=("德清县",), types=("低效工业片区",)))
    assert line == "筛选：区县 德清县；类型 低效工业片区" and filters_line(Filters()) == ""
    note = table_note(copy, "各区县面积", line)
    assert note.splitlines()[0] == f"{DEMO_LABEL}｜{copy.title}"
    assert note.splitlines()[1:3] == ["各区县面积", line] and note.splitlines()[3].startswith("导出日期：")
    assert DEMO_LABEL not in table_note(source, "各区县面积")
    _sheet, rows = sheet_rows(
        table_xlsx(demo.export_frame(copy, FRAME), sheet="t", formats=FORMATS, note=note)
    )
    assert rows[0][0].startswith(DEMO_LABEL)
    head, col = table_at(rows, "数据性质")
    assert [r[0] for r in rows[head + 1 : head + 5]] == [DEMO_LABEL] * 4  # the 合计 row too
    assert rows[head + 4][col["区县"]] == "合计"


# ---------------------------------------------------------------- value labels on bars


def numbers(values) -> list[float]:
    return [float(v) for v in values]


def test_stacked_bars_carry_totals_above_and_segments_inside():
    frame = pd.DataFrame(
        {
            "county": ["德清县", "德清县", "长兴县", "安吉县"],
            "split": ["正在实施", "储备", "正在实施", "储备"],
            "area_value": [5565.0, 440.0, 4108.0, 5280.5],
        }
    )
    fig = stacked_bars(frame, "county", "area_value", "split", "各区县面积", "亩", "区县", "实施阶段")
    totals = [a for a in fig.layout.annotations if a.name == TOTAL_LABEL]
    assert [(a.x, a.y, a.text) for a in totals] == [
        (0, 6005.0, "6,005"),
        (1, 4108.0, "4,108"),
        (2, 5280.5, "5,280.5"),
    ]
    by_trace = {t.name: dict(zip(t.x, t.text, strict=True)) for t in fig.data}
    for trace in fig.data:
        for county, value, text in zip(trace.x, trace.y, trace.text, strict=True):
            alone = county != "德清县"  # a bar of one segment: its total says it
            assert text == ("" if alone else f"{value:,.0f}")
    assert by_trace["正在实施"]["德清县"] == "5,565" and by_trace["储备"]["德清县"] == "440"
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.uniformtext.minsize >= 11
    assert fig.layout.yaxis.range[1] > 6005  # room above the tallest bar for its label


def test_stacked_bars_label_hectares_with_two_decimals_and_counts_whole():
    frame = pd.DataFrame({"c": ["a", "a"], "s": ["x", "y"], "v": [1.5, 2.0], "n": [3, 4]})
    fig = stacked_bars(frame, "c", "v", "s", "t", "公顷", "区县", "阶段")
    assert [t.text for t in fig.data] == [("1.50",), ("2.00",)]
    assert [a.text for a in fig.layout.annotations] == ["3.50"]
    counts = stacked_bars(frame, "c", "n", "s", "t", "个", "区县", "阶段", value_label="数量")
    assert [a.text for a in counts.layout.annotations] == ["7"]
    assert not stacked_bars(
        frame, "c", "v", "s", "t", "公顷", "区县", "阶段", labels=False
    ).layout.annotations


def test_horizontal_and_grouped_bars_carry_their_values():
    groups = pd.DataFrame({"key": ["德清县", "长兴县"], "count": [9, 10], "area_value": [6005.0, 4108.0],
                           "area_text": ["6,005", "4,108"]})  # fmt: skip
    fig = bar_totals(groups, "按区县的片区面积", "亩", "区县")
    (bar,) = fig.data
    assert dict(zip(bar.y, bar.text, strict=True)) == {"德清县": "6,005", "长兴县": "4,108"}
    assert bar.textposition == "outside" and bar.cliponaxis is False and fig.layout.xaxis.range[1] > 6005
    counts = pd.DataFrame(
        {"category": ["低效工业片区", "矿地利用片区"], "target": [38, 1], "listed": [38, 1]}
    )
    fig = target_bars(counts, "各类别个数与目标")
    assert [list(t.text) for t in fig.data] == [["38", "1"], ["38", "1"]]
