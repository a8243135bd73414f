"""Engine set-up that differs between SQLite and PostgreSQL, and stale rows as a conflict."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError

from finsam_ansokan.core.errors import ConcurrentEditError


@contextmanager
def conflict_if_stale(message: str) -> Iterator[None]:
    """For a service (as a decorator or a ``with`` block): when a flush inside, explicit or
    automatic, finds a versioned row changed by someone else since it was read (its
    lock_version moved), refuse with ``ConcurrentEditError(message)``."""
    try:
        yield
    except StaleDataError:
        raise ConcurrentEditError(message) from None


#: PostgreSQL's codes for a change that lost a race: deadlock, serialization failure, lock not
#: available, a unique key or a referenced row taken or removed by a concurrent transaction.
_RACE_SQLSTATES = frozenset({"40P01", "40001", "55P03", "23505", "23503"})
#: SQLite's for the same (the writer lock timed out, a unique key, a foreign key).
_RACE_SQLITE = frozenset(
    {
        "SQLITE_BUSY",
        "SQLITE_LOCKED",
        "SQLITE_CONSTRAINT_UNIQUE",
        "SQLITE_CONSTRAINT_PRIMARYKEY",
        "SQLITE_CONSTRAINT_FOREIGNKEY",
    }
)


def is_concurrent_conflict(error: DBAPIError) -> bool:
    """True when the database refused a change because another transaction got there first
    (the change is rolled back and may be tried again); False for a fault such as a CHECK,
    a NOT NULL, a trigger's refusal or a lost connection."""
    original = error.orig
    code = getattr(original, "sqlstate", None)
    if code:
        return code in _RACE_SQLSTATES
    return getattr(original, "sqlite_errorname", None) in _RACE_SQLITE


def configure_engine_events(engine: Engine) -> None:
    """Make SQLite behave like a real transactional database.

    pysqlite's own transaction handling starts transactions late and breaks SAVEPOINT;
    the SQLAlchemy recipe turns it off and emits BEGIN ourselves. We emit
    ``BEGIN IMMEDIATE`` so that writers are serialised: two requests can never both
    read a budget frame and then both spend from it. PostgreSQL uses row locks instead.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # pragma: no cover - trivial
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):  # pragma: no cover - trivial
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def dialect_insert(session, model):
    """``INSERT`` for the session's database with ``on_conflict_do_update`` (PostgreSQL and
    SQLite both have it): for counters and markers that are created or moved in one statement."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - only PostgreSQL and SQLite are supported
        raise RuntimeError(f"unsupported database {dialect}")
    return insert(model)
