"""Alembic environment of the store: runs on the connection :mod:`panhuo.store.migrate` passes
(``config.attributes["connection"]``), else on the configured database (the ``alembic`` command
with ``-c panhuo/store/migrations/alembic.ini``)."""

from __future__ import annotations

from alembic import context

from panhuo.store.schema import Base


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters a table by copying it; batch mode does that
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from panhuo.settings import load_settings
    from panhuo.store.connect import get_engine, normalise_url

    engine = get_engine(normalise_url(load_settings().effective_database_url))
    with engine.connect() as connection:
        _run(connection)
        connection.commit()


if context.is_offline_mode():  # pragma: no cover - SQL scripts are not used
    raise SystemExit("离线模式不受支持：请用 python -m panhuo db upgrade")
run()
