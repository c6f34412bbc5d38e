"""Property-based tests: malformed CSVs and workbooks never crash an import and never leave half
a dataset behind.

For any input, :func:`import_files` returns a result (no exception escapes); when it fails,
the only row it adds to the database is its report; when it succeeds, it adds exactly one
version holding exactly the rows it says it imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from panhuo.access import system_user
from panhuo.importing import InputFile, import_files, new_plan_meta
from panhuo.store import Store

ACTOR = system_user()  # who the store's writes are made by in these tests

HEADERS = [
    "序号",
    "地块名称",
    "所在区县",
    "面积（亩）",
    "面积",
    "实施阶段",
    "现状容积率",
    "建筑密度",
    "类型",
    "MJ",
    "DCDYBH",
    "GZJZ",
    "合计",
    "",
    "备注",
    "实施时序",
]
TRICKY = [
    "约300",
    "300亩",
    "1,234.5",
    "-5",
    "0",
    "45292",
    "#DIV/0!",
    "=SUM(A1:A2)",
    "小计",
    "合 计",
    "上党区",
    "上党",
    "正在实施",
    "实施中",
    "35%",
    "0.35",
    "",
    " ",
    "\n",
    '"',
    "，",
    "\ufeff",
    "１２３",
    "1e5",
    "NaN",
    "注：说明",
    "序号",
    "潞州区",
    "二〇二四",
]
cells = st.one_of(
    st.sampled_from(TRICKY),
    st.text(max_size=12),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return Store.open(url=f"sqlite:///{tmp_path_factory.mktemp('prop') / 'store.sqlite'}")


def _content(store: Store) -> dict[str, int]:
    counts = store.counts()
    counts.pop("import_reports")
    counts.pop("mappings")  # a successful import remembers its mapping
    return counts


def _check_no_partial_write(store: Store, files: list[InputFile], valid_only: bool) -> None:
    before, reports = _content(store), store.counts()["import_reports"]
    meta = new_plan_meta("prop-plan", title="性质测试", province="山西省", city="长治市")
    result = import_files(files, "prop-plan", plan_meta=meta, valid_only=valid_only, store=store, actor=ACTOR)
    after = _content(store)
    assert store.counts()["import_reports"] == reports + 1  # every attempt leaves its report
    if result.ok:
        assert result.status in ("imported", "partial")
        assert after["dataset_versions"] == before["dataset_versions"] + 1
        assert after["records"] == before["records"] + result.imported
        assert after["source_files"] == before["source_files"] + len(files)
        assert result.imported > 0 and (valid_only or result.rejected == 0)
    else:
        assert result.status == "failed" and result.imported == 0
        assert after == before
        assert result.problems, "a failed import says why"


@SETTINGS
@given(data=st.binary(max_size=3000), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.gpkg", "a.zip"]))
def test_random_bytes(store, data, name):
    _check_no_partial_write(store, [InputFile(name, data)], valid_only=True)


@SETTINGS
@given(
    header=st.lists(st.one_of(st.sampled_from(HEADERS), st.text(max_size=6)), min_size=1, max_size=8),
    rows=st.lists(st.lists(cells, max_size=9), max_size=12),
    prefix=st.lists(st.lists(cells, max_size=3), max_size=3),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"]),
    delimiter=st.sampled_from([",", "\t", ";"]),
    valid_only=st.booleans(),
)
def test_malformed_csv(store, header, rows, prefix, encoding, delimiter, valid_only):
    def line(cells_: list[str]) -> str:
        return delimiter.join(
            '"' + c.replace('"', '""') + '"' if any(x in c for x in '",\n\t;') else c for c in cells_
        )

    text = "\n".join(line(r) for r in [*prefix, header, *rows])
    data = text.encode(encoding, errors="replace")
    _check_no_partial_write(store, [InputFile("调查.csv", data)], valid_only)


workbook_cells = st.one_of(
    cells.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),  # openpyxl cannot write control characters
    st.integers(-(10**6), 10**9),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.sampled_from(
        ["=1/0", "=A1+1", "=SUM(D3:D9)", None, True, dt.datetime(2024, 1, 1), dt.date(2021, 6, 30)]
    ),
)


@SETTINGS
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(workbook_cells, max_size=9), max_size=10),
    title_rows=st.integers(0, 3),
    merges=st.lists(
        st.tuples(st.integers(1, 8), st.integers(1, 6), st.integers(0, 2), st.integers(0, 2)), max_size=4
    ),
    corrupt=st.one_of(st.none(), st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=8))),
    valid_only=st.booleans(),
)
def test_malformed_workbook(store, header, rows, title_rows, merges, corrupt, valid_only):
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(title_rows):
        ws.append([f"附表{i}"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    for r, c, dr, dc in merges:
        with contextlib.suppress(ValueError):  # overlapping ranges: openpyxl refuses them, as Excel does
            ws.merge_cells(start_row=r, start_column=c, end_row=r + dr, end_column=c + dc)
    wb.create_sheet("其他").append(["说明"])
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if corrupt is not None:
        at, junk = corrupt
        at %= len(data)
        data = data[:at] + junk + data[at + len(junk) :]
    _check_no_partial_write(store, [InputFile("局里的表.xlsx", data)], valid_only)
