"""A granted project from first payment to closing: the issue's "done when"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from tests.factories import Factory

from .conftest import assert_accessible, login_as, logout

TITLE = "Uppföljningsresan: Steg mot arbete"


def _granted_project(live_app) -> int:
    year = today().year
    with live_app.app_context():
        owner = db.session.scalar(select(User).where(User.email == "sokande@varend.example"))
        area = db.session.scalar(select(Huvudomrade).where(Huvudomrade.name == "Verktyg"))
        project = Factory().granted_project(
            owner,
            title=TITLE,
            grants={year: "200000"},
            huvudomrade=area,
            start_date=date(year, 1, 1),
            end_date=date(year, 12, 31),
        )
        db.session.commit()
        project_id = project.id
        db.session.remove()
    return project_id


def _fill_report(page, women, men, used):
    page.get_by_label("Kvinnor").fill(women)
    page.get_by_label("Män").fill(men)
    page.get_by_label("Måluppfyllelse").fill("Åtta deltagare har börjat arbeta eller studera.")
    page.get_by_label("Arbetet med jämställdhet").fill("Vi redovisar allt könsuppdelat.")
    page.get_by_label("Implementering").fill("Kommunen tar över arbetssättet.")
    page.get_by_label(f"Förbrukat {today().year}").fill(used)


def test_a_project_is_paid_reports_and_closes_with_the_unused_money_back(page, live_app):
    year = today().year
    project_id = _granted_project(live_app)
    base = f"/ansokningar/{project_id}/uppfoljning"

    login_as(page, "kansli@varend.example")
    page.goto(base)
    page.get_by_role("button", name="Skapa rapportschema").click()
    assert page.get_by_role("status").filter(has_text="Rapportschemat är skapat").is_visible()
    assert_accessible(page, "followup-overview-kansli")
    logout(page)

    # the projektägare asks for a first payment
    login_as(page, "sokande@varend.example")
    page.goto(base)
    page.get_by_role("link", name="Begär utbetalning").click()
    page.get_by_label("Perioden börjar").fill(f"{year}-01-01")
    page.get_by_label("Perioden slutar").fill(f"{year}-06-30")
    page.get_by_label("Begärt belopp").fill("250 000")
    page.get_by_label("Kostnader under perioden").fill("Lön projektledare, lokalhyra")
    page.get_by_role("button", name="Skicka rekvisitionen").click()
    assert page.get_by_role("alert").filter(has_text="mer än beviljat").is_visible()
    assert_accessible(page, "followup-payment-errors")
    page.get_by_label("Begärt belopp").fill("100 000")
    page.get_by_role("button", name="Skicka rekvisitionen").click()
    assert page.get_by_role("status").filter(has_text="Rekvisitionen av").is_visible()

    # a progress report: a draft first, then sent
    page.get_by_role("link", name="Lägesrapport").first.click()
    page.get_by_role("link", name="Skriv rapporten").click()
    page.get_by_label("Kvinnor").fill("6")
    page.get_by_role("button", name="Skicka in rapporten").click()
    assert page.get_by_role("alert").filter(has_text="Ange antalet män").is_visible()
    assert_accessible(page, "followup-report-missing")
    _fill_report(page, "6", "4", "80 000")
    page.get_by_role("button", name="Skicka in rapporten").click()
    assert page.get_by_role("status").filter(has_text="är inskickad").is_visible()
    logout(page)

    # the kansli approves and pays
    login_as(page, "kansli@varend.example")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppföljning").click()
    assert_accessible(page, "followup-lists")
    page.get_by_role("table", name="Rekvisitioner").get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Godkänn rekvisitionen").click()
    page.get_by_label("Utbetald den").fill(f"{year}-07-10")
    assert_accessible(page, "followup-payment-kansli")
    page.get_by_role("button", name="Registrera utbetalning").click()
    page.goto("/uppfoljning")
    page.get_by_role("table", name="Inskickade rapporter").get_by_role("link", name=TITLE).click()
    assert_accessible(page, "followup-report-review")
    page.get_by_role("button", name="Godkänn rapporten").click()
    logout(page)

    # the final report
    login_as(page, "sokande@varend.example")
    page.goto(base)
    page.get_by_role("link", name="Slutrapport").click()
    page.get_by_role("link", name="Skriv rapporten").click()
    _fill_report(page, "11", "8", "150 000")
    assert_accessible(page, "followup-report-form")
    page.get_by_role("button", name="Skicka in rapporten").click()
    logout(page)

    login_as(page, "kansli@varend.example")
    page.goto("/uppfoljning")
    page.get_by_role("table", name="Inskickade rapporter").get_by_role("link", name=TITLE).click()
    page.get_by_role("button", name="Godkänn slutrapporten och avsluta insatsen").click()
    page.get_by_role("button", name="Ja, godkänn och avsluta insatsen").click()
    assert (
        page.get_by_role("status")
        .filter(has_text="Återfört till budgeten: 50\u00a0000")
        .is_visible()
    )
    money = page.get_by_role("table", name="Beviljat, begärt").inner_text()
    assert "150\u00a0000\u00a0kr" in money and "100\u00a0000\u00a0kr" in money
    # granted stays granted; the unused 50 000 kr is shown as returned beside it
    assert "200\u00a0000\u00a0kr" in money and "50\u00a0000\u00a0kr" in money
    assert_accessible(page, "followup-closed")
    with live_app.app_context():
        from finsam_ansokan.applications.models import Application

        assert db.session.get(Application, project_id).status == "avslutad"
        from finsam_ansokan.followup.services import granted_by_year

        assert granted_by_year(db.session.get(Application, project_id)) == {year: Decimal("200000")}
        db.session.remove()
