"""panhuo.potential against the figures printed in the documents (上党区 附表4-7, 无为 表4-2/4-3/6-2)."""

from __future__ import annotations

import pandas as pd
import pytest

from panhuo import potential as pt
from panhuo.reconcile import check_table


@pytest.fixture(scope="module")
def shangdang(catalog):
    return catalog.get("shangdang-2021")


@pytest.fixture(scope="module")
def wuwei(catalog):
    return catalog.get("wuwei-2023")


def _cell(cells: pd.DataFrame, row: str, level: str) -> pd.Series:
    return cells[(cells["row"] == row) & (cells["level"] == level)].iloc[0]


@pytest.mark.parametrize(
    ("plan_id", "expected"),
    [
        ("shangdang-2021", True),
        ("wuwei-2023", True),
        ("liaocheng-2020", False),
        ("huzhou-2023", False),
        ("urumqi-2025", False),
    ],
)
def test_only_shangdang_and_wuwei_carry_potential(catalog, plan_id, expected):
    roles = ("potential_scale", "potential_economic", "potential_theoretical", "potential_realizable")
    assert bool(pt.tables_with_role(catalog.get(plan_id), *roles)) is expected


def test_shangdang_potential_tables_are_picked_by_role(shangdang):
    assert [t.id for t in pt.tables_with_role(shangdang, "potential_scale")] == ["附表4", "附表5"]
    assert [t.id for t in pt.tables_with_role(shangdang, "potential_economic")] == ["附表6", "附表7"]


@pytest.mark.parametrize(
    ("table", "row", "level", "value", "share"),
    [
        ("附表4", "总计", "总计", 146.59, 100.00),
        ("附表4", "旧村庄", "中潜力区", 81.34, 55.49),
        ("附表4", "旧城镇", "高潜力区", 26.46, 18.05),
        ("附表4", "总计", "中潜力区", 93.98, 64.11),
        ("附表5", "居住用地", "总计", 106.29, 72.51),
        ("附表6", "旧厂矿", "高潜力区", 12.43, 8.48),
        ("附表7", "总计", "高潜力区", 43.44, 29.63),
        # printed as is: 附表7 居住用地 总计_占比 20.11% (106.29/146.59 would be 72.51%)
        ("附表7", "居住用地", "总计", 106.29, 20.11),
    ],
)
def test_level_cells_carry_the_printed_values_and_shares(shangdang, table, row, level, value, share):
    cell = _cell(pt.level_cells(shangdang.tables[table]), row, level)
    assert cell["value"] == pytest.approx(value)
    assert cell["share"] == pytest.approx(share)


def test_level_cells_mark_totals_so_they_stay_out_of_the_colour_scale(shangdang):
    cells = pt.level_cells(shangdang.tables["附表4"])
    assert len(cells) == 16  # 4 rows (3 types + 总计) × 4 columns (3 levels + 总计)
    data = cells[~cells["is_total"]]
    assert sorted(data["row"].unique()) == sorted(["旧城镇", "旧村庄", "旧厂矿"])
    assert set(data["level"]) == set(pt.LEVELS)
    assert data["value"].max() == pytest.approx(81.34)  # not 146.59
    # the three levels of each type add up to its printed 总计 (附表4 is consistent)
    for row, part in data.groupby("row"):
        assert part["value"].sum() == pytest.approx(_cell(cells, row, "总计")["value"], abs=0.015)


def test_area_tables_follow_the_chosen_unit_money_tables_do_not(shangdang):
    in_mu = pt.level_cells(shangdang.tables["附表4"], "mu")
    assert _cell(in_mu, "总计", "总计")["value"] == pytest.approx(146.59 * 15)
    assert _cell(in_mu, "总计", "总计")["share"] == pytest.approx(100.0)
    assert pt.value_unit(shangdang.tables["附表4"], "mu") == "亩"
    money = pt.level_cells(shangdang.tables["附表6"], "mu")
    assert _cell(money, "总计", "总计")["value"] == pytest.approx(146.59)
    assert pt.value_unit(shangdang.tables["附表6"], "mu") == "亿元"


def test_theoretical_against_realizable_per_zone(wuwei):
    long = pt.theoretical_vs_realizable(wuwei)
    zones = long.loc[~long["is_total"], "zone"].unique().tolist()
    assert zones == ["老城片区", "城东产业园", "城南和城中片区", "城西北片区", "东部新城片区", "高沟片区"]
    total = pt.potential_summary(long).set_index("measure")
    assert (total.at["地块个数", "theoretical"], total.at["地块个数", "realizable"]) == (23, 15)
    assert total.at["地块面积", "theoretical"] == pytest.approx(155.31)
    assert total.at["地块面积", "realizable"] == pytest.approx(80.81)
    assert total.at["规模潜力", "theoretical"] == pytest.approx(98.59)
    assert total.at["规模潜力", "realizable"] == pytest.approx(51.21)
    assert total.at["经济潜力", "unit"] == "亿元"
    assert total.at["经济潜力", "ratio"] == pytest.approx(20.45 / 40.47 * 100)
    south = long[(long["zone"] == "城南和城中片区") & (long["measure"] == "地块面积")].iloc[0]
    assert (south["theoretical"], south["realizable"]) == (42.21, 0.85)
    old_town = long[(long["zone"] == "老城片区") & (long["measure"] == "规模潜力")].iloc[0]
    assert old_town["ratio"] is None or pd.isna(old_town["ratio"])  # 0 ÷ 0: no ratio


def test_zone_metrics_and_wide_table(wuwei):
    long = pt.theoretical_vs_realizable(wuwei, "mu")
    metrics = pt.zone_metrics(long)
    assert [m.value for m in metrics["规模潜力"]] == ["1,478.9 亩", "768.2 亩", "51.9%"]
    assert [m.value for m in metrics["经济潜力"]] == ["40.47 亿元", "20.45 亿元", "50.5%"]
    wide = pt.potential_wide(long)
    assert len(wide) == 7
    assert wide["理论地块个数（个）"].tolist() == [0, 5, 3, 5, 2, 8, 23]


@pytest.mark.parametrize("plan_id", ["shangdang-2021", "liaocheng-2020", "huzhou-2023", "urumqi-2025"])
def test_no_zone_potential_without_both_tables(catalog, plan_id):
    assert pt.theoretical_vs_realizable(catalog.get(plan_id)).empty


def test_table_6_2_invalid_cells_are_exactly_the_impossible_densities(wuwei):
    table = pt.tables_with_role(wuwei, "intensity")[0]
    invalid = pt.invalid_cells(table)
    assert set(zip(invalid["row"], invalid["column"], invalid["printed"], strict=True)) == {
        ("工矿用地", "现状_建筑密度", "1761.13"),
        ("总计(或平均)", "现状_建筑密度", "1625.42"),
    }
    # the same cells the reconciliation calls invalid
    findings = {f.item for f in check_table(table) if f.severity == "invalid"}
    assert findings == {f"{r.row} {r.column}" for r in invalid.itertuples()}


def test_intensity_cells_never_carry_an_invalid_value(wuwei):
    cells = pt.intensity_cells(pt.tables_with_role(wuwei, "intensity")[0])
    assert len(cells) == 6  # 3 rows × (容积率, 建筑密度)
    density = cells[cells["metric"] == "建筑密度"].set_index("row")
    assert density.at["工矿用地", "before"] is None or pd.isna(density.at["工矿用地", "before"])
    assert not density.at["工矿用地", "before_valid"]
    assert density.at["工矿用地", "before_printed"] == "1761.13"
    assert density.at["工矿用地", "after"] == pytest.approx(0.37)
    plottable = pd.concat([cells["before"], cells["after"]]).dropna()
    assert plottable.max() < 100
    far = cells[cells["metric"] == "容积率"].set_index("row")
    assert (far.at["居住用地", "before"], far.at["居住用地", "after"]) == (0.08, 1.23)
    # 表6-2 prints 980.44 %; the printed values give (1.23 − 0.08) / 0.08 = 1437.5 %
    assert far.at["居住用地", "rate_printed"] == pytest.approx(980.44)
    assert far.at["居住用地", "rate_computed"] == pytest.approx(1437.5)
    shown = pt.intensity_display(cells)
    assert shown["现状"].str.contains("（无效）").sum() == 2


def test_shangdang_guidance(shangdang):
    rules = pt.guidance(shangdang).set_index("use")
    assert len(rules) == 4
    assert rules.at["工矿仓储用地", "far_low"] == pytest.approx(0.8)
    assert pd.isna(rules.at["工矿仓储用地", "far_high"])  # “应不低于0.8”: no upper bound
    assert rules.at["工矿仓储用地", "far_text"] == "≥ 0.8"
    assert (rules.at["居住用地", "far_low"], rules.at["居住用地", "far_high"]) == (2.0, 2.5)
    assert rules.at["居住用地", "density_text"] == "30%–35%"
    assert list(pt.guidance_table(pt.guidance(shangdang)).columns) == [
        "类型",
        "用途",
        "容积率",
        "建筑密度",
        "原文",
        "出处",
    ]


@pytest.mark.parametrize("plan_id", ["shangdang-2021", "wuwei-2023"])
def test_sample_parcels_carry_no_intensity(catalog, plan_id):
    plan = catalog.get(plan_id)
    assert pt.parcel_intensity(plan.parcels, pt.guidance(plan)).empty


def test_parcel_intensity_against_guidance(shangdang):
    parcels = pd.DataFrame(
        {
            "id": ["1", "2", "3"],
            "name": ["甲", "乙", "丙"],
            "planned_use": ["居住用地", "居住用地", "工矿仓储用地"],
            "far_before": ["0.5", "0.6", "0.3"],
            "far_after": ["2.2", "3.0", "1.2"],
            "density_before": ["20", "150", "25"],
            "density_after": ["33", "34", "45"],
        }
    )
    result = pt.parcel_intensity(parcels, pt.guidance(shangdang)).set_index("id")
    assert result.at["1", "far_ok"] and result.at["1", "density_ok"]
    assert not result.at["2", "far_ok"]  # 3.0 > 2.5
    assert result.at["2", "invalid"] == "density_before" and pd.isna(result.at["2", "density_before"])
    assert result.at["3", "far_ok"] and not result.at["3", "density_ok"]  # ≥ 0.8; 45 % > 40 %
    shown = pt.parcel_intensity_table(result.reset_index())
    assert shown.loc[1, "无效数值"] == "现状建筑密度（%）"
