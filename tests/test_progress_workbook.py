"""进展填报 by workbook: the template a 区县 downloads (headers, reference columns, drop-down,
date format, 说明, 元数据, the demonstration label), reading it back after it was filled in with
openpyxl (header variants, moved and extra columns, numbers and dates typed as text), each bad
file's Chinese message, and the upload through the same engine as the page — nothing written on
any error (rows counted before and after), on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from panhuo.access import Grant, PermissionDenied, Role, User
from panhuo.catalog import open_catalog
from panhuo.progress import DEFAULT_STAGES, Progress, check_entries, make_periods
from panhuo.progress.service import record_frame
from panhuo.progress.workbook import (
    DEMO_LABEL,
    ENTRY_SHEET,
    META_SHEET,
    WorkbookError,
    import_workbook,
    parse_date,
    read_meta,
    read_workbook,
    template_workbook,
)
from panhuo.store import Store
from panhuo.store.schema import AuditRow, ProgressEntryRow, ProgressReportRow
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_database

PLAN = "huzhou-2023"
COUNTY = "德清县"
TODAY = dt.date(2024, 7, 20)  # 2024-B3 (5—6月) has ended, due 07-15: a report now is late
PERIOD = next(p for p in make_periods(dt.date(2023, 1, 1), 2027, 2) if p.id == "2024-B3")
REPORTER = User("dq", "德清填报员", (Grant(Role.REPORTER, PLAN, (COUNTY,)),))
OTHER = User("cx", "长兴填报员", (Grant(Role.REPORTER, PLAN, ("长兴县",)),))
HEADERS = [
    "编号",
    "名称",
    "区县",
    "规划面积（亩）",
    "阶段",
    "方案批复日期",
    "供地/签约日期",
    "开工日期",
    "竣工日期",
    "验收/上图入库日期",
    "累计再开发面积（亩）",
    "累计投资（万元）",
    "新增建筑面积（平方米）",
    "亩均税收（万元/亩）",
    "进展说明",
    "存在问题",
    "变动原因",
    "上期阶段",
    "上期累计再开发面积（亩）",
    "上期累计投资（万元）",
]
HEADER_ROW = 3  # title, note, then the header (Excel rows)


@pytest.fixture(scope="module")
def huzhou():
    return open_catalog(imports=False).get(PLAN)


@pytest.fixture(scope="module")
def records(huzhou):
    return record_frame(huzhou)[1]


@pytest.fixture(scope="module")
def deqing(records):
    return records[records["county"] == COUNTY].reset_index(drop=True)


def started(rid: str, **values) -> dict:
    """A last approved entry: 开工 with its three dates, 100 亩 and 5000 万元 unless told."""
    base = {
        "record_id": rid,
        "stage": "started",
        "approved_on": "2023-05-01",
        "supplied_on": "2023-08-01",
        "started_on": "2023-11-02",
        "area": "100",
        "investment": "5000",
    }
    return base | values


def template(plan, records, previous=None, county=COUNTY, period=PERIOD, **kw) -> bytes:
    return template_workbook(
        plan, county, period, records, previous or {}, DEFAULT_STAGES, plan.area_unit, **kw
    )


def columns_of(ws, header_row: int = HEADER_ROW) -> dict[str, int]:
    return {c.value: c.column for c in ws[header_row] if c.value}


def fill(content: bytes, rows: dict[str, dict[str, object]], *, narrative=None, edit=None) -> bytes:
    """The workbook with cells set as a 区县 would in Excel: ``rows`` record id → header → value."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book[ENTRY_SHEET]
    columns = columns_of(ws)
    where = {ws.cell(r, 1).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value}
    for rid, values in rows.items():
        r = where.get(rid)
        if r is None:  # a row the 区县 adds below the others
            r = max([*where.values(), HEADER_ROW]) + 1
            where[rid] = r
            ws.cell(r, 1, rid)
        for header, value in values.items():
            ws.cell(r, columns[header], value)
    if narrative:
        ns = book["填报说明"]
        for r in range(1, ns.max_row + 1):
            if ns.cell(r, 1).value in narrative:
                ns.cell(r, 2, narrative[ns.cell(r, 1).value])
    if edit:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(content: bytes, plan, county=COUNTY, period=PERIOD):
    return read_workbook(
        content, plan=plan, county=county, period=period, unit=plan.area_unit, stages=DEFAULT_STAGES
    )


def blank(rid: str, row: int, **values) -> dict:
    keys = [
        "record_id", "stage", "approved_on", "supplied_on", "started_on", "completed_on", "accepted_on",
        "area", "investment", "floor_area", "tax_per_mu", "note", "issues", "reason",
    ]  # fmt: skip
    return {k: "" for k in keys} | {"record_id": rid, "_row": row} | values


# --- the template ------------------------------------------------------------------------------


def test_template_sheets_headers_and_rows(huzhou, records, deqing):
    content = template(huzhou, records)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["进展填报", "填报说明", "说明", "元数据"]
    assert [book[s].sheet_state for s in book.sheetnames] == ["visible", "visible", "visible", "hidden"]
    ws = book[ENTRY_SHEET]
    assert ws["A1"].value.endswith("德清县｜2024年第3期（5—6月）（2024-B3）进展填报")
    assert "2024-06-30" in ws["A2"].value and "2024-07-15" in ws["A2"].value
    assert [c.value for c in ws[HEADER_ROW]] == HEADERS
    body = list(ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [r[0] for r in body] == list(deqing["id"])  # the 区县's 26 records, in the plan's order
    assert len(body) == 26
    assert [(r[1], r[2]) for r in body] == list(zip(deqing["name"], deqing["county"], strict=True))
    assert [r[3] for r in body] == [float(a) for a in deqing["area"]]  # 规划面积 in 亩


def test_reference_columns_are_grey_locked_and_marked(huzhou, records):
    ws = openpyxl.load_workbook(io.BytesIO(template(huzhou, records)))[ENTRY_SHEET]
    columns = columns_of(ws)
    assert ws.protection.sheet  # locked cells cannot be typed over
    for header in (
        "名称",
        "区县",
        "规划面积（亩）",
        "上期阶段",
        "上期累计再开发面积（亩）",
        "上期累计投资（万元）",
    ):
        head, cell = ws.cell(HEADER_ROW, columns[header]), ws.cell(HEADER_ROW + 1, columns[header])
        assert head.comment is not None and "参考" in head.comment.text, header
        assert cell.protection.locked and cell.fill.fgColor.rgb.endswith("EDEDED"), header
    for header in ("阶段", "开工日期", "累计再开发面积（亩）", "累计投资（万元）", "进展说明", "变动原因"):
        assert not ws.cell(HEADER_ROW + 1, columns[header]).protection.locked, header
    assert ws.cell(HEADER_ROW + 1, 1).protection.locked  # the 编号 of a given record
    # below the records, the column's own format holds: 编号 and the white columns can be typed in
    assert not ws.column_dimensions["A"].protection.locked and not ws.column_dimensions["E"].protection.locked
    assert ws.column_dimensions["B"].protection.locked


def test_stage_drop_down_and_date_format(huzhou, records):
    ws = openpyxl.load_workbook(io.BytesIO(template(huzhou, records)))[ENTRY_SHEET]
    columns = columns_of(ws)
    stage_letter = openpyxl.utils.get_column_letter(columns["阶段"])
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1
    assert lists[0].formula1 == '"未启动,方案批复,供地/签约,开工,竣工,验收/上图入库"'
    assert str(lists[0].sqref).startswith(f"{stage_letter}{HEADER_ROW + 1}:")
    for header in ("方案批复日期", "供地/签约日期", "开工日期", "竣工日期", "验收/上图入库日期"):
        assert ws.cell(HEADER_ROW + 1, columns[header]).number_format == "yyyy-mm-dd", header


def test_guide_and_metadata(huzhou, records):
    content = template(huzhou, records)
    book = openpyxl.load_workbook(io.BytesIO(content))
    guide = "\n".join(
        str(v) for row in book["说明"].iter_rows(values_only=True) for v in row if v is not None
    )
    for words in ("2024-B3", "2024年第3期（5—6月）", "2024-05-01 至 2024-06-30", "2024-07-15", "亩", "万元"):
        assert words in guide
    stage_rows = [
        r for r in book["说明"].iter_rows(values_only=True) if r[0] in {s.code for s in DEFAULT_STAGES}
    ]
    assert [r[:4] for r in stage_rows] == [
        ("none", "未启动", "储备", "—（无）"),
        ("approved", "方案批复", "计划实施", "方案批复日期"),
        ("supplied", "供地/签约", "正在实施", "供地/签约日期"),
        ("started", "开工", "正在实施", "开工日期"),
        ("completed", "竣工", "已完成", "竣工日期"),
        ("accepted", "验收/上图入库", "已完成", "验收/上图入库日期"),
    ]
    assert read_meta(content) == {
        "kind": "盘活进展填报模板",
        "version": "1",
        "plan": PLAN,
        "county": COUNTY,
        "period": "2024-B3",
        "unit": "亩",
        "demo": "否",
    }
    narrative = [r[0] for r in book["填报说明"].iter_rows(min_row=3, values_only=True) if r[0]]
    assert narrative == ["工作进展及成效", "制度建设情况", "典型案例", "难点问题"]
    assert DEMO_LABEL not in guide


def test_template_prefills_the_last_approved_values(huzhou, records, deqing):
    rid = deqing["id"][0]
    content = template(huzhou, records, {rid: started(rid, area="120.5", note="已开工")})
    ws = openpyxl.load_workbook(io.BytesIO(content))[ENTRY_SHEET]
    columns = columns_of(ws)
    row = {h: ws.cell(HEADER_ROW + 1, c).value for h, c in columns.items()}
    assert (row["阶段"], row["开工日期"], row["累计再开发面积（亩）"], row["累计投资（万元）"]) == (
        "开工",
        dt.datetime(2023, 11, 2),
        120.5,
        5000,
    )
    assert (row["上期阶段"], row["上期累计再开发面积（亩）"], row["上期累计投资（万元）"]) == (
        "开工",
        120.5,
        5000,
    )
    assert row["进展说明"] == "已开工" and row["竣工日期"] is None
    second = {h: ws.cell(HEADER_ROW + 2, c).value for h, c in columns.items()}
    assert second["阶段"] is None and second["上期阶段"] in (None, "")


def test_a_demonstration_plan_is_labelled_on_every_sheet(huzhou, records):
    demo = dataclasses.replace(huzhou, meta=huzhou.meta | {"demo": True})
    book = openpyxl.load_workbook(io.BytesIO(template(demo, records)))
    assert [book[s]["A1"].value for s in book.sheetnames] == [DEMO_LABEL] * 4
    assert [c.value for c in book[ENTRY_SHEET][HEADER_ROW + 1]] == HEADERS  # one row lower
    plain = openpyxl.load_workbook(io.BytesIO(template(huzhou, records)))
    assert not any(
        DEMO_LABEL in str(v)
        for s in plain.worksheets
        for row in s.iter_rows(values_only=True)
        for v in row
        if v
    )


def test_text_from_data_and_users_stays_text(huzhou, records, deqing):
    """A name or note that looks like a formula is a text cell showing exactly that; control
    characters (not allowed in XLSX) are dropped; it reads back as written."""
    rid = deqing["id"][0]
    hostile = records.copy()
    hostile.loc[hostile["id"] == rid, "name"] = '=HYPERLINK("http://example.invalid","点我")'
    content = template(
        huzhou,
        hostile,
        {rid: started(rid, note="-12亩\x07+1")},
        narrative={"progress": "=1+1", "cases": "@SUM(A1)"},
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book[ENTRY_SHEET]
    columns = columns_of(ws)
    name, note = ws.cell(HEADER_ROW + 1, columns["名称"]), ws.cell(HEADER_ROW + 1, columns["进展说明"])
    assert (name.data_type, name.value) == ("s", '=HYPERLINK("http://example.invalid","点我")')
    assert (note.data_type, note.value) == ("s", "-12亩+1")
    entries, narrative, _ = read(content, huzhou)
    assert entries[0]["note"] == "-12亩+1"
    assert (narrative["progress"], narrative["cases"]) == ("=1+1", "@SUM(A1)")


# --- reading it back -------------------------------------------------------------------------------


def test_round_trip_gives_the_entries_and_narrative(huzhou, records, deqing):
    first, second, third = deqing["id"][:3]
    content = template(huzhou, records, {first: started(first)})
    filled = fill(
        content,
        {
            first: {"累计再开发面积（亩）": 130, "累计投资（万元）": 6200.5, "进展说明": "主体完工"},
            second: {
                "阶段": "供地/签约",
                "方案批复日期": dt.datetime(2024, 1, 5),
                "供地/签约日期": dt.datetime(2024, 5, 20),
                "累计再开发面积（亩）": 12,
                "累计投资（万元）": 300,
            },
        },
        narrative={"工作进展及成效": "完成供地两宗。", "难点问题": "资金缺口"},
    )
    entries, narrative, problems = read(filled, huzhou)
    assert entries == [
        blank(first, 4, **started(first, area="130", investment="6200.5", note="主体完工")),
        blank(
            second,
            5,
            stage="supplied",
            approved_on="2024-01-05",
            supplied_on="2024-05-20",
            area="12",
            investment="300",
        ),
    ]
    assert third not in {e["record_id"] for e in entries}  # left empty: not reported
    assert narrative == {
        "progress": "完成供地两宗。",
        "institution": "",
        "cases": "",
        "difficulties": "资金缺口",
    }
    assert problems == []
    cleaned, found = check_entries(
        entries,
        records=records,
        county=COUNTY,
        previous={first: started(first)},
        stages=DEFAULT_STAGES,
        unit="亩",
        period=PERIOD,
        today=TODAY,
    )
    assert found == [] and [c["record_id"] for c in cleaned] == [first, second]


HEADER_VARIANTS = [
    # (header cell → written instead, value typed, field, value read)
    ("累计再开发面积（亩）", "累计再开发面积(亩)", 12.5, "area", "12.5"),
    ("累计再开发面积（亩）", " 累计再开发面积 （ 亩 ） ", "12.5", "area", "12.5"),
    ("累计再开发面积（亩）", "累计再开发面积（公顷）", 2, "area", "30"),
    ("累计再开发面积（亩）", "累计再开发面积（hm²）", "0.5", "area", "7.5"),
    ("累计再开发面积（亩）", "累计再开发面积（亩）", "15亩", "area", "15"),
    ("累计再开发面积（亩）", "累计再开发面积（亩）", "1公顷", "area", "15"),
    ("累计投资（万元）", "累计投资(万元)", "1,200.5", "investment", "1,200.5"),
    ("累计投资（万元）", "累计投资（元）", 25_000_000, "investment", "2500"),
    ("累计投资（万元）", "累计完成投资（万元）", 88, "investment", "88"),
    ("新增建筑面积（平方米）", "新增建筑面积（万平方米）", "1.2", "floor_area", "12000"),
    ("开工日期", "开工时间", "2024/3/5", "started_on", "2024-03-05"),
    ("供地/签约日期", "供地签约日期", "2024年2月1日", "supplied_on", "2024-02-01"),
    ("编号", "片区编号", None, "record_id", None),
    ("阶段", " 阶 段 ", "开工", "stage", "started"),
    ("阶段", "当前阶段", "started", "stage", "started"),
]


@pytest.mark.parametrize(
    ("header", "written", "typed", "key", "expected"),
    HEADER_VARIANTS,
    ids=[f"{v[1]}={v[2]}" for v in HEADER_VARIANTS],
)
def test_header_spelling_variants(huzhou, records, deqing, header, written, typed, key, expected):
    rid = deqing["id"][0]

    def respell(book):
        ws = book[ENTRY_SHEET]
        ws.cell(HEADER_ROW, columns_of(ws)[header], written)

    values = {"阶段": "方案批复", "方案批复日期": "2024-01-05"}
    if typed is not None:
        values[header] = typed
    entries, _narrative, problems = read(fill(template(huzhou, records), {rid: values}, edit=respell), huzhou)
    assert [e["record_id"] for e in entries] == [rid]
    assert entries[0][key] == (rid if expected is None else expected)
    assert [p for p in problems if p.severity == "error"] == []


def test_a_workbook_of_its_own_columns_moved_extra_and_missing(huzhou, deqing):
    """Not the template: the 区县's own sheet, columns in another order, one extra column, no
    reference columns and no 元数据; numbers and dates typed as text, stages as codes."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "德清进展"
    ws.append(
        [
            "累计投资（万元）",
            "联系人",
            "阶段",
            "编号",
            "开工日期",
            "累计再开发面积（亩）",
            "方案批复日期",
            "供地/签约日期",
        ]
    )
    a, b = deqing["id"][:2]
    ws.append(["1,000", "张三", "started", a, "2024.3.5", "８０", "2023-12-01", "2024/01/15"])
    ws.append([None, "李四", "approved", b, None, None, 45292, None])  # 45292: a date typed as a number
    out = io.BytesIO()
    book.save(out)
    entries, _narrative, problems = read(out.getvalue(), huzhou)
    assert entries == [
        blank(a, 2, stage="started", investment="1,000", started_on="2024-03-05", area="８０",
              approved_on="2023-12-01", supplied_on="2024-01-15"),
        blank(b, 3, stage="approved", approved_on="2024-01-01"),
    ]  # fmt: skip
    assert [(p.severity, p.column, p.problem) for p in problems] == [
        ("warning", "", "工作簿中没有“元数据”表，无法核对它属于哪个规划、区县和填报期"),
        ("warning", "联系人", "未识别的列，已忽略"),
    ]
    assert problems[1].row == 1 and problems[1].sheet == "德清进展"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024/3/5", "2024-03-05"),
        ("2024年3月5日", "2024-03-05"),
        ("２０２４年３月５日", "2024-03-05"),
        ("2024.03.05", "2024-03-05"),
        ("20240305", "2024-03-05"),
        ("2024-03-05 00:00:00", "2024-03-05"),
        ("45356", "2024-03-05"),
        ("", ""),
        ("2024-02-30", None),
        ("三月初", None),
        ("2024年3月", None),
    ],
)
def test_dates_as_people_write_them(text, expected):
    assert parse_date(text) == expected


def test_a_cell_that_cannot_be_read_is_reported_at_its_excel_row(huzhou, records, deqing):
    """The reader keeps what it cannot read; the rules (the page's own) say what is wrong, at
    the row and column of the workbook — and an unknown record id is listed, not dropped."""
    a, b = deqing["id"][:2]
    filled = fill(
        template(huzhou, records),
        {
            a: {"阶段": "拆迁中"},
            b: {
                "阶段": "开工",
                "方案批复日期": "2024-01-05",
                "供地/签约日期": "2024-02-01",
                "开工日期": "三月初",
            },
            "999": {"阶段": "开工"},
        },
    )
    entries, _narrative, problems = read(filled, huzhou)
    assert problems == []
    assert [(e["record_id"], e["_row"]) for e in entries] == [(a, 4), (b, 5), ("999", 30)]
    _cleaned, found = check_entries(
        entries, records=records, county=COUNTY, previous={}, stages=DEFAULT_STAGES, unit="亩", period=PERIOD,
        today=TODAY,
    )  # fmt: skip
    assert [(p.row, p.column, p.value, p.severity) for p in found] == [
        (4, "阶段", "拆迁中", "error"),
        (5, "开工日期", "三月初", "error"),
        (30, "编号", "999", "error"),
    ]
    assert "不在本规划" in found[2].problem


def test_a_total_row_and_empty_rows_are_skipped(huzhou, records, deqing):
    a = deqing["id"][0]
    filled = fill(template(huzhou, records), {a: {"阶段": "未启动"}, "合计": {"累计再开发面积（亩）": 999}})
    entries, _n, problems = read(filled, huzhou)
    assert [e["record_id"] for e in entries] == [a] and problems == []


# --- bad files ---------------------------------------------------------------------------------------


def _encrypted() -> bytes:
    """An OLE container naming EncryptionInfo/EncryptedPackage: what Excel writes with a password."""
    sector = bytearray(512)
    for i, stream in enumerate(("EncryptionInfo", "EncryptedPackage")):
        name = stream.encode("utf-16-le")
        sector[i * 128 : i * 128 + len(name)] = name
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + bytes(sector) + bytes(1024)


def _zip_of(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def _empty_workbook() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def _retagged(key: str, value: str):
    def edit(book):
        ms = book[META_SHEET]
        label = {"plan": "规划编号", "county": "区县", "period": "填报期"}[key]
        for r in range(1, ms.max_row + 1):
            if ms.cell(r, 1).value == label:
                ms.cell(r, 2, value)

    return edit


def _no_header(book):
    book[ENTRY_SHEET].delete_rows(HEADER_ROW)


BAD_FILES = {
    # name: (content maker taking (plan, records, deqing), words of the message)
    "empty file": (lambda *_: b"", "上传的文件是空的（0 字节）"),
    "a CSV": (lambda *_: "编号,阶段\n22,开工\n".encode(), "上传的文件不是 Excel 工作簿（.xlsx）"),
    "a PDF": (lambda *_: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "上传的文件不是 Excel 工作簿（.xlsx）"),
    "password-protected": (lambda *_: _encrypted(), "设置了打开密码（已加密），无法读取"),
    "legacy xls": (lambda *_: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "旧版 Excel 格式（.xls）"),
    "a zip, not a workbook": (
        lambda *_: _zip_of("说明.txt", b"hello"),
        "不是 Excel 工作簿（缺少 xl/workbook.xml）",
    ),
    "truncated": (lambda p, r, d: template(p, r)[:3000], "不是有效的压缩包或 Excel 文件"),
    "damaged xml": (
        lambda p, r, d: _zip_of("xl/workbook.xml", b"<workbook><sheets><sheet"),
        "无法读取 Excel 文件",
    ),
    "empty workbook": (lambda *_: _empty_workbook(), "工作簿是空的"),
    "header deleted": (lambda p, r, d: fill(template(p, r), {}, edit=_no_header), "找不到填报表"),
    "nothing filled in": (lambda p, r, d: template(p, r), "没有填写任何内容"),
    "another plan": (
        lambda p, r, d: fill(
            template(p, r), {d["id"][0]: {"阶段": "未启动"}}, edit=_retagged("plan", "wuwei-2023")
        ),
        "这份工作簿是规划 wuwei-2023 的填报模板，不是所选规划 huzhou-2023 的",
    ),
    "another county": (
        lambda p, r, d: fill(
            template(p, r), {d["id"][0]: {"阶段": "未启动"}}, edit=_retagged("county", "长兴县")
        ),
        "这份工作簿是长兴县的填报模板，不是德清县的",
    ),
    "another period": (
        lambda p, r, d: fill(
            template(p, r), {d["id"][0]: {"阶段": "未启动"}}, edit=_retagged("period", "2024-B2")
        ),
        "这份工作簿是填报期 2024-B2 的模板，不是所选的 2024-B3（2024年第3期（5—6月））",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_each_bad_file_gets_its_chinese_message(huzhou, records, deqing, case):
    make, words = BAD_FILES[case]
    with pytest.raises(WorkbookError) as caught:
        read(make(huzhou, records, deqing), huzhou)
    assert words in str(caught.value)
    assert not any(w in str(caught.value) for w in ("Error", "Traceback", "zip file", "KeyError"))


# --- the upload, through the store ----------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def progress(request, tmp_path, monkeypatch):
    folder = tmp_path / "data"
    for name in (PLAN, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database(request.param, tmp_path, monkeypatch)
    return Progress(Store.open(), today=lambda: TODAY)


def counts(progress) -> tuple[int, int, int]:
    with progress.store.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t))
            for t in (ProgressReportRow, ProgressEntryRow, AuditRow)
        )


def test_upload_saves_a_draft_then_submits_it(progress, huzhou, records, deqing):
    a, b = deqing["id"][:2]
    filled = fill(
        template(huzhou, records),
        {
            a: {"阶段": "开工", "方案批复日期": "2024-01-05", "供地/签约日期": "2024-02-01", "开工日期": "2024/3/1",
                "累计再开发面积（亩）": 40, "累计投资（万元）": "1,500"},
            b: {"阶段": "未启动"},
        },
        narrative={"工作进展及成效": "两个片区推进中"},
    )  # fmt: skip
    outcome = import_workbook(progress, REPORTER, huzhou, COUNTY, PERIOD.id, filled, client="测试")
    assert outcome.ok and outcome.message == "已保存草稿：德清县 2024年第3期（5—6月）（2024-B3），2 条记录"
    assert (outcome.report.state, outcome.report.revision, outcome.entries) == ("draft", 1, 2)
    saved = progress.entries(outcome.report.id)
    assert [(e["record_id"], e["stage"], e["started_on"], e["area"], e["investment"]) for e in saved] == [
        (a, "started", "2024-03-01", "40", "1500"),
        (b, "none", "", "", ""),
    ]
    assert progress.report(PLAN, COUNTY, PERIOD.id).narrative["progress"] == "两个片区推进中"
    again = import_workbook(progress, REPORTER, huzhou, COUNTY, PERIOD.id, filled, submit=True, client="测试")
    assert again.ok and again.submitted and again.message.endswith("2 条记录（逾期报送）")
    assert (again.report.state, again.report.revision, again.report.late) == ("submitted", 1, True)
    with progress.store.session() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.kind.like("progress_%")).order_by(AuditRow.id)
        ).all()
        assert [(r.kind, r.actor, r.client) for r in rows] == [
            ("progress_draft_saved", "dq", "测试"),
            ("progress_draft_saved", "dq", "测试"),
            ("progress_submitted", "dq", "测试"),
        ]


def test_rule_errors_write_nothing_and_are_placed_at_excel_rows(progress, huzhou, records, deqing):
    a, b = deqing["id"][:2]
    filled = fill(
        template(huzhou, records),
        {a: {"阶段": "竣工"}, b: {"阶段": "未启动", "累计再开发面积（亩）": float(deqing["area"][1]) + 50}},
    )
    before = counts(progress)
    outcome = import_workbook(progress, REPORTER, huzhou, COUNTY, PERIOD.id, filled)
    assert not outcome.ok and outcome.report is None
    assert outcome.message.startswith("填报有 5 处错误，未保存任何内容")
    assert {(p.row, p.column, p.sheet) for p in outcome.errors} == {
        (4, "方案批复日期", ENTRY_SHEET),
        (4, "供地/签约日期", ENTRY_SHEET),
        (4, "开工日期", ENTRY_SHEET),
        (4, "竣工日期", ENTRY_SHEET),
        (5, "累计再开发面积（亩）", ENTRY_SHEET),
    }
    assert counts(progress) == before


@pytest.mark.parametrize(
    "case", ["a CSV", "password-protected", "truncated", "another period", "nothing filled in"]
)
def test_a_bad_file_writes_nothing(progress, huzhou, records, deqing, case):
    make, words = BAD_FILES[case]
    before = counts(progress)
    outcome = import_workbook(progress, REPORTER, huzhou, COUNTY, PERIOD.id, make(huzhou, records, deqing))
    assert not outcome.ok and words in outcome.message and outcome.report is None
    assert counts(progress) == before


def test_a_reporter_cannot_upload_for_another_county(progress, huzhou, records, deqing):
    filled = fill(template(huzhou, records), {deqing["id"][0]: {"阶段": "未启动"}})
    before = counts(progress)
    with pytest.raises(PermissionDenied):
        import_workbook(progress, OTHER, huzhou, COUNTY, PERIOD.id, filled)
    # nor by relabelling the workbook as theirs: the records are still 德清县's
    relabelled = fill(filled, {}, edit=_retagged("county", "长兴县"))
    outcome = import_workbook(progress, OTHER, huzhou, "长兴县", PERIOD.id, relabelled)
    assert not outcome.ok and {p.problem.split("，")[0] for p in outcome.errors} == {
        f"编号 {deqing['id'][0]} 属于德清县"
    }
    assert counts(progress) == before
