"""Signed-in test users: real accounts and real sessions in the test store.

``open_page("records", session=sign_in("analyst"), plan="huzhou-2023")`` opens a page as a
freshly signed-in 分析人员 would: the account is created with an argon2 hash, signed in through
:meth:`panhuo.accounts.Accounts.sign_in`, and the session token is put where the sign-in form puts
it, so every page check runs the production path (the database lookup of the session).
"""

from __future__ import annotations

import itertools
import uuid

from components.auth import TOKEN
from panhuo.access import Grant, Role, system_user
from panhuo.accounts import Accounts
from panhuo.store import Store

PASSWORD = "Test-Passwort-2026!"
_numbers = itertools.count(1)


def make_user(
    role: str | Role,
    plan: str | None = None,
    counties: tuple[str, ...] = (),
    *,
    name: str | None = None,
    must_change_password: bool = False,
    store: Store | None = None,
) -> str:
    """Create an account with one grant (none for ``role=""``); returns its name."""
    store = store or Store.open()
    name = name or f"{role or 'none'}-{next(_numbers)}-{uuid.uuid4().hex[:6]}"
    grants = [Grant(Role(role), plan, tuple(counties))] if role else []
    Accounts(store).add(
        system_user("test"),
        name,
        PASSWORD,
        grants,
        display_name=f"测试{name}",
        must_change_password=must_change_password,
    )
    return name


def sign_in(
    role: str | Role,
    plan: str | None = None,
    counties: tuple[str, ...] = (),
    *,
    must_change_password: bool = False,
    store: Store | None = None,
) -> dict:
    """Session state of a browser tab just signed in as a new user with that role."""
    store = store or Store.open()
    name = make_user(role, plan, counties, must_change_password=must_change_password, store=store)
    result = Accounts(store).sign_in(name, PASSWORD, client="test")
    assert result.ok, result.message
    return {TOKEN: result.token}
