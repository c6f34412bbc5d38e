"""``python -m panhuo users …`` and ``audit-log``: adding the first administrator and other users
(password from standard input or asked twice), grants checked against the catalog (plan, 区县),
disabling, password resets, the JSON shapes, Chinese errors with exit status 1 or 2 and never a
traceback, passwords never shown. SQLite and PostgreSQL (in-process), plus the real command.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import pytest

from panhuo import audit
from panhuo.access import system_user
from panhuo.accounts import Accounts
from panhuo.cli import main
from panhuo.store import Store
from tests.conftest import ROOT
from tests.test_store import BACKENDS, use_data_dir, use_database

PASSWORD = "Start-Passwort-2026!"
PLAN = "shangdang-2021"  # the test data folder's one plan; its only 区县 is 上党区


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path, monkeypatch) -> str:
    use_data_dir(tmp_path, monkeypatch)
    return use_database(request.param, tmp_path, monkeypatch)


def run(capsys, monkeypatch, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def add(capsys, monkeypatch, name: str, *options: str, password: str = PASSWORD) -> tuple[int, str, str]:
    return run(capsys, monkeypatch, "users", "add", name, *options, "--password-stdin", stdin=password + "\n")


def listed(capsys, monkeypatch) -> dict[str, dict]:
    code, out, _err = run(capsys, monkeypatch, "users", "list", "--json")
    assert code == 0
    return {a["name"]: a for a in json.loads(out)}


def test_the_first_administrator_and_then_other_users(db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert (code, out.strip()) == (
        0,
        "还没有用户。建立第一个管理员：python -m panhuo users add NAME --role admin",
    )
    code, out, err = add(capsys, monkeypatch, "admin", "--role", "admin", "--display-name", "管理员")
    assert (code, out.strip(), err) == (0, "已建立初始管理员 admin（管理员）：管理员（全部规划）。", "")
    code, out, _ = add(capsys, monkeypatch, "li", "--role", "analyst", "--display-name", "李工")
    assert (code, out.strip()) == (0, "已新增用户 li（李工）：分析人员（全部规划）。首次登录时须修改密码。")
    code, out, _ = add(
        capsys, monkeypatch, "wang", "--role", "reporter", "--plan", PLAN, "--county", "上党区"
    )
    assert code == 0 and "区县填报员（shangdang-2021：上党区）" in out
    users = listed(capsys, monkeypatch)
    assert users["admin"] == {
        "name": "admin",
        "display_name": "管理员",
        "active": True,
        "must_change_password": False,  # the initial administrator typed it at the server
        "roles": [{"role": "admin", "plan": None, "counties": []}],
        "created_at": users["admin"]["created_at"],
        "last_login_at": "",
    }
    assert dt.datetime.strptime(users["admin"]["created_at"], "%Y-%m-%d %H:%M:%S")  # 北京时间 text
    assert users["li"]["must_change_password"] and users["wang"]["must_change_password"]
    assert users["wang"]["roles"] == [{"role": "reporter", "plan": PLAN, "counties": ["上党区"]}]
    signed = Accounts(Store.open()).sign_in("admin", PASSWORD, client="cli-test")
    assert signed.ok and not signed.user.must_change_password
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert out.splitlines()[0].startswith("admin\t管理员\t启用\t管理员（全部规划）\t最近登录 ")
    assert "li\t李工\t启用；须修改初始密码\t分析人员（全部规划）\t最近登录 从未登录" in out


def test_a_user_added_before_any_administrator_is_reminded_of_one(db, capsys, monkeypatch):
    code, out, err = add(capsys, monkeypatch, "li", "--role", "analyst", "--plan", PLAN)
    assert code == 0 and "首次登录时须修改密码" in out
    assert err.strip() == "提示：还没有管理员，请用 --role admin（不写 --plan）建立一个。"
    assert listed(capsys, monkeypatch)["li"]["must_change_password"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--role", "boss"], "错误：未知的角色“boss”；可用：reporter（区县填报员）、analyst（分析人员）、moderator（审核员）、admin（管理员）"),
        (["--role", "reporter"], "错误：区县填报员（reporter）需要用 --plan 指定规划、用 --county 指定区县"),
        (["--role", "reporter", "--plan", PLAN], "错误：区县填报员（reporter）需要用 --plan 指定规划、用 --county 指定区县"),
        (["--role", "reporter", "--plan", PLAN, "--county", "潞州区"], "错误：规划 shangdang-2021 没有区县“潞州区”；可选的区县：上党区"),
        (["--role", "reporter", "--plan", PLAN, "--county", "上党区", "长子县"], "错误：规划 shangdang-2021 没有区县“长子县”；可选的区县：上党区"),
        (["--role", "analyst", "--county", "上党区"], "错误：只有区县填报员按区县授予；分析人员不需要 --county"),
        (["--role", "analyst", "--plan", "nowhere-2030"], "错误：没有编号为 nowhere-2030 的规划；已有规划：shangdang-2021"),
        (["--role", "analyst", "--plan", "../etc"], "错误：规划编号"),
    ],
    ids=["role", "reporter-alone", "reporter-no-county", "county", "second-county", "county-not-reporter", "plan", "bad-id"],
)  # fmt: skip
def test_a_wrong_grant_is_refused_in_chinese_with_status_2(db, capsys, monkeypatch, options, message):
    code, out, err = add(capsys, monkeypatch, "zhao", *options)
    assert code == 2 and out == "" and err.startswith(message), err
    assert "zhao" not in listed(capsys, monkeypatch)


def test_refusals_with_status_1_never_show_the_password(db, capsys, monkeypatch):
    assert add(capsys, monkeypatch, "li", "--role", "analyst")[0] == 0
    code, out, err = add(capsys, monkeypatch, "li", "--role", "analyst", password="Anderes-Passwort-2026!")
    assert (code, err.strip()) == (1, "错误：用户“li”已存在")
    weak = "abcabcabc"
    code, out, err = add(capsys, monkeypatch, "zhao", "--role", "analyst", password=weak)
    assert code == 1 and err.startswith("错误：密码不符合要求：至少 10 个字符")
    assert weak not in out + err
    code, out, err = add(capsys, monkeypatch, "zhao", "--role", "analyst", password="")
    assert (code, err.strip()) == (1, "错误：标准输入中没有密码")
    code, out, err = add(capsys, monkeypatch, "Bad Name!", "--role", "analyst")
    assert code == 1 and err.startswith("错误：用户名须为")
    assert set(listed(capsys, monkeypatch)) == {"li"}


def test_without_password_stdin_the_password_is_asked_twice_without_echo(db, capsys, monkeypatch):
    answers = iter([PASSWORD, PASSWORD + "x"])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt: prompts.append(prompt) or next(answers))
    code, out, err = run(capsys, monkeypatch, "users", "add", "li", "--role", "analyst")
    assert (code, err.strip(), prompts) == (
        1,
        "错误：两次输入的密码不一致，未作更改",
        ["新密码：", "再次输入新密码："],
    )
    assert PASSWORD not in out + err and listed(capsys, monkeypatch) == {}
    monkeypatch.setattr("getpass.getpass", lambda prompt: PASSWORD)
    assert run(capsys, monkeypatch, "users", "add", "li", "--role", "analyst")[0] == 0
    assert Accounts(Store.open()).sign_in("li", PASSWORD, client="cli-test").ok


def test_grant_revoke_disable_enable_and_passwd(db, capsys, monkeypatch):
    add(capsys, monkeypatch, "wang", "--role", "reporter", "--plan", PLAN, "--county", "上党区")
    code, out, _ = run(capsys, monkeypatch, "users", "grant", "wang", "--role", "analyst", "--plan", PLAN)
    assert code == 0 and out.strip().endswith(
        "现有角色：区县填报员（shangdang-2021：上党区）、分析人员（shangdang-2021）"
    )
    code, out, err = run(capsys, monkeypatch, "users", "grant", "wang", "--role", "analyst", "--plan", PLAN)
    assert (code, err.strip()) == (1, "错误：wang 已有角色 分析人员（shangdang-2021）")
    code, out, _ = run(
        capsys,
        monkeypatch,
        "users",
        "revoke",
        "wang",
        "--role",
        "reporter",
        "--plan",
        PLAN,
        "--county",
        "上党区",
    )
    assert (
        code == 0
        and out.strip()
        == "已收回 wang 的 区县填报员（shangdang-2021：上党区）；现有角色：分析人员（shangdang-2021）"
    )
    code, _, err = run(capsys, monkeypatch, "users", "revoke", "wang", "--role", "admin")
    assert (code, err.strip()) == (1, "错误：wang 没有角色 管理员（全部规划）")
    assert run(capsys, monkeypatch, "users", "disable", "wang")[1].strip() == "已停用用户 wang"
    assert not listed(capsys, monkeypatch)["wang"]["active"]
    assert not Accounts(Store.open()).sign_in("wang", PASSWORD, client="cli-test").ok
    code, _, err = run(capsys, monkeypatch, "users", "disable", "wang")
    assert (code, err.strip()) == (1, "错误：用户 wang 已经是停用状态")
    assert run(capsys, monkeypatch, "users", "enable", "wang")[0] == 0
    code, _, err = run(capsys, monkeypatch, "users", "enable", "nobody")
    assert (code, err.strip()) == (1, "错误：没有用户“nobody”")
    new = "Neues-Passwort-2026!"
    code, out, err = run(
        capsys, monkeypatch, "users", "passwd", "wang", "--password-stdin", stdin=new + "\r\n"
    )
    assert code == 0 and "下次登录时须修改密码" in out and new not in out + err
    signed = Accounts(Store.open()).sign_in("wang", new, client="cli-test")
    assert signed.ok and signed.user.must_change_password
    code, _, err = run(capsys, monkeypatch, "users", "passwd", "nobody", "--password-stdin", stdin=new + "\n")
    assert (code, err.strip()) == (1, "错误：没有用户“nobody”")


def test_audit_log_filters_and_json(db, capsys, monkeypatch):
    add(capsys, monkeypatch, "admin", "--role", "admin")
    add(capsys, monkeypatch, "wang", "--role", "reporter", "--plan", PLAN, "--county", "上党区")
    run(capsys, monkeypatch, "users", "disable", "wang")
    me = system_user().name
    code, out, _ = run(capsys, monkeypatch, "audit-log", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["kind"] for r in rows] == [
        "user_disabled",
        "user_added",
        "user_added",
        "samples_loaded",
    ]
    assert set(rows[0]) == {
        "id", "at_utc", "at", "actor", "actor_label", "actor_kind", "kind", "kind_label", "plan", "summary",
        "records", "before", "after", "client",
    }  # fmt: skip
    first = rows[0]
    assert (first["actor"], first["actor_kind"], first["kind_label"], first["records"]) == (
        me,
        "system",
        "停用用户",
        ["wang"],
    )
    assert (first["before"], first["after"]) == ({"状态": "启用"}, {"状态": "停用"})
    at_utc = dt.datetime.fromisoformat(first["at_utc"])
    assert first["at"] == (at_utc + dt.timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")  # 北京时间
    code, out, _ = run(capsys, monkeypatch, "audit-log", "--user", me, "--kind", "新增用户", "--json")
    assert [r["records"] for r in json.loads(out)] == [["wang"], ["admin"]]
    code, out, _ = run(capsys, monkeypatch, "audit-log", "--plan", PLAN, "--kind", "samples_loaded", "--json")
    assert [r["plan"] for r in json.loads(out)] == [PLAN]
    today = dt.datetime.now(audit.BEIJING).date()

    def since(day: dt.date) -> list:
        return json.loads(run(capsys, monkeypatch, "audit-log", "--since", day.isoformat(), "--json")[1])

    assert len(since(today)) == 4 and since(today + dt.timedelta(days=1)) == []
    until = run(
        capsys, monkeypatch, "audit-log", "--until", (today - dt.timedelta(days=1)).isoformat(), "--json"
    )
    assert json.loads(until[1]) == []
    code, out, _ = run(capsys, monkeypatch, "audit-log", "--limit", "1")
    assert code == 0 and out.strip() == f"{first['at']}\t{first['actor_label']}\t停用用户\t—\t停用用户 wang"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--since", "12/01/2026"], "错误：--since 的日期“12/01/2026”无法识别：应为 YYYY-MM-DD（北京时间）"),
        (["--kind", "hack"], "错误：未知的操作类型“hack”；可用：login（登录成功）"),
        (["--limit", "0"], "错误：--limit 应为正整数"),
    ],
)
def test_audit_log_refuses_a_wrong_option_with_status_2(db, capsys, monkeypatch, options, message):
    code, out, err = run(capsys, monkeypatch, "audit-log", *options)
    assert code == 2 and out == "" and err.startswith(message), err


def test_audit_log_on_a_missing_database_creates_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("PANHUO_DATABASE_URL", raising=False)
    monkeypatch.setenv("PANHUO_SQLITE_PATH", str(tmp_path / "none" / "panhuo.sqlite"))
    assert run(capsys, monkeypatch, "audit-log")[:2] == (0, "没有符合条件的日志记录\n")
    assert run(capsys, monkeypatch, "audit-log", "--json")[:2] == (0, "[]\n")
    assert not (tmp_path / "none").exists()


def test_the_real_command_reads_the_password_from_stdin_and_never_prints_it(tmp_path, monkeypatch):
    use_data_dir(tmp_path, monkeypatch)
    use_database("sqlite", tmp_path, monkeypatch)
    secret = "Geheim-Wort-2026!"

    def panhuo(*argv: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "panhuo", *argv], cwd=ROOT, input=stdin, capture_output=True, text=True
        )

    done = panhuo("users", "add", "boss", "--role", "admin", "--password-stdin", stdin=secret + "\n")
    assert (done.returncode, done.stdout.strip(), done.stderr) == (
        0,
        "已建立初始管理员 boss：管理员（全部规划）。",
        "",
    )
    wrong = panhuo("users", "grant", "boss", "--role", "chef")
    assert (
        wrong.returncode == 2
        and wrong.stderr.startswith("错误：未知的角色“chef”")
        and "Traceback" not in wrong.stderr
    )
    log = panhuo("audit-log", "--kind", "user_added")
    assert log.returncode == 0 and "新增用户 boss" in log.stdout and secret not in log.stdout
    assert Accounts(Store.open()).sign_in("boss", secret, client="cli-test").ok
