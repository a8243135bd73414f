"""A projektägare writes an application over several visits, is told what is missing,
completes it, submits it and can no longer change it."""

from __future__ import annotations

import re

from finsam_ansokan.core.timeutil import today

from .conftest import assert_accessible, field, login_as, logout

YEAR = today().year


def _save_and_next(page):
    page.get_by_role("button", name="Spara och gå till nästa avsnitt").click()
    page.wait_for_load_state()


def test_an_applicant_writes_fails_completes_and_submits_an_application(page):
    login_as(page, "sokande@varend.example")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Ny ansökan").click()
    assert_accessible(page, "application-new")
    page.get_by_label("Insatsens namn").fill("Vägen vidare <b>tillsammans</b>")
    page.get_by_label("Huvudområde").select_option(label="Pilotprojekt")
    page.get_by_label("Första budgetår").select_option(str(YEAR))
    page.get_by_role("button", name="Skapa utkast").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Vägen vidare <b>tillsammans</b>"
    assert_accessible(page, "application-overview-draft")

    # First visit: a little of one section, then leave.
    page.get_by_role("link", name="Behov och bakgrund").click()
    page.get_by_label("Behov och bakgrund").fill("Unga vuxna får stöd från många håll samtidigt.")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="är sparat").is_visible()
    logout(page)

    # Second visit: the text is still there; submitting now is refused with a summary.
    login_as(page, "sokande@varend.example")
    page.get_by_role("link", name="Ansökningar", exact=True).click()
    assert_accessible(page, "application-list-sokande")
    page.get_by_role("link", name="Vägen vidare <b>tillsammans</b>").click()
    overview = page.url
    page.get_by_role("link", name="Behov och bakgrund").click()
    assert "många håll" in page.get_by_label("Behov och bakgrund").input_value()
    page.goto(overview)
    page.get_by_role("link", name="Skicka in ansökan").click()
    summary = page.get_by_role("alert")
    assert "Beskriv hur insatsen arbetar med jämställdhet." in summary.inner_text()
    assert_accessible(page, "application-submit-incomplete")
    summary.get_by_role("link", name=re.compile("Beskriv hur insatsen arbetar")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Jämställdhet"
    assert_accessible(page, "application-section-with-errors")

    # Complete every section, from the first, with "Spara och gå till nästa avsnitt".
    page.goto(overview)
    page.get_by_role("link", name="Sökande", exact=True).click()
    field(page, "Kontaktperson").fill("Sara Lindqvist")
    page.get_by_label("Kontaktpersonens e-postadress").fill("sara@varend.example")
    page.get_by_label("Kontaktpersonens telefonnummer").fill("0470-12 34 56")
    page.get_by_label("Projektledare").fill("Johan Nyberg")
    page.get_by_label("Försäkringskassan").check()
    assert_accessible(page, "application-section-sokande")
    _save_and_next(page)

    page.get_by_label("Individinriktad").check()
    page.get_by_label("Målgrupp").fill("Unga vuxna 18–29 år.")
    page.get_by_label("Startdatum").fill(f"{YEAR}-12-31")
    page.get_by_label("Slutdatum").fill(f"{YEAR}-03-01")  # the wrong way round
    _save_and_next(page)
    # Dates in the wrong order: said at once beside the end date; the rest is saved.
    assert page.get_by_role("heading", level=1).inner_text() == "Insatsen"
    assert page.get_by_text("Slutdatum kan inte vara före startdatum.").first.is_visible()
    assert page.get_by_text("Det som var rätt ifyllt är sparat").is_visible()
    page.get_by_label("Startdatum").fill(f"{YEAR}-03-01")
    page.get_by_label("Slutdatum").fill(f"{YEAR}-12-31")
    _save_and_next(page)

    page.get_by_label("Varför insatsen inte är ordinarie verksamhet").fill("Ingen part äger den.")
    _save_and_next(page)
    field(page, "Syfte").fill("Fler når arbete eller studier.")
    field(page, "Mål").fill("40 deltagare, 40 % till arbete eller studier.")
    _save_and_next(page)
    page.get_by_label("Aktiviteter").fill("Gemensamt team.")
    page.get_by_label("Tidsplan").fill("Mars till december.")
    page.get_by_label("Organisation och styrgrupp").fill("Styrgrupp med en chef per part.")
    _save_and_next(page)

    page.get_by_label(f"Personal {YEAR}").fill("minus tio")
    _save_and_next(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Budget"
    assert page.get_by_label(f"Personal {YEAR}").input_value() == "minus tio"
    page.get_by_label(f"Personal {YEAR}").fill("380 000")
    page.get_by_label(f"Lokaler {YEAR}").fill("40000")
    page.get_by_label(f"Medfinansiering (avgår) {YEAR}").fill("20 000")
    # the sums follow the typing (script), and say they are not saved yet
    assert "400\u00a0000\u00a0kr" in page.locator("[data-sum-total]").inner_text()
    assert "inte sparat" in page.locator("[data-sum-total]").inner_text()
    assert_accessible(page, "application-section-budget")
    _save_and_next(page)

    page.get_by_label("Hur målen följs upp och utvärderas").fill("Kvartalsvis, i SUS.")
    page.get_by_label("Indikatorer").fill("Andel till arbete eller studier.")
    page.get_by_label("Ja", exact=True).check()
    _save_and_next(page)
    page.get_by_label("Målgruppens sammansättning efter kön").fill("Lika många kvinnor som män.")
    page.get_by_label("Hur insatsen arbetar med jämställdhet").fill("Enligt handlingsplanen.")
    page.get_by_label("Ja", exact=True).check()
    _save_and_next(page)
    page.get_by_label("Fortsatt finansiering och implementering").fill("Kommunen tar över.")
    _save_and_next(page)
    page.get_by_label("Antal kvinnor").fill("20")
    page.get_by_label("Antal män").fill("20")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()

    # Complete: every section is done, the sums are computed, and it can be submitted.
    assert page.locator(".task-list .tag--klar").count() == 10
    assert "400\u00a0000\u00a0kr" in page.locator(".facts").inner_text()
    assert_accessible(page, "application-overview-complete")
    page.get_by_role("link", name="Skicka in ansökan").click()
    assert_accessible(page, "application-submit-ready")
    page.get_by_role("button", name="Skicka in ansökan").click()
    page.wait_for_load_state()
    flash = page.get_by_role("status").filter(has_text="diarienummer")
    assert re.search(rf"diarienummer {YEAR}/\d+", flash.inner_text())
    assert "Inskickad" in page.locator(".status").inner_text()
    assert page.get_by_role("link", name="Skicka in ansökan").count() == 0
    assert page.get_by_role("link", name="Återkalla").is_visible()
    assert_accessible(page, "application-overview-submitted")

    # Read-only now: no form on the section pages.
    page.goto(overview + "/avsnitt/behov")
    assert page.get_by_role("button", name="Spara utkast").count() == 0
    assert page.console_errors == []


def test_the_kansli_filters_the_list_and_reads_a_submitted_version(page):
    login_as(page, "kansli@varend.example")
    page.get_by_role("link", name="Ansökningar", exact=True).click()
    page.get_by_label("Status").select_option(label="Klar för beslut")
    page.get_by_label("Sortera efter").select_option(label="Sökt belopp")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    rows = page.locator("table.table tbody tr")
    # the prepared case, and (until the förbundschef decides it) the small delegation case
    assert rows.count() in (1, 2)
    assert all("Klar för beslut" in text for text in rows.all_inner_texts())
    case = rows.filter(has_text="Gemensam kompetensdag om psykisk ohälsa")
    assert_accessible(page, "application-list-kansli")
    case.get_by_role("link").click()
    page.get_by_role("link", name="Inskickade versioner").click()
    page.get_by_role("link", name="Version 1").click()
    assert page.get_by_role("heading", name="Jämställdhet").is_visible()
    assert_accessible(page, "application-version")
    assert page.console_errors == []


def test_a_draft_section_saves_itself_while_the_applicant_types(page, live_app):
    """Autosave: no button pressed, and the text is there after a reload."""
    from sqlalchemy import select

    from finsam_ansokan.applications.models import Application
    from finsam_ansokan.extensions import db

    with live_app.app_context():
        draft_id = db.session.scalars(
            select(Application.id).where(Application.title.like("Unga vuxna%"))
        ).one()
    login_as(page, "sokande@varend.example")
    page.goto(f"/ansokningar/{draft_id}/avsnitt/behov")
    field(page, "Behov och bakgrund").fill("Sparat av sig självt medan jag skrev.")
    status = page.locator("[data-autosave-status]")
    status.filter(has_text="sparades automatiskt").wait_for(timeout=15000)
    page.reload()
    assert field(page, "Behov och bakgrund").input_value() == (
        "Sparat av sig självt medan jag skrev."
    )
    assert page.console_errors == []
