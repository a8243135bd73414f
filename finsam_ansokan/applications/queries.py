"""Read-only queries over applications, for start pages and lists.

Sums of money are computed in SQL, sökt belopp through :data:`.requested.SIGNED_AMOUNT`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, case, false, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload, with_expression

from finsam_ansokan.accounts.models import Organisation
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.budget.models import BudgetYear, Huvudomrade
from finsam_ansokan.core.money import ZERO
from finsam_ansokan.extensions import db

from . import search as free_text
from .models import Application, BudgetLine, diarienummer, display_title
from .policy import DRAFT_READERS
from .requested import SIGNED_AMOUNT
from .sections import CO_FUNDING
from .status import STATUS_LABELS, Status


def requested_sql() -> ColumnElement[Decimal]:
    """Sökt belopp of the application in the enclosing query, as a correlated SQL sum."""
    return (
        select(func.coalesce(func.sum(SIGNED_AMOUNT), 0))
        .where(BudgetLine.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )


def with_requested():
    """Query option: load ``Application.requested`` in the same query."""
    return with_expression(Application.requested, requested_sql())


def _base() -> Select:
    return select(Application).options(
        joinedload(Application.organisation),
        joinedload(Application.huvudomrade),
        with_requested(),
    )


def for_organisation(organisation_id: int | None, limit: int = 50) -> list[Application]:
    if organisation_id is None:
        return []
    query = (
        _base()
        .where(Application.organisation_id == organisation_id)
        .order_by(Application.updated_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_by_status() -> dict[Status, int]:
    rows = db.session.execute(
        select(Application.status, func.count()).group_by(Application.status)
    ).all()
    counts = {status: 0 for status in Status}
    for status, n in rows:
        counts[Status(status)] = n
    return counts


# --- one application's budget ---------------------------------------------------------


@dataclass
class BudgetSums:
    """Per year: the costs, the co-funding and sökt belopp; and the totals."""

    costs: dict[int, Decimal] = field(default_factory=dict)
    co_funding: dict[int, Decimal] = field(default_factory=dict)
    requested: dict[int, Decimal] = field(default_factory=dict)

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs.values(), ZERO)

    @property
    def total_co_funding(self) -> Decimal:
        return sum(self.co_funding.values(), ZERO)

    @property
    def total_requested(self) -> Decimal:
        return sum(self.requested.values(), ZERO)


def budget_sums(application_id: int) -> BudgetSums:
    is_co = BudgetLine.category == CO_FUNDING
    rows = db.session.execute(
        select(
            BudgetLine.year,
            func.coalesce(func.sum(case((is_co, 0), else_=BudgetLine.amount)), 0),
            func.coalesce(func.sum(case((is_co, BudgetLine.amount), else_=0)), 0),
            func.coalesce(func.sum(SIGNED_AMOUNT), 0),
        )
        .where(BudgetLine.application_id == application_id)
        .group_by(BudgetLine.year)
        .order_by(BudgetLine.year)
    ).all()
    sums = BudgetSums()
    for year, costs, co_funding, requested in rows:
        sums.costs[year] = Decimal(costs)
        sums.co_funding[year] = Decimal(co_funding)
        sums.requested[year] = Decimal(requested)
    return sums


def requested_by_year_many(application_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """Sökt belopp per year for many applications in one query (a meeting's agenda)."""
    result: dict[int, dict[int, Decimal]] = {}
    rows = db.session.execute(
        select(BudgetLine.application_id, BudgetLine.year, func.sum(SIGNED_AMOUNT))
        .where(BudgetLine.application_id.in_(list(application_ids)))
        .group_by(BudgetLine.application_id, BudgetLine.year)
        .order_by(BudgetLine.application_id, BudgetLine.year)
    )
    for application_id, year, amount in rows:
        result.setdefault(application_id, {})[year] = Decimal(amount)
    return result


# --- choices the forms offer -----------------------------------------------------------


#: How each choice list is ordered, here and in the list's ``filter_choices``.
_AREA_ORDER = (Huvudomrade.sort_order, Huvudomrade.name)
_ORGANISATION_ORDER = (Organisation.kind.desc(), Organisation.name)


def budget_years() -> list[int]:
    return list(db.session.scalars(select(BudgetYear.year).order_by(BudgetYear.year)))


def active_huvudomraden(include_id: int | None = None) -> list[Huvudomrade]:
    """The förbund's active huvudområden, plus ``include_id`` (an application's current one)."""
    condition = Huvudomrade.active.is_(True)
    if include_id is not None:
        condition = or_(condition, Huvudomrade.id == include_id)
    return list(db.session.scalars(select(Huvudomrade).where(condition).order_by(*_AREA_ORDER)))


def member_organisations() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation).where(Organisation.active.is_(True)).order_by(*_ORGANISATION_ORDER)
        )
    )


@dataclass(frozen=True)
class FilterChoices:
    """What the list's filters offer: the budget years, the active huvudområden and member
    organisations (id and name), read together in one statement."""

    years: list[int]
    huvudomraden: list[tuple[int, str]]
    organisations: list[tuple[int, str]]


def filter_choices() -> FilterChoices:
    """The list's choices in one statement, each part in the order its own query above
    gives (``budget_years``, ``active_huvudomraden``, ``member_organisations``)."""
    parts = [
        select(
            literal(0).label("part"),
            func.row_number().over(order_by=BudgetYear.year).label("n"),
            BudgetYear.year.label("id"),
            literal("").label("name"),
        ),
        select(
            literal(1),
            func.row_number().over(order_by=_AREA_ORDER),
            Huvudomrade.id,
            Huvudomrade.name,
        ).where(Huvudomrade.active.is_(True)),
        select(
            literal(2),
            func.row_number().over(order_by=_ORGANISATION_ORDER),
            Organisation.id,
            Organisation.name,
        ).where(Organisation.active.is_(True)),
    ]
    rows = db.session.execute(union_all(*parts).order_by("part", "n")).all()
    found: tuple[list, list, list] = ([], [], [])
    for part, _, id, name in rows:
        found[part].append(id if part == 0 else (id, name))
    return FilterChoices(*found)


# --- the list of applications ----------------------------------------------------------


def visible_to(user: Any) -> ColumnElement[bool]:
    """The SQL twin of ``policy.can_view``: the applications ``user`` may see."""
    roles = user.roles
    conditions: list[ColumnElement[bool]] = []
    if Role.SOKANDE in roles and user.organisation_id is not None:
        conditions.append(Application.organisation_id == user.organisation_id)
    if roles & {Role.KANSLI, Role.BEREDNING, Role.STYRELSE, Role.REVISOR, Role.ADMIN}:
        conditions.append(Application.diarie_number.is_not(None))
    if roles & DRAFT_READERS:
        conditions.append(Application.shared_for_comments.is_(True))
    return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    year: int | None = None
    huvudomrade_id: int | None = None
    organisation_id: int | None = None
    sort: str = "diarienummer"
    #: only drafts shared with the beredningsgrupp (Att göra's link)
    shared: bool = False
    #: free text: a diarienummer, or words of the title, organisation or contact
    q: str | None = None


@dataclass(frozen=True, slots=True)
class Named:
    name: str


@dataclass(frozen=True, slots=True)
class ListRow:
    """One row of the list, read as plain columns: what the table shows and nothing more
    (no ORM object, no identity map), under the names the table macro reads."""

    id: int
    diarie_year: int | None
    diarie_number: int | None
    title: str | None
    status: str
    updated_at: datetime
    requested: Decimal | None
    organisation: Named
    huvudomrade: Named | None

    @property
    def diarienummer(self) -> str | None:
        return diarienummer(self.diarie_year, self.diarie_number)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def display_title(self) -> str:
        return display_title(self.title)


@dataclass(frozen=True)
class Page:
    items: list[ListRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _conditions(user: Any, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = [visible_to(user)]
    if filters.status:
        conditions.append(Application.status == filters.status)
    if filters.year:
        conditions.append(Application.first_year <= filters.year)
        conditions.append(
            func.coalesce(Application.last_year, Application.first_year) >= filters.year
        )
    if filters.huvudomrade_id:
        conditions.append(Application.huvudomrade_id == filters.huvudomrade_id)
    if filters.organisation_id:
        conditions.append(Application.organisation_id == filters.organisation_id)
    if filters.shared:
        conditions.append(Application.shared_for_comments.is_(True))
    if filters.q:
        found = free_text.condition(filters.q)
        if found is not None:
            conditions.append(found)
    return conditions


def _order(filters: Filters) -> list:
    order = {
        "andrad": [Application.updated_at.desc()],
        "titel": [func.lower(func.coalesce(Application.title, ""))],
        "belopp": [requested_sql().desc()],
    }.get(
        filters.sort,
        [
            Application.diarie_year.desc().nulls_last(),
            Application.diarie_number.desc().nulls_last(),
        ],
    )
    return [*order, Application.id.desc()]


def search(user: Any, filters: Filters, *, page: int = 1, per_page: int = 25) -> Page:
    """The applications ``user`` may see, filtered, sorted and one page of them.

    One statement: the page's ids are found on the bare table first (a deep page computes
    no sökt belopp for the rows it skips), then just those rows are read with their
    organisation, huvudområde and sökt belopp, each row carrying the count of all matches.
    Only a page past the end (no rows, so no count) costs a second statement for the count
    and a third for the last page.
    """
    conditions = _conditions(user, filters)
    order = _order(filters)
    count = select(func.count(Application.id)).where(*conditions).scalar_subquery()

    def rows_of(number: int) -> list:
        page_ids = (
            select(Application.id)
            .where(*conditions)
            .order_by(*order)
            .limit(per_page)
            .offset((number - 1) * per_page)
        )
        return db.session.execute(
            select(
                Application.id,
                Application.diarie_year,
                Application.diarie_number,
                Application.title,
                Application.status,
                Application.updated_at,
                requested_sql(),
                Organisation.name,
                Huvudomrade.name,
                count,
            )
            .join(Organisation, Organisation.id == Application.organisation_id)
            .outerjoin(Huvudomrade, Huvudomrade.id == Application.huvudomrade_id)
            .where(Application.id.in_(page_ids))
            .order_by(*order)
        ).all()

    page = max(1, page)
    rows = rows_of(page)
    if rows:
        total = rows[0][-1]
    else:
        total = db.session.scalar(select(count)) or 0
        last = max(1, math.ceil(total / per_page))
        if page > last:
            page = last
            rows = rows_of(page) if total else []
    items = [
        ListRow(
            id,
            year,
            number,
            title,
            status,
            updated_at,
            Decimal(requested),
            Named(organisation),
            Named(area) if area is not None else None,
        )
        for id, year, number, title, status, updated_at, requested, organisation, area, _ in rows
    ]
    return Page(items, total, page, per_page)


def search_query(user: Any, filters: Filters) -> Select:
    """Every application ``user`` may see under ``filters``, in the list's order, with
    organisation, huvudområde and sökt belopp loaded: the query behind the exports."""
    return _base().where(*_conditions(user, filters)).order_by(*_order(filters))
