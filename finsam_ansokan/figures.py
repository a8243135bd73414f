"""A year's money figures, cached per worker and invalidated by versions in the database.

The budget overview of a year and *Statistik* aggregate the year's money, cases, reports
and payments per huvudområde. Instead of doing that on every request, they keep what they
computed in a small in-process cache (:func:`cached`), keyed by what they show (the kind,
the year, the filter) **and the versions of the year's figures read from the database**
(``figure_versions``: one row per year and huvudområde, 0 standing for "none" and for the
year's own figures such as the contributions).

Why a cached value is never stale:

* Every flush that changes something those pages read writes a fresh version into the
  rows of each (year, huvudområde) it touches, **in the same transaction** as the change
  (:func:`_after_flush`, a session hook that sees every ORM write, so no service can forget
  it; the benchmark seed, which inserts with Core, calls :func:`bump_everything`). A
  change and its new version become visible together at commit.
* A reader first reads the versions of the year (one statement), then looks the figures
  up under them; on a miss it computes as before and stores the result under the versions
  it read. Whatever it computed was read after those versions, so it holds at least every
  change committed with them. A later change commits another version, so later readers
  ask for another key.
* A version is a fresh random 62-bit number, not a counter: a transaction that rolls back
  (or a test, each of which rolls back) never leaves behind a version that a later
  transaction could commit again, so what a request computed from its own uncommitted
  changes (flushed, so already under their new versions) can never be served to anyone
  else.
* Rows are only ever added or changed, never deleted. A year with no rows at all is never
  cached: its figures may have been written before versions were kept (migration 0023
  gives each budget year a row) or without the ORM (the seed calls
  :func:`bump_everything`).

Two writers touching the same (year, huvudområde) wait for each other on that one row
until the first commits, as they already do on the frame (``ramar``) for grants; writers
of different years or huvudområden never meet. The rows are written in sorted order within
a flush; two transactions whose flushes touch the same rows in opposite orders can still
deadlock on PostgreSQL, which aborts one of them: the 409 page, like any lost race
(``core.database.is_concurrent_conflict``).

A session hook rather than database triggers: what an application's change touches (every
year of its project, budget lines, proposals, reports, costs and payment requests, in its
huvudområde before and after) is stated once, in Python, for both databases (SQLite's
triggers cannot loop over a range of years), and test factories and services alike pass it.

The cache is a bounded dict per process (each gunicorn worker has its own): no other
process has to be told anything, because the key itself says which data it was computed
from. The frame rows hold their huvudområde's name and order: changing a huvudområde (a
rare administrative act) gives every row a new version.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy import (
    Integer,
    cast,
    event,
    extract,
    false,
    func,
    literal,
    select,
    union_all,
    update,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.budget.models import (
    BudgetYear,
    Contribution,
    FigureVersion,
    FrameGrant,
    Huvudomrade,
    Ram,
)
from finsam_ansokan.core.database import dialect_insert
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import PaymentRequest, Report, ReportCost
from finsam_ansokan.review.models import Assessment, AssessmentAmount

T = TypeVar("T")

#: Entries kept per process: a few pages × years × filters.
CACHE_SIZE = 256
#: The huvudomrade_id of a year's figures that belong to no huvudområde.
NO_AREA = 0

#: The columns of a budget year that the overview's figures show.
_YEAR_COLUMNS = ("year", "equity_carried_over", "administration_costs")
#: The columns of a huvudområde that the frame rows show.
_AREA_COLUMNS = ("name", "active", "sort_order")
#: The columns of a registered application that the pages read.
_APPLICATION_COLUMNS = (
    "status",
    "diarie_number",
    "diarie_year",
    "first_year",
    "last_year",
    "huvudomrade_id",
    "title",
    "budget_lines",  # a line removed from the collection is deleted as an orphan
)


# --- reading ----------------------------------------------------------------------------


class FigureCache:
    """A bounded mapping, least recently used out first; safe across threads."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def versions(year: int) -> tuple[tuple[int, int], ...]:
    """The versions of ``year``'s figures, one (huvudomrade_id, version) per row."""
    return tuple(
        (area, version)
        for area, version in db.session.execute(
            select(FigureVersion.huvudomrade_id, FigureVersion.version)
            .where(FigureVersion.year == year)
            .order_by(FigureVersion.huvudomrade_id)
        )
    )


#: The versions a computation in progress read, by year: a cached value computed from
#: other cached values of the same year (a page's HTML from its figures) reads them once.
_computing: ContextVar[dict[int, tuple[tuple[int, int], ...]] | None] = ContextVar(
    "figure_versions_computing", default=None
)


def cached(kind: str, year: int, filters: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``year`` from the cache, or computed and stored.

    The value must not be changed by its callers (they share it) and must hold no ORM
    object (it outlives the session)."""
    computing = _computing.get() or {}
    year_versions = computing.get(year)
    if year_versions is None:
        year_versions = versions(year)
    if not year_versions:
        # figures from before versions were kept (or written without them): nothing
        # would mark their change, so they are never cached
        return compute()
    key = (kind, year, filters, year_versions)
    cache: FigureCache = current_app.extensions["figures"]
    value = cache.get(key)
    if value is None:
        reset = _computing.set({**computing, year: year_versions})
        try:
            value = compute()
        finally:
            _computing.reset(reset)
        cache.put(key, value)
    return value


# --- writing -----------------------------------------------------------------------------


def _values(obj: object, attribute: str) -> set[Any]:
    """The attribute's value now and before this flush (what is loaded of them)."""
    history = sa_inspect(obj).attrs[attribute].history
    return {v for v in (*history.added, *history.deleted, *history.unchanged) if v is not None}


def _old_values(obj: object, attribute: str) -> set[Any]:
    return {v for v in sa_inspect(obj).attrs[attribute].history.deleted if v is not None}


def _changed(obj: object, attributes: Iterable[str]) -> bool:
    state = sa_inspect(obj)
    return any(state.attrs[a].history.has_changes() for a in attributes)


class _Touched:
    """What a flush changed, as the keys to look up in the database."""

    def __init__(self) -> None:
        self.applications: set[int] = set()
        self.assessments: set[int] = set()
        self.reports: set[int] = set()
        self.frames: set[int] = set()
        self.budget_years: set[int] = set()
        #: years and huvudområden as they were before the flush (moved, removed rows)
        self.old_years: set[int] = set()
        self.old_areas: set[int] = set()
        self.whole_years: set[int] = set()
        #: a huvudområde's name, order or activity changed: it is in cached frame rows
        self.every_row = False

    def __bool__(self) -> bool:
        return bool(
            self.applications
            or self.assessments
            or self.reports
            or self.frames
            or self.budget_years
            or self.whole_years
            or self.every_row
        )


def _draft(session: Session, application_id: int | None) -> bool:
    """Whether the application is loaded in this session and is a draft (no diarienummer):
    a draft is in no figure, and its budget is saved often."""
    if application_id is None:
        return False
    key = sa_inspect(Application).identity_key_from_primary_key((application_id,))
    application = session.identity_map.get(key)
    return application is not None and _is_draft(application)


def _is_draft(application: Application) -> bool:
    return (
        "diarie_number" in application.__dict__
        and application.diarie_number is None
        and not _changed(application, ("diarie_number",))
    )


#: Rows of one year that hang off an application: what they name it by.
_CHILDREN = {
    BudgetLine: ("applications", "application_id"),
    PaymentRequest: ("applications", "application_id"),
    AssessmentAmount: ("assessments", "assessment_id"),
    ReportCost: ("reports", "report_id"),
}


def _collect(session: Session) -> _Touched:
    touched = _Touched()
    changed = [(o, False) for o in session.new] + [(o, True) for o in session.dirty]
    changed += [(o, True) for o in session.deleted]
    for obj, existed in changed:
        if isinstance(obj, Application):
            if _is_draft(obj) or (
                existed and obj not in session.deleted and not _changed(obj, _APPLICATION_COLUMNS)
            ):
                continue
            touched.applications.add(obj.id)
            touched.old_areas |= _old_values(obj, "huvudomrade_id")
            years = _values(obj, "first_year") | _values(obj, "last_year")
            if years:
                touched.old_years |= set(range(min(years), max(years) + 1))
        elif isinstance(obj, tuple(_CHILDREN)):
            if isinstance(obj, BudgetLine) and _draft(session, obj.application_id):
                continue
            ids, key = _CHILDREN[type(obj)]
            getattr(touched, ids).add(getattr(obj, key))
            touched.old_years |= _old_values(obj, "year")
        elif isinstance(obj, Assessment):
            touched.applications.add(obj.application_id)
        elif isinstance(obj, Report):
            touched.applications.add(obj.application_id)
            touched.old_years |= {d.year for d in _values(obj, "period_end")}
        elif isinstance(obj, FrameGrant):
            touched.frames.add(obj.ram_id)
        elif isinstance(obj, Ram):
            touched.frames.add(obj.id)
            touched.old_areas |= _old_values(obj, "huvudomrade_id")
        elif isinstance(obj, Contribution):
            touched.budget_years.add(obj.budget_year_id)
        elif isinstance(obj, BudgetYear) and (not existed or _changed(obj, _YEAR_COLUMNS)):
            touched.whole_years |= _values(obj, "year")
        elif isinstance(obj, Huvudomrade) and existed and _changed(obj, _AREA_COLUMNS):
            touched.every_row = True
    for ids in (
        touched.applications,
        touched.assessments,
        touched.reports,
        touched.frames,
        touched.budget_years,
    ):
        ids.discard(None)  # type: ignore[arg-type]
    return touched


# kinds of the rows of the one statement that finds what a flush touched
_AREA, _RANGE, _YEAR, _FRAME, _OWN = 1, 2, 3, 4, 5


def _touched_query(marked, frames=None, budget_years=None):
    """One statement: (kind, application id, a, b) rows, read after the flush: each
    registered application of ``marked`` (a select of ids) with its huvudområde, its years
    and every year its lines, proposals, reports, costs and payment requests name; each
    frame of ``frames`` with its (year, huvudområde); each budget year of ``budget_years``."""
    marked = marked.subquery()
    zero = literal(0)
    parts = [
        select(
            literal(_AREA), Application.id, func.coalesce(Application.huvudomrade_id, 0), zero
        ).where(Application.id.in_(select(marked)), Application.diarie_number.is_not(None)),
        select(
            literal(_RANGE),
            Application.id,
            Application.first_year,
            func.coalesce(Application.last_year, Application.first_year),
        ).where(Application.id.in_(select(marked)), Application.first_year.is_not(None)),
        select(literal(_YEAR), BudgetLine.application_id, BudgetLine.year, zero).where(
            BudgetLine.application_id.in_(select(marked))
        ),
        select(literal(_YEAR), Assessment.application_id, AssessmentAmount.year, zero)
        .join(Assessment, Assessment.id == AssessmentAmount.assessment_id)
        .where(Assessment.application_id.in_(select(marked))),
        select(literal(_YEAR), Report.application_id, ReportCost.year, zero)
        .join(Report, Report.id == ReportCost.report_id)
        .where(Report.application_id.in_(select(marked))),
        select(
            literal(_YEAR),
            Report.application_id,
            cast(extract("year", Report.period_end), Integer),
            zero,
        ).where(Report.application_id.in_(select(marked)), Report.period_end.is_not(None)),
        select(literal(_YEAR), PaymentRequest.application_id, PaymentRequest.year, zero).where(
            PaymentRequest.application_id.in_(select(marked))
        ),
    ]
    if frames is not None:
        parts.append(
            select(literal(_FRAME), zero, BudgetYear.year, Ram.huvudomrade_id)
            .join(BudgetYear, BudgetYear.id == Ram.budget_year_id)
            .where(Ram.id.in_(frames))
        )
    if budget_years is not None:
        parts.append(
            select(literal(_OWN), zero, BudgetYear.year, zero).where(
                BudgetYear.id.in_(budget_years)
            )
        )
    return union_all(*parts)


def _pairs(touched: _Touched, rows) -> set[tuple[int, int]]:
    """The (year, huvudomrade_id) whose figures the flush may have changed: every year of a
    touched application (before and after) in each of its huvudområden (before and after),
    each touched frame's, and each touched budget year's own."""
    areas: dict[int, set[int]] = {}
    years: dict[int, set[int]] = {}
    pairs: set[tuple[int, int]] = set()
    for kind, application_id, a, b in rows:
        if kind == _AREA:
            areas.setdefault(application_id, set()).add(int(a))
        elif kind == _RANGE:
            years.setdefault(application_id, set()).update(range(int(a), int(b) + 1))
        elif kind == _YEAR:
            if a is not None:
                years.setdefault(application_id, set()).add(int(a))
        elif kind == _FRAME:
            pairs.add((int(a), int(b)))
            pairs |= {(int(a), area) for area in touched.old_areas}
        else:
            pairs.add((int(a), NO_AREA))
    for application_id, its_areas in areas.items():
        every_area = its_areas | touched.old_areas
        for year in years.get(application_id, set()) | touched.old_years:
            pairs |= {(year, area) for area in every_area}
    return pairs


def _write(
    session: Session,
    pairs: Iterable[tuple[int, int]],
    whole_years: Iterable[int] = (),
    *,
    every_row: bool = False,
) -> None:
    """A fresh version for each (year, huvudomrade_id), for every row of ``whole_years``
    (which get a row of their own if they had none), or for every row (``every_row``)."""
    token = secrets.randbits(62)
    whole_years = sorted(set(whole_years))
    keys = sorted(set(pairs) | {(year, NO_AREA) for year in whole_years})
    connection = session.connection()
    if keys:
        statement = dialect_insert(session, FigureVersion).values(
            [{"year": y, "huvudomrade_id": a, "version": token} for y, a in keys]
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["year", "huvudomrade_id"],
                set_={"version": statement.excluded.version},
            )
        )
    if every_row:
        connection.execute(update(FigureVersion).values(version=token))
    elif whole_years:
        connection.execute(
            update(FigureVersion).where(FigureVersion.year.in_(whole_years)).values(version=token)
        )


_WATCHED = (
    Application,
    Assessment,
    Report,
    FrameGrant,
    Ram,
    Contribution,
    BudgetYear,
    Huvudomrade,
    *_CHILDREN,
)


def _before_flush(session: Session, _context, _instances) -> None:
    """Load what :func:`_after_flush` reads of the rows about to be deleted, while they
    are still there."""
    for obj in session.deleted:
        if isinstance(obj, _WATCHED) and sa_inspect(obj).expired_attributes:
            session.refresh(obj)


def _after_flush(session: Session, _context) -> None:
    touched = _collect(session)
    if not touched:
        return
    rows = []
    if touched.applications or touched.assessments or touched.reports:
        marked = select(Application.id).where(Application.id.in_(sorted(touched.applications)))
        if touched.assessments:
            marked = marked.union(
                select(Assessment.application_id).where(
                    Assessment.id.in_(sorted(touched.assessments))
                )
            )
        if touched.reports:
            marked = marked.union(
                select(Report.application_id).where(Report.id.in_(sorted(touched.reports)))
            )
    else:
        marked = select(Application.id).where(false())
    if (
        touched.applications
        or touched.assessments
        or touched.reports
        or touched.frames
        or (touched.budget_years)
    ):
        query = _touched_query(
            marked, sorted(touched.frames) or None, sorted(touched.budget_years) or None
        )
        rows = session.connection().execute(query).all()
    _write(session, _pairs(touched, rows), touched.whole_years, every_row=touched.every_row)


def bump_everything() -> None:
    """A fresh version for every (year, huvudområde) that has figures: after rows were
    written without the ORM (the benchmark seed's bulk inserts)."""
    db.session.flush()
    years = db.session.scalars(select(FigureVersion.year).union(select(BudgetYear.year))).all()
    query = _touched_query(select(Application.id), select(Ram.id), select(BudgetYear.id))
    rows = db.session.connection().execute(query).all()
    _write(db.session, _pairs(_Touched(), rows), years)


_listening = False


def init_app(app: Flask) -> None:
    """The cache of this process, and the hook that versions every flush (once for all
    sessions: the request's, the worker's, the tests')."""
    global _listening
    app.extensions["figures"] = FigureCache()
    if not _listening:
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        _listening = True
