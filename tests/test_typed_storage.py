"""Typed columnar storage of parcels and zones (migration 0007, :mod:`panhuo.store.columnar`):
areas parsed once into exact integers, totals exact whatever the decimals, the printed text and
the shapes kept, and 明细 a page at a time — on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from panhuo.access import CountyScope, system_user
from panhuo.aggregate import area_in, group_totals, summarize
from panhuo.export import record_page
from panhuo.loader import normalise
from panhuo.store import NewSource, Store
from panhuo.units import from_ha, to_ha
from tests.test_store import BACKENDS, use_data_dir, use_database

ACTOR = system_user()
META = {"title": "【模拟】存储测试", "province": "浙江省", "city": "湖州市", "area_unit": "亩"}


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    return Store.open(url=use_database(request.param, tmp_path, monkeypatch))


def _frame(n: int) -> pd.DataFrame:
    counties = ["吴兴区", "南浔区", "德清县"]
    return pd.DataFrame(
        {
            "id": [f"DK{i:04d}" for i in range(n)],
            "name": [f"模拟地块{i}" for i in range(n)],
            "county": [counties[i % 3] for i in range(n)],
            "type": ["旧厂矿" if i % 2 else "旧城镇" for i in range(n)],
            "area": [f"{(i % 97) + 0.37:.2f}" if i % 10 else "1,200.5" for i in range(n)],
            "area_unit": ["亩"] * n,
            "stage": ["储备", "正在实施"] * (n // 2) + ["储备"] * (n % 2),
            "geometry": [
                f"POLYGON (({120 + i / 1e4} 30, {120.001 + i / 1e4} 30, {120.001 + i / 1e4} 30.001, {120 + i / 1e4} 30))"
                if i % 4
                else ""
                for i in range(n)
            ],
        }
    )


def test_a_version_is_stored_typed_and_read_back_exactly(store):
    frame = _frame(250)
    version = store.save_import(
        "typed-plan", "parcels", frame, [NewSource("t.csv", b"x")], actor=ACTOR,
        new_plan_meta={"id": "typed-plan", **META},
    )  # fmt: skip
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT count(*) FROM records WHERE version_id = :v"), {"v": version.id}
        )
        assert rows.scalar() == 0  # no JSON row per parcel any more
        kinds = connection.execute(
            text("SELECT kind FROM version_parts WHERE version_id = :v"), {"v": version.id}
        )
        assert sorted(k for (k,) in kinds) == ["attributes", "geometry"]
    plan = store.load_plan("typed-plan")
    parcels = plan.parcels
    # the printed text is kept as printed, the shapes are not in the frame
    assert parcels["area"].tolist() == frame["area"].tolist() and "geometry" not in parcels
    assert parcels["area_q"].dtype == "int64" and bool(parcels["area_exact"].all())
    expected = sum((to_ha(a, "亩") for a in frame["area"]), Decimal(0))
    assert summarize(plan, unit="mu")["area"] == float(from_ha(expected, "mu"))
    by_county = group_totals(parcels, "county", "mu")
    assert by_county["count"].tolist() == [84, 83, 83]
    assert sum(by_county["area"]) == from_ha(expected, "mu")
    shapes = store.version_geometry(plan.shapes["parcels"])
    assert [g is None for g in shapes] == [i % 4 == 0 for i in range(250)]
    assert shapely.equals(shapes[1], shapely.from_wkt(frame["geometry"][1]))
    # the version as text again (what 版本与导入记录 shows) has the shapes as WKT
    again = store.version_frame(version.id)
    assert again["geometry"][1].startswith("POLYGON") and again["geometry"][0] == ""


def test_a_restore_brings_back_the_same_rows(store):
    first = _frame(10)
    meta = {"id": "restored", **META}
    store.save_import("restored", "parcels", first, [], actor=ACTOR, new_plan_meta=meta)
    store.save_import("restored", "parcels", _frame(3), [], actor=ACTOR)
    store.restore("restored", "parcels", 1, actor=ACTOR)
    plan = store.load_plan("restored")
    assert plan.parcels["id"].tolist() == first["id"].tolist()
    assert area_in(plan.parcels, "mu") == area_in(normalise("parcels", first, "亩"), "mu")


amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("99999"), places=4, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(amounts, st.sampled_from(["亩", "公顷", "平方米", "平方公里", "万亩"])),
        min_size=1,
        max_size=30,
    )
)
def test_integer_totals_equal_the_decimal_sum_of_the_printed_values(rows):
    """Whatever the units and decimals, the integer path gives the Decimal path's total."""
    frame = normalise(
        "parcels", pd.DataFrame({"area": [str(a) for a, _ in rows], "area_unit": [u for _, u in rows]})
    )
    exact = sum((to_ha(str(a), u) for a, u in rows), Decimal(0))
    for unit in ("mu", "ha"):
        assert area_in(frame, unit) == from_ha(exact, unit)


def test_a_value_too_precise_for_the_integers_still_sums_exactly():
    frame = normalise("parcels", pd.DataFrame({"area": ["0.123456789", "1"], "area_unit": ["平方米", "亩"]}))
    assert frame["area_exact"].tolist() == [False, True]
    assert area_in(frame, "mu") == from_ha(to_ha("0.123456789", "平方米") + to_ha("1", "亩"), "mu")


def test_records_come_a_page_at_a_time_with_search_and_sort():
    frame = normalise("parcels", _frame(250).drop(columns=["geometry"]), "亩")
    scope = CountyScope(everything=True)
    first = record_page(frame, "parcels", "mu", scope, size=100)
    assert (first.total, first.pages, first.page, first.first, len(first.table)) == (250, 3, 1, 1, 100)
    last = record_page(frame, "parcels", "mu", scope, size=100, page=9)  # past the end: the last page
    assert (last.page, last.first, len(last.table)) == (3, 201, 50)
    found = record_page(frame, "parcels", "mu", scope, query="德清", size=100)
    assert found.total == 83 and set(found.table["区县"]) == {"德清县"}
    largest = record_page(frame, "parcels", "mu", scope, sort="area", descending=True, size=5)
    assert largest.table["面积（亩）"].tolist() == [1200.5] * 5
    assert largest.table["序号"].tolist()[0] == "DK0000"


def test_the_records_page_pages_and_refuses_an_xlsx_past_its_limit(tmp_path, monkeypatch):
    """明细 of a 250-parcel plan: 100 rows sent, the pager under them, page 3 holds the last 50;
    past the XLSX sheet limit the Excel button is off and says why, the CSV still has them all."""
    import panhuo.export
    from tests.pages import open_page

    use_data_dir(tmp_path, monkeypatch)
    store = Store.open(url=use_database("sqlite", tmp_path, monkeypatch))
    meta = {"id": "paged-plan", **META}
    store.save_import("paged-plan", "parcels", _frame(250), [], actor=ACTOR, new_plan_meta=meta)
    monkeypatch.setattr(panhuo.export, "XLSX_MAX_ROWS", 200)
    at = open_page("records", plan="paged-plan", timeout=120)
    assert len(at.dataframe(key="records_table").value) == 100
    assert any(c.value.startswith("共 250 条地块记录，第 1–100 条（第 1/3 页）") for c in at.caption)
    at.number_input(key="records_page").set_value(3).run()
    table = at.dataframe(key="records_table").value
    assert len(table) == 50 and table["序号"].iloc[-1] == "DK0249"
    (excel,) = [b for b in at.button if b.key == "records_xlsx"]
    assert excel.disabled
    assert any("超过 Excel 一个工作表的上限（200 行）" in c.value for c in at.caption)
    at.text_input(key="records_search").input("德清").run()  # a new search starts at page 1
    assert "共 83 条地块记录" in [c.value for c in at.caption]
    assert at.number_input(key="records_page").value == 1
    assert set(at.dataframe(key="records_table").value["区县"]) == {"德清县"}


# --- filtering a plan's rows: Arrow's filter gives what pandas' mask gives -----------------------

_TEXT = st.one_of(
    st.none(), st.sampled_from(["", " ", "吴兴区", "南浔区", "<b>x</b>", "a,b"]), st.text(max_size=5)
)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            _TEXT, st.integers(-(2**62), 2**62), st.floats(allow_nan=True), st.booleans(), st.booleans()
        ),
        max_size=40,
    ),
    start=st.integers(0, 5),
)
def test_rows_where_equals_pandas_mask(rows, start):
    """The sidebar's filter (:func:`panhuo.aggregate.rows_where`) returns exactly the rows, values,
    dtypes and index labels pandas' boolean mask returns, whatever the text (missing, blank,
    markup) and numbers; a frame with an object column takes pandas' own path, same result."""
    from panhuo.aggregate import rows_where

    frame = pd.DataFrame(
        {
            "county": pd.array([r[0] for r in rows], dtype="str"),
            "area_q": pd.array([r[1] for r in rows], dtype="int64"),
            "area_ha": pd.array([r[2] for r in rows], dtype="float64"),
            "area_exact": pd.array([r[3] for r in rows], dtype="bool"),
        },
        index=pd.RangeIndex(start, start + len(rows)),
    )
    mask = pd.array([r[4] for r in rows], dtype="bool").to_numpy(dtype=bool)
    got = rows_where(frame, mask)
    pd.testing.assert_frame_equal(got, frame[mask])
    with_objects = frame.assign(area=[Decimal(1)] * len(frame))
    pd.testing.assert_frame_equal(rows_where(with_objects, mask), with_objects[mask])


def test_filter_options_remembered_per_frame(tmp_path, monkeypatch):
    """Filter options are worked out once per plan and frame (a million rows cost 60 ms a run)
    and follow the frame: a plan whose parcels are replaced offers the new 区县."""
    from dataclasses import replace

    from panhuo.model import Plan
    from panhuo.viewstate import filter_options

    frame = normalise("parcels", _frame(9), "亩")

    empty = pd.DataFrame()
    plan = Plan("p", {"title": "【模拟】"}, frame, empty, empty, empty, empty, empty, empty)
    first = filter_options(plan)
    assert first["county"] == ["吴兴区", "南浔区", "德清县"]
    first["county"].append("改动")  # a caller's change does not reach the remembered options
    assert filter_options(plan)["county"] == ["吴兴区", "南浔区", "德清县"]
    changed = replace(plan, parcels=normalise("parcels", _frame(9).assign(county="长兴县"), "亩"))
    assert filter_options(changed)["county"] == ["长兴县"]


def test_a_pages_figures_are_remembered_per_view_and_handed_out_as_copies():
    """``Context.cached``: the same plan, filters and scope read the figures back (a rerun, or
    another session with the same view); another 区县 or scope is worked out anew; a page that
    adds a column to what it got changes its own copy only."""
    from components.sidebar import Context
    from panhuo.access import ANONYMOUS
    from panhuo.aggregate import apply_filters
    from panhuo.model import Plan
    from panhuo.views import totals_by
    from panhuo.viewstate import ViewState

    empty = pd.DataFrame()
    frame = normalise("parcels", _frame(30), "亩")
    plan = Plan("p", {"title": "【模拟】"}, frame, empty, empty, empty, empty, empty, empty)
    calls = []

    def counted(records, by, unit):
        calls.append(by)
        return totals_by(records, by, unit)

    def context(counties, scope=None):
        scope = scope or CountyScope()
        view = ViewState("p", counties=counties, unit="mu")
        records = apply_filters(frame, view.filters)
        return Context(plan=plan, view=view, dataset="parcels", records=records, user=ANONYMOUS, scope=scope)

    ctx = context(("吴兴区",))
    again = ctx.cached(counted, ctx.records, "type", "mu")
    assert len(calls) == 1 and again["count"].sum() == 10
    ctx2 = context(("吴兴区",))
    assert ctx2.cached(counted, ctx2.records, "type", "mu")["count"].tolist() == again["count"].tolist()
    assert len(calls) == 1  # read back
    again["area_text"] = "改动"
    assert (ctx2.cached(counted, ctx2.records, "type", "mu")["area_text"] != "改动").all()
    other = context(("南浔区",))
    assert other.cached(counted, other.records, "type", "mu")["count"].sum() == 10 and len(calls) == 2
    scoped = context(("吴兴区",), CountyScope(everything=True))
    scoped.cached(counted, scoped.records, "type", "mu")
    assert len(calls) == 3
    with pytest.raises(TypeError):
        ctx.cached(counted, frame, "type", "mu")  # a frame other than the context's records
