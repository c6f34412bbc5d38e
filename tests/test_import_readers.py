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


# --------------------------------------------------------------------------- hostile input (issue 8)


def test_a_quoted_note_over_several_lines_is_kept():
    """Line breaks inside a quoted cell are legitimate (a 备注 typed with Alt+Enter)."""
    text = '序号,地块名称,面积（亩）,备注\n1,甲,30,"一期，拆迁中\n二期, 待定"\n2,乙,40,\n'
    grid = read_csv_grid(text.encode(), "地块.csv")
    assert grid.rows[1] == ["1", "甲", "30", "一期，拆迁中\n二期, 待定"]
    assert grid.row_numbers == [1, 3, 4]


@pytest.mark.parametrize(
    "text, words",
    [
        # the quote swallows the next lines up to another quote
        (
            '序号,地块名称,面积（亩）\n1,"甲,30\n2,乙,40\n3,"丙",50\n',
            "第 2 行附近有一个引号没有闭合：该行的一个单元格一直延续到第 4 行",
        ),
        # … or to the end of the file
        (
            '序号,地块名称,面积（亩）\n1,甲,30\n2,"乙,40\n3,丙,50\n4,丁,60\n',
            "第 3 行附近有一个引号没有闭合：该行的一个单元格一直延续到第 5 行",
        ),
    ],
)
def test_an_unclosed_quote_is_named_with_its_row(text, words):
    with pytest.raises(ImportFailure) as error:
        read_csv_grid(text.encode(), "地块.csv")
    assert words in error.value.message and "补上引号" in error.value.suggestion


def test_a_cell_over_the_csv_field_limit_is_called_too_long():
    text = "序号,地块名称,面积（亩）\n1,甲,30\n2," + "长" * 131_073 + ",40\n"
    with pytest.raises(ImportFailure) as error:
        read_csv_grid(text.encode(), "地块.csv")
    assert error.value.message == "文件 地块.csv 第 3 行起有一个单元格超过 131072 个字符，超出上限"
    assert "引号" not in error.value.message


@pytest.mark.parametrize("offset", [5, 65_536 + 10, 700_000])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-16"])
def test_a_nul_anywhere_is_refused_with_its_line(offset, encoding):
    lines = ["序号,地块名称,面积（亩）"] + [f"{i},地块{i},{i % 90 + 1}" for i in range(1, 60_000)]
    text = "\n".join(lines) + "\n"
    cut = text.index("\n", offset) + 1
    line = text[:cut].count("\n") + 1
    data = (text[:cut] + "9,\x00,5\n" + text[cut:]).encode(encoding)
    with pytest.raises(ImportFailure) as error:
        read_csv_grid(data, "地块.csv")
    assert error.value.message == f"文件 地块.csv 含有二进制内容（第 {line} 行有空字符 NUL），不是文本 CSV"


def test_columns_past_the_limit_are_refused_in_a_workbook_unless_empty():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "地块名称", "面积（亩）"])
    ws.append([1, "甲", 30])
    # formatting alone widens the used range: nothing is lost, so nothing is refused
    ws.cell(row=1, column=_limits.MAX_COLUMNS + 20).number_format = "0.00"
    buffer = io.BytesIO()
    wb.save(buffer)
    (grid,) = read_grids(buffer.getvalue(), "宽表.xlsx")
    assert grid.rows == [["序号", "地块名称", "面积（亩）"], ["1", "甲", "30"]]
    ws.cell(row=2, column=_limits.MAX_COLUMNS + 20).value = "备注"
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ImportFailure) as error:
        read_grids(buffer.getvalue(), "宽表.xlsx")
    assert error.value.message == "文件 宽表.xlsx（工作表“Sheet”）第 2 行超过 500 列，超出上限"


@pytest.mark.parametrize(
    "value, general, two_decimals",
    [
        (1e308, "1E+308", "1E+308"),
        (-1.5e20, "-1.5E+20", "-1.5E+20"),
        (1e15, "1E+15", "1E+15"),
        (123456789012, "123456789012", "123456789012.00"),  # below 15 digits: written out as before
    ],
)
def test_numbers_too_long_to_write_out_are_scientific(value, general, two_decimals):
    assert (cell_text(value), cell_text(value, "0.00")) == (general, two_decimals)


def _ole(*streams: str) -> bytes:
    sector = bytearray(512)
    for i, stream in enumerate(streams):
        name = stream.encode("utf-16-le")
        sector[i * 128 : i * 128 + len(name)] = name
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + bytes(sector)


def test_an_encrypted_workbook_is_called_password_protected():
    with pytest.raises(ImportFailure) as error:
        read_grids(_ole("EncryptionInfo", "EncryptedPackage"), "地块.xlsx")
    assert error.value.message == "文件 地块.xlsx 设置了打开密码（已加密），无法读取"
    assert "取消密码" in error.value.suggestion and "损坏" not in error.value.message
    with pytest.raises(ImportFailure, match=r"是旧版 Excel 格式（\.xls），只是扩展名为 \.xlsx"):
        read_grids(_ole("Workbook"), "地块.xlsx")


def test_encrypted_or_unsupported_zip_members_are_refused_before_reading():
    from tests.test_import_bad_inputs import _patched_zip

    data = _workbook_with_formulas()
    with pytest.raises(ImportFailure, match=r"设置了解压密码（.+ 已加密），无法读取"):
        read_grids(_patched_zip(data, flag=0x1), "地块.xlsx")
    with pytest.raises(ImportFailure, match=r"使用了不支持的压缩方式（Zstandard）"):
        read_grids(_patched_zip(data, method=93), "地块.xlsx")


def test_a_broken_workbook_is_described_in_chinese():
    with pytest.raises(ImportFailure) as error:
        read_grids(_zip({"xl/workbook.xml": b"<not xml"}), "broken.xlsx")
    assert error.value.message == "无法读取 Excel 文件 broken.xlsx：工作簿缺少必要的组成部分"


def _with_part(data: bytes, name: str, edit) -> bytes:
    """The workbook ``data`` with one part rewritten by ``edit`` (bytes → bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for member in source.namelist():
            content = source.read(member)
            target.writestr(member, edit(content) if member == name else content)
    return out.getvalue()


@pytest.mark.parametrize(
    "part, edit, reason",
    [
        # what corrupting each part of a saved workbook made openpyxl raise
        ("xl/worksheets/sheet1.xml", lambda b: b[: len(b) // 2], "XML 内容格式错误"),  # ParseError
        ("docProps/core.xml", lambda b: b.replace(b">", b"", 1), "XML 内容格式错误"),  # lxml
        ("xl/workbook.xml", lambda b: b.replace(b"<sheet ", b"<sheet bogus=", 1), "XML 内容格式错误"),
        ("xl/workbook.xml", lambda b: b.replace(b'r:id="rId1"', b'r:id="rId9"'), "缺少必要的组成部分"),
        ("xl/workbook.xml", lambda b: b.replace(b"<workbookView ", b'<workbookView bogus="1" '), "无法解析"),
    ],
)
def test_a_damaged_part_of_a_workbook_is_refused_in_chinese(part, edit, reason):
    data = _with_part(_workbook_with_formulas(), part, edit)
    with pytest.raises(ImportFailure, match=f"无法读取 Excel 文件 bad.xlsx：.*{reason}"):
        read_xlsx_grids(data, "bad.xlsx")


def test_a_fault_of_the_program_is_not_called_a_damaged_workbook(monkeypatch):
    # only the errors a bad file raises become 文件可能已损坏; running out of memory stays itself
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(openpyxl, "load_workbook", out_of_memory)
    with pytest.raises(MemoryError):
        read_xlsx_grids(_workbook_with_formulas(), "a.xlsx")
