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


def test_wuwei_rates_of_change_do_not_follow_from_before_and_after(catalog):
    findings = reconcile(catalog.get("wuwei-2023"))
    rate = next(f for f in findings if f.item.startswith("居住用地 规划期间变化率_容积率"))
    assert rate.severity == "mismatch"
    assert rate.documented == 980.44 and rate.computed == 1437.5  # 0.08 → 1.23


def test_shangdang_annex2_percentages_do_not_match_its_areas(catalog):
    findings = [f for f in reconcile(catalog.get("shangdang-2021")) if f.table == "附表2"]
    shares = {f.item: f for f in findings if f.unit == "%" and "合计" not in f.item}
    housing = shares["住宅用地 占比"]
    assert housing.severity == "mismatch"
    assert housing.documented == 57.16 and housing.computed == pytest.approx(72.5084, abs=1e-4)
    # the areas themselves add up
    area_total = next(f for f in findings if f.item.startswith("总计 面积"))
    assert area_total.severity == "ok"


def test_shangdang_actor_counts_add_to_96_for_a_plan_of_89(catalog):
    findings = reconcile(catalog.get("shangdang-2021"))
    actors = [f for f in findings if f.documented == 89 and f.computed == 96]
    assert len(actors) == 1 and actors[0].severity == "mismatch" and actors[0].difference == 7


def test_shangdang_near_term_24_80_against_26_15(catalog):
    findings = reconcile(catalog.get("shangdang-2021"))
    near = [f for f in findings if f.documented == 24.8 and f.computed == 26.15]
    assert near and all(f.severity == "mismatch" for f in near)


@pytest.mark.parametrize("plan_id", ["liaocheng-2020", "urumqi-2025"])
def test_plans_without_records_say_so(catalog, plan_id):
    plan = catalog.get(plan_id)
    assert not plan.has_parcels and not plan.has_zones
    assert len(plan.measures) > 0 and len(plan.milestones) > 0


def test_urumqi_is_a_consultation_draft_open_until_17_december_2025(catalog):
    from datetime import date

    plan = catalog.get("urumqi-2025")
    assert plan.is_consultation and plan.meta["comment_until"] == "2025-12-17"
    assert plan.consultation_open(date(2025, 12, 17)) and not plan.consultation_open(date(2025, 12, 18))
    numbered = plan.measures[plan.measures["kind"] == "measure"]
    assert len(numbered) == 18 and numbered["group"].nunique() == 5
