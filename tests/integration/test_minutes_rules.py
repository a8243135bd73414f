"""The rules that make the minutes trustworthy: § numbers per year in date order, time,
quorum and jäv, justering by the signatories themselves, nothing shown before it is final,
the anslag and the appeal."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.errors import DomainError, NotAllowed
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings.models import Paragraph
from finsam_ansokan.review.services import timeline
from tests.factories import PASSWORD

from .meetings_helpers import YEAR, justera_all, meeting_with_board, prepared_case


@pytest.fixture
def world(factory):
    factory.forbund()
    area = factory.huvudomrade("Pilotprojekt")
    factory.budget_year(YEAR, frames={area: "5000000"})
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    return {"area": area, "kansli": kansli}


def _decided(factory, world, meeting, chair, *, kind="bevilja", title="Förstärkt KAA"):
    application = prepared_case(factory, world["area"], title=title)
    item = services.add_case(meeting, application, actor=world["kansli"])
    services.record_decision(
        item,
        kind=kind,
        amounts={YEAR: D("450000")} if kind == "bevilja" else None,
        motivation=None if kind == "bevilja" else "Skäl.",
        actor=chair,
    )
    return item


# --- paragraphs ------------------------------------------------------------------------------


def test_a_meeting_created_after_a_later_dated_one_still_gets_the_lower_numbers(factory, world):
    later, later_chair = meeting_with_board(
        factory, world["kansli"], meeting_date=date(YEAR, 11, 15)
    )
    earlier, earlier_chair = meeting_with_board(
        factory, world["kansli"], meeting_date=date(YEAR, 11, 10)
    )
    in_later = _decided(factory, world, later, later_chair, title="Senare")
    in_earlier = _decided(factory, world, earlier, earlier_chair, title="Tidigare")
    with pytest.raises(DomainError, match="2026-11-10 måste justeras först"):
        justera_all(later, world["kansli"])
    justera_all(earlier, world["kansli"])
    justera_all(later, world["kansli"])
    assert (earlier.first_paragraph, in_earlier.paragraph) == (1, 4)
    assert (later.first_paragraph, in_later.paragraph) == (5, 8)
    numbers = db.session.scalars(select(Paragraph.number).where(Paragraph.year == YEAR)).all()
    assert sorted(numbers) == list(range(1, 9))


def test_no_new_meeting_can_be_dated_before_justerade_minutes_of_the_year(factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"], meeting_date=date(YEAR, 11, 15))
    _decided(factory, world, meeting, chair)
    justera_all(meeting, world["kansli"])
    with pytest.raises(DomainError, match="redan justerat") as refused:
        services.create_meeting(
            services.MeetingData(date=date(YEAR, 11, 1), place="Växjö"), actor=world["kansli"]
        )
    assert refused.value.field == "date"
    # the next year starts again at § 1
    services.create_meeting(
        services.MeetingData(date=date(YEAR + 1, 1, 20), place="Växjö"), actor=world["kansli"]
    )


def test_the_database_refuses_a_paragraph_number_twice_in_a_year(factory, world):
    meeting, _chair = meeting_with_board(factory, world["kansli"])
    db.session.add(Paragraph(year=YEAR, number=7, meeting_id=meeting.id, heading="Ett"))
    db.session.flush()
    savepoint = db.session.begin_nested()
    db.session.add(Paragraph(year=YEAR, number=7, meeting_id=meeting.id, heading="Två"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    savepoint.rollback()


# --- time ------------------------------------------------------------------------------------


def test_a_future_meeting_cannot_be_decided_or_justerad_today(factory, world):
    meeting, chair = meeting_with_board(
        factory, world["kansli"], meeting_date=today() + timedelta(days=10)
    )
    application = prepared_case(factory, world["area"])
    item = services.add_case(meeting, application, actor=world["kansli"])
    with pytest.raises(DomainError, match="från och med den dagen"):
        services.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=chair)
    problems = services.justering_problems(meeting)
    assert any("först när sammanträdet har ägt rum" in p for p in problems)
    with pytest.raises(DomainError, match="först när sammanträdet har ägt rum"):
        justera_all(meeting, world["kansli"])


@pytest.mark.parametrize("bad", [date(1, 1, 1), date(9999, 12, 31), date(1999, 12, 31)])
def test_meeting_dates_out_of_range_are_refused(world, bad):
    with pytest.raises(DomainError) as refused:
        services.create_meeting(services.MeetingData(date=bad, place="X"), actor=world["kansli"])
    assert refused.value.field == "date"


def test_the_form_refuses_year_one_with_a_swedish_message(login, world):
    client = login(world["kansli"])
    response = client.post(
        "/sammantraden/nytt", data={"kind": "styrelsemote", "date": "0001-01-01", "place": "X"}
    )
    assert response.status_code == 422
    assert "Ange ett datum mellan 2000-01-01" in response.get_data(as_text=True)


# --- quorum and jäv --------------------------------------------------------------------------


def test_a_meeting_that_is_not_beslutfor_cannot_decide_and_the_page_says_why(login, factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    for attendance in list(meeting.attendance):
        if attendance.user_id != chair.id and attendance.role == "ledamot":
            for signatory in list(meeting.signatories):
                if signatory.attendance_id == attendance.id:
                    services.remove_signatory(signatory, actor=world["kansli"])
            services.remove_attendance(attendance, actor=world["kansli"])
    application = prepared_case(factory, world["area"])
    item = services.add_case(meeting, application, actor=world["kansli"])
    with pytest.raises(DomainError, match="inte beslutför"):
        services.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=chair)
    page = login(chair).get(f"/sammantraden/{meeting.id}").get_data(as_text=True)
    assert "inte beslutför" in page and "minst 2 av 3 ledamöter" in page


def test_jav_reduces_the_deciding_members_and_a_serving_deputy_counts(factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    per_holm = next(a for a in meeting.attendance if a.name == "Per Holm")
    services.remove_attendance(per_holm, actor=world["kansli"])
    application = prepared_case(factory, world["area"])
    item = services.add_case(meeting, application, actor=world["kansli"])
    justerare = next(a for a in meeting.attendance if a.display_name == "Maja Lindholm")
    services.declare_jav(item, justerare, "Närstående är projektledare", actor=world["kansli"])
    assert services.quorum(meeting, item).present == 1
    with pytest.raises(DomainError, match="inte beslutför i ärendet"):
        services.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=chair)
    services.add_attendance(
        meeting,
        user=None,
        name="Lena Åkerlund",
        organisation=None,
        role="tjanstgorande_ersattare",
        note="ersätter Maja Lindholm",
        actor=world["kansli"],
    )
    db.session.refresh(item)
    services.record_decision(item, kind="bevilja", amounts={YEAR: D("450000")}, actor=chair)
    event = db.session.scalars(select(Event).where(Event.kind == "decision_recorded")).one()
    assert event.data["deciding"] == 2


# --- justering by the signatories ------------------------------------------------------------


def test_each_signatory_justerar_themselves_and_the_minutes_are_justerade_when_all_have(
    factory, world
):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    _decided(factory, world, meeting, chair)
    chair_signs, secretary_signs, justerare_signs = meeting.signatories
    with pytest.raises(NotAllowed):
        services.justera(justerare_signs, actor=chair, password=PASSWORD)
    with pytest.raises(DomainError, match="Lösenordet stämmer inte"):
        services.justera(chair_signs, actor=chair, password="fel-lösenord")
    services.justera(chair_signs, actor=chair, password=PASSWORD)
    assert not meeting.is_signed and meeting.justering_started
    with pytest.raises(DomainError, match="Justeringen av protokollet har börjat"):
        services.add_other_item(meeting, title="Sent", notes=None, actor=world["kansli"])
    services.justera(secretary_signs, actor=world["kansli"], password=PASSWORD)
    assert not meeting.is_signed
    services.justera(justerare_signs, actor=justerare_signs.attendance.user, password=PASSWORD)
    assert meeting.is_signed and meeting.anslag_up_on == today()
    assert meeting.anslag_down_on == today() + timedelta(days=21)
    kinds = db.session.scalars(
        select(Event.kind).where(Event.subject == f"meeting:{meeting.id}").order_by(Event.id)
    ).all()
    assert kinds.count("minutes_justerade_by") == 3
    assert kinds.count("minutes_signed") == kinds.count("anslag_posted") == 1
    assert kinds.count("decision_final") == 1


def test_justering_through_the_page_asks_for_the_password(login, factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    _decided(factory, world, meeting, chair)
    signatory = meeting.signatories[0]
    client = login(chair)
    url = f"/sammantraden/{meeting.id}/justerare/{signatory.id}/justera"
    wrong = client.post(url, data={"password": "fel"})
    assert wrong.status_code == 422
    assert "Lösenordet stämmer inte." in wrong.get_data(as_text=True)
    assert client.post(url, data={"password": PASSWORD}).status_code == 303
    db.session.refresh(signatory)
    assert signatory.signed_at is not None and signatory.digital
    other = meeting.signatories[2]
    assert (
        client.post(
            f"/sammantraden/{meeting.id}/justerare/{other.id}/justera", data={"password": PASSWORD}
        ).status_code
        == 404
    )


def test_a_person_without_an_account_is_recorded_by_the_kansli(factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    justerare = meeting.signatories[2]
    services.remove_signatory(justerare, actor=world["kansli"])
    paper = services.add_signatory(
        meeting, role="justerare", attendance=None, name="Per Holm", actor=world["kansli"]
    )
    _decided(factory, world, meeting, chair)
    with pytest.raises(NotAllowed):
        services.record_paper_justering(meeting.signatories[0], actor=world["kansli"])
    justera_all(meeting, world["kansli"])
    assert meeting.is_signed and not paper.digital


def test_the_minutes_pdf_prints_who_justerade_digitally(login, factory, world):
    from pypdf import PdfReader

    meeting, chair = meeting_with_board(factory, world["kansli"])
    _decided(factory, world, meeting, chair)
    justera_all(meeting, world["kansli"])
    pdf = login(chair).get(f"/sammantraden/{meeting.id}/protokoll.pdf").data
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert text.count("Justerat digitalt") >= 3
    assert "Stefan Berglund" in text and "Karin Ekdahl" in text and "Maja Lindholm" in text
    assert "anslagstavla" in text


def test_the_meeting_page_shows_the_justering_deadline(login, factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    page = login(chair).get(f"/sammantraden/{meeting.id}").get_data(as_text=True)
    assert "Justeras senast" in page
    assert (meeting.date + timedelta(days=14)).isoformat() in page
    assert "Paragrafnumren fastställs när protokollet justeras" in page


# --- nothing before it is final --------------------------------------------------------------


def test_the_applicant_sees_no_outcome_paragraph_or_jav_before_justering(login, factory, world):
    meeting, chair = meeting_with_board(factory, world["kansli"])
    application = prepared_case(factory, world["area"])
    item = services.add_case(meeting, application, actor=world["kansli"])
    per_holm = next(a for a in meeting.attendance if a.name == "Per Holm")
    services.declare_jav(item, per_holm, "Styrelseledamot i projektets styrgrupp", actor=chair)
    services.record_decision(
        item,
        kind="delvis_bevilja",
        amounts={YEAR: D("333000")},
        motivation="Lokalkostnaden ryms i Zeta-budgeten.",
        actor=chair,
    )
    applicant = application.created_by

    def shown():
        texts = [
            f"{e.text} {e.detail or ''} {e.event.message or ''}"
            for e in timeline(application, applicant)
        ]
        client = login(applicant)
        pages = [
            client.get(f"/ansokningar/{application.id}").get_data(as_text=True),
            client.get(f"/ansokningar/{application.id}/beslut").get_data(as_text=True),
            client.get("/ansokningar").get_data(as_text=True),
            client.get("/ansokningar/export.csv").get_data(as_text=True),
        ]
        # the list's status filter offers every status by name: not a decision shown
        return re.sub(r"<select.*?</select>", "", " ".join(texts + pages), flags=re.S)

    before = shown()
    for secret in ("Delvis beviljad", "333", "Per Holm", "jäv", "§", "Zeta-budgeten"):
        assert secret not in before, secret
    assert "protokollet ej justerat" in before
    justera_all(meeting, world["kansli"])
    after = shown()
    assert "Delvis beviljad" in after and "jäv" in after and "§ 4" in after
    assert "333" in after
    # the board read it all along
    assert "jäv" in " ".join(e.event.message or "" for e in timeline(application, chair))
