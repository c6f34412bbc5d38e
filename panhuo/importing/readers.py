"""Read a tabular file (XLSX or CSV) into :class:`Grid`: every cell as the text a reader sees.

XLSX cells are rendered as Excel displays them (``24.80`` for a ``0.00`` format, ``35%`` for a
percent format, ``2024-01-01`` for a date), formulas give their cached result and are flagged,
merged ranges are recorded for the header logic. CSV is decoded as UTF-8 (with or without BOM),
UTF-16 with BOM, or GB18030 (a superset of GBK), in that order.

Nothing is dropped silently: a NUL character anywhere, a row wider than the column limit, a
cell over the CSV field limit, a quote left open that swallows the following lines, and a
password-protected workbook are each refused with a Chinese reason naming the row.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from panhuo.import_progress import counter, report
from panhuo.importing._limits import (
    MAX_COLUMNS,
    MAX_ROWS,
    ImportFailure,
    check_size,
    check_zip,
    too_many_columns,
)

TABULAR_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")
GIS_SUFFIXES = (".gpkg", ".zip", ".geojson", ".json", ".shp")


@dataclass
class Grid:
    """One sheet (or CSV, or GIS layer) as rows of text cells ('' when empty).

    ``row_numbers[i]`` is the 1-based row of ``rows[i]`` in the source (the Excel row number,
    the CSV line, or the feature number of a layer). ``merged`` holds 0-based inclusive ranges
    ``(row0, col0, row1, col1)`` into ``rows``.
    """

    filename: str
    sheet: str = ""
    rows: list[list[str]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: set[tuple[int, int]] = field(default_factory=set)
    uncached: set[tuple[int, int]] = field(default_factory=set)
    encoding: str = ""
    geometry: list[str | None] | None = None  # WKT in WGS84, one per row (GIS layers only)
    crs_name: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    @property
    def label(self) -> str:
        return f"{self.filename}（{self.sheet}）" if self.sheet else self.filename


def suffix_of(filename: str) -> str:
    return PurePath(filename).suffix.lower()


# ---------------------------------------------------------------------------------------------
# CSV


def decode_text(data: bytes, filename: str) -> tuple[str, str]:
    """Decode CSV bytes; returns (text, encoding label). Raises ImportFailure when impossible."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError as exc:
            raise ImportFailure(
                f"文件 {filename} 标明为 UTF-8 但第 {exc.start} 字节处无法解码", "请重新以 UTF-8 导出"
            ) from exc
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise ImportFailure(f"文件 {filename} 的 UTF-16 编码损坏", "请重新导出为 UTF-8") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _nul_failure(filename, data[:nul].count(b"\n") + 1)
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError as exc:
        raise ImportFailure(
            f"文件 {filename} 既不是 UTF-8 也不是 GBK/GB18030 编码（第 {exc.start} 字节）",
            "请在 Excel 或 WPS 中另存为“CSV UTF-8”后再导入",
        ) from exc


def _nul_failure(filename: str, line: int) -> ImportFailure:
    # a NUL is never text: the file is binary or damaged, wherever in the file it sits
    return ImportFailure(
        f"文件 {filename} 含有二进制内容（第 {line} 行有空字符 NUL），不是文本 CSV",
        "如果是 Excel 文件，请使用 .xlsx 扩展名上传；否则请在 Excel 或 WPS 中重新另存为 CSV",
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter found on most of the first lines (comma when none is)."""
    lines = [line for line in text[:65536].splitlines() if line.strip()][:30]
    best, best_key = ",", (0, 0)
    for delimiter in (",", "\t", ";", "|"):
        key = (sum(delimiter in line for line in lines), sum(line.count(delimiter) for line in lines))
        if key > best_key:
            best, best_key = delimiter, key
    return best


class _Pools:
    """One string per distinct value of a column, shared by every row that repeats it: a million
    rows of a few 区县, 类型 and 阶段 hold a few strings, not a million copies (the grid of a
    1,000,000-row file is the import's largest object). Each column keeps at most :data:`POOL`
    values, so a column of unique ids pools nothing and costs a bounded dictionary."""

    POOL = 4096

    def __init__(self) -> None:
        self.pools: list[dict[str, str]] = []

    def cells(self, row: list[str]) -> list[str]:
        pools = self.pools
        while len(pools) < len(row):
            pools.append({})
        out = []
        for cell, pool in zip(row, pools, strict=False):
            cell = cell.strip()
            shared = pool.get(cell)
            if shared is None:
                if len(pool) < self.POOL:
                    pool[cell] = cell
                shared = cell
            out.append(shared)
        return out


def read_csv_grid(data: bytes, filename: str) -> Grid:
    """A CSV file as one Grid; refuses what would otherwise be read wrong (see the module doc)."""
    check_size(data, filename)
    text, encoding = decode_text(data, filename)
    if not text.strip():
        raise ImportFailure(f"文件 {filename} 没有内容", "请检查是否选错了文件")
    if "\x00" in text:  # UTF-16 text: a NUL code point rather than a NUL byte
        raise _nul_failure(filename, text[: text.index("\x00")].count("\n") + 1)
    delimiter = _sniff_delimiter(text)
    grid = Grid(filename=filename, encoding=encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = 0  # the last line of the previous row: a row starts on the line after it
    count = counter("read", text.count("\n") + 1)
    pools = _Pools()
    try:
        for row in reader:
            count(reader.line_num)
            if len(grid.rows) > MAX_ROWS + 50:
                raise ImportFailure(f"文件 {filename} 超过 {MAX_ROWS} 行", "请拆分后分别导入")
            if len(row) > MAX_COLUMNS:
                raise too_many_columns(filename, line + 1)
            _check_open_quote(row, delimiter, filename, line + 1, reader.line_num, grid)
            grid.rows.append(pools.cells(row))
            grid.row_numbers.append(reader.line_num)  # the row's last line, as before
            line = reader.line_num
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            limit = csv.field_size_limit()
            raise ImportFailure(
                f"文件 {filename} 第 {line + 1} 行起有一个单元格超过 {limit} 个字符，超出上限",
                "请缩短该单元格；若该行某个引号没有闭合，后面的内容会被并入这一格，请补上引号",
            ) from exc
        raise ImportFailure(
            f"文件 {filename} 第 {line + 1} 行格式错误（CSV 无法解析）", "请检查引号是否成对"
        ) from exc
    report("read", len(grid.rows), len(grid.rows))
    _pad(grid)
    grid.notes.append(f"编码：{encoding}；分隔符：{'制表符' if delimiter == chr(9) else delimiter}")
    return grid


def _check_open_quote(
    row: list[str], delimiter: str, filename: str, first: int, last: int, grid: Grid
) -> None:
    """Refuse a row whose quoted cell swallowed following lines that look like rows of their own.

    A cell may legitimately hold line breaks (a quoted 备注); but when a continuation line holds
    as many delimiters as a whole row, a quote was left open and rows were merged into it.
    """
    if last <= first:
        return
    width = len(grid.rows[0]) if grid.rows else len(row)
    needed = max(1, width - 1)
    for cell in row:
        if "\n" not in cell and "\r" not in cell:
            continue
        if any(part.count(delimiter) >= needed for part in cell.splitlines()[1:]):
            raise ImportFailure(
                f"文件 {filename} 第 {first} 行附近有一个引号没有闭合：该行的一个单元格一直延续到第 {last} 行，"
                "其间的各行被并入了这一格",
                '请在该单元格末尾补上引号（"），或删除多余的引号后再导入',
            )


# ---------------------------------------------------------------------------------------------
# XLSX

_DECIMALS_IN_FORMAT = re.compile(r"0\.(0+)")
_SCIENTIFIC_FROM = Decimal(10) ** 15  # 15 digits: the longest integer a double holds exactly
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .xls, or encrypted OOXML
# the directory entries (UTF-16LE names) that Office writes into an encrypted OOXML container
_ENCRYPTION_MARKERS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))


def _format_number(value: float | int, number_format: str) -> str:
    """Render a number as Excel shows it for the common formats.

    Scientific notation only from :data:`_SCIENTIFIC_FROM` up (``1E+308``, as Excel shows it):
    written out, such a number is hundreds of digits, and no area, ratio or code is that large.
    """
    fmt = (number_format or "General").split(";")[0]
    percent = "%" in fmt
    number = Decimal(repr(float(value))) if isinstance(value, float) else Decimal(value)
    if percent:
        number *= 100
    if abs(number) >= _SCIENTIFIC_FROM:
        return f"{float(number):.6G}" + ("%" if percent else "")
    match = _DECIMALS_IN_FORMAT.search(fmt)
    if match and fmt != "General":
        text = f"{number:.{len(match.group(1))}f}"
    elif re.fullmatch(r"[#,]*0%?", fmt):
        text = f"{number:.0f}"
    else:
        # General: up to 12 significant digits removes float noise (26.150000000000002)
        number = Decimal(f"{number:.12g}") if number != 0 else Decimal(0)
        text = format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return text + ("%" if percent else "")


def cell_text(value: object, number_format: str = "General") -> str:
    """The text of one openpyxl cell value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return ""
        return _format_number(value, number_format)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).replace("\x00", "").replace("_x000D_", "").strip()


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _sheet_has_formulas(archive, names: list[str]) -> bool:
    return any(_FORMULA_TAG.search(archive.read(n)) for n in names)


def read_xlsx_grids(data: bytes, filename: str) -> list[Grid]:
    """Every sheet of a workbook as a Grid (empty sheets give empty grids)."""
    import openpyxl

    check_size(data, filename)
    if data.startswith(_OLE_MAGIC):
        if any(marker in data for marker in _ENCRYPTION_MARKERS):
            raise ImportFailure(
                f"文件 {filename} 设置了打开密码（已加密），无法读取",
                "请在 Excel 或 WPS 中打开，取消密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码）后另存为 .xlsx 再导入",
            )
        raise ImportFailure(
            f"文件 {filename} 是旧版 Excel 格式（.xls），只是扩展名为 .xlsx",
            "请在 Excel 或 WPS 中另存为 .xlsx 后再导入",
        )
    archive = check_zip(data, filename)
    names = archive.namelist()
    if "xl/workbook.xml" not in names:
        raise ImportFailure(f"文件 {filename} 不是 Excel 工作簿（缺少 xl/workbook.xml）", "请上传 .xlsx 文件")
    sheet_parts = [n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    try:
        has_formulas = _sheet_has_formulas(archive, sheet_parts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values_wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
            # only the formula strings are needed from this second load: read-only is far faster
            formula_wb = (
                openpyxl.load_workbook(io.BytesIO(data), data_only=False, read_only=True)
                if has_formulas
                else None
            )
    except _damaged_workbook_errors() as exc:
        raise ImportFailure(
            f"无法读取 Excel 文件 {filename}：{_workbook_fault(exc)}",
            "文件可能已损坏；请在 Excel 中打开并另存为 .xlsx 后再导入",
        ) from exc
    grids = []
    for ws in values_wb.worksheets:
        fws = formula_wb[ws.title] if formula_wb is not None else None
        grids.append(_sheet_grid(ws, fws, filename))
    if formula_wb is not None:
        formula_wb.close()
    return grids


def _damaged_workbook_errors() -> tuple[type[BaseException], ...]:
    """What openpyxl raises for a damaged workbook; anything else is a bug and shows as one.

    Found by corrupting each part of a saved workbook: XML that does not parse (lxml, or
    ElementTree for some parts), a missing part or a relation pointing nowhere (KeyError,
    IndexError), an attribute of the wrong type or an unknown one (openpyxl's descriptors raise
    TypeError, ValueError, OverflowError), no workbook part (OSError, InvalidFileException), and
    the zip layer's errors. Imported here, as openpyxl is: reading a CSV needs neither.
    """
    import xml.etree.ElementTree

    import lxml.etree
    from openpyxl.utils.exceptions import InvalidFileException

    return (
        InvalidFileException,
        lxml.etree.ParseError,
        xml.etree.ElementTree.ParseError,
        LookupError,
        TypeError,
        ValueError,
        OverflowError,
        OSError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
    )


def _workbook_fault(exc: Exception) -> str:
    """What went wrong inside a workbook, in Chinese (openpyxl's own text is English)."""
    name = type(exc).__name__
    if "Parse" in name or "XML" in name.upper():
        return "工作簿内部的 XML 内容格式错误"
    if isinstance(exc, KeyError):
        return "工作簿缺少必要的组成部分"
    if isinstance(exc, (zipfile.BadZipFile, EOFError, zlib.error)):
        return "工作簿的压缩内容已损坏"
    return "工作簿内容无法解析"


def _sheet_grid(ws, fws, filename: str) -> Grid:
    grid = Grid(filename=filename, sheet=ws.title)
    max_row = ws.max_row or 0
    max_col = min(ws.max_column or 0, MAX_COLUMNS)
    if max_row > MAX_ROWS + 50:
        raise ImportFailure(f"工作表 {ws.title} 有 {max_row} 行，超过上限 {MAX_ROWS}", "请拆分后分别导入")
    if (ws.max_column or 0) > MAX_COLUMNS:
        # the used range is often wider than the data (formatted empty columns): refuse only text
        beyond = ws.iter_rows(min_row=1, max_row=max_row, min_col=MAX_COLUMNS + 1, values_only=True)
        for r, values in enumerate(beyond, start=1):
            if any(cell_text(v) for v in values):
                raise too_many_columns(filename, r, ws.title)
    # the formula sheet (read-only) is walked row by row alongside the values
    formula_rows = (
        fws.iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True)
        if fws is not None
        else None
    )
    count = counter("read", max_row)
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col), start=1):
        count(r)
        texts = []
        formulas = next(formula_rows, ()) if formula_rows is not None else ()
        for c, cell in enumerate(row):
            value = getattr(cell, "value", None)
            texts.append(cell_text(value, getattr(cell, "number_format", "General")))
            if formulas:
                formula = formulas[c] if c < len(formulas) else None
                if isinstance(formula, str) and formula.startswith("="):
                    grid.formulas.add((r - 1, c))
                    if value is None:
                        grid.uncached.add((r - 1, c))
        grid.rows.append(texts)
        grid.row_numbers.append(r)
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= max_row and rng.min_col <= max_col:
            grid.merged.append(
                (
                    rng.min_row - 1,
                    rng.min_col - 1,
                    min(rng.max_row, max_row) - 1,
                    min(rng.max_col, max_col) - 1,
                )
            )
    _trim(grid)
    return grid


def _pad(grid: Grid) -> None:
    width = grid.width
    for row in grid.rows:
        row.extend([""] * (width - len(row)))


def _trim(grid: Grid) -> None:
    """Drop trailing empty rows and columns (Excel's used range is often larger than the data)."""
    while grid.rows and not any(grid.rows[-1]):
        grid.rows.pop()
        grid.row_numbers.pop()
    width = 0
    for r, row in enumerate(grid.rows):
        for c, text in enumerate(row):
            if text or (r, c) in grid.uncached:
                width = max(width, c + 1)
    for i, row in enumerate(grid.rows):
        grid.rows[i] = row[:width] + [""] * (width - len(row[:width]))
    last_row = len(grid.rows) - 1
    grid.merged = [
        (r0, c0, min(r1, last_row), min(c1, width - 1))
        for r0, c0, r1, c1 in grid.merged
        if r0 <= last_row and c0 < width
    ]


# ---------------------------------------------------------------------------------------------


def read_grids(data: bytes, filename: str) -> list[Grid]:
    """Read a tabular file by its extension: XLSX/XLSM → one grid per sheet; CSV → one grid."""
    suffix = suffix_of(filename)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx_grids(data, filename)
    if suffix in (".csv", ".txt"):
        return [read_csv_grid(data, filename)]
    if suffix == ".xls":
        raise ImportFailure(
            f"不支持旧版 Excel 格式（{filename}）", "请在 Excel 或 WPS 中另存为 .xlsx 后再导入"
        )
    raise ImportFailure(
        f"无法识别文件类型：{filename}",
        "支持 .xlsx、.csv、.gpkg、.geojson 和压缩的 Shapefile（.zip）",
    )
