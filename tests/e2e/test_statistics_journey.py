"""Statistik and the Excel export: the issue's "done when" in a browser.

The data is a past year (so every month is shown), added beside the demo förbund's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.budget.models import FrameGrant, Huvudomrade
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import PaymentRequest, Report, ReportCost
from tests.factories import Factory

from .conftest import assert_accessible, login_as

YEAR = today().year - 1


def _past_year(live_app) -> None:
    """A budget year before the demo's: two granted projects, paid and reported."""
    with live_app.app_context():
        if db.session.scalar(
            select(FrameGrant.id).where(FrameGrant.created_at < datetime(YEAR, 12, 31, tzinfo=UTC))
        ):
            return  # already there
        factory = Factory()
        owner = db.session.scalar(select(User).where(User.email == "sokande@varend.example"))
        areas = {a.name: a for a in db.session.scalars(select(Huvudomrade))}
        factory.budget_year(
            YEAR, frames={areas["Processutveckling"]: "700000", areas["Pilotprojekt"]: "1400000"}
        )
        for title, area, granted, month, women, men in (
            ("Statistikresan: Vägen till jobb", "Processutveckling", "400000", 3, 14, 9),
            ("Statistikresan: Unga i rörelse", "Pilotprojekt", "900000", 5, 7, 12),
        ):
            project = factory.granted_project(
                owner, title=title, grants={YEAR: granted}, huvudomrade=areas[area],
                first_year=YEAR, last_year=YEAR,
                granted_at=datetime(YEAR, month, 15, 12, tzinfo=UTC),
            )  # fmt: skip
            report = Report(
                application=project, kind="slutrapport", status="godkand",
                due_date=date(YEAR, 12, 31), period_start=date(YEAR, 1, 1),
                period_end=date(YEAR, 12, 31), participants_women=women, participants_men=men,
                goal_fulfilment="Målen nåddes: hälften av deltagarna i arbete eller studier.",
                submitted_at=datetime(YEAR, 12, 20, tzinfo=UTC),
            )  # fmt: skip
            report.costs.append(ReportCost(year=YEAR, amount=Decimal(granted) / 2))
            db.session.add(report)
            db.session.add(
                PaymentRequest(
                    application=project,
                    year=YEAR,
                    period_start=date(YEAR, 1, 1),
                    period_end=date(YEAR, 6, 30),
                    amount=Decimal(granted) / 2,
                    costs_incurred="Lön",
                    status="utbetald",
                    paid_on=date(YEAR, month + 3, 1),
                    requested_by_id=owner.id,
                )  # fmt: skip
            )
        db.session.commit()
        db.session.remove()


def test_the_board_reads_the_year_in_charts_and_tables(page, live_app):
    _past_year(live_app)
    login_as(page, "styrelse@varend.example")
    page.get_by_role("link", name="Statistik").click()
    page.get_by_label("Budgetår").select_option(str(YEAR))
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", level=1).inner_text() == f"Statistik {YEAR}"
    for name in (
        f"Sökt, beviljat och förbrukat per huvudområde {YEAR}",
        f"Deltagare efter kön per huvudområde {YEAR}",
        f"Beviljat och utbetalt ackumulerat per månad {YEAR}, mot ramarna",
    ):
        assert page.get_by_role("img", name=name).is_visible()
    money = page.get_by_role("table", name=f"Pengar per huvudområde {YEAR}")
    row = money.get_by_role("row", name="Processutveckling")
    assert "400\u00a0000\u00a0kr" in row.inner_text()
    gender = page.get_by_role("table", name=f"Deltagare efter kön per huvudområde {YEAR}")
    # kvinnor, män, totalt, andel kvinnor, rapporter
    assert gender.get_by_role("row", name="Totalt 21 21 42 50 % 2", exact=True).is_visible()
    assert_accessible(page, "statistics-year")
    assert page.console_errors == []

    page.get_by_label("Huvudområde", exact=True).select_option(label="Pilotprojekt")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == f"Statistik {YEAR}, Pilotprojekt"
    assert_accessible(page, "statistics-area")


def test_the_kansli_downloads_the_budget_as_excel_with_the_pages_numbers(page, live_app):
    _past_year(live_app)
    login_as(page, "kansli@varend.example")
    page.goto(f"/budget/{YEAR}")
    table = page.locator("table.budget-table")
    on_page = table.get_by_role("row", name="Pilotprojekt").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Ladda ner som Excel").click()
    download = info.value
    assert download.suggested_filename == f"budget-{YEAR}.xlsx"
    sheet = load_workbook(BytesIO(download.path().read_bytes()))[f"Budget {YEAR}"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True)}
    assert rows["Pilotprojekt"][1:4] == (1400000, 0, 900000)
    assert "1\u00a0400\u00a0000\u00a0kr" in on_page and "900\u00a0000\u00a0kr" in on_page
