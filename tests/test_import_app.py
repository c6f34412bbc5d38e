"""An imported plan in the whole app: a bureau workbook and a survey-database layer are imported
into a temporary store, then every page is run with ``?plan=<imported id>``.

Runs against SQLite always and against PostgreSQL when ``PANHUO_TEST_POSTGRES_URL`` is set. The
store is named the way a deployment names it: ``PANHUO_DATABASE_URL`` (or, for SQLite,
``PANHUO_SQLITE_PATH``), and ``database_url`` in st.secrets.
"""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from panhuo.access import system_user
from panhuo.importing import InputFile, examples, import_files, new_plan_meta
from panhuo.store import Store
from panhuo.units import parse_number
from tests.accounts import sign_in
from tests.pages import goto, open_page
from tests.test_store import BACKENDS, PG_URL

ACTOR = system_user()  # who the store's writes are made by in these tests

PAGES = ["overview", "structure", "timeline", "targets", "map", "records", "potential", "policy", "audit"]
BUREAU_ID, LAYER_ID = "changzhi-bureau", "changzhi-dcdy"


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(params=BACKENDS)
def imported(request, tmp_path, monkeypatch) -> str:
    """Both example files imported, each with the mapping proposed for it and confirmed as is."""
    monkeypatch.delenv("PANHUO_DATABASE_URL", raising=False)
    if request.param == "sqlite":
        monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "app.sqlite"))
        url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    else:
        url = PG_URL
        Store(url).drop_schema()
        monkeypatch.setenv("PANHUO_DATABASE_URL", url)
    store = Store.open()
    assert store.url.endswith(url.split("://", 1)[1])
    city = {"province": "山西省", "city": "长治市"}
    bureau = import_files(
        [InputFile("长治市低效用地地块清单.xlsx", examples.bureau_workbook())],
        BUREAU_ID,
        plan_meta=new_plan_meta(BUREAU_ID, title="长治市低效用地调查", **city),
        store=store,
        actor=ACTOR,
    )
    assert bureau.ok, bureau.message
    layer = import_files(
        [
            InputFile("调查单元.gpkg", examples.layer_bytes(examples.survey_layer())),
            InputFile("规划.geojson", examples.layer_bytes(examples.planned_layer(), "GeoJSON")),
        ],
        LAYER_ID,
        plan_meta=new_plan_meta(LAYER_ID, title="上党区调查单元", counties=["上党区"], **city),
        store=store,
        actor=ACTOR,
    )
    assert layer.ok, layer.message
    _clear_caches()
    yield url
    _clear_caches()


def _app(plan_id: str, unit: str, session: dict | None = None, **secrets: str) -> AppTest:
    return open_page(None, session=session, secrets=secrets, timeout=120, plan=plan_id, unit=unit)


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _bureau_area_mu() -> Decimal:
    return sum((parse_number(str(row[5])) for row in examples.BUREAU_ROWS), Decimal(0))


def test_every_page_shows_the_imported_workbook(imported):
    at = _app(BUREAU_ID, "mu")
    assert at.sidebar.selectbox(key="f_plan").value == BUREAU_ID
    metrics = _metrics(at)
    assert metrics["地块数量"] == f"{len(examples.BUREAU_ROWS)} 宗" == "5 宗"
    assert _bureau_area_mu() == Decimal("194.55")  # 37.2 + 52.5 + 18.75 + 64.8 + 21.3
    assert metrics["地块面积"] == "194.6 亩"  # 亩 with one decimal
    for path in PAGES:
        goto(at, path).run()
        assert not at.exception, (path, at.exception)
        assert at.sidebar.selectbox(key="f_plan").value == BUREAU_ID, path
    # 数据核查: the workbook's 小计 and 合计 rows, checked against its rows — all agree
    goto(at, "audit").run()
    assert _metrics(at)["问题"] == "0 个" and _metrics(at)["一致"] != "0 项"


def test_a_wrong_subtotal_in_the_workbook_shows_on_the_audit_page(imported):
    result = import_files(
        [InputFile("错.xlsx", examples.bureau_workbook(subtotal_override={"上党区": 100}))],
        "changzhi-wrong",
        plan_meta=new_plan_meta("changzhi-wrong", province="山西省", city="长治市"),
        store=Store.open(),
        actor=ACTOR,
    )
    assert result.ok  # a wrong printed total is listed, never a reason to drop rows
    _clear_caches()
    at = _app("changzhi-wrong", "mu")
    goto(at, "audit").run()
    assert not at.exception
    # one problem, the wrong 小计, failing twice: itself and the 合计 that adds the 小计 up
    assert (_metrics(at)["问题"], _metrics(at)["涉及核查"]) == ("1 个", "2 项")
    table = next(df.value for df in at.dataframe if "核查项" in df.value.columns)
    row = table[table["核查项"].str.startswith("上党区小计")].iloc[0]
    assert (row["结论"], str(row["文件数值"]), str(row["计算数值"])) == ("不一致", "100", "108.45")


def test_every_page_shows_the_imported_survey_layer(imported):
    at = _app(LAYER_ID, "ha")
    metrics = _metrics(at)
    recorded_m2 = sum(Decimal(str(row[2])) for row in examples.SURVEY_ROWS)  # MJ in m²
    assert recorded_m2 == Decimal("80900")
    assert metrics["地块数量"] == "4 宗" and metrics["地块面积"] == "8.09 公顷"
    for path in PAGES:
        goto(at, path).run()
        assert not at.exception, (path, at.exception)
    goto(at, "records").run()
    table = next(df.value for df in at.dataframe if len(df.value) == len(examples.SURVEY_ROWS))
    assert len(table) == 4


def _values(array) -> list:
    """A plotly array as a list (plotly 6+ sends numbers as base64 ``{"dtype", "bdata"}``)."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def test_overview_bar_chart_sums_to_the_imported_rows(imported):
    at = _app(BUREAU_ID, "mu")
    traces = [t for el in at.get("plotly_chart") for t in json.loads(el.proto.spec)["data"]]
    by_county = {}
    for trace in traces:
        labels, values = _values(trace.get("y", [])), _values(trace.get("x", []))
        if set(labels) == {"上党区", "潞州区"}:
            by_county = dict(zip(labels, values, strict=True))
    assert by_county == pytest.approx({"上党区": 108.45, "潞州区": 86.1})  # the workbook's 小计 rows


def test_database_url_in_st_secrets_is_the_store_the_app_uses(tmp_path, monkeypatch):
    """``database_url`` in st.secrets (no environment variable) names the store, for the
    catalog and for the import page alike; the default SQLite file is never touched."""
    monkeypatch.delenv("PANHUO_DATABASE_URL", raising=False)
    default_file = tmp_path / "default.sqlite"
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(default_file))
    secret_url = f"sqlite:///{tmp_path / 'from-secrets.sqlite'}"
    store = Store.open(url=secret_url)
    result = import_files(
        [InputFile("清单.xlsx", examples.bureau_workbook())],
        BUREAU_ID,
        plan_meta=new_plan_meta(BUREAU_ID, province="山西省", city="长治市"),
        store=store,
        actor=ACTOR,
    )
    assert result.ok
    _clear_caches()
    at = _app(BUREAU_ID, "mu", session=sign_in("analyst", store=store), database_url=secret_url)
    assert _metrics(at)["地块数量"] == "5 宗"
    goto(at, "import").run()
    assert not at.exception
    at.selectbox(key="versions_plan").set_value(BUREAU_ID).run()
    versions = next(df.value for df in at.dataframe if "SHA-256" in df.value.columns)
    assert versions["文件"].tolist() == ["清单.xlsx"] and versions["行数"].tolist() == [5]
    assert not default_file.exists()
    _clear_caches()


def test_an_import_made_elsewhere_shows_at_the_next_run(tmp_path, monkeypatch):
    """The catalog is cached per store revision: an import by ``python -m panhuo import`` in
    another process is seen without restarting the app."""
    monkeypatch.delenv("PANHUO_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "live.sqlite"))
    _clear_caches()
    at = open_page(None, timeout=120)
    assert BUREAU_ID not in at.sidebar.selectbox(key="f_plan").options
    result = import_files(
        [InputFile("清单.xlsx", examples.bureau_workbook())],
        BUREAU_ID,
        plan_meta=new_plan_meta(BUREAU_ID, title="长治市低效用地调查", province="山西省", city="长治市"),
        actor=ACTOR,
    )
    assert result.ok
    at.run()
    assert "长治市低效用地调查" in at.sidebar.selectbox(key="f_plan").options
    _clear_caches()


def test_public_mode_hides_the_import_page(tmp_path, monkeypatch):
    monkeypatch.setenv("PANHUO_PUBLIC", "1")
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "public.sqlite"))
    _clear_caches()
    at = open_page(None, timeout=120)
    with pytest.raises(ValueError, match="data_import"):  # not among the app's pages
        goto(at, "import")
    assert not (tmp_path / "public.sqlite").exists()  # public mode never writes a store
    _clear_caches()
