"""模拟 data of Zhejiang's annual 低效用地 survey database update, made by code for the tests.

The provincial delivery has a 调查区 layer (DCQTB: BSM, YSDM, DCQBH, DCQMC, XZQDM, XZQMC, MJ) and
a 调查单元 layer (DCDYTB, 表1-2: 39 fields), both in CGCS2000 3° Gauss-Krüger zone 40
(EPSG:4528, eastings with the 40 prefix), areas in m². :func:`make_survey` draws them for a few
湖州 区县 around each 区县 seat; every name a user could see says 模拟, and the private fields
(产权人, 土地证编号, 现状土地使用人) hold obviously fake values (某某公司, 张某).

>>> survey = make_survey(zones_per_county=1, units_per_zone=2, counties=["330502"])
>>> len(survey.zones), len(survey.units), survey.units["DCDYBH"].str[:6].unique().tolist()
(1, 2, ['330502'])

Fault knobs (each picks distinct units, from ``seed``; :attr:`Survey.faults` says which):
``unknown_zone`` units name a DCQBH the DCQTB layer lacks; ``outside`` units are moved so that
a third of their area lies outside their 调查区; ``missing`` units lack ``missing_field``
(MJ by default: a required field).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import tempfile
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import Transformer

EPSG = 4528  # CGCS2000 / 3-degree Gauss-Kruger zone 40 (x with the 40 prefix)

# 区县 of 湖州市: 行政区划代码, name, approximate seat (lon, lat), towns (乡镇/街道)
COUNTIES = {
    "330502": ("吴兴区", (120.09, 30.87), ["月河街道", "织里镇", "八里店镇", "妙西镇"]),
    "330503": ("南浔区", (120.42, 30.87), ["南浔镇", "练市镇", "双林镇", "菱湖镇"]),
    "330521": ("德清县", (119.97, 30.54), ["武康街道", "新市镇", "乾元镇", "雷甸镇"]),
    "330522": ("长兴县", (119.91, 31.02), ["雉城街道", "泗安镇", "和平镇", "李家巷镇"]),
    "330523": ("安吉县", (119.68, 30.64), ["递铺街道", "孝丰镇", "天子湖镇", "梅溪镇"]),
}

ZONE_FIELDS = ["BSM", "YSDM", "DCQBH", "DCQMC", "XZQDM", "XZQMC", "MJ"]
# 表1-2, in order: code → Chinese name
UNIT_FIELDS = {
    "BSM": "标识码",
    "YSDM": "要素代码",
    "DCDYBH": "调查单元编号",
    "XZMC": "所在镇（街道）",
    "DCQBH": "所在调查区编号",
    "ZDBH": "包含宗地编号",
    "MJ": "面积",
    "SYZK": "使用状况",
    "QZLSYLYDMJ": "历史遗留用地面积",
    "SFCZC": "是否纳入城中村改造项目",
    "GZMS": "拟改造模式",
    "GZJZ": "工作进展",
    "GHYT": "规划用途",
    "SFDX": "是否低效",
    "SFSD": "是否三地",
    "SFCHTD": "是否拆后土地",
    "CQR": "产权人",
    "BDCQZ": "土地证编号",
    "DJSJ": "土地登记时间",
    "DJMJ": "登记面积",
    "SYQLX": "使用权类型",
    "DJYT": "登记用途",
    "XZTDSYR": "现状土地使用人",
    "PZWH": "批准文号",
    "PZSJ": "批准时间",
    "PZMJ": "批准面积",
    "PZYT": "批准用途",
    "YDSJ": "用地发生时间",
    "CFWH": "处罚文号",
    "XZDL": "现状地类",
    "QSXZ": "权属性质",
    "XZYT": "现状用途",
    "CYLX": "产业类型",
    "RJL": "容积率",
    "JZMD": "建筑密度",
    "DJGDZCTZ": "地均固定资产投资",
    "DJRKSJ": "地均入库税金",
    "HJZK": "环境状况",
    "JCSSPTSP": "基础设施配套",
}
PRIVATE_FIELDS = ("CQR", "BDCQZ", "XZTDSYR")
YSDM_ZONE, YSDM_UNIT = "2099100100", "2099100200"  # 模拟 要素代码

_USES = [  # (现状地类 三调, 现状用途, 规划用途, 产业类型)
    ("0601 工业用地", "工业用地", "工业用地", "纺织业"),
    ("0601 工业用地", "工业用地", "工业用地", "金属制品业"),
    ("0601 工业用地", "工业用地", "商业用地", "木材加工和木、竹、藤、棕、草制品业"),
    ("0508 物流仓储用地", "物流仓储用地", "物流仓储用地", "仓储业"),
    ("05H1 商业服务业设施用地", "商业用地", "城镇住宅用地", "批发和零售业"),
]
_MODES = ["政府收储", "企业自主改造", "合作改造", "产业升级改造"]
_STAGES = ["储备", "计划实施", "正在实施", "已完成"]
_PEOPLE = "张王李赵刘陈杨黄周吴"


@dataclass
class Fault:
    kind: str  # unknown_zone | outside | missing
    row: int  # feature number in the DCDYTB layer (from 1)
    unit: str  # its DCDYBH as generated (before a missing field was blanked)
    zone: str  # the DCQBH it was given (for unknown_zone: the one that does not exist)


@dataclass
class Survey:
    """Both layers (EPSG:4528) and what a test expects of them."""

    zones: gpd.GeoDataFrame
    units: gpd.GeoDataFrame
    faults: list[Fault] = field(default_factory=list)

    def county_of_units(self) -> pd.Series:
        """Each unit's 区县 name by its number's 6-digit 行政区划代码."""
        codes = self.units["DCDYBH"].fillna("").astype(str).str[:6]
        return codes.map(lambda code: COUNTIES[code][0] if code in COUNTIES else "")

    def faulty_rows(self, kind: str | None = None) -> list[int]:
        return sorted(f.row for f in self.faults if kind is None or f.kind == kind)


def _quad(rng: random.Random, x: float, y: float, w: float, h: float) -> shapely.Polygon:
    """A four-sided parcel in the box (x, y, w, h): corners pulled in by up to 8%."""

    def j(size: float) -> float:
        return rng.uniform(0, 0.08) * size

    return shapely.Polygon(
        [
            (x + j(w), y + j(h)),
            (x + w - j(w), y + j(h)),
            (x + w - j(w), y + h - j(h)),
            (x + j(w), y + h - j(h)),
        ]
    )


def _m2(geometry) -> float:
    return round(float(shapely.area(geometry)), 2)


def make_survey(
    *,
    zones_per_county: int = 2,
    units_per_zone: int = 4,
    counties: list[str] | None = None,
    seed: int = 13,
    unknown_zone: int = 0,
    outside: int = 0,
    missing: int = 0,
    missing_field: str = "MJ",
) -> Survey:
    """The two layers of a 模拟 survey of ``counties`` (codes; all five by default)."""
    rng = random.Random(seed)
    codes = counties or list(COUNTIES)
    to_plane = Transformer.from_crs(4326, EPSG, always_xy=True)
    zone_rows, zone_shapes, unit_rows, unit_shapes = [], [], [], []
    bsm = 1
    for code in codes:
        county, (lon, lat), towns = COUNTIES[code]
        x0, y0 = to_plane.transform(lon, lat)
        for z in range(zones_per_county):
            town = towns[z % len(towns)]
            # 调查区 side by side east of the seat, 1.2 km apart; units in a grid inside
            cols = max(1, int(units_per_zone**0.5 + 0.999))
            rows_n = (units_per_zone + cols - 1) // cols
            cell_w, cell_h = 160.0 + rng.uniform(0, 60), 120.0 + rng.uniform(0, 50)
            zx, zy = x0 + 1500 + z * 1200 + rng.uniform(-100, 100), y0 - 400 + rng.uniform(-100, 100)
            zone = shapely.box(zx, zy, zx + cols * cell_w + 20, zy + rows_n * cell_h + 20)
            dcqbh = f"{code}{z + 1:03d}"
            zone_rows.append(
                {
                    "BSM": bsm,
                    "YSDM": YSDM_ZONE,
                    "DCQBH": dcqbh,
                    "DCQMC": f"{county}{town}低效用地调查区{z + 1}（模拟）",
                    "XZQDM": code,
                    "XZQMC": county,
                    "MJ": _m2(zone),
                }
            )
            zone_shapes.append(zone)
            bsm += 1
            for u in range(units_per_zone):
                cx, cy = zx + 10 + (u % cols) * cell_w, zy + 10 + (u // cols) * cell_h
                shape = _quad(rng, cx, cy, cell_w - 8, cell_h - 8)
                unit_rows.append(_unit(rng, bsm, code, county, town, dcqbh, u, shape))
                unit_shapes.append(shape)
                bsm += 1
    units = gpd.GeoDataFrame(unit_rows, geometry=unit_shapes, crs=f"EPSG:{EPSG}")
    zones = gpd.GeoDataFrame(zone_rows, geometry=zone_shapes, crs=f"EPSG:{EPSG}")
    survey = Survey(zones=zones[[*ZONE_FIELDS, "geometry"]], units=units[[*UNIT_FIELDS, "geometry"]])
    _faults(survey, rng, unknown_zone, outside, missing, missing_field)
    return survey


def _unit(rng, bsm, code, county, town, dcqbh, u, shape) -> dict:
    area = _m2(shape)
    xzdl, xzyt, ghyt, cylx = rng.choice(_USES)
    registered = dt.date(rng.randint(1998, 2016), rng.randint(1, 12), rng.randint(1, 28))
    approved = registered - dt.timedelta(days=rng.randint(60, 400))
    town_no = rng.randint(1, 12)
    person = f"{rng.choice(_PEOPLE)}某"
    return {
        "BSM": bsm,
        "YSDM": YSDM_UNIT,
        "DCDYBH": f"{dcqbh}{u + 1:04d}",
        "XZMC": town,
        "DCQBH": dcqbh,
        "ZDBH": f"{code}{town_no:03d}{rng.randint(1, 30):03d}GB{rng.randint(1, 99999):05d}",
        "MJ": area,
        "SYZK": rng.choice(["在用", "部分闲置", "闲置", "停产"]),
        "QZLSYLYDMJ": round(area * rng.choice([0, 0, 0.1, 0.25]), 2),
        "SFCZC": rng.choice(["是", "否", "否"]),
        "GZMS": rng.choice(_MODES),
        "GZJZ": rng.choice(_STAGES),
        "GHYT": ghyt,
        "SFDX": "是",
        "SFSD": rng.choice(["是", "否"]),
        "SFCHTD": rng.choice(["是", "否", "否"]),
        "CQR": rng.choice([f"湖州某某{cylx[:2]}有限公司（模拟）", f"{person}（模拟）"]),
        "BDCQZ": f"浙（{registered.year}）{county}不动产权第{rng.randint(1, 99999):07d}号（模拟）",
        "DJSJ": registered,
        "DJMJ": round(area * rng.uniform(0.97, 1.03), 2),
        "SYQLX": rng.choice(["G", "G", "H"]),
        "DJYT": xzyt,
        "XZTDSYR": f"{rng.choice(_PEOPLE)}某（模拟）",
        "PZWH": f"湖土资〔{approved.year}〕{rng.randint(1, 300)}号（模拟）",
        "PZSJ": approved,
        "PZMJ": round(area * rng.uniform(0.95, 1.05), 2),
        "PZYT": xzyt,
        "YDSJ": str(approved.year),
        "CFWH": rng.choice(
            ["无", "无", f"湖自然资罚〔{registered.year + 3}〕{rng.randint(1, 90)}号（模拟）"]
        ),
        "XZDL": xzdl,
        "QSXZ": rng.choice(["国有", "国有", "集体"]),
        "XZYT": xzyt,
        "CYLX": cylx,
        "RJL": round(rng.uniform(0.3, 1.1), 2),
        "JZMD": round(rng.uniform(18, 55), 1),
        "DJGDZCTZ": round(rng.uniform(40, 260), 1),
        "DJRKSJ": round(rng.uniform(2, 30), 1),
        "HJZK": rng.choice(["良好", "一般", "较差"]),
        "JCSSPTSP": rng.choice(["完善", "基本完善", "不完善"]),
    }


def _faults(survey: Survey, rng, unknown_zone: int, outside: int, missing: int, missing_field: str) -> None:
    units = survey.units
    picked = rng.sample(range(len(units)), unknown_zone + outside + missing)
    kinds = ["unknown_zone"] * unknown_zone + ["outside"] * outside + ["missing"] * missing
    for i, kind in zip(picked, kinds, strict=True):
        unit, zone = str(units.at[i, "DCDYBH"]), str(units.at[i, "DCQBH"])
        if kind == "unknown_zone":
            zone = f"{zone[:6]}9{int(zone[6:]):02d}"  # a 调查区 number the DCQTB layer lacks
            units.at[i, "DCQBH"] = zone
        elif kind == "outside":  # a third of its width beyond its 调查区's western edge
            shape = units.geometry.iloc[i]
            bounds = survey.zones.geometry[survey.zones["DCQBH"] == zone].iloc[0].bounds
            minx, _, maxx, _ = shape.bounds
            moved = shapely.affinity.translate(shape, bounds[0] - minx - (maxx - minx) / 3)
            units.loc[units.index[i], "geometry"] = moved
        else:
            units.at[i, missing_field] = None
        survey.faults.append(Fault(kind, i + 1, unit, zone))


def expected_m2(frame: pd.DataFrame, column: str = "MJ") -> Decimal:
    """The exact sum of an area column as the file writes it (2 decimals)."""
    return sum((Decimal(str(v)) for v in frame[column] if v is not None and v == v), Decimal(0))


# --------------------------------------------------------------------------- files


def gpkg_bytes(survey: Survey, order: tuple[str, str] = ("DCQTB", "DCDYTB")) -> bytes:
    """One GeoPackage with the two layers (DCQTB first, as the province delivers it)."""
    layers = {"DCQTB": survey.zones, "DCDYTB": survey.units}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.gpkg"
        for name in order:
            layers[name].to_file(path, layer=name, driver="GPKG")
        return path.read_bytes()


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layer.geojson"
        frame.to_file(path, driver="GeoJSON")
        return path.read_bytes()


def shapefile_zip(frame: gpd.GeoDataFrame, stem: str) -> bytes:
    """The layer as a zipped Shapefile with .prj and a .cpg saying UTF-8."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}.shp"
        frame.to_file(path, driver="ESRI Shapefile", encoding="UTF-8")
        path.with_suffix(".cpg").write_text("UTF-8", encoding="ascii")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for part in sorted(Path(folder).glob(f"{stem}.*")):
                archive.write(part, part.name)
        return buffer.getvalue()


GPKG_NAME = "湖州模拟低效用地调查.gpkg"


def pair_files(survey: Survey, fmt: str = "gpkg") -> list[tuple[str, bytes]]:
    """(name, bytes) of the files a user uploads: ``gpkg`` (one file, two layers), ``geojson``
    or ``shp`` (two files: the 调查单元 first; :func:`make_survey` tests both orders)."""
    if fmt == "gpkg":
        return [(GPKG_NAME, gpkg_bytes(survey))]
    if fmt == "geojson":
        return [
            ("湖州模拟_调查单元.geojson", geojson_bytes(survey.units)),
            ("湖州模拟_调查区.geojson", geojson_bytes(survey.zones)),
        ]
    if fmt == "shp":
        return [
            ("湖州模拟_DCDYTB.zip", shapefile_zip(survey.units, "DCDYTB")),
            ("湖州模拟_DCQTB.zip", shapefile_zip(survey.zones, "DCQTB")),
        ]
    raise ValueError(fmt)
