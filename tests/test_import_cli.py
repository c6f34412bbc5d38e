"""``python -m panhuo import`` and ``validate``: exit codes, JSON, --valid-only, --mapping."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from panhuo.cli import main
from panhuo.importing import examples
from tests.conftest import ROOT
from tests.test_store import use_data_dir, use_database

NEW_PLAN = ["--city", "长治市", "--province", "山西省", "--title", "长治市调查"]


@pytest.fixture
def sqlite_url(tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database("sqlite", tmp_path, monkeypatch)


@pytest.fixture
def bureau(tmp_path):
    path = tmp_path / "地块清单.xlsx"
    path.write_bytes(examples.bureau_workbook())
    return path


@pytest.fixture
def messy(tmp_path):
    rows = copy.deepcopy(examples.BUREAU_ROWS)
    rows[2][5] = 0
    path = tmp_path / "messy.xlsx"
    path.write_bytes(examples.bureau_workbook(rows))
    return path


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_import_then_plans_summary_and_reconcile_see_the_plan(sqlite_url, capsys, bureau):
    code, out = _run(capsys, "import", str(bureau), "--plan", "changzhi", *NEW_PLAN)
    assert code == 0 and "已导入 5 行" in out and "面积（亩） → 面积 [亩]（表头）" in out
    code, out = _run(capsys, "plans", "--json")
    assert {"id": "changzhi", "title": "长治市调查"}.items() <= next(
        p for p in json.loads(out) if p["id"] == "changzhi"
    ).items()
    code, out = _run(capsys, "summary", "changzhi", "--by", "county", "--unit", "mu", "--json")
    assert json.loads(out)["count"] == 5
    code, out = _run(capsys, "reconcile", "changzhi", "--json")
    assert code == 0 and {f["severity"] for f in json.loads(out)} == {"ok"}


def test_rejected_rows_exit_1_and_import_nothing(sqlite_url, capsys, messy):
    code, out = _run(capsys, "import", str(messy), "--plan", "changzhi", *NEW_PLAN, "--json")
    result = json.loads(out)
    assert code == 1 and result["status"] == "failed" and result["imported"] == 0 and result["rejected"] == 1
    (error,) = [p for p in result["problems"] if p["severity"] == "error"]
    assert (error["row"], error["column"], error["problem"]) == (7, "面积（亩）", "面积必须大于 0")
    code, out = _run(capsys, "plans")
    assert "changzhi" not in out


def test_valid_only_imports_the_rest_and_writes_the_report(sqlite_url, capsys, messy, tmp_path):
    report = tmp_path / "报告.xlsx"
    code, out = _run(
        capsys, "import", str(messy), "--plan", "changzhi", *NEW_PLAN, "--valid-only", "--report", str(report)
    )
    assert code == 0 and "已导入 4 行" in out and "1 行未导入" in out
    assert report.read_bytes()[:2] == b"PK"


def test_mapping_file(sqlite_url, capsys, bureau, tmp_path):
    mapping = tmp_path / "m.json"
    mapping.write_text(
        json.dumps({"备注": "actor", "面积（亩）": {"field": "area", "unit": "公顷"}}), "utf-8"
    )
    code, out = _run(
        capsys, "import", str(bureau), "--plan", "m", *NEW_PLAN, "--mapping", str(mapping), "--json"
    )
    assert code == 0
    assert json.loads(out)["files"][0]["mapping"]["面积（亩）"] == {"field": "area", "unit": "公顷"}
    bad = tmp_path / "bad.json"
    bad.write_text('{"备注": "no_such_field"}', "utf-8")
    code, out = _run(capsys, "import", str(bureau), "--plan", "m", "--mapping", str(bad), "--json")
    assert code == 1 and "no_such_field" in json.loads(out)["problems"][0]["problem"]


NO_HEADER_XLSX = examples.bureau_workbook(
    [[1, "甲", "上党区", "", "", 3, "", "", "", "", "", "", ""]]
).replace(
    b"xl/worksheets/sheet1.xml",
    b"xl/worksheets/sheetX.xml",  # the data sheet is lost, only 填表说明 is left
)


@pytest.mark.parametrize(
    "content, name, words",
    [
        (b"", "empty.csv", "空文件"),
        (b"PK\x03\x04broken", "x.xlsx", "不是有效的压缩包"),
        ("名字,数字\n甲,1\n".encode(), "noheader.csv", "未能识别表头"),
        (NO_HEADER_XLSX, "noheader.xlsx", "未能识别表头"),
    ],
    ids=["empty", "broken-zip", "csv-without-header", "workbook-without-header"],
)
def test_unusable_files_exit_1_with_a_reason(sqlite_url, capsys, tmp_path, content, name, words):
    path = tmp_path / name
    path.write_bytes(content)
    code, out = _run(capsys, "import", str(path), "--plan", "x", "--json")
    assert code == 1 and words in json.loads(out)["problems"][0]["problem"]


def test_missing_file_and_too_many_files(sqlite_url, capsys, tmp_path, bureau):
    code, out = _run(capsys, "import", str(tmp_path / "nope.xlsx"), "--plan", "x", "--json")
    assert code == 1 and "找不到文件" in json.loads(out)["problems"][0]["problem"]
    code, out = _run(capsys, "import", str(bureau), str(bureau), str(bureau), "--plan", "x", "--json")
    assert code == 1 and "最多导入两个文件" in out


def test_validate_writes_nothing(sqlite_url, capsys, messy, bureau):
    from panhuo.store import Store

    code, out = _run(capsys, "validate", str(messy), "--plan", "shangdang-2021")
    assert code == 1 and "面积必须大于 0" in out
    code, out = _run(capsys, "validate", str(bureau), "--json")
    assert code == 0 and json.loads(out)["status"] == "checked"
    assert not Store().exists()


def test_python_dash_m_panhuo_import(sqlite_url, bureau):
    completed = subprocess.run(
        [sys.executable, "-m", "panhuo", "import", str(bureau), "--plan", "sub", *NEW_PLAN],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "已导入 5 行" in completed.stdout
