"""Statistics of a budget year: a handful of aggregate queries, never a loop over rows.

What counts (the page says the same in its hints):

* *Ärenden* are registered applications (with a diarienummer) whose budget years cover the
  year (``first_year <= year <= last_year``), the same rule as the list's year filter.
  Drafts are not yet cases and are left out.
* *Sökt* is the sökt belopp for the year (``applications.requested``: costs − co-funding)
  of those cases, except the withdrawn ones; *beviljat*, *återfört*, *utbetalt* and
  *förbrukat* are the budget overview's frame rows (``overview.frame_rows``: the ledger's
  granted and returned, paid payment requests, each project's latest approved report).
* *Deltagare* are summed over the approved reports whose period ends in the year (a report
  counts the participants of its period, so one person may be in two reports).
* *Måluppfyllelse* is free text in the reports: the page counts approved reports and
  slutrapporter, and lists each project's latest approved report of the year.
* *Budgetutnyttjande* is cumulative per month: granted from the ledger's ``created_at``
  (money granted before the year counts from January; returns at closing do not count)
  and paid from ``paid_on``.

The page runs the same nine queries whatever the number of applications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, case, extract, func, select

from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.applications.queries import budget_years as _budget_years
from finsam_ansokan.applications.requested import SIGNED_AMOUNT
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget.models import BudgetYear, FrameGrant, Huvudomrade, Ram
from finsam_ansokan.core.money import ZERO
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.figures import cached
from finsam_ansokan.followup import services as followup
from finsam_ansokan.followup.models import PaymentRequest, Report
from finsam_ansokan.followup.status import PaymentStatus, ReportKind
from finsam_ansokan.overview import frame_figures

#: How many projects' goal fulfilment texts the page lists (the newest first).
GOAL_LIST_LIMIT = 100
MONTHS = ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
NO_AREA = "Utan huvudområde"


@dataclass
class AreaRow:
    """One huvudområde's numbers for the year."""

    huvudomrade_id: int | None
    name: str
    frame: Decimal = ZERO
    asked: Decimal = ZERO
    granted: Decimal = ZERO
    paid: Decimal = ZERO
    used: Decimal = ZERO
    returned: Decimal = ZERO
    statuses: dict[Status, int] = field(default_factory=dict)
    women: int = 0
    men: int = 0
    reports: int = 0
    final_reports: int = 0

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    @property
    def participants(self) -> int:
        return self.women + self.men

    @property
    def women_share(self) -> int | None:
        """Kvinnornas andel i hela procent, None utan deltagare."""
        if not self.participants:
            return None
        return round(self.women * 100 / self.participants)

    @property
    def men_share(self) -> int | None:
        share = self.women_share
        return None if share is None else 100 - share

    @property
    def has_money(self) -> bool:
        return any((self.frame, self.asked, self.granted, self.paid, self.used, self.returned))


@dataclass
class MonthPoint:
    month: int  # 1–12
    granted: Decimal  # cumulative, at the end of the month
    paid: Decimal

    @property
    def label(self) -> str:
        return MONTHS[self.month - 1]


@dataclass(frozen=True)
class GoalRow:
    application_id: int
    diarienummer: str
    title: str
    huvudomrade: str
    report_kind: str
    period_end: date
    goal_fulfilment: str | None


@dataclass
class Statistics:
    year: int
    huvudomrade: Huvudomrade | None
    areas: list[AreaRow]
    total: AreaRow
    months: list[MonthPoint]
    goals: list[GoalRow]

    @property
    def status_columns(self) -> list[Status]:
        """The statuses any case of the year has, in the process's order."""
        return [s for s in Status if self.total.statuses.get(s)]

    @property
    def money_areas(self) -> list[AreaRow]:
        return [a for a in self.areas if a.has_money]

    @property
    def participant_areas(self) -> list[AreaRow]:
        return [a for a in self.areas if a.reports]

    @property
    def case_areas(self) -> list[AreaRow]:
        return [a for a in self.areas if a.cases]


@dataclass(frozen=True)
class Choices:
    years: list[int]
    huvudomraden: list[Huvudomrade]


def choices() -> Choices:
    """The years and huvudområden the filter offers (two small queries)."""
    areas = db.session.scalars(
        select(Huvudomrade).order_by(Huvudomrade.sort_order, Huvudomrade.name)
    ).all()
    return Choices(years=_budget_years(), huvudomraden=list(areas))


@dataclass(frozen=True)
class Selection:
    """The year and huvudområde a request asks for (``?ar=2026&omrade=3``), checked."""

    year: int
    area_id: int | None
    choices: Choices


def selection(args: Mapping[str, str]) -> Selection:
    """What the page and its export show: an unknown year gives the default year, an
    unknown huvudområde all of them."""
    offered = choices()
    try:
        year = int(args.get("ar") or "")
    except ValueError:
        year = None
    if year is None or not 2000 <= year <= 2100:
        year = default_year(offered.years)
    try:
        area_id = int(args.get("omrade") or "")
    except ValueError:
        area_id = None
    if area_id not in {a.id for a in offered.huvudomraden}:
        area_id = None
    return Selection(year, area_id, offered)


def statistics_for(chosen: Selection) -> Statistics:
    return statistics(chosen.year, chosen.choices.huvudomraden, chosen.area_id)


def default_year(years: list[int]) -> int:
    this_year = today().year
    if this_year in years or not years:
        return this_year
    return max(years)


# --- the queries ------------------------------------------------------------------------


def _cases_of(year: int, area_id: int | None) -> list:
    """Conditions: registered applications whose budget years cover ``year``."""
    conditions = [
        Application.diarie_number.is_not(None),
        Application.first_year <= year,
        func.coalesce(Application.last_year, Application.first_year) >= year,
    ]
    if area_id is not None:
        conditions.append(Application.huvudomrade_id == area_id)
    return conditions


def _asked(year: int, area_id: int | None) -> list:
    return db.session.execute(
        select(Application.huvudomrade_id, func.sum(SIGNED_AMOUNT))
        .join(BudgetLine, BudgetLine.application_id == Application.id)
        .where(
            *_cases_of(year, area_id),
            BudgetLine.year == year,
            Application.status != Status.ATERKALLAD.value,
        )
        .group_by(Application.huvudomrade_id)
    ).all()


def _statuses(year: int, area_id: int | None) -> list:
    return db.session.execute(
        select(Application.huvudomrade_id, Application.status, func.count(Application.id))
        .where(*_cases_of(year, area_id))
        .group_by(Application.huvudomrade_id, Application.status)
    ).all()


def _reports_in(year: int, area_id: int | None) -> list:
    conditions = [
        followup.APPROVED_REPORT,
        Report.period_end >= date(year, 1, 1),
        Report.period_end <= date(year, 12, 31),
    ]
    if area_id is not None:
        conditions.append(Application.huvudomrade_id == area_id)
    return conditions


def _participants(year: int, area_id: int | None) -> list:
    """(huvudomrade_id, women, men, reports, final reports) of the approved reports."""
    return db.session.execute(
        select(
            Application.huvudomrade_id,
            *followup.participant_sums(),
            func.count(Report.id),
            func.coalesce(
                func.sum(case((Report.kind == ReportKind.SLUTRAPPORT.value, 1), else_=0)), 0
            ),
        )
        .join(Application, Application.id == Report.application_id)
        .where(*_reports_in(year, area_id))
        .group_by(Application.huvudomrade_id)
    ).all()


def _goals(year: int, area_id: int | None) -> tuple:
    """Each project's latest approved report of the year, newest first: (application id,
    diarienummer, title, huvudområde id, report kind, period end, goal fulfilment)."""
    ranked = (
        select(
            Report.id.label("report_id"),
            func.row_number()
            .over(
                partition_by=Report.application_id,
                order_by=(Report.period_end.desc(), Report.id.desc()),
            )
            .label("rank"),
        )
        .join(Application, Application.id == Report.application_id)
        .where(*_reports_in(year, area_id))
        .subquery()
    )
    rows = db.session.execute(
        select(
            Application.id,
            Application.diarie_year,
            Application.diarie_number,
            Application.title,
            Application.huvudomrade_id,
            Report.kind,
            Report.period_end,
            Report.goal_fulfilment,
        )
        .join(ranked, ranked.c.report_id == Report.id)
        .join(Application, Application.id == Report.application_id)
        .where(ranked.c.rank == 1)
        .order_by(Report.period_end.desc(), Application.diarie_year, Application.diarie_number)
        .limit(GOAL_LIST_LIMIT)
    ).all()
    return tuple(
        (
            r[0],
            f"{r[1]}/{r[2]}" if r[2] is not None else "",
            r[3] or "Namnlös ansökan",
            r[4],
            ReportKind(r[5]).label,
            r[6],
            r[7],
        )
        for r in rows
    )


def _months_granted(year: int, area_id: int | None) -> list:
    """(calendar year, month, amount) of the ledger movements of the year's frames."""
    created_year = extract("year", FrameGrant.created_at)
    created_month = extract("month", FrameGrant.created_at)
    query = (
        select(created_year, created_month, ledger.granted_sum())
        .join(Ram, Ram.id == FrameGrant.ram_id)
        .join(BudgetYear, BudgetYear.id == Ram.budget_year_id)
        .where(BudgetYear.year == year)
        .group_by(created_year, created_month)
    )
    if area_id is not None:
        query = query.where(Ram.huvudomrade_id == area_id)
    return db.session.execute(query).all()


def _months_paid(year: int, area_id: int | None) -> list:
    paid_year = extract("year", PaymentRequest.paid_on)
    paid_month = extract("month", PaymentRequest.paid_on)
    conditions = [
        PaymentRequest.year == year,
        PaymentRequest.status == PaymentStatus.UTBETALD.value,
    ]
    if area_id is not None:
        conditions.append(Application.huvudomrade_id == area_id)
    return db.session.execute(
        select(paid_year, paid_month, func.sum(PaymentRequest.amount))
        .join(Application, Application.id == PaymentRequest.application_id)
        .where(and_(*conditions))
        .group_by(paid_year, paid_month)
    ).all()


def last_month_shown(year: int) -> int:
    """Months of ``year`` that have begun: 12 for past years, 0 for future ones."""
    now = today()
    if year < now.year:
        return 12
    if year > now.year:
        return 0
    return now.month


def cumulative_by_month(year: int, rows: list, last_month: int) -> list[Decimal]:
    """Running totals at the end of months 1…``last_month`` from (year, month, amount) rows:
    movements before the year count from January, later ones in December."""
    per_month = [ZERO] * 12
    for row_year, row_month, amount in rows:
        if row_year is None:
            continue
        row_year, row_month = int(row_year), int(row_month)
        index = 0 if row_year < year else 11 if row_year > year else row_month - 1
        per_month[index] += Decimal(amount)
    running, result = ZERO, []
    for month in range(last_month):
        running += per_month[month]
        result.append(running)
    return result


# --- the page ----------------------------------------------------------------------------


def _figures(year: int, area_id: int | None) -> tuple:
    """What the queries return for the year (ids and amounts, no names), as tuples: kept
    in the cache of the year's figures (``finsam_ansokan.figures``) until one changes."""
    return (
        frame_figures(year, area_id),
        tuple(tuple(r) for r in _asked(year, area_id)),
        tuple(tuple(r) for r in _statuses(year, area_id)),
        tuple(tuple(r) for r in _participants(year, area_id)),
        tuple(tuple(r) for r in _months_granted(year, area_id)),
        tuple(tuple(r) for r in _months_paid(year, area_id)),
        _goals(year, area_id),
    )


def statistics(year: int, huvudomraden: list[Huvudomrade], area_id: int | None = None):
    """The year's statistics, optionally for one huvudområde (``area_id``).

    ``huvudomraden`` is the list from :func:`choices` (the names, without another query).
    The figures come from the cache of the year's figures; the months shown depend on
    today, the names on the huvudområden now.
    """
    frames, asked, statuses, participants, months_granted, months_paid, goals = cached(
        "statistics", year, area_id, lambda: _figures(year, area_id)
    )
    names = {a.id: a.name for a in huvudomraden}
    order = {a.id: i for i, a in enumerate(huvudomraden)}
    areas: dict[int | None, AreaRow] = {}

    def area(area_key: int | None) -> AreaRow:
        if area_key not in areas:
            areas[area_key] = AreaRow(area_key, names.get(area_key, NO_AREA))
        return areas[area_key]

    if area_id is not None:
        area(area_id)  # shown even when it has nothing yet
    for frame in frames:
        row = area(frame.huvudomrade_id)
        row.frame, row.granted, row.returned = frame.frame, frame.granted, frame.returned
        row.used, row.paid = frame.used, frame.paid
    for key, amount in asked:
        area(key).asked = Decimal(amount)
    for key, status, count in statuses:
        area(key).statuses[Status(status)] = count
    for key, women, men, reports, final_reports in participants:
        row = area(key)
        row.women, row.men = int(women), int(men)
        row.reports, row.final_reports = int(reports), int(final_reports)

    rows = sorted(areas.values(), key=lambda r: (order.get(r.huvudomrade_id, 10**6), r.name))
    total = AreaRow(None, "Totalt")
    for row in rows:
        total.frame += row.frame
        total.asked += row.asked
        total.granted += row.granted
        total.paid += row.paid
        total.used += row.used
        total.returned += row.returned
        total.women += row.women
        total.men += row.men
        total.reports += row.reports
        total.final_reports += row.final_reports
        for status, count in row.statuses.items():
            total.statuses[status] = total.statuses.get(status, 0) + count

    last = last_month_shown(year)
    granted = cumulative_by_month(year, list(months_granted), last)
    paid = cumulative_by_month(year, list(months_paid), last)
    months = [MonthPoint(m + 1, granted[m], paid[m]) for m in range(last)]
    return Statistics(
        year=year,
        huvudomrade=next((a for a in huvudomraden if a.id == area_id), None),
        areas=rows,
        total=total,
        months=months,
        goals=[
            GoalRow(r[0], r[1], r[2], names.get(r[3], NO_AREA), r[4], r[5], r[6]) for r in goals
        ],
    )
