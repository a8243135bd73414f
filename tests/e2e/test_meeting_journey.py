"""A board meeting from agenda to justerat protokoll, in the browser."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment, AssessmentAmount
from tests.factories import Factory

from .conftest import assert_accessible, login_as, logout


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


def test_a_meeting_from_agenda_to_signed_minutes(page, live_app):
    first, second = _prepared_cases(live_app)
    page.on("dialog", lambda dialog: dialog.accept())

    login_as(page, "kansli@varend.example")
    page.get_by_role("link", name="Sammanträden").click()
    page.get_by_role("link", name="Nytt sammanträde").click()
    page.get_by_label("Datum").fill(f"{today().year}-12-10")
    page.get_by_label("Starttid").fill("13:00")
    page.get_by_label("Plats (obligatorisk)").fill("Stadshuset, Växjö")
    page.get_by_label("Ordförande").fill("Stefan Berg")
    page.get_by_label("Sekreterare").fill("Karin Ek")
    page.get_by_label("Justerare").fill("Maria Nyström")
    page.get_by_role("button", name="Skapa sammanträdet").click()
    assert page.get_by_role("heading", name=f"Styrelsemöte {today().year}-12-10").is_visible()

    for title in (first, second):
        option = page.locator("#application_id option", has_text=title).first.get_attribute("value")
        page.get_by_label("Ärende klart för beslut").select_option(option)
        page.get_by_role("button", name="Lägg till ärendet").click()
        assert page.get_by_role("heading", name=title).count() == 1

    page.get_by_text("Lägg till i närvarolistan").click()
    page.get_by_label("Användare").select_option(label="Stefan Berg")
    page.get_by_label("Roll").select_option(label="Ledamot")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    page.get_by_text("Lägg till i närvarolistan").click()
    page.get_by_label("Eller namn (utan konto)").fill("Per Alm")
    page.get_by_label("Företräder").select_option(label="Växjö kommun")
    page.get_by_label("Roll").select_option(label="Ledamot")
    page.get_by_role("button", name="Lägg till", exact=True).click()
    assert_accessible(page, "meeting-agenda")
    logout(page)

    login_as(page, "styrelse@varend.example")
    page.get_by_role("link", name="Sammanträden").click()
    page.get_by_role("link", name=f"{today().year}-12-10").click()
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

    login_as(page, "kansli@varend.example")
    page.get_by_role("link", name="Sammanträden").click()
    page.get_by_role("link", name=f"{today().year}-12-10").click()
    page.get_by_role("button", name="Justera protokoll").click()
    assert page.get_by_text("Protokollet är justerat. Besluten är slutliga").is_visible()
    assert page.get_by_role("button", name="Registrera beslut").count() == 0
    assert page.get_by_role("button", name="Ändra beslut").count() == 0
    assert_accessible(page, "meeting-signed")
    with page.expect_download() as download:
        page.get_by_role("link", name="Protokoll (PDF)").click()
    assert download.value.suggested_filename.startswith("protokoll-")
