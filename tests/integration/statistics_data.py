"""A small, hand-made förbund year for the statistics and export tests.

Budget year 2025 (a past year, so every month of it is shown whatever the date):

* Processutveckling, ram 1 000 000 kr: a project granted 300 000 kr (granted in February,
  100 000 kr paid in March), with two approved reports in 2025 (6 + 3 women, 4 + 2 men;
  the latest reports 150 000 kr used) and one from 2024 that does not count; a case under
  beredning asking 200 000 kr.
* Pilotprojekt, ram 500 000 kr: a rejected case asking 100 000 kr and a registered case
  that was withdrawn (asking 70 000 kr, not counted as sökt).
* Not counted anywhere: a draft, and a case for 2024 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Status
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import PaymentRequest, Report, ReportCost

YEAR = 2025


@dataclass
class Year:
    process: Huvudomrade
    pilot: Huvudomrade
    organisation: Organisation
    owner: User
    project: Application
    in_review: Application
    rejected: Application
    withdrawn: Application
    draft: Application
    earlier: Application


def _report(project, kind, period_end, women, men, *, goal=None, used=None) -> Report:
    report = Report(
        application=project,
        kind=kind,
        status="godkand",
        due_date=period_end,
        period_start=date(period_end.year, 1, 1),
        period_end=period_end,
        participants_women=women,
        participants_men=men,
        goal_fulfilment=goal,
        submitted_at=datetime(period_end.year, period_end.month, 1, tzinfo=UTC),
    )
    if used is not None:
        report.costs.append(ReportCost(year=YEAR, amount=Decimal(used)))
    db.session.add(report)
    return report


def build(factory) -> Year:
    factory.forbund()
    process = factory.huvudomrade("Processutveckling")
    pilot = factory.huvudomrade("Pilotprojekt")
    factory.budget_year(YEAR, frames={process: "1000000", pilot: "500000"})
    organisation = factory.organisation("Alvesta kommun")
    owner = factory.user(Role.SOKANDE, organisation=organisation)
    project = factory.granted_project(
        owner,
        grants={YEAR: "300000"},
        huvudomrade=process,
        title="Steg mot arbete",
        granted_at=datetime(YEAR, 2, 10, 12, tzinfo=UTC),
    )
    db.session.add(
        PaymentRequest(
            application=project,
            year=YEAR,
            period_start=date(YEAR, 1, 1),
            period_end=date(YEAR, 3, 31),
            amount=Decimal("100000"),
            costs_incurred="Lön projektledare",
            status="utbetald",
            paid_on=date(YEAR, 3, 20),
            requested_by_id=owner.id,
        )
    )
    _report(project, "lagesrapport", date(YEAR - 1, 12, 31), 50, 50, goal="Förra året.")
    _report(project, "lagesrapport", date(YEAR, 6, 30), 6, 4, used="90000")
    _report(
        project,
        "lagesrapport",
        date(YEAR, 10, 31),
        3,
        2,
        goal="Åtta deltagare har fått arbete.",
        used="150000",
    )
    amounts = {YEAR: "200000"}
    in_review = factory.application(
        owner,
        title="Samverkan i Alvesta",
        status=Status.UNDER_BEREDNING,
        huvudomrade=process,
        amounts=amounts,
        first_year=YEAR,
        last_year=YEAR,
    )
    rejected = factory.application(
        owner,
        title="Avslagen idé",
        status=Status.AVSLAGEN,
        huvudomrade=pilot,
        amounts={YEAR: "100000"},
        first_year=YEAR,
        last_year=YEAR,
    )
    withdrawn = factory.application(
        owner,
        title="Återkallad ansökan",
        status=Status.INSKICKAD,
        huvudomrade=pilot,
        amounts={YEAR: "70000"},
        first_year=YEAR,
        last_year=YEAR,
    )
    withdrawn.status = Status.ATERKALLAD.value
    draft = factory.application(
        owner,
        title="Ett utkast",
        huvudomrade=process,
        amounts={YEAR: "999"},
        first_year=YEAR,
        last_year=YEAR,
    )
    earlier = factory.application(
        owner,
        title="Fjolårets fråga",
        status=Status.AVSLAGEN,
        huvudomrade=process,
        amounts={YEAR - 1: "40000"},
        first_year=YEAR - 1,
        last_year=YEAR - 1,
    )
    project.first_year = project.last_year = YEAR
    db.session.flush()
    return Year(
        process,
        pilot,
        organisation,
        owner,
        project,
        in_review,
        rejected,
        withdrawn,
        draft,
        earlier,
    )
