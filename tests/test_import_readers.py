"""Reading XLSX and CSV into text cells: encodings, number formats, formulas, merged cells, limits."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter

from panhuo.importing import _limits
from panhuo.importing._limits import ImportFailure
from panhuo.importing.readers import cell_text, decode_text, read_csv_grid, read_grids, read_xlsx_grids

TEXT = "序号,地块名称,面积（亩）\n1,长治钛白粉厂,37.20\n2,东关村旧村,52.5\n"


@pytest.mark.parametrize(
    "encoding, label",
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8（带 BOM）"),
        ("gbk", "GBK/GB18030"),
        ("gb18030", "GBK/GB18030"),
        ("utf-16", "UTF-16"),
    ],
)
def test_csv_encodings_give_the_same_cells(encoding, label):
    grid = read_csv_grid(TEXT.encode(encoding), "地块.csv")
    assert grid.encoding == label
    assert grid.rows == [
        ["序号", "地块名称", "面积（亩）"],
        ["1", "长治钛白粉厂", "37.20"],
        ["2", "东关村旧村", "52.5"],
    ]
    assert grid.row_numbers == [1, 2, 3]


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "空文件"),
        (b"  \r\n \n", "没有内容"),
        (b"a,b\n\x80\x80\xff\n", "既不是 UTF-8 也不是 GBK"),
        (b"PK\x03\x04\x00\x00binary", "二进制"),
    ],
)
def test_unreadable_csv_is_refused_with_a_reason(data, words):
    with pytest.raises(ImportFailure, match=words):
        read_csv_grid(data, "坏.csv")


def test_csv_with_semicolons_tabs_and_ragged_rows():
    grid = read_csv_grid("序号\t名称\t面积\n1\t甲\n2\t乙\t3\t多余\n".encode(), "t.csv")
    assert grid.rows[1] == ["1", "甲", "", ""] and grid.rows[2] == ["2", "乙", "3", "多余"]
    assert read_csv_grid("序号;名称\n1;甲\n".encode(), "s.csv").rows[1] == ["1", "甲"]


def test_decode_prefers_utf8_even_when_gbk_would_decode():
    assert decode_text("上党区".encode(), "x.csv") == ("上党区", "UTF-8")


def test_size_limit_is_stated_and_enforced(monkeypatch):
    monkeypatch.setattr(_limits, "MAX_FILE_BYTES", 10)
    with pytest.raises(ImportFailure, match="超过上限"):
        read_csv_grid(TEXT.encode(), "大.csv")


@pytest.mark.parametrize(
    "value, number_format, text",
    [
        (24.8, "0.00", "24.80"),
        (0.35, "0%", "35%"),
        (0.3545, "0.00%", "35.45%"),
        (0.1 + 0.2, "General", "0.3"),
        (26.150000000000002, "General", "26.15"),
        (1234567.0, "General", "1234567"),
        (1e-7, "General", "0.0000001"),
        (1234.5, "#,##0.00", "1234.50"),
        (True, "General", "是"),
        (None, "General", ""),
        (dt.datetime(2024, 1, 1), "yyyy-mm-dd", "2024-01-01"),
        ("  约300 ", "@", "约300"),
        (float("nan"), "General", ""),
    ],
)
def test_cells_read_as_excel_shows_them(value, number_format, text):
    assert cell_text(value, number_format) == text


def _workbook_with_formulas() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "面积"])
    ws.append([1, 2.5])
    ws.append([2, "=B2*2"])  # openpyxl writes formulas without a cached result
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_formula_without_cached_result_is_flagged():
    (grid,) = read_xlsx_grids(_workbook_with_formulas(), "f.xlsx")
    assert grid.rows[2] == ["2", ""]
    assert (2, 1) in grid.formulas and (2, 1) in grid.uncached


def test_formula_with_cached_result_gives_the_result_and_merges_are_recorded():
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("数据")
    ws.merge_range(0, 0, 0, 2, "标题")
    ws.write_row(1, 0, ["序号", "面积", "合计"])
    ws.write_row(2, 0, [1, 2.5])
    ws.write_formula(2, 2, "=B3*2", None, 5)
    wb.close()
    (grid,) = read_xlsx_grids(buffer.getvalue(), "g.xlsx")
    assert grid.sheet == "数据" and grid.rows[2] == ["1", "2.5", "5"]
    assert grid.formulas == {(2, 2)} and not grid.uncached
    assert grid.merged == [(0, 0, 0, 2)]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_inflating():
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 100_000
    with pytest.raises(ImportFailure, match="压缩炸弹"):
        read_grids(bomb, "bomb.xlsx")


def test_unpacked_size_limit(monkeypatch):
    monkeypatch.setattr(_limits, "MAX_UNPACKED_BYTES", 1000)
    data = _zip({"xl/workbook.xml": bytes(range(256)) * 8})
    with pytest.raises(ImportFailure, match="解压后超过"):
        read_grids(data, "big.xlsx")


@pytest.mark.parametrize(
    "data, name, words",
    [
        (_workbook_with_formulas()[:300], "cut.xlsx", "不是有效的压缩包"),
        (_zip({"hello.txt": b"hi"}), "notexcel.xlsx", "不是 Excel 工作簿"),
        (_zip({"xl/workbook.xml": b"<not xml"}), "broken.xlsx", "无法读取 Excel 文件"),
        (b"\xd0\xcf\x11\xe0 old", "old.xls", "旧版 Excel"),
        (b"%PDF-1.4", "doc.pdf", "无法识别文件类型"),
    ],
)
def test_broken_or_unsupported_files_are_refused_with_a_reason(data, name, words):
    with pytest.raises(ImportFailure, match=words):
        read_grids(data, name)


def test_empty_workbook_gives_empty_grids():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    (grid,) = read_grids(buffer.getvalue(), "empty.xlsx")
    assert grid.rows == []
