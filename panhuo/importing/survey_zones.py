"""The provincial survey's two layers as one import: 调查单元 (DCDYTB) checked against 调查区 (DCQTB).

Zhejiang's 低效用地 survey database delivers a 调查区 layer (DCQTB: DCQBH 调查区编号, DCQMC
调查区名称, XZQDM/XZQMC 行政区代码/名称, MJ) and a 调查单元 layer (DCDYTB, 表1-2, whose DCQBH
names the unit's 调查区). Given together — two files, or the two layers of one GeoPackage —
the 调查区 layer is not a 规划 layer to be joined on the id but the frame of the units:

- :func:`layer_role` tells the layers apart by their fields (DCQBH + DCQMC without DCDYBH: a
  调查区 layer; DCDYBH: a 调查单元 layer), never by file names;
- :func:`arrange` (called by :func:`panhuo.importing.analyse.analyse`) puts the units first and
  gives the 调查区 layer the role ``zones_of``; a GeoPackage holding both is read as both;
- :func:`check_units` (called by :func:`panhuo.importing.check.check`) checks every unit
  against its 调查区: a number the DCQTB layer lacks rejects the unit (an error), more than
  :data:`OUTSIDE_SHARE` of its area outside its 调查区 is a warning; and fills the unit's 区县,
  which DCDYTB lacks, from its 调查区's XZQMC (else from the 行政区划代码 its DCDYBH begins
  with), saying so in ``derived``.

The 调查区 are checked against, not stored: the store writes one dataset per transaction.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely
import shapely.errors

from panhuo.geo.schematic import SURVEYED
from panhuo.importing._limits import ImportFailure
from panhuo.importing.report import Problem, sort_problems

if TYPE_CHECKING:
    from panhuo.importing.analyse import Analysis, Layer
    from panhuo.importing.check import Checked
    from panhuo.importing.validation import Context
    from panhuo.store import Store

ROLE = "zones_of"  # Layer.role of the 调查区 layer
OUTSIDE_SHARE = 0.01  # a unit with more of its area outside its 调查区 is listed

# the fields that tell the layers apart, by code and by 表1-2's Chinese name
UNIT_ID = ("DCDYBH", "调查单元编号")
ZONE_ID = ("DCQBH", "调查区编号")
ZONE_NAME = ("DCQMC", "调查区名称")
UNIT_ZONE = ("DCQBH", "所在调查区编号", "调查区编号", "所在调查区")
ZONE_COUNTY = ("XZQMC", "行政区名称", "区县名称", "区县")
ZONE_COUNTY_CODE = ("XZQDM", "行政区代码", "行政区划代码")
ZONE_AREA = ("MJ", "面积", "调查区面积")

DERIVED_FROM_ZONE = "区县由所在调查区（DCQTB）的行政区名称填写"
DERIVED_FROM_ZONE_CODE = "区县由所在调查区（DCQTB）的行政区代码{code}填写"
DERIVED_FROM_NUMBER = "区县由调查单元编号前 6 位行政区划代码{code}填写"


def _norm(header: str) -> str:
    return unicodedata.normalize("NFKC", str(header or "")).strip().upper()


def find_column(headers: list[str], names: tuple[str, ...]) -> int | None:
    """The first of ``headers`` that is one of ``names`` (codes compared without case)."""
    wanted = {_norm(n) for n in names}
    return next((i for i, h in enumerate(headers) if _norm(h) in wanted), None)


def layer_role(headers: list[str]) -> str:
    """``units`` (a 调查单元 layer: has DCDYBH), ``zones`` (a 调查区 layer: DCQBH and DCQMC, no
    DCDYBH) or '' (neither)."""
    if find_column(headers, UNIT_ID) is not None:
        return "units"
    if find_column(headers, ZONE_ID) is not None and find_column(headers, ZONE_NAME) is not None:
        return "zones"
    return ""


def zones_layer(analysis: Analysis) -> Layer | None:
    """The 调查区 layer of an analysis (role ``zones_of``), None for any other import."""
    return next((layer for layer in analysis.layers if layer.role == ROLE), None)


# --------------------------------------------------------------------------- analyse


def _gpkg_layer_fields(data: bytes) -> dict[str, list[str]]:
    """Each spatial layer of a GeoPackage and its fields ({} when it cannot be listed)."""
    import pyogrio
    import pyogrio.errors

    with tempfile.TemporaryDirectory(prefix="panhuo-survey-") as folder:
        path = Path(folder) / "layers.gpkg"  # a named file: GDAL warns of a GeoPackage without .gpkg
        path.write_bytes(data)
        try:
            names = [str(n) for n, geometry in pyogrio.list_layers(path) if geometry]
            return {n: list(pyogrio.read_info(path, layer=n)["fields"]) for n in names}
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError, ValueError):
            return {}  # read_layer says what is wrong with the file


def _propose(layer: Layer, kind: str, store: Store | None, number: tuple[str, ...]) -> None:
    """The layer's mapping proposed afresh (as analyse does for a first file), with what the
    survey schema settles: ``number`` (DCDYBH of a 调查单元, DCQBH of a 调查区) is the id (BSM is
    only a feature's 标识码), and an area column that says no unit (面积 rather than MJ) is in
    平方米. A remembered mapping of the layout wins, unless it names fields ``kind`` lacks."""
    from panhuo.importing.mapping import apply_saved, propose_mapping

    table = layer.table
    samples = [r.cells for r in table.data_rows[:8]]
    layer.mapping = propose_mapping(table.headers, samples, kind)
    at = find_column(table.headers, number)
    if at is not None and layer.mapping.column_of("id") != at:
        apply_saved(layer.mapping, {table.headers[at]: "id"}, "code")
    area = layer.mapping.choice("area")
    if area is not None and not area.unit:  # the survey database's areas are in m² (表1-2)
        area.unit = "平方米"
    saved = store.saved_mapping(layer.mapping.layout) if store is not None else None
    if saved:
        trial = copy.deepcopy(layer.mapping)
        with contextlib.suppress(ValueError):  # remembered for another kind (imported alone as 地块)
            layer.mapping = apply_saved(trial, saved, "saved")


def _split_gpkg(layer: Layer, kind: str, crs: str | None) -> list[Layer] | None:
    """[units, zones] read from one GeoPackage holding both layers; None when it does not."""
    from panhuo.importing.analyse import Layer
    from panhuo.importing.gis import read_gis_table

    fields = _gpkg_layer_fields(layer.file.data)
    roles: dict[str, list[str]] = {"units": [], "zones": []}
    for name, names in fields.items():
        role = layer_role(names)
        if role:
            roles[role].append(name)
    if len(roles["units"]) != 1 or len(roles["zones"]) != 1:
        return None
    read = layer.gis.layer if layer.gis is not None else ""
    others = [n for n in fields if n not in (roles["units"][0], roles["zones"][0])]
    out = []
    for name, role in ((roles["units"][0], "main"), (roles["zones"][0], ROLE)):
        part = Layer(file=layer.file, role=role)
        if name == read:
            part.table, part.gis = layer.table, layer.gis
            part.problems = [p for p in layer.problems if not p.problem.startswith("GeoPackage 里有")]
        else:
            try:
                part.table, part.problems, part.gis = read_gis_table(
                    layer.file.data, layer.file.name, kind, crs, layer=name
                )
            except ImportFailure as failure:
                part.problems = [Problem("error", failure.message, failure.suggestion, file=layer.file.name)]
        if part.table is not None:
            part.table.grid.sheet = name  # the report and the records' 来源 name the layer
        for problem in part.problems:
            problem.sheet = problem.sheet or name
        out.append(part)
    if others:
        out[0].problems.append(
            Problem(
                "info",
                f"GeoPackage 中其余图层未导入：{'、'.join(others)}",
                "",
                file=layer.file.name,
                sheet=out[0].sheet,
            )
        )
    return out


def arrange(
    layers: list[Layer], kind: str, store: Store | None = None, crs: str | None = None
) -> list[Layer]:
    """The layers with a 调查区 layer recognised: [调查单元, 调查区 (role ``zones_of``)].

    Any other set of layers is returned as it is.
    """
    if kind != "parcels" or not layers or any(p.stops_file for la in layers for p in la.problems):
        return layers
    if len(layers) == 1 and layers[0].is_gis and layers[0].file.name.lower().endswith(".gpkg"):
        split = _split_gpkg(layers[0], kind, crs)
        if split is None:
            return layers
        layers = split
    elif len(layers) == 2 and all(la.table is not None for la in layers):
        roles = [layer_role(la.table.headers) for la in layers]
        if sorted(roles) != ["units", "zones"]:
            return layers
        layers = layers if roles[0] == "units" else layers[::-1]
        layers[0].role, layers[1].role = "main", ROLE
    else:
        return layers
    units, zones = layers
    if units.table is not None:
        _propose(units, kind, store, UNIT_ID)  # a first file's proposal (not a 规划 layer's)
    if zones.table is not None:
        _propose(zones, "zones", store, ZONE_ID)  # DCQBH the id, XZQMC the 区县, MJ the area
        what = f"图层“{zones.sheet}”" if zones.sheet else f"文件“{zones.file.name}”"
        zones.problems.append(
            Problem(
                "info",
                f"{what}是调查区图层（有调查区编号、调查区名称，无调查单元编号）：调查单元按所在调查区编号"
                "逐一核对调查区是否存在、调查单元是否位于调查区内，并据调查区的行政区名称填写区县；"
                "不作为规划图层合并",
                "",
                file=zones.file.name,
                sheet=zones.sheet,
            )
        )
    return layers


# --------------------------------------------------------------------------- check


@dataclasses.dataclass
class _Zones:
    index: dict[str, int]  # DCQBH → position in the layer's data rows
    shapes: np.ndarray  # the 调查区 shapes (WGS84), by that position
    counties: list[str]  # XZQMC by that position ('' when not given)
    codes: list[str]  # XZQDM by that position


def _zones(zones: Layer) -> tuple[_Zones, list[Problem]]:
    table = zones.table
    headers = table.headers
    at = {
        "id": find_column(headers, ZONE_ID),
        "county": find_column(headers, ZONE_COUNTY),
        "code": find_column(headers, ZONE_COUNTY_CODE),
    }
    where = {"file": zones.file.name, "sheet": zones.sheet}
    problems: list[Problem] = []
    index: dict[str, int] = {}
    rows = table.data_rows
    geometry = zones.gis.gdf_wgs84.geometry.to_numpy() if zones.gis is not None else None
    shapes = np.array([geometry[r.index] if geometry is not None else None for r in rows], dtype=object)

    def cell(row, name: str) -> str:
        c = at[name]
        return row.cells[c].strip() if c is not None and c < len(row.cells) else ""

    for i, row in enumerate(rows):
        number = cell(row, "id")
        column = headers[at["id"]]
        if not number:
            problems.append(
                Problem("warning", "调查区编号为空，该调查区无法与调查单元对应", "请补填调查区编号",
                        row=row.number, column=column, **where)
            )  # fmt: skip
        elif number in index:
            first = rows[index[number]].number
            problems.append(
                Problem(
                    "warning",
                    f"调查区编号“{number}”重复（另见第 {first} 个要素），调查单元按第一个核对",
                    "请删除或改正重复的调查区",
                    row=row.number,
                    column=column,
                    value=number,
                    **where,
                )
            )
        else:
            index[number] = i
    counties = [cell(r, "county") for r in rows]
    codes = [cell(r, "code") for r in rows]
    return _Zones(index, shapes, counties, codes), problems


def _unknown_counties(zones: Layer, found: _Zones, context: Context) -> list[Problem]:
    """A 调查区 whose XZQMC is not one of the plan's 区县 (its units keep it: a warning)."""
    if not context.counties:
        return []
    known = set(context.counties)
    column = find_column(zones.table.headers, ZONE_COUNTY)
    rows = zones.table.data_rows
    problems = []
    for i, name in enumerate(found.counties):
        if name and name not in known:
            problems.append(
                Problem(
                    "warning",
                    f"调查区的行政区名称“{name}”不是{context.city or '本规划'}的区县"
                    f"（依据：{context.counties_source}），其调查单元按此填写区县",
                    "请核对行政区名称（XZQMC）",
                    row=rows[i].number,
                    column=zones.table.headers[column],
                    value=name,
                    file=zones.file.name,
                    sheet=zones.sheet,
                )
            )
    return problems


def _county_by_code() -> dict[str, str]:
    from panhuo.geo.boundaries import admin_units

    return {u.code: u.name for u in admin_units() if u.level == "county"}


def _outside_shares(units: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """The share of each unit's area outside its 调查区 (NaN without both shapes), vectorised.

    Both are in WGS84: over a unit's extent a degree's length hardly changes, so the share of
    areas in square degrees is the share in square metres.
    """
    shares = np.full(len(units), np.nan)
    present = ~(shapely.is_missing(units) | shapely.is_missing(zones))
    present[present] &= ~shapely.is_empty(units[present])
    if not present.any():
        return shares
    u, z = units[present], zones[present]
    try:
        inside = shapely.intersection(u, z)
    except shapely.errors.GEOSException:  # a topology the reader's repair left: repaired here
        inside = shapely.intersection(shapely.make_valid(u), shapely.make_valid(z))
    area = shapely.area(u)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares[present] = np.where(area > 0, 1 - shapely.area(inside) / area, np.nan)
    return shares


def check_units(
    analysis: Analysis, context: Context, check: Callable[[Analysis, Context], Checked]
) -> Checked:
    """``check`` of the 调查单元 alone, then each unit checked against its 调查区 (see the module)."""
    from panhuo.importing.gis import area_problems

    zones = zones_layer(analysis)
    units = dataclasses.replace(analysis, layers=[la for la in analysis.layers if la is not zones])
    checked = check(units, context)
    checked.analysis = analysis
    problems = list(checked.problems)
    for problem in zones.problems:
        problem.file = problem.file or zones.file.name
    problems += zones.problems
    main = units.layers[0] if units.layers else None
    if zones.table is None or main is None or main.table is None or checked.frame.empty or checked.fatal:
        checked.problems = sort_problems(problems)
        return checked
    found, problem_rows = _zones(zones)
    problems += problem_rows
    area = zones.mapping.choice("area") if zones.mapping else None
    if zones.gis is not None and area is not None:
        zone_id = find_column(zones.table.headers, ZONE_ID)
        for problem in area_problems(
            zones.gis, area.column, area.unit or "平方米", zones.table.headers[zone_id], zones.file.name
        ):
            problem.sheet = zones.sheet
            problems.append(problem)
    problems += _unknown_counties(zones, found, context)
    frame = checked.frame
    headers = main.table.headers
    zone_column = find_column(headers, UNIT_ZONE)
    number_column = find_column(headers, UNIT_ID)
    data_rows = main.table.data_rows
    base = {"file": main.file.name, "sheet": main.sheet}
    if zone_column is None:  # nothing names a unit's 调查区: said once, not for every unit
        problems.append(
            Problem(
                "warning",
                "调查单元图层没有所在调查区编号（DCQBH）字段，调查单元未按调查区核对",
                "请在调查单元图层中填写所在调查区编号（DCQBH）",
                **base,
            )
        )
        positions: list[int | None] = [None] * len(data_rows)
    else:
        positions = _members(checked, found, data_rows, zone_column, number_column, headers, base, problems)
    if main.gis is not None:
        drawn = main.gis.gdf_wgs84.geometry.to_numpy()
        unit_shapes = np.array([drawn[row.index] for row in data_rows], dtype=object)
        zone_shapes = np.array([found.shapes[p] if p is not None else None for p in positions], dtype=object)
        shares = _outside_shares(unit_shapes, zone_shapes)
        for i in np.flatnonzero(np.nan_to_num(shares) > OUTSIDE_SHARE):
            zone = data_rows[i].cells[zone_column].strip()  # a unit with a 调查区 has this column
            problems.append(
                Problem(
                    "warning",
                    f"调查单元有 {shares[i]:.1%} 的面积位于所在调查区“{zone}”之外",
                    "请核对调查单元的图形或所在调查区编号",
                    row=data_rows[i].number,
                    column="图形",
                    value=zone,
                    **base,
                )
            )
    _fill_counties(frame, positions, found, data_rows, number_column)
    checked.problems = sort_problems(problems)
    return checked


def _members(checked, found: _Zones, data_rows, zone_column, number_column, headers, base, problems) -> list:
    """Each unit's position in the 调查区 layer (None: not found, the unit rejected and listed);
    a unit whose number begins with another 行政区划代码 than its 调查区's XZQDM is listed."""
    positions: list[int | None] = []
    frame = checked.frame
    for i, row in enumerate(data_rows):
        cells = row.cells
        number = cells[zone_column].strip() if zone_column < len(cells) else ""
        at = found.index.get(number) if number else None
        positions.append(at)
        where = {"row": row.number, "value": number, **base}
        if at is not None:
            own = (
                cells[number_column].strip()[:6]
                if number_column is not None and number_column < len(cells)
                else ""
            )
            code = found.codes[at]
            if own.isdigit() and code and own != code:
                problems.append(
                    Problem(
                        "warning",
                        f"调查单元编号前 6 位（{own}）与所在调查区“{number}”的行政区代码（{code}）不一致，"
                        "区县按调查区填写",
                        "请核对调查单元编号或所在调查区编号",
                        column=headers[number_column],
                        **{**where, "value": cells[number_column].strip()},
                    )
                )
            continue
        if not number:
            text, advice = (
                "所在调查区编号为空，无法与调查区图层（DCQTB）对应，该调查单元未导入",
                "请补填所在调查区编号",
            )
        else:
            text = f"所在调查区编号“{number}”在调查区图层（DCQTB）中不存在，该调查单元未导入"
            advice = "请核对所在调查区编号，或在调查区图层中补充该调查区"
        problems.append(Problem("error", text, advice, column=headers[zone_column], **where))
        checked.rejected.add(frame.index[i])
    return positions


def _fill_counties(frame, positions, found: _Zones, data_rows, number_column: int | None) -> None:
    """Each unit's 区县 from its 调查区 (XZQMC, else XZQDM), else from its DCDYBH's first six
    digits, where the file gives none (or only the plan's single 区县 stood in), said in
    ``derived``."""
    if "county" not in frame:
        return
    by_code: dict[str, str] | None = None
    counties = frame["county"].tolist()
    derived = frame["derived"].tolist() if "derived" in frame else [""] * len(frame)
    for i, position in enumerate(positions):
        if counties[i] and not str(derived[i]).startswith(("区县为空", "区县由编号开头")):
            continue  # the file says which 区县
        name, note = "", ""
        if position is not None and found.counties[position]:
            name, note = found.counties[position], DERIVED_FROM_ZONE
        else:
            code = found.codes[position] if position is not None else ""
            template = DERIVED_FROM_ZONE_CODE
            if not code and number_column is not None and number_column < len(data_rows[i].cells):
                code, template = data_rows[i].cells[number_column].strip()[:6], DERIVED_FROM_NUMBER
            if by_code is None:
                by_code = _county_by_code()
            name = by_code.get(code, "")
            note = template.format(code=code) if name else ""
        if name:
            counties[i], derived[i] = name, note
    frame["county"] = counties
    frame["derived"] = derived


def zones_frame(checked: Checked) -> pd.DataFrame | None:
    """The 调查区 as the plan's ``zones`` dataset (FORMAT.md columns, then geometry), with the
    number of 调查单元 imported in each; None when the import has no 调查区 layer.

    Stored with the units, in the same transaction (:func:`stored_zones`).
    """
    from panhuo.importing.check import SOURCE_ROW
    from panhuo.model import COLUMNS

    zones = zones_layer(checked.analysis)
    if zones is None or zones.table is None:
        return None
    found, _ = _zones(zones)
    headers = zones.table.headers
    rows = zones.table.data_rows
    id_at, name_at = find_column(headers, ZONE_ID), find_column(headers, ZONE_NAME)
    area_at = find_column(headers, ZONE_AREA)
    area = zones.mapping.choice("area") if zones.mapping else None
    unit = (area.unit if area is not None else "") or "平方米"
    valid = checked.valid_frame
    counts = valid["zone"].value_counts().to_dict() if "zone" in valid else {}
    by_code = None
    columns: dict[str, list] = {c: [""] * len(rows) for c in COLUMNS["zones"]}
    sheet = f" {zones.sheet}" if zones.sheet else ""
    for i, row in enumerate(rows):
        cells = row.cells
        number = cells[id_at].strip() if id_at is not None else ""
        county, derived = found.counties[i], ""
        if not county and found.codes[i]:
            by_code = by_code if by_code is not None else _county_by_code()
            county = by_code.get(found.codes[i], "")
            derived = f"区县由行政区代码{found.codes[i]}填写" if county else ""
        columns["id"][i] = number
        columns["category"][i] = "调查区"
        columns["name"][i] = cells[name_at] if name_at is not None else ""
        columns["county"][i] = county
        columns["area"][i] = cells[area_at] if area_at is not None else ""
        columns["area_unit"][i] = unit
        columns["parcel_count"][i] = str(counts.get(number, 0)) if number else ""
        columns["derived"][i] = derived
        columns["source"][i] = f"{zones.file.name}{sheet} 第{row.number}个要素"
    frame = pd.DataFrame(columns, dtype=object)
    if zones.gis is not None:
        frame["geometry"] = [
            shapely.to_wkt(g, rounding_precision=-1) if g is not None else "" for g in found.shapes
        ]
        frame["geometry_source"] = [SURVEYED if w else "" for w in frame["geometry"]]
    frame[SOURCE_ROW] = pd.array([r.number for r in rows], dtype="Int64")
    return frame


def stored_zones(checked: Checked) -> dict[str, pd.DataFrame]:
    """``{"zones": the 调查区}`` to store beside a survey's units, {} for any other import."""
    from panhuo.importing.check import SOURCE_ROW

    frame = zones_frame(checked)
    if frame is None or frame.empty:
        return {}
    return {"zones": frame.drop(columns=[SOURCE_ROW]).reset_index(drop=True)}
