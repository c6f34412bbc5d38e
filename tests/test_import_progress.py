"""The import's progress (:mod:`panhuo.import_progress`): rows read, checked and written reach
whoever listens — the command line's bar on stderr, the import page's bar — in order, ending at
the file's row count, and nothing else is reported."""

from __future__ import annotations

import pytest

from panhuo.access import system_user
from panhuo.cli import main
from panhuo.import_progress import Step, TextBar, reporting
from panhuo.importing import InputFile, import_files
from panhuo.store import Store
from tests.test_store import use_data_dir, use_database

ROWS = 2_345


def _csv(rows: int = ROWS) -> bytes:
    lines = ["地块编号,地块名称,所在区县,类型,面积（亩）,实施阶段"]
    counties = ["吴兴区", "南浔区", "德清县"]
    lines += [f"MN{i:06d},模拟地块{i},{counties[i % 3]},旧厂矿,{i % 50 + 1}.5,储备" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    use_data_dir(tmp_path, monkeypatch)
    return Store.open(url=use_database("sqlite", tmp_path, monkeypatch))


def test_an_import_reports_rows_read_checked_and_written_in_order(store):
    steps: list[Step] = []
    with reporting(steps.append):
        result = import_files(
            [InputFile("模拟.csv", _csv())], "progress-test", store=store, actor=system_user(),
            plan_meta={"title": "【模拟】进度", "province": "浙江省", "city": "湖州市"},
        )  # fmt: skip
    assert result.ok and result.imported == ROWS
    stages = [s.stage for s in steps]
    # each stage reported, in order, never going back
    assert [stage for i, stage in enumerate(stages) if i == 0 or stages[i - 1] != stage] == [
        "read",
        "check",
        "write",
    ]
    for stage in ("read", "check", "write"):
        done = [s.done for s in steps if s.stage == stage]
        assert done == sorted(done) and len(done) <= 102
    last = {s.stage: s for s in steps}
    assert last["read"].done == ROWS + 1  # the header row too: rows of the file
    assert (last["check"].done, last["check"].total) == (ROWS, ROWS)
    assert last["write"].label == f"已写入 {ROWS:,} / {ROWS:,} 行"
    overall = [s.overall for s in steps]
    assert overall == sorted(overall) and overall[-1] == 1.0


def test_nothing_is_reported_without_a_listener_or_outside_the_block(store):
    steps: list[Step] = []
    with reporting(steps.append):
        pass
    result = import_files(
        [InputFile("模拟.csv", _csv(10))], "progress-quiet", store=store, actor=system_user()
    )
    assert result.ok and steps == []


def test_the_command_line_prints_a_bar_on_stderr_and_none_with_json(tmp_path, monkeypatch, capsys):
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    path = tmp_path / "模拟.csv"
    path.write_bytes(_csv())
    Store.open()  # the samples are loaded first: their writes are not the import's
    capsys.readouterr()
    assert (
        main(["import", str(path), "--plan", "progress-cli", "--city", "湖州市", "--title", "【模拟】"]) == 0
    )
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert lines[0].startswith("读取 [")
    assert lines[-1] == f"写入 [{'█' * 24}] 100% 已写入 {ROWS:,} / {ROWS:,} 行"
    assert any(line.startswith("检查 [") for line in lines)
    assert len(lines) <= 15  # not a terminal: a line a quarter, the log stays short
    assert "[" not in captured.out.split("\n")[0]  # the result on stdout is as before
    assert main(["import", str(path), "--plan", "progress-cli2", "--city", "湖州市", "--json"]) == 0
    assert capsys.readouterr().err == ""


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    class Terminal:
        def __init__(self):
            self.text = ""

        def isatty(self):
            return True

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    terminal = Terminal()
    bar = TextBar(terminal)
    bar(Step("read", 5, 10))
    bar(Step("read", 10, 10))
    assert terminal.text.count("\r") == 2 and terminal.text.endswith("已读取 10 / 10 行\n")
