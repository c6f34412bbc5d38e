"""A city's 低效用地 database as its GIS server exports it (模拟 data, built by code).

Two GeoJSON layers of the same parcels in WGS84, as a GeoServer WFS ``outputFormat=json`` writes
them: a 现状 layer and a 规划 layer, each with the server's feature ids (``<layer>.<n>``, numbered
per layer, so they differ between the layers for the same parcel) and an ``OBJECTID`` of its own,
Chinese field names, and the headers that misled the first release:

- ``行政区名称`` holds the 街道/镇 (a header the import knew as 区县), ``县名称`` the 区县;
- ``地块编号`` is the parcel's own number, present in both layers (the 规划 layer in another order);
- ``再开发时序`` holds 2024年 … 2026年以后; ``大类名称``/``大类代码``/``小类名称`` the kind of land;
- ``片区编号`` and ``开发潜力``; planned 容积率 and 建筑密度 given as ranges (``≤1.0,＞0``).

>>> layers = city_export(12, seed=1)
>>> [len(json.loads(b)["features"]) for b in layers.values()]
[12, 12]
"""

from __future__ import annotations

import json
import math
import random

from pyproj import Geod
from shapely.geometry import Polygon, mapping

# 湖州市: 区县, a corner whose 0.07° × 0.03° lies inside it (offline boundary data), its 街道/镇
CODES = {"吴兴区": "330502", "南浔区": "330503", "德清县": "330521", "长兴县": "330522", "安吉县": "330523"}
COUNTIES = {
    "吴兴区": ((119.881, 30.674), ["月河街道", "朝阳街道", "织里镇", "八里店镇"]),
    "南浔区": ((120.088, 30.719), ["南浔镇", "练市镇", "双林镇"]),
    "德清县": ((119.777, 30.52), ["武康街道", "新市镇", "乾元镇"]),
    "长兴县": ((119.561, 30.875), ["雉城街道", "太湖街道", "和平镇"]),
    "安吉县": ((119.252, 30.536), ["递铺街道", "孝丰镇", "天子湖镇"]),
}
KINDS = [  # 大类代码, 大类名称, 小类名称, 现状用途, 规划用途
    ("01", "低效工业用地", "容积率偏低工业用地", "工业用地", "工业用地"),
    ("01", "低效工业用地", "闲置工业用地", "工业用地", "商业服务业用地"),
    ("02", "低效城镇用地", "老旧小区", "城镇住宅用地", "城镇住宅用地"),
    ("03", "低效村庄用地", "城中村", "农村宅基地", "城镇住宅用地"),
]
PHASES = ["2024年", "2025年", "2026年", "2026年以后"]
FAR_RANGES = ["≤1.0,＞0", "1.0-2.0", "≤2.5", "2.0"]
DENSITY = ["≤40%", "30%-45%", "≤35%", "40%"]
MODES = ["政府收储", "自主更新", "联合改造"]
_GEOD = Geod(ellps="GRS80")  # CGCS2000 uses GRS80 to within 0.1 mm


def _square(lon: float, lat: float, side_m: float) -> Polygon:
    dlat = side_m / 111_320
    dlon = side_m / (111_320 * math.cos(math.radians(lat)))
    return Polygon([(lon, lat), (lon + dlon, lat), (lon + dlon, lat + dlat), (lon, lat + dlat)])


def parcels(n: int, seed: int = 0) -> list[dict]:
    """``n`` parcels spread over the five 区县, each a square of 60-250 m, none overlapping."""
    rng = random.Random(seed)
    out = []
    names = list(COUNTIES)
    for k in range(n):
        county = names[k % len(names)]
        (lon, lat), towns = COUNTIES[county]
        slot = k // len(names)
        row, col = divmod(slot, 20)  # within a few km of the seat: inside the 区县
        shape = _square(lon + col * 0.0028, lat + row * 0.0028, rng.uniform(60, 250))
        area_m2 = abs(_GEOD.geometry_area_perimeter(shape)[0])
        code, kind, sub, now, planned = KINDS[rng.randrange(len(KINDS))]
        town = towns[slot % len(towns)]
        out.append(
            {
                "地块编号": f"DK{CODES[county]}{k + 1:05d}",
                "地块名称": f"{town}{sub}{k + 1}号地块",
                "县名称": county,
                "行政区名称": town,
                "大类代码": code,
                "大类名称": kind,
                "小类名称": sub,
                "现状用途": now,
                "规划用途": planned,
                "面积": f"{area_m2:.2f}",
                "权利人": f"湖州某某{k + 1}号实业有限公司（模拟）",
                "再开发时序": PHASES[rng.randrange(len(PHASES))],
                "开发潜力": rng.choice(["高", "中", "低"]),
                "片区编号": f"PQ{names.index(county) + 1:02d}{slot % 3 + 1:02d}",
                "规划容积率": FAR_RANGES[rng.randrange(len(FAR_RANGES))],
                "规划建筑密度": DENSITY[rng.randrange(len(DENSITY))],
                "拟改造模式": rng.choice(MODES),
                "_shape": shape,
                "_area_m2": area_m2,
            }
        )
    return out


_NOW = ["OBJECTID", "地块编号", "地块名称", "县名称", "行政区名称", "大类代码", "大类名称", "小类名称",
        "现状用途", "面积", "权利人"]  # fmt: skip
_PLANNED = ["OBJECTID", "地块编号", "规划用途", "再开发时序", "片区编号", "开发潜力", "规划容积率",
            "规划建筑密度", "拟改造模式"]  # fmt: skip


def _layer(name: str, rows: list[dict], fields: list[str]) -> bytes:
    features = []
    for n, row in enumerate(rows, start=1):
        shape = row["_shape"]
        props = {f: (n if f == "OBJECTID" else row[f]) for f in fields}
        props["Shape_Area"] = round(row["_area_m2"], 4)  # m², as the server computes it
        props["Shape_Leng"] = round(abs(_GEOD.geometry_area_perimeter(shape)[1]), 4)
        features.append(
            {"type": "Feature", "id": f"{name}.{n}", "geometry": mapping(shape), "properties": props}
        )
    collection = {
        "type": "FeatureCollection",
        "features": features,
        "totalFeatures": len(features),
        "numberReturned": len(features),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}},
    }
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def city_export(n: int = 2700, seed: int = 0, *, planned_ids: str = "same") -> dict[str, bytes]:
    """{file name: GeoJSON bytes} of the 现状 and 规划 layers of ``n`` parcels.

    ``planned_ids``: ``same`` (the 规划 layer's 地块编号 are the 现状 layer's, in another order),
    ``renumbered`` (the 规划 layer numbers its parcels otherwise: a join that cannot work).
    """
    rows = parcels(n, seed)
    planned = list(rows)
    random.Random(seed + 1).shuffle(planned)
    if planned_ids == "renumbered":
        planned = [{**row, "地块编号": f"GH{i + 1:05d}"} for i, row in enumerate(planned)]
    return {
        "低效用地现状.geojson": _layer("dxyd_xz", rows, _NOW),
        "低效用地规划.geojson": _layer("dxyd_gh", planned, _PLANNED),
    }
