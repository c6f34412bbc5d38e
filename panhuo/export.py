"""Record tables for people: Chinese headers, areas in the chosen unit, search, CSV/XLSX bytes."""

from __future__ import annotations

import io

import pandas as pd

from panhuo.aggregate import FIELD_LABELS
from panhuo.privacy import public_records
from panhuo.units import from_ha, to_ha, unit_label

# columns shown per dataset, in order; sensitive ones are dropped for public views
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


def records_table(frame: pd.DataFrame, dataset: str, unit: str, public: bool) -> pd.DataFrame:
    """The records with Chinese headers, the area in ``unit`` first; empty columns dropped."""
    frame = public_records(frame) if public else frame.copy()
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


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV with a BOM so that Excel on Windows opens the Chinese headers correctly."""
    return frame.to_csv(index=False).encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "明细", title: str = "") -> bytes:
    """An XLSX workbook: an optional title row, bold Chinese headers, frozen header, widths."""
    buffer = io.BytesIO()
    # text that starts with "=" stays text: a name in imported data must not become a live formula
    options = {"options": {"strings_to_formulas": False}}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs=options) as writer:
        start = 2 if title else 0
        frame.to_excel(writer, sheet_name=sheet, index=False, startrow=start)
        book, ws = writer.book, writer.sheets[sheet]
        if title:
            ws.write(0, 0, title, book.add_format({"bold": True, "font_size": 13}))
        header = book.add_format({"bold": True, "bg_color": "#e6efe9", "border": 1})
        for col, name in enumerate(frame.columns):
            ws.write(start, col, name, header)
            width = max([len(str(name)) * 2] + [len(str(v)) * 1.6 for v in frame.iloc[:200, col]])
            ws.set_column(col, col, min(max(8, width), 50))
        ws.freeze_panes(start + 1, 0)
    return buffer.getvalue()
