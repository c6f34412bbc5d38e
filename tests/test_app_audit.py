"""AppTest of 数据核查: the problems one per cause, each with the printed values it rests on and
every check it fails quoted and worked out; publishing conventions as rounding; every check in a
table below. Counts are those a reviewer reads on the page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages import open_page, rendered_text

NO_LISTS = ("liaocheng-2020", "urumqi-2025")


@pytest.fixture(scope="module", autouse=True)
def _fresh_caches():
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()


@pytest.fixture(scope="module")
def shangdang() -> AppTest:
    return open_page("audit", plan="shangdang-2021")


@pytest.fixture(scope="module")
def wuwei() -> AppTest:
    return open_page("audit", plan="wuwei-2023")


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def cards(at: AppTest) -> dict[str, str]:
    """Each cause's card (container key ``cause_问题N``) as the text a reader sees."""
    found = {}
    for block in at.main.children.values():
        _collect(block, found)
    return found


def _collect(node, found: dict) -> None:
    key = getattr(node, "key", None) or ""
    if isinstance(key, str) and key.startswith("cause_") and not key.startswith("cause_more_"):
        found[key.removeprefix("cause_")] = _text(node)
        return
    for child in getattr(node, "children", {}).values():
        _collect(child, found)


def _text(node) -> str:
    parts = []
    value = getattr(node, "value", None)
    if isinstance(value, str):
        parts.append(rendered_text(value))
    label = getattr(node, "label", None)
    if isinstance(label, str):
        parts.append(label)
    for child in getattr(node, "children", {}).values():
        parts.append(_text(child))
    return "\n".join(p for p in parts if p)


def table(at: AppTest):
    return next(d.value for d in at.dataframe if "核查项" in d.value.columns)


def test_shangdang_counts_causes_with_the_checks_beside_them(shangdang):
    assert not shangdang.exception
    assert metrics(shangdang) == {"问题": "13 个", "涉及核查": "28 项", "舍入误差": "42 项", "一致": "292 项"}
    captions = [rendered_text(c.value) for c in shangdang.caption]
    assert any("问题 13 个（涉及 28 项核查）；共核查 362 项" in c for c in captions)
    assert len(cards(shangdang)) == 13


def test_shangdang_annex_2_shares_are_one_problem_with_twelve_checks(shangdang):
    first = cards(shangdang)["问题1"]
    assert "附表2 占比、附表8 现状占比" in first and "涉及 12 项核查" in first
    # the printed row, quoted, and the arithmetic written out
    assert "住宅用地：面积 106.29；占比 57.16%" in first
    assert (
        "面积 106.29 ÷ 总计面积 146.59 × 100 = 72.51%，文件为 57.16%；计算值比文件多 15.35 个百分点" in first
    )
    assert "其余 8 项核查" in first


def test_shangdang_evidence_of_a_sentence(shangdang):
    text = "\n".join(cards(shangdang).values())
    assert "第四章 低效用地再开发利用改造主体（一）" in text
    assert "安排政府主导再开发地块75个，面积138.66公顷，占再开发地块总面积的86.36%" in text
    assert "138.66 ÷ 146.59 × 100 = 94.59%，文件为 86.36%" in text


def test_labels_are_phrases_not_column_names(shangdang):
    shown = "\n".join(cards(shangdang).values()) + "\n".join(table(shangdang)["核查项"])
    assert "总计_占比" not in shown and "（各行之和）" not in shown
    assert "居住用地的总计占比应为其总计规模占总数的比例" in shown


def test_truncation_is_rounding_with_a_note(shangdang):
    conventions = [rendered_text(m.value) for m in shangdang.markdown if "印刷惯例" in m.value]
    assert any("6.01 ÷ 146.59 × 100 = 4.0999%，文件为 4.09%" in c and "截尾" in c for c in conventions)
    assert any("75.51" in c and "文件为 75 公顷" in c for c in conventions)


def test_wuwei_0_79_against_0_70_and_the_uncheckable_density(wuwei):
    assert not wuwei.exception
    assert metrics(wuwei)["问题"] == "9 个" and metrics(wuwei)["涉及核查"] == "17 项"
    text = "\n".join(cards(wuwei).values())
    assert "规划范围内平均容积率提高0.79" in text
    assert "0.97 − 0.27 = 0.70，文件为 0.79" in text
    assert "建筑密度提高（无法核查）" in text and "依据的数值无效（表6-2 总计(或平均)行 1625.42%）" in text
    conventions = [rendered_text(m.value) for m in wuwei.markdown if "最小可显示值" in m.value]
    assert conventions and "0.0023%，文件为 0.01%" in conventions[0]


def test_the_table_below_filters_by_conclusion(wuwei):
    assert len(table(wuwei)) == 12 + 2 + 3  # 不一致, 数值无效, 无法核查
    wuwei.button_group(key="audit_severity_wuwei-2023").set_value(["invalid"]).run()
    shown = table(wuwei)
    assert len(shown) == 2 and set(shown["计算数值"]) == {"—"}
    assert set(shown["文件数值"]) == {"1,761.13", "1,625.42"}


def test_huzhou_shows_no_problem():
    at = open_page("audit", plan="huzhou-2023")
    assert metrics(at)["问题"] == "0 个" and metrics(at)["一致"] == "15 项"
    assert not cards(at)
    assert [s.value for s in at.success] == [
        "文件中的合计、小计、占比与文字数据均与重算一致（在舍入范围内）。"
    ]
    assert len(table(at)) == 15


@pytest.mark.parametrize("plan", NO_LISTS)
def test_audit_without_figures_says_so(plan):
    at = open_page("audit", plan=plan)
    assert [i.value for i in at.info] == ["本规划没有可重算的合计、占比或文字数据。"]
