"""Coordinate systems of Chinese land data, and the GCJ-02 offset.

Survey data comes in CGCS2000 (EPSG:4490) or one of its Gauss-Krüger projections:

============  ===========  ======================  ==========================================
width         EPSG         false easting           central meridian (CM)
============  ===========  ======================  ==========================================
3° zones      4513-4533    zone·1e6 + 500000       3·zone (zones 25-45 → 75°E-135°E)
3° zones      4534-4554    500000 (no zone)        75°E + 3°·(epsg - 4534)
6° zones      4491-4501    zone·1e6 + 500000       6·zone - 3 (zones 13-23 → 75°E-135°E)
6° zones      4502-4512    500000 (no zone)        75°E + 6°·(epsg - 4502)
============  ===========  ======================  ==========================================

Web maps (Amap, Tencent) use GCJ-02, WGS84 plus a deliberately obscured offset of a few
hundred metres; it has no EPSG code. The public formulas (the ones in ``eviltransform`` and
``coordtransform``, Krasovsky ellipsoid constants) are implemented here with numpy so whole
coordinate arrays convert at once; GCJ-02 → WGS84 is solved by fixed-point iteration to
below 1e-9° (0.1 mm).

Everything the app draws is WGS84 (EPSG:4326), which equals CGCS2000 at map scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer

from panhuo.geo.errors import CrsCandidate

WGS84 = 4326
CGCS2000 = 4490
WEB_MERCATOR = 3857
GCJ02 = "GCJ02"  # pseudo code: no EPSG number exists

# (first EPSG, last EPSG, width in degrees, zone number in easting)
_GK_RANGES = (
    (4513, 4533, 3, True),
    (4534, 4554, 3, False),
    (4491, 4501, 6, True),
    (4502, 4512, 6, False),
)
# China's mainland and islands, generously (the GCJ-02 formulas use the same box)
CHINA_LON = (72.004, 137.8347)
CHINA_LAT = (0.8293, 55.8271)


@dataclass(frozen=True)
class CrsInfo:
    """What a coordinate system is, in the terms Chinese surveyors use."""

    code: str  # "EPSG:4528", or "GCJ02"
    kind: str  # wgs84 | cgcs2000 | gk3 | gk6 | gcj02 | web_mercator | other
    label: str  # Chinese label for people
    central_meridian: float | None = None
    zone: int | None = None  # the zone number, also for the variants without it in the easting
    zone_in_easting: bool = False

    @property
    def epsg(self) -> int | None:
        return int(self.code.split(":")[1]) if self.code.startswith("EPSG:") else None


# --------------------------------------------------------------------------- Gauss-Krüger


def gk_epsg(central_meridian: float, *, width: int = 3, zone_in_easting: bool = True) -> int:
    """EPSG code of the CGCS2000 Gauss-Krüger zone with this central meridian.

    >>> gk_epsg(120), gk_epsg(120, zone_in_easting=False), gk_epsg(117, width=6)
    (4528, 4549, 4498)
    """
    for first, last, w, with_zone in _GK_RANGES:
        if w != width or with_zone != zone_in_easting:
            continue
        index = (central_meridian - 75) / width
        if index != int(index) or not 0 <= index <= last - first:
            break
        return first + int(index)
    raise ValueError(f"没有中央经线为 {central_meridian}°E 的 CGCS2000 {width}度带")


def gk_zone_for_lon(lon: float, width: int = 3) -> tuple[int, float]:
    """(zone number, central meridian) of the Gauss-Krüger zone containing ``lon``.

    3° zones are centred on multiples of 3°, 6° zones span [6n-6, 6n) with CM 6n-3.

    >>> gk_zone_for_lon(120.1), gk_zone_for_lon(120.1, width=6)
    ((40, 120.0), (21, 123.0))
    """
    if width == 3:
        zone = math.floor(lon / 3 + 0.5)
        return zone, 3.0 * zone
    zone = math.floor(lon / 6) + 1
    return zone, 6.0 * zone - 3


def _gk_info(epsg: int) -> CrsInfo | None:
    for first, last, width, with_zone in _GK_RANGES:
        if first <= epsg <= last:
            cm = 75 + width * (epsg - first)
            zone = cm // 3 if width == 3 else (cm + 3) // 6
            how = "东坐标含带号" if with_zone else "东坐标不含带号"
            label = f"CGCS2000 {width}度带 第{zone}带（中央经线 {cm}°E，{how}，EPSG:{epsg}）"
            return CrsInfo(f"EPSG:{epsg}", f"gk{width}", label, float(cm), int(zone), with_zone)
    return None


def describe_crs(crs: object) -> CrsInfo:
    """Describe a CRS (EPSG int, "EPSG:…" / "GCJ02" / WKT string, or pyproj CRS) in Chinese.

    >>> describe_crs(4528).label
    'CGCS2000 3度带 第40带（中央经线 120°E，东坐标含带号，EPSG:4528）'
    """
    if isinstance(crs, str) and crs.replace("-", "").upper() in {"GCJ02", "EPSG:GCJ02"}:
        return CrsInfo(GCJ02, "gcj02", "GCJ-02（高德/腾讯地图坐标，无 EPSG 编号）")
    pcrs = crs if isinstance(crs, CRS) else CRS.from_user_input(crs)
    epsg = pcrs.to_epsg(min_confidence=70)
    if epsg == WGS84:
        return CrsInfo("EPSG:4326", "wgs84", "WGS84 经纬度（EPSG:4326）")
    if epsg == CGCS2000:
        return CrsInfo("EPSG:4490", "cgcs2000", "CGCS2000 经纬度（EPSG:4490）")
    if epsg == WEB_MERCATOR:
        return CrsInfo("EPSG:3857", "web_mercator", "Web 墨卡托（EPSG:3857，网络地图投影）")
    if epsg is not None:
        info = _gk_info(epsg)
        if info:
            return info
        return CrsInfo(f"EPSG:{epsg}", "other", f"{pcrs.name}（EPSG:{epsg}）")
    return CrsInfo(pcrs.to_wkt(), "other", pcrs.name or "未命名坐标系")


def datum_warning(crs: CRS) -> str | None:
    """A Chinese warning for old Chinese datums that PROJ converts only approximately."""
    names = " ".join(filter(None, [crs.name, getattr(crs.datum, "name", "")]))
    if "Xian 1980" in names or "Xian_1980" in names:
        old = "西安80"
    elif "Beijing 1954" in names or "Beijing_1954" in names:
        old = "北京54"
    else:
        return None
    return (
        f"坐标系为{old}（{crs.name}）。没有转换参数（七参数）时，转换到 CGCS2000/WGS84 只能近似，"
        "位置可能偏差数十至上百米；请用 CGCS2000 坐标系的数据重新导出，或先在 GIS 软件中用当地参数转换。"
    )


# --------------------------------------------------------------------------- no CRS: candidates


def _transform_point(epsg: int, x: float, y: float) -> tuple[float, float]:
    transformer = Transformer.from_crs(epsg, WGS84, always_xy=True)
    lon, lat = transformer.transform(x, y)
    return float(lon), float(lat)


def _in_china(lon: float, lat: float) -> bool:
    return CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]


def compact_number(value: float) -> str:
    """A coordinate or measure for a message: grouped digits up to 1e12, else short scientific.

    >>> compact_number(40_391_000.5), compact_number(120.123456789), compact_number(1e308)
    ('40,391,000', '120.123', '1e+308')
    >>> compact_number(float("inf")), compact_number(float("nan"))
    ('无穷大', '非数值')
    """
    if value != value:
        return "非数值"
    if value in (float("inf"), float("-inf")):
        return "无穷大" if value > 0 else "负无穷大"
    if abs(value) >= 1e12:
        return f"{value:.4g}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.6g}"


def describe_bounds(bounds: tuple[float, float, float, float]) -> str:
    """``X 40,391,000 – 40,410,000，Y …``: a layer's bounds as a message shows them."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return f"X {compact_number(minx)} – {compact_number(maxx)}，Y {compact_number(miny)} – {compact_number(maxy)}"


def lonlat_swapped(bounds: tuple[float, float, float, float]) -> bool:
    """True when degrees fit China only with X and Y exchanged (latitude written as X).

    >>> lonlat_swapped((36.1, 112.1, 36.2, 112.2)), lonlat_swapped((112.1, 36.1, 112.2, 36.2))
    (True, False)
    """
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not np.isfinite([minx, miny, maxx, maxy]).all():
        return False
    as_is = _in_china(minx, miny) and _in_china(maxx, maxy)
    return not as_is and _in_china(miny, minx) and _in_china(maxy, maxx)


def swapped_lonlat_message(bounds: tuple[float, float, float, float], filename: str = "") -> str:
    """The Chinese message for a layer whose latitude and longitude are exchanged."""
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    who = f"文件「{filename}」" if filename else "文件"
    return (
        f"{who}的经度和纬度位置颠倒了：X 为 {compact_number(minx)} – {compact_number(maxx)}（像纬度），"
        f"Y 为 {compact_number(miny)} – {compact_number(maxy)}（像经度）；交换后数据在 "
        f"东经{(miny + maxy) / 2:.3f}°、北纬{(minx + maxx) / 2:.3f}° 一带。"
        "请在导出时把 X 设为经度、Y 设为纬度（或在 GIS 软件中交换两轴）后重新导入；补充或选择坐标系不能解决这个问题。"
    )


def crs_candidates(
    bounds: tuple[float, float, float, float], hint_lon: float | None = None
) -> list[CrsCandidate]:
    """Coordinate systems that fit a layer's bounds (minx, miny, maxx, maxy), best first.

    ``hint_lon`` is the longitude where the data should be (the plan's 区县); it picks the
    zone for eastings without a zone number and orders the candidates.

    >>> [c.epsg for c in crs_candidates((40_391_000, 3_412_000, 40_410_000, 3_430_000))][:1]
    [4528]
    """
    minx, miny, maxx, maxy = bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    found: list[tuple[float, CrsCandidate]] = []

    def rank(lon: float, base: float) -> float:
        return base + (abs(lon - hint_lon) if hint_lon is not None else 0.0)

    if minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90:
        if _in_china(cx, cy):
            where = f"中心约 东经{cx:.4f}°、北纬{cy:.4f}°"
            found += [
                (0, CrsCandidate(CGCS2000, "CGCS2000 经纬度（EPSG:4490）", f"坐标是经纬度，{where}")),
                (1, CrsCandidate(WGS84, "WGS84 经纬度（EPSG:4326）", "与 CGCS2000 在地图精度上相同")),
                (
                    2,
                    CrsCandidate(
                        None,
                        "GCJ-02（高德/腾讯地图坐标）",
                        "若图形是在高德、腾讯等网络地图上描绘或拾取的，坐标会偏移数百米，需选此项",
                    ),
                ),
            ]
        return [c for _, c in sorted(found, key=lambda item: item[0])]

    northing_ok = miny >= 150_000 and maxy <= 6_200_000  # 北纬 1.5°-56°
    zone_lo, zone_hi = int(minx // 1_000_000), int(maxx // 1_000_000)
    if northing_ok and zone_lo == zone_hi and (13 <= zone_lo <= 23 or 25 <= zone_lo <= 45):
        width = 6 if zone_lo <= 23 else 3
        cm = 6 * zone_lo - 3 if width == 6 else 3 * zone_lo
        epsg = gk_epsg(cm, width=width, zone_in_easting=True)
        lon, lat = _transform_point(epsg, cx, cy)
        if _in_china(lon, lat):
            reason = (
                f"东坐标以 {zone_lo} 开头（带号），北坐标对应北纬约 {lat:.1f}°；"
                f"按此坐标系，数据中心约在 东经{lon:.3f}°、北纬{lat:.3f}°"
            )
            found.append((rank(lon, 0), CrsCandidate(epsg, _gk_info(epsg).label, reason)))
    if northing_ok and minx >= 150_000 and maxx <= 850_000:
        cms3: list[float] = []
        cms6: list[float] = []
        if hint_lon is not None:
            _, cm3 = gk_zone_for_lon(hint_lon, 3)
            cms3 = [cm3]
            # near a zone edge the neighbouring zone is as likely
            if abs(hint_lon - cm3) > 1.0:
                cms3.append(cm3 + (3 if hint_lon > cm3 else -3))
            cms6 = [gk_zone_for_lon(hint_lon, 6)[1]]
        for width, cms in ((3, cms3), (6, cms6)):
            for cm in cms:
                try:
                    epsg = gk_epsg(cm, width=width, zone_in_easting=False)
                except ValueError:
                    continue
                lon, lat = _transform_point(epsg, cx, cy)
                # a zone that would put the data far from where it should be is no candidate
                if not _in_china(lon, lat) or abs(lon - hint_lon) > 1.5:
                    continue
                reason = (
                    f"东坐标在 150,000–850,000 米之间、没有带号，需按数据所在地的经度确定中央经线；"
                    f"按此坐标系，数据中心约在 东经{lon:.3f}°、北纬{lat:.3f}°"
                )
                base = 0.5 if width == 3 else 1.5
                found.append((rank(lon, base), CrsCandidate(epsg, _gk_info(epsg).label, reason)))
    if minx >= 8_000_000 and maxx <= 15_400_000 and miny >= 90_000 and maxy <= 7_600_000:
        lon, lat = _transform_point(WEB_MERCATOR, cx, cy)
        if _in_china(lon, lat):
            reason = f"坐标也符合网络地图的 Web 墨卡托投影；按此坐标系，数据中心约在 东经{lon:.3f}°、北纬{lat:.3f}°"
            found.append((rank(lon, 3), CrsCandidate(WEB_MERCATOR, describe_crs(WEB_MERCATOR).label, reason)))
    return [c for _, c in sorted(found, key=lambda item: item[0])]


def missing_crs_message(
    bounds: tuple[float, float, float, float],
    *,
    filename: str = "",
    hint_lon: float | None = None,
    why: str = "没有坐标系信息",
    advice: str = "请补上 .prj 文件（从原始 GIS 工程导出时勾选坐标系），或在导入时选择坐标系后重试。",
) -> tuple[str, list[CrsCandidate]]:
    """The Chinese message for a file without a usable CRS, and the candidates it names.

    The message never picks one silently: it names the likely zones and asks for a choice;
    ``advice`` is its last sentence (what to do).
    """
    candidates = crs_candidates(bounds, hint_lon)
    who = f"文件「{filename}」" if filename else "文件"
    head = f"{who}{why}。坐标范围 {describe_bounds(bounds)}。"
    minx, _, maxx, _ = bounds
    if candidates:
        names = "；".join(f"{c.label}：{c.reason}" for c in candidates[:4])
        body = f"可能的坐标系：{names}。"
    elif minx >= 150_000 and maxx <= 850_000:
        body = (
            "东坐标没有带号，是某个 CGCS2000 高斯-克吕格投影带（3度带 EPSG:4534-4554 或 6度带 EPSG:4502-4512），"
            "但只凭坐标无法确定中央经线；请说明数据所在的区县，或直接选择坐标系"
            "（例如湖州一带为 3度带 中央经线 120°E，EPSG:4549）。"
        )
    else:
        body = "坐标既不像经纬度，也不像 CGCS2000 高斯-克吕格投影坐标，请检查文件。"
    return head + body + advice, candidates


# --------------------------------------------------------------------------- GCJ-02

_A = 6378245.0  # Krasovsky semi-major axis, as in the public formulas
_EE = 0.00669342162296594323  # Krasovsky first eccentricity squared


def _gcj_delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The GCJ-02 offset (degrees) at WGS84 positions (public formula, vectorised)."""
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = dlon * 180.0 / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def _inside_gcj_box(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon >= CHINA_LON[0]) & (lon <= CHINA_LON[1]) & (lat >= CHINA_LAT[0]) & (lat <= CHINA_LAT[1])


def wgs84_to_gcj02(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 → GCJ-02 for arrays of longitudes and latitudes (outside China: unchanged).

    >>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.410244, 39.916404)
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _gcj_delta(lon, lat)
    inside = _inside_gcj_box(lon, lat)
    return np.where(inside, lon + dlon, lon), np.where(inside, lat + dlat, lat)


def gcj02_to_wgs84(lon: object, lat: object, tolerance: float = 1e-10) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 → WGS84 by fixed-point iteration (exact to ``tolerance`` degrees).

    The offset changes slowly with position, so w ← w − (gcj(w) − g) converges in 3-4 steps.
    """
    g_lon = np.asarray(lon, dtype=float)
    g_lat = np.asarray(lat, dtype=float)
    w_lon, w_lat = g_lon.copy(), g_lat.copy()
    for _ in range(12):
        c_lon, c_lat = wgs84_to_gcj02(w_lon, w_lat)
        err_lon, err_lat = c_lon - g_lon, c_lat - g_lat
        w_lon = w_lon - err_lon
        w_lat = w_lat - err_lat
        if max(np.max(np.abs(err_lon), initial=0.0), np.max(np.abs(err_lat), initial=0.0)) < tolerance:
            break
    return w_lon, w_lat


def _stack(fn):
    def apply(coords: np.ndarray) -> np.ndarray:
        lon, lat = fn(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return apply


def gcj02_to_wgs84_geometry(geometry: object) -> object:
    """Convert shapely geometries (one or an array) from GCJ-02 to WGS84."""
    return shapely.transform(geometry, _stack(gcj02_to_wgs84))
