"""Import survey data (XLSX, CSV, GeoPackage, zipped Shapefile, GeoJSON) into the store.

The page 数据导入 and ``python -m panhuo import`` use the same engine:

>>> from panhuo.importing import InputFile, import_files          # doctest: +SKIP
>>> result = import_files([InputFile.from_path("地块.xlsx")], "my-plan", valid_only=True)  # doctest: +SKIP
>>> result.status, result.imported, len(result.problems)           # doctest: +SKIP

Limits: 50 MB per file, 300 MB unpacked for zip containers, 200,000 rows per sheet or layer.
"""

from panhuo.importing import engine, examples, mapping
from panhuo.importing._limits import MAX_FILE_BYTES, MAX_ROWS, MAX_UNPACKED_BYTES, ImportFailure
from panhuo.importing.engine import (
    Analysis,
    Checked,
    ImportResult,
    InputFile,
    analyse,
    check,
    commit,
    context_for,
    import_files,
    new_plan_meta,
)
from panhuo.importing.mapping import Mapping, fields_for, propose_mapping
from panhuo.importing.report import Problem, report_frame, report_xlsx

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "Analysis",
    "Checked",
    "ImportFailure",
    "ImportResult",
    "InputFile",
    "Mapping",
    "Problem",
    "analyse",
    "check",
    "commit",
    "context_for",
    "engine",
    "examples",
    "fields_for",
    "import_files",
    "mapping",
    "new_plan_meta",
    "propose_mapping",
    "report_frame",
    "report_xlsx",
]
