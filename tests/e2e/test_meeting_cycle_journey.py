"""Around the board meeting, in the browser with the demo förbund: a draft shows the meeting
it can reach; the kansli sends the kallelse; a board member opens the handlingar; the
förbundschef decides a small case by delegation, and it is reported on the next agenda; a
project granted in justerade minutes gets its överenskommelse accepted by both parties before
the applicant can request money."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications.models import OutboxMessage

from .conftest import assert_accessible, login_as, logout

SMALL_CASE = "Kurs i samtalsmetodik för handläggare"
GRANTED = "Samverkansteam för unga vuxna"  # granted at a meeting ten days ago, justerat


def _open_agreement(page, title: str) -> None:
    page.get_by_role("link", name="Ansökningar").first.click()
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Uppföljning", exact=True).last.click()
    page.get_by_role("link", name="Läs överenskommelsen").click()


def _kallelser(live_app) -> list[str]:
    with live_app.app_context():
        subjects = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.kind == "kallelse")
        ).all()
        db.session.remove()
    return subjects


def test_from_the_deadline_to_the_kallelse_the_handlingar_and_a_delegationsbeslut(page, live_app):
    page.on("dialog", lambda dialog: dialog.accept())

    # the applicant: a new application says which board meeting it can reach, and by when
    login_as(page, "sokande@varend.example")
    page.get_by_role("link", name="Ny ansökan").click()
    reachable = page.locator("#nasta-sammantrade")
    assert "kan ansökan beslutas på styrelsens sammanträde" in reachable.inner_text()
    logout(page)

    # the kansli sends the kallelse of the upcoming meeting
    login_as(page, "kansli@varend.example")
    page.get_by_role("link", name="Sammanträden", exact=True).click()
    page.get_by_role("link", name=(today() + timedelta(days=14)).isoformat()).click()
    page.get_by_role("button", name="Skicka kallelsen till styrelsen").click()
    assert page.get_by_text("Kallelsen skickades till 1 i styrelsen").is_visible()
    assert _kallelser(live_app)
    meeting_url = page.url.split("#")[0]

    # the förbundschef decides the 25 000 kr case by delegation
    page.get_by_role("link", name="Ansökningar").first.click()
    page.get_by_role("link", name=SMALL_CASE).click()
    page.get_by_role("link", name="Beslut på delegation").click()
    assert page.get_by_text("får du besluta inom Kompetensutveckling").is_visible()
    assert_accessible(page, "delegation-decide")
    page.get_by_label("Bevilja", exact=True).check()
    page.get_by_role("button", name="Fatta delegationsbeslut").click()
    assert page.locator(".flash--success", has_text="Delegationsbeslut D ").is_visible()
    assert page.get_by_role("heading", name="Beslut på delegation").is_visible()

    # ... and it is on the next meeting's agenda as an anmälan
    page.goto(meeting_url)
    anmalan = page.locator("article", has_text="Anmälan av delegationsbeslut")
    assert SMALL_CASE in anmalan.inner_text()
    page.get_by_role("link", name="Sammanträden", exact=True).click()
    page.get_by_role("link", name="Delegation", exact=True).click()
    assert page.get_by_role("cell", name="Kurs i samtalsmetodik", exact=False).is_visible()
    assert_accessible(page, "delegation")
    logout(page)

    # a board member opens the handlingar from the start page
    login_as(page, "styrelse@varend.example")
    link = page.get_by_role("link", name="Sammanträdeshandlingar").first
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "Förslag till beslut" in text
    assert "Anmälan av delegationsbeslut" in text
    logout(page)


def test_both_parties_accept_the_agreement_before_the_first_rekvisition(page, live_app):
    page.on("dialog", lambda dialog: dialog.accept())

    # the applicant cannot ask for money yet
    login_as(page, "sokande@varend.example")
    page.get_by_role("link", name="Ansökningar").first.click()
    page.get_by_role("link", name=GRANTED).click()
    page.get_by_role("link", name="Uppföljning", exact=True).last.click()
    assert page.get_by_text("Godkännande saknas från").is_visible()
    assert page.get_by_role("link", name="Begär utbetalning (rekvisition)").count() == 0
    # Sara Lindqvist is Växjö kommun's firmatecknare: she accepts for the projektägare
    page.get_by_role("link", name="Läs överenskommelsen").click()
    assert_accessible(page, "agreement")
    page.get_by_role("button", name="Godkänn överenskommelsen för Växjö kommun").click()
    logout(page)

    # the förbundschef accepts for the förbund
    login_as(page, "kansli@varend.example")
    _open_agreement(page, GRANTED)
    page.get_by_role("button", name="Godkänn överenskommelsen för förbundet").click()
    assert page.get_by_text("Karin Ek").first.is_visible()
    logout(page)

    # now the first rekvisition can be made
    login_as(page, "sokande@varend.example")
    page.get_by_role("link", name="Ansökningar").first.click()
    page.get_by_role("link", name=GRANTED).click()
    page.get_by_role("link", name="Uppföljning", exact=True).last.click()
    assert page.get_by_text("Överenskommelsen är godkänd av båda parter.").is_visible()
    page.get_by_role("link", name="Begär utbetalning (rekvisition)").click()
    assert page.get_by_role("heading", name="Begär utbetalning").first.is_visible()
    logout(page)
