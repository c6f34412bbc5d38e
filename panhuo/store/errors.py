"""Errors of the store with messages in Chinese for the user."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class StoreError(Exception):
    """An error of the store; ``str()`` is the Chinese message for the user."""


class StoreUnavailable(StoreError):
    """The database (or its file) cannot be reached or opened: a problem of the environment,
    not of the data. ``detail`` keeps the driver's own text for the log."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("数据库暂时无法使用")
        self.detail = detail[:300]


class PlanExists(StoreError):
    """A new plan was to be created, but another import created it first."""

    def __init__(self, plan_id: str) -> None:
        super().__init__(
            f"规划“{plan_id}”已由同时进行的另一次导入新建，本次导入未写入任何数据。"
            "请刷新后重新导入到该规划（将成为它的新版本）。"
        )
        self.plan_id = plan_id


# the errors that mean "cannot reach the database or its file": a connection refused or lost,
# a locked or unreadable SQLite file, a full pool. Other database errors are bugs and surface.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout, OSError)


# SQLite reports some mistakes of the code's own SQL as OperationalError too: those are bugs
_SQL_MISTAKES = ("no such table", "no such column", "has no column named", "syntax error", "already exists")


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database cannot be reached or opened (not a bug of ours).

    >>> from sqlalchemy.exc import OperationalError
    >>> is_unavailable(OperationalError("SELECT 1", {}, Exception("unable to open database file")))
    True
    >>> is_unavailable(OperationalError("SELECT x", {}, Exception("no such table: plans")))
    False
    """
    if not isinstance(exc, UNAVAILABLE):
        return False
    if isinstance(exc, OperationalError):
        text = str(getattr(exc, "orig", None) or exc).lower()
        return not any(mistake in text for mistake in _SQL_MISTAKES)
    return True


@contextmanager
def unavailable_on_failure() -> Iterator[None]:
    """Turn the errors that mean "cannot reach the database" into :class:`StoreUnavailable`;
    any other error (a bug) passes unchanged."""
    try:
        yield
    except UNAVAILABLE as exc:
        if not is_unavailable(exc):
            raise
        raise StoreUnavailable(f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}") from exc
