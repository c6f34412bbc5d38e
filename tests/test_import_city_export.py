"""A city's database exported from its GIS server imports right on the proposed mapping alone.

The fixture (tests/city_export.py, 模拟) reproduces each failure of the first release: feature ids
per layer, a 街道 column named like a 区县 column, year-range phases, range-valued 容积率.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from panhuo.importing import InputFile, import_files, new_plan_meta
from panhuo.importing.mapping import editor_rows, propose_mapping
from panhuo.store import Store
from tests.city_export import COUNTIES, city_export, parcels
from tests.test_store import use_data_dir, use_database


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database("sqlite", tmp_path, monkeypatch)


HUZHOU = new_plan_meta(
    "huzhou-db",
    title="湖州市低效用地数据库（模拟）",
    province="浙江省",
    city="湖州市",
    counties=list(COUNTIES),
)  # the plan's unit stays 公顷: the area field's 平方米 comes from its ratio to Shape_Area
N = 500


@pytest.fixture(scope="module")
def export() -> dict[str, bytes]:
    return city_export(N, seed=7)


def _files(layers: dict[str, bytes]) -> list[InputFile]:
    return [InputFile(name, body) for name, body in layers.items()]


def _field_of(mapping, column: str) -> str:
    return next(c.field for c in mapping.columns if c.column == column)


def test_the_proposed_mapping_reads_the_values_and_shows_why(export):
    result = import_files(_files(export), "huzhou-db", plan_meta=HUZHOU, dry_run=True)
    now, planned = (layer.mapping for layer in result.checked.analysis.layers)
    assert {c: _field_of(now, c) for c in ("id", "地块编号", "县名称", "行政区名称", "大类名称")} == {
        "id": "",  # the server's feature id is kept as an extra column, not taken as the parcel id
        "地块编号": "id",
        "县名称": "county",
        "行政区名称": "town",
        "大类名称": "type",
    }
    assert {
        c: _field_of(planned, c)
        for c in ("id", "地块编号", "再开发时序", "片区编号", "开发潜力", "规划容积率")
    } == {
        "id": "",
        "地块编号": "id",
        "再开发时序": "phase",
        "片区编号": "zone",
        "开发潜力": "potential",
        "规划容积率": "far_after",
    }
    shown = {row["列"]: row for row in editor_rows(now)}
    assert shown["县名称"]["识别方式"] == "按列中的值"
    assert shown["县名称"]["依据"] == "值为本市的区县名：吴兴区、南浔区、德清县（5/5 个不同值）"
    assert shown["行政区名称"]["依据"].startswith(
        "表头像“区县”，但值为乡镇街道（月河街道、南浔镇、武康街道）"
    )
    assert (shown["面积"]["单位"], shown["面积"]["依据"]) == (
        "平方米",
        "单位按 Shape_Area 推定为平方米（面积 ÷ Shape_Area 的中位比值 1.000）",
    )
    assert shown["id"]["依据"].startswith("表头像“编号”，但值为 GIS 软件生成的要素编号（dxyd_xz.1")


def test_the_two_layers_join_on_the_parcel_number_with_every_field(export):
    result = import_files(_files(export), "huzhou-db", plan_meta=HUZHOU, dry_run=True)
    checked = result.checked
    assert result.ok and checked.counts == {
        "rows": N,
        "rejected": 0,
        "valid": N,
        "warnings": checked.counts["warnings"],
    }
    key = checked.join
    assert (key.main_header, key.second_header, key.matched_main, key.matched_second) == (
        "地块编号",
        "地块编号",
        N,
        N,
    )
    frame = checked.valid_frame
    truth = {row["地块编号"]: row for row in parcels(N, seed=7)}
    assert frame["county"].value_counts().to_dict() == {name: N // 5 for name in COUNTIES}
    for record in frame.head(50).to_dict("records"):  # every 规划 value landed on its own parcel
        expected = truth[record["id"]]
        assert (record["county"], record["town"], record["type"]) == (
            expected["县名称"],
            expected["行政区名称"],
            expected["大类名称"],
        )
        assert (record["phase"], record["zone"], record["potential"], record["far_after"]) == (
            expected["再开发时序"],
            expected["片区编号"],
            expected["开发潜力"],
            expected["规划容积率"],
        )
    assert set(frame["phase"]) == {"2024年", "2025年", "2026年", "2026年以后"}
    assert set(frame["area_unit"]) == {"平方米"}
    assert sum(Decimal(a) for a in frame["area"]) == sum(Decimal(r["面积"]) for r in truth.values())
    shown = [p.problem for p in result.problems]
    assert "面积字段“面积”的单位经 Shape_Area 核对为平方米（中位比值 1.000，500 个要素）" in shown
    assert any(
        p.startswith("拓扑检查：500 个图斑，重叠 0 处，细碎图斑 0 个，不在所填区县 0 个") for p in shown
    )


def test_a_range_valued_far_keeps_its_text_and_its_bounds(export):
    frame = import_files(_files(export), "huzhou-db", plan_meta=HUZHOU, dry_run=True).checked.valid_frame
    by_text = frame.drop_duplicates("far_after").set_index("far_after")
    assert by_text.loc["≤1.0,＞0", ["规划容积率下限", "规划容积率上限"]].tolist() == ["0", "1.0"]
    assert by_text.loc["1.0-2.0", ["规划容积率下限", "规划容积率上限"]].tolist() == ["1.0", "2.0"]
    assert by_text.loc["≤2.5", ["规划容积率下限", "规划容积率上限"]].tolist() == ["", "2.5"]
    assert by_text.loc["2.0", ["规划容积率下限", "规划容积率上限"]].tolist() == ["", ""]  # a number: no range
    density = frame.drop_duplicates("density_after").set_index("density_after")
    assert density.loc["30%-45%", ["规划建筑密度下限(%)", "规划建筑密度上限(%)"]].tolist() == ["30", "45"]


def test_a_join_that_cannot_work_is_refused_before_anything_is_written(sqlite_url):
    files = _files(city_export(120, seed=3, planned_ids="renumbered"))
    store = Store.open()
    before = len(store.versions("huzhou-db")) if store.exists() else 0
    for valid_only in (False, True):
        result = import_files(
            files, "huzhou-db", plan_meta=HUZHOU, store=store, actor=_actor(), valid_only=valid_only
        )
        assert not result.ok and result.imported == 0
        refusal = [p for p in result.problems if p.severity == "error" and p.row is None]
        assert len(refusal) == 1
        assert "多数行无法对应，不能合并，未写入任何数据（只导入有效行也不会导入）" in refusal[0].problem
        assert "GIS 软件生成的要素编号" in refusal[0].suggestion
    assert (len(store.versions("huzhou-db")) if store.exists() else 0) == before


def test_valid_only_leaves_the_unjoined_parcels_out_and_lists_them(sqlite_url):
    layers = city_export(100, seed=5)
    planned = json.loads(layers["低效用地规划.geojson"])
    dropped = {f["properties"]["地块编号"] for f in planned["features"][:7]}
    planned["features"] = planned["features"][7:]
    layers["低效用地规划.geojson"] = json.dumps(planned, ensure_ascii=False).encode()
    store = Store.open()
    refused = import_files(_files(layers), "huzhou-db", plan_meta=HUZHOU, store=store, actor=_actor())
    assert not refused.ok and refused.imported == 0
    result = import_files(
        _files(layers), "huzhou-db", plan_meta=HUZHOU, store=store, actor=_actor(), valid_only=True
    )
    assert result.ok and result.imported == 93
    listed = {p.value for p in result.problems if p.severity == "error" and p.file == "低效用地现状.geojson"}
    assert listed == dropped


def _actor():
    from panhuo.access import system_user

    return system_user()


# --- the mapping survives shuffled and renamed columns ----------------------------------------

COUNTY_HEADERS = ["县名称", "所在区县", "区县名称", "XZQMC", "县区", "所属区县"]
TOWN_HEADERS = ["行政区名称", "行政区", "乡镇", "所在乡镇(街道)", "XZMC", "镇街"]  # 行政区*: misleading
PHASE_HEADERS = ["再开发时序", "实施时序", "时序", "SSSX", "计划实施年份"]
ID_HEADERS = ["地块编号", "DKBH", "编号", "宗地编号", "唯一标识"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order_seed=st.integers(0, 10_000),
    county=st.sampled_from(COUNTY_HEADERS),
    town=st.sampled_from(TOWN_HEADERS),
    phase=st.sampled_from(PHASE_HEADERS),
    ident=st.sampled_from(ID_HEADERS),
)
def test_shuffled_and_renamed_columns_still_map_right(order_seed, county, town, phase, ident):
    rows = parcels(60, seed=order_seed)
    columns = {
        "id": [f"dxyd.{i + 1}" for i in range(len(rows))],
        ident: [r["地块编号"] for r in rows],
        county: [r["县名称"] for r in rows],
        town: [r["行政区名称"] for r in rows],
        phase: [r["再开发时序"] for r in rows],
        "大类名称": [r["大类名称"] for r in rows],
        "面积": [r["面积"] for r in rows],
    }
    headers = list(columns)
    random.Random(order_seed).shuffle(headers)
    mapping = propose_mapping(
        headers, [], "parcels", column_values=[columns[h] for h in headers], counties=list(COUNTIES)
    )
    got = {c.field: c.column for c in mapping.columns if c.field}
    assert (got.get("id"), got.get("county"), got.get("town"), got.get("phase"), got.get("type")) == (
        ident,
        county,
        town,
        phase,
        "大类名称",
    )


def test_a_row_count_is_not_the_key_when_the_parcel_number_matches():
    now = "序号,地块编号,面积（公顷）,用途\n1,DK-7,1.5,工业用地\n2,DK-3,2.0,工业用地\n3,DK-5,0.8,商业用地\n"
    planned = "序号,地块编号,用途\n1,DK-5,住宅用地\n2,DK-7,商业用地\n3,DK-3,工业用地\n"  # another order
    files = [InputFile("现状.csv", now.encode()), InputFile("规划.csv", planned.encode())]
    meta = new_plan_meta("x", city="湖州市", province="浙江省")
    checked = import_files(files, "x", plan_meta=meta, dry_run=True).checked
    assert (checked.join.main_header, checked.join.second_header, checked.join.chosen) == (
        "地块编号",
        "地块编号",
        "values",
    )
    frame = checked.valid_frame.set_index("地块编号")
    assert frame.loc[["DK-7", "DK-3", "DK-5"], "planned_use"].tolist() == ["商业用地", "工业用地", "住宅用地"]


# --- and back out to GIS --------------------------------------------------------------------


@pytest.mark.parametrize(("name", "epsg"), [("吴兴区.gpkg", 4490), ("吴兴区.zip", 4549)])
def test_the_filtered_parcels_go_back_out_to_gis_and_in_again(
    sqlite_url, export, tmp_path, capsys, name, epsg
):
    import pyogrio

    from panhuo import cli

    store = Store.open()
    imported = import_files(_files(export), "huzhou-db", plan_meta=HUZHOU, store=store, actor=_actor())
    assert imported.ok and imported.imported == N
    target = tmp_path / name
    args = ["export", "huzhou-db", "--county", "吴兴区", "--crs", f"EPSG:{epsg}", "-o", str(target)]
    assert cli.main(args) == 0
    assert "地块 100 条" in capsys.readouterr().out
    layer = pyogrio.read_dataframe(f"/vsizip/{target}" if name.endswith(".zip") else target)
    assert len(layer) == N // 5 and layer.crs.to_epsg() == epsg
    county = "区县" if name.endswith(".gpkg") else "XZQMC"
    assert set(layer[county]) == {"吴兴区"}  # the Chinese survives GIS software's reading
    back = import_files([InputFile(name, target.read_bytes())], "back", plan_meta=HUZHOU, dry_run=True)
    again = back.checked.valid_frame
    first = import_files(_files(export), "x", plan_meta=HUZHOU, dry_run=True).checked.valid_frame
    first = first[first["county"] == "吴兴区"]
    assert sorted(again["id"]) == sorted(first["id"])
    assert sum(Decimal(a) for a in again["area"]) == sum(Decimal(a) for a in first["area"])
    assert set(again["area_unit"]) == {"平方米"}
    by_id = again.set_index("id")
    assert by_id.loc[first["id"], "phase"].tolist() == first["phase"].tolist()
    assert by_id.loc[first["id"], "far_after"].tolist() == first["far_after"].tolist()
