"""``python -m panhuo progress …``: periods, template, import, review, status, export — each
command's output and JSON shape, exit codes (0 done, 1 nothing written, 2 a wrong command line),
``--user`` an existing active account holding the role (recorded in the audit trail), a reporter
kept to their 区县, and only approved figures exported. The journey import → review → export
on SQLite and PostgreSQL; the real command once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import openpyxl
import pytest
from sqlalchemy import func, select

from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.cli import main
from panhuo.store import Store
from panhuo.store.schema import AuditRow, ProgressEntryRow, ProgressReportRow
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_database

PLAN = "huzhou-2023"
COUNTY = "德清县"
PERIOD = "2024-B3"  # 5—6月 2024: long over, so a report now is late
PASSWORD = "Test-Passwort-2026!"
HEADER_ROW = 3
COUNTIES = ["吴兴区", "南浔区", "南太湖新区", "德清县", "长兴县", "安吉县"]


def _setup(backend: str, tmp_path, monkeypatch) -> Store:
    folder = tmp_path / "data"
    for name in (PLAN, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database(backend, tmp_path, monkeypatch)
    store = Store.open()
    accounts = Accounts(store)
    admin = system_user("test")
    for name, grants in {
        "dq": [Grant(Role.REPORTER, PLAN, (COUNTY,))],
        "cx": [Grant(Role.REPORTER, PLAN, ("长兴县",))],
        "li": [Grant(Role.ANALYST, PLAN)],
        "gone": [Grant(Role.ANALYST, PLAN)],
    }.items():
        accounts.add(admin, name, PASSWORD, grants, display_name=f"测试{name}", must_change_password=False)
    accounts.set_active(admin, "gone", False)
    return store


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    return _setup("sqlite", tmp_path, monkeypatch)


@pytest.fixture(params=BACKENDS)
def any_store(request, tmp_path, monkeypatch) -> Store:
    return _setup(request.param, tmp_path, monkeypatch)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["progress", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def counts(store: Store) -> tuple[int, int]:
    with store.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t)) for t in (ProgressReportRow, ProgressEntryRow)
        )


def progress_audit(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.kind.like("progress_%")).order_by(AuditRow.id))
        return [(r.kind, r.actor, r.client) for r in rows]


def filled_template(capsys, tmp_path, county=COUNTY, rows=None, period=PERIOD):
    """The template the command writes, filled in with openpyxl (record id → header → value);
    by default the first record of the 区县 at 开工, 40 亩 and 1500 万元."""
    path = tmp_path / f"{county}-{period}.xlsx"
    code, out, _ = run(capsys, "template", PLAN, "--county", county, "--period", period, "-o", str(path))
    assert code == 0, out
    book = openpyxl.load_workbook(path)
    ws = book["进展填报"]
    columns = {c.value: c.column for c in ws[HEADER_ROW]}
    first = ws.cell(HEADER_ROW + 1, 1).value
    rows = rows or {
        first: {
            "阶段": "开工",
            "方案批复日期": "2024-01-05",
            "供地/签约日期": "2024-02-01",
            "开工日期": "2024-03-01",
            "累计再开发面积（亩）": 40,
            "累计投资（万元）": 1500,
        }
    }
    where = {ws.cell(r, 1).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    for rid, values in rows.items():
        for header, value in values.items():
            ws.cell(where[rid], columns[header], value)
    book.save(path)
    return path, first


# --- periods and template -------------------------------------------------------------------------


def test_periods_text_and_json(store, capsys):
    code, out, _ = run(capsys, "periods", PLAN, "--json")
    periods = json.loads(out)
    assert (
        code == 0 and len(periods) == 24
    )  # every two months from the plan's issue (2024-01-30) to 2027 (湖州's cadence)
    assert periods[0] == {"id": "2024-B1", "start": "2024-01-01", "end": "2024-02-29", "due": "2024-03-15"}
    assert all(set(p) == {"id", "start", "end", "due"} for p in periods)
    code, out, _ = run(capsys, "periods", PLAN)
    assert out.splitlines()[2] == "2024-B3\t2024年第3期（5—6月）\t2024-05-01 至 2024-06-30\t截止 2024-07-15"


def test_template_is_written_for_the_county_and_period(store, capsys, tmp_path):
    path = tmp_path / "德清.xlsx"
    code, out, err = run(capsys, "template", PLAN, "--county", COUNTY, "--period", PERIOD, "-o", str(path))
    assert (code, err) == (0, "")
    assert out.strip() == f"已写出德清县2024年第3期（5—6月）（2024-B3）的填报模板：{path}（26 条记录）"
    ws = openpyxl.load_workbook(path)["进展填报"]
    assert ws.cell(HEADER_ROW, 1).value == "编号" and ws.max_row == HEADER_ROW + 26


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["template", "nowhere-2020", "--county", COUNTY, "--period", PERIOD],
            "没有编号为 nowhere-2020 的规划",
        ),
        (
            ["template", PLAN, "--county", "上党区", "--period", PERIOD],
            "规划 huzhou-2023 没有区县“上党区”；可选的区县：吴兴区",
        ),
        (
            ["template", PLAN, "--county", COUNTY, "--period", "2024-H1"],
            "没有填报期“2024-H1”；可选：2024-B1、2024-B2",
        ),
        (["periods", "../etc"], "规划编号"),
        (["status", PLAN, "--period", "2030-B1"], "没有填报期“2030-B1”"),
    ],
)
def test_a_wrong_command_line_exits_2(store, capsys, tmp_path, argv, words):
    if argv[0] == "template":
        argv = [*argv, "-o", str(tmp_path / "x.xlsx")]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and err.startswith("错误：") and words in err
    assert not (tmp_path / "x.xlsx").exists()


# --- import -------------------------------------------------------------------------------------------


def test_import_saves_a_draft_as_the_named_user(store, capsys, tmp_path):
    path, _first = filled_template(capsys, tmp_path)
    code, out, err = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq", "--json"
    )
    result = json.loads(out)
    assert code == 0 and err == ""
    assert set(result) == {"ok", "message", "entries", "submitted", "report", "problems"}
    assert (result["ok"], result["entries"], result["submitted"], result["problems"]) == (True, 1, False, [])
    assert result["message"] == "已保存草稿：德清县 2024年第3期（5—6月）（2024-B3），1 条记录"
    assert result["report"] | {"id": 0} == {
        "id": 0,
        "plan_id": PLAN,
        "county": COUNTY,
        "period_id": PERIOD,
        "revision": 1,
        "state": "draft",
        "kind": "report",
        "late": False,
    }
    code, out, _ = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq", "--submit"
    )
    assert code == 0 and out.strip() == "已提交：德清县 2024年第3期（5—6月）（2024-B3），1 条记录（逾期报送）"
    client = system_user().display_name
    assert progress_audit(store) == [
        ("progress_draft_saved", "dq", client),
        ("progress_draft_saved", "dq", client),
        ("progress_submitted", "dq", client),
    ]


def test_dry_run_checks_and_writes_nothing(store, capsys, tmp_path):
    path, _ = filled_template(capsys, tmp_path)
    code, out, _ = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq", "--dry-run"
    )
    assert code == 0 and out.strip() == "检查通过（未保存）：德清县 2024年第3期（5—6月）（2024-B3），1 条记录"
    assert counts(store) == (0, 0)


@pytest.mark.parametrize(
    ("user", "county", "words"),
    [
        ("nobody", None, "没有用户“nobody”：--user 应为已开通的本地账户"),
        ("gone", None, "用户“gone”已停用"),
        ("cx", None, "测试cx 没有填报进展的权限（规划 huzhou-2023，德清县）"),  # another 区县's reporter
        ("li", None, "测试li 没有填报进展的权限"),  # an analyst reviews, does not report
        ("cx", "长兴县", "这份工作簿是德清县的填报模板，不是 --county 所写的长兴县的"),
    ],
)
def test_import_refuses_who_may_not_report(store, capsys, tmp_path, user, county, words):
    path, _ = filled_template(capsys, tmp_path)
    extra = ["--county", county] if county else []
    code, out, err = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", user, *extra
    )
    assert code == (1 if county else 2) and words in err and out == ""
    assert counts(store) == (0, 0) and progress_audit(store) == []


def test_a_reporter_cannot_import_another_countys_records_under_their_own(store, capsys, tmp_path):
    """A 长兴县 reporter relabels a 德清县 template as 长兴县's: the records are still 德清县's."""
    path, first = filled_template(capsys, tmp_path)
    book = openpyxl.load_workbook(path)
    book["元数据"]["B5"] = "长兴县"  # 区县 in the metadata block
    assert book["元数据"]["A5"].value == "区县"
    book.save(path)
    code, out, _err = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "cx", "--json"
    )
    result = json.loads(out)
    assert code == 1 and not result["ok"] and result["report"] is None
    assert [(p["row"], p["column"], p["problem"]) for p in result["problems"]] == [
        (4, "编号", f"编号 {first} 属于德清县，不属于本报告的长兴县")
    ]
    assert counts(store) == (0, 0)


def test_import_errors_exit_1_list_the_cells_and_write_nothing(store, capsys, tmp_path):
    path, _first = filled_template(capsys, tmp_path, rows=None)
    book = openpyxl.load_workbook(path)
    ws = book["进展填报"]
    ws.cell(HEADER_ROW + 1, 8, "三月初")  # 开工日期
    book.save(path)
    code, out, err = run(capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq")
    assert code == 1 and out == ""
    assert "[错误] 进展填报、第4行、开工日期 “三月初” 不是日期 → 按 2024-03-05 的格式填写" in err
    assert err.strip().endswith("错误：填报有 1 处错误，未保存任何内容：不是日期")
    assert counts(store) == (0, 0)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "上传的文件是空的（0 字节）"),
        ("编号,阶段\n".encode(), "上传的文件不是 Excel 工作簿（.xlsx）"),
        (b"PK\x03\x04broken", "不是有效的压缩包或 Excel 文件"),
    ],
)
def test_a_bad_file_exits_1_and_writes_nothing(store, capsys, tmp_path, content, words):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    code, out, err = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq", "--county", COUNTY
    )
    assert code == 1 and out == "" and words in err
    code, out, _ = run(
        capsys,
        "import",
        str(path),
        "--plan",
        PLAN,
        "--period",
        PERIOD,
        "--user",
        "dq",
        "--json",
        "--county",
        COUNTY,
    )
    assert code == 1 and json.loads(out)["ok"] is False and words in json.loads(out)["message"]
    assert counts(store) == (0, 0)
    code, _, err = run(
        capsys, "import", str(tmp_path / "missing.xlsx"), "--plan", PLAN, "--period", PERIOD, "--user", "dq"
    )
    assert code == 1 and "无法读取文件" in err


# --- review, status, export ------------------------------------------------------------------------------


def _submit(capsys, tmp_path) -> str:
    path, first = filled_template(capsys, tmp_path)
    code, _out, err = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq", "--submit"
    )
    assert code == 0, err
    return first


def status_of(capsys) -> dict[str, dict]:
    code, out, _ = run(capsys, "status", PLAN, "--period", PERIOD, "--json")
    assert code == 0
    return {s["county"]: s for s in json.loads(out)}


def exported(capsys, *extra) -> dict[str, dict]:
    code, out, _ = run(capsys, "export", PLAN, "--period", PERIOD, "--json", *extra)
    assert code == 0
    return {r["id"]: r for r in json.loads(out)}


def test_import_review_export_journey(any_store, capsys, tmp_path):
    """SQLite and PostgreSQL: submitted figures are not exported; approved ones are."""
    store = any_store
    assert {c: s["state"] for c, s in status_of(capsys).items()} == dict.fromkeys(COUNTIES, "missing")
    first = _submit(capsys, tmp_path)
    assert status_of(capsys)[COUNTY]["state"] == "submitted"
    rows = exported(capsys)
    assert len(rows) == 66 and rows[first]["state"] == "none" and rows[first]["area"] is None

    code, out, err = run(
        capsys, "review", PLAN, "--period", PERIOD, "--county", COUNTY, "--user", "li", "--approve"
    )
    assert (code, err) == (0, "") and out.strip() == "已通过：德清县 2024年第3期（5—6月）（2024-B3）第 1 版"
    status = status_of(capsys)[COUNTY]
    assert (status["state"], status["state_label"], status["late"], status["entries"]) == (
        "approved",
        "已通过",
        True,
        1,
    )

    rows = exported(capsys)
    assert set(rows[first]) == {
        "id", "name", "county", "stage", "stage_label", "area", "unit", "investment", "period_id", "state",
        "simulated",
    }  # fmt: skip
    assert {k: rows[first][k] for k in ("county", "stage", "area", "unit", "investment", "state")} == {
        "county": COUNTY,
        "stage": "started",
        "area": 40.0,
        "unit": "亩",
        "investment": 1500.0,
        "state": "approved",
    }
    assert [r for r in rows.values() if r["state"] != "none"] == [rows[first]]
    later = {r["id"]: r for r in json.loads(run(capsys, "export", PLAN, "--period", "2024-B4", "--json")[1])}
    assert (later[first]["state"], later[first]["area"], later[first]["period_id"]) == (
        "carried",
        40.0,
        PERIOD,
    )
    assert progress_audit(store)[-1] == ("progress_approved", "li", system_user().display_name)


def test_review_return_then_status_and_text_output(store, capsys, tmp_path):
    _submit(capsys, tmp_path)
    code, out, _ = run(
        capsys,
        "review",
        PLAN,
        "--period",
        PERIOD,
        "--county",
        COUNTY,
        "--user",
        "li",
        "--return",
        "投资数据缺少依据",
    )
    assert (
        code == 0
        and out.strip() == "已退回：德清县 2024年第3期（5—6月）（2024-B3）第 1 版；理由：投资数据缺少依据"
    )
    status = status_of(capsys)[COUNTY]
    assert (status["state"], status["review_note"]) == ("returned", "投资数据缺少依据")
    code, out, _ = run(capsys, "status", PLAN, "--period", PERIOD)
    lines = out.splitlines()
    assert lines[0].endswith("2024年第3期（5—6月）（2024-B3），报送截止 2024-07-15")
    deqing = next(line for line in lines if line.startswith(COUNTY))
    assert deqing.startswith("德清县\t已退回\t第 1 版，1 条\t提交于 ") and deqing.endswith(
        "（逾期）\t审核意见：投资数据缺少依据"
    )
    assert "长兴县\t未报送（已逾期）" in lines
    code, out, _ = run(capsys, "export", PLAN, "--period", PERIOD)
    assert (
        out.splitlines()[0]
        == "编号\t名称\t区县\t阶段\t累计再开发面积（亩）\t累计投资（万元）\t数据所属填报期\t状态"
    )
    assert all(line.endswith("尚无通过的填报") for line in out.splitlines()[1:])  # returned: nothing counts
    assert len(out.splitlines()) == 67


def test_a_returned_report_is_fixed_from_a_new_template_and_resubmitted(store, capsys, tmp_path):
    first = _submit(capsys, tmp_path)
    run(
        capsys, "review", PLAN, "--period", PERIOD, "--county", COUNTY, "--user", "li", "--return", "投资偏高"
    )
    path = tmp_path / "again.xlsx"
    code, out, _ = run(capsys, "template", PLAN, "--county", COUNTY, "--period", PERIOD, "-o", str(path))
    assert code == 0 and out.strip().endswith("（26 条记录，按第 1 版（已退回）预填）")
    book = openpyxl.load_workbook(path)
    ws = book["进展填报"]
    columns = {c.value: c.column for c in ws[HEADER_ROW]}
    assert ws.cell(HEADER_ROW + 1, 1).value == first
    assert ws.cell(HEADER_ROW + 1, columns["累计投资（万元）"]).value == 1500  # what was returned
    ws.cell(HEADER_ROW + 1, columns["累计投资（万元）"], 900)
    book.save(path)
    code, out, _err = run(
        capsys, "import", str(path), "--plan", PLAN, "--period", PERIOD, "--user", "dq", "--submit", "--json"
    )
    report = json.loads(out)["report"]
    assert code == 0 and (report["revision"], report["state"]) == (2, "submitted")
    run(capsys, "review", PLAN, "--period", PERIOD, "--county", COUNTY, "--user", "li", "--approve")
    assert exported(capsys)[first]["investment"] == 900.0


@pytest.mark.parametrize(
    ("user", "verdict", "code", "words"),
    [
        ("dq", ["--approve"], 2, "测试dq 没有审核进展填报的权限"),
        ("nobody", ["--approve"], 2, "没有用户“nobody”"),
        ("gone", ["--approve"], 2, "已停用"),
        ("li", ["--return", "  "], 2, "退回须写明理由"),
    ],
)
def test_review_refusals(store, capsys, tmp_path, user, verdict, code, words):
    _submit(capsys, tmp_path)
    before = progress_audit(store)
    got, out, err = run(
        capsys, "review", PLAN, "--period", PERIOD, "--county", COUNTY, "--user", user, *verdict
    )
    assert (got, out) == (code, "") and words in err
    assert progress_audit(store) == before and status_of(capsys)[COUNTY]["state"] == "submitted"


def test_review_of_nothing_submitted_exits_1(store, capsys):
    code, out, err = run(
        capsys, "review", PLAN, "--period", PERIOD, "--county", "长兴县", "--user", "li", "--approve"
    )
    assert code == 1 and out == "" and "长兴县 2024年第3期（5—6月） 没有待审核的报告（当前：未报送）" in err


def test_review_needs_approve_or_return(store, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["progress", "review", PLAN, "--period", PERIOD, "--county", COUNTY, "--user", "li"])
    assert caught.value.code == 2
    assert "--approve" in capsys.readouterr().err


def test_the_real_command(store, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "panhuo", "progress", "periods", PLAN, "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)[0]["id"] == "2024-B1"
    done = subprocess.run(
        [sys.executable, "-m", "panhuo", "progress", "status", PLAN, "--period", "2099-B1"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and "没有填报期“2099-B1”" in done.stderr


def test_template_help_is_chinese(capsys):
    with pytest.raises(SystemExit):
        main(["progress", "--help"])
    out = capsys.readouterr().out
    assert "下载某区县某填报期的填报模板（XLSX）" in out and "审核通过的进展数字" in out
