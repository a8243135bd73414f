"""The meetings index: upcoming and unsigned meetings first, then one year of past ones
(the latest by default, any other through the year links), each with its number of
agenda items counted in the database."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings.models import AgendaItem, Meeting


def _meeting(day: date, items: int, *, signed: bool) -> Meeting:
    meeting = Meeting(date=day, place=f"Plats {day.isoformat()}")
    meeting.start_time = time(9, 0)
    db.session.add(meeting)
    db.session.flush()
    for position in range(1, items + 1):
        db.session.add(
            AgendaItem(meeting_id=meeting.id, position=position, title=f"Punkt {position}")
        )
    db.session.flush()
    if signed:
        meeting.signed_at = datetime.combine(day + timedelta(days=7), time(12), tzinfo=UTC)
        meeting.first_paragraph = 1  # §§ are fixed at justering
        db.session.flush()
    return meeting


@pytest.fixture
def meetings(app_ctx):
    this_year = today().year
    return {
        "upcoming": _meeting(today() + timedelta(days=10), 3, signed=False),
        "unsigned": _meeting(date(this_year - 1, 3, 1), 2, signed=False),
        "last_year": _meeting(date(this_year - 1, 5, 4), 4, signed=True),
        "older": _meeting(date(this_year - 3, 9, 9), 1, signed=True),
    }


def _rows(html: str, heading: str) -> list[tuple[str, str]]:
    """(place, item count) of each row in the section under ``heading``."""
    section = html.split(f'id="{heading}"', 1)[1].split("</section>", 1)[0]
    return re.findall(r"<td>(Plats [^<]+)</td>\s*<td class=\"num\">(\d+)</td>", section)


def test_the_index_shows_upcoming_then_the_latest_year_of_past_meetings(
    client, login, factory, meetings
):
    login(factory.user(Role.STYRELSE))
    html = client.get("/sammantraden/").get_data(as_text=True)
    last_year = today().year - 1
    upcoming = _rows(html, "kommande")
    assert (meetings["unsigned"].place, "2") in upcoming
    assert (meetings["upcoming"].place, "3") in upcoming
    assert _rows(html, "tidigare") == [(meetings["last_year"].place, "4")]
    assert f"Tidigare {last_year}" in html
    assert f'href="/sammantraden/?ar={today().year - 3}"' in html


def test_an_older_year_of_past_meetings_opens_from_its_link(client, login, factory, meetings):
    login(factory.user(Role.STYRELSE))
    html = client.get(f"/sammantraden/?ar={today().year - 3}").get_data(as_text=True)
    assert _rows(html, "tidigare") == [(meetings["older"].place, "1")]
    assert f'aria-current="page">{today().year - 3}<' in html


def test_a_year_without_meetings_shows_the_latest_year(client, login, factory, meetings):
    login(factory.user(Role.STYRELSE))
    html = client.get("/sammantraden/?ar=1901").get_data(as_text=True)
    assert _rows(html, "tidigare") == [(meetings["last_year"].place, "4")]
