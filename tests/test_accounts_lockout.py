"""Sign-in lockout (panhuo.accounts): per account after five failures and per client after twenty,
with a delay that doubles with each further failure; while locked even the right password is
refused (and not checked); unlocked once the time has passed. A clock the test moves stands in
for the real one. Also: an unknown name fails exactly like a wrong password; a disabled account
cannot sign in; the events are in the audit log. SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest

from panhuo import accounts as accounts_module
from panhuo.access import Grant, Role, system_user
from panhuo.accounts import LOCKOUT, Accounts, locked_message
from panhuo.store import Store
from tests.test_store import BACKENDS, use_data_dir, use_database

PASSWORD = "Richtig-Passwort-2026!"
WRONG = "Falsches-Passwort-2026!"
NOT_LOCKED = "用户名或密码不正确，或账户已停用。"


class Clock:
    def __init__(self) -> None:
        self.moment = dt.datetime(2026, 12, 1, 2, 0, 0)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@pytest.fixture(params=BACKENDS)
def accounts(request, tmp_path, monkeypatch) -> Accounts:
    use_data_dir(tmp_path, monkeypatch)
    use_database(request.param, tmp_path, monkeypatch)
    accounts = Accounts(Store.open())
    accounts.add(system_user("test"), "li", PASSWORD, [Grant(Role.ANALYST)], must_change_password=False)
    return accounts


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(accounts_module, "now", clock)
    return clock


def _fail(accounts: Accounts, times: int, name: str = "li", client: str = "10.0.0.1"):
    return [accounts.sign_in(name, WRONG, client=client) for _ in range(times)][-1]


def _kinds(accounts: Accounts) -> list[str]:
    return [
        r.kind for r in reversed(accounts.store.audit_entries()) if r.kind.startswith(("login", "lockout"))
    ]


def test_the_delays_double_up_to_an_hour():
    assert [LOCKOUT["account"].seconds(n) for n in range(4, 12)] == [0, 30, 60, 120, 240, 480, 960, 1920]
    assert LOCKOUT["account"].seconds(30) == 3600 and LOCKOUT["client"].seconds(19) == 0
    assert locked_message(30) == "登录失败次数过多，已暂时锁定，请 30 秒后再试。"


def test_an_account_locks_after_five_failures_with_a_growing_delay(accounts, clock):
    assert _fail(accounts, 4).message == NOT_LOCKED  # four failures: no lock yet
    fifth = _fail(accounts, 1)
    assert (fifth.ok, fifth.locked_seconds) == (False, 30)
    assert fifth.message == "用户名或密码不正确。" + locked_message(30)
    clock.advance(29)
    locked = accounts.sign_in("li", PASSWORD, client="10.0.0.1")  # the right password, while locked
    assert (locked.ok, locked.locked_seconds, locked.message) == (False, 1, locked_message(1))
    other_client = accounts.sign_in(
        "li", PASSWORD, client="10.9.9.9"
    )  # the account is locked, not the client
    assert not other_client.ok and other_client.locked_seconds == 1
    clock.advance(2)
    sixth = _fail(accounts, 1)  # after the lock: the next failure locks twice as long
    assert sixth.locked_seconds == 60
    clock.advance(61)
    assert _fail(accounts, 1).locked_seconds == 120
    clock.advance(121)
    good = accounts.sign_in("li", PASSWORD, client="10.0.0.1")
    assert good.ok and good.user.name == "li" and good.token
    assert _fail(accounts, 1).message == NOT_LOCKED  # a success starts the count afresh
    assert _kinds(accounts) == [
        *["login_failed"] * 4,
        "lockout",
        "login_failed",
        "login_locked",
        "login_locked",
        "lockout",
        "login_failed",
        "lockout",
        "login_failed",
        "login",
        "login_failed",
    ]


def test_a_client_locks_after_twenty_failures_whatever_the_names(accounts, clock):
    names = ["a1", "b2", "c3", "d4", "e5"]  # four tries each: no account reaches its limit
    for name in names:  # real accounts (names without one share a single account counter)
        accounts.add(system_user("test"), name, PASSWORD, [], must_change_password=False)
    for name in names:
        last = _fail(accounts, 4, name=name, client="10.6.6.6")
    assert last.locked_seconds == 30  # the twentieth failure from that address
    from_there = accounts.sign_in("li", PASSWORD, client="10.6.6.6")
    assert not from_there.ok and from_there.message == locked_message(30)
    assert accounts.sign_in("li", PASSWORD, client="10.7.7.7").ok  # from elsewhere: fine
    clock.advance(31)
    assert accounts.sign_in("li", PASSWORD, client="10.6.6.6").ok


def test_an_unknown_name_fails_like_a_wrong_password_and_a_disabled_account_cannot_sign_in(accounts, clock):
    assert accounts.sign_in("nobody", WRONG, client="10.0.0.1").message == NOT_LOCKED
    assert accounts.sign_in("li", WRONG, client="10.0.0.1").message == NOT_LOCKED
    accounts.set_active(system_user("test"), "li", False)
    disabled = accounts.sign_in("li", PASSWORD, client="10.0.0.1")
    assert (disabled.ok, disabled.message) == (False, NOT_LOCKED)
    summaries = [r.summary for r in accounts.store.audit_entries() if r.kind == "login_failed"]
    assert summaries[0] == "li 登录失败：账户已停用"  # the log says why; the form does not
    assert summaries[-1] == "未开通的用户名 登录失败：用户名或密码不正确"  # the typed text is not kept


def test_a_reset_password_unlocks_and_ends_the_sessions(accounts, clock):
    token = accounts.sign_in("li", PASSWORD, client="10.0.0.1").token
    assert accounts.session_user(token).name == "li"
    _fail(accounts, 5)
    accounts.reset_password(system_user("test"), "li", "Neu-Gesetzt-2026!", must_change=True)
    assert accounts.session_user(token) is None
    again = accounts.sign_in("li", "Neu-Gesetzt-2026!", client="10.0.0.1")
    assert again.ok and again.user.must_change_password


def test_a_password_typed_as_the_name_is_never_stored(accounts):
    typed = "Geheim-Passwort-2026!"
    accounts.sign_in(typed, "whatever", client="10.1.1.1")
    with accounts.store.engine.connect() as connection:
        from sqlalchemy import text

        dump = " ".join(
            str(row)
            for table in ("audit_log", "login_throttle")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    assert typed.lower() not in dump.lower() and "未开通的用户名" in dump
