"""What the exports contain: the budget overview and the application list as tables.

Each is the same data as its page, through the same services and queries (and the same
visibility: an applicant's export holds only what ``queries.visible_to`` lets them see).
Nothing here reads comments or internal notes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from finsam_ansokan import overview as budget_overview
from finsam_ansokan.applications import queries
from finsam_ansokan.applications.models import Application
from finsam_ansokan.budget import ledger
from finsam_ansokan.budget.models import BudgetYear
from finsam_ansokan.extensions import db

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
]


def application_row(application: Application, granted: Decimal) -> list[Any]:
    return [
        application.diarienummer or "",
        application.display_title,
        application.organisation.name,
        application.huvudomrade.name if application.huvudomrade else "",
        application.status_label,
        application.first_year,
        application.last_year or application.first_year,
        application.requested if application.requested is not None else Decimal(0),
        Decimal(granted),
        application.submitted_at,
        application.updated_at,
    ]


def applications_table(user: Any, filters: queries.Filters) -> Table:
    """The applications ``user`` may see under the list's ``filters``: one query."""
    granted = ledger.granted_sql(Application.id)
    query = queries.search_query(user, filters).add_columns(granted).limit(MAX_ROWS)
    rows = db.session.execute(query).unique().all()
    return Table(
        title="Ansökningar",
        columns=APPLICATION_COLUMNS,
        rows=[application_row(application, granted) for application, granted in rows],
    )
