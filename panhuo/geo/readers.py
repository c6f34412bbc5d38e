"""Read a GIS layer a user uploads: GeoPackage, zipped Shapefile or GeoJSON.

:func:`read_layer` returns the features in WGS84 with the source CRS named in Chinese and a
list of Chinese problem messages (repairs made, encoding guessed, old datum). Input that
cannot be used as it is raises :class:`~panhuo.geo.errors.GeoReadError` with a message a
person can act on — never a bare traceback:

- a zip without a ``.shp``, or a Shapefile without ``.shx`` / ``.dbf``;
- no CRS (no ``.prj``), or a CRS the coordinates contradict: :class:`MissingCRSError`, whose
  message names the likely zones from the coordinate ranges and whose ``candidates`` a form
  can offer; pass the chosen one back as ``crs=`` (``"EPSG:4528"``, or ``"GCJ02"``);
- an empty layer, a file that is not what its name says;
- coordinates with latitude and longitude swapped (they fit China only with the axes
  exchanged), said as such rather than as a missing CRS;
- a ``.prj`` that GDAL cannot parse, said as such rather than as a missing one;
- a zip member that is password-protected or compressed with a method Python cannot inflate;
- more vertices than :data:`MAX_FEATURE_VERTICES` in one feature or :data:`MAX_LAYER_VERTICES`
  in the layer, or an invalid geometry too tangled to repair within bounds
  (:data:`MAX_REPAIR_VERTICES`, :data:`MAX_REPAIR_CROSSINGS`, :data:`MAX_REPAIR_SECONDS`):
  refused before any repair, so one hostile polygon cannot exhaust memory in GEOS.

Messages are Chinese and never show a server path: GDAL's and GEOS's English text is
translated (:func:`_gdal_reason`) and the temporary folder an upload is read from is never named.

Attribute encoding of a Shapefile comes from its ``.cpg``; without one, from the DBF's
language-driver byte, else from the bytes themselves (UTF-8 if they decode as UTF-8, GBK if
they decode as GBK), and the guess is reported.

>>> import geopandas as gpd, shapely, io
>>> frame = gpd.GeoDataFrame({"编号": ["A1"]}, geometry=[shapely.box(40_500_000, 3_400_000, 40_500_100, 3_400_100)], crs=4528)
>>> buffer = io.BytesIO(); frame.to_file(buffer, driver="GPKG"); result = read_layer(buffer.getvalue(), "a.gpkg")
>>> result.crs_code, round(float(result.gdf_wgs84["geom_area_ha"].iloc[0]), 3)
('EPSG:4528', 1.0)
"""

from __future__ import annotations

import codecs
import io
import lzma
import os
import re
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pyogrio
import pyogrio.errors
import pyproj.exceptions
import shapely
import shapely.errors
from pyproj import CRS

from panhuo.geo.area import AreaCheckResult, area_check, coordinate_precision, geometry_area_m2
from panhuo.geo.crs import (
    GCJ02,
    WGS84,
    _in_china,
    datum_warning,
    describe_crs,
    gcj02_to_wgs84_geometry,
    lonlat_swapped,
    missing_crs_message,
    swapped_lonlat_message,
)
from panhuo.geo.errors import GeoReadError, MissingCRSError
from panhuo.geo.schematic import SURVEYED

__all__ = ["AreaCheckResult", "LayerResult", "area_check", "read_layer"]

# What GDAL (through pyogrio) raises for a file it cannot open or list: anything else is a bug
_UNOPENABLE = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, OSError)
# What reading a damaged layer raises, found by corrupting GeoPackage, GeoJSON and each Shapefile
# part: GDAL's errors (FieldError, FeatureError, CRSError … are DataLayerErrors), a .dbf that does
# not decode in its declared encoding, WKB that GEOS rejects, and pyogrio's own ValueErrors.
# pyogrio 0.13's get_crs raises UnboundLocalError when GDAL cannot export a damaged .prj as WKT.
_UNREADABLE = (
    *_UNOPENABLE,
    UnicodeDecodeError,
    ValueError,
    shapely.errors.GEOSException,
    UnboundLocalError,
)
# What a transformation the CRS database cannot build raises (pyproj's CRSError is a ProjError;
# geopandas raises ValueError for a frame it cannot transform)
_UNTRANSFORMABLE = (pyproj.exceptions.ProjError, ValueError)

# A surveyed parcel has tens to a few thousand vertices, a 区县 outline at survey precision about
# 100,000; beyond that a feature is refused before GEOS sees it (make_valid of a self-crossing
# polygon needs memory growing with its crossings: 500,000 vertices exhausted 16 GB).
MAX_FEATURE_VERTICES = 200_000
MAX_LAYER_VERTICES = 200_000_000  # 5,000,000 parcels of 40 vertices
# repair (make_valid) only runs on an invalid feature this small and this little tangled
MAX_REPAIR_VERTICES = 20_000
MAX_REPAIR_CROSSINGS = 5_000
MAX_REPAIR_SECONDS = 30.0
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})

SUPPORTED = ".gpkg（GeoPackage）、.zip（压缩的 Shapefile）、.geojson / .json（GeoJSON）"
_SHAPEFILE_PARTS = {".shp": "图形", ".shx": "索引", ".dbf": "属性表"}
_ENCODING_NAMES = {
    "UTF8": "UTF-8",
    "UTF-8": "UTF-8",
    "65001": "UTF-8",
    "936": "GBK",
    "CP936": "GBK",
    "GBK": "GBK",
    "GB2312": "GBK",
    "ANSI 936": "GBK",
    "GB18030": "GB18030",
    "54936": "GB18030",
    "950": "BIG5",
    "BIG5": "BIG5",
}
# DBF language driver ids that name a Chinese code page
_LDID = {0x4D: "GBK", 0x7A: "GBK", 0x4F: "BIG5", 0x78: "BIG5"}
_VALIDITY_WORDS = {
    "Self-intersection": "自相交",
    "Ring Self-intersection": "环自相交",
    "Too few points": "点数过少",
    "Hole lies outside shell": "内环在外环之外",
    "Nested holes": "内环嵌套",
    "Interior is disconnected": "内部不连通",
    "Nested shells": "外环嵌套",
    "Duplicate Rings": "重复的环",
    "Invalid Coordinate": "坐标无效",
    "Ring is not closed": "环未闭合",
}


@dataclass
class LayerResult:
    """A layer read and converted to WGS84, with what was found on the way."""

    gdf_wgs84: gpd.GeoDataFrame
    crs_name: str  # Chinese label of the source CRS
    problems: list[str] = field(default_factory=list)
    crs_code: str = ""  # "EPSG:4528", "GCJ02"
    encoding: str | None = None  # Shapefile attribute encoding used
    layer: str = ""  # layer (or .shp) read
    repaired: int = 0  # features whose geometry was repaired
    coord_precision_m: float = 0.0

    def area_check(self, area_column: str, unit: str, **kwargs) -> AreaCheckResult:
        return area_check(
            self.gdf_wgs84, area_column, unit, coord_precision_m=self.coord_precision_m, **kwargs
        )


# --------------------------------------------------------------------------- entry point


def read_layer(
    path_or_bytes: str | os.PathLike | bytes | io.IOBase,
    filename: str | None = None,
    *,
    crs: object | None = None,
    hint_lonlat: tuple[float, float] | None = None,
    layer: str | None = None,
) -> LayerResult:
    """Read a GeoPackage, zipped Shapefile or GeoJSON and convert it to WGS84.

    Parameters
    ----------
    path_or_bytes
        A path, the file's bytes, or a binary file object (an upload).
    filename
        The original name (its extension decides the format); defaults to the path's name.
    crs
        The source CRS chosen by the user when the file has none or a wrong one: an EPSG
        code, ``"EPSG:…"`` or ``"GCJ02"``. Overrides what the file declares (reported).
    hint_lonlat
        Where the data should be (e.g. the plan's 区县), used to name the likely zone when
        a file has no CRS and its eastings carry no zone number.
    layer
        Which layer of a GeoPackage, or which ``.shp`` (stem) of a zip.
    """
    name = filename or (Path(path_or_bytes).name if isinstance(path_or_bytes, (str, os.PathLike)) else "")
    if not name:
        raise GeoReadError("缺少文件名，无法判断文件格式。")
    suffix = Path(name).suffix.lower()
    if suffix not in {".gpkg", ".zip", ".geojson", ".json", ".shp"}:
        raise GeoReadError(f"不支持的文件类型「{name}」。可以导入：{SUPPORTED}。")
    with tempfile.TemporaryDirectory(prefix="panhuo-geo-") as tmp:
        path = _materialise(path_or_bytes, name, Path(tmp))
        if suffix == ".zip":
            return _read_zip(path, name, Path(tmp), crs, hint_lonlat, layer)
        if suffix == ".shp":
            return _read_shapefile(path, name, crs, hint_lonlat)
        if suffix == ".gpkg":
            return _read_gpkg(path, name, crs, hint_lonlat, layer)
        return _read_plain(path, name, crs, hint_lonlat, driver_label="GeoJSON")


def _materialise(source: object, name: str, tmp: Path) -> Path:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise GeoReadError(f"找不到文件「{name}」。")
        return path
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise GeoReadError("无法读取上传的内容（既不是文件路径也不是文件内容）。")
    if not data:
        raise GeoReadError(f"文件「{name}」是空的（0 字节）。")
    path = tmp / ("upload" + Path(name).suffix.lower())
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- formats


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    """Member name, decoding GBK names that Windows zip tools write without the UTF-8 flag."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _read_zip(path, name, tmp, crs, hint_lonlat, layer) -> LayerResult:
    if not zipfile.is_zipfile(path):
        raise GeoReadError(
            f"「{name}」不是有效的 zip 压缩包（文件可能损坏，或只是改了扩展名）。请重新压缩后上传。"
        )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:  # pragma: no cover - is_zipfile caught most
        raise GeoReadError(f"「{name}」无法解压：{exc}。") from exc
    with archive:
        members = [(info, _zip_member_name(info)) for info in archive.infolist() if not info.is_dir()]
        members = [(i, n) for i, n in members if not PurePosixPath(n).name.startswith(("._", "."))]
        listing = "、".join(PurePosixPath(n).name for _, n in members) or "（空）"
        by_stem: dict[str, dict[str, tuple[zipfile.ZipInfo, str]]] = {}
        for info, member in members:
            pure = PurePosixPath(member)
            by_stem.setdefault(str(pure.with_suffix("")), {})[pure.suffix.lower()] = (info, member)
        shapes = sorted(stem for stem, parts in by_stem.items() if ".shp" in parts)
        if not shapes:
            others = [
                n for _, n in members if PurePosixPath(n).suffix.lower() in {".gpkg", ".geojson", ".json"}
            ]
            if len(others) == 1:
                info = next(i for i, n in members if n == others[0])
                inner = tmp / ("inner" + PurePosixPath(others[0]).suffix.lower())
                inner.write_bytes(_read_member(archive, info, others[0], name))
                if inner.suffix == ".gpkg":
                    return _read_gpkg(inner, others[0], crs, hint_lonlat, layer)
                return _read_plain(inner, others[0], crs, hint_lonlat, driver_label="GeoJSON")
            raise GeoReadError(
                f"压缩包「{name}」里没有 Shapefile（.shp 文件）。压缩包内容：{listing}。"
                "请把同名的 .shp、.shx、.dbf、.prj（及 .cpg）文件一起压缩后上传。"
            )
        problems: list[str] = []
        chosen = shapes[0]
        if layer:
            wanted = [s for s in shapes if PurePosixPath(s).name == layer or s == layer]
            if not wanted:
                names = "、".join(PurePosixPath(s).name for s in shapes)
                raise GeoReadError(f"压缩包里没有名为「{layer}」的图层；有：{names}。")
            chosen = wanted[0]
        elif len(shapes) > 1:
            others = "、".join(PurePosixPath(s).name for s in shapes[1:])
            problems.append(
                f"压缩包里有 {len(shapes)} 个 Shapefile，只读取了「{PurePosixPath(chosen).name}」；其余：{others}。"
            )
        parts = by_stem[chosen]
        missing = [f"{ext}（{what}）" for ext, what in _SHAPEFILE_PARTS.items() if ext not in parts]
        stem_name = PurePosixPath(chosen).name
        if missing:
            raise GeoReadError(
                f"Shapefile「{stem_name}」缺少 {'、'.join(missing)} 文件，无法读取。"
                f"压缩包内容：{listing}。请把同名的 .shp、.shx、.dbf、.prj 文件一起压缩后上传。"
            )
        folder = tmp / "shp"
        folder.mkdir(exist_ok=True)
        for ext, (info, member) in parts.items():
            # flatten to safe names: never trust paths inside an upload
            (folder / f"layer{ext}").write_bytes(_read_member(archive, info, member, name))
    result = _read_shapefile(folder / "layer.shp", stem_name + ".shp", crs, hint_lonlat)
    result.problems[:0] = problems
    result.layer = stem_name
    return result


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, member: str, name: str) -> bytes:
    """A member's bytes; a password or a compression method zipfile lacks is said in Chinese."""
    shown = PurePosixPath(member).name
    if info.flag_bits & 0x1:
        raise GeoReadError(
            f"压缩包「{name}」设置了密码（{shown} 已加密），无法解压。请不设密码重新压缩后上传。"
        )
    if info.compress_type not in _ZIP_METHODS:
        raise GeoReadError(
            f"压缩包「{name}」中的 {shown} 使用了不支持的压缩方式（编号 {info.compress_type}）。"
            "请用常规的 zip 压缩（Deflate，即“标准”压缩）重新打包后上传。"
        )
    try:
        return archive.read(info)
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, or a method zipfile lacks
        raise GeoReadError(f"压缩包「{name}」中的 {shown} 无法解压（加密或不支持的压缩方式）。") from exc
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError) as exc:
        # a damaged member: bad CRC, truncated data (bz2 raises OSError)
        raise GeoReadError(f"压缩包「{name}」中的 {shown} 已损坏，无法解压。请重新压缩后上传。") from exc


def _shapefile_encoding(shp: Path) -> tuple[str | None, list[str]]:
    """Encoding of a Shapefile's attributes, and a note when it had to be guessed."""
    cpg = shp.with_suffix(".cpg")
    if cpg.exists():
        declared = cpg.read_bytes().decode("ascii", errors="ignore").strip().upper()
        encoding = _ENCODING_NAMES.get(declared)
        if encoding is None:
            try:
                encoding = codecs.lookup(declared).name
            except LookupError:
                encoding = None
        if encoding:
            return encoding, []
        note = f".cpg 文件声明的编码「{declared}」无法识别，改为按内容判断。"
    else:
        note = ""
    dbf = shp.with_suffix(".dbf").read_bytes()
    if len(dbf) < 32:
        raise GeoReadError("属性表（.dbf）文件已损坏（长度不足）。")
    header_len = int.from_bytes(dbf[8:10], "little")
    body = dbf[header_len:]
    if not any(b > 0x7F for b in body):
        return "UTF-8", [note] if note else []
    try:
        body.decode("utf-8")
        guess = "UTF-8"
    except UnicodeDecodeError:
        guess = _LDID.get(dbf[29])
        if guess is None:
            try:
                body.decode("gbk")
                guess = "GBK"
            except UnicodeDecodeError:
                guess = "GB18030"
    prefix = note or "缺少 .cpg 文件（属性表编码说明），"
    return guess, [f"{prefix}属性表按内容判断为 {guess} 编码；若中文显示为乱码，请在导出时附上 .cpg 文件。"]


def _read_shapefile(path, name, crs, hint_lonlat) -> LayerResult:
    shp = Path(path)
    for ext, what in _SHAPEFILE_PARTS.items():
        if not shp.with_suffix(ext).exists():
            raise GeoReadError(
                f"Shapefile「{name}」缺少 {ext}（{what}）文件。"
                "请把同名的 .shp、.shx、.dbf、.prj（及 .cpg）一起压缩成 zip 后上传。"
            )
    _check_shapefile_size(shp, name)
    encoding, notes = _shapefile_encoding(shp)
    has_prj = shp.with_suffix(".prj").exists()
    frame = _pyogrio_read(shp, name, encoding=encoding)
    if not has_prj:
        frame = frame.set_crs(None, allow_override=True) if frame.crs is not None else frame
        why, advice = "没有坐标系信息（缺少 .prj 文件）", None
    else:
        # GDAL ignores a .prj it cannot parse: say so, not that the file is missing
        why = "的 .prj 文件无法读取（内容不是可识别的坐标系定义，可能已损坏）"
        advice = "请从原始 GIS 工程重新导出 .prj 文件，或在导入时选择坐标系后重试。"
    result = _finish(frame, name, crs, hint_lonlat, why_missing=why, advice=advice)
    result.problems[:0] = notes
    result.encoding = encoding
    result.layer = Path(name).stem
    return result


def _check_shapefile_size(shp: Path, name: str) -> None:
    """Refuse, before GDAL reads it, a Shapefile whose .shp must hold more vertices than allowed.

    A vertex takes 16 bytes of the .shp; a record at most about 60 bytes besides (header,
    bounding box, part index), and the .shx gives the record count (8 bytes each).
    """
    records = max(0, (shp.with_suffix(".shx").stat().st_size - 100) // 8)
    at_least = (shp.stat().st_size - 100 - 60 * records) // 16
    if at_least > MAX_LAYER_VERTICES:
        raise GeoReadError(
            f"「{name}」的图形文件（.shp）至少有约 {at_least:,} 个顶点，超过一个文件的上限 "
            f"{MAX_LAYER_VERTICES:,} 个，文件未导入。请简化（抽稀）图形，或按区县拆分后分别导入。"
        )


def _read_gpkg(path, name, crs, hint_lonlat, layer) -> LayerResult:
    try:
        layers = pyogrio.list_layers(path)
    except _UNOPENABLE as exc:
        raise GeoReadError(f"「{name}」不是有效的 GeoPackage 文件：{_gdal_reason(exc)}。") from exc
    spatial = [str(n) for n, geometry_type in layers if geometry_type]
    if not spatial:
        raise GeoReadError(f"GeoPackage「{name}」里没有带图形的图层。")
    problems = []
    if layer:
        if layer not in spatial:
            raise GeoReadError(f"GeoPackage 里没有名为「{layer}」的图层；有：{'、'.join(spatial)}。")
        chosen = layer
    else:
        chosen = spatial[0]
        if len(spatial) > 1:
            problems.append(
                f"GeoPackage 里有 {len(spatial)} 个图层，只读取了「{chosen}」；其余：{'、'.join(spatial[1:])}。"
            )
    frame = _pyogrio_read(path, name, layer=chosen)
    result = _finish(frame, name, crs, hint_lonlat)
    result.problems[:0] = problems
    result.layer = chosen
    return result


def _read_plain(path, name, crs, hint_lonlat, driver_label: str) -> LayerResult:
    frame = _pyogrio_read(path, name)
    # GeoJSON without a "crs" member is WGS84 by definition (RFC 7946); GDAL reports 4326.
    # Coordinates in metres then mean the file lost its CRS on export: treat it as missing.
    why = None
    if frame.crs is not None and frame.crs.is_geographic and len(frame):
        minx, miny, maxx, maxy = frame.total_bounds
        if not (minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90):
            frame = frame.set_crs(None, allow_override=True)
            why = f"按 {driver_label} 规定应为经纬度，但坐标是以米为单位的投影坐标（没有注明坐标系）"
    result = _finish(frame, name, crs, hint_lonlat, why_missing=why or "没有坐标系信息")
    result.layer = Path(name).stem
    return result


def _pyogrio_read(path, name, **kwargs) -> gpd.GeoDataFrame:
    try:
        return pyogrio.read_dataframe(path, **kwargs)
    except _UNREADABLE as exc:  # GDAL's text is English and names server paths: translated
        raise GeoReadError(
            f"无法读取「{name}」：{_gdal_reason(exc)}。文件可能已损坏或格式与扩展名不符。"
        ) from exc


# GDAL's English messages, by what they say, in Chinese (first match wins)
_GDAL_REASONS = (
    (r"not recognized as (being in )?a supported (file|dataset) format", "文件格式无法识别"),
    (r"GeoJSON|JSON parsing|Unterminated|json_tokener", "GeoJSON 内容不完整或不是有效的 JSON"),
    (r"not a database|malformed|sqlite", "不是有效的 SQLite/GeoPackage 数据库，或数据库已损坏"),
    (r"\.shx|SHX|shape index", "索引文件（.shx）损坏或与 .shp 不匹配"),
    (r"\.dbf|DBF", "属性表（.dbf）损坏"),
    (r"\.shp|SHP|shapefile", "图形文件（.shp）损坏"),
    (r"No such file|does not exist|Unable to open|Cannot open|failed to open", "文件无法打开"),
    (r"[Cc]orrupt|[Tt]runcated|Unexpected end|premature end", "文件已损坏或不完整"),
    (r"encoding|codec|decode", "属性表的文字编码无法识别"),
)
_AT_LINE = re.compile(r"[Aa]t line (\d+), character (\d+)")


def _gdal_reason(exc: BaseException) -> str:
    """GDAL's (or GEOS's) English error said in Chinese; never its text, which names server paths."""
    text = str(exc)
    reason = next(
        (chinese for pattern, chinese in _GDAL_REASONS if re.search(pattern, text)), "文件内容无法解析"
    )
    where = _AT_LINE.search(text)
    if where:
        reason += f"（第 {where.group(1)} 行第 {where.group(2)} 个字符处）"
    return reason


# --------------------------------------------------------------------------- common steps


def _finish(frame, name, crs, hint_lonlat, why_missing="没有坐标系信息", advice=None) -> LayerResult:
    if len(frame) == 0:
        raise GeoReadError(f"「{name}」里没有任何要素（空图层）。")
    _check_vertices(frame, name)
    if frame.geometry.isna().all() or frame.geometry.is_empty.all():
        raise GeoReadError(f"「{name}」里的要素都没有图形。")
    problems: list[str] = []
    frame = frame.set_geometry(shapely.force_2d(frame.geometry.values))
    hint_lon = hint_lonlat[0] if hint_lonlat else None
    bounds = tuple(float(v) for v in frame.total_bounds)
    chosen_geographic = crs is None or describe_crs(crs).kind in {"wgs84", "cgcs2000", "gcj02"}
    declared_geographic = frame.crs is None or frame.crs.is_geographic
    if chosen_geographic and declared_geographic and lonlat_swapped(bounds):
        raise GeoReadError(swapped_lonlat_message(bounds, name))
    extra = {"advice": advice} if advice else {}

    if crs is not None:
        chosen = describe_crs(crs)
        if frame.crs is not None and describe_crs(frame.crs).code != chosen.code:
            problems.append(
                f"按所选坐标系 {chosen.label} 读取；文件本身声明的是 {describe_crs(frame.crs).label}。"
            )
        if chosen.code == GCJ02:
            frame = frame.set_crs(WGS84, allow_override=True)
        else:
            frame = frame.set_crs(CRS.from_user_input(chosen.code), allow_override=True)
    else:
        if frame.crs is None:
            message, candidates = missing_crs_message(
                bounds, filename=name, hint_lon=hint_lon, why=why_missing, **extra
            )
            raise MissingCRSError(message, candidates)
        chosen = describe_crs(frame.crs)
    source_crs = frame.crs
    warning = datum_warning(source_crs)
    if warning:
        problems.append(warning)
    precision = coordinate_precision(frame.geometry.values, bool(source_crs.is_geographic))

    frame, repaired, repair_notes = _repair(frame, name)
    problems.extend(repair_notes)

    if chosen.code == GCJ02:
        wgs = frame.copy()
        wgs.geometry = gpd.GeoSeries(
            gcj02_to_wgs84_geometry(frame.geometry.values), index=frame.index, crs=WGS84
        )
        problems.append("已按 GCJ-02（高德/腾讯地图坐标）转换为 WGS84；从网络地图描绘的图形精度约数米。")
    else:
        try:
            wgs = frame.to_crs(WGS84)
        except _UNTRANSFORMABLE as exc:  # its text is English: a Chinese message instead
            raise GeoReadError(
                f"「{name}」的坐标系 {chosen.label} 无法转换为 WGS84。请在 GIS 软件中先转换为 CGCS2000 后再导入。"
            ) from exc

    lon_min, lat_min, lon_max, lat_max = wgs.total_bounds
    finite = np.isfinite([lon_min, lat_min, lon_max, lat_max]).all()
    if not finite or not (_in_china(lon_min, lat_min) and _in_china(lon_max, lat_max)):
        what = f"声明的坐标系是 {chosen.label}，但按此坐标系数据落在中国范围以外"
        message, candidates = missing_crs_message(bounds, filename=name, hint_lon=hint_lon, why=what)
        raise MissingCRSError(message, candidates)

    null_rows = np.flatnonzero((wgs.geometry.isna() | wgs.geometry.is_empty).to_numpy())
    if null_rows.size:
        rows = "、".join(str(r + 1) for r in null_rows[:20]) + ("等" if null_rows.size > 20 else "")
        problems.append(f"第 {rows} 行没有图形（共 {null_rows.size} 行），这些记录不会显示在地图上。")
    area = np.full(len(wgs), np.nan)
    valid = ~(wgs.geometry.isna() | wgs.geometry.is_empty).to_numpy()
    if valid.any():
        area[valid] = geometry_area_m2(wgs[valid])[0] / 10_000
    wgs["geom_area_ha"] = area
    wgs["geometry_source"] = SURVEYED
    wgs.attrs["coord_precision_m"] = precision
    wgs.attrs["source_crs"] = chosen.code
    return LayerResult(
        gdf_wgs84=wgs,
        crs_name=chosen.label,
        problems=problems,
        crs_code=chosen.code,
        repaired=repaired,
        coord_precision_m=precision,
    )


def _validity_reason(geometry) -> str:
    reason = shapely.is_valid_reason(geometry)
    word = reason.split("[")[0].strip()
    return _VALIDITY_WORDS.get(word, "图形无效")


_NAME_COLUMNS = ("编号", "地块编号", "图斑编号", "名称", "地块名称", "id", "ID", "name", "NAME")


def _feature(frame: gpd.GeoDataFrame, pos: int) -> str:
    """``第 3 个要素（编号 A-3）``: how a message names one feature of the layer."""
    columns = [c for c in frame.columns if c != frame.geometry.name]
    column = next((c for c in _NAME_COLUMNS if c in columns), columns[0] if columns else None)
    label = f"第 {pos + 1} 个要素"
    if column is not None:
        value = frame[column].iloc[pos]
        text = "" if value is None or value != value else str(value).strip()
        if text:
            label += f"（{column} {text[:40]}）"
    return label


def _check_vertices(frame: gpd.GeoDataFrame, name: str) -> None:
    """Refuse a layer with a feature or a total over the vertex limits, before GEOS works on it.

    Counting coordinates reads the arrays shapely already holds: no geometry operation runs.
    """
    counts = shapely.get_num_coordinates(np.asarray(frame.geometry.values, dtype=object))
    if not len(counts):
        return
    worst = int(np.argmax(counts))
    if counts[worst] > MAX_FEATURE_VERTICES:
        raise GeoReadError(
            f"「{name}」{_feature(frame, worst)}有 {int(counts[worst]):,} 个顶点，超过单个图形的上限 "
            f"{MAX_FEATURE_VERTICES:,} 个，文件未导入。请在 GIS 软件中检查该图形，或简化（抽稀）后再导入。"
        )
    total = int(counts.sum())
    if total > MAX_LAYER_VERTICES:
        raise GeoReadError(
            f"「{name}」共有 {total:,} 个顶点，超过一个文件的上限 {MAX_LAYER_VERTICES:,} 个，文件未导入。"
            "请简化（抽稀）图形，或按区县拆分后分别导入。"
        )


def _crossings(geometry, cap: int) -> int:
    """Segment crossings of a polygon's rings, counted until ``cap`` is passed (then > cap).

    ``make_valid`` needs time and memory growing with the crossings; counting them with a
    segment tree in small batches keeps this count itself bounded (at most 256 × vertices pairs).
    """
    # the rings of every polygon in it, also inside a GeometryCollection (lines have none)
    rings = shapely.get_rings(shapely.get_parts(shapely.get_parts(geometry)))
    pieces = []
    for ring in rings:
        coords = shapely.get_coordinates(ring)
        if len(coords) >= 2:
            pieces.append(np.stack([coords[:-1], coords[1:]], axis=1))
    if not pieces:
        return 0
    segments = shapely.linestrings(np.concatenate(pieces))
    tree = shapely.STRtree(segments)
    found, start, batch = 0, 0, 8
    while start < len(segments):
        found += tree.query(segments[start : start + batch], predicate="crosses").shape[1]
        if found > 2 * cap:  # each crossing is found from both of its segments
            break
        # small batches first: a tangle is found after a few segments, a clean ring in few queries
        start, batch = start + batch, min(batch * 2, 256)
    return found // 2


def _repair(frame: gpd.GeoDataFrame, name: str = "") -> tuple[gpd.GeoDataFrame, int, list[str]]:
    """make_valid invalid geometries, keep only polygonal parts of polygon layers, report.

    Only within bounds (vertices, crossings, total time): a feature beyond them is refused
    with a Chinese message naming it, rather than handed to GEOS to exhaust memory.
    """
    geoms = frame.geometry.values
    present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    try:
        invalid = present & ~shapely.is_valid(np.asarray(geoms, dtype=object))
    except shapely.errors.GEOSException as exc:
        raise GeoReadError(
            f"「{name}」的图形无法检查（{_gdal_reason(exc)}）。请在 GIS 软件中检查图形。"
        ) from exc
    if not invalid.any():
        return frame, 0, []
    polygonal = (
        all(t in {"Polygon", "MultiPolygon"} for t in frame.geometry[present & ~invalid].geom_type.unique())
        or not (present & ~invalid).any()
    )
    fixed = list(np.asarray(geoms, dtype=object))
    lines = []
    deadline = time.monotonic() + MAX_REPAIR_SECONDS
    for pos in np.flatnonzero(invalid):
        before = fixed[pos]
        reason = _validity_reason(before)
        who = f"「{name}」{_feature(frame, pos)}的图形无效（{reason}）"
        vertices = int(shapely.get_num_coordinates(before))
        try:
            crossings = _crossings(before, MAX_REPAIR_CROSSINGS) if vertices <= MAX_REPAIR_VERTICES else 0
        except shapely.errors.GEOSException as exc:
            raise GeoReadError(f"{who}，无法检查，文件未导入。请在 GIS 软件中修复该图形后再导入。") from exc
        if vertices > MAX_REPAIR_VERTICES:
            raise GeoReadError(
                f"{who}，有 {vertices:,} 个顶点，超过可自动修复的上限 {MAX_REPAIR_VERTICES:,} 个，文件未导入。"
                "请在 GIS 软件中修复该图形后再导入。"
            )
        if crossings > MAX_REPAIR_CROSSINGS:
            raise GeoReadError(
                f"{who}，自相交超过 {MAX_REPAIR_CROSSINGS:,} 处，无法自动修复，文件未导入。"
                "请在 GIS 软件中检查并修复该图形后再导入。"
            )
        if time.monotonic() > deadline:
            raise GeoReadError(
                f"「{name}」无效图形太多，自动修复超过 {MAX_REPAIR_SECONDS:.0f} 秒仍未完成"
                f"（已修复 {len(lines)} 个），文件未导入。请在 GIS 软件中修复图形后再导入。"
            )
        try:
            after = shapely.make_valid(before)
            if polygonal and after.geom_type == "GeometryCollection":
                parts = [g for g in after.geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
                after = shapely.union_all(parts) if parts else shapely.Polygon()
        except shapely.errors.GEOSException as exc:  # GEOS gave up (bad_alloc, topology error)
            raise GeoReadError(
                f"{who}，无法自动修复，文件未导入。请在 GIS 软件中修复该图形后再导入。"
            ) from exc
        fixed[pos] = after
        change = ""
        if polygonal and abs(before.area) > 0:
            ratio = (after.area - abs(before.area)) / abs(before.area) * 100
            if abs(ratio) >= 0.05:
                change = f"，修复后面积变化 {ratio:+.1f}%"
        lines.append(f"第 {pos + 1} 行（{reason}{change}）")
    frame = frame.copy()
    frame.geometry = gpd.GeoSeries(fixed, index=frame.index, crs=frame.crs)
    shown = "；".join(lines[:20]) + ("；……" if len(lines) > 20 else "")
    note = f"{len(lines)} 个图形无效，已自动修复：{shown}。请在 GIS 软件中核对这些图形。"
    return frame, len(lines), [note]
