"""The rounding rules of the reconciliation, on small tables built in the test."""

import pandas as pd
import pytest

from panhuo.causes import causes
from panhuo.model import PublishedTable
from panhuo.reconcile import check_table, reconcile


def table(rows, **spec):
    frame = pd.DataFrame(rows, dtype=str)
    return PublishedTable(id="表X", title="测试表", frame=frame, key="名称", unit="公顷", **spec)


@pytest.mark.parametrize(
    ("values", "total", "severity"),
    [
        (["1.10", "2.20"], "3.30", "ok"),
        (["1.10", "2.20"], "3.31", "rounding"),  # 2 rows × 0.005 + 0.005 = 0.015 ≥ 0.01
        (["1.10", "2.20"], "3.32", "mismatch"),  # rows explain [3.29, 3.31], a 3.32 total is [3.315, 3.325]
        (["1.10", "2.20"], "3.40", "mismatch"),
        (["300", "200"], "500", "ok"),
        (["300", "200"], "501", "mismatch"),  # whole numbers are exact
    ],
)
def test_sum_severity(values, total, severity):
    rows = [{"名称": f"行{i}", "面积": v, "row_kind": "data"} for i, v in enumerate(values)]
    rows.append({"名称": "合计", "面积": total, "row_kind": "total"})
    findings = check_table(table(rows, sum_columns=["面积"]))
    assert [f.severity for f in findings] == [severity]


def test_subtotals_are_checked_per_group_and_total_against_subtotals():
    rows = [
        {"名称": "a", "面积": "10", "row_kind": "data", "group": "甲"},
        {"名称": "b", "面积": "20", "row_kind": "data", "group": "甲"},
        {"名称": "小计", "面积": "30", "row_kind": "subtotal", "group": "甲"},
        {"名称": "c", "面积": "5", "row_kind": "data", "group": "乙"},
        {"名称": "小计", "面积": "6", "row_kind": "subtotal", "group": "乙"},
        {"名称": "合计", "面积": "36", "row_kind": "total", "group": ""},
    ]
    findings = check_table(table(rows, sum_columns=["面积"]))
    by_item = {f.item: f for f in findings}
    assert by_item["甲小计 面积"].severity == "ok"
    assert by_item["乙小计 面积"].severity == "mismatch"
    assert by_item["乙小计 面积"].difference == -1.0
    assert by_item["合计 面积（各小计之和）"].severity == "ok"


def test_share_that_does_not_match_its_area_is_a_mismatch():
    rows = [
        {"名称": "a", "面积": "4.27", "占比": "2.91%", "row_kind": "data"},
        {"名称": "b", "面积": "142.32", "占比": "95.00%", "row_kind": "data"},
        {"名称": "合计", "面积": "146.59", "占比": "100.00%", "row_kind": "total"},
    ]
    findings = check_table(table(rows, shares=[{"share": "占比", "of": "面积"}]))
    by_item = {f.item: f for f in findings}
    assert by_item["a 占比"].severity == "ok"  # 4.27 / 146.59 = 2.913 %
    assert by_item["b 占比"].severity == "mismatch"  # 97.09 % printed as 95.00 %
    assert by_item["b 占比"].computed == pytest.approx(97.087, abs=0.001)
    assert by_item["占比合计（各行之和）"].severity == "mismatch"


def test_row_sum_with_difference_and_range():
    rows = [
        {"名称": "a", "现状": "4.27", "规划": "8.20", "调整量": "3.92", "密度": "35", "row_kind": "data"},
        {"名称": "b", "现状": "1.00", "规划": "1.00", "调整量": "0.00", "密度": "230", "row_kind": "data"},
        {"名称": "c", "现状": "1.00", "规划": "2.00", "调整量": "1.20", "密度": "", "row_kind": "data"},
    ]
    spec = dict(
        row_sums=[{"total": "调整量", "parts": ["规划"], "minus": ["现状"]}],
        ranges=[{"column": "密度", "min": 0, "max": 100, "unit": "%"}],
    )
    findings = check_table(table(rows, **spec))
    severities = {f.item: f.severity for f in findings}
    assert severities["a 调整量（规划-现状）"] == "rounding"  # 8.20 - 4.27 = 3.93, printed 3.92
    assert severities["b 调整量（规划-现状）"] == "ok"
    assert severities["c 调整量（规划-现状）"] == "mismatch"
    assert severities["b 密度"] == "invalid"
    assert "a 密度" not in severities


# --- publishing conventions, duplicates, invalid inputs, causes --------------------------------


@pytest.mark.parametrize(
    ("area", "printed", "severity", "convention"),
    [
        ("6.01", "4.09%", "rounding", "截尾"),  # 6.01 / 146.59 = 4.0999 %, printed truncated (上党区)
        ("6.01", "4.10%", "ok", ""),  # rounded: agrees
        ("6.01", "4.08%", "mismatch", ""),  # neither rounded nor truncated: a genuine difference
        ("0.0015", "0.01%", "rounding", "最小可显示值"),  # 0.0010 %, printed at the smallest value
        ("0.0015", "0.02%", "mismatch", ""),
    ],
)
def test_publishing_conventions_are_rounding_with_a_note(area, printed, severity, convention):
    rows = [
        {"名称": "a", "面积": area, "占比": printed, "row_kind": "data"},
        {"名称": "合计", "面积": "146.59", "占比": "100.00%", "row_kind": "total"},
    ]
    finding = next(
        f for f in check_table(table(rows, shares=[{"share": "占比", "of": "面积"}])) if f.item == "a 占比"
    )
    assert finding.severity == severity
    assert (convention in finding.note) if convention else "印刷惯例" not in finding.note


def test_share_column_that_is_also_summed_is_checked_once():
    rows = [
        {"名称": "a", "面积": "1.00", "占比": "25.00%", "row_kind": "data"},
        {"名称": "b", "面积": "3.00", "占比": "75.00%", "row_kind": "data"},
        {"名称": "合计", "面积": "4.00", "占比": "90.00%", "row_kind": "total"},
    ]
    plan = one_table_plan(table(rows, sum_columns=["面积", "占比"], shares=[{"share": "占比", "of": "面积"}]))
    findings = reconcile(plan)
    total_share = [f for f in findings if f.claim == "表X｜合计｜占比" and f.kind == "sum"]
    assert len(total_share) == 1 and total_share[0].severity == "mismatch"
    assert total_share[0].arithmetic == "占比 25.00% + 75.00% = 100.00%，文件为 90.00%"


def test_row_sums_of_share_columns_carry_percent():
    rows = [
        {"名称": "a", "低_占比": "10.00%", "高_占比": "20.00%", "总计_占比": "35.00%", "row_kind": "data"}
    ]
    spec = {"row_sums": [{"total": "总计_占比", "parts": ["低_占比", "高_占比"]}]}
    (finding,) = check_table(table(rows, **spec))
    assert finding.unit == "%" and finding.severity == "mismatch"
    assert finding.label == "a的总计占比应等于低占比＋高占比"  # phrases, not column names


def test_a_check_on_an_invalid_value_is_uncheckable_not_a_mismatch():
    rows = [
        {
            "名称": "工矿",
            "现状_密度": "1761.13",
            "规划_密度": "0.37",
            "变化率_密度": "29.83",
            "row_kind": "data",
        },
    ]
    spec = dict(
        ranges=[{"column": "现状_密度", "min": 0, "max": 100, "unit": "%"}],
        changes=[{"rate": "变化率_密度", "before": "现状_密度", "after": "规划_密度"}],
    )
    findings = reconcile(one_table_plan(table(rows, **spec)))
    by_kind = {f.kind: f for f in findings}
    assert by_kind["range"].severity == "invalid"
    rate = by_kind["change"]
    assert rate.severity == "uncheckable" and rate.computed is None and "1761.13" in rate.note
    (cause,) = causes(findings)  # one problem: the impossible density, with the check it blocks
    assert cause.severity == "invalid" and cause.checks == 2


def test_one_wrong_cell_is_one_cause_with_its_symptoms():
    # 上党区 附表7's shape: 居住 printed 20.11 instead of 72.51 fails its share and the column sum
    rows = [
        {"名称": "居住", "规模": "106.29", "占比": "20.11%", "row_kind": "data"},
        {"名称": "工矿", "规模": "40.30", "占比": "27.49%", "row_kind": "data"},
        {"名称": "总计", "规模": "146.59", "占比": "100.00%", "row_kind": "total"},
    ]
    spec = dict(sum_columns=["规模", "占比"], shares=[{"share": "占比", "of": "规模"}])
    findings = reconcile(one_table_plan(table(rows, **spec)))
    (cause,) = causes(findings)
    assert cause.checks == 2
    assert [f.claim for f in cause.rests_on] == ["表X｜居住｜占比"]  # not the total, which is right
    assert {f.kind for f in cause.findings} == {"share", "sum"}


def one_table_plan(published):
    """A plan of one published table and nothing else (no records, no facts)."""
    from types import SimpleNamespace

    empty = pd.DataFrame(columns=["id", "name", "area", "area_unit", "source"])
    return SimpleNamespace(
        tables={published.id: published}, facts=[], dataset=lambda name: empty.copy(), area_unit="公顷"
    )
