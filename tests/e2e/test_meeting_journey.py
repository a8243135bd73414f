"""A board meeting from agenda to justerat protokoll, anslag and beslutsbrev, in the browser."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from pypdf import PdfReader
from sqlalchemy import select

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment, AssessmentAmount
from tests.factories import PASSWORD, Factory

from .conftest import DEMO_PASSWORD, assert_accessible, login_as, logout


def _prepared_cases(live_app) -> tuple[str, str]:
    """Two cases Klar för beslut from Växjö kommun, with proposals (committed)."""
    year = today().year
    with live_app.app_context():
        owner = db.session.scalars(select(User).where(User.email == "sokande@varend.example")).one()
        kansli = db.session.scalars(select(User).where(User.email == "kansli@varend.example")).one()
        area = db.session.scalars(select(Huvudomrade).where(Huvudomrade.name == "Verktyg")).one()
        titles = ("Digitalt samverkansverktyg", "Gemensam kartläggningsmetod")
        for title, amount in zip(titles, ("300000", "150000"), strict=True):
            application = Factory().application(
                owner,
                status="klar_for_beslut",
                amounts={year: amount},
                huvudomrade=area,
                title=title,
            )
            db.session.add(
                Assessment(
                    application_id=application.id,
                    author=kansli,
                    stage="forslag",
                    kind="bevilja",
                    motivation="Förslaget följer förbundets prioriteringar.",
                    amounts=[AssessmentAmount(year=year, amount=Decimal(amount))],
                )
            )
        db.session.commit()
        assert db.session.scalars(select(Organisation).where(Organisation.name == "Växjö kommun"))
        db.session.remove()
    return titles


def _people(live_app) -> None:
    """A second board member (a justerare with an account) and an applicant of another
    organisation (committed)."""
    with live_app.app_context():
        factory = Factory()
        factory.user("styrelse", name="Lina Holm", email="lina.holm@varend.example")
        other = factory.organisation("Lessebo kommun (e2e)")
        factory.user("sokande", organisation=other, email="annan.sokande@varend.example")
        db.session.commit()
        db.session.remove()


def _open_meeting(page, day: str) -> None:
    page.get_by_role("link", name="Sammanträden").click()
    page.get_by_role("link", name=day).click()


def _justera(page, email: str, password: str, day: str) -> None:
    login_as(page, email, password)
    _open_meeting(page, day)
    page.get_by_label("Ditt lösenord").fill(password)
    page.get_by_role("button", name="Justera protokollet").click()
    assert (
        page.get_by_text("Din justering är registrerad")
        .or_(page.get_by_text("Protokollet är justerat. Besluten är slutliga"))
        .first.is_visible()
    )
    logout(page)


def test_a_meeting_from_agenda_to_justerat_protokoll_anslag_and_the_applicants_letter(
    page, live_app
):
    first, second = _prepared_cases(live_app)
    _people(live_app)
    page.on("dialog", lambda dialog: dialog.accept())
    day = (today() - timedelta(days=1)).isoformat()

    login_as(page, "kansli@varend.example")
    page.get_by_role("link", name="Sammanträden").click()
    page.get_by_role("link", name="Nytt sammanträde").click()
    page.get_by_label("Datum").fill(day)
    page.get_by_label("Starttid").fill("13:00")
    page.get_by_label("Plats (obligatorisk)").fill("Stadshuset, Växjö")
    page.get_by_role("button", name="Skapa sammanträdet").click()
    assert page.get_by_role("heading", name=f"Styrelsemöte {day}").is_visible()
    assert page.get_by_text("Paragrafnumren fastställs när protokollet justeras").is_visible()

    # the förbund's board has three ledamöter: beslutför with two
    page.get_by_role("link", name="Inställningar för sammanträden").click()
    page.get_by_label("Antal ledamöter i styrelsen").fill("3")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_text("Inställningarna är sparade.").is_visible()
    assert_accessible(page, "meeting-settings")
    _open_meeting(page, day)

    for title in (first, second):
        option = page.locator("#application_id option", has_text=title).first.get_attribute("value")
        page.get_by_label("Ärende klart för beslut").select_option(option)
        page.get_by_role("button", name="Lägg till ärendet").click()
        assert page.get_by_role("heading", name=title).count() == 1

    for user, name, organisation, role in (
        ("Stefan Berg", None, None, "Ledamot"),
        ("Lina Holm", None, None, "Ledamot"),
        ("Karin Ek", None, None, "Övrig närvarande"),
        (None, "Per Alm", "Växjö kommun", "Ledamot"),
    ):
        page.get_by_text("Lägg till i närvarolistan").click()
        if user:
            page.get_by_label("Användare").select_option(label=user)
        else:
            page.get_by_label("Eller namn (utan konto)").fill(name)
            page.get_by_label("Företräder").select_option(label=organisation)
        page.get_by_label("Roll").select_option(label=role)
        page.get_by_role("button", name="Lägg till", exact=True).click()

    for role, person in (
        ("Ordförande", "Stefan Berg (ledamot)"),
        ("Sekreterare", "Karin Ek (övrig närvarande)"),
        ("Justerare", "Lina Holm (ledamot)"),
    ):
        page.get_by_text("Utse ordförande, sekreterare eller justerare").click()
        page.get_by_label("Uppgift").select_option(label=role)
        page.get_by_label("Person i närvarolistan").select_option(label=person)
        page.locator("form[action$='/justerare']").get_by_role("button", name="Lägg till").click()
    assert page.get_by_text("Justeras senast").is_visible()
    assert_accessible(page, "meeting-agenda")
    logout(page)

    login_as(page, "styrelse@varend.example")
    _open_meeting(page, day)
    page.get_by_text(f"Registrera beslut för {first}").click()
    form = page.locator("form", has=page.get_by_role("button", name="Registrera beslut")).first
    form.get_by_label("Delvis bevilja").check()
    form.get_by_label(f"Beviljat belopp {today().year} (kr)").fill("200 000")
    form.get_by_label("Motivering").fill("Licenskostnaden bärs av kommunen.")
    form.get_by_role("button", name="Registrera beslut").click()
    assert page.get_by_text("Beslutet är protokollfört").is_visible()
    assert page.get_by_text(
        "Per Alm deltog inte i handläggningen av ärendet på grund av jäv."
    ).first.is_visible()
    page.get_by_text(f"Registrera beslut för {second}").click()
    form = page.locator("form", has=page.get_by_role("button", name="Registrera beslut")).first
    form.get_by_label("Avslå").check()
    form.get_by_label("Motivering").fill("Metoden finns redan hos parterna.")
    form.get_by_role("button", name="Registrera beslut").click()
    assert page.get_by_text("Avslagen. Beslutet är protokollfört").is_visible()
    logout(page)

    # before justering the applicant sees only that the case is decided
    login_as(page, "sokande@varend.example")
    page.get_by_role("link", name="Ansökningar").click()
    page.get_by_role("link", name=first).click()
    application_url = page.url
    assert page.get_by_text("protokollet ej justerat").first.is_visible()
    assert page.get_by_text("Delvis beviljad").count() == 0
    page.goto(application_url.rstrip("/") + "/beslut")
    assert page.get_by_text("Delvis beviljad").count() == 0
    logout(page)

    # each signatory justerar in their own session
    _justera(page, "styrelse@varend.example", DEMO_PASSWORD, day)
    _justera(page, "kansli@varend.example", DEMO_PASSWORD, day)
    _justera(page, "lina.holm@varend.example", PASSWORD, day)

    # the anslag is on the public anslagstavla, no login
    page.goto("/anslagstavla/")
    anslag = page.get_by_role("article").filter(has_text=f"sammanträdet {day}")
    assert anslag.is_visible()
    last_day = anslag.locator("dt:has-text('Sista dag att överklaga') + dd").inner_text()
    assert_accessible(page, "anslagstavla")

    login_as(page, "sokande@varend.example")
    page.goto(application_url.rstrip("/") + "/beslut")
    assert page.get_by_text("Delvis beviljad").first.is_visible()
    assert page.get_by_text(f"Sista dag att överklaga: {last_day}").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner beslutsbrevet (PDF)").click()
    assert download.value.suggested_filename.startswith("beslutsbrev-")
    letter = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages).replace(
        "\u00a0", " "
    )
    assert f"Sista dag att överklaga: {last_day}" in " ".join(letter.split())
    assert_accessible(page, "decision-justerat")
    logout(page)

    # an applicant of another organisation sees nothing of it
    login_as(page, "annan.sokande@varend.example", PASSWORD)
    response = page.goto(application_url.rstrip("/") + "/beslut")
    assert response.status == 404
    page.goto("/ansokningar")
    assert page.get_by_text(first).count() == 0
