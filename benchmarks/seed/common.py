"""What every part of the seeding shares: the plan of one application, the context the parts
pass along, bulk rows with explicit ids, and small helpers of time and money."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from finsam_ansokan.applications.status import Action, Status, target_of
from finsam_ansokan.extensions import db

BATCH = 5000
S = Status

#: Statuses reached through a board decision, and those that have been prepared for one.
DECIDED = frozenset({S.BEVILJAD, S.DELVIS_BEVILJAD, S.AVSLAGEN, S.PAGAENDE, S.AVSLUTAD})
PREPARED = DECIDED | {S.KLAR_FOR_BESLUT}


@dataclass
class SeedApplication:
    """The plan of one application: everything the parts need to write its rows."""

    id: int
    year: int
    last_year: int
    status: Status
    organisation_id: int
    huvudomrade_id: int
    owner_id: int
    versions: int
    title: str
    lines: dict[int, Decimal] = field(default_factory=dict)  # sökt belopp per year
    meeting_id: int | None = None
    decided_at: datetime | None = None
    proposal_id: int | None = None
    #: (when, status) from creation (utkast) to the current status
    timeline: list[tuple[datetime, Status]] = field(default_factory=list)


class Rows:
    """Rows collected per table with explicit ids, inserted in bulk (Core ``insert()``
    executemany, never ORM objects one by one) in the order the caller flushes them."""

    def __init__(self) -> None:
        self.rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        self.ids: dict[Table, int] = {}

    def next_id(self, model: Any) -> int:
        table = model.__table__
        if table not in self.ids:
            self.ids[table] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        self.ids[table] += 1
        return self.ids[table] - 1

    def add(self, model: Any, **values: Any) -> None:
        self.rows[model.__table__].append(values)

    def flush(self, *models: Any) -> None:
        for model in models:
            rows = self.rows.pop(model.__table__, [])
            for start in range(0, len(rows), BATCH):
                db.session.execute(insert(model.__table__), rows[start : start + BATCH])


@dataclass
class Seed:
    """What the parts share: the random source, the förbund's people and the plan."""

    rng: random.Random
    now: datetime
    today: date
    years: list[int]
    members: list[Any]
    areas: list[Any]
    beredning: int
    kansli: int
    styrelse: int
    rows: Rows = field(default_factory=Rows)
    applicants: dict[int, int] = field(default_factory=dict)  # organisation → sökande
    budget_year_ids: dict[int, int] = field(default_factory=dict)
    applications: list[SeedApplication] = field(default_factory=list)
    #: (id, date, cases, decided) per meeting
    meetings: list[tuple[int, date, list[SeedApplication], bool]] = field(default_factory=list)
    comments: int = 0

    @property
    def this_year(self) -> int:
        return self.today.year


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def spread(start: datetime, end: datetime, count: int, rng: random.Random) -> list[datetime]:
    """``count`` increasing moments from ``start`` to ``end`` (the last one is ``end``)."""
    if count <= 1:
        return [start]
    span = max((end - start).total_seconds(), count * 3600)
    points = sorted(rng.random() for _ in range(count - 2))
    return [start, *(start + timedelta(seconds=span * p) for p in points), end][:count]


def statuses(actions: list[Action]) -> list[Status]:
    """The statuses an application passes through from utkast by ``actions``, each step
    looked up in the one transition table (a path it does not allow raises)."""
    current, path = S.UTKAST, []
    for action in actions:
        current = target_of(current, action)
        path.append(current)
    return path


def granted(app: SeedApplication) -> dict[int, Decimal]:
    """What the board grants (or is proposed to grant) per year: everything asked for, or
    70 % of it in part."""
    if app.status == S.AVSLAGEN:
        return {}
    share = Decimal("0.7") if app.status == S.DELVIS_BEVILJAD else Decimal(1)
    return {
        year: (amount * share / 1000).quantize(Decimal(1)) * 1000
        for year, amount in app.lines.items()
        if amount > 0
    }


def reset_sequences() -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement and table.c.id.primary_key:
            db.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table.name}), false)"
                )
            )
