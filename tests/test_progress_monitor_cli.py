"""``python -m panhuo progress targets`` and ``progress monitor``: a breakdown saved from a CSV by
an administrator (a version, an audit row), refused without the role or with a sum that differs
and no reason; the monitor's table and JSON follow it."""

from __future__ import annotations

import json

from sqlalchemy import select

from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.cli import main
from panhuo.store.schema import AuditRow
from tests.test_progress_cli import PASSWORD, PLAN, _setup

CSV = "区县,目标（亩）,2024\n吴兴区,3000,\n南浔区,3000,1000\n南太湖新区,2000,\n德清县,5000,\n长兴县,4000,\n安吉县,{last},\n"


def _store(tmp_path, monkeypatch):
    store = _setup("sqlite", tmp_path, monkeypatch)
    Accounts(store).add(system_user("test"), "gl", PASSWORD, [Grant(Role.ADMIN, PLAN)],
                        display_name="测试管理员", must_change_password=False)  # fmt: skip
    return store


def test_targets_from_csv_then_monitor(tmp_path, monkeypatch, capsys):
    store = _store(tmp_path, monkeypatch)
    good = tmp_path / "shares.csv"
    good.write_text(CSV.format(last=3000), encoding="utf-8-sig")
    assert main(["progress", "targets", PLAN, "--set", str(good), "--user", "li"]) == 2  # an analyst
    assert "管理员" in capsys.readouterr().err
    short = tmp_path / "short.csv"
    short.write_text(CSV.format(last=2000), encoding="gb18030")
    assert main(["progress", "targets", PLAN, "--set", str(short), "--user", "gl"]) == 1
    assert "比全市目标 20000 亩少 1000 亩" in capsys.readouterr().err
    assert main(["progress", "targets", PLAN, "--set", str(good), "--user", "gl"]) == 0
    assert "已保存第 1 版：各区县合计 20000 亩，与全市目标 20000 亩一致" in capsys.readouterr().out
    assert (
        main(["progress", "targets", PLAN, "--set", str(short), "--user", "gl", "--reason", "长合区另计"])
        == 0
    )
    capsys.readouterr()
    assert main(["progress", "targets", PLAN, "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)
    assert [v["total"] for v in versions] == [20000, 19000] and versions[1]["difference"] == -1000
    assert versions[0]["shares"][1] == {"county": "南浔区", "value": "3000", "yearly": {"2024": "1000"}}
    with store.session() as session:
        assert (
            len(session.scalars(select(AuditRow).where(AuditRow.kind == "progress_targets_set")).all()) == 2
        )
    assert main(["progress", "monitor", PLAN, "--period", "2024-B3", "--json"]) == 0
    m = json.loads(capsys.readouterr().out)
    assert m["as_of"] == "2024-06-30" and m["breakdown_version"] == 2
    rows = {r["county"]: r for r in m["counties"]}
    assert rows["安吉县"]["target"] == 2000 and rows["德清县"]["completed"] == 0
    assert {r["reporting"] for r in m["counties"]} == {"missing"}
    assert main(["progress", "monitor", PLAN, "--period", "2024-B3"]) == 0
    out = capsys.readouterr().out
    assert "各区县合计 19000 亩，比全市目标 20000 亩少 1000 亩" in out and "[红色预警] 未按期报送" in out


def test_monitor_refuses_a_wrong_period_or_unit(tmp_path, monkeypatch, capsys):
    _store(tmp_path, monkeypatch)
    assert main(["progress", "monitor", PLAN, "--period", "2030-B1"]) == 2
    assert "没有填报期" in capsys.readouterr().err
    assert main(["progress", "monitor", PLAN, "--unit", "英亩"]) == 2
    assert "无法识别" in capsys.readouterr().err
