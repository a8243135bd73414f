"""Meeting pages: the agenda to sign-off through the forms, the PDFs, the applicant's view."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.budget import ledger as budget
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings.models import AgendaItem, Attendance, Decision, Jav, Meeting

from .meetings_helpers import YEAR, meeting_with_board, prepared_case


@pytest.fixture
def board(factory):
    factory.forbund()
    area = factory.huvudomrade("Pilotprojekt")
    factory.budget_year(YEAR, frames={area: "1000000"})
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    meeting, chair = meeting_with_board(factory, kansli)
    return {"area": area, "kansli": kansli, "meeting": meeting, "chair": chair}


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_kansli_creates_a_meeting_through_the_form(login, factory):
    client = login(factory.user(Role.KANSLI))
    response = client.post(
        "/sammantraden/nytt",
        data={"kind": "styrelsemote", "date": "2026-12-01", "place": "Växjö", "start_time": ""},
    )
    assert response.status_code == 303
    meeting = db.session.scalars(select(Meeting).where(Meeting.place == "Växjö")).one()
    assert meeting.first_paragraph >= 1
    page = client.get(response.headers["Location"])
    text = re.sub(r"<[^>]+>", "", page.get_data(as_text=True))  # the date is in a nowrap span
    assert "Styrelsemöte 2026-12-01" in text


def test_a_meeting_without_place_is_refused_with_a_swedish_message(login, factory):
    client = login(factory.user(Role.KANSLI))
    response = client.post("/sammantraden/nytt", data={"kind": "styrelsemote", "date": "x"})
    assert response.status_code == 400
    assert "Ange plats för sammanträdet." in response.get_data(as_text=True)


def test_the_board_decides_a_case_through_the_meeting_page(login, factory, board):
    application = prepared_case(factory, board["area"])
    client = login(board["kansli"])
    meeting_id = board["meeting"].id
    response = client.post(
        f"/sammantraden/{meeting_id}/dagordning", data={"application_id": application.id}
    )
    assert response.status_code == 303
    item = db.session.scalars(
        select(AgendaItem).where(AgendaItem.application_id == application.id)
    ).one()
    page = client.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "Förslag till beslut: Bevilja." in page
    assert 'value="450000"' in page  # the decision form starts from the proposal

    client = login(board["chair"])
    prefix = f"beslut-{item.id}-"
    bad = client.post(
        f"/sammantraden/{meeting_id}/dagordning/{item.id}/beslut",
        data={prefix + "kind": "delvis_bevilja", prefix + f"amount_{YEAR}": "tre hundra"},
    )
    assert bad.status_code == 400
    assert "Skriv beloppet med siffror" in bad.get_data(as_text=True)
    ok = client.post(
        f"/sammantraden/{meeting_id}/dagordning/{item.id}/beslut",
        data={
            prefix + "kind": "delvis_bevilja",
            prefix + f"amount_{YEAR}": "300 000",
            prefix + "motivation": "Lokalerna ryms i ordinarie verksamhet.",
        },
    )
    assert ok.status_code == 303
    assert budget.frame_for(YEAR, board["area"].id).granted == D("300000")
    page = client.get(f"/sammantraden/{meeting_id}").get_data(as_text=True)
    assert "§ 4" in page and "Delvis beviljad" in page


def _decided_and_signed(factory, board):
    application = prepared_case(factory, board["area"])
    item = services.add_case(board["meeting"], application, actor=board["kansli"])
    services.declare_jav(
        item, board["meeting"].attendance[1], "Närstående i projektet", actor=board["kansli"]
    )
    services.record_decision(
        item,
        kind="delvis_bevilja",
        amounts={YEAR: D("300000")},
        motivation="Lokalkostnaden ryms i ordinarie verksamhet.",
        villkor="att deltagarna registreras i SUS",
        actor=board["chair"],
    )
    services.add_other_item(
        board["meeting"], title="Förbundschefen informerar", notes="Om SUS.", actor=board["kansli"]
    )
    services.sign_off(board["meeting"], actor=board["kansli"])
    return application, item


def _state(meeting_id: int):
    count = lambda model, column: db.session.scalar(  # noqa: E731
        select(func.count()).select_from(model).where(column)
    )
    meeting = db.session.get(Meeting, meeting_id)
    db.session.refresh(meeting)
    items = select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id)
    return (
        meeting.place,
        meeting.signed_at,
        count(AgendaItem, AgendaItem.meeting_id == meeting_id),
        count(Attendance, Attendance.meeting_id == meeting_id),
        count(Decision, Decision.agenda_item_id.in_(items)),
        count(Jav, Jav.agenda_item_id.in_(items)),
        tuple(db.session.scalars(items.add_columns(AgendaItem.paragraph).order_by(AgendaItem.id))),
    )


def test_a_signed_off_meeting_cannot_be_changed_through_any_route(app, login, factory, board):
    application, item = _decided_and_signed(factory, board)
    meeting = board["meeting"]
    waiting = prepared_case(factory, board["area"], title="Nytt ärende")
    before = _state(meeting.id)
    granted = budget.frame_for(YEAR, board["area"].id).granted
    values = {
        "meeting_id": meeting.id,
        "item_id": item.id,
        "attendance_id": meeting.attendance[0].id,
    }
    prefix = f"beslut-{item.id}-"
    form = {
        "application_id": waiting.id,
        "title": "Sent tillägg",
        "direction": "upp",
        "name": "Sen gäst",
        "role": "ovrig",
        "user_id": "0",
        "organisation_id": "0",
        "attendance_id": meeting.attendance[0].id,
        "reason": "Sent jäv",
        "kind": "styrelsemote",
        "date": "2026-11-24",
        "place": "Någon annanstans",
        prefix + "kind": "avsla",
        prefix + "motivation": "Ändrat i efterhand",
    }
    client = login(board["kansli"])
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("meetings.")]
    posted = 0
    for rule in rules:
        if "POST" not in rule.methods:
            continue
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        response = client.post(url, data=form)
        posted += 1
        assert response.status_code < 500, url
        assert _state(meeting.id) == before, url
    assert posted >= 10
    assert budget.frame_for(YEAR, board["area"].id).granted == granted
    db.session.refresh(application)
    assert application.status == "pagaende"


def test_the_minutes_pdf_reads_like_board_minutes(login, factory, board):
    _decided_and_signed(factory, board)
    client = login(board["chair"])
    response = client.get(f"/sammantraden/{board['meeting'].id}/protokoll.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    text = " ".join(_text(response.data).split())
    for expected in (
        "Sammanträdesprotokoll",
        "Styrelsen för Samordningsförbundet Testbygden",
        "Beslutande",
        "Övriga närvarande",
        "§§ 1–5",
        "§ 1 Mötets öppnande",
        "§ 2 Val av justerare",
        "Maja Lindholm",
        "§ 4 Ansökan om medel: Förstärkt KAA",
        "Styrelsen beslutar att delvis bevilja ansökan",
        "300 000 kr för 2026",
        "deltog inte i handläggningen av ärendet på grund av jäv",
        "§ 5 Förbundschefen informerar",
        "Sekreterare",
        "Ordförande",
        "Justerare",
    ):
        assert expected in text.replace("\u00a0", " "), expected


def test_the_applicant_sees_the_decision_and_letter_only_after_sign_off(login, factory, board):
    application = prepared_case(factory, board["area"])
    item = services.add_case(board["meeting"], application, actor=board["kansli"])
    services.record_decision(
        item, kind="bevilja", amounts={YEAR: D("450000")}, actor=board["chair"]
    )
    client = login(application.created_by)
    page = client.get(f"/ansokningar/{application.id}/beslut").get_data(as_text=True)
    assert "har inte fattat något beslut" in page
    assert client.get(f"/ansokningar/{application.id}/beslut/beslutsbrev.pdf").status_code == 404

    services.sign_off(board["meeting"], actor=board["kansli"])
    client = login(application.created_by)
    page = client.get(f"/ansokningar/{application.id}/beslut").get_data(as_text=True)
    assert "§ 4 – Beviljad" in page
    letter = client.get(f"/ansokningar/{application.id}/beslut/beslutsbrev.pdf")
    assert letter.status_code == 200
    text = " ".join(_text(letter.data).split()).replace("\u00a0", " ")
    assert "Utdragsbestyrkande" in text and "§ 4" in text
    assert "Styrelsen beslutar att bevilja" in text

    stranger = login(factory.user(Role.SOKANDE))
    assert stranger.get(f"/ansokningar/{application.id}/beslut").status_code == 404
    assert stranger.get(f"/ansokningar/{application.id}/beslut/beslutsbrev.pdf").status_code == 404
