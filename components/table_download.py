"""下载 XLSX / 下载 CSV for a summary table, side by side, under the table they belong to.

The frame has Chinese headers and numeric columns (a page passes the numeric variant of the
table it shows, never its display strings). The XLSX is :func:`panhuo.export.table_xlsx`: number
formats per column, a 合计 row, the note (plan, demonstration label, the caller's lines, the
export date). The CSV is for programs as much as for people: the rows only, no 合计 row and no
note (a total row in a CSV gets summed again by whoever reads it), numbers as numbers, UTF-8 with
a BOM so that Excel on Windows reads the Chinese headers, formula-like text guarded. For the
demonstration plan both files begin with the 数据性质 column saying 模拟数据 on every row and
their names begin ``模拟-`` (:mod:`panhuo.demo`).

Both files are made when clicked (deferred), so a page that offers many pays nothing per run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

import pandas as pd
import streamlit as st

from panhuo.demo import export_frame, export_name
from panhuo.export import column_kinds, table_note, table_xlsx, to_csv_bytes
from panhuo.model import Plan

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def figure_columns(frame: pd.DataFrame, formats: Mapping[str, object] | None = None) -> dict:
    """``column_config`` for the page's table of ``frame`` (a summary table's numeric frame):
    the figure columns right-aligned, as numbers are in the workbook."""
    return {
        name: st.column_config.TextColumn(name, alignment="right")
        for name, kind in column_kinds(frame, formats).items()
        if kind.kind != "text"
    }


def table_downloads(
    frame: pd.DataFrame,
    name: str,
    key: str,
    *,
    plan: Plan | None = None,
    sum_columns: Iterable[str] | None = None,
    formats: Mapping[str, object] | None = None,
    total_label: str = "合计",
    note: str = "",
) -> None:
    """Two buttons, 下载 XLSX and 下载 CSV, for ``frame``; files ``<name>.xlsx`` / ``<name>.csv``
    (``模拟-`` first for the demonstration plan), button keys ``<key>_xlsx`` / ``<key>_csv``.

    ``sum_columns``, ``formats`` and ``total_label`` as in :func:`panhuo.export.table_xlsx`
    (None: areas, money and counts summed; ``[]``: no 合计 row). ``note``: lines the workbook
    carries under the plan's title — the filters (:func:`panhuo.export.filters_line`), a period.
    """
    sum_columns = None if sum_columns is None else list(sum_columns)
    labelled = export_frame(plan, frame)  # a demonstration plan's rows say so in both files
    sheet = name.removeprefix(f"{plan.id}-") if plan is not None else name
    workbook = partial(
        table_xlsx,
        labelled,
        sheet=sheet,
        sum_columns=sum_columns,
        formats=formats,
        note=table_note(plan, sheet, *str(note or "").splitlines()),
        total_label=total_label,
    )
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "下载 XLSX",
        data=workbook,
        file_name=export_name(plan, f"{name}.xlsx"),
        mime=XLSX_MIME,
        on_click="ignore",
        key=f"{key}_xlsx",
        icon=":material/download:",
        help=f"Excel 工作簿：带数字格式和{total_label}行",
    )
    row.download_button(
        "下载 CSV",
        data=partial(to_csv_bytes, labelled),
        file_name=export_name(plan, f"{name}.csv"),
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
        icon=":material/download:",
        help=f"逗号分隔文本（UTF-8）：只有数据行，不含{total_label}行",
    )
