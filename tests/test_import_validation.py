"""Row-level validation: one bad cell at a time, the Chinese problem and suggestion it gets."""

from __future__ import annotations

import pytest

from panhuo.importing import InputFile, import_files, new_plan_meta
from panhuo.importing.validation import serial_date, suggest

HEADER = [
    "序号",
    "地块名称",
    "所在区县",
    "类型",
    "面积（亩）",
    "实施时序",
    "实施阶段",
    "现状容积率",
    "现状建筑密度",
    "潜力等级",
    "现状用途",
]
GOOD = [
    "1",
    "长治钛白粉厂",
    "上党区",
    "旧厂矿",
    "37.20",
    "2021-2025",
    "计划实施",
    "0.6",
    "35",
    "高",
    "工业用地",
]
META = new_plan_meta("check-plan", title="检查", province="山西省", city="长治市", counties=["上党区"])


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in [HEADER, *rows]).encode(
        encoding
    )


def _check(rows: list[list[str]], **kwargs):
    return import_files(
        [InputFile("地块.csv", _csv(rows))], "check-plan", plan_meta=META, dry_run=True, **kwargs
    )


def _row(**changes: str) -> list[str]:
    row = list(GOOD)
    for column, value in changes.items():
        row[HEADER.index(column)] = value
    return row


def test_a_clean_file_has_no_errors_or_warnings():
    result = _check([_row(), _row(序号="2", 地块名称="东关村旧村")])
    assert result.ok and result.checked.counts == {"rows": 2, "rejected": 0, "valid": 2, "warnings": 0}
    assert {p.severity for p in result.problems} <= {"info"}


@pytest.mark.parametrize(
    "column, value, severity, problem, suggestion",
    [
        ("面积（亩）", "约300", "warning", "含近似或说明文字，按 300 读取", "确切数值"),
        ("面积（亩）", "300亩", None, "", ""),
        ("面积（亩）", "2公顷", "warning", "单元格自带单位“公顷”，与列单位“亩”不同", "确认单位"),
        ("面积（亩）", "1,234.5", None, "", ""),
        ("面积（亩）", "-5", "error", "面积必须大于 0", "删除此行"),
        ("面积（亩）", "0", "error", "面积必须大于 0", ""),
        ("面积（亩）", "", "error", "面积为空（必填）", "补填面积"),
        ("面积（亩）", "待定", "error", "“待定”不是可识别的数值", "请填写数字"),
        ("面积（亩）", "#DIV/0!", "error", "公式计算出错", "修正公式"),
        ("序号", "", "error", "编号为空", "补填编号"),
        ("实施时序", "45292", "error", "Excel 日期序列号（对应 2024-01-01）", "日期格式"),
        ("实施时序", "123", "error", "不是年份", "年份区间"),
        ("实施时序", "近期", None, "", ""),
        ("实施阶段", "实施中", "error", "实施阶段“实施中”不在规定词表", "是否为“正在实施”"),
        ("实施阶段", "己完成", "error", "不在规定词表", "是否为“已完成”"),
        ("所在区县", "上党", "error", "“上党”不是长治市的区县", "是否为“上党区”"),
        ("所在区县", "潞州县", "error", "不是长治市的区县", "是否为“潞州区”"),
        ("所在区县", "潞州区", None, "", ""),  # another 区县 of the same city
        ("所在区县", "", None, "", ""),  # filled from the plan's only 区县 (see the engine test)
        ("现状容积率", "35", "error", "容积率 35 超出 0–20", "核对容积率"),
        ("现状容积率", "高", "error", "不是可识别的数值", ""),
        ("现状建筑密度", "135%", "error", "超出 0–100%", ""),
        ("现状建筑密度", "0.35", "warning", "像是小数形式（35%？）", "百分数"),
        ("潜力等级", "高潜力", "error", "潜力等级“高潜力”不在规定词表", "是否为“高”"),
        ("类型", "旧场矿", "warning", "与已有类型“旧厂矿”相近", "是否为“旧厂矿”"),
        ("类型", "低效工业用地", None, "", ""),
    ],
)
def test_one_bad_cell(column, value, severity, problem, suggestion):
    result = _check([_row(**{column: value})])
    found = [p for p in result.problems if p.severity in ("error", "warning")]
    if severity is None:
        assert found == [] and result.ok
        return
    (p,) = found
    assert (p.severity, p.row, p.column, p.value) == (severity, 2, column, value)
    assert problem in p.problem and suggestion in p.suggestion
    assert result.rejected == (1 if severity == "error" else 0)


def test_duplicate_ids_reject_every_copy_and_name_the_other_rows():
    result = _check([_row(), _row(地块名称="乙"), _row(序号="2")])
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.row, p.problem) for p in errors] == [
        (2, "编号“1”重复（同一编号也在第 3 行）"),
        (3, "编号“1”重复（同一编号也在第 2 行）"),
    ]
    assert result.rejected == 2 and not result.ok


def test_landuse_near_miss_suggests_the_class():
    result = _check([_row(现状用途="工业用 地")])
    (p,) = [p for p in result.problems if p.severity == "warning"]
    assert "工业用地" in p.suggestion


def test_missing_area_column_stops_the_file():
    data = "序号,地块名称\n1,甲\n".encode()
    result = import_files([InputFile("a.csv", data)], "check-plan", plan_meta=META, dry_run=True)
    assert not result.ok and any("缺少必需的列" in p.problem and p.row is None for p in result.problems)


def test_unknown_counties_are_not_checked_when_the_city_is_unknown():
    meta = new_plan_meta("x", title="无城市")
    result = import_files(
        [InputFile("a.csv", _csv([_row(所在区县="随便区")]))], "x", plan_meta=meta, dry_run=True
    )
    assert result.ok


@pytest.mark.parametrize(
    "value, date", [("45292", "2024-01-01"), ("44197.0", "2021-01-01"), ("2024", None), ("1234567", None)]
)
def test_serial_date(value, date):
    found = serial_date(value)
    assert (found.isoformat() if found else None) == date


def test_suggest_prefers_synonyms_then_containment_then_similarity():
    stages = ["储备", "计划实施", "正在实施", "已完成"]
    assert suggest("在建", stages) == "正在实施"
    assert suggest("已完成改造", stages) == "已完成"
    assert suggest("xyz", stages) == ""
