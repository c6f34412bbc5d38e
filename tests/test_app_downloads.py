"""AppTest: 区县目标, 结构调整 and 数据核查 offer 下载 XLSX / 下载 CSV for each summary table, and what
the files hold is what the page shows — the same rows, the same 合计 (湖州 附件2: 23743 亩 in
66 片区, 德清县 6005; 上党区 附表8: 现状 146.59, 规划 rows 146.60 where the table prints 146.59;
上党区's 31 mismatches, 附表2 住宅用地 占比 57.16 against 72.5084). The charts by 区县 carry
their values as labels, equal to the bars.
"""

from __future__ import annotations

import io
import json
import shutil

import openpyxl
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from panhuo.demo import DEMO_LABEL, DEMO_PLAN_ID, SOURCE_PLAN_ID
from panhuo.units import parse_number
from tests.conftest import ROOT
from tests.pages import open_page, rendered_text


@pytest.fixture(autouse=True)
def _fresh(monkeypatch):
    import streamlit as st

    monkeypatch.delenv("PANHUO_PUBLIC", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """file name → bytes of every download the runs offer (the files are made when clicked:
    the deferred callables are called here, as a click would)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    files: dict[str, object] = {}
    original = MemoryMediaFileStorage.load_and_get_id
    deferred = MediaFileManager.add_deferred

    def keep(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes) and filename:
            files[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def keep_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    monkeypatch.setattr(MediaFileManager, "add_deferred", keep_deferred)

    class Files(dict):
        def __getitem__(self, name: str) -> bytes:
            value = files[name]
            return value() if callable(value) else value

        def names(self) -> list[str]:
            return sorted(files)

    return Files()


def buttons(at: AppTest) -> dict[str, str]:
    """key suffix → label of the download buttons shown."""
    return {b.proto.id.rsplit("-", 1)[-1]: b.label for b in at.get("download_button")}


def workbook(data: bytes, first_header: str) -> tuple[list[str], list[list], list | None, list[str], object]:
    """(headers, data rows, the 合计 row or None, the note lines, the sheet) of a table_xlsx."""
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(i for i, row in enumerate(rows) if row[0] == first_header)
    note = [row[0] for row in rows[:head] if row[0]]
    body = rows[head + 1 :]
    label = next((i for i, row in enumerate(body) if "合计" in row), None)
    data_rows = body if label is None else body[:label]
    data_rows = [r for r in data_rows if any(v is not None for v in r)]
    return rows[head], data_rows, (body[label] if label is not None else None), note, (sheet, head)


def csv_rows(data: bytes) -> list[list[str]]:
    import csv

    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel on Windows needs
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def shown_number(text: str) -> float:
    return float(parse_number(text))


def table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


# ---------------------------------------------------------------- 区县目标


def test_targets_offers_the_county_table_and_its_files_agree_with_the_page(downloads):
    at = open_page("targets", plan="huzhou-2023")
    assert {
        "targets_county_stage_xlsx": "下载 XLSX",
        "targets_county_stage_csv": "下载 CSV",
    }.items() <= buttons(at).items()
    assert {"targets_all_xlsx", "targets_all_csv"} <= set(buttons(at))
    shown = table_with(at, "合计（亩）")
    assert shown.iloc[-1]["区县"] == "合计" and shown.iloc[-1]["合计（亩）"] == "23,743"
    assert shown.iloc[-1]["个数"] == "66"
    assert {m.label: m.value for m in at.metric}["清单面积"] == "23,743 亩"  # the KPI agrees

    headers, rows, total, note, (sheet, head) = workbook(downloads["huzhou-2023-各区县面积.xlsx"], "区县")
    assert headers[0] == "区县" and headers[-2:] == ["合计（亩）", "个数"]
    assert all(h.endswith("（亩）") for h in headers[1:-1])
    assert "正在实施（亩）" in headers
    col = {h: i for i, h in enumerate(headers)}
    assert total[0] == "合计" and total[col["合计（亩）"]] == 23743 and total[col["个数"]] == 66
    assert total[col["正在实施（亩）"]] == 16603  # 湖州's 正在实施 片区
    by_county = {r[0]: r[col["合计（亩）"]] for r in rows}
    assert by_county == {"吴兴区": 2700, "南浔区": 4350, "南太湖新区": 1300, "德清县": 6005, "长兴县": 4108,
                         "安吉县": 5280}  # fmt: skip
    # every figure of the page's table is in the file, in the same format
    for shown_row, file_row in zip(shown.iloc[:-1].itertuples(index=False), rows, strict=True):
        assert shown_row[0] == file_row[0]
        for text, value in zip(shown_row[1:], file_row[1:], strict=True):
            assert (text == "—" and value is None) or shown_number(text) == pytest.approx(value)
    assert sheet.cell(head + 2, col["合计（亩）"] + 1).number_format == "#,##0"
    assert note[0].startswith("湖州市") and note[1] == "各区县面积" and note[-1].startswith("导出日期：")
    assert DEMO_LABEL not in "".join(note)

    csv = csv_rows(downloads["huzhou-2023-各区县面积.csv"])
    assert csv[0] == headers and len(csv) == 1 + 6  # the rows only: no 合计 row in a CSV
    assert sum(float(r[col["合计（亩）"]]) for r in csv[1:]) == 23743

    # the chart above: each bar's total as a label, equal to the table's 区县 合计
    stacked = json.loads(at.get("plotly_chart")[0].proto.spec)
    labels = [a for a in stacked["layout"]["annotations"] if a.get("name") == "bar_total"]
    assert [a["text"] for a in labels] == [f"{v:,}" for v in by_county.values()]

    # 全部目标 as printed: text, no 合计 row
    headers, rows, total, _note, _ = workbook(downloads["huzhou-2023-全部目标.xlsx"], "范围")
    assert len(rows) == 5 and total is None and rows[0][2] == "≥ 20000"


def test_targets_files_follow_the_filter_and_the_unit(downloads):
    at = open_page("targets", plan="huzhou-2023", county="长兴县", unit="ha")
    assert table_with(at, "合计（公顷）").iloc[-1]["合计（公顷）"] == "273.87"  # 4108 亩 / 15
    headers, rows, total, note, (sheet, head) = workbook(downloads["huzhou-2023-各区县面积.xlsx"], "区县")
    col = {h: i for i, h in enumerate(headers)}
    assert [r[0] for r in rows] == ["长兴县"] and total[col["合计（公顷）"]] == pytest.approx(
        273.8667, abs=1e-4
    )
    assert sheet.cell(head + 2, col["合计（公顷）"] + 1).number_format == "#,##0.00"
    assert "筛选：区县 长兴县" in note


def test_the_demonstration_plan_s_files_say_so(tmp_path, monkeypatch, downloads):
    folder = tmp_path / "data"
    for name in (SOURCE_PLAN_ID, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    monkeypatch.setenv("PANHUO_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.sqlite'}")
    monkeypatch.setenv("PANHUO_DEMO", "1")
    open_page("targets", plan=DEMO_PLAN_ID, timeout=120)
    stem = f"模拟-{DEMO_PLAN_ID}-各区县面积"
    assert {f"{stem}.xlsx", f"{stem}.csv"} <= set(downloads.names())
    headers, rows, total, note, _ = workbook(downloads[f"{stem}.xlsx"], "数据性质")
    assert note[0].startswith(DEMO_LABEL) and headers[:2] == ["数据性质", "区县"]
    assert {r[0] for r in rows} == {DEMO_LABEL} and total[:2] == [DEMO_LABEL, "合计"]
    csv = csv_rows(downloads[f"{stem}.csv"])
    assert csv[0][0] == "数据性质" and {r[0] for r in csv[1:]} == {DEMO_LABEL}


# ---------------------------------------------------------------- 结构调整


def test_structure_offers_its_table_with_the_total_the_page_shows(downloads):
    at = open_page("structure", plan="shangdang-2021")
    assert {"structure_table_xlsx", "structure_table_csv"} <= set(buttons(at))
    shown = table_with(at, "规划−现状")
    page_total = shown.iloc[-1]
    headers, rows, total, note, (sheet, head) = workbook(downloads["shangdang-2021-结构调整.xlsx"], "用途")
    assert headers == ["用途", "一级类", "现状（公顷）", "现状占比", "规划（公顷）", "规划占比",
                       "调整量（原表，公顷）", "规划−现状（公顷）"]  # fmt: skip
    assert len(rows) == 5 and total[0] == "合计"
    assert total[2] == pytest.approx(shown_number(page_total["现状"])) == pytest.approx(146.59)
    assert total[4] == pytest.approx(shown_number(page_total["规划"])) == pytest.approx(146.60)
    assert total[7] == pytest.approx(shown_number(page_total["规划−现状"])) == pytest.approx(0.01)
    assert total[3] is None and total[5] is None  # shares as printed: not added up
    assert rows[1][3] == pytest.approx(0.5716)  # 住宅用地 现状占比 57.16%, an Excel percentage
    assert (
        sheet.cell(head + 2, 4).number_format == "0.00%"
        and sheet.cell(head + 2, 3).number_format == "#,##0.00"
    )
    assert sheet.cell(head + 2, 7).number_format == "+#,##0.00;-#,##0.00;#,##0.00"
    assert any("附表8" in line for line in note)
    footnote = sheet.cell(head + 1 + 5 + 2, 1).value
    assert footnote.startswith("说明：合计为表中各行相加")
    csv = csv_rows(downloads["shangdang-2021-结构调整.csv"])
    assert len(csv) == 1 + 5 and round(sum(float(r[4]) for r in csv[1:]), 2) == 146.60
    assert any("本表合计行为各行相加" in rendered_text(c.value) for c in at.caption)


# ---------------------------------------------------------------- 数据核查


def test_audit_offers_its_findings_as_numbers_without_a_total(downloads):
    at = open_page("audit", plan="shangdang-2021")
    assert buttons(at)["audit_xlsx"] == "下载 XLSX" and buttons(at)["audit_csv"] == "下载 CSV"
    shown = table_with(at, "核查项")
    headers, rows, total, note, (sheet, head) = workbook(downloads["shangdang-2021-核查.xlsx"], "结论")
    assert headers == list(shown.columns) and len(rows) == len(shown) == 28 and total is None
    col = {h: i for i, h in enumerate(headers)}
    index = next(
        i
        for i, r in enumerate(rows)
        if r[col["位置"]] == "附表2 住宅用地行" and r[col["核查项"]] == "住宅用地的占比应为其面积占总数的比例"
    )
    row = rows[index]
    assert (row[col["文件数值"]], row[col["计算数值"]], row[col["差值"]]) == (57.16, 72.5084, 15.3484)
    assert sheet.cell(head + 2 + index, col["计算数值"] + 1).number_format == "#,##0.0000"
    # the same figures as the page, which prints them with separators
    for shown_row, file_row in zip(shown.itertuples(index=False), rows, strict=True):
        for name in ("文件数值", "计算数值", "差值"):
            text, value = shown_row[headers.index(name)], file_row[col[name]]
            assert (text == "—" and value is None) or shown_number(text) == pytest.approx(value)
    assert row[col["问题"]] == "问题1" and "106.29 ÷" in row[col["核算"]]
    assert any(line.startswith("问题 13 个（涉及 28 项核查）") for line in note)
    assert "核查结果：一致 292 项；舍入误差 42 项；不一致 28 项；数值无效 0 项；无法核查 0 项" in note
    csv = csv_rows(downloads["shangdang-2021-核查.csv"])
    assert len(csv) == 1 + 28 and "57.16" in {r[col["文件数值"]] for r in csv[1:]}


def test_audit_offers_the_list_of_problems_one_row_per_check(downloads):
    at = open_page("audit", plan="shangdang-2021")
    assert buttons(at)["audit_causes_xlsx"] == "下载 XLSX"
    headers, rows, total, note, _ = workbook(downloads["shangdang-2021-问题清单.xlsx"], "问题")
    assert headers[:3] == ["问题", "问题结论", "问题概述"] and total is None
    assert len(rows) == 28 and len({r[0] for r in rows}) == 13
    assert any(line.startswith("问题 13 个（涉及 28 项核查）") for line in note)
    col = {h: i for i, h in enumerate(headers)}
    gov = next(r for r in rows if r[col["核查项"]] == "政府主导再开发地块面积占比")
    assert gov[col["原文"]] == "安排政府主导再开发地块75个，面积138.66公顷，占再开发地块总面积的86.36%"
    assert gov[col["核算"]] == "138.66 ÷ 146.59 × 100 = 94.59%，文件为 86.36%"


# ---------------------------------------------------------------- 总览's bars by 区县


def test_overview_bars_by_county_carry_their_values():
    at = open_page("overview", plan="huzhou-2023")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    (bar,) = spec["data"]
    assert dict(zip(bar["y"], bar["text"], strict=True))["德清县"] == "6,005"
    assert bar["textposition"] == "outside"
