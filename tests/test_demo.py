"""The demonstration plan (panhuo/demo.py): a copy of 湖州's plan in the store, offered only
with the setting on and never in public mode, and marked 模拟数据（演示用，非真实进展） on every
page, chart, export and briefing slide.

Store tests run against SQLite always and PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set;
each test has its own database and data folder (湖州 and 上党区), never the session's store.
"""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from panhuo import demo
from panhuo.catalog import open_catalog
from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID, SOURCE_PLAN_ID, ensure_demo_plan
from panhuo.settings import load_settings
from panhuo.store import Store
from tests.conftest import ROOT
from tests.pages import ANALYSIS_PAGES, goto, open_page
from tests.test_store import BACKENDS, PG_URL

HUZHOU = SOURCE_PLAN_ID
COPIED = ["zones", "targets", "milestones", "measures", "departments", "tables", "facts"]


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _use(backend: str, tmp_path: Path, monkeypatch, demo_on: bool = True) -> Path:
    """A data folder with 上党区 and 湖州, an empty database of ``backend``, the demo setting."""
    folder = tmp_path / "data"
    for name in ("shangdang-2021", HUZHOU, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    else:
        url = PG_URL
        Store(url).drop_schema()
    monkeypatch.setenv("PANHUO_DATABASE_URL", url)
    monkeypatch.setenv("PANHUO_DEMO", "1" if demo_on else "0")
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    _clear_caches()
    return folder


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path, monkeypatch):
    _use(request.param, tmp_path, monkeypatch)
    yield request.param
    _clear_caches()


@pytest.fixture
def sqlite_demo(tmp_path, monkeypatch) -> Path:
    folder = _use("sqlite", tmp_path, monkeypatch)
    yield folder
    _clear_caches()


def _demo_rows(store: Store) -> int:
    return sum(1 for e in store.audit_entries() if e.kind == "demo_loaded")


# ---------------------------------------------------------------- settings


def test_the_setting_is_on_by_default_and_never_in_public_mode(monkeypatch):
    monkeypatch.delenv("PANHUO_DEMO")
    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    assert load_settings().demo and load_settings().demo_enabled
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    assert load_settings().demo and not load_settings().demo_enabled
    monkeypatch.delenv("PANHUO_PUBLIC")
    monkeypatch.setenv("PANHUO_DEMO", "0")
    assert not load_settings().demo_enabled


# ---------------------------------------------------------------- the copy in the store


def test_the_copy_is_made_once_and_a_second_run_adds_nothing(backend):
    settings = load_settings()
    catalog = open_catalog(settings, create=True)  # the app's path: samples, then the copy
    store = Store(settings=settings)
    versions = store.versions(DEMO_PLAN_ID)
    assert sorted(v.dataset for v in versions) == sorted(COPIED)
    assert {(v.origin, v.data_origin, v.number, v.is_current) for v in versions} == {
        ("demo", "demo", 1, True)
    }
    assert [v.created_by for v in versions] == ["system"] * len(COPIED)
    rows = [e for e in store.audit_entries() if e.kind == "demo_loaded"]
    # one row for the copy, one for its simulated progress (tests/test_progress_simulate.py), one
    # for its simulated breakdown of the target by 区县 (newest first)
    assert [r.summary.split("：")[0] for r in rows] == [
        "模拟区县目标分解",
        "生成模拟进展",
        f"建立演示规划 {DEMO_PLAN_ID}",
    ]
    assert "与全市目标 20000 亩一致" in rows[0].summary
    assert all(r.actor == "system" and r.plan_id == DEMO_PLAN_ID and DEMO_LABEL in r.summary for r in rows)
    before = store.counts()
    assert ensure_demo_plan(store, settings) == 0
    open_catalog(settings, create=True)
    assert store.counts() == before and _demo_rows(store) == 3
    # the copy is 湖州's data under another id, marked
    copy, source = catalog.get(DEMO_PLAN_ID), catalog.get(HUZHOU)
    assert catalog.ids()[-1] == DEMO_PLAN_ID  # last in the menu
    assert copy.is_demo and copy.origin == "demo" and not source.is_demo
    assert copy.title == "【模拟演示】" + source.title
    assert copy.short_title == "【模拟演示】湖州市低效用地再开发试点实施方案"
    assert len(copy.zones) == 66 and copy.zones["area_ha"].sum() == pytest.approx(
        source.zones["area_ha"].sum()
    )
    pd.testing.assert_frame_equal(copy.zones, source.zones)
    assert (copy.city, copy.province, copy.counties) == (source.city, source.province, source.counties)
    assert sorted(copy.tables) == sorted(source.tables) and len(copy.facts) == len(source.facts) > 0


def test_the_copy_follows_a_change_of_the_sample(backend):
    settings = load_settings()
    store = Store.open(settings)
    assert ensure_demo_plan(store, settings) == len(COPIED)
    zones = settings.data_dir / HUZHOU / "zones.csv"
    zones.write_bytes(zones.read_bytes().replace("湖东街道".encode(), "湖东街道（更正）".encode()))
    store.sync_samples()
    assert ensure_demo_plan(store, settings) == 1
    current = [v for v in store.versions(DEMO_PLAN_ID, "zones") if v.is_current]
    assert [(v.number, v.data_origin) for v in current] == [(2, "demo")]
    assert "湖东街道（更正）" in set(store.load_plan(DEMO_PLAN_ID).zones["location"])
    assert (
        _demo_rows(store) == 4 and ensure_demo_plan(store, settings) == 0
    )  # copy, progress, targets, update


def test_the_setting_off_makes_no_copy_and_hides_one_already_made(backend, monkeypatch):
    settings = load_settings()
    off = replace(settings, demo=False)
    store = Store.open(off)
    assert ensure_demo_plan(store, off) == 0 and DEMO_PLAN_ID not in store.plan_ids()
    assert DEMO_PLAN_ID not in open_catalog(off, create=True).ids()
    ensure_demo_plan(store, settings)
    assert DEMO_PLAN_ID in open_catalog(settings).ids()
    assert DEMO_PLAN_ID not in open_catalog(off).ids()
    assert open_catalog(off, only=[DEMO_PLAN_ID]).find(DEMO_PLAN_ID) is None
    public = replace(settings, public_mode=True)  # the setting on, but a public site
    assert DEMO_PLAN_ID not in open_catalog(public, read_only=True).ids()
    assert ensure_demo_plan(store, public) == 0


def test_a_plan_imported_under_the_id_is_never_touched(sqlite_demo):
    from panhuo.access import system_user
    from panhuo.importing import InputFile, import_files, new_plan_meta

    settings = load_settings()
    store = Store.open(settings)
    meta = new_plan_meta(DEMO_PLAN_ID, title="别人的规划", province="浙江省", city="湖州市")
    head = "序号,地块名称,乡镇,类型,面积（公顷）,实施阶段\n1,某地块,湖东街道,旧厂矿,1.5,储备\n"
    result = import_files(
        [InputFile("a.csv", head.encode())], DEMO_PLAN_ID, plan_meta=meta, store=store, actor=system_user()
    )
    assert result.ok, result.message
    assert ensure_demo_plan(store, settings) == 0 and _demo_rows(store) == 0
    assert not store.load_plan(DEMO_PLAN_ID).is_demo


def test_the_map_finds_huzhou_outlines_for_the_copy(sqlite_demo):
    from panhuo.geo import plan_areas

    settings = load_settings()
    catalog = open_catalog(settings, create=True)
    copy, source = catalog.get(DEMO_PLAN_ID), catalog.get(HUZHOU)
    areas, problems = plan_areas(copy.counties, city=copy.city, province=copy.province)
    expected, expected_problems = plan_areas(source.counties, city=source.city, province=source.province)
    assert len(areas) == len(expected) > 0 and problems == expected_problems
    assert list(areas.geometry.to_wkt()) == list(expected.geometry.to_wkt())


# ---------------------------------------------------------------- marking: exports, charts, briefing


@pytest.fixture(scope="module")
def plans():
    """The copy and 湖州 as the catalog gives them (built without a database: the copy's meta
    on 湖州's data)."""
    source = open_catalog(imports=False).get(HUZHOU)
    copy = replace(source, id=DEMO_PLAN_ID, meta=demo.demo_meta(source.meta), origin="demo")
    return copy, source


def test_the_one_rule_of_marking(plans):
    copy, source = plans
    frame = pd.DataFrame({"名称": ["甲", "乙"]})
    assert demo.export_name(copy, "明细.csv") == "模拟-明细.csv"
    assert demo.export_name(copy, "模拟-明细.csv") == "模拟-明细.csv"
    assert demo.export_name(source, "明细.csv") == "明细.csv"
    labelled = demo.export_frame(copy, frame)
    assert list(labelled.columns) == ["数据性质", "名称"] and set(labelled["数据性质"]) == {DEMO_LABEL}
    assert demo.export_frame(source, frame) is frame
    assert (
        demo.export_title(copy, "湖州").startswith(DEMO_LABEL) and demo.export_title(source, "湖州") == "湖州"
    )


def test_charts_of_the_copy_carry_the_label(plans):
    import plotly.graph_objects as go

    from components.charts import bar_totals, demo_mark

    groups = pd.DataFrame({"key": ["德清县"], "count": [1], "area_value": [3.0], "area_text": ["3"]})
    figure = demo_mark(bar_totals(groups, "按区县的片区面积", "亩", "区县"), DEMO_LABEL)
    assert figure.layout.title.text == f"按区县的片区面积｜{DEMO_LABEL}"
    assert [a.text for a in figure.layout.annotations] == ["模拟数据"]
    untitled = demo_mark(go.Figure(), DEMO_LABEL)
    assert untitled.layout.title.text == DEMO_LABEL and untitled.layout.margin.t >= 50
    plain = bar_totals(groups, "按区县的片区面积", "亩", "区县")
    assert demo_mark(plain, "").layout.title.text == "按区县的片区面积" and not plain.layout.annotations


def _slide_texts(data: bytes) -> list[str]:
    deck = Presentation(io.BytesIO(data))
    return [
        "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for slide in deck.slides
    ]


def test_every_briefing_slide_of_the_copy_says_simulated(plans):
    from panhuo.briefing import briefing_pptx, file_name

    copy, source = plans
    today = date(2026, 12, 1)
    texts = _slide_texts(briefing_pptx(copy, copy.zones, "zones", "mu", today))
    assert len(texts) >= 5 and all(DEMO_LABEL in t for t in texts)
    assert (
        file_name(copy, today) == "模拟-【模拟演示】湖州市低效用地再开发试点实施方案_会议简报_2026-12-01.pptx"
    )
    real = _slide_texts(briefing_pptx(source, source.zones, "zones", "mu", today))
    assert not any(DEMO_LABEL in t or "模拟" in t for t in real)
    assert not file_name(source, today).startswith("模拟")


# ---------------------------------------------------------------- the app


def _options(at) -> list[str]:
    return list(at.selectbox(key="f_plan").options)


def _banner(at) -> list[str]:
    return [w.value for w in at.warning if DEMO_LABEL in w.value]


@pytest.mark.parametrize("which", BACKENDS)
def test_the_selector_lists_the_copy_last_with_the_setting_on(which, tmp_path, monkeypatch):
    _use(which, tmp_path, monkeypatch)
    try:
        at = open_page("overview", timeout=120)
        assert _options(at)[-1] == "【模拟演示】湖州市低效用地再开发试点实施方案"
        assert not _banner(at)  # 上党区 is shown first: no banner
    finally:
        _clear_caches()


def test_every_page_of_the_copy_opens_with_the_banner(sqlite_demo):
    at = open_page("overview", timeout=120, plan=DEMO_PLAN_ID)
    for page in ANALYSIS_PAGES:
        if page != "overview":
            goto(at, page).run()
            assert not at.exception, (page, [e.value for e in at.exception])
        assert at.selectbox(key="f_plan").value == DEMO_PLAN_ID
        assert len(_banner(at)) == 1, page
        assert any(DEMO_LABEL in c.value for c in at.sidebar.caption), page
        figures = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
        for figure in figures:
            assert DEMO_LABEL in figure["layout"]["title"]["text"], page
            assert "模拟数据" in [a["text"] for a in figure["layout"].get("annotations", [])], page
    goto(at, "login").run()  # not an analysis page: the banner still comes first
    assert len(_banner(at)) == 1
    real = open_page("overview", timeout=120, plan=HUZHOU)
    assert not _banner(real)
    assert all(DEMO_LABEL not in json.dumps(json.loads(c.proto.spec)) for c in real.get("plotly_chart"))


@pytest.fixture
def downloads(monkeypatch) -> dict[str, tuple[str, bytes]]:
    """The files behind every download of the runs (file name → bytes; a deferred one is made)."""
    files: dict = {}
    original = MemoryMediaFileStorage.load_and_get_id
    deferred = MediaFileManager.add_deferred

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def keep_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)

    class Files(dict):  # a deferred file is made when read, as a click makes it
        def __getitem__(self, name: str) -> bytes:
            value = files[name]
            return value() if callable(value) else value

        def __contains__(self, name: object) -> bool:
            return name in files

        def keys(self):
            return files.keys()

        def __iter__(self):
            return iter(files)

    return Files()


def test_downloads_of_the_copy_are_named_and_labelled(sqlite_demo, downloads):
    at = open_page("records", timeout=120, plan=DEMO_PLAN_ID)
    goto(at, "audit").run()
    goto(at, "overview").run()
    names = sorted(downloads)
    stem = f"模拟-{DEMO_PLAN_ID}"
    assert [n for n in names if n.startswith(stem)] == sorted(
        [f"{stem}-片区明细.csv", f"{stem}-片区明细.xlsx", f"{stem}-核查.csv", f"{stem}-核查.xlsx"]
    )
    csv = downloads[f"{stem}-片区明细.csv"].decode("utf-8-sig").splitlines()
    assert csv[0].startswith("数据性质,序号,名称") and len(csv) == 67
    assert all(line.startswith(DEMO_LABEL + ",") for line in csv[1:])
    audit_csv = downloads[f"{stem}-核查.csv"].decode("utf-8-sig").splitlines()  # made when clicked
    assert audit_csv[0].startswith("数据性质,") and all(line.startswith(DEMO_LABEL) for line in audit_csv[1:])
    audit_sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}-核查.xlsx"])).active
    assert str(audit_sheet["A1"].value).startswith(DEMO_LABEL)
    sheet = openpyxl.load_workbook(io.BytesIO(downloads[f"{stem}-片区明细.xlsx"])).active
    assert str(sheet["A1"].value).startswith(DEMO_LABEL)
    assert sheet["A3"].value == "数据性质" and sheet["A4"].value == DEMO_LABEL
    # (the first run opened 上党区, the default plan, whose briefing is not marked)
    briefing = next(n for n in names if n.endswith(".pptx") and "湖州" in n)
    assert briefing.startswith("模拟-【模拟演示】湖州")
    assert all(DEMO_LABEL in t for t in _slide_texts(downloads[briefing]))


def test_downloads_of_huzhou_itself_are_not_marked(sqlite_demo, downloads):
    open_page("records", timeout=120, plan=HUZHOU)
    csv = downloads[f"{HUZHOU}-片区明细.csv"].decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("序号,") and "模拟" not in csv
    with zipfile.ZipFile(io.BytesIO(downloads[f"{HUZHOU}-片区明细.xlsx"])) as book:
        assert not any("模拟" in book.read(n).decode("utf-8", "ignore") for n in book.namelist())


def test_with_the_setting_off_the_copy_is_not_offered(sqlite_demo, monkeypatch):
    ensure_demo_plan(Store.open(load_settings()), load_settings())  # made while it was on
    monkeypatch.setenv("PANHUO_DEMO", "0")
    _clear_caches()
    at = open_page("overview", timeout=120, plan=DEMO_PLAN_ID)
    assert "【模拟演示】湖州市低效用地再开发试点实施方案" not in _options(at)
    assert at.selectbox(key="f_plan").value != DEMO_PLAN_ID and not _banner(at)


def test_in_public_mode_the_copy_is_not_offered(sqlite_demo, monkeypatch):
    ensure_demo_plan(Store.open(load_settings()), load_settings())  # made while it was not public
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    _clear_caches()
    at = open_page("overview", timeout=120, plan=DEMO_PLAN_ID)
    assert all("模拟" not in option for option in _options(at))
    assert at.selectbox(key="f_plan").value != DEMO_PLAN_ID and not _banner(at)
