"""The import report: one line per problem (row, column, value, problem, suggestion), in Chinese.

Severity ``error`` on a row means the row is rejected; ``error`` without a row means the file
cannot be imported at all; ``warning`` rows are imported and listed; ``info`` says what the
import did (a note row skipped, the encoding used).

Each problem belongs to one *family* (:data:`FAMILIES`), the check groups of the provincial
quality control of the 低效用地 survey database: 属性结构, 值域, 面积一致性, 拓扑, 图层间一致性,
与上一版本比较. The code that finds a problem names its family; a problem made without one
(older stored reports, modules that do not say) gets it from :func:`infer_family`.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass

import pandas as pd

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}
# how quality control names the severities: an error must be fixed, a warning should be
GRADE_LABELS = {"error": "必须修改", "warning": "建议修改", "info": "提示"}
# the check families, in the order quality control reports them, with their Chinese labels
FAMILIES = {
    "structure": "属性结构",
    "domain": "值域",
    "area": "面积一致性",
    "topology": "拓扑",
    "layers": "图层间一致性",
    "versions": "与上一版本比较",
}
_FAMILY_RANK = {family: rank for rank, family in enumerate(FAMILIES)}
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
    "family_label": "类别",  # last: the columns before it keep their places
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
    family: str = ""  # a key of FAMILIES; inferred from the text when not given

    def __post_init__(self) -> None:
        if self.family not in FAMILIES:
            self.family = infer_family(self.problem, self.severity)

    @property
    def family_label(self) -> str:
        return FAMILIES[self.family]

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


# (family, words any of which in the problem text places it there), tried in order
_INFERRED = (
    ("layers", ("第二个文件", "两个文件", "按编号合并", "调查区")),
    ("versions", ("上一版本", "上一版")),
    ("topology", ("图形无效", "自动修复", "没有图形", "重叠", "细碎", "区县范围")),
    ("area", ("小计行与明细", "合计行与明细", "面积核对", "图形计算面积", "图形面积", "Shape_Area")),
)


def infer_family(text: str, severity: str = "") -> str:
    """The family of a problem made without one, from its text: a join problem (or one about a
    unit and its 调查区) is 图层间一致性, a 小计/合计 or geometric area mismatch 面积一致性, a
    geometry repair 拓扑; everything else (reading the file, its header, columns and mapping)
    is 属性结构. ``severity`` is not used yet: a family does not depend on it."""
    for family, words in _INFERRED:
        if any(word in text for word in words):
            return family
    return "structure"


def by_family(problems: list[Problem]) -> list[tuple[str, list[Problem]]]:
    """(family, its problems sorted as the report sorts them) for each family that has any,
    in the order of :data:`FAMILIES`."""
    groups: dict[str, list[Problem]] = {}
    for problem in sort_problems(problems):
        groups.setdefault(problem.family, []).append(problem)
    return [(family, groups[family]) for family in FAMILIES if family in groups]


def family_counts(problems: list[Problem]) -> pd.DataFrame:
    """One row per family that has problems: 类别, 必须修改, 建议修改, 提示 (the counts)."""
    rows = []
    for family, found in by_family(problems):
        rows.append(
            {
                "类别": FAMILIES[family],
                **{label: sum(p.severity == s for p in found) for s, label in GRADE_LABELS.items()},
            }
        )
    return pd.DataFrame(rows, columns=["类别", *GRADE_LABELS.values()])


def is_fatal(problems: list[Problem]) -> bool:
    """True when a problem stops the whole file (nothing of it can be imported)."""
    return any(p.stops_file for p in problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    rank = {"error": 0, "warning": 1, "info": 2}
    return sorted(problems, key=lambda p: (p.file, p.sheet, p.row is not None, p.row or 0, rank[p.severity]))


def report_frame(problems: list[Problem]) -> pd.DataFrame:
    """The report as a DataFrame with Chinese column names (the table shown and downloaded),
    grouped by family in the order of :data:`FAMILIES`, sorted by file and row within one."""
    rows = []
    for p in (p for _, found in by_family(problems) for p in found):
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
                "类别": p.family_label,
            }
        )
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS.values()), dtype=object)
    frame["行"] = frame["行"].astype("Int64")  # a number, empty for what concerns the whole file
    return frame


def report_xlsx(problems: list[Problem], summary: dict[str, object] | None = None) -> bytes:
    """The report as an XLSX workbook: sheet 问题清单 (grouped by family, its 类别 in the last
    column), 检查汇总 (per family: 必须修改, 建议修改, 提示), and 概要 when a summary is given.

    Written by the same writer as every download (:func:`panhuo.export.write_xlsx`): a value
    such as ``=1+1`` or ``-12亩`` from the file is a text cell showing exactly that.
    """
    from panhuo.export import Sheet, write_xlsx

    sheets = [
        Sheet(
            "问题清单",
            report_frame(problems),
            wrap=True,
            widths={0: 16, 1: 24, 2: 12, 3: 6, 4: 18, 5: 18, 6: 48, 7: 48, 8: 14},
        )
    ]
    if problems:
        sheets.append(Sheet("检查汇总", family_counts(problems), widths={0: 16, 1: 10, 2: 10, 3: 10}))
    if summary:
        rows = pd.DataFrame(
            [(str(k), v if isinstance(v, numbers.Number) else str(v)) for k, v in summary.items()]
        )
        sheets.append(Sheet("概要", rows, header=False, widths={0: 20, 1: 60}))
    return write_xlsx(sheets)
