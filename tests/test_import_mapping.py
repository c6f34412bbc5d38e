"""Column mapping: Chinese header variants, units in headers, pinyin survey codes, user changes."""

from __future__ import annotations

import pytest

from panhuo.importing.mapping import (
    EXTRA_LABEL,
    apply_saved,
    editor_rows,
    layout_hash,
    mapping_from_editor,
    match_header,
    normalise_header,
    propose_mapping,
)


@pytest.mark.parametrize(
    "header, field, unit",
    [
        ("地块名称", "name", ""),
        ("宗地名称", "name", ""),
        ("项目名称", "name", ""),
        ("面积（亩）", "area", "亩"),
        ("面积(公顷)", "area", "公顷"),
        ("用地面积", "area", ""),
        ("面积（㎡）", "area", "平方米"),
        ("面积/亩", "area", "亩"),
        ("面积（单位：公顷）", "area", "公顷"),
        ("用地面积\n（亩）", "area", "亩"),
        ("所在区县", "county", ""),
        ("县名称", "county", ""),
        ("行政区", "county", ""),
        ("县（市、区）", "county", ""),
        ("乡镇（街道）", "town", ""),
        ("实施阶段", "stage", ""),
        ("工作进展", "stage", ""),
        ("序号", "id", ""),
        ("现状_容积率", "far_before", ""),
        ("规划_容积率", "far_after", ""),
        ("改造后_建筑密度", "density_after", ""),
        ("建筑密度（%）", "density_before", ""),
        ("现状_用途", "current_use", ""),
        ("规划_用途", "planned_use", ""),
        ("基本情况_地块名称", "name", ""),
        ("权利人", "right_holder", ""),
        # pinyin field codes of provincial survey databases (DCDYBH, XZMC, MJ …)
        ("DCDYBH", "id", ""),
        ("XZMC", "town", ""),
        ("MJ", "area", "平方米"),
        ("mj", "area", "平方米"),
        ("GHYT", "planned_use", ""),
        ("GZMS", "mode", ""),
        ("GZJZ", "stage", ""),
        ("CQR", "right_holder", ""),
        ("RJL", "far_before", ""),
        ("JZMD", "density_before", ""),
        ("DJGDZCTZ", "", ""),
        ("DJRKSJ", "", ""),
        ("备注", "", ""),
        ("随便什么", "", ""),
    ],
)
def test_headers_are_recognised(header, field, unit):
    assert match_header(header, "parcels")[0] == field
    assert match_header(header, "parcels")[2] == unit


@pytest.mark.parametrize(
    "header, field",
    [
        ("片区名称", "name"),
        ("类别", "category"),
        ("位置", "location"),
        ("备注", "note"),
        ("面积（亩）", "area"),
    ],
)
def test_zone_headers(header, field):
    assert match_header(header, "zones")[0] == field


def test_normalise_header_full_width_and_spaces():
    assert normalise_header(" 面 积（ 亩 ）") == ("面积", "亩")


def test_proposal_keeps_one_column_per_field_and_reads_units():
    mapping = propose_mapping(["序号", "面积（亩）", "面积（公顷）", "DJRKSJ"], [["1", "15", "1", "3.2"]])
    assert [(c.field, c.unit) for c in mapping.columns] == [("id", ""), ("area", "亩"), ("", ""), ("", "")]
    assert mapping.columns[3].extra_name == "地均入库税金"


def test_area_unit_from_sample_cells_when_the_header_has_none():
    mapping = propose_mapping(["序号", "面积"], [["1", "300亩"], ["2", "20亩"]])
    assert mapping.choice("area").unit == "亩"


def test_saved_and_user_mappings_override_the_proposal():
    mapping = propose_mapping(["编号", "名称", "地块面积"], [["1", "甲", "3"]])
    apply_saved(
        mapping, {"名称": "", "地块面积": {"field": "area", "unit": "mu"}, "不存在的列": "id"}, "user"
    )
    assert [(c.field, c.unit, c.how) for c in mapping.columns] == [
        ("id", "", "header"),
        ("", "", "user"),
        ("area", "亩", "user"),
    ]
    with pytest.raises(ValueError, match="不存在"):
        apply_saved(mapping, {"名称": "no_such_field"})
    with pytest.raises(ValueError, match="单位"):
        apply_saved(mapping, {"地块面积": {"field": "area", "unit": "英亩"}})


def test_moving_a_field_to_another_column_frees_the_first():
    mapping = propose_mapping(["序号", "项目编号"], [["1", "X-1"]])
    apply_saved(mapping, {"项目编号": "id"}, "user")
    assert [c.field for c in mapping.columns] == ["", "id"]


def test_layout_hash_ignores_spaces_but_not_names():
    assert layout_hash(["序号", "面积（亩）"]) == layout_hash([" 序号", "面积 （亩）"])
    assert layout_hash(["序号", "面积（亩）"]) != layout_hash(["序号", "面积（公顷）"])


def test_editor_rows_round_trip():
    mapping = propose_mapping(["序号", "面积（亩）", "备注"], [["1", "3", "x"]])
    rows = editor_rows(mapping)
    assert rows[2]["字段"] == EXTRA_LABEL
    rows[2]["字段"] = "名称"
    assert mapping_from_editor(rows, "parcels") == {
        "序号": {"field": "id", "unit": ""},
        "面积（亩）": {"field": "area", "unit": "亩"},
        "备注": {"field": "name", "unit": ""},
    }
