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


# --- 数据核查 by cause, on the real documents -------------------------------------------------


def _causes(catalog, plan_id):
    from panhuo.causes import causes

    findings = reconcile(catalog.get(plan_id))
    return findings, causes(findings)


def test_shangdang_lists_each_distinct_inconsistency_once(catalog):
    _, found = _causes(catalog, "shangdang-2021")
    assert (len(found), sum(c.checks for c in found)) == (13, 28)
    by_value = {}
    for cause in found:
        for value in cause.rests_on:
            by_value.setdefault(value.claim, cause)
    # 附表2's four shares, printed again in 附表8 and failing the cross-table check: one problem
    shares = by_value["附表2｜住宅用地｜占比"]
    assert shares.checks == 12 and by_value["附表8｜住宅用地｜现状_占比"] is shares
    # one wrong cell of 附表7 (居住用地 20.11): its share, its row sum and the column total
    annex7 = by_value["附表7｜居住用地｜总计_占比"]
    assert annex7.checks == 3 and [f.claim for f in annex7.rests_on] == ["附表7｜居住用地｜总计_占比"]
    # 24.80 vs 26.15 and 旧厂矿 20 vs 19 each once, with both of their checks
    near = next(c for c in found if any(f.documented == 24.8 and f.computed == 26.15 for f in c.findings))
    factory = next(c for c in found if any(f.label == "旧厂矿地块数" for f in c.findings))
    assert near.checks == 2 and factory.checks == 2
    assert "8 + 20 + 62 = 90 宗，文件为 89 宗" in {f.arithmetic for f in factory.findings}


def test_shangdang_evidence_is_quoted_with_its_arithmetic(catalog):
    findings, _ = _causes(catalog, "shangdang-2021")
    gov = next(f for f in findings if f.label == "政府主导再开发地块面积占比")
    assert gov.severity == "mismatch" and gov.location == "第四章 低效用地再开发利用改造主体（一）"
    assert gov.quote == "安排政府主导再开发地块75个，面积138.66公顷，占再开发地块总面积的86.36%"
    assert gov.arithmetic == "138.66 ÷ 146.59 × 100 = 94.59%，文件为 86.36%"
    housing = next(f for f in findings if f.claim == "附表2｜住宅用地｜占比")
    assert housing.quote.startswith("住宅用地：面积 106.29；占比 57.16%")
    assert housing.arithmetic == "面积 106.29 ÷ 总计面积 146.59 × 100 = 72.51%，文件为 57.16%"
    assert all("_" not in f.label for f in findings), "labels are phrases, not column names"


@pytest.mark.parametrize(
    ("plan_id", "label", "convention"),
    [
        ("shangdang-2021", "原土地使用权人自行再开发地块面积占比", "截尾"),  # 4.09 for 4.0999
        ("shangdang-2021", "第二轮认定面积（段首约数）", "截尾"),  # "75公顷" for 75.51
        ("wuwei-2023", "老城片区未利用地占比", "最小可显示值"),  # 0.01% for 0.0023%
    ],
)
def test_publishing_conventions_are_rounding_with_a_note(catalog, plan_id, label, convention):
    finding = next(f for f in reconcile(catalog.get(plan_id)) if f.label == label)
    assert finding.severity == "rounding" and convention in finding.note


def test_wuwei_stated_increase_of_far_0_79_against_table_6_2(catalog):
    findings, found = _causes(catalog, "wuwei-2023")
    assert (len(found), sum(c.checks for c in found)) == (9, 17)
    far = next(f for f in findings if f.label == "平均容积率提高")
    assert far.severity == "mismatch" and far.documented == 0.79 and far.computed == 0.70
    assert far.arithmetic.endswith("0.97 − 0.27 = 0.70，文件为 0.79")
    # 建筑密度提高36.75 rests on 现状建筑密度 1625.42, which cannot be a density: not checkable
    density = next(f for f in findings if f.label == "建筑密度提高")
    assert density.severity == "uncheckable" and density.computed is None and "1625.42" in density.note
    invalid = next(c for c in found if c.severity == "invalid")
    assert density in invalid.findings and {f.documented for f in invalid.rests_on} == {1761.13, 1625.42}


def test_huzhou_has_no_cause(catalog):
    findings, found = _causes(catalog, "huzhou-2023")
    assert findings and found == []


@pytest.mark.parametrize(
    "plan_id", ["shangdang-2021", "wuwei-2023", "liaocheng-2020", "huzhou-2023", "urumqi-2025"]
)
def test_every_quoted_sentence_is_in_the_seed_document(catalog, plan_id):
    """The evidence 数据核查 quotes is the document's own text (whitespace and table rules
    aside; "……" marks an omission, a closing （…） the transcriber's note)."""
    import re

    from tests.conftest import seed_text

    def norm(text: str) -> str:
        return re.sub(r"[\s\u3000|]+", "", text)

    seed = norm(seed_text(plan_id))
    missing = []
    for fact in catalog.get(plan_id).facts:
        text = str(fact.get("text", ""))
        if not text or fact.get("table"):  # cross-table checks quote a table cell, not a sentence
            continue
        text = re.sub(r"（[^（）]*）$", "", text.strip())
        missing += [fact["id"] for part in re.split(r"…+", text) if norm(part) and norm(part) not in seed]
    assert not missing


def test_missing_seed_documents_fail_loudly_rather_than_skip():
    from tests.conftest import seed_text

    with pytest.raises(pytest.fail.Exception, match="shared/seeds"):
        seed_text("999")
