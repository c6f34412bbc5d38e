"""Zhejiang's survey database as one import: 调查单元 (DCDYTB) checked against 调查区 (DCQTB).

The layers are 模拟 data made by :mod:`tests.survey_fixtures` (five 湖州 区县, EPSG:4528, 39
fields), delivered as one GeoPackage with two layers or as two files (GeoJSON, zipped Shapefile).
"""

from __future__ import annotations

import collections
from decimal import Decimal

import pytest

from panhuo.access import system_user
from panhuo.catalog import open_catalog
from panhuo.importing import InputFile, analyse, import_files, new_plan_meta
from panhuo.importing.survey_zones import (
    DERIVED_FROM_ZONE,
    layer_role,
    zones_frame,
)
from panhuo.privacy import public_records
from panhuo.store import Store
from tests.survey_fixtures import (
    COUNTIES,
    PRIVATE_FIELDS,
    UNIT_FIELDS,
    expected_m2,
    geojson_bytes,
    gpkg_bytes,
    make_survey,
    pair_files,
)
from tests.test_store import use_data_dir, use_database

ACTOR = system_user()
PLAN = "huzhou-survey"
FORMATS = ["gpkg", "geojson", "shp"]


def _meta() -> dict:
    return new_plan_meta(PLAN, title="湖州市低效用地调查（模拟）", province="浙江省", city="湖州市")


def _files(survey, fmt: str) -> list[InputFile]:
    return [InputFile(name, data) for name, data in pair_files(survey, fmt)]


@pytest.fixture(scope="module")
def survey():
    return make_survey(zones_per_county=2, units_per_zone=5, seed=7)


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    return Store.open()


def _county_counts(survey) -> dict[str, int]:
    return dict(collections.Counter(survey.county_of_units()))


def _not_info(problems) -> list[tuple]:
    return [(p.severity, p.sheet, p.row, p.problem) for p in problems if p.severity != "info"]


# --------------------------------------------------------------------------- roles


def test_layer_roles_come_from_the_fields_not_the_file_names(survey):
    assert layer_role(list(survey.zones.columns)) == "zones"
    assert layer_role(list(survey.units.columns)) == "units"
    assert layer_role(["编号", "调查区编号", "调查区名称"]) == "zones"  # 表1-1's Chinese headers
    assert layer_role(["DCQBH", "MJ"]) == ""  # a 调查区 number alone: not a 调查区 layer
    # the files named the other way round, the 调查区 first: still told apart by their fields
    files = [
        InputFile("调查单元.geojson", geojson_bytes(survey.zones)),
        InputFile("调查区.geojson", geojson_bytes(survey.units)),
    ]
    layers = analyse(files).layers
    assert [(la.file.name, la.role) for la in layers] == [
        ("调查区.geojson", "main"),
        ("调查单元.geojson", "zones_of"),
    ]
    assert layers[0].mapping.choice("id").column == "DCDYBH"  # not BSM, the feature's 标识码


@pytest.mark.parametrize("order", [("DCQTB", "DCDYTB"), ("DCDYTB", "DCQTB")])
def test_both_layers_of_one_geopackage_are_read(survey, order):
    layers = analyse([InputFile("调查.gpkg", gpkg_bytes(survey, order))]).layers
    assert [(la.sheet, la.role, len(la.table.data_rows)) for la in layers] == [
        ("DCDYTB", "main", len(survey.units)),
        ("DCQTB", "zones_of", len(survey.zones)),
    ]
    texts = [p.problem for la in layers for p in la.problems]
    assert not any("只读取了" in t for t in texts)
    assert "图层“DCQTB”是调查区图层（有调查区编号、调查区名称，无调查单元编号）" in "".join(texts)


# --------------------------------------------------------------------------- a clean survey


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_unit_imported_with_its_county_area_and_39_fields(survey, fmt):
    result = import_files(_files(survey, fmt), PLAN, plan_meta=_meta(), dry_run=True)
    assert result.ok and result.message == "检查完成：50 行，50 行可导入，0 行有错误。"
    assert _not_info(result.problems) == []
    records = result.checked.valid_frame
    # DCDYTB has no 区县 field: each unit's comes from its 调查区's XZQMC, said in 推算说明
    assert (
        dict(collections.Counter(records["county"]))
        == _county_counts(survey)
        == {name: 10 for name, _, _ in COUNTIES.values()}
    )
    assert set(records["derived"]) == {DERIVED_FROM_ZONE}
    assert records["id"].tolist() == survey.units["DCDYBH"].tolist()
    assert records["zone"].tolist() == survey.units["DCQBH"].tolist()
    assert set(records["area_unit"]) == {"平方米"}
    assert sum(Decimal(a) for a in records["area"]) == expected_m2(survey.units)
    mapping = result.checked.analysis.layers[0].mapping
    fields = {c.column: c.field for c in mapping.columns}
    for code, chinese in UNIT_FIELDS.items():
        if fields[code]:
            assert records[fields[code]].astype(str).str.len().gt(0).all(), code
        else:
            assert chinese in records, code
    assert records["right_holder"].tolist() == survey.units["CQR"].tolist()
    assert records["现状土地使用人"].tolist() == survey.units["XZTDSYR"].tolist()


def test_the_zones_as_a_zones_dataset(survey):
    result = import_files(_files(survey, "gpkg"), PLAN, plan_meta=_meta(), dry_run=True)
    zones = zones_frame(result.checked)
    assert zones["id"].tolist() == survey.zones["DCQBH"].tolist()
    assert zones["name"].str.endswith("（模拟）").all()
    assert zones["county"].tolist() == survey.zones["XZQMC"].tolist()
    assert zones["parcel_count"].tolist() == ["5"] * 10
    assert sum(Decimal(a) for a in zones["area"]) == expected_m2(survey.zones)
    assert set(zones["area_unit"]) == {"平方米"}


def test_imported_into_the_store_with_the_private_fields_kept_private(survey, store):
    result = import_files(_files(survey, "gpkg"), PLAN, plan_meta=_meta(), store=store, actor=ACTOR)
    assert (result.ok, result.status, result.imported) == (True, "imported", 50)
    assert [name for name, _, _ in store.source_files(result.version.id)] == ["湖州模拟低效用地调查.gpkg"]
    plan = open_catalog().get(PLAN)
    parcels = plan.parcels
    assert sorted(plan.counties) == sorted(name for name, _, _ in COUNTIES.values())
    assert dict(collections.Counter(parcels["county"])) == _county_counts(survey)
    assert sum(Decimal(a) for a in parcels["area"]) == expected_m2(survey.units)
    public = public_records(parcels)
    private = {str(v) for code in PRIVATE_FIELDS for v in survey.units[code]}
    shown = {str(v) for column in public.columns for v in public[column].tolist()}
    assert len(private) >= 50 and not private & shown
    assert {"right_holder", "土地证编号", "现状土地使用人"} <= set(parcels.columns)  # kept, privately
    assert "批准文号" in public and "产业类型" in public
    # the 调查区 came in the same import, as the plan's 片区, with their outlines and unit counts
    zones = plan.zones
    assert len(zones) == len(survey.zones) and set(zones["category"]) == {"调查区"}
    assert zones["id"].tolist() == survey.zones["DCQBH"].tolist()
    assert sum(int(n) for n in zones["parcel_count"]) == 50
    assert sum(Decimal(a) for a in zones["area"]) == expected_m2(survey.zones)
    assert [v.dataset for v in store.versions(PLAN)].count("zones") == 1
    assert any(p.problem.startswith(f"同时导入片区 {len(survey.zones)} 个") for p in result.problems)


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("fmt", ["gpkg", "shp"])
def test_fault_knobs_give_their_report_rows(fmt):
    survey = make_survey(zones_per_county=2, units_per_zone=4, seed=3, unknown_zone=2, outside=1, missing=1)
    result = import_files(_files(survey, fmt), PLAN, plan_meta=_meta(), dry_run=True)
    sheet = "DCDYTB" if fmt == "gpkg" else ""
    by_kind = {
        kind: [f for f in survey.faults if f.kind == kind] for kind in ("unknown_zone", "outside", "missing")
    }
    expected = [
        (
            "error",
            sheet,
            f.row,
            f"所在调查区编号“{f.zone}”在调查区图层（DCQTB）中不存在，该调查单元未导入",
        )
        for f in by_kind["unknown_zone"]
    ]
    expected += [("error", sheet, f.row, "面积为空（必填）") for f in by_kind["missing"]]
    outside = by_kind["outside"][0]
    found = _not_info(result.problems)
    warning = [p for p in found if p[0] == "warning"]
    assert sorted(p for p in found if p[0] == "error") == sorted(expected)
    # the unit moved out of its 调查区 may land on a neighbour: the topology check says so too
    overlaps = [p for p in warning if "重叠" in p[3]]
    assert all(f"第 {outside.row} 个要素" in p[3] for p in overlaps)
    warning = [p for p in warning if p not in overlaps]
    assert len(warning) == 1 and warning[0][2] == outside.row
    assert warning[0][3].startswith("调查单元有 3") and warning[0][3].endswith(
        f"的面积位于所在调查区“{outside.zone}”之外"
    )
    assert result.checked.counts == {"rows": 40, "rejected": 3, "valid": 37, "warnings": 1 + len(overlaps)}
    assert not result.ok
    rejected = result.checked.rejected_rows
    assert rejected == set(survey.faulty_rows("unknown_zone") + survey.faulty_rows("missing"))


def test_a_unit_of_a_missing_zone_writes_nothing_unless_valid_only(survey, store):
    faulty = make_survey(zones_per_county=2, units_per_zone=5, seed=7, unknown_zone=1)
    before = store.counts()
    result = import_files(_files(faulty, "geojson"), PLAN, plan_meta=_meta(), store=store, actor=ACTOR)
    assert (result.ok, result.status, result.imported, result.version) == (False, "failed", 0, None)
    assert result.message == ("有 1 行未通过检查，未写入任何数据。请修正文件后重新导入，或选择只导入有效行。")
    after = store.counts()
    assert after.pop("import_reports") == before.pop("import_reports") + 1  # only the report
    assert after == before and open_catalog().find(PLAN) is None
    result = import_files(
        _files(faulty, "geojson"), PLAN, plan_meta=_meta(), store=store, actor=ACTOR, valid_only=True
    )
    assert (result.ok, result.status, result.imported, result.rejected) == (True, "partial", 49, 1)
    parcels = open_catalog().get(PLAN).parcels
    assert faulty.faults[0].unit not in set(parcels["id"])


def test_county_from_the_zone_code_or_the_unit_number_when_the_zone_has_no_name():
    survey = make_survey(zones_per_county=1, units_per_zone=3, counties=["330521", "330523"])
    survey.zones = survey.zones.drop(columns=["XZQMC"])
    result = import_files(_files(survey, "geojson"), PLAN, plan_meta=_meta(), dry_run=True)
    records = result.checked.valid_frame
    assert records["county"].tolist() == ["德清县"] * 3 + ["安吉县"] * 3
    assert records["derived"].tolist()[0] == "区县由所在调查区（DCQTB）的行政区代码330521填写"
    survey.zones = survey.zones.drop(columns=["XZQDM"])
    result = import_files(_files(survey, "geojson"), PLAN, plan_meta=_meta(), dry_run=True)
    records = result.checked.valid_frame
    assert records["county"].tolist() == ["德清县"] * 3 + ["安吉县"] * 3
    assert records["derived"].tolist()[-1] == "区县由调查单元编号前 6 位行政区划代码330523填写"


def test_chinese_headers_of_the_schema_are_the_same_survey():
    survey = make_survey(zones_per_county=1, units_per_zone=3)
    survey.units = survey.units.rename(columns=UNIT_FIELDS)
    survey.zones = survey.zones.rename(
        columns={
            "DCQBH": "调查区编号",
            "DCQMC": "调查区名称",
            "XZQDM": "行政区代码",
            "XZQMC": "行政区名称",
            "MJ": "面积",
        }
    )
    result = import_files(_files(survey, "gpkg"), PLAN, plan_meta=_meta(), dry_run=True)
    assert [(la.sheet, la.role) for la in result.checked.analysis.layers] == [
        ("DCDYTB", "main"),
        ("DCQTB", "zones_of"),
    ]
    records = result.checked.valid_frame
    assert records["id"].tolist() == survey.units["调查单元编号"].tolist()
    assert dict(collections.Counter(records["county"])) == {name: 3 for name, _, _ in COUNTIES.values()}
    # 面积 says no unit: the survey's m², so the drawn areas agree and nothing is listed
    assert set(records["area_unit"]) == {"平方米"}
    assert not [p for p in result.problems if p.severity != "info" and p.column == "面积"]


def test_a_zone_naming_a_county_the_city_lacks_is_listed():
    survey = make_survey(zones_per_county=2, units_per_zone=2, counties=["330502"])
    survey.zones.loc[1, "XZQMC"] = "吴兴县"
    result = import_files(_files(survey, "gpkg"), PLAN, plan_meta=_meta(), dry_run=True)
    assert result.ok
    [warning] = [p for p in result.problems if p.severity == "warning"]
    assert (warning.sheet, warning.row, warning.column, warning.value) == ("DCQTB", 2, "XZQMC", "吴兴县")
    assert warning.problem.startswith(
        "调查区的行政区名称“吴兴县”不是湖州市的区县（依据：行政区划数据中湖州市所辖区县"
    )
    assert result.checked.valid_frame["county"].tolist() == ["吴兴区", "吴兴区", "吴兴县", "吴兴县"]


def test_a_unit_layer_alone_imports_as_before():
    survey = make_survey(zones_per_county=1, units_per_zone=3, counties=["330522"])
    files = [InputFile("调查单元.geojson", geojson_bytes(survey.units))]
    result = import_files(files, PLAN, plan_meta=_meta(), dry_run=True)
    assert result.ok and [la.role for la in result.checked.analysis.layers] == ["main"]
    assert set(result.checked.valid_frame["county"]) == {"长兴县"}  # from the numbers' 330522


def test_remembered_mappings_of_both_layouts(survey, store):
    # the 调查区 layer imported alone as 地块 first: its layout remembered with 地块 fields (片区)
    alone = [InputFile("湖州模拟_调查区.geojson", geojson_bytes(survey.zones))]
    meta = new_plan_meta("huzhou-zones", province="浙江省", city="湖州市")
    assert import_files(alone, "huzhou-zones", plan_meta=meta, store=store, actor=ACTOR).ok
    for number in (1, 2):  # the pair, twice: the second time with both layouts remembered
        result = import_files(_files(survey, "geojson"), PLAN, plan_meta=_meta(), store=store, actor=ACTOR)
        assert (result.ok, result.imported, result.version.number) == (True, 50, number)
        units, zones = result.checked.analysis.layers
        assert (units.mapping.choice("id").column, zones.mapping.choice("id").column) == ("DCDYBH", "DCQBH")
        assert set(result.checked.valid_frame["county"]) == {name for name, _, _ in COUNTIES.values()}


def test_a_unit_numbered_in_another_county_than_its_zone_is_listed():
    survey = make_survey(zones_per_county=1, units_per_zone=2, counties=["330502", "330503"])
    survey.units.loc[0, "DCDYBH"] = "3305030019999"  # 南浔区's code, in a 吴兴区 调查区
    result = import_files(_files(survey, "gpkg"), PLAN, plan_meta=_meta(), dry_run=True)
    assert result.ok
    assert _not_info(result.problems) == [
        (
            "warning",
            "DCDYTB",
            1,
            "调查单元编号前 6 位（330503）与所在调查区“330502001”的行政区代码（330502）不一致，区县按调查区填写",
        )
    ]
    assert result.checked.valid_frame["county"].tolist() == ["吴兴区", "吴兴区", "南浔区", "南浔区"]


def test_a_unit_layer_without_zone_numbers_is_said_once():
    survey = make_survey(zones_per_county=1, units_per_zone=2, counties=["330521"])
    survey.units = survey.units.drop(columns=["DCQBH"])
    result = import_files(_files(survey, "geojson"), PLAN, plan_meta=_meta(), dry_run=True)
    assert result.ok and result.checked.counts["valid"] == 2
    assert _not_info(result.problems) == [
        ("warning", "", None, "调查单元图层没有所在调查区编号（DCQBH）字段，调查单元未按调查区核对")
    ]
    records = result.checked.valid_frame
    assert records["county"].tolist() == ["德清县"] * 2
    assert set(records["derived"]) == {"区县由调查单元编号前 6 位行政区划代码330521填写"}


def test_a_unit_layer_alone_takes_its_county_from_the_code_its_number_begins_with():
    from panhuo.importing import InputFile, import_files, new_plan_meta

    survey = make_survey(zones_per_county=2, units_per_zone=3)
    units = [InputFile(*f) for f in pair_files(survey, "geojson") if "调查单元" in f[0]]
    meta = new_plan_meta("zj-units", province="浙江省", city="湖州市")
    frame = import_files(units, "zj-units", plan_meta=meta, dry_run=True).checked.valid_frame
    assert frame["county"].value_counts().to_dict() == {
        c: 6 for c in ("吴兴区", "南浔区", "德清县", "长兴县", "安吉县")
    }
    assert frame.loc[0, "derived"] == f"区县由编号开头的行政区划代码 {frame.loc[0, 'id'][:6]} 填写"
