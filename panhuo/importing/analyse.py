"""Step 1 of an import, *analyse*: read each file, find its sheet and header, propose a mapping.

A mapping remembered in the store for the same header layout wins over the proposal, and the
user's own mapping (:func:`apply_mappings`) wins over both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from panhuo.importing import survey_zones
from panhuo.importing._limits import MAX_FILE_BYTES, ImportFailure
from panhuo.importing.gis import read_gis_table
from panhuo.importing.header import Table, locate_table
from panhuo.importing.mapping import Mapping, apply_saved, fields_for, propose_mapping
from panhuo.importing.readers import GIS_SUFFIXES, Grid, read_grids, suffix_of
from panhuo.importing.report import Problem, is_fatal

if TYPE_CHECKING:
    from panhuo.geo.readers import LayerResult
    from panhuo.store import Store

# fields of a 现状 layer that a 规划 layer (the second file) provides as their 规划 counterpart
_PLANNED_COUNTERPART = {
    "far_before": "far_after",
    "density_before": "density_after",
    "current_use": "planned_use",
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
    # main | second (the 规划 layer joined to the 现状 layer on the id) | zones_of (the 调查区
    # layer the 调查单元 are checked against: panhuo.importing.survey_zones)
    role: str = "main"
    sheets: list[str] = field(default_factory=list)
    table: Table | None = None
    mapping: Mapping | None = None
    problems: list[Problem] = field(default_factory=list)
    gis: LayerResult | None = None  # the layer as read, for the area check of a GIS layer

    @property
    def sheet(self) -> str:
        return self.table.grid.sheet if self.table else ""

    @property
    def is_gis(self) -> bool:
        return suffix_of(self.file.name) in GIS_SUFFIXES


@dataclass
class Analysis:
    """What :func:`analyse` found: the dataset kind and one layer per file (at most two)."""

    kind: str
    layers: list[Layer]

    @property
    def problems(self) -> list[Problem]:
        return [p for layer in self.layers for p in layer.problems]

    @property
    def fatal(self) -> bool:
        return is_fatal(self.problems)


def _choose_sheet(grids: list[Grid], sheet: str | None, kind: str, filename: str) -> Table:
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


SAMPLE_ROWS = 1000  # rows whose values the mapping reads, spread over the whole table


def column_sample(table: Table, limit: int = SAMPLE_ROWS) -> list[list[str]]:
    """Each column's values in up to ``limit`` data rows, taken evenly from first to last."""
    rows = table.data_rows
    step = max(1, len(rows) // limit)
    picked = rows[::step][:limit]
    width = len(table.headers)
    return [[r.cells[c] if c < len(r.cells) else "" for r in picked] for c in range(width)]


def _unit_from_shape_area(layer: Layer) -> None:
    """An area field whose header and cells name no unit takes the unit its ratio to the GIS
    software's Shape_Area points to (m² beside m²: 平方米), with that as its evidence."""
    from panhuo.importing.units_evidence import proposed_unit

    area = layer.mapping.choice("area")
    if area is None or area.unit:
        return
    found = proposed_unit(layer.gis.gdf_wgs84, area.column)
    if found is not None:
        area.unit, why = found
        area.evidence = "；".join(x for x in (area.evidence, why) if x)


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
    store: Store | None = None,
    crs: str | None = None,
    counties: list[str] | None = None,
) -> Analysis:
    """Read each file and propose its mapping. Problems that stop a file are in its layer.

    ``store`` supplies the mapping remembered for a layout (none: nothing remembered); ``crs`` is
    the coordinate system of a GIS layer that declares none (``EPSG:4528``); ``counties`` are the
    区县 of the plan's city, whose names in a column make it the 区县 column (none: China's).
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
            layer.mapping = propose_mapping(
                table.headers, samples, kind, column_values=column_sample(table), counties=counties
            )
            if layer.gis is not None:
                _unit_from_shape_area(layer)
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
    layers = survey_zones.arrange(layers, kind, store, crs)  # a 调查区 layer (DCQTB) recognised
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
