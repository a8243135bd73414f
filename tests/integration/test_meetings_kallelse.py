"""The kallelse to a board meeting and its sammanträdeshandlingar: the board is called by
e-mail with the agenda, the sending is recorded, a late case is an extra ärende, and the
handlingar PDF holds every case with its förslag and what it leaves in the frame."""

from __future__ import annotations

import io
from datetime import time, timedelta
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.timeutil import as_local, today
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import kallelse, services
from finsam_ansokan.notifications.models import NotificationKind, NotificationOptOut, OutboxMessage
from finsam_ansokan.review.models import Assessment, AssessmentAmount

from .meetings_helpers import YEAR, meeting_with_board, prepared_case


@pytest.fixture
def setting(factory):
    area = factory.huvudomrade("Processutveckling")
    factory.budget_year(YEAR, frames={area: "1000000"})
    factory.forbund()
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    meeting, chair = meeting_with_board(factory, kansli, meeting_date=today() + timedelta(days=7))
    ersattare = factory.user(Role.STYRELSE, name="Ella Ersättare")
    first = prepared_case(factory, area, title="Förstärkt KAA", amounts={YEAR: "300000"})
    db.session.add(
        Assessment(
            application_id=first.id,
            author=kansli,
            stage="rekommendation",
            kind="bevilja",
            motivation="Beredningsgruppen ser ett tydligt behov hos unga vuxna.",
            amounts=[AssessmentAmount(year=YEAR, amount=D("300000"))],
        )
    )
    services.add_case(meeting, first, actor=kansli)
    services.add_other_item(meeting, title="Information från kansliet", notes=None, actor=kansli)
    return {
        "area": area,
        "kansli": kansli,
        "meeting": meeting,
        "board": [chair, ersattare],
        "first": first,
    }


def _kallelser():
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == NotificationKind.KALLELSE.value)
        .order_by(OutboxMessage.id)
    ).all()


def test_the_kallelse_goes_to_every_board_member_with_the_agenda_and_is_recorded(setting):
    meeting, kansli = setting["meeting"], setting["kansli"]
    board = {u.id for u in kallelse.board_members()}
    assert {u.id for u in setting["board"]} <= board

    sent = kallelse.send_kallelse(meeting, actor=kansli)

    messages = _kallelser()
    assert sent == len(messages) == len(board)
    assert {m.recipient_id for m in messages} == board
    for message in messages:
        assert message.subject == (
            f"Kallelse till styrelsens sammanträde {(today() + timedelta(days=7)).isoformat()}"
        )
        assert "Förstärkt KAA" in message.body and "Information från kansliet" in message.body
        assert "Förbundets kansli, Växjö" in message.body and "kl. 09.00" in message.body
        assert f"/sammantraden/{meeting.id}/handlingar.pdf" in message.body
        assert "Förstärkt KAA" in message.body_html
    assert meeting.kallelse_sent_at is not None
    assert meeting.kallelse_sent_by_id == kansli.id
    assert db.session.scalar(select(Event).where(Event.kind == "kallelse_sent")) is not None


def test_a_board_member_who_turned_kallelser_off_gets_none(setting):
    chair = setting["board"][0]
    db.session.add(NotificationOptOut(user_id=chair.id, kind=NotificationKind.KALLELSE.value))
    db.session.flush()
    kallelse.send_kallelse(setting["meeting"], actor=setting["kansli"])
    assert chair.id not in {m.recipient_id for m in _kallelser()}


def test_sending_again_is_a_reminder_that_is_recorded_and_keeps_the_first_time(setting):
    meeting, kansli = setting["meeting"], setting["kansli"]
    kallelse.send_kallelse(meeting, actor=kansli)
    first_time = as_local(meeting.kallelse_sent_at)

    kallelse.send_kallelse(meeting, actor=kansli)

    assert as_local(meeting.kallelse_sent_at) == first_time  # SQLite reads back naive UTC
    reminders = [m for m in _kallelser() if m.subject.startswith("Påminnelse")]
    assert len(reminders) == len(kallelse.board_members())
    assert [s.text for s in kallelse.sendings(meeting)] == ["Kallelse", "Påminnelse"]


def test_a_case_added_after_the_kallelse_is_an_extra_arende(setting, factory):
    meeting, kansli = setting["meeting"], setting["kansli"]
    kallelse.send_kallelse(meeting, actor=kansli)
    late = prepared_case(factory, setting["area"], title="Sent inkommen insats")

    item = services.add_case(meeting, late, actor=kansli)

    db.session.expire_all()  # as read back from the database
    extra = {i.heading: i.is_extra for i in meeting.items}
    assert extra == {
        "Förstärkt KAA": False,
        "Information från kansliet": False,
        "Sent inkommen insats": True,
    }
    kallelse.send_kallelse(meeting, actor=kansli)
    reminder = _kallelser()[-1]
    assert "Sent inkommen insats" in reminder.body and "extra ärende" in reminder.body
    assert item.is_extra


def test_nothing_is_sent_for_an_empty_agenda(factory, setting):
    empty = services.create_meeting(
        services.MeetingData(date=setting["meeting"].date.replace(day=30), place="Växjö"),
        actor=setting["kansli"],
    )
    with pytest.raises(DomainError):
        kallelse.send_kallelse(empty, actor=setting["kansli"])
    assert _kallelser() == []


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_handlingar_hold_every_case_with_its_forslag_and_budget_effect(setting, factory, login):
    second = prepared_case(
        factory, setting["area"], title="Arbetsträning i Alvesta", amounts={YEAR: "150000"}
    )
    services.add_case(setting["meeting"], second, actor=setting["kansli"])
    board_member = setting["board"][1]

    response = login(board_member).get(f"/sammantraden/{setting['meeting'].id}/handlingar.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join(_pdf_text(response.data).split())
    assert "Sammanträdeshandlingar" in text and "Förbundets kansli, Växjö" in text
    for title in ("Förstärkt KAA", "Arbetsträning i Alvesta", "Information från kansliet"):
        assert title in text
    assert "Kansliet föreslår att styrelsen beviljar ansökan med 300 000 kr för 2026" in text
    assert "Kansliet föreslår att styrelsen beviljar ansökan med 150 000 kr för 2026" in text
    # nothing is granted yet: the frame of 1 000 000 less each proposal
    assert "700 000 kr" in text and "850 000 kr" in text
    assert "Beredningsgruppen ser ett tydligt behov hos unga vuxna." in text


def test_an_applicant_cannot_read_the_handlingar(setting, factory, login):
    applicant = setting["first"].created_by
    response = login(applicant).get(f"/sammantraden/{setting['meeting'].id}/handlingar.pdf")
    assert response.status_code in (403, 404)


def test_the_kansli_sends_the_kallelse_from_the_meeting_page(setting, login):
    meeting = setting["meeting"]
    client = login(setting["kansli"])
    page = client.get(f"/sammantraden/{meeting.id}")
    assert "Skicka kallelsen till styrelsen" in page.get_data(as_text=True)

    response = client.post(f"/sammantraden/{meeting.id}/kallelse", follow_redirects=True)

    body = response.get_data(as_text=True)
    assert "Kallelsen skickades till" in body
    assert "Kallelsen skickades till styrelsen" in body and "av Karin Ekdahl" in body
    assert "Skicka en påminnelse om kallelsen" in body


def test_a_board_member_sees_the_next_meeting_and_its_handlingar_on_the_start_page(setting, login):
    coming = services.create_meeting(
        services.MeetingData(
            date=today() + timedelta(days=3), place="Kommunhuset, Alvesta", start_time=time(13)
        ),
        actor=setting["kansli"],
    )

    page = login(setting["board"][1]).get("/").get_data(as_text=True)

    assert "Nästa sammanträde" in page and "Kommunhuset, Alvesta" in page
    assert f"/sammantraden/{coming.id}/handlingar.pdf" in page
    assert "Kallelsen har inte skickats ännu." in page


def test_no_kallelse_goes_out_for_a_meeting_already_held(setting, factory):
    kansli = factory.user(Role.KANSLI)
    past, _ = meeting_with_board(factory, kansli, meeting_date=today() - timedelta(days=1))
    services.add_other_item(past, title="Information", notes=None, actor=kansli)
    with pytest.raises(DomainError, match="redan ägt rum"):
        kallelse.send_kallelse(past, actor=kansli)
    assert past.kallelse_sent_at is None
