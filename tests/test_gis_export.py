"""GIS out (issue 13, part 7): ``python -m panhuo export`` and panhuo.gis_export.

The fixture is a survey layer made by code, as a provincial database exports it (DKBH, XZQMC, MJ
in the unit its MJDW says, a right-holder QLR): five parcels of 上党区 drawn as squares of their
recorded area in CGCS2000 3-degree zone 38 (EPSG:4526), imported into a temporary store, so the
export reads the outlines the way a stored plan keeps them. One parcel is a private person's
(name = right-holder). A second fixture, a plan built in memory with WKT outlines on some rows
only, covers the records a GIS file leaves out.
"""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box

from panhuo import cli
from panhuo import gis_export as gx
from panhuo.access import CountyScope, system_user
from panhuo.catalog import open_catalog
from panhuo.geo.area import geometry_area_m2
from panhuo.importing import InputFile, examples, import_files, new_plan_meta
from panhuo.loader import plan_from_frames
from panhuo.privacy import MASK
from panhuo.store import Store
from panhuo.units import to_ha
from tests.test_app_scope import downloads  # noqa: F401 - the fixture of every download's bytes
from tests.test_store import use_data_dir, use_database

PLAN = "dcdy-2024"
FIELDS = ["DKBH", "DKMC", "XZQMC", "XZMC", "MJ", "MJDW", "GHYT", "QLR", "DJRKSJ", "土地证编号"]
# (编号, 名称, 区县, 乡镇, 面积, 单位, 规划用途, 权利人, 地均入库税金, 土地证编号: a private survey extra)
ROWS = [
    ["140404001", "长治市某化工厂地块", "上党区", "韩店街道", 24800.0, "平方米", "商业用地", "长治市测试化工有限公司", 8.5, "长国用（2019）第0001号"],
    ["140404002", "李测试", "上党区", "荫城镇", 3.5, "亩", "城镇住宅用地", "李测试", 2.1, "长国用（2019）第0002号"],
    ["140404003", "东关村旧厂房", "上党区", "西火镇", 1.25, "公顷", "城镇住宅用地", "", 3.0, ""],
    ["140404004", "西火镇测试机械厂", "上党区", "西火镇", 8600.0, "平方米", "工业用地", "西火测试机械有限公司", 10.2, "长国用（2020）第0003号"],
    ["140404005", "八义镇旧仓库", "上党区", "八义镇", 12.75, "亩", "物流仓储用地", "八义测试物流有限公司", 1.0, "长国用（2021）第0004号"],
]  # fmt: skip
PRIVATE = {
    "长治市测试化工有限公司",
    "李测试",
    "西火测试机械有限公司",
    "八义测试物流有限公司",
    "第0001号",
    "第0004号",
}
M2 = {"平方米": 1.0, "亩": 10000 / 15, "公顷": 10000.0}


def survey_gdf() -> gpd.GeoDataFrame:
    """The survey layer: squares of the recorded area, 400 m apart, in EPSG:4526."""
    x0, y0 = Transformer.from_crs(4326, examples.SURVEY_EPSG, always_xy=True).transform(
        *examples.SURVEY_CENTRE
    )
    shapes = []
    for i, row in enumerate(ROWS):
        side = (row[4] * M2[row[5]]) ** 0.5
        x, y = x0 + (i % 3) * 400, y0 + (i // 3) * 400
        shapes.append(box(x, y, x + side, y + side))
    columns = {name: [row[j] for row in ROWS] for j, name in enumerate(FIELDS)}
    return gpd.GeoDataFrame(columns, geometry=shapes, crs=f"EPSG:{examples.SURVEY_EPSG}")


@pytest.fixture
def stored(tmp_path, monkeypatch):
    """(plan, store) after importing the survey layer as a new plan of 长治市 上党区."""
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    store = Store.open()
    meta = new_plan_meta(
        PLAN, title="长治市上党区低效用地调查", province="山西省", city="长治市", counties=["上党区"]
    )
    result = import_files(
        [InputFile("调查单元.gpkg", examples.layer_bytes(survey_gdf()))], PLAN, store=store, actor=system_user(),
        plan_meta=meta,
    )  # fmt: skip
    assert result.ok, result.message
    return open_catalog().get(PLAN), store


def _export(plan, store, fmt, *, epsg=4490, scope=None, records=None):
    records = plan.parcels if records is None else records
    return gx.export_records(
        records, "parcels", fmt, scope=CountyScope(everything=True) if scope is None else scope,
        geometry=gx.surveyed_geometry(plan, "parcels", store), epsg=epsg, plan=plan, name="parcels",
    )  # fmt: skip


def _file(result) -> bytes:
    return gx.zipped(result.files) if result.fmt == "shp" else result.content


def _total_ha(frame: pd.DataFrame) -> Decimal:
    return sum((to_ha(a, u) for a, u in zip(frame["area"], frame["area_unit"], strict=True)), Decimal(0))


def _read(data: bytes, name: str, folder) -> gpd.GeoDataFrame:
    path = folder / name
    path.write_bytes(data)
    return pyogrio.read_dataframe(f"/vsizip/{path}" if name.endswith(".zip") else path)


def _every_byte(data: bytes) -> bytes:
    """A file's bytes, a zip's (Shapefile, XLSX) with every member unpacked."""
    if data[:2] != b"PK":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize(("fmt", "name", "epsg"), [("gpkg", "地块.gpkg", 4490), ("shp", "地块.zip", 4526),
                                                   ("shp", "dkbh.zip", 4547), ("gpkg", "gk.gpkg", 4526), ("geojson", "gk.geojson", 4526)])  # fmt: skip
def test_round_trip_through_the_import(stored, tmp_path, fmt, name, epsg):
    plan, store = stored
    result = _export(plan, store, fmt, epsg=epsg)
    assert (result.total, result.written, result.left_out, result.notes) == (5, 5, 0, [])
    data = _file(result)
    back = import_files([InputFile(name, data)], PLAN, dry_run=True)
    assert back.ok, back.message
    frame = back.checked.frame
    assert frame["id"].tolist() == [r[0] for r in ROWS]
    assert frame["county"].tolist() == ["上党区"] * 5
    assert frame["right_holder"].tolist() == [r[7] for r in ROWS]  # analyst view: kept, and mapped back
    assert _total_ha(frame) == _total_ha(plan.parcels)  # exactly, as the import parses the text
    assert round(float(_total_ha(frame)), 6) == 5.673333  # 2.48 + 3.5/15 + 1.25 + 0.86 + 12.75/15
    # read back directly: the CRS, Chinese values intact, the outlines' areas
    layer = _read(data, name, tmp_path)
    assert layer.crs.to_epsg() == epsg
    county = "XZQMC" if fmt == "shp" else "区县"
    assert layer[county].tolist() == ["上党区"] * 5
    assert layer["XZMC" if fmt == "shp" else "乡镇/街道"].tolist() == [r[3] for r in ROWS]
    area_ha = layer["GQMJ" if fmt == "shp" else "面积（公顷）"].to_numpy()
    np.testing.assert_allclose(area_ha, plan.parcels["area_ha"].to_numpy(), rtol=1e-12)
    original, _ = geometry_area_m2(survey_gdf())
    exported, _ = geometry_area_m2(layer)
    np.testing.assert_allclose(exported, original, rtol=1e-3)


def test_shapefile_zip_holds_its_parts_utf8_codes_and_the_field_table(stored):
    plan, store = stored
    data = _file(_export(plan, store, "shp", epsg=4526))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert names == [
            "parcels.shp",
            "parcels.shx",
            "parcels.dbf",
            "parcels.prj",
            "parcels.cpg",
            gx.FIELD_TABLE,
        ]
        assert archive.read("parcels.cpg").strip() == b"UTF-8"
        assert b"CGCS2000" in archive.read("parcels.prj")
        table = archive.read(gx.FIELD_TABLE)
    assert table.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(table.decode("utf-8-sig"))))
    names = {r["字段名"]: r["中文名称"] for r in rows}
    assert all(len(code.encode()) <= 10 and code.isascii() for code in names)
    assert names["DKBH"] == "编号" and names["XZQMC"] == "区县" and names["MJ"] == "面积"
    assert names["MJDW"] == "面积单位" and names["GQMJ"] == "面积（公顷）" and names["QLR"] == "权利人"
    assert names["DJRKSJ"] == "地均入库税金"  # a known survey extra keeps its code
    assert names["BDCQZ"] == "土地证编号"  # a private survey extra keeps its code (analyst view only)


def test_geopackage_and_geojson_keep_chinese_field_names(stored, tmp_path):
    plan, store = stored
    for fmt, name in (("gpkg", "a.gpkg"), ("geojson", "a.geojson")):
        layer = _read(_file(_export(plan, store, fmt)), name, tmp_path)
        assert layer.crs.to_epsg() == 4490
        assert {
            "编号",
            "名称",
            "区县",
            "乡镇/街道",
            "面积",
            "面积单位",
            "面积（公顷）",
            "权利人",
            "地均入库税金",
        } <= set(layer.columns)
        assert layer["面积"].tolist() == ["24800", "3.5", "1.25", "8600", "12.75"]  # as printed, as text
        assert layer["面积单位"].tolist() == ["平方米", "亩", "公顷", "平方米", "亩"]
        assert layer["名称"].tolist()[0] == "长治市某化工厂地块"


def test_extras_get_unique_ascii_codes_that_fit_a_dbf():
    frame = pd.DataFrame(
        {"id": ["1"], "name": ["甲"], "county": ["上党区"], "area": ["1"], "area_unit": ["公顷"], "area_ha": [1.0],
         "土地出让金额（万元）": ["12"], "土地出让金额（万元）备注": ["x"], "remark_long_field": ["y"],
         "ZDABC": ["z"], "GQMJ": ["2.0"]}
    )  # fmt: skip
    fields = gx.export_fields(frame, "parcels")
    codes = [f.code for f in fields]
    assert len(set(codes)) == len(codes) and all(len(c.encode()) <= 10 for c in codes)
    assert codes[-5:] == ["ZD01", "ZD02", "REMARK_LON", "ZDABC", "ZD03"]  # GQMJ is 面积（公顷）'s


# --------------------------------------------------------------------------- privacy


def test_no_private_value_reaches_a_public_file(stored):
    plan, store = stored
    for fmt in gx.FORMATS:
        result = _export(plan, store, fmt, scope=CountyScope())
        data = _every_byte(_file(result))
        leaked = [v for v in PRIVATE if v.encode("utf-8") in data]
        assert leaked == [], fmt
        assert MASK.encode("utf-8") in data, fmt  # 李测试's parcel is named, masked
        assert "东关村旧厂房".encode() in data, fmt
        internal = _every_byte(_file(_export(plan, store, fmt)))
        assert all(v.encode() in internal for v in PRIVATE), fmt


def test_command_line_public_and_internal(stored, tmp_path, capsys):
    assert cli.main(["export", PLAN, "-o", str(tmp_path / "公开.gpkg"), "--public"]) == 0
    out = capsys.readouterr().out
    assert "已写出 GeoPackage" in out and "地块 5 条" in out and "公开版" in out
    data = (tmp_path / "公开.gpkg").read_bytes()
    assert not any(v.encode() in data for v in PRIVATE)
    assert cli.main(["export", PLAN, "-o", str(tmp_path / "内部.zip"), "--crs", "EPSG:4526"]) == 0
    out = capsys.readouterr().out
    assert "内部版" in out and "EPSG:4526" in out
    assert "李测试".encode() in _every_byte((tmp_path / "内部.zip").read_bytes())


# --------------------------------------------------------------------------- command line


def test_command_line_refuses_a_bad_crs_format_or_county_and_writes_nothing(stored, tmp_path, capsys):
    target = tmp_path / "x.gpkg"
    for argv, status, words in [
        (["--crs", "4326"], 2, "不支持的坐标系“4326”"),
        (["--crs", "4555"], 2, "EPSG:4513-4533"),
        (["--crs", "abc"], 2, "不支持的坐标系"),
        (["--county", "长治县"], 2, "没有区县“长治县”；可选的区县：上党区"),
        (["--format", "shp"], 2, "应以 .zip"),
        (["--dataset", "zones"], 2, "没有片区清单"),
    ]:
        assert cli.main(["export", PLAN, "-o", str(target), *argv]) == status
        err = capsys.readouterr().err
        assert err.startswith("错误：") and words in err and "Traceback" not in err
    assert list(tmp_path.glob("x.*")) == []
    assert cli.main(["export", PLAN, "-o", str(tmp_path / "none" / "x.gpkg")]) == 1
    assert "所在目录不存在" in capsys.readouterr().err


def test_loose_shapefile_parts_beside_the_output(stored, tmp_path, capsys):
    (tmp_path / "out").mkdir()
    out = tmp_path / "out" / "地块.shp"
    assert cli.main(["export", PLAN, "-o", str(out), "--county", "上党区", "--crs", "4547"]) == 0
    assert "已写出 Shapefile：" in capsys.readouterr().out
    names = sorted(p.name for p in out.parent.iterdir())
    assert names == ["地块.cpg", "地块.dbf", "地块.prj", "地块.shp", "地块.shx", "地块.字段说明.csv"]
    layer = pyogrio.read_dataframe(out)
    assert layer.crs.to_epsg() == 4547 and len(layer) == 5 and set(layer["XZQMC"]) == {"上党区"}


def test_a_zone_far_from_the_data_is_written_with_a_warning(stored, capsys):
    plan, store = stored
    result = _export(plan, store, "gpkg", epsg=4549)
    (note,) = result.notes
    assert "中央经线（120°E）" in note and "EPSG:4526" in note and "EPSG:4547" in note


# --------------------------------------------------------------------------- schematic records


def _mixed_plan():
    """A plan held in memory: 4 parcels, 2 with a surveyed outline (WKT, WGS84), 1 schematic."""
    square = "POLYGON ((113.05 36.05, 113.052 36.05, 113.052 36.052, 113.05 36.052, 113.05 36.05))"
    parcels = pd.DataFrame(
        {
            "id": ["A1", "A2", "A3", "A4"],
            "name": ["甲厂", "乙厂", "丙厂", "丁厂"],
            "county": ["上党区"] * 4,
            "area": ["3.2", "1.5", "2", "0.8"],
            "area_unit": ["公顷", "公顷", "", "公顷"],
            # A4: a schematic circle placed for the map is no surveyed outline, though it is a shape
            "geometry": [
                square,
                "",
                shapely.to_wkt(shapely.from_wkt(square).buffer(0.001)),
                "POINT (113.1 36.1)",
            ],
            "geometry_source": ["实测图形", "", "实测图形", "示意位置"],
        }
    )
    meta = {
        "id": "mixed-2024",
        "title": "测试规划",
        "city": "长治市",
        "counties": ["上党区"],
        "area_unit": "亩",
    }
    return plan_from_frames(meta, parcels=parcels)


def test_schematic_records_are_left_out_of_gis_files_and_counted():
    plan = _mixed_plan()
    geometry = gx.surveyed_geometry(plan, "parcels")
    result = gx.export_records(
        plan.parcels, "parcels", "gpkg", scope=CountyScope(), geometry=geometry, plan=plan
    )
    assert (result.total, result.written, result.left_out) == (4, 2, 2)
    assert result.notes[0] == (
        "4 宗地块中 2 宗没有实测图形（地图上为示意位置，不是实际位置），未写入 GIS 文件；Excel/CSV 导出含全部记录。"
    )
    assert gx.gis_counts(plan.parcels, "parcels") == (4, 2)
    assert gx.gis_counts(plan.parcels, "parcels", "丙") == (1, 1)


def test_xlsx_and_csv_keep_every_row_with_wkt_for_the_surveyed():
    plan = _mixed_plan()
    geometry = gx.surveyed_geometry(plan, "parcels")
    result = gx.export_records(
        plan.parcels, "parcels", "csv", scope=CountyScope(), geometry=geometry, plan=plan
    )
    assert result.written == 4
    rows = list(csv.DictReader(io.StringIO(result.content.decode("utf-8-sig"))))
    assert [r["编号"] for r in rows] == ["A1", "A2", "A3", "A4"]
    assert [r["图形来源"] for r in rows] == ["实测图形", "无实测图形", "实测图形", "无实测图形"]
    assert rows[0]["图形（WKT）"].startswith("POLYGON ((113.05 36.05") and rows[1]["图形（WKT）"] == ""
    assert rows[2]["面积单位"] == "亩"  # a unit the record leaves empty is the plan's, written out
    assert (
        gx.export_records(
            plan.parcels, "parcels", "xlsx", scope=CountyScope(), geometry=geometry, plan=plan
        ).written
        == 4
    )


def test_nothing_surveyed_is_refused_for_gis_formats():
    plan = _mixed_plan()
    records = plan.parcels[plan.parcels["id"].isin(["A2", "A4"])]
    with pytest.raises(gx.ExportError, match="所选的 2 条地块记录都没有实测图形"):
        gx.export_records(
            records, "parcels", "shp", scope=CountyScope(), geometry=gx.surveyed_geometry(plan, "parcels")
        )


# --------------------------------------------------------------------------- the page 明细

PERSON = "刘志平"  # 上党区 附表1 row 11: parcel name and right-holder


@pytest.fixture
def surveyed_samples(tmp_path, monkeypatch):
    """The 上党区 sample whose parcels 1-12 carry a surveyed outline (WKT) — 刘志平's among them."""
    import shutil

    import streamlit as st

    from tests.conftest import ROOT

    target = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "shangdang-2021", target / "shangdang-2021")
    path = target / "shangdang-2021" / "parcels.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    outlines = [
        shapely.to_wkt(box(113.0 + i * 0.01, 36.1, 113.004 + i * 0.01, 36.104)) if i < 12 else ""
        for i in range(len(frame))
    ]
    frame["geometry"] = outlines
    frame["geometry_source"] = [gx.SURVEYED if w else "" for w in outlines]
    frame.to_csv(path, index=False)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(target))
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield target
    st.cache_data.clear()
    st.cache_resource.clear()


def test_records_page_downloads_geopackage_and_shapefile_public_for_a_visitor(
    surveyed_samples,
    downloads,  # noqa: F811 - the fixture imported from tests.test_app_scope
    tmp_path,
):
    from tests.pages import open_page
    from tests.test_app_scope import _download

    at = open_page("records", plan="shangdang-2021", timeout=120)
    captions = "\n".join(c.value for c in at.caption)
    assert "含 12 条有实测图形的地块" in captions
    assert "89 宗地块中 77 宗没有实测图形（地图上为示意位置，不是实际位置），未写入 GIS 文件" in captions
    gpkg = _download(at, downloads, "records_gpkg")
    shp = _download(at, downloads, "records_shp")
    for data in (gpkg, shp):
        assert PERSON.encode() not in _every_byte(data)
    layer = _read(gpkg, "page.gpkg", tmp_path)
    assert len(layer) == 12 and layer.crs.to_epsg() == 4490 and "权利人" not in layer.columns
    assert MASK in set(layer["名称"])
    zipped_layer = _read(shp, "page.zip", tmp_path)
    assert len(zipped_layer) == 12 and set(zipped_layer["XZQMC"]) == {"上党区"}


def test_records_page_without_surveyed_outlines_says_why_there_is_no_gis_file(surveyed_samples):
    from tests.pages import open_page

    at = open_page("records", plan="shangdang-2021", timeout=120)
    at.text_input(key="records_search").input("南郭村以外不存在的词").run()
    assert [b.disabled for b in at.button if b.key in ("records_gpkg", "records_shp")] == [True, True]
    assert any("没有实测图形" in c.value and "不能导出 GIS 文件" in c.value for c in at.caption)


def test_zones_to_a_zipped_shapefile_and_back(tmp_path, monkeypatch):
    use_data_dir(tmp_path, monkeypatch)
    square = box(113.05, 36.05, 113.06, 36.06)
    zones = pd.DataFrame(
        {
            "id": ["P1", "P2"],
            "name": ["韩店片区", "西火片区"],
            "county": ["上党区", "上党区"],
            "category": ["低效工业片区", "低效村庄片区"],
            "area": ["96.5", "1200"],
            "area_unit": ["公顷", "亩"],
            "note": ["含东关村", ""],
            "geometry": [shapely.to_wkt(square), shapely.to_wkt(square.buffer(0.01))],
            "geometry_source": [gx.SURVEYED, gx.SURVEYED],
        }
    )
    plan = plan_from_frames({"id": "zones-2024", "city": "长治市", "counties": ["上党区"]}, zones=zones)
    result = gx.export_records(plan.zones, "zones", "shp", scope=CountyScope(), plan=plan, epsg=4547)
    table = result.files[gx.FIELD_TABLE].decode("utf-8-sig")
    assert "PQBH,编号" in table and "PQMC,名称" in table and "PQLB,类别" in table and "BZ,备注" in table
    back = import_files(
        [InputFile("片区.zip", gx.zipped(result.files))], "zones-new", kind="zones", dry_run=True
    )
    assert back.ok, back.message
    frame = back.checked.frame
    assert frame[["id", "name", "category", "area", "area_unit", "note"]].values.tolist() == [
        ["P1", "韩店片区", "低效工业片区", "96.5", "公顷", "含东关村"],
        ["P2", "西火片区", "低效村庄片区", "1200", "亩", ""],
    ]


def test_points_and_polygons_cannot_share_a_shapefile_but_a_geopackage():
    plan = _mixed_plan()
    records = plan.parcels.copy()
    records.loc[1, ["geometry", "geometry_source"]] = ["POINT (113.06 36.06)", gx.SURVEYED]
    with pytest.raises(gx.ExportError, match="Shapefile 一个文件只能存一种"):
        gx.export_records(records, "parcels", "shp", scope=CountyScope(), plan=plan)
    assert gx.export_records(records, "parcels", "gpkg", scope=CountyScope(), plan=plan).written == 3


def test_records_page_gives_an_analyst_the_right_holders_in_the_geopackage(
    surveyed_samples,
    downloads,  # noqa: F811 - the fixture imported from tests.test_app_scope
    tmp_path,
):
    from tests.accounts import sign_in
    from tests.pages import open_page
    from tests.test_app_scope import _download

    at = open_page("records", session=sign_in("analyst"), plan="shangdang-2021", timeout=120)
    layer = _read(_download(at, downloads, "records_gpkg"), "analyst.gpkg", tmp_path)
    assert PERSON in set(layer["权利人"]) and PERSON in set(layer["名称"])
