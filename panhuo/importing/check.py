"""Step 3 of an import, *check*: build the records, validate them, check 小计/合计 rows against
their detail and list every row that cannot be taken, and why. Nothing here raises for bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from panhuo.geo.schematic import SURVEYED
from panhuo.import_progress import counter, report
from panhuo.importing import survey_zones
from panhuo.importing.analyse import Analysis, Layer
from panhuo.importing.gis import area_problems
from panhuo.importing.join import JoinKey, choose_join_key
from panhuo.importing.mapping import Mapping, fields_for
from panhuo.importing.notes import layer_notes, layer_totals
from panhuo.importing.quality import quality_problems
from panhuo.importing.report import Problem, is_fatal, sort_problems
from panhuo.importing.rows import Rows, area_unit_of, join_second, rows_of
from panhuo.importing.validation import UNCACHED, Context, validate_frame
from panhuo.model import COLUMNS, PublishedTable
from panhuo.ranges import RANGES, bounds, is_range
from panhuo.units import cell_unit, label_or_empty, units_text

# the integer column of the checked records holding each row's number in the source file
SOURCE_ROW = "source_row"


@dataclass
class Checked:
    """Records built from an analysis, with what validation found."""

    analysis: Analysis
    context: Context
    frame: pd.DataFrame  # one row per data row of the main file: FORMAT.md columns, extras, SOURCE_ROW
    rejected: set[int]
    problems: list[Problem]
    tables: list[PublishedTable] = field(default_factory=list)
    unjoined: int = 0  # rows of the second file that could not be joined (listed as errors)
    join: JoinKey | None = None  # the columns the two files were joined on, with their match rates

    @property
    def fatal(self) -> bool:
        return is_fatal(self.problems)

    @property
    def valid_frame(self) -> pd.DataFrame:
        """The records to store: the rows not rejected, without the internal row numbers."""
        kept = self.frame.drop(index=sorted(self.rejected), columns=[SOURCE_ROW], errors="ignore")
        return kept.reset_index(drop=True)

    @property
    def rejected_rows(self) -> set[int]:
        """Source row numbers (as the file counts them) of the rows rejected in the main file."""
        if SOURCE_ROW not in self.frame:
            return set()
        return {int(n) for n in self.frame.loc[sorted(self.rejected), SOURCE_ROW]}

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": len(self.frame),
            "rejected": len(self.rejected) + self.unjoined,
            "valid": len(self.frame) - len(self.rejected),
            "warnings": sum(p.severity == "warning" for p in self.problems),
        }

    @property
    def summary(self) -> dict[str, int]:
        """The counts with their Chinese labels (what the page shows above the report)."""
        counts = self.counts
        return {
            "数据行": counts["rows"],
            "可导入": counts["valid"],
            "有错误（不导入）": counts["rejected"],
            "警告": counts["warnings"],
        }

    def refusal(self, valid_only: bool = False) -> str:
        """Why nothing would be written (a Chinese sentence), '' when the import can go ahead.

        With ``valid_only`` the rows that passed are imported and the rejected ones listed.
        """
        counts = self.counts
        if self.fatal:
            return "文件无法导入，未写入任何数据。"
        if counts["valid"] == 0:
            return "没有可以导入的行，未写入任何数据。"
        if counts["rejected"] and not valid_only:
            return (
                f"有 {counts['rejected']} 行未通过检查，未写入任何数据。请修正文件后重新导入，"
                "或选择只导入有效行。"
            )
        return ""

    @property
    def importable(self) -> bool:
        """True when every row can be imported as it is (no ``valid_only`` needed)."""
        return not self.refusal(valid_only=False)


def check(analysis: Analysis, context: Context) -> Checked:
    """Build and validate the records of an analysis (never raises for bad input)."""
    if survey_zones.zones_layer(analysis) is not None:  # 调查单元 checked against their 调查区
        return survey_zones.check_units(analysis, context, check)
    problems = list(analysis.problems)
    main = analysis.layers[0] if analysis.layers else None
    empty = pd.DataFrame(columns=COLUMNS[analysis.kind], dtype=object)
    if main is None or analysis.fatal or main.table is None or main.mapping is None:
        return Checked(analysis, context, empty, set(), sort_problems(problems))
    for problem in problems:
        problem.file = problem.file or main.file.name
    area_unit, stated = area_unit_of(main, context.area_unit)
    context.area_unit = area_unit
    if main.mapping.choice("area") is not None and not stated and main.mapping.choice("area_unit") is None:
        problems.append(
            Problem(
                "warning",
                f"面积列“{main.mapping.choice('area').column}”未注明单位，按“{area_unit}”处理",
                f"如不是，请在映射中为面积列指定单位（{units_text()}）",
                file=main.file.name,
                sheet=main.sheet,
                column=main.mapping.choice("area").column,
            )
        )
    for layer in analysis.layers:
        problems += layer_notes(layer)
    rows = rows_of(main)
    values, origins = rows.values, rows.origins
    if not rows.geometry and len(analysis.layers) > 1 and analysis.layers[1].is_gis:
        rows.geometry = [None] * len(values)  # filled from the second file by the join
        problems.append(Problem("info", "图形取自第二个文件", "", file=analysis.layers[1].file.name))
    unjoined, unmatched, key = 0, set(), None
    if len(analysis.layers) > 1 and analysis.layers[1].table is not None:
        second = analysis.layers[1]
        key = choose_join_key(main, second)
        refusal = join_refusal(key, main, second)
        if refusal is not None:  # nothing is written, --valid-only or not
            problems.append(refusal)
            return Checked(analysis, context, empty, set(), sort_problems(problems), join=key)
        problems.append(Problem("info", key.sentence, "", file=second.file.name))
        joined, unmatched = join_second(second, main, rows, key)
        unjoined = len({p.row for p in joined if p.severity == "error" and p.file == second.file.name})
        problems += joined
    generated_ids = main.mapping.column_of("id") is None
    if generated_ids:
        for i, row in enumerate(values):
            row["id"] = str(i + 1)
        problems.append(
            Problem(
                "info",
                "文件没有编号列，按数据行顺序编号（1、2、3…）",
                "如有编号列，请在映射中指定",
                file=main.file.name,
                sheet=main.sheet,
            )
        )
    frame = _validation_frame(rows, main.mapping)

    def locate(index: int, field_name: str) -> dict[str, object]:
        cell = origins[index].get(field_name) or origins[index][""]
        layer, row = cell.layer, cell.row
        column = layer.table.headers[cell.column] if layer.table and cell.column is not None else ""
        value = "" if cell.column is None else row.cells[cell.column]
        if field_name == "id" and generated_ids:
            column, value = "（生成的编号）", values[index]["id"]
        if field_name == "geometry":
            column = "图形"
        return {
            "row": row.number,
            "column": column,
            "value": value,
            "file": layer.file.name,
            "sheet": layer.sheet,
        }

    report("check", 0, len(frame))  # validation runs over every row at once
    outcome = validate_frame(frame, context, locate)
    for problem in outcome.problems:
        problem.file = problem.file or main.file.name
    problems += outcome.problems
    for layer in analysis.layers:
        area = layer.mapping.choice("area") if layer.mapping else None
        if layer.gis is not None and area is not None:
            id_choice = layer.mapping.choice("id")
            problems += area_problems(
                layer.gis,
                area.column,
                area.unit or area_unit,
                id_choice.column if id_choice else None,
                layer.file.name,
            )
    tables = []
    for layer in analysis.layers:
        found, table = layer_totals(layer, area_unit if layer is main else area_unit_of(layer, area_unit)[0])
        problems += found
        if table is not None:
            tables.append(table)
    records = _records(rows, main, context, area_unit)
    rejected = set(outcome.rejected) | unmatched
    problems += quality_problems(analysis, context, records, rejected, area_unit)
    return Checked(analysis, context, records, rejected, sort_problems(problems), tables, unjoined, join=key)


def join_refusal(key: JoinKey | None, main: Layer, second: Layer) -> Problem | None:
    """The error that stops a join that cannot work (no key; most rows of a layer unmatched)."""
    if key is None:
        return Problem(
            "error",
            "两个文件中找不到可以相互对应的编号列，无法合并，未写入任何数据",
            "请确认两个文件都有地块自身的编号（如 地块编号、DKBH），并在映射中指定",
            file=second.file.name,
        )
    if key.refused:
        return Problem(
            "error",
            f"{key.sentence}；多数行无法对应，不能合并，未写入任何数据（只导入有效行也不会导入）",
            "请核对两个文件是否为同一批地块，或在两个文件的映射中指定相同含义的编号列"
            "（GIS 软件生成的要素编号如 id、FID、OBJECTID 每个图层各不相同，不能用来对应）",
            file=second.file.name,
        )
    return None


def _validation_frame(rows: Rows, mapping: Mapping) -> pd.DataFrame:
    """The field values as validation sees them: one column per field, None for an empty cell
    (built a column at a time: no dictionary per row)."""
    values, geometry = rows.values, rows.geometry
    fields = list(dict.fromkeys(["id", *mapping.mapped_fields(), *(k for v in values for k in v)]))
    frame = pd.DataFrame(
        {f: [v.get(f) or None for v in values] for f in fields}, columns=fields, dtype=object
    )
    if geometry:
        frame["geometry"] = pd.Series(geometry, dtype=object)
    return frame


def _records(rows: Rows, main: Layer, ctx: Context, area_unit: str) -> pd.DataFrame:
    """The rows to store: FORMAT.md columns as text, then extra columns, then geometry, and the
    source row number as an integer in :data:`SOURCE_ROW` (``source`` shows it as 第n行).

    Built a column at a time (a million rows: no dictionary of thirty keys per row); an extra
    column a row lacks (a row the second layer did not join) is missing (NaN) there."""
    values, extras, geometry = rows.values, rows.extras, rows.geometry
    kind = ctx.kind
    if not values:
        return pd.DataFrame(columns=[*COLUMNS[kind], SOURCE_ROW], dtype=object)
    single_county = ctx.plan_counties[0] if len(ctx.plan_counties) == 1 else ""
    sheet = f" {main.sheet}" if main.sheet else ""
    unit_word = "个要素" if main.is_gis else "行"
    numbers = rows.numbers
    count = counter("check", len(values))  # a row is checked once validated and built
    columns: dict[str, list] = {}
    for column in COLUMNS[kind]:
        columns[column] = [(v.get(column) or "").replace(UNCACHED, "") for v in values]
    count(len(values) // 3)
    areas = columns.get("area") or [""] * len(values)
    columns["area_unit"] = [
        cell_unit(area) or label_or_empty(unit) or area_unit
        for area, unit in zip(areas, columns.get("area_unit") or [""] * len(values), strict=True)
    ]
    derived = [""] * len(values)
    if ctx.kind == "parcels" and not any(columns.get("county") or []):
        columns["county"], derived = counties_from_codes(columns["id"], ctx)
    if single_county:
        counties = columns.get("county") or [""] * len(values)
        note = f"区县为空，按规划范围（仅{single_county}）填写"
        derived = [note if not county else d for county, d in zip(counties, derived, strict=True)]
        columns["county"] = [county or single_county for county in counties]
    columns.update(range_bounds(columns, kind))
    columns["source"] = [f"{main.file.name}{sheet} 第{number}{unit_word}" for number in numbers]
    columns["derived"] = derived
    count(2 * len(values) // 3)
    base = set(columns)
    names = dict.fromkeys(name for extra in extras for name in extra)
    for name in names:
        key = name if name not in base else f"{name}（原表）"
        columns[key] = [extra.get(name, np.nan) for extra in extras]
    if geometry:
        columns["geometry"] = [shape or "" for shape in geometry]
        columns["geometry_source"] = [SURVEYED if shape else "" for shape in geometry]
    frame = pd.DataFrame(columns, dtype=object)
    frame[SOURCE_ROW] = pd.array(numbers, dtype="Int64")
    count(len(values))
    return frame


def range_bounds(columns: dict[str, list], kind: str) -> dict[str, list[str]]:
    """Lower and upper bound columns (容积率 ≤1.0,＞0 → 0 and 1.0) beside each 容积率/建筑密度
    column that holds a range; the printed text stays in the column itself. Empty for a number."""
    labels = fields_for(kind)
    out: dict[str, list[str]] = {}
    for name in RANGES:
        values = columns.get(name)
        if not values or not any(is_range(v) for v in values):
            continue
        label, unit = labels[name].replace("(%)", ""), "(%)" if "(%)" in labels[name] else ""
        found = [bounds(v) if is_range(v) else None for v in values]
        out[f"{label}下限{unit}"] = ["" if b is None or b[0] is None else str(b[0]) for b in found]
        out[f"{label}上限{unit}"] = ["" if b is None or b[1] is None else str(b[1]) for b in found]
    return out


_CODE = re.compile(r"^[A-Za-z]{0,4}(\d{6})\d")


def counties_from_codes(ids: list[str], ctx: Context) -> tuple[list[str], list[str]]:
    """Each record's 区县 from the 6-digit 行政区划代码 its number begins with (浙江's 调查单元编号
    330502…), when the file names no 区县: only codes of the plan's 区县 count (of any 区县 when the
    plan lists none). Returns the 区县 and the 推算说明 of each record ('' where none is found)."""
    from panhuo.importing.survey_zones import _county_by_code

    names = _county_by_code()
    allowed = set(ctx.counties)
    counties, notes = [], []
    for text in ids:
        found = _CODE.match(str(text or "").strip())
        name = names.get(found.group(1), "") if found else ""
        if name and allowed and name not in allowed:
            name = ""
        counties.append(name)
        notes.append(f"区县由编号开头的行政区划代码 {found.group(1)} 填写" if name else "")
    return counties, notes
