"""Bad input never crashes and never writes half a dataset (issue point 6), one case each.

Every case goes through the whole engine into a real store with ``valid_only=True`` (the most
permissive choice): what cannot be read is refused with a Chinese reason, the store's content is
unchanged, and the attempt's report is kept — the only trace a failed import leaves.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from panhuo.importing import MAX_FILE_BYTES, InputFile, examples, import_files, new_plan_meta
from panhuo.store import Store
from tests.test_store import use_data_dir, use_database

PLAN = "bad-input"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    return Store.open()


def _content(store: Store) -> dict[str, int]:
    counts = store.counts()
    counts.pop("import_reports")
    return counts


def _shapefile_without(suffix: str) -> bytes:
    shp = examples.layer_bytes(examples.survey_layer(), "ESRI Shapefile")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(shp)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if not info.filename.endswith(suffix):
                target.writestr(info, source.read(info))
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (20 * 1024 * 1024))  # 20 MB of spaces
    return buffer.getvalue()


def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


CASES = {
    "empty-csv": ("a.csv", lambda: b"", "空文件"),
    "empty-xlsx": ("a.xlsx", lambda: b"", "空文件"),
    "empty-gpkg": ("a.gpkg", lambda: b"", "空文件"),
    "blank-csv": ("a.csv", lambda: b" \r\n\r\n", "没有内容"),
    "empty-layer": ("a.geojson", lambda: b'{"type":"FeatureCollection","features":[]}', "没有任何要素"),
    "wrong-encoding": ("a.csv", lambda: b"\xd5\xfb,\x81\n\x80\x80\xff,1\n", "既不是 UTF-8 也不是 GBK"),
    "binary-as-csv": ("a.csv", lambda: b"PK\x03\x04\x00\x00\x00binary", "二进制"),
    "old-xls": ("a.xls", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Excel"),
    "truncated-xlsx": ("a.xlsx", lambda: examples.bureau_workbook()[:2000], "不是有效的压缩包"),
    "too-large": ("a.csv", lambda: b"x" * (MAX_FILE_BYTES + 1), "超过上限 50 MB"),
    "zip-bomb": ("a.xlsx", _zip_bomb, "压缩炸弹"),
    "shapefile-without-shx": ("a.zip", lambda: _shapefile_without(".shx"), "缺少 .shx"),
    "shapefile-without-dbf": ("a.zip", lambda: _shapefile_without(".dbf"), "缺少 .dbf"),
    "shapefile-without-prj": ("a.zip", lambda: _shapefile_without(".prj"), "没有坐标系信息"),
    "zip-without-shapefile": ("a.zip", lambda: _shapefile_without(".shp"), "没有 Shapefile"),
    "workbook-without-header": (
        "a.xlsx",
        lambda: _workbook([["年度统计"], ["甲", 1, 2], ["乙", 3, 4]]),
        "未能识别表头",
    ),
    "csv-without-header": ("a.csv", lambda: "名字,数字\n甲,1\n".encode(), "未能识别表头"),
    "only-header": ("a.csv", lambda: "序号,地块名称,面积（亩）\n".encode(), "没有可以导入的行"),
    "every-row-bad": (
        "a.csv",
        lambda: "序号,地块名称,面积（亩）\n1,甲,-5\n2,乙,0\n3,丙,约\n".encode("gbk"),
        "没有可以导入的行",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_a_reason_and_writes_nothing(store, case):
    name, make, words = CASES[case]
    before = _content(store)
    result = import_files(
        [InputFile(name, make())], PLAN, plan_meta=new_plan_meta(PLAN), valid_only=True, store=store
    )
    assert (result.ok, result.status, result.imported) == (False, "failed", 0)
    said = " ".join([result.message, *(p.problem for p in result.problems if p.severity == "error")])
    assert words in said, said
    assert _content(store) == before  # no plan, version, record or file
    (report,) = store.reports(PLAN)
    assert report["status"] == "failed" and report["problems"]


def test_text_in_numeric_cells_formulas_and_serial_dates_in_one_workbook(store):
    """约300 and 300亩 and 1,234.5 are read (the first with a warning), a negative area, a zero
    area, an Excel serial date as 实施时序 and a formula saved without its result are rejected and
    listed; with valid_only the three readable rows are imported, nothing else."""
    rows = [
        ["序号", "地块名称", "所在区县", "面积（亩）", "实施时序"],
        [1, "甲", "上党区", "约300", "2025"],
        [2, "乙", "上党区", "300亩", "2024-2026"],
        [3, "丙", "上党区", "1,234.5", "2026"],
        [4, "丁", "上党区", -12, "2025"],
        [5, "戊", "上党区", 0, "2025"],
        [6, "己", "上党区", 20, 45292],
        [7, "庚", "上党区", "=D2*2", "2025"],
    ]
    before = _content(store)
    strict = import_files([InputFile("混合.xlsx", _workbook(rows))], "shangdang-2021", store=store)
    assert (strict.ok, strict.rejected) == (False, 4) and _content(store) == before
    result = import_files(
        [InputFile("混合.xlsx", _workbook(rows))], "shangdang-2021", valid_only=True, store=store
    )
    assert (result.ok, result.status, result.imported, result.rejected) == (True, "partial", 3, 4)
    errors = {(p.row, p.problem) for p in result.problems if p.severity == "error"}
    assert errors == {
        (5, "面积必须大于 0"),
        (6, "面积必须大于 0"),
        (7, "“45292”像是 Excel 日期序列号（对应 2024-01-01）"),
        (8, "公式单元格没有保存计算结果"),
    }
    (warning,) = [p for p in result.problems if p.severity == "warning"]
    assert (warning.row, warning.value) == (2, "约300") and "按 300 读取" in warning.problem
    frame = store.version_frame(result.version.id)
    assert frame["area"].tolist() == ["约300", "300亩", "1,234.5"]  # kept as printed, read as numbers
    from panhuo.catalog import open_catalog

    parcels = open_catalog().get("shangdang-2021").parcels
    assert parcels["area_ha"].astype(float).sum() == pytest.approx((300 + 300 + 1234.5) / 15)
