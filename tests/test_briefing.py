"""会议简报 (PPTX): what a reader of the slides sees, checked against the source documents.

湖州 附件2: 66 片区, 合计 23743 亩, 区县 小计 2700/4350/1300/6005/4108/5280 (read from the
transcribed 附件2 table, not retyped); 上党区 附表1: 146.59 公顷, row 11's right-holder is a
private person and must not travel in a briefing; the data-check slide repeats the reconcile
counts per severity.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from panhuo.briefing import FONT, briefing_pptx
from panhuo.causes import causes
from panhuo.reconcile import reconcile
from panhuo.views import outline_metrics
from tests.conftest import ROOT, SAMPLE_IDS

TODAY = date(2026, 6, 1)
NO_LISTS = ("liaocheng-2020", "urumqi-2025")


def build(catalog, plan_id: str, unit: str | None = None, today: date = TODAY) -> bytes:
    plan = catalog.get(plan_id)
    dataset, records = plan.records()
    return briefing_pptx(plan, records, dataset, unit or ("mu" if plan.area_unit == "亩" else "ha"), today)


def slides(data: bytes):
    return list(Presentation(io.BytesIO(data)).slides)


def slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    return "\n".join(parts)


def titled(data: bytes, start: str):
    """The slide whose title (first text box) starts with ``start``."""
    found = [s for s in slides(data) if slide_text(s).startswith(start)]
    assert len(found) == 1, [slide_text(s).split("\n")[0] for s in slides(data)]
    return found[0]


def all_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "\n".join(
            book.read(n).decode("utf-8", "ignore") for n in book.namelist() if n.endswith(".xml")
        )


@pytest.fixture(scope="module")
def huzhou(catalog) -> bytes:
    return build(catalog, "huzhou-2023", "mu")


@pytest.fixture(scope="module")
def shangdang(catalog) -> bytes:
    return build(catalog, "shangdang-2021", "ha")


def test_huzhou_headline_figures(huzhou):
    text = slide_text(titled(huzhou, "核心数据"))
    assert "66 个" in text and "23,743 亩" in text
    assert "69.9%" in text  # 正在实施 16603 亩 of 23743
    assert "20,000 亩" in text and "118.7%" in text  # target 20000 亩 (2027), coverage


def test_huzhou_chart_is_a_native_chart_with_the_annex_2_subtotals(huzhou, catalog):
    table = catalog.get("huzhou-2023").tables["附件2"].frame
    printed = table[table["row_kind"] == "subtotal"]
    area_column = next(c for c in table.columns if c.startswith("面积"))
    expected = {g: float(v) for g, v in zip(printed["group"], printed[area_column], strict=True)}
    assert len(expected) == 6 and sum(expected.values()) == 23743

    slide = titled(huzhou, "按区县的片区面积（亩）")
    charts = [s.chart for s in slide.shapes if s.has_chart]
    pictures = [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
    assert len(charts) == 1 and not pictures
    plot = charts[0].plots[0]
    shown = dict(zip(plot.categories, plot.series[0].values, strict=True))
    assert shown == expected
    # the table beside it: one row per 区县 and the total
    rows = {
        row.cells[0].text: row.cells[2].text
        for row in next(s for s in slide.shapes if s.has_table).table.rows
    }
    assert rows["德清县"] == "6,005" and rows["合计"] == "23,743"


def test_huzhou_targets_and_milestones(huzhou):
    targets = slide_text(titled(huzhou, "目标与完成口径"))
    for category, count in (("低效工业片区", "38"), ("低效住宅片区", "13"), ("低效村庄片区", "14")):
        assert category in targets and count in targets
    assert "面积目标 20,000 亩" in targets
    milestones = slide_text(titled(huzhou, "下一步时间节点"))
    assert "方案有效期" in milestones and "2027年9月30日前" in milestones
    assert "全面摸底调查" not in milestones  # due 2024-02, long past on TODAY


def test_title_slide_names_the_document_and_the_period_position(huzhou):
    text = slide_text(slides(huzhou)[0])
    assert "湖州市高质量推进低效用地再开发试点工作实施方案" in text
    assert "湖州市人民政府" in text and "湖政发〔2024〕2号" in text and "2024年1月30日" in text
    assert "2026-06-01" in text
    # 2023-01-01 → 2027-12-31: 1247 of 1825 days gone on 2026-06-01
    assert re.search(r"规划期 2023—2027 年，已过 68%", text)


def test_shangdang_area_and_data_check_counts(shangdang, catalog):
    assert "146.59 公顷" in slide_text(titled(shangdang, "核心数据"))
    findings = reconcile(catalog.get("shangdang-2021"))
    text = slide_text(titled(shangdang, "数据核查"))
    # causes first, with the checks they explain, as on the page
    assert "问题 13 个（涉及 28 项核查）；共核查 362 项：一致 292，舍入误差 42" in text
    assert len(causes(findings)) == 13 and "另有 8 个见“数据核查”页" in text
    # the first cause: 附表2's shares, printed again in 附表8, with its arithmetic
    assert "附表2 占比、附表8 现状占比" in text and "146.59 × 100 = 2.91%，文件为 4.54%" in text


def test_the_right_holder_appears_nowhere_in_the_file(shangdang, catalog):
    parcels = catalog.get("shangdang-2021").parcels
    holders = {h for h in parcels["right_holder"].astype(str).str.strip() if h}
    assert holders == {"刘志平"}  # 附表1 row 11
    everything = all_xml(shangdang)
    assert not any(holder in everything for holder in holders)
    assert "上党区" in everything  # the check reads real text, not an empty file


@pytest.mark.parametrize("plan_id", SAMPLE_IDS)
def test_every_plan_gives_a_valid_file_with_east_asian_fonts_on_every_run(catalog, plan_id):
    data = build(catalog, plan_id)
    deck = Presentation(io.BytesIO(data))
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=0.01)
    assert len(deck.slides) >= 3
    runs = [r for s in deck.slides for r in s._element.iter(qn("a:r"))]
    assert runs
    for run in runs:
        rpr = run.find(qn("a:rPr"))
        assert rpr is not None and rpr.find(qn("a:ea")).get("typeface") == FONT, run.findtext(qn("a:t"))
        size = rpr.get("sz")
        text = run.findtext(qn("a:t"))
        assert size is None or int(size) >= 1400, text  # footers 14 pt, body ≥ 18 pt
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart:  # the chart's own text (axis and labels) names the font too
                xml = shape.chart.part.blob.decode("utf-8")
                assert f'<a:ea typeface="{FONT}"' in xml


@pytest.mark.parametrize("plan_id", NO_LISTS)
def test_plans_without_a_list_show_measures_and_stages(catalog, plan_id):
    plan = catalog.get(plan_id)
    data = build(catalog, plan_id)
    assert not any(s.has_chart for slide in slides(data) for s in slide.shapes)
    overview = slide_text(titled(data, "概况"))
    assert all(m.value in overview for m in outline_metrics(plan))  # the same cards as 总览
    assert f"{len(plan.milestones)} 个" in overview
    assert "本规划未列出地块或片区清单" in overview
    assert titled(data, "下一步时间节点")


def test_wuwei_without_milestones_shows_its_phases(catalog):
    data = build(catalog, "wuwei-2023", "ha")
    text = slide_text(titled(data, "实施时序"))
    # 表7-2: 2023 3 宗 25.32 公顷, 2024 4 宗 20.68, 2025 8 宗 34.80
    for phase, count, area in (
        ("2023", "3 宗", "25.32"),
        ("2024", "4 宗", "20.68"),
        ("2025", "8 宗", "34.80"),
    ):
        assert phase in text and count in text and area in text


def test_zero_records_still_give_a_file(catalog):
    plan = catalog.get("huzhou-2023")
    dataset, records = plan.records()
    data = briefing_pptx(plan, records.iloc[0:0], dataset, "mu", TODAY)
    text = "\n".join(slide_text(s) for s in slides(data))
    assert "0 个" in text and not any(s.has_chart for slide in slides(data) for s in slide.shapes)


def test_cli_writes_the_briefing(tmp_path):
    out = tmp_path / "简报.pptx"
    result = subprocess.run(
        [sys.executable, "-m", "panhuo", "briefing", "huzhou-2023", "-o", str(out), "--unit", "mu"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "23,743" in "\n".join(slide_text(s) for s in slides(out.read_bytes()))


def test_overview_page_offers_the_briefing_download():
    import streamlit as st

    from tests.pages import open_page

    st.cache_data.clear()
    at = open_page("overview", plan="huzhou-2023")
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["下载会议简报（PPTX）"]
