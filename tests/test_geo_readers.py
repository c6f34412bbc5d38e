"""Reading user GIS files: formats, CRSs, encodings, repairs, errors, and the area check.

Every fixture is built here by code (no binary files in the repository): parcels are squares
near 湖州 吴兴区 drawn in a CGCS2000 Gauss-Krüger zone, written with pyogrio.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from panhuo.geo import readers
from panhuo.geo.area import area_check, coordinate_precision
from panhuo.geo.boundaries import find_admin, outline
from panhuo.geo.crs import wgs84_to_gcj02
from panhuo.geo.errors import GeoReadError, MissingCRSError
from panhuo.geo.readers import read_layer
from tests.test_import_bad_inputs import _patched_zip

# a point in 吴兴区 (CGCS2000 degrees), and the parcels' sizes in metres (width, height)
LON, LAT = 120.0867, 30.8677
SIZES = [(100.0, 100.0), (200.0, 150.0), (50.0, 80.0)]
NAMES = ["吴兴区织里镇地块", "东林镇旧厂房", "埭溪镇村庄"]


def parcels(epsg: int = 4528, recorded: list[str] | None = None, digits: int = 3) -> gpd.GeoDataFrame:
    """Rectangles of known area near (LON, LAT), in ``epsg`` (a projected GK zone)."""
    x0, y0 = Transformer.from_crs(4490, epsg, always_xy=True).transform(LON, LAT)
    boxes = []
    for k, (w, h) in enumerate(SIZES):
        x, y = round(x0 + 400 * k, digits), round(y0, digits)
        boxes.append(shapely.box(x, y, x + w, y + h))
    areas_ha = [w * h / 10_000 for w, h in SIZES]
    return gpd.GeoDataFrame(
        {
            "编号": [f"DK{k + 1}" for k in range(len(SIZES))],
            "名称": NAMES,
            "面积": recorded or [f"{a:.2f}" for a in areas_ha],
        },
        geometry=boxes,
        crs=epsg,
    )


def shapefile_zip(
    frame: gpd.GeoDataFrame,
    tmp_path: Path,
    *,
    encoding: str = "GBK",
    drop: tuple[str, ...] = (),
    folder: str = "",
) -> bytes:
    """Write ``frame`` as a Shapefile and zip it, leaving out the ``drop`` extensions."""
    out = tmp_path / "shp"
    out.mkdir(exist_ok=True)
    frame.to_file(out / "地块.shp", encoding=encoding)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in sorted(out.iterdir()):
            if part.suffix.lower() not in drop:
                archive.write(part, f"{folder}{part.name}")
    return buffer.getvalue()


def gpkg_bytes(frame: gpd.GeoDataFrame, **kwargs) -> bytes:
    buffer = io.BytesIO()
    frame.to_file(buffer, driver="GPKG", **kwargs)
    return buffer.getvalue()


def _centre(result) -> tuple[float, float]:
    """The vertex of the first parcel nearest to (LON, LAT): its drawn corner, in WGS84."""
    coords = shapely.get_coordinates(result.gdf_wgs84.geometry.iloc[0])
    nearest = np.argmin(np.hypot(coords[:, 0] - LON, coords[:, 1] - LAT))
    return tuple(coords[nearest])


# --------------------------------------------------------------------------- CRSs


@pytest.mark.parametrize("epsg", [4528, 4549, 4499, 4510])
def test_gauss_kruger_geopackage_lands_where_it_was_drawn(epsg):
    result = read_layer(gpkg_bytes(parcels(epsg)), "地块.gpkg")
    assert result.crs_code == f"EPSG:{epsg}"
    lon, lat = _centre(result)
    assert (lon, lat) == pytest.approx((LON, LAT), abs=1e-6)  # 0.1 m
    np.testing.assert_allclose(result.gdf_wgs84["geom_area_ha"], [1.0, 3.0, 0.4], rtol=2e-3)
    assert result.problems == []
    # and on the same map as the (converted) boundaries: inside 吴兴区
    assert result.gdf_wgs84.geometry.within(outline(find_admin("湖州市 吴兴区").code)).all()
    assert (result.gdf_wgs84["geometry_source"] == "实测图形").all()


def test_shapefile_with_prj_and_cpg(tmp_path):
    result = read_layer(shapefile_zip(parcels(), tmp_path), "地块.zip")
    assert result.crs_code == "EPSG:4528" and "第40带" in result.crs_name
    assert result.encoding == "GBK" and list(result.gdf_wgs84["名称"]) == NAMES
    assert result.problems == []


def test_shapefile_without_prj_names_the_zone(tmp_path):
    data = shapefile_zip(parcels(4528), tmp_path, drop=(".prj",))
    with pytest.raises(MissingCRSError) as error:
        read_layer(data, "地块.zip")
    message = str(error.value)
    assert "缺少 .prj" in message and "EPSG:4528" in message and "第40带" in message
    assert error.value.candidates[0].epsg == 4528
    # the user picks the candidate: the layer then reads and lands in place
    result = read_layer(data, "地块.zip", crs=error.value.candidates[0].code)
    assert _centre(result) == pytest.approx((LON, LAT), abs=1e-6)


def test_shapefile_without_prj_or_zone_number_uses_the_hint(tmp_path):
    data = shapefile_zip(parcels(4549), tmp_path, drop=(".prj",))
    with pytest.raises(MissingCRSError) as error:
        read_layer(data, "地块.zip")
    assert "中央经线" in str(error.value) and error.value.candidates == []
    with pytest.raises(MissingCRSError) as hinted:
        read_layer(data, "地块.zip", hint_lonlat=(120.09, 30.87))
    assert hinted.value.candidates[0].epsg == 4549 and "EPSG:4549" in str(hinted.value)


def test_prj_contradicted_by_coordinates(tmp_path):
    """Eastings with a zone number but a .prj for the variant without one (a common slip)."""
    frame = parcels(4528).set_crs(4549, allow_override=True)
    with pytest.raises(MissingCRSError) as error:
        read_layer(gpkg_bytes(frame), "地块.gpkg")
    assert "中国范围以外" in str(error.value)
    assert error.value.candidates[0].epsg == 4528


def test_geojson_wgs84_and_projected_without_crs(tmp_path):
    wgs = parcels().to_crs(4326)
    result = read_layer(wgs.to_json().encode("utf-8"), "地块.geojson")
    assert result.crs_code == "EPSG:4326" and _centre(result) == pytest.approx((LON, LAT), abs=1e-6)
    projected = json.loads(parcels().to_json())
    projected.pop("crs", None)
    with pytest.raises(MissingCRSError) as error:
        read_layer(json.dumps(projected).encode("utf-8"), "地块.geojson")
    assert "EPSG:4528" in str(error.value)


def test_gcj02_input_is_converted_to_wgs84():
    wgs = parcels().to_crs(4326)
    gcj = wgs.copy()
    gcj.geometry = shapely.transform(
        wgs.geometry.values, lambda c: np.column_stack(wgs84_to_gcj02(c[:, 0], c[:, 1]))
    )
    result = read_layer(gpkg_bytes(gcj), "描绘.gpkg", crs="GCJ02")
    assert _centre(result) == pytest.approx((LON, LAT), abs=1e-8)
    assert any("GCJ-02" in p for p in result.problems)


def test_old_datum_is_reported():
    frame = parcels(4549).set_crs(2385, allow_override=True)  # Xian 1980 3° CM 120E, no zone
    result = read_layer(gpkg_bytes(frame), "西安80.gpkg")
    assert any("西安80" in p for p in result.problems)


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(("encoding", "expected"), [("GBK", "GBK"), ("UTF-8", "UTF-8")])
def test_attribute_encoding_without_cpg_is_detected(tmp_path, encoding, expected):
    result = read_layer(shapefile_zip(parcels(), tmp_path, encoding=encoding, drop=(".cpg",)), "地块.zip")
    assert result.encoding == expected
    assert list(result.gdf_wgs84["名称"]) == NAMES
    assert any("缺少 .cpg" in p and expected in p for p in result.problems)


def test_gbk_member_names_and_subfolder(tmp_path):
    result = read_layer(shapefile_zip(parcels(), tmp_path, folder="成果/"), "成果.zip")
    assert result.layer == "地块" and len(result.gdf_wgs84) == 3


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("drop", "words"),
    [
        ((".shx",), ".shx（索引）"),
        ((".dbf",), ".dbf（属性表）"),
        ((".shx", ".dbf"), ".shx（索引）、.dbf（属性表）"),
    ],
)
def test_missing_shapefile_parts(tmp_path, drop, words):
    with pytest.raises(GeoReadError) as error:
        read_layer(shapefile_zip(parcels(), tmp_path, drop=drop), "地块.zip")
    assert words in str(error.value) and "一起压缩" in str(error.value)


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"not a zip at all", "地块.zip", "不是有效的 zip"),
        (b"", "地块.gpkg", "空的"),
        (b"garbage", "地块.gpkg", "不是有效的 GeoPackage"),
        (b"{", "地块.geojson", "无法读取"),
        (b"x", "地块.kml", "不支持的文件类型"),
    ],
)
def test_bad_files_raise_clear_errors(data, name, words):
    with pytest.raises(GeoReadError) as error:
        read_layer(data, name)
    assert words in str(error.value)


def test_zip_without_shapefile_and_empty_layer(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("说明.txt", "无图层")
    with pytest.raises(GeoReadError, match="没有 Shapefile"):
        read_layer(buffer.getvalue(), "成果.zip")
    empty = parcels().iloc[0:0]
    with pytest.raises(GeoReadError, match="没有任何要素"):
        read_layer(gpkg_bytes(empty), "空.gpkg")


def test_invalid_geometry_is_repaired_and_reported():
    frame = parcels()
    x, y = frame.geometry.iloc[0].bounds[:2]
    bowtie = shapely.Polygon([(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100)])
    frame.loc[0, "geometry"] = bowtie
    result = read_layer(gpkg_bytes(frame), "地块.gpkg")
    assert result.repaired == 1 and result.gdf_wgs84.geometry.is_valid.all()
    assert result.gdf_wgs84.geometry.iloc[0].geom_type in {"Polygon", "MultiPolygon"}
    assert any("第 1 行" in p and "自相交" in p for p in result.problems)


# --------------------------------------------------------------------------- area check


def test_area_check_accepts_rounded_records_and_flags_a_wrong_one():
    result = read_layer(gpkg_bytes(parcels(recorded=["1.00", "3.00", "0.55"])), "地块.gpkg")
    check = result.area_check("面积", "公顷", id_column="编号")
    assert list(check.table["status"]) == ["ok", "ok", "mismatch"]
    wrong = check.mismatches.iloc[0]
    assert wrong["id"] == "DK3" and wrong["computed"] == pytest.approx(0.4, rel=2e-3)
    message = wrong["message"]
    assert "第 3 行（编号 DK3）" in message and "0.55 公顷" in message and "0.40 公顷" in message
    assert check.problems[0].startswith("面积核对：3 个图形，2 个与记录面积一致，1 个不一致")


def test_area_check_names_a_unit_slip():
    frame = parcels(recorded=["15.0", "45.0", "6.0"])  # 亩 values in a column said to be 公顷
    check = read_layer(gpkg_bytes(frame), "地块.gpkg").area_check("面积", "ha")
    assert (check.table["status"] == "mismatch").all()
    assert any("单位可能是亩" in p for p in check.problems)
    assert area_check(read_layer(gpkg_bytes(frame), "a.gpkg").gdf_wgs84, "面积", "亩").ok


def test_tolerance_grows_with_coarse_coordinates():
    """Coordinates rounded to whole metres move a 50×80 m outline's area by up to ~0.04 %·…"""
    fine = read_layer(gpkg_bytes(parcels(digits=3)), "a.gpkg")
    coarse = read_layer(gpkg_bytes(parcels(digits=0)), "a.gpkg")
    assert fine.coord_precision_m == pytest.approx(0.0005)
    assert coarse.coord_precision_m == pytest.approx(0.5)
    tol_fine = fine.area_check("面积", "ha").table["tolerance"]
    tol_coarse = coarse.area_check("面积", "ha").table["tolerance"]
    assert (tol_coarse > tol_fine).all()
    # perimeter 260 m × 0.5 m × √2 ≈ 184 m² = 0.0184 ha added for the 50×80 parcel
    assert tol_coarse.iloc[2] - tol_fine.iloc[2] == pytest.approx(
        260 * (0.5 - 0.0005) * 2**0.5 / 10_000, rel=0.01
    )


def test_coordinate_precision_of_degrees():
    points = [shapely.Point(120.123456, 30.654321)]
    assert coordinate_precision(points, geographic=True) == pytest.approx(0.5e-6 * 111_320)


# --------------------------------------------------------------------------- hostile input (issue 8)


def _no_server_text(message: str) -> None:
    assert "/tmp" not in message and "panhuo-geo" not in message and "upload." not in message, message


@pytest.mark.parametrize(
    ("patch", "words"),
    [({"flag": 0x1}, r"设置了密码（地块\.\w+ 已加密）"), ({"method": 9}, r"不支持的压缩方式（编号 9）")],
)
def test_encrypted_or_unsupported_zip_members_are_refused(tmp_path, patch, words):
    with pytest.raises(GeoReadError) as error:
        read_layer(_patched_zip(shapefile_zip(parcels(), tmp_path), **patch), "成果.zip")
    assert re.search(words, error.value.message) and "成果.zip" in error.value.message


def test_damaged_zip_member_is_refused(tmp_path):
    data = bytearray(shapefile_zip(parcels(), tmp_path))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = next(i for i in archive.infolist() if i.filename.endswith(".dbf"))
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + 40] ^= 0xFF  # a stored byte changed: the CRC no longer matches
    with pytest.raises(GeoReadError, match=r"地块\.dbf 已损坏，无法解压"):
        read_layer(bytes(data), "成果.zip")


def test_garbage_prj_is_not_called_missing(tmp_path):
    out = tmp_path / "shp"
    out.mkdir()
    parcels().to_file(out / "地块.shp", encoding="UTF-8")
    (out / "地块.prj").write_bytes(b"\x00\xffthis is not a projection")
    with pytest.raises(MissingCRSError) as error:
        read_layer(out / "地块.shp")
    message = error.value.message
    assert ".prj 文件无法读取" in message and "缺少 .prj" not in message and "请补上 .prj" not in message
    assert "EPSG:4528" in message  # the zone is still named from the coordinates
    _no_server_text(message)


def test_latitude_and_longitude_swapped_are_said_so(tmp_path):
    swapped = gpd.GeoDataFrame(
        {"编号": ["A"]}, geometry=[shapely.box(LAT, LON, LAT + 0.01, LON + 0.01)], crs=4326
    )
    for data, name in [
        (swapped.to_json().encode(), "地块.geojson"),  # declared WGS84, latitude past 90°
        (shapefile_zip(swapped, tmp_path, drop=(".prj",)), "地块.zip"),  # no CRS at all
    ]:
        with pytest.raises(GeoReadError) as error:
            read_layer(data, name)
        message = error.value.message
        assert not isinstance(error.value, MissingCRSError)  # choosing a CRS cannot fix it
        assert "经度和纬度位置颠倒了" in message and f"东经{LON + 0.005:.3f}°" in message, message
        assert "投影坐标" not in message and ".prj" not in message
    # a user choosing a geographic CRS for such a file gets the same answer
    with pytest.raises(GeoReadError, match="经度和纬度位置颠倒了"):
        read_layer(swapped.to_json().encode(), "地块.geojson", crs="EPSG:4490")


def test_gdal_messages_are_chinese_and_name_no_server_path():
    for data, name, words in [
        (
            b'{"type": "FeatureCollection", "features": [',
            "地块.geojson",
            "GeoJSON 内容不完整或不是有效的 JSON",
        ),
        (b"SQLite format 3\x00" + b"x" * 2000, "地块.gpkg", "不是有效的 SQLite/GeoPackage 数据库"),
        (b"not json at all", "地块.json", "无法读取「地块.json」"),
    ]:
        with pytest.raises(GeoReadError) as error:
            read_layer(data, name)
        message = error.value.message
        assert words in message, message
        _no_server_text(message)
        english = set(re.findall(r"[A-Za-z]{4,}", message.replace(name, "")))
        assert not english - {"GeoJSON", "JSON", "SQLite", "GeoPackage"}, message


def test_huge_coordinates_are_printed_compactly():
    frame = gpd.GeoDataFrame({"编号": ["A"]}, geometry=[shapely.box(1e300, 1e300, 1e308, 1e308)], crs=None)
    with pytest.raises(MissingCRSError) as error:
        read_layer(gpkg_bytes(frame), "地块.gpkg")
    assert "X 1e+300 – 1e+308，Y 1e+300 – 1e+308" in error.value.message
    assert not re.search(r"\d{20}", error.value.message)


def _feature_frame(geometries, epsg: int = 4326) -> gpd.GeoDataFrame:
    names = [f"DK{i + 1}" for i in range(len(geometries))]
    return gpd.GeoDataFrame({"编号": names}, geometry=list(geometries), crs=epsg)


def _ring(vertices: int, cx: float = LON, cy: float = LAT, radius: float = 0.001) -> shapely.Polygon:
    angles = np.linspace(0, 2 * np.pi, vertices - 1, endpoint=False)
    return shapely.Polygon(np.column_stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)]))


def test_vertex_limits_refuse_before_any_repair(monkeypatch, tmp_path):
    small = [_ring(50, LON + 0.01 * k) for k in range(3)]
    monkeypatch.setattr(readers, "MAX_LAYER_VERTICES", 120)
    with pytest.raises(GeoReadError) as error:
        read_layer(gpkg_bytes(_feature_frame(small)), "地块.gpkg")
    assert error.value.message.startswith("「地块.gpkg」共有 150 个顶点，超过一个文件的上限 120 个")
    # a Shapefile is measured by its .shp before GDAL reads it (16 bytes a vertex)
    with pytest.raises(
        GeoReadError, match=r"的图形文件（\.shp）至少有约 \d+ 个顶点，超过一个文件的上限 120 个"
    ):
        read_layer(shapefile_zip(_feature_frame(small), tmp_path), "地块.zip")
    monkeypatch.setattr(readers, "MAX_FEATURE_VERTICES", 40)
    with pytest.raises(GeoReadError, match="第 1 个要素（编号 DK1）有 50 个顶点，超过单个图形的上限 40 个"):
        read_layer(gpkg_bytes(_feature_frame(small)), "地块.gpkg")


def _bowtie_with(vertices: int) -> shapely.Polygon:
    """A bow-tie (one crossing) whose edges carry ``vertices`` points in all."""
    t = np.linspace(0, 0.001, vertices // 4)
    x0, y0 = LON, LAT
    edges = [
        np.column_stack([x0 + t, y0 + t]),
        np.column_stack([x0 + 0.001 + 0 * t, y0 + 0.001 - t]),
        np.column_stack([x0 + 0.001 - t, y0 + t]),
        np.column_stack([x0 + 0 * t, y0 + 0.001 - t]),
    ]
    return shapely.Polygon(np.concatenate(edges))


def test_repair_is_bounded_by_vertices_crossings_and_time(monkeypatch):
    ok = _ring(50, LON + 0.01)
    # too many vertices to repair, though fewer than a feature may have
    frame = _feature_frame([ok, _bowtie_with(readers.MAX_REPAIR_VERTICES + 400)])
    with pytest.raises(GeoReadError) as error:
        read_layer(gpkg_bytes(frame), "地块.gpkg")
    assert (
        "第 2 个要素（编号 DK2）的图形无效（自相交），有 20,400 个顶点，超过可自动修复的上限 20,000 个"
        in (error.value.message)
    )
    # few vertices, but tangled: a star polygon {2001/1000} crosses itself about two million times
    angles = 2 * np.pi * 1000 * np.arange(2001) / 2001
    star = shapely.Polygon(np.column_stack([LON + 0.001 * np.cos(angles), LAT + 0.001 * np.sin(angles)]))
    with pytest.raises(
        GeoReadError, match="第 1 个要素（编号 DK1）的图形无效（自相交），自相交超过 5,000 处"
    ):
        read_layer(gpkg_bytes(_feature_frame([star, ok])), "地块.gpkg")
    # a bow-tie within bounds is repaired as before, unless the time for repairs is used up
    frame = _feature_frame([_bowtie_with(40), ok])
    assert read_layer(gpkg_bytes(frame), "地块.gpkg").repaired == 1
    monkeypatch.setattr(readers, "MAX_REPAIR_SECONDS", -1.0)
    with pytest.raises(GeoReadError, match="自动修复超过 -1 秒仍未完成（已修复 0 个），文件未导入"):
        read_layer(gpkg_bytes(frame), "地块.gpkg")


def test_a_fault_of_the_program_is_not_called_a_damaged_file(monkeypatch):
    # only the errors GDAL and GEOS raise for a bad file become 文件可能已损坏
    def out_of_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(readers.pyogrio, "read_dataframe", out_of_memory)
    with pytest.raises(MemoryError):
        read_layer(gpkg_bytes(parcels()), "地块.gpkg")
