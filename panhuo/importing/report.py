"""The import report: one line per problem (row, column, value, problem, suggestion), in Chinese.

Severity ``error`` on a row means the row is rejected; ``error`` without a row means the file
cannot be imported at all; ``warning`` rows are imported and listed; ``info`` says what the
import did (a note row skipped, the encoding used).
"""

from __future__ import annotations

import io
import numbers
from dataclasses import asdict, dataclass

import pandas as pd

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
# column order and Chinese names of the report table
REPORT_COLUMNS = {
    "severity_label": "级别",
    "file": "文件",
    "sheet": "工作表",
    "row": "行",
    "column": "列",
    "value": "值",
    "problem": "问题",
    "suggestion": "建议",
}


@dataclass
class Problem:
    severity: str  # error | warning | info
    problem: str
    suggestion: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    file: str = ""
    sheet: str = ""

    @property
    def stops_file(self) -> bool:
        """An error that concerns no single row: the whole file cannot be imported."""
        return self.severity == "error" and self.row is None

    @property
    def severity_label(self) -> str:
        if self.severity == "error":
            return "错误（整个文件）" if self.stops_file else "错误（该行未导入）"
        return SEVERITY_LABELS[self.severity]

    def to_json(self) -> dict:
        return asdict(self)


def is_fatal(problems: list[Problem]) -> bool:
    """True when a problem stops the whole file (nothing of it can be imported)."""
    return any(p.stops_file for p in problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(problems, key=lambda p: (p.file, p.sheet, p.row is not None, p.row or 0, rank[p.severity]))


def report_frame(problems: list[Problem]) -> pd.DataFrame:
    """The report as a DataFrame with Chinese column names (the table shown and downloaded)."""
    rows = []
    for p in sort_problems(problems):
        rows.append(
            {
                "级别": p.severity_label,
                "文件": p.file,
                "工作表": p.sheet,
                "行": p.row,
                "列": p.column,
                "值": p.value,
                "问题": p.problem,
                "建议": p.suggestion,
            }
        )
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS.values()), dtype=object)
    frame["行"] = frame["行"].astype("Int64")  # a number, empty for what concerns the whole file
    return frame


def report_xlsx(problems: list[Problem], summary: dict[str, object] | None = None) -> bytes:
    """The report as an XLSX workbook: sheet 问题清单, and 概要 when a summary is given."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    frame = report_frame(problems)
    ws.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        ws.append(
            [None if v is pd.NA else int(v) if isinstance(v, numbers.Integral) else _safe(v) for v in values]
        )
    widths = {"A": 16, "B": 24, "C": 12, "D": 6, "E": 18, "F": 18, "G": 48, "H": 48}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    if summary:
        info = wb.create_sheet("概要")
        for key, value in summary.items():
            info.append([_safe(key), _safe(value)])
        info.column_dimensions["A"].width = 20
        info.column_dimensions["B"].width = 60
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _safe(value: object) -> object:
    """Text that cannot be taken for a formula and carries no control characters."""
    if value is None:
        return ""
    text = str(value)
    text = "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)
    if text.startswith(("=", "+", "-", "@")) and not _is_plain_number(text):
        text = "'" + text
    return text


def _is_plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
