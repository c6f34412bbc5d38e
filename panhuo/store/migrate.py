"""Schema migrations (Alembic), configured in code: no alembic.ini is needed at run time.

:func:`upgrade` brings a database to the newest revision. It is called on first use by the
app and the command line (``python -m panhuo db upgrade`` does it on request):

- an empty database gets every table from the revisions;
- a store made by a release before migrations (its tables exist, no ``alembic_version``) is
  stamped at :data:`BASELINE` — the schema those releases made — and upgraded from there, so
  its imports, versions and original files stay as they are;
- two processes upgrading at once are serialised (SQLite: ``BEGIN IMMEDIATE`` on the
  database; PostgreSQL: an advisory lock), so the second finds the work done.

A new table or column is a new file in ``migrations/versions`` (``alembic revision`` with
``-c panhuo/store/migrations/alembic.ini``, or by hand); SQLite runs them in batch mode.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from panhuo.store.connect import sqlite_file, writer

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BASELINE = "0001"  # the schema of the releases before migrations
MIGRATE_LOCK_KEY = 7_246_002  # PostgreSQL advisory lock held while upgrading
_UPGRADED: set[str] = set()
_LOCK = threading.Lock()


def config(connection: Connection | None = None) -> Config:
    """The Alembic configuration of the store's migrations (on ``connection`` when given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def head() -> str:
    """The newest revision."""
    return ScriptDirectory.from_config(config()).get_current_head() or BASELINE


def current(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database or one from before
    migrations; never creates anything)."""
    file = sqlite_file(str(engine.url))
    if file is not None and not file.exists():
        return None
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_legacy(connection: Connection) -> bool:
    """True for a store made before migrations: its tables exist, no revision is recorded."""
    if MigrationContext.configure(connection).get_current_revision() is not None:
        return False
    return inspect(connection).has_table("dataset_versions")


def upgrade(engine: Engine, revision: str = "head", *, force: bool = False) -> str:
    """Bring the database to ``revision`` (creating the SQLite file's folder); returns the
    revision it is at. Done once per process and URL unless ``force``."""
    url = engine.url.render_as_string(hide_password=False)
    with _LOCK:
        if url in _UPGRADED and not force and revision == "head":
            return head()
        file = sqlite_file(url)
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        with writer(engine).connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATE_LOCK_KEY})
            cfg = config(connection)
            if is_legacy(connection):
                command.stamp(cfg, BASELINE)
            command.upgrade(cfg, revision)
            reached = MigrationContext.configure(connection).get_current_revision() or ""
        if revision == "head":
            _UPGRADED.add(url)
        return reached


def forget(engine: Engine) -> None:
    """Forget that the database was upgraded (after its tables were dropped)."""
    with _LOCK:
        _UPGRADED.discard(engine.url.render_as_string(hide_password=False))
