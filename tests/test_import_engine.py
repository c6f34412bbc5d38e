"""The import engine end to end: a bureau workbook and a survey layer into the store.

``db_url`` runs a test against SQLite and (when configured) PostgreSQL; ``sqlite_url`` against
SQLite only. Both start from a data folder holding the 上党区 sample plan.
"""

from __future__ import annotations

import copy
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from panhuo.access import system_user
from panhuo.aggregate import summarize
from panhuo.catalog import open_catalog
from panhuo.importing import InputFile, analyse, examples, import_files, new_plan_meta, report_xlsx
from panhuo.importing.report import Problem
from panhuo.reconcile import reconcile
from panhuo.store import Store
from tests.test_store import BACKENDS, use_data_dir, use_database

ACTOR = system_user()  # who the store's writes are made by in these tests

CITY = {"title": "长治市低效用地调查", "province": "山西省", "city": "长治市"}


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database(request.param, tmp_path, monkeypatch)


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database("sqlite", tmp_path, monkeypatch)


def _meta(plan_id: str) -> dict:
    return new_plan_meta(plan_id, **CITY)


def _messy_rows() -> list[list[object]]:
    rows = copy.deepcopy(examples.BUREAU_ROWS)
    rows[0][5] = "约300"  # imported, with a warning
    rows[1][10] = "实施中"  # rejected: stage vocabulary
    rows[3][5] = -5  # rejected: area
    rows[4][2] = "潞州县"  # rejected: not a 区县 of 长治市 (its own group, so its own 小计)
    return rows


def _content_counts(store: Store) -> dict[str, int]:
    counts = store.counts()
    counts.pop("import_reports")
    return counts


def test_bureau_workbook_imports_and_shows_like_a_sample_plan(db_url):
    data = examples.bureau_workbook()
    store = Store.open()
    analysis = analyse([InputFile("地块清单.xlsx", data)])
    proposed = analysis.layers[0].mapping.to_json()
    assert proposed["面积（亩）"] == {"field": "area", "unit": "亩"}
    assert (
        proposed["现状_容积率"]["field"] == "far_before" and proposed["规划_用途"]["field"] == "planned_use"
    )

    result = import_files(
        [InputFile("地块清单.xlsx", data)],
        "changzhi-survey",
        plan_meta=_meta("changzhi-survey"),
        mappings=[proposed],
        store=store,
        actor=ACTOR,
    )
    assert (result.ok, result.status, result.imported, result.rejected) == (True, "imported", 5, 0)
    assert result.version.number == 1
    ((name, digest, content),) = store.source_files(result.version.id)
    assert (name, content) == ("地块清单.xlsx", data)  # the original, byte for byte
    assert digest == InputFile("x", data).sha256 == result.version.source_sha256

    plan = open_catalog().get("changzhi-survey")
    assert plan.origin == "import" and plan.city == "长治市" and plan.counties == ["上党区", "潞州区"]
    by_county = summarize(plan, by="county", unit="mu")
    assert by_county["count"] == 5
    assert {g["key"]: Decimal(str(g["area"])) for g in by_county["groups"]} == {
        "上党区": Decimal("108.45"),
        "潞州区": Decimal("86.1"),
    }
    findings = reconcile(plan)
    assert findings and {f.severity for f in findings} == {"ok"}  # 小计 and 合计 agree with the rows
    table = next(iter(plan.tables.values()))
    assert "权利人" not in table.frame.columns  # never in a published table
    assert store.saved_mapping(analysis.layers[0].mapping.layout) == proposed


def test_a_file_with_rejected_rows_imports_nothing_but_its_report(db_url):
    store = Store.open()
    before = _content_counts(store)
    data = examples.bureau_workbook(_messy_rows())
    result = import_files(
        [InputFile("messy.xlsx", data)],
        "changzhi-messy",
        plan_meta=_meta("changzhi-messy"),
        store=store,
        actor=ACTOR,
    )
    assert (result.ok, result.status, result.imported, result.rejected) == (False, "failed", 0, 3)
    assert "未写入任何数据" in result.message
    assert _content_counts(store) == before
    (report,) = store.reports("changzhi-messy")
    assert report["status"] == "failed" and len(report["problems"]) == len(result.problems)
    assert "changzhi-messy" not in open_catalog()


def test_valid_only_imports_the_valid_rows_and_lists_every_other(db_url):
    store = Store.open()
    data = examples.bureau_workbook(_messy_rows())
    result = import_files(
        [InputFile("messy.xlsx", data)],
        "changzhi-messy",
        plan_meta=_meta("changzhi-messy"),
        valid_only=True,
        store=store,
        actor=ACTOR,
    )
    assert (result.ok, result.status, result.imported, result.rejected) == (True, "partial", 2, 3)
    imported = store.version_frame(result.version.id)
    assert imported["name"].tolist() == ["长治钛白粉厂", "南街旧城片"]
    assert imported["area"].tolist() == ["约300", "18.75"]  # values kept as printed
    errors = {p.row for p in result.problems if p.severity == "error"}
    data_rows = [r.number for r in result.checked.analysis.layers[0].table.data_rows]
    imported_rows = {int(s.rsplit("第", 1)[1].rstrip("行")) for s in imported["source"]}
    assert imported_rows | errors == set(data_rows) and not imported_rows & errors
    # the row numbers travel as integers beside the records, and only the shown 出处 says 第n行
    checked = result.checked
    assert checked.frame["source_row"].tolist() == data_rows
    assert checked.rejected_rows == errors
    assert "source_row" not in imported.columns


def test_disagreeing_subtotal_is_reported_and_kept_for_the_audit(sqlite_url):
    data = examples.bureau_workbook(subtotal_override={"上党区": 100})
    result = import_files(
        [InputFile("t.xlsx", data)], "changzhi-totals", plan_meta=_meta("changzhi-totals"), actor=ACTOR
    )
    assert result.ok  # a wrong total is the document's problem, not a row's
    (warning,) = [p for p in result.problems if p.severity == "warning"]
    assert (
        warning.row == 8
        and "小计行与明细不符：表中为 100.00，3 行明细之和为 108.45，差 -8.45" in warning.problem
    )
    severities = {f.item: f.severity for f in reconcile(open_catalog().get("changzhi-totals"))}
    assert "mismatch" in severities.values()


def test_mapping_is_remembered_per_layout(sqlite_url):
    store = Store.open()
    data = examples.bureau_workbook()
    first = import_files(
        [InputFile("a.xlsx", data)],
        "changzhi-a",
        plan_meta=_meta("changzhi-a"),
        mappings=[{"备注": "actor"}],
        store=store,
        actor=ACTOR,
    )
    assert first.ok
    again = analyse([InputFile("b.xlsx", data)], store=store)
    choice = again.layers[0].mapping.choice("actor")
    assert (choice.column, choice.how) == ("备注", "saved")


def test_gbk_csv_into_a_sample_plan_then_restore_the_sample(db_url):
    store = Store.open()
    text = "序号,地块名称,乡镇,类型,面积（公顷）,实施阶段\n1,韩店新厂区,韩店街道,旧厂矿,2.5,储备\n2,荫城老街,荫城镇,旧城镇,1.25,正在实施\n"
    result = import_files(
        [InputFile("地块.csv", text.encode("gbk"))], "shangdang-2021", store=store, actor=ACTOR
    )
    assert result.ok and result.version.number == 2
    plan = open_catalog().get("shangdang-2021")
    assert plan.origin == "import" and plan.parcels["county"].tolist() == ["上党区", "上党区"]
    assert plan.parcels["derived"].str.contains("按规划范围").all()
    assert any("GBK" in p.problem for p in result.problems)
    restored = store.restore("shangdang-2021", "parcels", 1, actor=ACTOR)
    assert restored.number == 3
    plan = open_catalog().get("shangdang-2021")
    assert plan.origin == "sample" and len(plan.parcels) == 89


def test_two_csv_files_are_joined_on_the_id(sqlite_url):
    now = "编号,名称,面积（公顷）,容积率,用途\nA1,甲,1.5,0.6,工业用地\nA2,乙,2.0,0.5,工业用地\n"
    planned = "编号,容积率,用途\nA1,2.0,商业用地\nA9,1.5,商业用地\n"
    files = [InputFile("现状.csv", now.encode()), InputFile("规划.csv", planned.encode())]
    result = import_files(files, "joined", plan_meta=_meta("joined"), dry_run=True)
    frame = result.checked.frame
    assert frame[["id", "far_before", "far_after", "current_use", "planned_use"]].values.tolist() == [
        ["A1", "0.6", "2.0", "工业用地", "商业用地"],
        ["A2", "0.5", "", "工业用地", ""],
    ]
    problems = [(p.severity, p.file, p.row) for p in result.problems if p.severity != "info"]
    # neither unmatched row is imported as if the other file had nothing to say of it
    assert ("error", "规划.csv", 3) in problems and ("error", "现状.csv", 3) in problems
    assert result.checked.counts["valid"] == 1 and result.checked.counts["rejected"] == 2
    assert not result.ok  # import only with --valid-only, which takes A1 alone
    join = [p.problem for p in result.problems if p.severity == "info" and "对应" in p.problem]
    assert join == [
        "两个图层按编号列对应：第一个文件“编号” ↔ 第二个文件“编号”，"
        "第一个文件 1/2（50.0%） 行、第二个文件 1/2（50.0%） 行能对应"
    ]


@pytest.fixture
def layer_files():
    gpkg = examples.layer_bytes(examples.survey_layer())
    planned = examples.layer_bytes(examples.planned_layer(), "GeoJSON")
    return [InputFile("调查单元.gpkg", gpkg), InputFile("规划.geojson", planned)]


def test_survey_layer_joined_with_its_planned_layer(db_url, layer_files):
    store = Store.open()
    result = import_files(layer_files, "shangdang-2021", store=store, actor=ACTOR)
    assert result.ok and result.imported == 4
    plan = open_catalog().get("shangdang-2021")
    parcels = plan.parcels
    # the shapes are stored apart (WKB) and read only by what draws them, not with the plan
    assert "geometry" not in parcels
    shapes = store.version_geometry(plan.shapes["parcels"])
    assert [g.geom_type for g in shapes] == ["Polygon"] * 4
    assert set(parcels["geometry_source"]) == {"实测图形"}
    assert parcels[["id", "far_before", "far_after", "density_after"]].values.tolist()[0] == [
        "140404001",
        "0.6",
        "2",
        "40",
    ]
    assert parcels["地均固定资产投资"].tolist() == ["120", "60", "80", "150"]
    assert parcels["area_unit"].unique().tolist() == ["平方米"]
    assert summarize(plan, unit="ha")["area"] == pytest.approx(8.09)
    assert any("面积核对：4 个图形，4 个与记录面积一致" in p.problem for p in result.problems)


def test_layer_problems_geometry_without_attributes_and_area_mismatch(sqlite_url):
    rows = copy.deepcopy(examples.SURVEY_ROWS)
    rows[1] = [None] * len(rows[1])  # a drawn polygon nobody described
    gdf = examples.survey_layer(rows)
    gdf.loc[1, "MJ"] = None
    gdf.loc[2, "MJ"] = 125000.0  # recorded ten times the drawn area
    result = import_files([InputFile("dcdy.gpkg", examples.layer_bytes(gdf))], "shangdang-2021", dry_run=True)
    errors = [(p.row, p.problem) for p in result.problems if p.severity == "error"]
    assert errors == [(2, "有图形但没有属性")]
    warnings = [p for p in result.problems if p.severity == "warning"]
    assert [p.row for p in warnings] == [3] and "超出允许误差" in warnings[0].problem


def test_zipped_shapefile_and_a_shapefile_missing_its_parts(sqlite_url):
    shp = examples.layer_bytes(examples.survey_layer(), "ESRI Shapefile")
    assert import_files([InputFile("dcdy.zip", shp)], "shangdang-2021", dry_run=True).ok
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(shp)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if not info.filename.endswith((".shx", ".dbf")):
                target.writestr(info, source.read(info))
    result = import_files(
        [InputFile("broken.zip", buffer.getvalue())], "shangdang-2021", store=Store.open(), actor=ACTOR
    )
    (error,) = [p for p in result.problems if p.severity == "error"]
    assert error.row is None and (".shx" in error.problem or "索引" in error.problem)
    assert result.status == "failed"


def test_shapefile_without_prj_asks_for_the_crs_and_a_zip_bomb_is_refused(sqlite_url):
    shp = examples.layer_bytes(examples.survey_layer(), "ESRI Shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(shp)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if not info.filename.endswith(".prj"):
                target.writestr(info, source.read(info))
    no_prj = InputFile("noprj.zip", buffer.getvalue())
    result = import_files([no_prj], "shangdang-2021", dry_run=True)
    (error,) = [p for p in result.problems if p.severity == "error"]
    assert "坐标系" in error.problem and "EPSG:4526" in error.suggestion
    assert import_files([no_prj], "shangdang-2021", dry_run=True, crs="EPSG:4526").ok
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dcdy.shp", b"\x00" * (8 * 1024 * 1024))
    result = import_files([InputFile("bomb.zip", bomb.getvalue())], "shangdang-2021", dry_run=True)
    assert "压缩炸弹" in result.problems[0].problem


def test_uncached_formula_cell_rejects_its_row(sqlite_url):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "地块名称", "面积（亩）"])
    ws.append([1, "甲", 30])
    ws.append([2, "乙", "=C2*2"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = import_files(
        [InputFile("f.xlsx", buffer.getvalue())], "f-plan", plan_meta=_meta("f-plan"), dry_run=True
    )
    (error,) = [p for p in result.problems if p.severity == "error"]
    assert (error.row, error.column, error.problem) == (3, "面积（亩）", "公式单元格没有保存计算结果")


def test_zones_import(sqlite_url):
    text = "区县,类别,片区名称,位置,面积（亩）,实施阶段\n上党区,低效工业片区,韩店片区,韩店街道,300,正在实施\n"
    result = import_files(
        [InputFile("片区.csv", text.encode())],
        "zones-plan",
        kind="zones",
        plan_meta=_meta("zones-plan"),
        actor=ACTOR,
    )
    assert result.ok
    plan = open_catalog().get("zones-plan")
    assert plan.zones["name"].tolist() == ["韩店片区"] and plan.zones["id"].tolist() == ["1"]
    assert float(plan.zones["area_ha"].iloc[0]) == pytest.approx(20.0)


def test_report_workbook_is_readable_and_safe():
    problems = [
        Problem("error", "面积必须大于 0", "请核对", row=9, column="面积", value="=1+1", file="a.xlsx"),
        Problem("info", "表头位于第 3、4 行", file="a.xlsx"),
    ]
    wb = openpyxl.load_workbook(io.BytesIO(report_xlsx(problems, {"规划": "x"})))
    ws = wb["问题清单"]
    rows = list(ws.values)
    assert rows[0] == ("级别", "文件", "工作表", "行", "列", "值", "问题", "建议", "类别")
    assert rows[1][8] == rows[2][8] == "属性结构"  # made without a family: inferred from the text
    assert rows[1][:4] == ("提示", "a.xlsx", None, None)  # what concerns the whole file comes first
    # never a live formula, and shown as written: a text cell "=1+1", no apostrophe added
    assert rows[2][0] == "错误（该行未导入）" and rows[2][3] == 9 and rows[2][5] == "=1+1"
    assert ws.cell(row=3, column=6).data_type == "s"
    assert wb["概要"]["B1"].value == "x"


def test_after_a_partial_import_the_audit_compares_the_printed_totals_with_the_rows_held(sqlite_url):
    """The 小计 rows are the document's figures; the rows left out of a partial import are not
    in the plan, so the audit shows the 小计 of their group disagreeing by exactly their area."""
    data = examples.bureau_workbook(_messy_rows())
    result = import_files(
        [InputFile("messy.xlsx", data)],
        "changzhi-part",
        plan_meta=_meta("changzhi-part"),
        valid_only=True,
        actor=ACTOR,
    )
    assert result.ok and result.imported == 2
    plan = open_catalog().get("changzhi-part")
    assert plan.meta["source_file"] == "messy.xlsx" and "messy.xlsx" in plan.meta["summary"]
    (table,) = plan.tables.values()
    assert "未导入的 3 行见导入报告" in table.note
    findings = {f.item: f for f in reconcile(plan)}
    shangdang = next(f for item, f in findings.items() if item.startswith("上党区小计"))
    # printed: 约300 + 52.5 + 18.75 (the SUM's cached value); held: 约300 and 18.75
    assert shangdang.severity == "mismatch"
    assert Decimal(str(shangdang.documented)) - Decimal(str(shangdang.computed)) == Decimal("52.5")


def test_gis_attribute_text_per_column_is_the_text_per_cell():
    """A layer's attributes become text a column at a time (:func:`panhuo.importing.gis._column_text`,
    repeated values worked out once): the same text the cell-by-cell rule gives, for text, numbers
    (1, 1.0 and True told apart), missing values, dates, bytes and numpy scalars."""
    import datetime as dt

    import numpy as np

    from panhuo.importing.gis import _column_text, _isna, _text

    values = ["  吴兴区 ", "吴兴区", "a\x00b_x000D_", 1, 1.0, True, 2.50, float("nan"), None, np.int64(7),
              np.float64(0.1), dt.datetime(2024, 5, 1), dt.date(2024, 5, 1), b"\xe6\x97\xa7", [1, 2], 1, True]  # fmt: skip
    assert _column_text(values) == ["" if _isna(v) else _text(v) for v in values]
    assert _column_text(values)[3:6] == ["1", "1", "是"]
