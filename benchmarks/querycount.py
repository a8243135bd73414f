"""Count the SQL statements a piece of code sends, with SQLAlchemy's ``before_cursor_execute``.

Used by the query-count regression tests and by ``benchmarks/run.py``; not part of the app.
Transaction control (BEGIN, SAVEPOINT, RELEASE, ROLLBACK) is not counted: only the
statements that read or write data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


class Statements(list[str]):
    """The statements sent inside a ``count_statements`` block."""

    @property
    def count(self) -> int:
        return len(self)

    def report(self) -> str:
        """One line per statement, the column list left out: what a failing test prints."""
        return "\n".join(f"{i:3}: {_short(s)}" for i, s in enumerate(self, 1))


def _short(statement: str) -> str:
    flat = " ".join(statement.split())
    return re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", flat)[:220]


@contextmanager
def count_statements(engine: Engine) -> Iterator[Statements]:
    statements = Statements()

    def before_cursor_execute(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_CONTROL):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
