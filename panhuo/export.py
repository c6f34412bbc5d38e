"""Tables for people: record tables (Chinese headers, areas in the chosen unit, search), the
summary tables of the pages as XLSX with number formats and a 合计 row (:func:`table_xlsx`), and
the CSV/XLSX bytes of both, guarded against formula injection."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pandas as pd

from panhuo.access import CountyScope
from panhuo.aggregate import FIELD_LABELS, Filters, rows_where
from panhuo.audit import BEIJING
from panhuo.demo import LABEL_COLUMN, export_title
from panhuo.privacy import scoped_records
from panhuo.units import (
    DISPLAY_DECIMALS,
    find_unit,
    format_in,
    format_number,
    from_ha,
    quanta_per,
    to_ha,
    unit_in_text,
    unit_label,
)

if TYPE_CHECKING:  # pragma: no cover
    from panhuo.model import Plan

# columns shown per dataset, in order; sensitive ones only as the viewer's scope allows
SHOWN = {
    "parcels": ["id", "name", "county", "town", "village", "zone", "type", "family_label", "current_use",
                "planned_use", "area_shown", "area", "area_unit", "count", "phase", "stage", "mode", "actor",
                "potential", "far_before", "far_after", "density_before", "density_after", "right_holder",
                "derived", "source"],
    "zones": ["id", "name", "county", "category", "family_label", "location", "area_shown", "area",
              "area_unit", "stage", "note", "source"],
}  # fmt: skip
LABELS = FIELD_LABELS | {
    "far_before": "容积率（改造前）",
    "far_after": "容积率（改造后）",
    "density_before": "建筑密度%（改造前）",
    "density_after": "建筑密度%（改造后）",
    "right_holder": "权利人",
    "derived": "推算说明",
    "source": "出处",
    "note": "备注",
    "count": "宗数",
}
# labels used inside notes: "面积（原值）" would read oddly in a sentence
_NOTE_LABELS = LABELS | {"area": "面积", "area_unit": "面积单位", "parcel_count": "宗数"}


# a record column named inside a note (data files write "phase由第四章…推定")
_FIELD_NAME = re.compile(r"(?<![A-Za-z_])([a-z]+(?:_[a-z]+)*)(?![A-Za-z_])")


def derived_text(note: object) -> str:
    """A 推算说明 as shown: record column names in it replaced by their Chinese labels.

    >>> derived_text("phase由第四章推定；同值写入right_holder"), derived_text("GIS 图层")
    ('实施时序由第四章推定；同值写入权利人', 'GIS 图层')
    """
    return _FIELD_NAME.sub(lambda m: _NOTE_LABELS.get(m.group(1), m.group(1)), str(note or ""))


def extra_columns(frame: pd.DataFrame, dataset: str, scope: CountyScope) -> list[str]:
    """The columns an import kept beyond FORMAT.md (大类代码, 地均入库税金, 规划容积率上限 …) that
    this viewer may see (:func:`panhuo.privacy.visible_extras`), in the stored order."""
    from panhuo.model import COLUMNS
    from panhuo.privacy import visible_extras

    return visible_extras(frame, {*COLUMNS[dataset], *SHOWN[dataset]}, scope)


EXTRA_CHOICES = 200  # distinct values up to which an extra column is filtered by picking values


def extra_values(frame: pd.DataFrame, column: str, limit: int = EXTRA_CHOICES) -> list[str] | None:
    """The distinct non-empty values of an extra column, sorted; None when there are more than
    ``limit`` (the page then filters by a word instead)."""
    values = frame[column].dropna().astype(str).str.strip()
    distinct = values[values != ""].unique()
    return None if len(distinct) > limit else sorted(distinct)


def extra_mask(frame: pd.DataFrame, where: tuple[tuple[str, tuple[str, ...], str], ...]) -> np.ndarray:
    """Rows matching every ``(column, values, word)`` condition on extra columns: the value is
    one of ``values`` (when given) and contains ``word`` (when given, literal, any case)."""
    mask = np.ones(len(frame), dtype=bool)
    for column, values, word in where:
        if column not in frame:
            continue
        text = frame[column].fillna("").astype(str).str.strip()
        if values:
            mask &= text.isin(set(values)).to_numpy(dtype=bool)
        if word.strip():
            mask &= text.str.contains(word.strip(), case=False, regex=False).to_numpy(dtype=bool)
    return mask


def records_table(
    frame: pd.DataFrame,
    dataset: str,
    unit: str,
    scope: CountyScope,
    keep: set[str] | None = None,
    extras: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The records with Chinese headers, the area in ``unit`` first; empty columns dropped.

    Private fields follow ``scope``, the viewer's ``User.private_scope(plan)`` (see
    :func:`panhuo.privacy.scoped_records`): the table on screen and its downloads are built from
    this, so they show the same. ``keep``: the columns to show (a page of a larger result keeps
    the result's columns, :func:`record_page`), instead of those not empty in ``frame``.
    """
    frame = scoped_records(frame, scope)
    if "derived" in frame:
        frame["derived"] = frame["derived"].map(derived_text)
    frame["area_shown"] = _area_shown(frame, unit)
    columns = [c for c in SHOWN[dataset] if c in frame.columns]
    table = frame[columns]
    if keep is None:
        keep = _kept_columns(frame, dataset)
    keep = [c for c in columns if c in keep]
    labels = LABELS | {"area_shown": f"面积（{unit_label(unit)}）"}
    shown = table[keep].rename(columns=labels)
    allowed = set(extra_columns(frame.head(0), dataset, scope))
    for column in extras:  # after the standard columns, under their own names, as text
        if column in allowed and column not in shown:
            shown[column] = frame[column].fillna("").astype(str).to_numpy()
    return shown


# sheet rows of an XLSX file (1,048,576) less the title and header rows Panhuo writes
XLSX_MAX_ROWS = 1_048_576 - 3
PAGE_SIZES = (50, 100, 500)
# what 明细 sorts by: the stored order, then these columns ("area" sorts on the exact area)
SORTS = ("", "area", "id", "name", "county", "town", "type", "stage", "phase")
SORT_LABELS = {"": "原顺序", "area": "面积", **{k: LABELS[k] for k in SORTS if k not in ("", "area")}}


@dataclass
class RecordPage:
    """One page of the 明细 table: its rows as :func:`records_table` shows them, and where it is."""

    table: pd.DataFrame
    total: int  # records matching the search
    page: int  # 1-based, clamped to the pages there are
    pages: int
    first: int  # 1-based number of the page's first record (0 when there is none)


def search_mask(frame: pd.DataFrame, dataset: str, text: str) -> np.ndarray:
    """Which rows contain ``text`` (case-insensitive, literal) in a shown column: one vectorised
    pass per column (no row is joined into a string)."""
    text = text.strip()
    mask = np.zeros(len(frame), dtype=bool)
    if not text:
        return ~mask
    for column in SHOWN[dataset]:
        if column in frame and column != "area_shown" and not pd.api.types.is_numeric_dtype(frame[column]):
            found = frame[column].astype(str).str.contains(text, case=False, regex=False)
            mask |= found.fillna(False).to_numpy(dtype=bool)
    return mask


def _order(frame: pd.DataFrame, sort: str, descending: bool) -> np.ndarray:
    if not sort or sort not in SORTS or (sort != "area" and sort not in frame):
        order = np.arange(len(frame))
        return order[::-1] if descending else order
    if sort == "area":
        key = frame["area_ha"].to_numpy(dtype="float64") if "area_ha" in frame else np.zeros(len(frame))
        key = np.where(np.isnan(key), -np.inf, key)
    else:
        key = frame[sort].astype(str).to_numpy(dtype=object)
    # stable both ways: records that tie keep their order
    return pd.Series(key).sort_values(ascending=not descending, kind="stable").index.to_numpy()


def record_page(
    frame: pd.DataFrame,
    dataset: str,
    unit: str,
    scope: CountyScope,
    *,
    query: str = "",
    sort: str = "",
    descending: bool = False,
    page: int = 1,
    size: int = 100,
    extras: tuple[str, ...] = (),
    where: tuple[tuple[str, tuple[str, ...], str], ...] = (),
) -> RecordPage:
    """The ``page``-th page of ``size`` records matching ``query``, sorted by ``sort``: only the
    page's rows are formatted and sent, whatever the number of records (a province's million).
    The columns are those :func:`records_table` keeps for all matching records."""
    matching = matching_records(frame, dataset, scope, query, where)
    total = len(matching)
    pages = max(1, -(-total // size))
    page = min(max(1, int(page)), pages)
    order = _order(matching, sort, descending)
    rows = matching.iloc[order[(page - 1) * size : page * size]]
    # the columns of the whole result, not of this page: a page does not lose a column that is
    # empty on it, nor show one empty everywhere
    table = records_table(rows, dataset, unit, scope, keep=_kept_columns(matching, dataset), extras=extras)
    return RecordPage(table, total, page, pages, (page - 1) * size + 1 if total else 0)


def matching_records(
    frame: pd.DataFrame,
    dataset: str,
    scope: CountyScope,
    query: str = "",
    where: tuple[tuple[str, tuple[str, ...], str], ...] = (),
) -> pd.DataFrame:
    """The records matching the search and the conditions on extra columns this viewer may see
    (a condition on a column hidden from the viewer is ignored, so it reveals nothing)."""
    allowed = set(extra_columns(frame.head(0), dataset, scope))
    where = tuple(w for w in where if w[0] in allowed)
    if not query.strip() and not where:
        return frame
    mask = search_mask(frame, dataset, query) if query.strip() else np.ones(len(frame), dtype=bool)
    if where:
        mask &= extra_mask(frame, where)
    return rows_where(frame, mask)


def _kept_columns(frame: pd.DataFrame, dataset: str) -> set[str]:
    keep = {"area_shown"}
    for column in SHOWN[dataset]:
        if column in frame and column != "area_shown":
            values = frame[column]
            if pd.api.types.is_numeric_dtype(values):
                if len(values):
                    keep.add(column)
            elif values.astype(str).str.strip().ne("").any():
                keep.add(column)
    return keep


def _area_shown(frame: pd.DataFrame, unit: str) -> list[float | None]:
    """Each record's area in ``unit``, rounded as :func:`panhuo.units.from_ha` rounds: from the
    exact integer parsed at import where there is one (vectorised), else from the printed text."""
    shown: list[float | None] = [None] * len(frame)
    exact = frame["area_exact"].to_numpy(dtype=bool) if "area_exact" in frame else np.zeros(len(frame), bool)
    if exact.any():
        values = np.round(frame["area_q"].to_numpy(dtype="int64") / quanta_per(unit), 4)
        shown = [float(v) if ok else None for v, ok in zip(values, exact, strict=True)]
    for i in np.flatnonzero(~exact):
        a, u = frame["area"].iat[i], frame["area_unit"].iat[i]
        shown[i] = float(from_ha(to_ha(a, u), unit)) if str(a).strip() else None
    return shown


def record_details(table: pd.DataFrame, position: int) -> tuple[str, pd.DataFrame]:
    """The record at ``position`` of a :func:`records_table`: (title, two-column 项目/内容 frame).

    Empty cells are left out; the title is the record's name (or its number).
    """
    row = table.iloc[position]
    title = str(row.get(LABELS["name"], "") or row.get(LABELS["id"], "") or "")
    items = [(k, _cell(v)) for k, v in row.items() if _cell(v) != ""]
    return title, pd.DataFrame(items, columns=["项目", "内容"])


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value).strip()


def search(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """Rows where any text cell contains ``text`` (case-insensitive); all rows for empty text."""
    text = text.strip()
    if not text:
        return frame
    haystack = frame.astype(str).agg(" ".join, axis=1)
    return frame[haystack.str.contains(text, case=False, regex=False)]


# a cell beginning with one of these is a formula to Excel/WPS when it opens a CSV (OWASP "CSV
# injection"): "=HYPERLINK(…)", "+cmd|…", "@SUM(…)", "-2+3", and a leading tab or CR
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# …unless it is a plain number, which stays a number (-12.5, +3, -1,234.5, 1e-3)
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
# control characters other than tab and newline: not allowed in an XLSX cell, never meant in text
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


def csv_safe(value: object) -> object:
    """A cell as it may go into a CSV: text that a spreadsheet would run as a formula gets a
    leading single quote, so it shows as the text it is; numbers and plain text are unchanged.

    >>> csv_safe("=SUM(A1)"), csv_safe("-2+3"), csv_safe("-12.5"), csv_safe("-12亩"), csv_safe(-3)
    ("'=SUM(A1)", "'-2+3", '-12.5', "'-12亩", -3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_safe_column(values: pd.Series) -> pd.Series:
    """:func:`csv_safe` of every cell of a column: vectorised for Arrow text (a million rows in
    milliseconds), cell by cell for a column of Python objects, numbers unchanged.

    >>> csv_safe_column(pd.Series(["=1+1", "-3", "甲"], dtype="str")).tolist()
    ["'=1+1", '-3', '甲']
    """
    if isinstance(values.dtype, pd.StringDtype):
        risky = values.str.startswith(_FORMULA_START).fillna(False).astype(bool)
        if risky.any():
            risky &= ~values.str.fullmatch(_PLAIN_NUMBER.pattern).fillna(False).astype(bool)
            values = values.mask(risky, "'" + values)
        return values
    if values.dtype == object:
        return values.map(csv_safe)
    return values


CSV_CHUNK_ROWS = 50_000  # rows formatted at a time by write_csv: memory bounded by a chunk


def write_csv(frame: pd.DataFrame, out: BinaryIO, chunk_rows: int = CSV_CHUNK_ROWS) -> int:
    """Write ``frame`` to ``out`` as CSV (UTF-8 with a BOM so that Excel on Windows opens the
    Chinese headers; CRLF rows), ``chunk_rows`` rows at a time, so a file of any size costs one
    chunk of memory beyond the frame. Cells and headers that would be formulas are guarded
    (:func:`csv_safe`). Returns the bytes written."""
    written = out.write("\ufeff".encode())
    header = [csv_safe(str(c)) for c in frame.columns]
    for start in range(0, max(len(frame), 1), chunk_rows):
        chunk = frame.iloc[start : start + chunk_rows]
        safe = pd.DataFrame({i: csv_safe_column(chunk[c]) for i, c in enumerate(chunk.columns)})
        safe.columns = header
        # CRLF rows (RFC 4180, what Excel writes): a cell holding a lone CR is then quoted, not split
        text = safe.to_csv(index=False, header=start == 0, lineterminator="\r\n")
        written += out.write(text.encode("utf-8"))
    return written


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The CSV of ``frame`` as :func:`write_csv` writes it, as bytes (a download button's data)."""
    buffer = io.BytesIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


@dataclass
class Sheet:
    """One sheet of a workbook written by :func:`write_xlsx`."""

    name: str
    frame: pd.DataFrame
    title: str = ""  # a bold first row above the table
    header: bool = True  # False: the frame's rows only (a key/value sheet)
    wrap: bool = False  # wrap long text in its cell
    widths: dict[int, float] = field(default_factory=dict)  # column index -> width, else from content


# the header row of every workbook the app writes
HEADER_STYLE = {"bold": True, "bg_color": "#e6efe9", "border": 1}
# text is never read as a formula, a link or a number, whatever it begins with
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def _xlsx_cell(value: object) -> object:
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def write_xlsx(sheets: list[Sheet]) -> bytes:
    """The one XLSX writer: bold Chinese headers, frozen header row, column widths.

    Text is written as text cells, never as a formula or a link (a name in imported data such as
    ``=HYPERLINK(…)`` or ``-12亩`` reaches the user as the text it is, without an added quote).
    """
    buffer = io.BytesIO()
    options = {"options": XLSX_OPTIONS}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs=options) as writer:
        book = writer.book
        header_format = book.add_format(HEADER_STYLE)
        wrap_format = book.add_format({"text_wrap": True, "valign": "top"})
        for sheet in sheets:
            frame = sheet.frame.map(_xlsx_cell).rename(columns=_xlsx_cell)
            start = 2 if sheet.title else 0
            frame.to_excel(writer, sheet_name=sheet.name, index=False, startrow=start, header=sheet.header)
            ws = writer.sheets[sheet.name]
            if sheet.title:
                ws.write(0, 0, sheet.title, book.add_format({"bold": True, "font_size": 13}))
            for col, name in enumerate(frame.columns):
                if sheet.header:
                    ws.write(start, col, name, header_format)
                width = sheet.widths.get(col) or min(
                    max([8, len(str(name)) * 2] + [len(str(v)) * 1.6 for v in frame.iloc[:200, col]]), 50
                )
                ws.set_column(col, col, width, wrap_format if sheet.wrap else None)
            if sheet.header:
                ws.freeze_panes(start + 1, 0)
    return buffer.getvalue()


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "明细", title: str = "") -> bytes:
    """An XLSX workbook of one table: an optional title row, then the table (see :func:`write_xlsx`)."""
    return write_xlsx([Sheet(sheet, frame, title)])


# --- summary tables: number formats per column, a 合计 row ---------------------------------------
#
# A summary table (区县目标's areas per 区县, 结构调整's uses, 数据核查's findings, 进展监测's 区县
# table) comes as a frame with Chinese headers and numeric columns. What each column holds — an
# area in some unit, money, a count, a percentage, a rank, text — is said by ``formats`` or read
# from its header (``目标（亩）`` is an area in 亩, ``完成率`` a percentage, ``排名`` a rank); it
# decides the cell format and whether the column is summed in the 合计 row.


@dataclass(frozen=True)
class Rate:
    """A percentage column whose 合计 is recomputed from two summed columns: Σ numerator ÷
    Σ denominator × 100 over the rows that have both (覆盖率 = 清单 ÷ 目标). Values are in
    percentage points, as the pages show them (85.3 means 85.3 %)."""

    numerator: str
    denominator: str
    decimals: int = 1


@dataclass(frozen=True)
class ColumnKind:
    """What a column of a summary table holds (see :func:`column_kinds`).

    ``kind`` is one of ``area`` (``unit`` is its code), ``money`` (万元), ``count``, ``percent``
    (percentage points, written as an Excel percentage), ``fraction`` (0–1, written as a
    percentage), ``rank``, ``integer`` (a year, a code: no separator, never summed), ``plain``
    (as many decimals as the value has, up to 4: figures of mixed units), ``number`` (any other
    number), ``text``. ``summed``: added up in the 合计 row by default. ``signed``: a change,
    shown with its sign (+3.92).
    """

    kind: str
    unit: str = ""
    decimals: int = 0
    summed: bool = False
    rate: Rate | None = None
    signed: bool = False  # a change: +3.92 / -21.22


_KIND_WORDS = {
    "text": ColumnKind("text"),
    "count": ColumnKind("count", summed=True),
    "money": ColumnKind("money", decimals=2, summed=True),
    "万元": ColumnKind("money", decimals=2, summed=True),
    "rank": ColumnKind("rank"),
    "integer": ColumnKind("integer"),
    "plain": ColumnKind("plain"),
    "number": ColumnKind("number", decimals=2),
    "fraction": ColumnKind("fraction", decimals=1),
}
_RANK = re.compile(r"排名|名次|位次")
_PERCENT = re.compile(r"率|占比|比例|比重|%|％|[（(]占")
_PER_UNIT = re.compile(r"/|均")  # 万元/亩, 亩均税收, 地均投资: intensities, never summed
_MONEY = re.compile(r"万元|亿元|[（(]元[）)]|金额|投资额")
_COUNT = re.compile(
    r"个数|宗数|数量|件数|项数|处数|块数|记录数|[（(](个|宗|处|项|块|条|件|家)[）)]|(?<!系|指|倍|参|分|函)数$"
)


def column_kind(header: str, values: pd.Series, spec: object = None) -> ColumnKind:
    """The kind of one column: from ``spec`` when given (a :class:`Rate`, a :class:`ColumnKind`,
    a unit word such as ``"亩"``, ``"percent"``/``"percent:2"``, or a word of :data:`_KIND_WORDS`),
    else from the header and the values.

    >>> [column_kind(h, pd.Series([1.5])).kind for h in ("目标（亩）", "完成率", "排名", "亩均税收（万元/亩）")]
    ['area', 'percent', 'rank', 'number']
    >>> column_kind("区县", pd.Series(["德清县"])).kind, column_kind("个数", pd.Series([3])).summed
    ('text', True)
    """
    if spec is not None:
        return _kind_of_spec(spec)
    if not _numeric(values):
        return ColumnKind("text")
    header = str(header)
    if _RANK.search(header):
        return ColumnKind("rank")
    if "容积率" in header:
        return ColumnKind("number", decimals=2)
    if _PERCENT.search(header):
        return ColumnKind("percent", decimals=1)
    if _PER_UNIT.search(header):
        return ColumnKind("number", decimals=2)
    if unit_in_text(header):
        return area_kind(unit_in_text(header))
    if _MONEY.search(header):
        return _KIND_WORDS["money"]
    if _COUNT.search(header):
        return _KIND_WORDS["count"]
    if pd.api.types.is_integer_dtype(values):
        return ColumnKind("integer")
    return ColumnKind("number", decimals=2)


def area_kind(unit: str, *, signed: bool = False) -> ColumnKind:
    """The kind of an area column in ``unit`` (a code or a word): its unit's decimals, summed."""
    code = find_unit(unit).code if find_unit(unit) else unit
    return ColumnKind("area", code, DISPLAY_DECIMALS[code], summed=True, signed=signed)


def _kind_of_spec(spec: object) -> ColumnKind:
    if isinstance(spec, ColumnKind):
        return spec
    if isinstance(spec, Rate):
        return ColumnKind("percent", decimals=spec.decimals, rate=spec)
    word = str(spec).strip()
    if word in _KIND_WORDS:
        return _KIND_WORDS[word]
    if word.startswith(("percent", "%")):
        _, _, decimals = word.partition(":")
        return ColumnKind("percent", decimals=int(decimals or 1))
    if find_unit(word) is not None:
        return area_kind(word)
    raise ValueError(f"未知的列格式：{spec}")


def _numeric(values: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    present = [v for v in values if not _missing(v)]
    return bool(present) and all(
        isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in present
    )


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def column_kinds(frame: pd.DataFrame, formats: Mapping[str, object] | None = None) -> dict[str, ColumnKind]:
    """:func:`column_kind` of every column, ``formats`` (header → spec) first."""
    formats = formats or {}
    unknown = set(formats) - set(frame.columns)
    if unknown:
        raise ValueError(f"表中没有这些列：{'、'.join(sorted(map(str, unknown)))}")
    return {c: column_kind(c, frame[c], formats.get(c)) for c in frame.columns}


def total_row(
    frame: pd.DataFrame,
    sum_columns: Iterable[str] | None = None,
    formats: Mapping[str, object] | None = None,
    total_label: str = "合计",
) -> dict[str, object] | None:
    """The 合计 row of a summary table: header → value; None when nothing is summed.

    ``sum_columns`` None: the columns whose kind says area, money or count (never a rate, a
    percentage or a rank); ``[]``: no 合计 row. Sums are exact (decimal) over the values as
    given. A :class:`Rate` column is recomputed from its two sums; any other percentage is left
    empty — an average of rates is not the rate of the total. The label goes in the first text
    column (after 数据性质, which keeps its value: a row copied out still says what it is).

    >>> frame = pd.DataFrame({"区县": ["甲", "乙"], "目标（亩）": [100.0, 300.0], "清单（亩）": [50.0, 250.0],
    ...                       "覆盖率": [50.0, 83.3], "排名": [2, 1]})
    >>> total_row(frame, formats={"覆盖率": Rate("清单（亩）", "目标（亩）")})
    {'区县': '合计', '目标（亩）': 400.0, '清单（亩）': 300.0, '覆盖率': 75.0, '排名': None}
    """
    sum_columns = None if sum_columns is None else list(sum_columns)
    if sum_columns == []:
        return None
    kinds = column_kinds(frame, formats)
    summed = _summed(frame, kinds, sum_columns)
    rates = {c: k.rate for c, k in kinds.items() if k.rate is not None}
    if not summed and not rates:
        return None
    row: dict[str, object] = dict.fromkeys(frame.columns)
    for column in summed:
        row[column] = _sum(frame[column])
    for column, rate in rates.items():
        row[column] = _rate(frame, rate)
    label_at = _label_column(frame, kinds, summed)
    if label_at is not None:
        row[label_at] = total_label
    if LABEL_COLUMN in frame and frame[LABEL_COLUMN].nunique() == 1:
        row[LABEL_COLUMN] = frame[LABEL_COLUMN].iloc[0]
    return row


def _summed(
    frame: pd.DataFrame, kinds: dict[str, ColumnKind], sum_columns: Iterable[str] | None
) -> list[str]:
    if sum_columns is None:
        return [c for c, k in kinds.items() if k.summed]
    chosen = list(sum_columns)
    unknown = [c for c in chosen if c not in frame.columns]
    if unknown:
        raise ValueError(f"表中没有这些列：{'、'.join(map(str, unknown))}")
    wrong = [c for c in chosen if kinds[c].kind in ("text", "percent", "fraction", "rank")]
    if wrong:
        raise ValueError(f"这些列不能相加：{'、'.join(map(str, wrong))}")
    return chosen


def _decimal(value: object) -> Decimal | None:
    if _missing(value):
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def _sum(values: pd.Series) -> float | None:
    numbers = [d for d in map(_decimal, values) if d is not None]
    return float(sum(numbers, Decimal(0))) if numbers else None


def _rate(frame: pd.DataFrame, rate: Rate) -> float | None:
    pairs = [
        (n, d)
        for n, d in zip(
            map(_decimal, frame[rate.numerator]), map(_decimal, frame[rate.denominator]), strict=True
        )
        if n is not None and d is not None
    ]
    denominator = sum((d for _n, d in pairs), Decimal(0))
    if not pairs or denominator == 0:
        return None
    return float(sum((n for n, _d in pairs), Decimal(0)) / denominator * 100)


def _label_column(frame: pd.DataFrame, kinds: dict[str, ColumnKind], summed: list[str]) -> str | None:
    texts = [c for c, k in kinds.items() if k.kind == "text" and c != LABEL_COLUMN]
    if texts:
        return texts[0]
    free = [c for c, k in kinds.items() if c not in summed and k.rate is None and c != LABEL_COLUMN]
    return free[0] if free else None


def total_note(kinds: dict[str, ColumnKind], row: dict[str, object] | None, total_label: str = "合计") -> str:
    """The sentence under a 合计 row saying how it was made ('' without one)."""
    if row is None:
        return ""
    parts = [f"{total_label}为表中各行相加"]
    for column, kind in kinds.items():
        if kind.rate is not None:
            parts.append(f"“{column}”按{total_label}重算（{kind.rate.numerator} ÷ {kind.rate.denominator}）")
    blank = [c for c, k in kinds.items() if k.kind in ("percent", "fraction", "rank") and k.rate is None]
    if blank:
        parts.append("“" + "”“".join(blank) + f"”不作{total_label}")
    return "说明：" + "；".join(parts) + "。"


def _excel_format(kind: ColumnKind, value: object) -> str | None:
    """The number format of one cell (亩 and ``plain`` depend on the value: 23,743 but 12.5)."""
    code = _base_format(kind, value)
    if kind.signed and code and code != "General":
        return f"+{code};-{code};{code}"
    return code


def _base_format(kind: ColumnKind, value: object) -> str | None:
    if kind.kind == "area" and kind.unit == "mu":
        whole = Decimal(repr(float(value))).quantize(Decimal("0.1")) % 1 == 0
        return "#,##0" if whole else "#,##0.0"
    if kind.kind == "plain":
        text = f"{Decimal(repr(float(value))).quantize(Decimal('0.0001')):f}".rstrip("0")
        decimals = len(text.partition(".")[2])
        return "#,##0" + ("." + "0" * decimals if decimals else "")
    decimals = "." + "0" * kind.decimals if kind.decimals else ""
    return {
        "area": f"#,##0{decimals}",
        "money": "#,##0.00",
        "count": "#,##0",
        "percent": f"0{decimals}%",
        "fraction": f"0{decimals}%",
        "rank": "0",
        "integer": "0",
        "number": f"#,##0{decimals}" if kind.decimals else "General",
    }.get(kind.kind)


def _cell_value(kind: ColumnKind, value: object) -> object:
    if kind.kind == "percent":
        return float(value) / 100
    if kind.kind in ("count", "rank", "integer") and float(value).is_integer():
        return int(value)
    return float(value)


def _text_width(text: str) -> float:
    """Display width in Excel character units: a Chinese character is about two."""
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in str(text))


def _shown_width(kind: ColumnKind, value: object) -> float:
    if _missing(value):
        return 0
    if kind.kind == "text":
        return _text_width(str(value))
    return len(f"{float(value):,.{max(kind.decimals, 2)}f}") + (
        1 if kind.kind in ("percent", "fraction") else 0
    )


def table_xlsx(
    frame: pd.DataFrame,
    *,
    sheet: str,
    sum_columns: Iterable[str] | None = None,
    formats: Mapping[str, object] | None = None,
    note: str = "",
    total_label: str = "合计",
) -> bytes:
    """A summary table as an XLSX workbook of one sheet, for people to take away.

    - ``note`` (one row per line, the first in bold) above the table: the demonstration label,
      the plan, the filters, the period;
    - the header row as given (Chinese), styled like every workbook of the app, frozen, with an
      autofilter over the data rows (sorting leaves the 合计 row at the bottom);
    - number formats per column from :func:`column_kinds` (``formats``: header → spec): an area
      with its unit's decimals (亩 none when whole, else one; 公顷 two), 万元 two, counts and
      ranks whole, percentages as Excel percentages (85.3 is written as 0.853, shown 85.3%);
    - a 合计 row (:func:`total_row`) in bold, then a sentence saying how it was made;
    - widths from the text (Chinese characters count double), printed landscape, one page wide.

    Text from data is written as text, never as a formula or a link.

    >>> book = table_xlsx(pd.DataFrame({"区县": ["甲"], "面积（亩）": [12.5]}), sheet="面积", note="示例")
    >>> book[:2]
    b'PK'
    """
    import xlsxwriter

    kinds = column_kinds(frame, formats)
    total = total_row(frame, sum_columns, formats, total_label)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, **XLSX_OPTIONS})
    ws = book.add_worksheet(_sheet_name(sheet))
    header_format = book.add_format(HEADER_STYLE | {"text_wrap": True, "valign": "vcenter"})
    formats_cache: dict[tuple[str, bool], object] = {}

    def number_format(code: str | None, bold: bool = False):
        key = (code or "", bold)
        if key not in formats_cache:
            spec = {"num_format": code} if code else {}
            formats_cache[key] = book.add_format(spec | ({"bold": True, "top": 1} if bold else {}))
        return formats_cache[key]

    def write(row: int, col: int, kind: ColumnKind, value: object, bold: bool = False) -> None:
        if _missing(value):
            ws.write_blank(row, col, None, number_format(None, bold))
        elif kind.kind == "text" or isinstance(value, str):
            ws.write_string(row, col, _xlsx_cell(str(value)), number_format(None, bold))
        else:
            ws.write_number(
                row, col, _cell_value(kind, value), number_format(_excel_format(kind, value), bold)
            )

    lines = [line for line in str(note or "").splitlines() if line.strip()]
    bold_note = book.add_format({"bold": True, "font_size": 12})
    for i, line in enumerate(lines):
        ws.write_string(i, 0, _xlsx_cell(line), bold_note if i == 0 else None)
    head = len(lines) + 1 if lines else 0
    columns = list(frame.columns)
    for col, name in enumerate(columns):
        ws.write_string(head, col, _xlsx_cell(str(name)), header_format)
    for r, values in enumerate(frame.itertuples(index=False), start=head + 1):
        for col, value in enumerate(values):
            write(r, col, kinds[columns[col]], value)
    last = head + len(frame)
    if total is not None:
        for col, name in enumerate(columns):
            write(last + 1, col, kinds[name], total[name], bold=True)
        explained = total_note(kinds, total, total_label)
        ws.write_string(last + 2, 0, explained, book.add_format({"italic": True, "font_color": "#555555"}))
    wrapped = False
    for col, name in enumerate(columns):
        shown = [_shown_width(kinds[name], v) for v in frame[name].iloc[:500]]
        if total is not None:
            shown.append(_shown_width(kinds[name], total[name]))
        header = _text_width(str(name))
        if header > 24:  # a long header wraps onto two lines rather than widen its column
            header, wrapped = header / 2, True
        ws.set_column(col, col, min(max(header, *shown, 6) + 2, 50))
    if wrapped:
        ws.set_row(head, 32)
    ws.freeze_panes(head + 1, 0)
    if columns:
        ws.autofilter(head, 0, max(last, head), len(columns) - 1)
    ws.repeat_rows(head)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str) -> str:
    """A name Excel accepts for a sheet: no []:*?/\\, at most 31 characters, not empty."""
    cleaned = _SHEET_FORBIDDEN.sub("-", _CONTROL.sub("", str(name))).strip("'").strip()
    return cleaned[:31] or "表"


def filters_line(filters: Filters) -> str:
    """The sidebar's filters in force as one line of a download's note ('' when none).

    >>> filters_line(Filters(counties=("德清县", "长兴县"), stages=("正在实施",)))
    '筛选：区县 德清县、长兴县；实施阶段 正在实施'
    """
    shown = [("区县", filters.counties), ("片区", filters.zones), ("类型", filters.types),
             ("实施阶段", filters.stages)]  # fmt: skip
    parts = [f"{name} {'、'.join(values)}" for name, values in shown if values]
    return "筛选：" + "；".join(parts) if parts else ""


def table_note(plan: Plan | None, *lines: str, today: date | None = None) -> str:
    """The note above a downloaded summary table: the plan's title (after the demonstration label
    for the demonstration plan, :func:`panhuo.demo.export_title`), the caller's lines (the
    table's name, filters, period), and the day it was exported (北京时间)."""
    today = today or datetime.now(BEIJING).date()
    head = [export_title(plan, plan.title)] if plan is not None else []
    return "\n".join(
        [*head, *(line for line in lines if line), f"导出日期：{today.year}年{today.month}月{today.day}日"]
    )


@dataclass(frozen=True)
class SummaryTable:
    """A summary table as the domain gives it for a page: the numeric frame (Chinese headers),
    the column specs that its headers do not say (a :class:`Rate`, ``"plain"``), and the columns
    its 合计 row sums (None: areas, money and counts; ``()``: no 合计 row)."""

    frame: pd.DataFrame
    formats: dict[str, object] = field(default_factory=dict)
    sum_columns: tuple[str, ...] | None = None

    @property
    def total(self) -> dict[str, object] | None:
        return total_row(self.frame, self.sum_columns, self.formats)

    def shown(self, total_label: str = "合计") -> pd.DataFrame:
        """The table as the page shows it: every figure as text in the house format (the same
        decimals as the download), the 合计 row last."""
        kinds = column_kinds(self.frame, self.formats)
        total = total_row(self.frame, self.sum_columns, self.formats, total_label)
        rows = [*self.frame.to_dict("records"), *([total] if total is not None else [])]
        return pd.DataFrame(
            [{c: shown_value(kinds[c], row[c]) for c in self.frame.columns} for row in rows],
            columns=self.frame.columns,
        )


def shown_value(kind: ColumnKind, value: object) -> str:
    """One figure as a page shows it: 23,743 (亩), 1,582.87 (公顷), 118.7%, +3.92; — for none.

    >>> shown_value(ColumnKind("area", "mu", 1), 23743.0), shown_value(ColumnKind("percent", decimals=1), 118.71)
    ('23,743', '118.7%')
    >>> shown_value(ColumnKind("area", "ha", 2, signed=True), 3.925), shown_value(ColumnKind("count"), None)
    ('+3.93', '—')
    """
    if _missing(value):
        return "" if kind.kind == "text" else "—"
    if kind.kind == "text" or isinstance(value, str):
        return str(value)
    text = _shown_number(kind, value)
    return f"+{text}" if kind.signed and float(value) > 0 and not text.startswith("-") else text


def _shown_number(kind: ColumnKind, value: object) -> str:
    if kind.kind == "area":
        return format_in(value, kind.unit)
    if kind.kind in ("percent", "fraction"):
        points = float(value) * (100 if kind.kind == "fraction" else 1)
        return f"{format_number(points, kind.decimals)}%"
    if kind.kind in ("rank", "integer"):
        return str(int(value))
    if kind.kind == "plain":
        text = f"{Decimal(repr(float(value))).quantize(Decimal('0.0001')):,f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    decimals = {"count": 0, "money": 2}.get(kind.kind, kind.decimals)
    return format_number(value, decimals)
