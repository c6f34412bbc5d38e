"""The import report: one line per problem (row, column, value, problem, suggestion), in Chinese.

Severity ``error`` on a row means the row is rejected; ``error`` without a row means the file
cannot be imported at all; ``warning`` rows are imported and listed; ``info`` says what the
import did (a note row skipped, the encoding used).
"""

from __future__ import annotations

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
    """The report as an XLSX workbook: sheet 问题清单, and 概要 when a summary is given.

    Written by the same writer as every download (:func:`panhuo.export.write_xlsx`): a value
    such as ``=1+1`` or ``-12亩`` from the file is a text cell showing exactly that.
    """
    from panhuo.export import Sheet, write_xlsx

    sheets = [
        Sheet(
            "问题清单",
            report_frame(problems),
            wrap=True,
            widths={0: 16, 1: 24, 2: 12, 3: 6, 4: 18, 5: 18, 6: 48, 7: 48},
        )
    ]
    if summary:
        rows = pd.DataFrame(
            [(str(k), v if isinstance(v, numbers.Number) else str(v)) for k, v in summary.items()]
        )
        sheets.append(Sheet("概要", rows, header=False, widths={0: 20, 1: 60}))
    return write_xlsx(sheets)
