"""``python -m panhuo consultation …`` and ``comments …``: a window opened, extended and closed
by an administrator, letters entered with the day received, moderation by reference, the
moderators' list with and without contacts, exit codes (0 done, 1 refused, 2 wrong command line or
role), and 乌鲁木齐's closed consultation refusing a letter received after its deadline."""

from __future__ import annotations

import json
import shutil

import pytest

from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.cli import main
from panhuo.store import Store
from tests.conftest import ROOT
from tests.test_store import use_database

URUMQI, HUZHOU = "urumqi-2025", "huzhou-2023"
PASSWORD = "Test-Passwort-2026!"


@pytest.fixture
def store(tmp_path, monkeypatch) -> Store:
    folder = tmp_path / "data"
    for name in (URUMQI, HUZHOU, "classifications"):
        shutil.copytree(ROOT / "data" / name, folder / name)
    monkeypatch.setenv("PANHUO_DATA_DIR", str(folder))
    use_database("sqlite", tmp_path, monkeypatch)
    store = Store.open()
    accounts = Accounts(store)
    for name, grants in {
        "gly": [Grant(Role.ADMIN)],
        "shy": [Grant(Role.MODERATOR, URUMQI), Grant(Role.MODERATOR, HUZHOU)],
        "li": [Grant(Role.ANALYST, URUMQI)],
    }.items():
        accounts.add(
            system_user("test"), name, PASSWORD, grants, display_name=name, must_change_password=False
        )
    return store


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_urumqi_lists_its_closed_window_and_refuses_a_late_letter(store, capsys):
    code, out, _ = run(capsys, "consultation", "list", URUMQI, "--json")
    [window] = json.loads(out)
    assert code == 0 and window["closes"] == "2025-12-17 24:00" and window["state"] == "closed"
    code, _, err = run(capsys, "comments", "add", URUMQI, "--text", "迟到的传真意见内容", "--channel", "传真",
                       "--received", "2025-12-18 08:00", "--user", "shy")  # fmt: skip
    assert code == 1 and "征求意见已于 2025-12-17 24:00（北京时间）截止" in err
    code, out, _ = run(capsys, "comments", "add", URUMQI, "--text", "按时寄到的信函：建议第5条写明补偿标准。",
                       "--measure", "5", "--channel", "信函", "--received", "2025-12-17", "--user", "shy",
                       "--name", "李四", "--contact", "13900001111", "--json")  # fmt: skip
    added = json.loads(out)
    assert code == 0 and added["target"].startswith("措施 第5条") and "contact" not in added
    code, out, _ = run(capsys, "comments", "list", URUMQI, "--user", "shy", "--json")
    assert "13900001111" not in out and json.loads(out)[0]["ref"] == added["ref"]
    code, out, _ = run(capsys, "comments", "list", URUMQI, "--user", "shy", "--with-contact", "--json")
    assert json.loads(out)[0]["contact"] == "13900001111"
    code, _, err = run(capsys, "comments", "list", URUMQI, "--user", "li")
    assert code == 2 and "审核公众意见" in err


def test_admin_opens_a_window_and_the_moderation_flow(store, capsys):
    code, _, err = run(capsys, "consultation", "open", HUZHOU, "--until", "2099-12-31", "--user", "shy")
    assert code == 2 and "管理征求意见" in err
    code, out, _ = run(capsys, "consultation", "open", HUZHOU, "--from", "2020-01-01", "--until", "2099-12-31",
                       "--user", "gly")  # fmt: skip
    assert code == 0 and "2099-12-31 24:00" in out
    code, out, _ = run(
        capsys, "consultation", "extend", HUZHOU, "--until", "2100-01-10 18:00", "--user", "gly"
    )
    assert code == 0 and "2100-01-10 18:00" in out
    code, out, _ = run(capsys, "comments", "add", HUZHOU, "--text", "邮件意见：南浔区片区范围偏大，电话 13812345678",
                       "--channel", "邮件", "--received", "2026-01-05 10:00", "--user", "shy", "--json")  # fmt: skip
    ref = json.loads(out)["ref"]
    assert "13812345678" not in json.loads(out)["text"]
    with pytest.raises(SystemExit) as refused:  # argparse refuses a status that is not one of the five
        main(
            [
                "comments",
                "answer",
                ref,
                "--plan",
                HUZHOU,
                "--user",
                "shy",
                "--status",
                "同意",
                "--reason",
                "x",
            ]
        )
    assert refused.value.code == 2 and "invalid choice" in capsys.readouterr().err
    assert run(capsys, "comments", "publish", ref, "--plan", HUZHOU, "--user", "shy")[0] == 0
    code, out, _ = run(capsys, "comments", "answer", ref, "--plan", HUZHOU, "--user", "shy", "--status", "研究中",
                       "--reason", "将结合详细规划研究。")  # fmt: skip
    assert code == 0 and "研究中" in out
    code, _, err = run(capsys, "comments", "reject", "YJ-AAAA-BBBB", "--plan", HUZHOU, "--user", "shy",
                       "--reason", "无关")  # fmt: skip
    assert code == 1 and "没有编号为" in err
    code, out, _ = run(capsys, "comments", "list", HUZHOU, "--user", "shy", "--state", "published")
    assert code == 0 and ref in out and "已公开" in out and "研究中" in out
    code, out, _ = run(capsys, "consultation", "close", HUZHOU, "--user", "gly")
    assert code == 0 and "提前结束" in out
    code, _, err = run(capsys, "consultation", "close", HUZHOU, "--user", "gly")
    assert code == 1 and "没有在进行" in err


def test_export_writes_the_summary_without_contacts(store, capsys, tmp_path):
    import openpyxl

    run(
        capsys,
        "consultation",
        "open",
        HUZHOU,
        "--from",
        "2020-01-01",
        "--until",
        "2099-12-31",
        "--user",
        "gly",
    )
    run(capsys, "comments", "add", HUZHOU, "--text", "=HYPERLINK(\"http://x\") 片区范围偏大", "--channel", "信函",
        "--received", "2026-01-05", "--user", "shy", "--name", "王五", "--contact", "13900001111")  # fmt: skip
    for who, name in ((("--user", "shy"), "internal.xlsx"), ((), "public.xlsx")):
        code, _, err = run(capsys, "comments", "export", HUZHOU, *who, "-o", str(tmp_path / name))
        assert code == 0 and "1 条意见" in err
        book = openpyxl.load_workbook(tmp_path / name)
        cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
        assert any("意见汇总表" in c for c in cells)
        assert not any("王五" in c or "13900001111" in c for c in cells)
    public = [
        str(c.value)
        for ws in openpyxl.load_workbook(tmp_path / "public.xlsx")
        for r in ws.iter_rows()
        for c in r
    ]
    assert "（未公开）" in public and not any("HYPERLINK" in c for c in public)
