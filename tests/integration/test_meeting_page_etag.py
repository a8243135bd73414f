"""A justerat meeting's page is answered 304 while nothing it shows has changed: not for
another user, other capabilities, a renamed case or person, changed settings, a pending
message, and never for minutes that are not justerade."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import services
from finsam_ansokan.meetings import settings as meeting_settings

from .meetings_helpers import YEAR, justera_all, meeting_with_board, prepared_case


@pytest.fixture
def board(factory):
    factory.forbund()
    area = factory.huvudomrade("Pilotprojekt")
    factory.budget_year(YEAR, frames={area: "1000000"})
    kansli = factory.user(Role.KANSLI, name="Karin Ekdahl")
    meeting, chair = meeting_with_board(factory, kansli)
    application = prepared_case(factory, area)
    item = services.add_case(meeting, application, actor=kansli)
    services.record_decision(
        item,
        kind="bevilja",
        amounts={YEAR: D("450000")},
        motivation="Insatsen svarar mot förbundets prioriteringar.",
        villkor=None,
        actor=chair,
    )
    return {"kansli": kansli, "meeting": meeting, "chair": chair, "application": application}


def _signed(board):
    justera_all(board["meeting"], board["kansli"])
    return f"/sammantraden/{board['meeting'].id}"


def _again(client, url, etag):
    return client.get(url, headers={"If-None-Match": etag})


def test_a_justerat_meeting_is_answered_304_while_nothing_has_changed(login, board):
    url = _signed(board)
    client = login(board["kansli"])
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"] == "private, no-cache"  # asked again every time

    again = _again(client, url, etag)
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    # a stale or foreign tag gets the page
    assert _again(client, url, 'W/"something-else"').status_code == 200


def test_a_meeting_whose_minutes_are_not_justerade_has_no_etag(login, board):
    client = login(board["kansli"])
    page = client.get(f"/sammantraden/{board['meeting'].id}")
    assert page.status_code == 200
    assert "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_the_tag_differs_for_another_user_and_other_capabilities(login, factory, board):
    url = _signed(board)
    etag = login(board["kansli"]).get(url).headers["ETag"]

    chair = login(board["chair"])  # the same client, now as the chair
    page = _again(chair, url, etag)
    assert page.status_code == 200
    assert page.headers["ETag"] != etag

    # the same person given another role sees another menu: not from the cache
    etag = page.headers["ETag"]
    board["chair"].set_roles(board["chair"].roles | {Role.KANSLI})
    db.session.flush()
    assert _again(chair, url, etag).status_code == 200


def test_the_tag_follows_what_can_change_on_a_justerat_meeting(login, factory, board):
    url = _signed(board)
    client = login(board["kansli"])

    def answered_304() -> bool:
        etag = client.get(url).headers["ETag"]
        return _again(client, url, etag).status_code == 304

    assert answered_304()
    etag = client.get(url).headers["ETag"]
    board["application"].organisation.name = "Nytt namn på organisationen"
    db.session.flush()
    assert _again(client, url, etag).status_code == 200

    etag = client.get(url).headers["ETag"]
    board["chair"].name = "Anonymiserad användare"  # a person shown in the attendance
    db.session.flush()
    assert _again(client, url, etag).status_code == 200

    etag = client.get(url).headers["ETag"]
    board["application"].status = "avslutad"  # the case moves on after the meeting
    db.session.flush()
    assert _again(client, url, etag).status_code == 200

    etag = client.get(url).headers["ETag"]
    rules = meeting_settings.current()
    meeting_settings.save(
        meeting_settings.Rules(**{**rules.__dict__, "deadline_days": rules.deadline_days + 7}),
        actor=board["kansli"],
    )
    db.session.flush()
    assert _again(client, url, etag).status_code == 200


def test_a_page_with_a_message_is_never_answered_from_the_cache(login, board):
    url = _signed(board)
    client = login(board["kansli"])
    etag = client.get(url).headers["ETag"]
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Något hände.")]
    page = _again(client, url, etag)
    assert page.status_code == 200
    assert "Något hände." in page.get_data(as_text=True)
    assert "ETag" not in page.headers  # the message is shown once
    assert _again(client, url, etag).status_code == 304
