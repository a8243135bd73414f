"""What the exports contain: the budget overview, the application list and the statistics
as tables.

Each is the same data as its page, through the same services and queries (and the same
visibility: an applicant's export holds only what ``queries.visible_to`` lets them see).
Nothing here reads comments or internal notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from finsam_ansokan import overview as budget_overview
from finsam_ansokan.applications import finality, queries
from finsam_ansokan.applications.models import Application
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget.models import BudgetYear
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import services as followup
from finsam_ansokan.meetings import services as meetings
from finsam_ansokan.meetings.services import DecisionSummary
from finsam_ansokan.statistics.services import AreaRow, Statistics

from .tables import Column, Kind, Table

#: The export holds at most this many applications (far more than a förbund has).
MAX_ROWS = 20_000


# --- the budget overview ---------------------------------------------------------------------

BUDGET_COLUMNS = [
    Column("Huvudområde", width=36),
    Column("Ram", Kind.MONEY),
    Column("Föreslaget", Kind.MONEY),
    Column("Beviljat", Kind.MONEY),
    Column("Utbetalt", Kind.MONEY),
    Column("Förbrukat", Kind.MONEY),
    Column("Återfört", Kind.MONEY),
    Column("Återstår", Kind.MONEY),
]


def budget_tables(budget_year: BudgetYear) -> list[Table]:
    """The overview's frame table and its summary of income and costs."""
    overview = budget_overview.overview(budget_year)
    year = budget_year.year
    frames = Table(
        title=f"Budget {year}",
        columns=BUDGET_COLUMNS,
        rows=[
            [r.huvudomrade, r.frame, r.proposed, r.granted, r.paid, r.used, r.returned, r.remaining]
            for r in overview.rows
        ],
        total=[
            "Totalt",
            overview.frames,
            overview.proposed,
            overview.granted,
            overview.paid,
            overview.used,
            overview.returned,
            overview.remaining,
        ],
    )
    summary = Table(
        title=f"Intäkter och kostnader {year}",
        columns=[Column("Post", width=50), Column("Belopp", Kind.MONEY)],
        rows=[
            ["Medlemsinsatser", overview.contributions],
            ["Eget kapital från föregående år", overview.equity_carried_over],
            ["Intäkter totalt", overview.income],
            ["Styrelse, ledning och administration", overview.administration],
            ["Ramar för huvudområdena", overview.frames],
            ["Ej utlagt", overview.unallocated],
            ["Beräknat eget kapital vid årets slut", overview.projected_equity],
            ["Rekommenderat högst (20 % av medlemsinsatserna)", overview.equity_limit],
        ],
    )
    return [frames, summary]


# --- the application list --------------------------------------------------------------------

APPLICATION_COLUMNS = [
    Column("Diarienummer", width=14),
    Column("Insats", width=40),
    Column("Sökande organisation", width=28),
    Column("Huvudområde", width=24),
    Column("Status", width=20),
    Column("Första budgetår", Kind.INTEGER, width=10),
    Column("Sista budgetår", Kind.INTEGER, width=10),
    Column("Sökt belopp", Kind.MONEY),
    Column("Beviljat belopp", Kind.MONEY),
    Column("Inskickad", Kind.DATE, width=12),
    Column("Senast ändrad", Kind.DATE, width=12),
    Column("Beslutsdatum", Kind.DATE, width=12),
    Column("Paragraf", Kind.INTEGER, width=9),
    Column("Beslut", width=18),
    Column("Deltagare kvinnor", Kind.INTEGER, width=10),
    Column("Deltagare män", Kind.INTEGER, width=10),
]


@dataclass(frozen=True)
class CaseFigures:
    """What the list export adds to a row, each from its owner: sökt and beviljat per
    year, the latest decision, and the participants of the approved reports."""

    requested: dict[int, Decimal]
    granted: dict[int, Decimal] | None  # None where the viewer may not read the outcome yet
    decision: DecisionSummary | None
    participants: tuple[int, int] | None


def application_row(
    application: Application, granted: Decimal | None, figures: CaseFigures, years: list[int]
) -> list[Any]:
    """One row; ``granted`` is None where the viewer may not read the decision yet."""
    decision, participants = figures.decision, figures.participants
    per_year: list[Any] = []
    for year in years:
        per_year.append(figures.requested.get(year))
        per_year.append(None if figures.granted is None else figures.granted.get(year))
    return [
        application.diarienummer or "",
        application.display_title,
        application.organisation.name,
        application.huvudomrade.name if application.huvudomrade else "",
        application.status_label,
        application.first_year,
        application.last_year or application.first_year,
        application.requested if application.requested is not None else Decimal(0),
        Decimal(granted) if granted is not None else None,
        application.submitted_at,
        application.updated_at,
        decision.meeting_date if decision else None,
        decision.paragraph if decision else None,
        decision.outcome if decision else "",
        participants[0] if participants else None,
        participants[1] if participants else None,
        *per_year,
    ]


def _years_of(*per_application: dict[int, dict[int, Decimal]]) -> list[int]:
    """Every year any listed case asks or was granted money for: the per-year columns."""
    return sorted({year for figures in per_application for f in figures.values() for year in f})


def applications_table(user: Any, filters: queries.Filters) -> Table:
    """The applications ``user`` may see under the list's ``filters``: the list's query,
    then one query per figure for all rows (sökt and beviljat per year, decisions,
    participants), whatever the number of rows."""
    granted = ledger.granted_sql(Application.id)
    query = queries.search_query(user, filters).add_columns(granted).limit(MAX_ROWS)
    rows = db.session.execute(query).unique().all()
    ids = [application.id for application, _ in rows]
    requested = queries.requested_by_year_many(ids)
    granted_per_year = ledger.granted_by_year_many(ids)
    decisions = meetings.latest_decisions(ids, user)
    participants = followup.participants_by_application(ids)
    years = _years_of(requested, granted_per_year)
    table_rows = []
    for application, granted_total in rows:
        visible = finality.outcome_visible(user, application)
        figures = CaseFigures(
            requested=requested.get(application.id, {}),
            granted=granted_per_year.get(application.id, {}) if visible else None,
            decision=decisions.get(application.id),
            participants=participants.get(application.id),
        )
        table_rows.append(
            application_row(application, granted_total if visible else None, figures, years)
        )
    year_columns = [
        column
        for year in years
        for column in (Column(f"Sökt {year}", Kind.MONEY), Column(f"Beviljat {year}", Kind.MONEY))
    ]
    return Table(
        title="Ansökningar", columns=[*APPLICATION_COLUMNS, *year_columns], rows=table_rows
    )


# --- the statistics page ---------------------------------------------------------------------


def statistics_tables(stats: Statistics) -> list[Table]:
    """The tables of *Statistik*, one sheet each, with the page's own figures."""
    year = stats.year
    statuses = stats.status_columns
    cases = Table(
        title=f"Ärenden {year}",
        columns=[
            Column("Huvudområde", width=28),
            *(Column(s.label, Kind.INTEGER) for s in statuses),
            Column("Totalt", Kind.INTEGER),
        ],
        rows=[
            [a.name, *(a.statuses.get(s, 0) for s in statuses), a.cases] for a in stats.case_areas
        ],
        total=["Totalt", *(stats.total.statuses.get(s, 0) for s in statuses), stats.total.cases],
    )

    def money(area: AreaRow) -> list[Any]:
        return [
            area.name,
            area.frame,
            area.asked,
            area.granted,
            area.paid,
            area.used,
            area.returned,
        ]

    money_table = Table(
        title=f"Pengar {year}",
        columns=[
            Column("Huvudområde", width=28),
            *(
                Column(h, Kind.MONEY)
                for h in ("Ram", "Sökt", "Beviljat", "Utbetalt", "Förbrukat", "Återfört")
            ),
        ],
        rows=[money(a) for a in stats.money_areas],
        total=money(stats.total),
    )
    months = Table(
        title=f"Budgetutnyttjande {year}",
        columns=[
            Column("Månad", width=10),
            Column("Beviljat (ackumulerat)", Kind.MONEY),
            Column("Utbetalt (ackumulerat)", Kind.MONEY),
            Column("Ramar totalt", Kind.MONEY),
        ],
        rows=[[p.label, p.granted, p.paid, stats.total.frame] for p in stats.months],
    )

    def people(area: AreaRow) -> list[Any]:
        return [area.name, area.women, area.men, area.participants, area.women_share, area.reports]

    participants = Table(
        title=f"Deltagare {year}",
        columns=[
            Column("Huvudområde", width=28),
            Column("Kvinnor", Kind.INTEGER),
            Column("Män", Kind.INTEGER),
            Column("Totalt", Kind.INTEGER),
            Column("Andel kvinnor (%)", Kind.INTEGER),
            Column("Rapporter", Kind.INTEGER),
        ],
        rows=[people(a) for a in stats.participant_areas],
        total=people(stats.total),
    )
    goals = Table(
        title=f"Måluppfyllelse {year}",
        columns=[
            Column("Diarienummer", width=14),
            Column("Insats", width=40),
            Column("Huvudområde", width=24),
            Column("Rapport", width=14),
            Column("Period till", Kind.DATE, width=12),
            Column("Måluppfyllelse", width=60),
        ],
        rows=[
            [g.diarienummer, g.title, g.huvudomrade, g.report_kind, g.period_end, g.goal_fulfilment]
            for g in stats.goals
        ],
    )
    return [cases, money_table, months, participants, goals]
