"""Example input files built by code: a bureau workbook and a survey-database layer.

They look like the survey data analysts bring from bureaus and survey databases: the workbook has a title
row, a two-row header with merged cells, 区县 merged over their parcels, 小计 rows with SUM
formulas, a 合计 row, 面积（亩） and a note at the end; the layer uses the pinyin field codes
of a provincial survey database, areas in m², in a CGCS2000 Gauss-Krüger zone. The tests use
them, and the page 数据导入 offers them as templates.

>>> data = bureau_workbook()
>>> data[:2]
b'PK'
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

from panhuo.units import parse_number

BUREAU_HEADER = [
    "序号",
    "地块名称",
    "所在区县",
    "乡镇（街道）",
    "类型",
    "面积（亩）",
    "现状",
    None,
    "规划",
    None,
    "实施阶段",
    "权利人",
    "备注",
]
BUREAU_SUBHEADER = [None, None, None, None, None, None, "用途", "容积率", "用途", "容积率", None, None, None]
BUREAU_FIELDS = [
    "id",
    "name",
    "county",
    "town",
    "type",
    "area",
    "current_use",
    "far_before",
    "planned_use",
    "far_after",
    "stage",
    "right_holder",
    "note",
]

# (id, name, county, town, type, area 亩, current use, FAR, planned use, FAR, stage, right holder, note)
BUREAU_ROWS: list[list[object]] = [
    [
        1,
        "长治钛白粉厂",
        "上党区",
        "韩店街道",
        "旧厂矿",
        37.2,
        "工业用地",
        0.6,
        "商业用地",
        2.0,
        "计划实施",
        "长治市某化工有限公司",
        "",
    ],
    [
        2,
        "东关村旧村",
        "上党区",
        "韩店街道",
        "旧村庄",
        52.5,
        "农村宅基地",
        0.8,
        "城镇住宅用地",
        1.8,
        "储备",
        "东关村村民委员会",
        "",
    ],
    [
        3,
        "南街旧城片",
        "上党区",
        "荫城镇",
        "旧城镇",
        18.75,
        "城镇住宅用地",
        1.1,
        "城镇住宅用地",
        2.2,
        "正在实施",
        "",
        "",
    ],
    [
        4,
        "长治机床厂老厂区",
        "潞州区",
        "英雄南路街道",
        "旧厂矿",
        64.8,
        "工业用地",
        0.7,
        "商业用地",
        2.5,
        "正在实施",
        "长治机床有限公司",
        "含两宗",
    ],
    [
        5,
        "太行西街仓储",
        "潞州区",
        "太行西街街道",
        "旧厂矿",
        21.3,
        "物流仓储用地",
        0.5,
        "商业用地",
        1.8,
        "已完成",
        "",
        "",
    ],
]


def bureau_workbook(
    rows: list[list[object]] | None = None,
    *,
    subtotal_override: dict[str, object] | None = None,
    total_override: object | None = None,
    sheet: str = "附表1",
    extra_sheet: bool = True,
) -> bytes:
    """A bureau workbook (XLSX bytes) with a two-row merged header and 小计/合计 rows.

    ``rows`` follow :data:`BUREAU_ROWS` (any cell may be text such as ``"约300"``); consecutive
    rows of one 区县 get a 小计 row whose value is a SUM formula with its cached result, unless
    ``subtotal_override`` gives the printed value (to make a total disagree).
    """
    import xlsxwriter

    rows = BUREAU_ROWS if rows is None else rows
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    centre = wb.add_format({"align": "center", "valign": "vcenter", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    two = wb.add_format({"num_format": "0.00", "border": 1})
    one = wb.add_format({"num_format": "0.0", "border": 1})
    plain = wb.add_format({"border": 1})
    width = len(BUREAU_HEADER)
    ws.merge_range(0, 0, 0, width - 1, "附表1  长治市低效用地再开发地块清单", title)
    ws.write(1, 0, "填报单位：长治市自然资源局")
    ws.write(1, width - 2, "单位：亩")
    for c, (top, bottom) in enumerate(zip(BUREAU_HEADER, BUREAU_SUBHEADER, strict=True)):
        if top is None:
            continue
        if bottom is None:  # one header cell over both rows
            ws.merge_range(2, c, 3, c, top, centre)
        else:  # a group over two columns
            ws.merge_range(2, c, 2, c + 1, top, centre)
            ws.write(3, c, bottom, centre)
            ws.write(3, c + 1, BUREAU_SUBHEADER[c + 1], centre)
    r = 4
    groups: list[tuple[str, list[int]]] = []
    for row in rows:
        county = str(row[2])
        if not groups or groups[-1][0] != county:
            groups.append((county, []))
        groups[-1][1].append(len(groups[-1][1]))
    index = 0
    total_cells, total_value = [], Decimal(0)
    for county, members in groups:
        first = r
        values = []
        for _ in members:
            row = rows[index]
            index += 1
            for c, value in enumerate(row):
                fmt = two if c == 5 else one if c in (7, 9) else plain
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    ws.write_number(r, c, value, fmt)
                elif value is None or value == "":
                    ws.write_blank(r, c, None, plain)
                else:
                    ws.write_string(r, c, str(value), plain)
            number = parse_number(str(row[5])) if row[5] not in (None, "") else None
            values.append(number or Decimal(0))
            r += 1
        if len(members) > 1:
            ws.merge_range(first, 2, r, 2, county, centre)  # the 区县 merged over its rows and 小计
        else:
            ws.write(r, 2, county, plain)
        ws.write(r, 1, "小计", plain)
        printed = (subtotal_override or {}).get(county)
        cached = sum(values, Decimal(0))
        if printed is None:
            ws.write_formula(r, 5, f"=SUM(F{first + 1}:F{r})", two, float(cached))
        else:
            ws.write(r, 5, printed, two)
        total_cells.append(f"F{r + 1}")
        total_value += cached
        r += 1
    ws.merge_range(r, 0, r, 4, "合计", centre)
    if total_override is None:
        ws.write_formula(r, 5, "=" + "+".join(total_cells), two, float(total_value))
    else:
        ws.write(r, 5, total_override, two)
    ws.write(r + 1, 0, "注：面积以实测为准；权利人信息不对外公开。")
    if extra_sheet:
        notes = wb.add_worksheet("填表说明")
        notes.write(0, 0, "本表由各区县自然资源局填报，每两个月更新一次。")
    wb.close()
    return buffer.getvalue()


# --- survey layer -------------------------------------------------------------------------------

SURVEY_FIELDS = ["DCDYBH", "XZMC", "MJ", "GHYT", "GZMS", "GZJZ", "CQR", "RJL", "JZMD", "DJGDZCTZ", "DJRKSJ"]
# (DCDYBH, XZMC, MJ m², GHYT, GZMS, GZJZ, CQR, RJL, JZMD %, DJGDZCTZ 万元/亩, DJRKSJ 万元/亩)
SURVEY_ROWS: list[list[object]] = [
    [
        "140404001",
        "韩店街道",
        24800.0,
        "商业用地",
        "政府收储",
        "计划实施",
        "长治市某化工有限公司",
        0.6,
        35.0,
        120.0,
        8.5,
    ],
    [
        "140404002",
        "韩店街道",
        35000.0,
        "城镇住宅用地",
        "原农村集体经济组织改造",
        "储备",
        "东关村村民委员会",
        0.8,
        42.0,
        60.0,
        2.1,
    ],
    ["140404003", "荫城镇", 12500.0, "城镇住宅用地", "市场主体改造", "正在实施", "", 1.1, 38.0, 80.0, 3.0],
    [
        "140404004",
        "西火镇",
        8600.0,
        "工业用地",
        "原土地使用权人自主开发",
        "已完成",
        "某机械厂",
        0.5,
        30.0,
        150.0,
        10.2,
    ],
]
SURVEY_CENTRE = (113.05, 36.05)  # 上党区, lon/lat
SURVEY_EPSG = 4526  # CGCS2000 / 3-degree Gauss-Kruger zone 38 (zone number in the easting)


def survey_layer(
    rows: list[list[object]] | None = None, *, epsg: int = SURVEY_EPSG, fields: list[str] | None = None
):
    """A GeoDataFrame like a provincial survey database export: square parcels of area MJ."""
    import geopandas as gpd
    from pyproj import Transformer
    from shapely.geometry import box

    rows = SURVEY_ROWS if rows is None else rows
    fields = fields or SURVEY_FIELDS
    x0, y0 = Transformer.from_crs(4326, epsg, always_xy=True).transform(*SURVEY_CENTRE)
    geoms = []
    for i, row in enumerate(rows):
        area = row[fields.index("MJ")] if "MJ" in fields else 10000.0
        side = float(area) ** 0.5 if isinstance(area, (int, float)) and area > 0 else 50.0
        x, y = x0 + (i % 3) * 400, y0 + (i // 3) * 400
        geoms.append(box(x, y, x + side, y + side))
    columns = {name: [row[j] for row in rows] for j, name in enumerate(fields)}
    return gpd.GeoDataFrame(columns, geometry=geoms, crs=f"EPSG:{epsg}")


def planned_layer() -> object:
    """The 规划 layer of the same parcels: id, planned use, planned FAR and density."""
    rows = [
        ["140404001", "商业用地", 2.0, 40.0],
        ["140404002", "城镇住宅用地", 1.8, 30.0],
        ["140404003", "城镇住宅用地", 2.2, 32.0],
        ["140404004", "工业用地", 1.2, 45.0],
    ]
    return survey_layer(rows, fields=["DCDYBH", "GHYT", "RJL", "JZMD"])


def layer_bytes(gdf, driver: str = "GPKG") -> bytes:
    """A layer as file bytes: ``GPKG``, ``GeoJSON`` or ``ESRI Shapefile`` (zipped)."""
    with tempfile.TemporaryDirectory() as folder:
        if driver == "ESRI Shapefile":
            path = Path(folder) / "dcdy.shp"
            gdf.to_file(path, driver=driver, encoding="UTF-8")
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for part in sorted(Path(folder).glob("dcdy.*")):
                    archive.write(part, part.name)
            return buffer.getvalue()
        path = Path(folder) / ("layer.gpkg" if driver == "GPKG" else "layer.geojson")
        gdf.to_file(path, driver=driver)
        return path.read_bytes()
