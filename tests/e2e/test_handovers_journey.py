"""Hand-overs in the browser, on the demo förbund: the kansli reads a queued message in
Utkorg (both parts, at 1280 and 320 px), and the report form adds up while one types."""

from __future__ import annotations

from sqlalchemy import select

from finsam_ansokan.applications.models import Application
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.models import Report

from .conftest import ARTIFACTS, assert_accessible, login_as


def test_the_kansli_reads_a_queued_message_in_utkorg(page):
    login_as(page, "kansli@varend.example")
    page.goto("/admin/utkorg")
    page.get_by_role("link", name="Ny rekvisition: Jobbspåret").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ny rekvisition")
    text = page.locator("pre.mail-text").inner_text()
    assert "Samordningsförbundet Värend" in text and "/rekvisitioner/" in text
    frame = page.frame_locator("iframe.mail-html")
    assert frame.get_by_role("link", name="Granska rekvisitionen").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("iframe.mail-html").screenshot(path=str(ARTIFACTS / "outbox-message-html.png"))
    assert_accessible(page, "outbox-message-1280")
    page.set_viewport_size({"width": 320, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(ARTIFACTS / "outbox-message-320.png"), full_page=True)
    assert page.console_errors == []


def test_the_report_form_adds_the_participants_while_typing(page, live_app):
    with live_app.app_context():
        report = db.session.scalars(
            select(Report)
            .join(Application, Application.id == Report.application_id)
            .where(Application.title == "Hälsa och arbete", Report.kind == "lagesrapport")
        ).first()
        url = f"/ansokningar/{report.application_id}/uppfoljning/rapporter/{report.id}/skriv"
        db.session.remove()
    login_as(page, "sokande@varend.example")
    page.goto(url)
    total = page.locator("[data-live-total='count'] output")
    assert total.inner_text() == "15"  # drawn by the server: 6 women, 9 men
    page.get_by_label("Kvinnor", exact=False).first.fill("12")
    assert total.inner_text() == "21"
    page.get_by_label("Män", exact=False).first.fill("")
    assert total.inner_text() == "12"
    page.get_by_label("Kvinnor", exact=False).first.fill("")
    assert total.inner_text() == "–"
    assert page.console_errors == []
