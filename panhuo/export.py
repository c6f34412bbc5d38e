"""Record tables for people: Chinese headers, areas in the chosen unit, search, CSV/XLSX bytes."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import pandas as pd

from panhuo.access import CountyScope
from panhuo.aggregate import FIELD_LABELS
from panhuo.privacy import scoped_records
from panhuo.units import from_ha, to_ha, unit_label

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


def records_table(frame: pd.DataFrame, dataset: str, unit: str, scope: CountyScope) -> pd.DataFrame:
    """The records with Chinese headers, the area in ``unit`` first; empty columns dropped.

    Private fields follow ``scope``, the viewer's ``User.private_scope(plan)`` (see
    :func:`panhuo.privacy.scoped_records`): the table on screen and its downloads are built from
    this, so they show the same.
    """
    frame = scoped_records(frame, scope)
    if "derived" in frame:
        frame["derived"] = frame["derived"].map(derived_text)
    frame["area_shown"] = [
        float(from_ha(to_ha(a, u), unit)) if str(a).strip() else None
        for a, u in zip(frame["area"], frame["area_unit"], strict=True)
    ]
    columns = [c for c in SHOWN[dataset] if c in frame.columns]
    table = frame[columns]
    keep = [c for c in columns if c == "area_shown" or table[c].astype(str).str.strip().ne("").any()]
    labels = LABELS | {"area_shown": f"面积（{unit_label(unit)}）"}
    return table[keep].rename(columns=labels)


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


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a BOM so that Excel on Windows opens the Chinese headers correctly.

    Cells and headers that would be formulas are guarded (:func:`csv_safe`).
    """
    safe = frame.map(csv_safe).rename(columns=csv_safe)
    # CRLF rows (RFC 4180, what Excel writes): a cell holding a lone CR is then quoted, not split
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


@dataclass
class Sheet:
    """One sheet of a workbook written by :func:`write_xlsx`."""

    name: str
    frame: pd.DataFrame
    title: str = ""  # a bold first row above the table
    header: bool = True  # False: the frame's rows only (a key/value sheet)
    wrap: bool = False  # wrap long text in its cell
    widths: dict[int, float] = field(default_factory=dict)  # column index -> width, else from content


def _xlsx_cell(value: object) -> object:
    return _CONTROL.sub("", value) if isinstance(value, str) else value


def write_xlsx(sheets: list[Sheet]) -> bytes:
    """The one XLSX writer: bold Chinese headers, frozen header row, column widths.

    Text is written as text cells, never as a formula or a link (a name in imported data such as
    ``=HYPERLINK(…)`` or ``-12亩`` reaches the user as the text it is, without an added quote).
    """
    buffer = io.BytesIO()
    options = {"options": {"strings_to_formulas": False, "strings_to_urls": False}}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs=options) as writer:
        book = writer.book
        header_format = book.add_format({"bold": True, "bg_color": "#e6efe9", "border": 1})
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
