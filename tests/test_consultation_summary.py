"""意见汇总表: rows in number order, counts by 意见对象 and 处理情况, text never a formula, and no
private data (name, contact, phone numbers in the text, reference) in the XLSX or the PDF."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from panhuo.access import Grant, Role, User
from panhuo.catalog import open_catalog
from panhuo.consultation import Consultations, Target
from panhuo.consultation.summary import counts_frames, summary_frame, summary_pdf, summary_xlsx
from panhuo.store import Store
from tests.conftest import ROOT
from tests.test_store import use_database

URUMQI = "urumqi-2025"
MOD = User("shy", "审核员", (Grant(Role.MODERATOR, URUMQI),))
FORMULA = '=HYPERLINK("http://x")建议第3条写明奖励上限'
PRIVATE = ("张三", "13900001111", "13812345678")
PDFTOTEXT = Path("/usr/bin/pdftotext")


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def env(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    for name in (URUMQI, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database("sqlite", tmp_path, monkeypatch)
    store = Store.open()
    plan = open_catalog(store=store).get(URUMQI)
    service = Consultations(store, clock=Clock(dt.datetime(2025, 12, 10, 2, 0)))
    who = {"name": "张三", "contact": "13900001111"}
    published = service.submit(plan, "建议增加公示环节，电话13812345678", topic="公示", client="1", **who)
    formula = service.submit(plan, FORMULA, Target("measure", "3"), topic="容积率", client="2", **who)
    rejected = service.submit(plan, "<script>alert(1)</script>广告内容", topic="广告", client="3", **who)
    merged = service.submit(plan, "建议增加公示环节。", client="4", **who)
    service.publish(MOD, plan, published.ref)
    service.publish(MOD, plan, formula.ref)
    service.reject(MOD, plan, rejected.ref, "与本方案无关的广告")
    service.merge(MOD, plan, merged.ref, published.ref)
    service.answer(MOD, plan, published.ref, "采纳", "将在第10条补充公示要求。")
    service.release_answers(MOD, plan)
    comments = service.comments(MOD, plan)
    return service.window(plan), plan, comments


def _cells(book: bytes) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(io.BytesIO(book))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def _secrets(comments) -> tuple[str, ...]:
    return (*PRIVATE, *(c.ref for c in comments))


def test_frame_rows_in_order_marked_and_without_private_data(env):
    _window, _plan, comments = env
    frame = summary_frame(list(reversed(comments)), internal=True)
    assert list(frame["序号"]) == [1, 2, 3, 4]
    assert list(frame["是否公开"]) == ["已公开", "已公开", "未公开：与本方案无关的广告", "已合并至第 1 条"]
    assert list(frame["处理情况"]) == ["采纳", "未答复", "未答复", "未答复"]
    assert frame["意见对象"][1] == "措施 第3条 优化容积率核定"
    assert "<script>" in frame["意见内容"][2]  # plain text, internal shows the masked text
    public = summary_frame(comments, internal=False)
    assert list(public["意见内容"])[2:] == ["（未公开）", "（未公开）"]
    assert public["是否公开"][2] == "未公开" and "广告" not in public.to_string()
    text = frame.to_string() + public.to_string()
    assert not [s for s in _secrets(comments) if s in text]


def test_counts_by_target_and_by_status(env):
    _window, _plan, comments = env
    targets, statuses = counts_frames(comments)
    assert targets.values.tolist() == [
        ["规划整体", 3, 1],
        ["措施 第3条 优化容积率核定", 1, 1],
        ["合计", 4, 2],
    ]
    counted = dict(statuses.values.tolist())
    assert counted == {
        "采纳": 1,
        "部分采纳": 0,
        "不予采纳": 0,
        "已有考虑": 0,
        "研究中": 0,
        "未答复": 3,
        "合计": 4,
    }
    assert list(statuses["处理情况"])[-2:] == ["未答复", "合计"]


@pytest.mark.parametrize("internal", [True, False])
def test_xlsx_text_is_text_and_private_data_absent(env, internal):
    window, plan, comments = env
    book = summary_xlsx(window, plan.title, comments, internal=internal)
    sheets = _cells(book)
    assert list(sheets) == ["意见汇总表", "按对象统计", "按处理情况统计"]
    rows = sheets["意见汇总表"]
    version = "（内部版，不含联系方式）" if internal else "（公开版）"
    assert "意见汇总表" + version in rows[0][0] and plan.title in rows[0][0]
    assert f"征求意见：{window.opens_text} 至 {window.closes_text}（北京时间）" in rows[0][0]
    assert rows[2][:3] == ["序号", "收到日期", "渠道"]
    body = rows[3:]
    assert [r[0] for r in body] == [1, 2, 3, 4]
    assert body[2][6] == ("未公开：与本方案无关的广告" if internal else "未公开")
    assert body[3][6] == "已合并至第 1 条"
    if not internal:
        assert [r[5] for r in body[2:]] == ["（未公开）", "（未公开）"]
    ws = openpyxl.load_workbook(io.BytesIO(book))["意见汇总表"]
    formula = ws.cell(row=5, column=6)
    assert formula.value == FORMULA and formula.data_type == "s"
    assert sheets["按对象统计"][-1] == ["合计", 4, 2]
    assert sheets["按处理情况统计"][-1] == ["合计", 4]
    everything = repr(sheets)
    assert not [s for s in _secrets(comments) if s in everything]


@pytest.mark.skipif(not PDFTOTEXT.is_file(), reason="pdftotext (poppler-utils) not installed")
@pytest.mark.parametrize("internal", [True, False])
def test_pdf_has_title_and_published_text_not_private_data(env, tmp_path, internal):
    window, plan, comments = env
    pdf = summary_pdf(window, plan.title, comments, internal=internal)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([str(PDFTOTEXT), "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    flat = "".join(text.split())
    assert "意见汇总表" in flat and ("公开版" in flat) != internal
    assert "HYPERLINK" in flat and "建议增加公示环节" in flat
    assert not [s for s in _secrets(comments) if s in flat]
