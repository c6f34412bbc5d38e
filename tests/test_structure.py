"""结构调整 in the domain: figures of 上党区 附表8/附表9 and 无为市 表6-1, as printed and recomputed."""

from __future__ import annotations

import pandas as pd
import pytest

from components import charts_structure
from panhuo import structure
from panhuo.loader import normalise

# 上党区 附表8 (公顷): 现状, 规划, 调整量 as printed, 规划 − 现状
FB8 = {
    "商服用地": (4.27, 8.20, 3.92, 3.93),
    "住宅用地": (106.29, 85.07, -21.22, -21.22),
    "工矿仓储用地": (32.63, 20.35, -12.28, -12.28),
    "公共管理与公共服务用地": (3.40, 9.69, 6.29, 6.29),
    "其他土地": (0.00, 23.29, 23.29, 23.29),
}


@pytest.fixture(scope="module")
def shangdang(catalog):
    return catalog.get("shangdang-2021")


@pytest.fixture(scope="module")
def wuwei(catalog):
    return catalog.get("wuwei-2023")


@pytest.mark.parametrize("use", list(FB8))
def test_fb8_change_per_use_as_printed_and_recomputed(shangdang, use):
    frame = structure.structure_frame(shangdang, "ha").set_index("use")
    current, planned, printed, computed = FB8[use]
    row = frame.loc[use]
    assert (row["current"], row["planned"]) == pytest.approx((current, planned))
    assert row["change_printed"] == pytest.approx(printed)
    assert row["change_computed"] == pytest.approx(computed)


def test_fb8_uses_in_document_order_with_first_level_classes(shangdang):
    frame = structure.structure_frame(shangdang, "ha")
    assert list(frame["use"]) == list(FB8)
    assert list(frame["level1_code"]) == ["09", "07", "10", "08", "23"]


def test_only_the_commercial_change_is_misprinted(shangdang):
    frame = structure.structure_frame(shangdang, "ha")
    assert structure.change_mismatches(frame, "ha") == [
        "商服用地：原表调整量 +3.92 公顷，规划−现状为 +3.93 公顷"
    ]


def test_fb8_in_mu_converts_exactly(shangdang):
    frame = structure.structure_frame(shangdang, "mu").set_index("use")
    assert frame.loc["住宅用地", "current"] == pytest.approx(106.29 * 15)
    assert frame.loc["住宅用地", "current_text"] == "1,594.4"
    assert frame.loc["其他土地", "change_text"] == "+349.4"


def test_metrics_show_the_printed_totals_and_the_area_moved(shangdang):
    frame = structure.structure_frame(shangdang, "ha")
    metrics = {m.label: m.value for m in structure.structure_metrics(shangdang, frame, "ha")}
    assert metrics == {
        "现状面积": "146.59 公顷",
        "规划面积": "146.59 公顷",  # the printed total; the uses add up to 146.60
        "调增面积": "33.51 公顷",  # 3.93 + 6.29 + 23.29
        "调减面积": "33.50 公顷",  # 21.22 + 12.28
    }
    planned_help = next(
        m.help for m in structure.structure_metrics(shangdang, frame, "ha") if m.label == "规划面积"
    )
    assert "146.60" in planned_help


def test_sankey_flows_keep_what_stays_and_invent_no_transfers(shangdang):
    flows = structure.structure_flows(structure.structure_frame(shangdang, "ha"))
    kept = flows[flows["kind"] == "保留"].set_index("use")["value"]
    assert kept.to_dict() == pytest.approx(
        {"商服用地": 4.27, "住宅用地": 85.07, "工矿仓储用地": 20.35, "公共管理与公共服务用地": 3.40}
    )
    out = flows[flows["kind"] == "调出"].set_index("use")["value"].to_dict()
    assert out == pytest.approx({"住宅用地": 21.22, "工矿仓储用地": 12.28})
    into = flows[flows["kind"] == "调入"].set_index("use")["value"].to_dict()
    assert into == pytest.approx({"商服用地": 3.93, "公共管理与公共服务用地": 6.29, "其他土地": 23.29})
    # every transfer passes through the one node that says the document gives no destination
    assert set(flows.loc[flows["kind"] != "保留", ["source", "target"]].stack()) >= {structure.CHANGE_NODE}
    leaving = flows[flows["source"].str.startswith("现状·")]["value"].sum()
    assert leaving == pytest.approx(146.59)


def test_wuwei_table_6_1_records_no_change(wuwei):
    frame = structure.structure_frame(wuwei, "ha")
    assert frame[["use", "current", "planned", "change_printed"]].values.tolist() == [
        ["居住用地", 11.97, 11.97, 0.0],
        ["工矿用地", 68.84, 68.84, 0.0],
    ]
    assert structure.is_unchanged(frame)
    sentence = structure.unchanged_sentence(wuwei, frame, "ha")
    assert sentence.startswith("表6-1各用途现状与规划面积相同（居住用地 11.97 公顷、工矿用地 68.84 公顷）")
    assert "“规划期间面积变化情况”一栏均为 0.00" in sentence


def test_shangdang_is_not_unchanged(shangdang):
    assert not structure.is_unchanged(structure.structure_frame(shangdang, "ha"))


@pytest.mark.parametrize("plan_id", ["huzhou-2023", "liaocheng-2020", "urumqi-2025"])
def test_plans_without_structure_tables(catalog, plan_id):
    plan = catalog.get(plan_id)
    assert structure.structure_frame(plan, "ha").empty
    assert structure.detail_frame(plan, "ha").empty


def test_fb9_classes_roll_up_to_first_level(shangdang):
    detail = structure.detail_frame(shangdang, "ha")
    assert len(detail) == 14
    rollup = structure.detail_rollup(detail, "level1", "ha").set_index("key")["area_value"]
    assert rollup.to_dict() == pytest.approx(
        {
            "07 居住用地": 85.07,
            "08 公共管理与公共服务用地": 0.15 + 4.95 + 0.30 + 1.77 + 1.05 + 1.47,
            "09 商业服务业用地": 8.20,
            "10 工矿用地": 17.02,
            "11 仓储用地": 3.33,
            "12 交通运输用地": 13.69,
            "14 绿地与开敞空间用地": 8.50 + 0.91,
            "15 特殊用地": 0.18,
        }
    )


def test_fb9_by_use_matches_fb8_except_other_land(shangdang):
    frame = structure.structure_frame(shangdang, "ha")
    detail = structure.detail_frame(shangdang, "ha")
    by_use = structure.detail_rollup(detail, "use", "ha").set_index("key")["area_value"]
    assert by_use["工矿仓储用地"] == pytest.approx(20.35)
    assert by_use["其他土地"] == pytest.approx(23.28)  # 13.69 + 8.50 + 0.91 + 0.18; 附表8 prints 23.29
    assert structure.detail_mismatches(frame, detail, "ha") == [
        "其他土地：各分类相加 23.28 公顷，结构调整表规划 23.29 公顷"
    ]


def test_hierarchy_parents_hold_their_classes(shangdang):
    hierarchy = structure.detail_hierarchy(structure.detail_frame(shangdang, "ha"), "use")
    parents = hierarchy[hierarchy["parent"] == ""]
    assert len(parents) == 5
    for parent in parents.itertuples():
        children = hierarchy[hierarchy["parent"] == parent.id]["value"].sum()
        assert parent.value == pytest.approx(children)


def test_parcel_current_uses_roll_up_to_fb8_current_housing(shangdang):
    uses = structure.parcel_current_uses(shangdang.parcels, "level1", "ha").set_index("key")
    assert uses.loc["07 居住用地", "area_value"] == pytest.approx(106.29)  # 附表8 现状 住宅用地
    assert uses.loc["07 居住用地", "count"] == 50
    assert uses.loc["08 公共管理与公共服务用地", "area_value"] == pytest.approx(3.40)
    assert uses["count"].sum() == 89
    assert shangdang.parcels["planned_use"].astype(str).str.strip().eq("").all()  # no 规划用途 column


def test_parcel_flows_when_parcels_carry_planned_use():
    parcels = normalise(
        "parcels",
        pd.DataFrame(
            {
                "id": ["1", "2", "3"],
                "current_use": ["工业用地", "工业用地", "农村宅基地"],
                "planned_use": ["商业用地", "商业用地", ""],
                "area": ["1.50", "2.00", "3.00"],
                "area_unit": ["公顷", "公顷", "公顷"],
            }
        ),
    )
    flows = structure.parcel_use_flows(parcels, "mu")
    assert flows.to_dict("records") == [
        {"source": "现状·工业用地", "target": "规划·商业用地", "value": 52.5, "count": 2}
    ]


def test_chart_builders_carry_the_values_and_units(shangdang):
    frame = structure.structure_frame(shangdang, "ha")
    sankey = charts_structure.sankey(structure.structure_flows(frame), "t", "公顷")
    link = sankey.data[0].link
    assert list(link.value) == pytest.approx([4.27, 85.07, 21.22, 20.35, 12.28, 3.40, 3.93, 6.29, 23.29])
    assert "公顷" in link.hovertemplate
    change = charts_structure.change_bars(frame, "use", "change_printed", "change_text", "t", "公顷")
    bar = change.data[0]
    assert list(bar.y) == list(FB8)[::-1]
    assert list(bar.text) == ["+23.29", "+6.29", "-12.28", "-21.22", "+3.92"]
    assert bar.marker.color[2] == "#d1495b" and bar.marker.color[0] == "#1f6f5c"
    assert charts_structure.sankey(structure.structure_flows(frame), "t", "亩").data[0].valueformat == ",.1~f"
