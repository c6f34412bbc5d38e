"""The rounding rules of the reconciliation, on small tables built in the test."""

import pandas as pd
import pytest

from panhuo.model import PublishedTable
from panhuo.reconcile import check_table


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
