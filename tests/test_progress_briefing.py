"""工作简报 (panhuo/progress/briefing*.py): the text and numbers read back from the PPTX
(python-pptx) and the PDF (pdftotext, page by page) compared with the Monitor's figures; the
demonstration label and 内部资料 on every page and slide; the public version without names that
are a private person's and without narrative parts marked internal; the half-year report; the
command line (exit codes, Chinese errors, nothing half-written); the text wrapping of the PDF;
the 仅内部使用 mark stored with a report (SQLite and PostgreSQL) and set from the form.

Two stores, built once per module (rendering a PDF with an embedded CJK subset takes seconds):

- the demonstration plan (湖州's 66 片区, simulated reports) at TODAY = 2024-11-20, when 2024-B1 …
  2024-B5 have ended (B5: 9—10月, due 11-15);
- a synthetic demonstration plan of 12 parcels whose first parcel is named after its right-holder
  (a private person, 张三丰) and slipped past its planned year (2023); one 区县's report carries
  that name in its 难点问题 and a secret in its 典型案例 marked 仅内部使用.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.oxml.ns import qn

from panhuo.briefing import FONT
from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID, ensure_demo_plan
from panhuo.privacy import MASK
from panhuo.progress import Progress
from panhuo.progress.briefing import collect, file_name, half_of, output_format, render
from panhuo.progress.briefing_pdf import PAGE_H, PAGE_W, FontsMissing, font_paths, wrap
from panhuo.progress.fields import INTERNAL, NARRATIVE, clean_narrative, public_narrative
from panhuo.progress.monitor import CITY, _fmt, monitor_for
from panhuo.progress.simulate import simulate, simulate_plan, synthetic_plan, write_simulation
from panhuo.settings import load_settings
from panhuo.store import Store
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_database

TODAY = dt.date(2024, 11, 20)
PERIOD = "2024-B5"
HOLDER = "张三丰"
SECRET = "机密：拆迁补偿资金缺口约三千万元"
COUNTIES = ["吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县"]


# --- fixtures ------------------------------------------------------------------------------------


def _environment(mp: pytest.MonkeyPatch, folder: Path, db: Path) -> None:
    for name in ("huzhou-2023", "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    mp.setenv("PANHUO_DATA_DIR", str(folder))
    mp.setenv("PANHUO_DATABASE_URL", f"sqlite:///{db}")
    mp.setenv("PANHUO_DEMO", "1")
    mp.delenv("PANHUO_PUBLIC", raising=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """(progress, plan, folder) of the demonstration plan with its simulated reports."""
    root = tmp_path_factory.mktemp("briefing-demo")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, root / "data", root / "store.sqlite")
        settings = load_settings()
        store = Store.open(settings)
        ensure_demo_plan(store, settings, today=TODAY)
        progress = Progress(store, lambda: TODAY)
        yield progress, store.load_plan(DEMO_PLAN_ID), root


def private_plan():
    """12 synthetic parcels; S000001 is named after its right-holder and planned for 2023."""
    plan = synthetic_plan(12, seed=5)
    parcels = plan.parcels.copy()
    parcels["right_holder"] = ""
    parcels["phase"] = ""
    parcels.loc[0, ["name", "right_holder", "phase"]] = [HOLDER, HOLDER, "2023"]
    return replace(plan, parcels=parcels)


@pytest.fixture(scope="module")
def private(tmp_path_factory):
    root = tmp_path_factory.mktemp("briefing-private")
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp, root / "data", root / "store.sqlite")
        store = Store.open(load_settings())
        plan = private_plan()
        reports = simulate_plan(plan, TODAY, seed=5, missing=0, pending=0)
        county = plan.parcels.loc[0, "county"]
        changed = []
        for r in reports:
            if r.county == county and r.period.id == PERIOD:
                narrative = dict(r.narrative, difficulties=f"{HOLDER}厂房搬迁未谈妥。", cases=SECRET,
                                 internal=["cases"])  # fmt: skip
                r = replace(r, narrative=narrative)
            changed.append(r)
        write_simulation(store, plan, changed)
        yield Progress(store, lambda: TODAY), plan, county


def _briefing(progress, plan, *, internal=False, half_year=False, period=PERIOD):
    monitor = monitor_for(progress, plan, period, today=TODAY)
    return monitor, collect(progress, plan, monitor, internal=internal, half_year=half_year, today=TODAY)


@pytest.fixture(scope="module")
def public(demo):
    progress, plan, _root = demo
    monitor, briefing = _briefing(progress, plan)
    return monitor, briefing, render(briefing, "pptx"), render(briefing, "pdf")


@pytest.fixture(scope="module")
def internal(demo):
    progress, plan, _root = demo
    monitor, briefing = _briefing(progress, plan, internal=True)
    return monitor, briefing, render(briefing, "pptx"), render(briefing, "pdf")


# --- reading the files back ----------------------------------------------------------------------


def slide_texts(data: bytes) -> list[str]:
    """Each slide's text: text frames and table cells, one line per paragraph or cell."""
    out = []
    for slide in Presentation(io.BytesIO(data)).slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            elif shape.has_table:
                for row in shape.table.rows:
                    parts.append("\t".join(c.text for c in row.cells))
        out.append("\n".join(parts))
    return out


def slide_tables(data: bytes, title: str) -> list[list[list[str]]]:
    """The tables (rows of cell texts) of the slides whose title begins with ``title``."""
    found = []
    for slide in Presentation(io.BytesIO(data)).slides:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        if any(t.startswith(title) for t in texts):
            for shape in slide.shapes:
                if shape.has_table:
                    found.append([[c.text for c in row.cells] for row in shape.table.rows])
    return found


def pdf_pages(data: bytes, tmp_path: Path, layout: bool = True) -> list[str]:
    path = tmp_path / "briefing.pdf"
    path.write_bytes(data)
    pages = []
    count = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(path))).group(1))
    for n in range(1, count + 1):
        args = ["pdftotext", "-f", str(n), "-l", str(n), *(["-layout"] if layout else []), str(path), "-"]
        pages.append(_run(*args))
    return pages


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the figures ---------------------------------------------------------------------------------


def county_cells(monitor, row) -> list[str]:
    """A 区县 row as the briefing prints it: rank, name, target, completed, expected, rate, …"""
    code = monitor.unit

    def pct(v):
        return "—" if v is None else f"{v:,.1f}%"

    return [
        "" if row.county == CITY or row.rank is None else str(row.rank),
        row.county,
        _fmt(row.target, code),
        _fmt(row.completed, code),
        _fmt(row.expected, code),
        pct(row.rate),
        pct(row.vs_expected),
        row.light_label,
        "—" if row.county == CITY else row.reporting_label,
        f"{row.reported}/{row.records}",
    ]


def test_the_pptx_county_table_is_the_monitors(public):
    monitor, _briefing, pptx, _pdf = public
    (table,) = slide_tables(pptx, "各区县完成情况")
    assert table[0][:4] == ["排名", "区县", "目标（亩）", "已完成（亩）"]
    body = [[c.replace("● ", "") for c in row] for row in table[1:]]
    assert body == [county_cells(monitor, r) for r in [*monitor.counties, monitor.city]]
    # the page's table holds the same numbers (unrounded there)
    page = monitor.county_table().set_index("区县")
    for row in body[:-1]:
        assert _fmt(page.loc[row[1], "已完成（亩）"], "mu") == row[3]
        assert str(page.loc[row[1], "排名"]) == row[0]
        assert page.loc[row[1], "亮灯"] == row[7]
    # the demonstration: every 区县 has a target (the simulated breakdown), 20000 亩 in all
    assert body[-1][1] == CITY and body[-1][2] == "20,000"


def test_the_pdf_county_rows_carry_the_monitors_figures(public, tmp_path):
    monitor, _briefing, _pptx, pdf = public
    text = "\n".join(pdf_pages(pdf, tmp_path))
    for row in monitor.counties:
        cells = county_cells(monitor, row)
        numbers = r"\s+".join(re.escape(c) for c in cells[2:7])
        assert re.search(rf"{cells[0]}\s+{cells[1]}\s+{numbers}\s+{cells[7]}", text), row.county


def test_headline_figures_on_slide_and_page(public, tmp_path):
    monitor, briefing, pptx, pdf = public
    city = monitor.city
    done = _fmt(city.completed, "mu")
    expected = _fmt(city.expected, "mu")
    rate = f"{city.rate:,.1f}%"
    overview = next(t for t in slide_texts(pptx) if t.startswith("总体进展"))
    pdf_text = squeeze("\n".join(pdf_pages(pdf, tmp_path, layout=False)))
    for words in (done, expected, f"完成率{rate}", f"{len(monitor.alerts)}条", monitor.target_note):
        assert squeeze(words) in squeeze(overview), words
        assert squeeze(words) in pdf_text, words
    assert [f.value for f in briefing.headline][:2] == [done, expected]


def test_burnup_and_funnel_charts_carry_the_monitors_series(public):
    monitor, _briefing, pptx, _pdf = public
    deck = Presentation(io.BytesIO(pptx))
    charts = {s.name: s.chart for slide in deck.slides for s in slide.shapes if s.has_chart}
    city = charts["chart:全市累计完成"]
    rows = monitor.burnup[monitor.burnup["county"] == CITY]
    completed = [v for v in city.plots[0].series[0].values]
    shown = [None if pd.isna(v) else round(v, 1) for v in rows["completed"]]
    assert [None if v is None else round(v, 1) for v in completed] == shown
    assert next(iter(city.plots[0].series[2].values)) == 20000  # the target line
    assert {f"chart:{c}" for c in COUNTIES} <= set(charts)  # the small multiples
    funnel = next(c for name, c in charts.items() if name.startswith("chart:各阶段"))
    expected = monitor.funnel[(monitor.funnel["stage"] != "") | (monitor.funnel["count"] > 0)]
    assert list(funnel.plots[0].categories) == list(expected["stage_label"])
    assert list(funnel.plots[0].series[0].values) == [float(c) for c in expected["count"]]
    for chart in charts.values():  # chart text names the Chinese font
        assert f'<a:ea typeface="{FONT}"' in chart.part.blob.decode("utf-8")


def test_warnings_and_next_milestones(public, tmp_path):
    monitor, _briefing, pptx, pdf = public
    rows = [r for t in slide_tables(pptx, "预警事项") for r in t[1:]]
    assert [(r[0].replace("● ", ""), r[3]) for r in rows] == [
        (a.level_label, a.title) for a in monitor.alerts
    ]
    assert monitor.alerts  # the demonstration has warnings (stalled records, milestones past)
    text = squeeze("\n".join(pdf_pages(pdf, tmp_path, layout=False)))
    for alert in monitor.alerts:
        assert squeeze(alert.title) in text
    (milestones,) = slide_tables(pptx, "下一步时间节点")
    assert [r[0] for r in milestones[1:]] == list(monitor.next_milestones["name"])
    assert "方案有效期" in [r[0] for r in milestones[1:]]


def test_every_countys_narrative_or_why_there_is_none(public, demo):
    _monitor, briefing, pptx, _pdf = public
    progress, plan, _root = demo
    texts = "\n".join(slide_texts(pptx))
    reports = progress.approved_history(plan).reports
    mine = reports[reports["period_id"] == PERIOD].set_index("county")
    for county in COUNTIES:
        if county in mine.index:
            shown = public_narrative(mine.loc[county, "narrative"])
            assert shown["progress"] in texts
        else:
            assert "本期没有审核通过的报告" in next(n.note for n in briefing.narratives if n.county == county)


# --- labels on every page ------------------------------------------------------------------------


def test_demo_label_on_every_page_and_every_slide(public, tmp_path, demo):
    _monitor, _briefing, pptx, pdf = public
    pages = pdf_pages(pdf, tmp_path, layout=False)
    assert len(pages) >= 5
    assert all(DEMO_LABEL in squeeze(p) for p in pages)
    slides = slide_texts(pptx)
    assert len(slides) >= 9 and all(DEMO_LABEL in s for s in slides)
    assert not any("内部资料" in squeeze(p) for p in pages)
    assert not any("内部资料" in s for s in slides)
    _progress, plan, _root = demo
    assert file_name(plan, PERIOD, "pdf").startswith("模拟-")
    assert file_name(plan, PERIOD, "pptx", half_year=True, internal=True, periods=_monitor.periods) == (
        f"模拟-{plan.short_title}_半年工作报告_2024-H2_内部.pptx"
    )


def test_internal_says_so_on_every_page_and_slide(internal, tmp_path):
    _monitor, briefing, pptx, pdf = internal
    pages = pdf_pages(pdf, tmp_path, layout=False)
    assert all("内部资料" in squeeze(p) and DEMO_LABEL in squeeze(p) for p in pages)
    assert all("内部资料" in s for s in slide_texts(pptx))
    assert briefing.version_label == "内部资料"


def test_the_cover_dates_the_briefing_in_chinese(public, tmp_path):
    _monitor, _briefing, pptx, pdf = public
    cover = slide_texts(pptx)[0]
    assert "2024年11月20日" in cover and "2024年第5期（9—10月）" in cover and "工作简报" in cover
    first = squeeze(pdf_pages(pdf, tmp_path, layout=False)[0])
    assert "2024年11月20日" in first and "数据截至2024年10月31日" in first


# --- public and internal -------------------------------------------------------------------------


def test_simulated_reports_mark_some_difficulties_internal(demo):
    progress, plan, _root = demo
    reports = progress.approved_history(plan).reports
    marked = [n for n in reports["narrative"] if n.get(INTERNAL)]
    assert marked and len(marked) < len(reports)
    assert all(n[INTERNAL] == ["difficulties"] for n in marked)


def test_public_demo_briefing_leaves_out_the_parts_marked_internal(public, internal, demo):
    progress, plan, _root = demo
    reports = progress.approved_history(plan).reports
    mine = reports[reports["period_id"] == PERIOD]
    hidden = sum(bool(n.get(INTERNAL)) for n in mine["narrative"])
    assert hidden, "the fixture should have a report of the period with its 难点问题 internal"
    for (_m, briefing, _pptx, _pdf), internal_version in ((public, False), (internal, True)):
        parts = [p for n in briefing.narratives for p in n.parts if p.key == "difficulties"]
        assert len(parts) == len(mine) - (0 if internal_version else hidden)
        assert sum(p.internal for p in parts) == (hidden if internal_version else 0)
    assert "难点问题（内部）" in "\n".join(slide_texts(internal[2]))
    assert "难点问题（内部）" not in "\n".join(slide_texts(public[2]))


@pytest.fixture(scope="module")
def private_files(private):
    progress, plan, _county = private
    out = {}
    for version in (False, True):
        _monitor, briefing = _briefing(progress, plan, internal=version)
        out[version] = (briefing, render(briefing, "pptx"), render(briefing, "pdf"))
    return out


def _everything(pptx: bytes, pdf: bytes, tmp_path: Path) -> str:
    return "\n".join(slide_texts(pptx)) + "\n".join(pdf_pages(pdf, tmp_path, layout=False))


def test_public_version_has_no_private_name_and_no_internal_part(private_files, tmp_path):
    briefing, pptx, pdf = private_files[False]
    text = _everything(pptx, pdf, tmp_path)
    assert HOLDER not in squeeze(text) and squeeze(SECRET) not in squeeze(text)
    assert MASK in text  # the slipped parcel and the 难点问题 say whose name is left out
    assert briefing.slipped is not None and briefing.slipped.rows[0][1] == MASK
    # everything else of that report is there
    assert "厂房搬迁未谈妥" in text and "工作进展及成效" in text


def test_internal_version_has_the_name_and_the_internal_part(private_files, tmp_path):
    briefing, pptx, pdf = private_files[True]
    text = squeeze(_everything(pptx, pdf, tmp_path))
    assert HOLDER in text and squeeze(SECRET) in text and "典型案例（内部）" in text
    assert briefing.slipped.rows[0][:2] == ("S000001", HOLDER)


def test_a_plan_without_targets_says_so_and_ranks_by_area(private_files):
    briefing, _pptx, _pdf = private_files[False]
    assert "没有面积目标" in briefing.target_note
    assert set(briefing.counties.column("亮灯")) == {"无目标"}
    assert briefing.counties.column("目标（亩）")[:-1] == ["—"] * (len(briefing.counties.rows) - 1)


# --- the half-year report ------------------------------------------------------------------------


def test_half_of_a_period():
    from panhuo.progress.periods import make_periods

    periods = make_periods(dt.date(2024, 1, 1), 2024, 2)
    assert [p.id for p in half_of(periods, periods[3])] == ["2024-B4", "2024-B5", "2024-B6"]
    halves = make_periods(dt.date(2024, 1, 1), 2024, 6)
    assert [p.id for p in half_of(halves, halves[1])] == ["2024-H2"]


def test_the_half_year_report_aggregates_its_periods(demo, tmp_path):
    progress, plan, _root = demo
    _monitor, briefing = _briefing(progress, plan, half_year=True, period="2024-B4")
    # 2024-H2: B4 and B5 have ended by 2024-11-20, B6 not: figures at B5
    assert briefing.period_ids == ("2024-B4", "2024-B5")
    assert briefing.period_label.startswith("2024年下半年") and briefing.title == "半年工作报告"
    at_b5 = monitor_for(progress, plan, "2024-B5", today=TODAY)
    burnup = at_b5.burnup.set_index(["county", "period_id"])["completed"]
    gains = {r[0]: r for r in briefing.gains.rows}
    for county in [*COUNTIES, CITY]:
        start, end = float(burnup[(county, "2024-B3")]), float(burnup[(county, "2024-B5")])
        assert gains[county][1:4] == (_fmt(start, "mu"), _fmt(end, "mu"), _fmt(end - start, "mu")), county
    assert [r[0] for r in briefing.period_table.rows] == ["2024年第4期（7—8月）", "2024年第5期（9—10月）"]
    assert briefing.counties.rows[-1][3] == _fmt(at_b5.city.completed, "mu")
    # each period's narratives, both periods
    assert {n.period_id for n in briefing.narratives} == {"2024-B4", "2024-B5"}
    pptx, pdf = render(briefing, "pptx"), render(briefing, "pdf")
    text = "\n".join(slide_texts(pptx))
    assert "半年内各区县新增完成情况" in text and "2024年第4期（7—8月）" in text
    pages = pdf_pages(pdf, tmp_path, layout=False)
    assert all(DEMO_LABEL in squeeze(p) for p in pages)
    assert "半年工作报告" in squeeze(pages[0])


# --- layout: nothing outside the page ------------------------------------------------------------


def test_pdf_text_stays_inside_the_page(public, tmp_path):
    _monitor, _briefing, _pptx, pdf = public
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    html = _run("pdftotext", "-bbox", str(path), "-")
    pt = 72 / 25.4
    boxes = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', html)
    assert boxes
    for x0, y0, x1, y1, word in boxes:
        assert float(x0) >= 17 * pt and float(x1) <= (PAGE_W - 17) * pt, word
        assert float(y0) >= 5 * pt and float(y1) <= (PAGE_H - 6) * pt, word  # printable: 5 mm
    fonts = _run("pdffonts", str(path))
    assert "NotoSansCJK" in fonts and all(" yes " in line for line in fonts.splitlines()[2:])


def test_pptx_shapes_stay_on_the_slide_with_east_asian_fonts(public, internal):
    for _m, _b, pptx, _pdf in (public, internal):
        deck = Presentation(io.BytesIO(pptx))
        for slide in deck.slides:
            for shape in slide.shapes:
                assert shape.left >= 0 and shape.top >= 0
                assert shape.left + shape.width <= deck.slide_width, shape.name
                assert shape.top + shape.height <= deck.slide_height, shape.name
            for run in slide._element.iter(qn("a:r")):
                rpr = run.find(qn("a:rPr"))
                assert rpr.find(qn("a:ea")).get("typeface") == FONT
                assert int(rpr.get("sz") or 1800) >= 1400, run.findtext(qn("a:t"))


# --- the PDF's text wrapping ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("甲乙丙丁戊己", 3, ["甲乙丙", "丁戊己"]),
        ("甲乙丙，丁戊", 3, ["甲乙", "丙，丁", "戊"]),  # a comma never starts a line
        ("甲乙（丙丁", 3, ["甲乙", "（丙丁"]),  # an opening bracket never ends one
        ("共 1,234.5 亩", 8, ["共", "1,234.5", "亩"]),  # a number stays whole
        ("完成率 44.8%。", 8, ["完成率", "44.8%。"]),
        ("ABCDEFGHIJ", 4, ["ABCD", "EFGH", "IJ"]),  # a run longer than the line is cut
        ("", 5, [""]),
        ("甲\n乙", 5, ["甲", "乙"]),
    ],
)
def test_wrap(text, width, lines):
    assert wrap(len, text, width) == lines


def test_wrap_keeps_every_character_and_the_width():
    text = (
        "【模拟】德清县本期有 3 个片区/地块推进到新阶段，其中 1 个竣工或验收；累计再开发面积 1,234.5 亩。" * 3
    )
    for width in range(6, 40, 5):
        got = wrap(len, text, width)
        assert "".join(got).replace(" ", "") == text.replace(" ", "")
        assert all(len(line) <= width for line in got)
        assert not any(line[:1] in "，。；、）" for line in got)


# --- fonts, format, command line -----------------------------------------------------------------


def test_missing_fonts_are_a_chinese_message(tmp_path):
    with pytest.raises(FontsMissing, match="fonts-noto-cjk"):
        font_paths(tmp_path)
    assert set(font_paths()) == {"", "B"}


@pytest.mark.parametrize(
    ("requested", "name", "expected"),
    [(None, "a.pdf", "pdf"), (None, "a.PPTX", "pptx"), ("pdf", "a", "pdf"), (None, "a.bin", "pptx"),
     ("pdf", "a.pptx", ValueError)],
)  # fmt: skip
def test_output_format(requested, name, expected):
    if expected is ValueError:
        with pytest.raises(ValueError, match="不符"):
            output_format(requested, Path(name))
    else:
        assert output_format(requested, Path(name)) == expected


def _cli(capsys, *argv):
    from panhuo.cli import main

    code = main(["briefing", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def cli_env(demo, monkeypatch):
    _progress, _plan, root = demo
    monkeypatch.setenv("PANHUO_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("PANHUO_DATABASE_URL", f"sqlite:///{root / 'store.sqlite'}")
    monkeypatch.setenv("PANHUO_DEMO", "1")
    return root


def test_cli_writes_the_pdf_and_refuses_what_it_cannot_do(cli_env, capsys, tmp_path, monkeypatch):
    out = tmp_path / "简报.pdf"
    code, stdout, _err = _cli(capsys, DEMO_PLAN_ID, "--period", "2024-B3", "-o", str(out))
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert DEMO_LABEL in stdout and "公开版" in stdout and "PDF" in stdout
    assert [p.name for p in tmp_path.iterdir()] == ["简报.pdf"]  # no temporary file left
    for argv, status, words in [
        (["--period", "2030-B1", "-o", str(tmp_path / "x.pptx")], 2, "没有填报期"),
        (["--period", "2024-B3", "--internal", "-o", str(tmp_path / "x.pptx")], 2, "--user"),
        (["--period", "2024-B3", "--internal", "--user", "nobody", "-o", str(tmp_path / "x.pptx")], 2, "没有用户"),
        (["--period", "2024-B3", "--format", "pdf", "-o", str(tmp_path / "x.pptx")], 2, "不符"),
        (["--half-year", "-o", str(tmp_path / "x.pptx")], 2, "--period"),
        (["--period", "2024-B3", "-o", str(tmp_path / "missing" / "x.pptx")], 1, "所在目录不存在"),
    ]:  # fmt: skip
        code, _out, err = _cli(capsys, DEMO_PLAN_ID, *argv)
        assert code == status and words in err and err.startswith("错误："), (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["简报.pdf"]
    # without the fonts: a Chinese message, exit 1, the earlier file untouched
    import panhuo.progress.briefing_pdf as pdf_module

    before = out.read_bytes()
    monkeypatch.setattr(pdf_module, "FONT_DIR", tmp_path / "no-fonts")
    code, _out, err = _cli(capsys, DEMO_PLAN_ID, "--period", "2024-B3", "-o", str(out))
    assert code == 1 and "缺少中文字体" in err and "fonts-noto-cjk" in err
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["简报.pdf"]


def test_cli_internal_needs_a_reviewer(cli_env, capsys, tmp_path):
    from tests.accounts import make_user

    store = Store.open()
    analyst = make_user("analyst", DEMO_PLAN_ID, store=store)
    reporter = make_user("reporter", DEMO_PLAN_ID, ("德清县",), store=store)
    out = tmp_path / "内部.pptx"
    code, _out, err = _cli(capsys, DEMO_PLAN_ID, "--period", "2024-B3", "--internal", "--user", reporter,
                           "-o", str(out))  # fmt: skip
    assert code == 2 and "审核进展填报" in err and not out.exists()
    code, stdout, _err = _cli(capsys, DEMO_PLAN_ID, "--period", "2024-B3", "--internal", "--user", analyst,
                              "-o", str(out))  # fmt: skip
    assert code == 0 and "内部版" in stdout
    assert all("内部资料" in s for s in slide_texts(out.read_bytes()))


def test_cli_without_a_period_still_writes_the_meeting_briefing(cli_env, capsys, tmp_path):
    out = tmp_path / "会议.pptx"
    code, stdout, _err = _cli(capsys, "huzhou-2023", "-o", str(out), "--unit", "mu")
    assert code == 0 and "会议简报" in stdout and "23,743" in "\n".join(slide_texts(out.read_bytes()))


def test_the_real_command(cli_env, tmp_path):
    out = tmp_path / "b.pptx"
    result = subprocess.run(
        [sys.executable, "-m", "panhuo", "briefing", DEMO_PLAN_ID, "--period", "2024-B2", "-o", str(out)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert any("2024年第2期（3—4月）" in s for s in slide_texts(out.read_bytes()))


# --- the 仅内部使用 mark on a report ----------------------------------------------------------------


def test_clean_and_public_narrative():
    narrative = {"progress": "已开工", "difficulties": "资金缺口", INTERNAL: ["difficulties", "bogus"]}
    assert clean_narrative(narrative)[INTERNAL] == ["difficulties"]
    assert "difficulties" not in public_narrative(narrative)
    assert INTERNAL not in clean_narrative({"progress": "x"})


@pytest.fixture(params=BACKENDS)
def huzhou_store(request, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    for name in ("huzhou-2023", "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database(request.param, tmp_path, monkeypatch)
    return Store.open()


def test_the_internal_mark_is_stored_with_the_draft(huzhou_store):
    from panhuo.access import Grant, Role, User
    from panhuo.catalog import open_catalog

    plan = open_catalog(store=huzhou_store, only=["huzhou-2023"]).find("huzhou-2023")
    reporter = User("dq", "德清填报员", (Grant(Role.REPORTER, plan.id, ("德清县",)),))
    progress = Progress(huzhou_store, today=lambda: dt.date(2024, 7, 20))
    narrative = {"progress": "完成征收", "difficulties": "资金平衡压力大", INTERNAL: ["difficulties"]}
    report = progress.save_draft(reporter, plan, "德清县", "2024-B3", [], narrative)
    stored = progress.report_by_id(report.id).narrative
    assert stored[INTERNAL] == ["difficulties"] and stored["difficulties"] == "资金平衡压力大"
    # the form always sends its marks: unticked, the part is public again (a save without the
    # key at all, as a workbook upload, keeps them: tests/test_progress_monitor.py)
    report = progress.save_draft(
        reporter, plan, "德清县", "2024-B3", [], {"progress": "完成征收", INTERNAL: []}
    )
    assert INTERNAL not in progress.report_by_id(report.id).narrative


def test_the_form_marks_a_part_internal_and_the_review_shows_it(tmp_path, monkeypatch):
    import streamlit as st

    from components.progress_form import INTERNAL_LABEL
    from tests.accounts import sign_in
    from tests.pages import open_page

    folder = tmp_path / "data"
    for name in ("huzhou-2023", "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    monkeypatch.setenv("PANHUO_DATABASE_URL", f"sqlite:///{tmp_path / 'form.sqlite'}")
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_page("progress-report", session=sign_in("reporter", "huzhou-2023", ("德清县",)),
                       plan="huzhou-2023")  # fmt: skip
        boxes = [c for c in at.checkbox if c.label == INTERNAL_LABEL]
        assert len(boxes) == len(NARRATIVE) and not any(c.value for c in boxes)
        area = next(t for t in at.text_area if t.label == "难点问题")
        area.input("搬迁补偿谈判僵持")
        boxes[-1].check()
        at.button(key="progress_save").click().run()
        assert not at.exception
        report = Progress(Store.open()).report("huzhou-2023", "德清县", "2024-B1")
        assert report.narrative[INTERNAL] == ["difficulties"]
        at.run()  # the saved mark shows ticked again
        assert [c.value for c in at.checkbox if c.label == INTERNAL_LABEL] == [False, False, False, True]
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


def test_simulate_marks_internal_deterministically():
    plan = synthetic_plan(30, seed=3)
    from panhuo.progress.simulate import plan_periods

    a = simulate(plan.parcels, plan_periods(plan), dt.date(2025, 6, 1), unit="亩", seed=3)
    b = simulate(plan.parcels, plan_periods(plan), dt.date(2025, 6, 1), unit="亩", seed=3)
    marks = [r.narrative.get(INTERNAL) for r in a]
    assert marks == [r.narrative.get(INTERNAL) for r in b]
    assert 0 < sum(bool(m) for m in marks) < len(marks)


def _review_narrative(narrative):
    from types import SimpleNamespace

    from components.progress_review import narrative as show

    show(SimpleNamespace(narrative=narrative))


def test_the_review_shows_which_parts_are_internal():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(
        _review_narrative,
        args=({"progress": "已开工", "difficulties": "资金缺口", INTERNAL: ["difficulties"]},),
    ).run()
    assert not at.exception
    heads = [m.value for m in at.markdown]
    assert heads == ["**工作进展及成效**", "**制度建设情况**", "**典型案例**",
                     "**难点问题**（仅内部使用，不进入公开简报）"]  # fmt: skip
    assert [t.value for t in at.text] == ["已开工", "（未填写）", "（未填写）", "资金缺口"]


def _buttons(root: str, internal: bool, role: str):
    import os

    os.environ["PANHUO_DATA_DIR"] = root + "/data"
    os.environ["PANHUO_DATABASE_URL"] = f"sqlite:///{root}/store.sqlite"
    import datetime as dt
    from types import SimpleNamespace

    from components import cached
    from components.progress_briefing import briefing_buttons
    from panhuo.access import Grant, Role, User
    from panhuo.demo import DEMO_PLAN_ID
    from panhuo.progress import Progress
    from panhuo.progress.monitor import monitor_for

    store = cached.store()
    plan = store.load_plan(DEMO_PLAN_ID)
    progress = Progress(store, lambda: dt.date(2024, 11, 20))
    user = User("u", "u", (Grant(Role(role), DEMO_PLAN_ID, ("德清县",) if role == "reporter" else ()),))
    monitor = monitor_for(progress, plan, "2024-B5")
    briefing_buttons(SimpleNamespace(plan=plan, user=user), monitor, internal, "brief")


@pytest.mark.parametrize(
    ("internal", "role", "labels"),
    [
        (False, "analyst", ["下载工作简报（PPTX）", "下载工作简报（PDF）"]),
        (True, "analyst", ["下载工作简报·内部版（PPTX）", "下载工作简报·内部版（PDF）"]),
        (True, "reporter", ["下载工作简报（PPTX）", "下载工作简报（PDF）"]),  # the role checked again
    ],
)
def test_briefing_buttons(demo, internal, role, labels):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    _progress, _plan, root = demo
    st.cache_resource.clear()
    at = AppTest.from_function(_buttons, args=(str(root), internal, role), default_timeout=60).run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == labels
    (half,) = at.checkbox
    assert half.label.startswith("半年工作报告") and not half.value
    half.check().run()
    assert [b.label for b in at.get("download_button")] == [
        label.replace("工作简报", "半年工作报告") for label in labels
    ]
    st.cache_resource.clear()
