"""Hashes at rest: after users are added, sign in (also with wrong passwords), change and reset
passwords, the whole database — every table, every column, and for SQLite the file's bytes —
holds no password and no reversible form of one (encoded, reversed, or hashed without salt),
only argon2id hashes; and no session token, only its sha256. SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from panhuo.access import Grant, Role, system_user
from panhuo.accounts import HASHER, Accounts, token_digest
from panhuo.store import Store
from tests.test_store import BACKENDS, use_data_dir, use_database

ADMIN = system_user("test")
PASSWORDS = {
    "initial-admin": "Erst-Passwort-2026!",
    "initial-analyst": "Analyse-Start#2026",
    "changed-analyst": "Neues-Passwort-2026?",
    "reset-reporter": "Zurueck-Gesetzt-2026%",
    "reporter": "Bericht-Passwort-2026&",
    "typo": "Bericht-Passwort-2062&",  # a mistyped real password, sent with a failed sign-in
    "wrong": "Voellig-Falsch-2026$",
}


def forms(secret: str) -> dict[str, bytes]:
    """Ways a secret could sit in a database without being safely hashed."""
    raw = secret.encode("utf-8")
    return {
        "plain": raw,
        "lower": secret.lower().encode(),
        "reversed": secret[::-1].encode(),
        "utf-16": secret.encode("utf-16-le"),
        "base64": base64.b64encode(raw),
        "base64url": base64.urlsafe_b64encode(raw).rstrip(b"="),
        "base32": base64.b32encode(raw).rstrip(b"="),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
        "rot13": codecs.encode(secret, "rot13").encode(),
        "md5": hashlib.md5(raw).hexdigest().encode(),
        "sha1": hashlib.sha1(raw).hexdigest().encode(),
        "sha256": hashlib.sha256(raw).hexdigest().encode(),
        "sha512": hashlib.sha512(raw).hexdigest().encode(),
    }


@pytest.fixture(params=BACKENDS)
def used_store(request, tmp_path, monkeypatch) -> tuple[Store, list[str]]:
    """A store whose accounts have been through everything a password and a session go through;
    returns it and the session tokens handed out."""
    use_data_dir(tmp_path, monkeypatch)
    use_database(request.param, tmp_path, monkeypatch)
    store = Store.open()
    accounts = Accounts(store)
    accounts.add(ADMIN, "admin", PASSWORDS["initial-admin"], [Grant(Role.ADMIN)], must_change_password=False)
    accounts.add(ADMIN, "li", PASSWORDS["initial-analyst"], [Grant(Role.ANALYST)])
    accounts.add(ADMIN, "wang", PASSWORDS["reporter"], [Grant(Role.REPORTER, "shangdang-2021", ("上党区",))])
    tokens = []
    for name, password in (("admin", "initial-admin"), ("li", "initial-analyst"), ("wang", "reporter")):
        result = accounts.sign_in(name, PASSWORDS[password], client="10.0.0.1")
        assert result.ok, result.message
        tokens.append(result.token)
    li = accounts.get("li").user()
    accounts.change_password(li, PASSWORDS["initial-analyst"], PASSWORDS["changed-analyst"])
    for name, password in (("wang", "typo"), ("li", "wrong"), ("nobody", "wrong")):
        assert not accounts.sign_in(name, PASSWORDS[password], client="10.0.0.2").ok
    accounts.reset_password(accounts.get("admin").user(), "wang", PASSWORDS["reset-reporter"])
    result = accounts.sign_in("li", PASSWORDS["changed-analyst"], client="10.0.0.1")
    assert result.ok
    tokens.append(result.token)
    accounts.sign_out(li, tokens[1])
    return store, tokens


def _cells(store: Store) -> list[tuple[str, str, bytes]]:
    """(table, column, value as bytes) of every non-null cell of every table in the database."""
    found = []
    with store.engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table_name in inspector.get_table_names():
            table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
            for row in connection.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    data = (
                        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode("utf-8")
                    )
                    found.append((table_name, column, data))
    return found


def _sqlite_files(store: Store) -> list[Path]:
    if store.engine.dialect.name != "sqlite":
        return []
    main = Path(store.engine.url.database)
    return [p for p in (main, Path(f"{main}-wal"), Path(f"{main}-journal")) if p.exists()]


def test_no_password_or_token_is_stored_in_any_reversible_form(used_store):
    store, tokens = used_store
    needles = {
        f"{name} ({how})": data for name, secret in PASSWORDS.items() for how, data in forms(secret).items()
    }
    needles |= {
        f"token {i} ({how})": data
        for i, token in enumerate(tokens)
        for how, data in forms(token).items()
        if how != "sha256"  # the sha256 of a session token is what identifies it: expected
    }
    cells = _cells(store)
    assert len(cells) > 1000  # the sample plan's records are in the scan too
    leaks = [(t, c, n) for t, c, data in cells for n, needle in needles.items() if needle in data]
    assert leaks == []
    store.engine.dispose()  # SQLite: everything written to the file
    for path in _sqlite_files(store):
        content = path.read_bytes()
        assert [n for n, needle in needles.items() if needle in content] == [], path


def test_passwords_are_argon2id_hashes_and_tokens_are_sha256(used_store):
    store, tokens = used_store
    with store.engine.connect() as connection:
        hashes = dict(connection.execute(sa.text("SELECT name, password_hash FROM users")).all())
        stored_tokens = set(connection.execute(sa.text("SELECT token_sha256 FROM auth_sessions")).scalars())
    assert set(hashes) == {"admin", "li", "wang"}
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert HASHER.verify(hashes["li"], PASSWORDS["changed-analyst"])
    assert HASHER.verify(hashes["wang"], PASSWORDS["reset-reporter"])
    assert stored_tokens == {token_digest(t) for t in tokens}
    assert all(len(t) == 64 and int(t, 16) >= 0 for t in stored_tokens)
