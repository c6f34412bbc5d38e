import pandas as pd
import pytest

from panhuo.classify import family_of, first_level, landuse_classes, landuse_code
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("word", "family"),
    [
        ("旧厂矿", "industrial"),
        ("旧城镇", "urban_residential"),
        ("旧村庄", "village"),
        ("低效工业用地", "industrial"),
        ("低效农村用地", "village"),
        ("低效住宅片区", "urban_residential"),
        ("矿地利用片区", "mine"),
        ("其他低效建设用地", "other"),
        ("", "other"),
    ],
)
def test_family_of_plan_words(word, family):
    assert family_of(word) == family


@pytest.mark.parametrize(
    ("word", "code", "level1_name"),
    [
        ("住宅用地", "07", "居住用地"),
        ("商服用地", "09", "商业服务业用地"),
        ("工矿仓储用地", "10", "工矿用地"),
        ("商业服务业设施用地", "09", "商业服务业用地"),
        ("城镇住宅用地", "0701", "居住用地"),
    ],
)
def test_landuse_words_roll_up_to_first_level(word, code, level1_name):
    found, level1 = landuse_code(word)
    assert found == code
    assert first_level(level1)[1] == level1_name


def test_every_landuse_word_in_the_sample_tables_is_known(catalog):
    parcels = catalog.get("shangdang-2021").parcels
    unknown = sorted({w for w in parcels["current_use"] if landuse_code(w) == ("", "")})
    assert unknown == []


def test_classification_hierarchy_is_complete():
    classes = landuse_classes()
    codes = set(classes["code"])
    assert classes["code"].is_unique
    parents = {p for p in classes["parent"] if p}
    assert parents <= codes
    first = classes[classes["level"] == "1"]
    assert len(first) == 24


def test_families_cover_every_type_word_of_the_samples(catalog):
    families = pd.read_csv(ROOT / "data" / "classifications" / "families.csv", dtype=str)
    known = set(families["term"])
    for plan in catalog.plans():
        words = set(plan.parcels["type"]) | set(plan.zones["category"])
        assert words - {""} <= known, plan.id
