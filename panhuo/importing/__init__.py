"""Import survey data (XLSX, CSV, GeoPackage, zipped Shapefile, GeoJSON) into the store.

The page 数据导入 and ``python -m panhuo import`` use the same steps, one module each:
:mod:`~panhuo.importing.analyse` (read, find the header, propose a mapping) →
:mod:`~panhuo.importing.rows` (cells to field values, join a second file) →
:mod:`~panhuo.importing.check` (validate, list every row not taken) →
:mod:`~panhuo.importing.commit` (one transaction); :mod:`~panhuo.importing.engine` runs all four.

>>> from panhuo.importing import InputFile, import_files          # doctest: +SKIP
>>> result = import_files([InputFile.from_path("地块.xlsx")], "my-plan", valid_only=True)  # doctest: +SKIP
>>> result.status, result.imported, len(result.problems)           # doctest: +SKIP

Limits: 2 GB per file, 6 GB unpacked for zip containers, 5,000,000 rows per sheet or layer.
"""

from panhuo.importing import engine, examples, mapping
from panhuo.importing._limits import MAX_FILE_BYTES, MAX_ROWS, MAX_UNPACKED_BYTES, ImportFailure
from panhuo.importing.analyse import Analysis, InputFile, Layer, analyse, apply_mappings
from panhuo.importing.check import Checked, check
from panhuo.importing.commit import ImportResult, commit, new_plan_meta
from panhuo.importing.context import context_for
from panhuo.importing.engine import find_plan, import_files
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
    "Layer",
    "Mapping",
    "Problem",
    "analyse",
    "apply_mappings",
    "check",
    "commit",
    "context_for",
    "engine",
    "examples",
    "fields_for",
    "find_plan",
    "import_files",
    "mapping",
    "new_plan_meta",
    "propose_mapping",
    "report_frame",
    "report_xlsx",
]
