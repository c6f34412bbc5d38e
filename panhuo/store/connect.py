"""Engines per database URL, and the write lock that serialises writers.

Writers are serialised so that two imports never pick the same version number
(``uq_version_number``) nor both create the same new plan: on SQLite a write transaction starts
with ``BEGIN IMMEDIATE`` (the second writer waits, up to the busy timeout, until the first
commits); on PostgreSQL it takes a transaction-level advisory lock. Readers are not blocked.
"""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session

# an arbitrary constant naming the store's write lock among PostgreSQL advisory locks
WRITE_LOCK_KEY = 7_246_001
_WRITE = "panhuo_write"  # execution option: this transaction writes (BEGIN IMMEDIATE on SQLite)
_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs use psycopg 3 (the installed driver)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(connection, _record):
        # the driver's own transaction handling does not cover DDL and cannot BEGIN IMMEDIATE;
        # SQLAlchemy emits BEGIN itself (below), as its documentation recommends for pysqlite
        connection.isolation_level = None
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection):
        immediate = connection.get_execution_options().get(_WRITE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def get_engine(url: str) -> Engine:
    """The engine for ``url``, one per process (its pool is shared by every Store)."""
    with _LOCK:
        if url not in _ENGINES:
            backend = make_url(url).get_backend_name()
            if backend == "sqlite":
                _ENGINES[url] = _sqlite_engine(url)
            elif backend == "postgresql":
                # a database that cannot be reached fails within seconds instead of hanging a page
                _ENGINES[url] = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
            else:
                _ENGINES[url] = create_engine(url, pool_pre_ping=True)
        return _ENGINES[url]


def writer(engine: Engine) -> Engine:
    """The engine for write transactions (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(**{_WRITE: True})


def lock_for_writing(session: Session) -> None:
    """Wait for the store's write lock (PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` holds it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
