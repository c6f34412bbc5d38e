"""Each sample plan's headline figures, computed from its data, are the ones its document prints.

The expected values below are what a reader finds in the document (and what a user sees on the
总览 page); the figures themselves come out of ``data/`` through the domain package.
"""

from decimal import Decimal

import pytest

from panhuo.aggregate import Filters, area_in, record_count, summarize
from panhuo.reconcile import reconcile
from tests.conftest import SAMPLE_IDS


def test_all_five_sample_plans_load(catalog):
    assert catalog.ids()[:5] == SAMPLE_IDS
    for plan in catalog.plans():
        assert plan.title and plan.kind and plan.city
        assert plan.meta["source_file"].endswith(".txt")


@pytest.mark.parametrize(
    ("plan_id", "of", "count", "area", "unit"),
    [
        ("shangdang-2021", "parcels", 89, "146.59", "ha"),
        ("wuwei-2023", "parcels", 15, "80.80", "ha"),  # the document prints 80.81: see reconcile
        ("huzhou-2023", "zones", 66, "23743", "mu"),
        ("wuwei-2023", "zones", 6, None, "ha"),
    ],
)
def test_headline_totals(catalog, plan_id, of, count, area, unit):
    result = summarize(catalog.get(plan_id), of=of, unit=unit)
    assert result["count"] == count
    if area is not None:
        assert Decimal(str(result["area"])) == Decimal(area)


def test_huzhou_subtotals_by_county(catalog):
    plan = catalog.get("huzhou-2023")
    groups = summarize(plan, by="county", unit="mu")["groups"]
    assert [(g["key"], g["area"]) for g in groups] == [
        ("吴兴区", 2700),
        ("南浔区", 4350),
        ("南太湖新区", 1300),
        ("德清县", 6005),
        ("长兴县", 4108),
        ("安吉县", 5280),
    ]


def test_huzhou_category_counts_meet_the_targets(catalog):
    plan = catalog.get("huzhou-2023")
    counts = {g["key"]: g["count"] for g in summarize(plan, of="zones", by="category")["groups"]}
    targets = plan.targets[plan.targets["scope_kind"] == "category"]
    assert {row.scope: int(row.value) for row in targets.itertuples()} == counts
    assert counts == {"低效工业片区": 38, "低效住宅片区": 13, "低效村庄片区": 14, "矿地利用片区": 1}


def test_huzhou_area_target(catalog):
    plan = catalog.get("huzhou-2023")
    target = plan.targets[(plan.targets["scope_kind"] == "plan") & (plan.targets["metric"] == "area")]
    assert target.iloc[0]["value"] == "20000" and target.iloc[0]["unit"] == "亩"


def test_shangdang_near_term_is_rows_1_to_13_marked_derived(catalog):
    parcels = catalog.get("shangdang-2021").parcels
    near = parcels[parcels["phase"] == "2021-2025"]
    assert near["id"].tolist() == [str(i) for i in range(1, 14)]
    assert record_count(near) == 13
    assert area_in(near, "ha") == Decimal("26.15")
    assert (parcels["derived"].str.strip() != "").all(), "every phase is derived, and says so"


def test_wuwei_bundles_stand_for_15_parcels(catalog):
    parcels = catalog.get("wuwei-2023").parcels
    assert len(parcels) == 10 and record_count(parcels) == 15
    by_year = summarize(catalog.get("wuwei-2023"), by="phase")["groups"]
    assert {g["key"]: g["count"] for g in by_year} == {"2023": 3, "2024": 4, "2025": 8}


def test_filters_narrow_the_summary(catalog):
    plan = catalog.get("huzhou-2023")
    result = summarize(plan, unit="mu", filters=Filters(counties=("德清县",), stages=("正在实施",)))
    zones = plan.zones[(plan.zones["county"] == "德清县") & (plan.zones["stage"] == "正在实施")]
    assert result["count"] == len(zones) > 0
    assert result["area"] == sum(int(a) for a in zones["area"])


# --- reconciliation on the real documents ---------------------------------------------------------


def _problems(plan):
    return [f for f in reconcile(plan) if f.severity in ("mismatch", "invalid")]


def test_huzhou_list_raises_no_false_alarm(catalog):
    findings = reconcile(catalog.get("huzhou-2023"))
    assert findings and all(f.severity == "ok" for f in findings)


def test_wuwei_densities_that_cannot_be_densities_are_invalid(catalog):
    invalid = [f for f in _problems(catalog.get("wuwei-2023")) if f.severity == "invalid"]
    assert {f.table for f in invalid} == {"表6-2"}
    assert any(f.documented == 1761.13 for f in invalid)


def test_wuwei_grand_total_80_81_is_rounding_not_an_error(catalog):
    findings = reconcile(catalog.get("wuwei-2023"))
    total = [f for f in findings if f.table == "表7-2" and f.documented == 80.81]
    # the 片区 column adds up to 80.81; the three years add up to 80.80 — rounding, not an error
    assert {f.severity for f in total} == {"ok", "rounding"}
    by_year = [f for f in total if f.severity == "rounding"]
    assert by_year[0].computed == 80.80 and by_year[0].difference == pytest.approx(-0.01)
