"""The year's calendar (årsplanering): each board meeting's deadline for complete
applications, which meeting an application sent in today can reach, the year view, the
applicant's sentence and the agenda builder's order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db
from finsam_ansokan.meetings import calendar, services
from finsam_ansokan.meetings import settings as meeting_settings
from finsam_ansokan.meetings.calendar import DeadlineRule
from finsam_ansokan.meetings.models import Meeting, MeetingKind

from .meetings_helpers import prepared_case

#: A year no other test plans meetings in.
Y = 2031


def _planned(day: date, kind: MeetingKind = MeetingKind.STYRELSEMOTE, **fields) -> Meeting:
    meeting = Meeting(date=day, kind=kind.value, place=f"{kind.label} {day}", **fields)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _deadline(meeting: Meeting) -> calendar.PlannedMeeting:
    return calendar.deadline_for(meeting)


# --- the deadline rule ------------------------------------------------------------------------


def test_the_deadline_is_the_beredningsgrupp_meeting_before_the_board_meeting(app_ctx):
    _planned(date(Y, 1, 20), MeetingKind.BEREDNINGSGRUPP)
    board = _planned(date(Y, 2, 10))
    planned = _deadline(board)
    assert planned.deadline == date(Y, 1, 20)
    assert planned.rule is DeadlineRule.BEREDNINGSGRUPP


def test_without_a_beredningsgrupp_meeting_the_deadline_is_the_forbunds_days_before(app_ctx):
    board = _planned(date(Y, 2, 10))
    assert _deadline(board).deadline == date(Y, 1, 20)  # 21 days, the default
    kansli = _kansli()
    rules = meeting_settings.current()
    meeting_settings.save(
        meeting_settings.Rules(**{**rules.__dict__, "deadline_days": 30}), actor=kansli
    )
    planned = _deadline(board)
    assert planned.deadline == date(Y, 1, 11)
    assert planned.rule is DeadlineRule.DAYS
    assert planned.rule_text == "30 dagar före"


def test_a_beredningsgrupp_meeting_before_the_previous_board_meeting_does_not_count(app_ctx):
    _planned(date(Y, 1, 5), MeetingKind.BEREDNINGSGRUPP)
    first = _planned(date(Y, 1, 20))
    second = _planned(date(Y, 3, 10))
    assert _deadline(first).deadline == date(Y, 1, 5)
    assert _deadline(second).deadline == date(Y, 3, 10) - timedelta(days=21)


def test_the_kansli_sets_a_meetings_own_deadline_and_the_history_says_so(app_ctx):
    kansli = _kansli()
    _planned(date(Y, 1, 20), MeetingKind.BEREDNINGSGRUPP)
    board = services.create_meeting(
        services.MeetingData(date=today() + timedelta(days=60), place="Förbundets kansli"),
        actor=kansli,
    )
    services.update_meeting(
        board,
        services.MeetingData(
            date=board.date,
            place=board.place,
            application_deadline=board.date - timedelta(days=10),
        ),
        actor=kansli,
    )
    planned = _deadline(board)
    assert planned.deadline == board.date - timedelta(days=10)
    assert planned.rule is DeadlineRule.SET
    events = db.session.query(Event).filter_by(kind="meeting_deadline_set").all()
    assert [e.subject for e in events] == [f"meeting:{board.id}"]


def test_a_deadline_after_the_meeting_or_on_a_beredningsgrupp_meeting_is_refused(app_ctx):
    kansli = _kansli()
    day = today() + timedelta(days=30)
    with pytest.raises(DomainError) as after:
        services.create_meeting(
            services.MeetingData(
                date=day, place="Kansliet", application_deadline=day + timedelta(days=1)
            ),
            actor=kansli,
        )
    assert after.value.field == "application_deadline"
    with pytest.raises(DomainError) as beredning:
        services.create_meeting(
            services.MeetingData(
                date=day,
                place="Kansliet",
                kind=MeetingKind.BEREDNINGSGRUPP.value,
                application_deadline=day - timedelta(days=1),
            ),
            actor=kansli,
        )
    assert beredning.value.field == "application_deadline"


# --- which meeting a draft can reach ----------------------------------------------------------


def test_no_meeting_planned_means_none_can_be_reached(app_ctx):
    assert calendar.next_reachable(date(Y, 1, 5)) is None


def test_a_draft_reaches_the_first_meeting_whose_deadline_has_not_passed(app_ctx):
    _planned(date(Y, 1, 20), MeetingKind.BEREDNINGSGRUPP)
    february = _planned(date(Y, 2, 10))
    april = _planned(date(Y, 4, 14))
    reached = calendar.next_reachable(date(Y, 1, 20))
    assert (reached.meeting, reached.deadline) == (february, date(Y, 1, 20))
    late = calendar.next_reachable(date(Y, 1, 21))  # the beredningsgrupp has met
    assert (late.meeting, late.deadline) == (april, date(Y, 3, 24))
    assert calendar.next_reachable(date(Y, 4, 14)) is None  # the last meeting is today


def test_a_passed_meeting_is_never_the_one_reached(app_ctx):
    _planned(date(Y, 2, 10), application_deadline=date(Y, 2, 10))
    later = _planned(date(Y, 5, 5))
    assert calendar.next_reachable(date(Y, 2, 11)).meeting == later


# --- beredningsgrupp meetings are dates, not meetings with minutes ----------------------------


def test_a_beredningsgrupp_meeting_takes_no_agenda_and_does_not_hold_up_the_paragraphs(app_ctx):
    kansli = _kansli()
    beredning = _planned(date(Y, 1, 20), MeetingKind.BEREDNINGSGRUPP)
    board = _planned(date(Y, 2, 10))
    with pytest.raises(DomainError, match="Beredningsgruppens möten"):
        services.add_other_item(beredning, title="Information", notes=None, actor=kansli)
    assert services.first_paragraph(board) == 1


# --- pages ------------------------------------------------------------------------------------


def _kansli():
    from tests.factories import Factory

    return Factory().user(Role.KANSLI)


@pytest.fixture
def this_years_plan(app_ctx):
    year = today().year
    beredning = _planned(today() + timedelta(days=5), MeetingKind.BEREDNINGSGRUPP)
    board = _planned(today() + timedelta(days=26))
    return year, beredning, board


def test_the_year_view_lists_the_meetings_with_each_board_meetings_deadline(
    client, login, factory, this_years_plan
):
    _year, beredning, board = this_years_plan
    login(factory.user(Role.STYRELSE))
    response = client.get(f"/sammantraden/ar/{board.date.year}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Beredningsgruppens möte" in html
    assert (
        f'<span class="nowrap">{beredning.date.isoformat()}</span> '
        '<span class="hint">(beredningsgruppens möte)</span>' in html
    )


def test_only_the_kansli_plans_meetings(client, login, factory, app_ctx):
    day = (today() + timedelta(days=40)).isoformat()
    form = {"kind": "beredningsgrupp", "date": day, "place": "Kansliet"}
    login(factory.user(Role.SOKANDE))
    assert client.get(f"/sammantraden/ar/{today().year}").status_code == 403
    assert client.post("/sammantraden/nytt", data=form).status_code == 403
    login(factory.user(Role.KANSLI))
    response = client.post("/sammantraden/nytt", data=form)
    assert response.status_code == 303
    planned = db.session.query(Meeting).filter_by(kind="beredningsgrupp").one()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Beredningsgruppens möte" in page and "Lägg till på dagordningen" not in page
    assert planned.place == "Kansliet"


def test_the_applicant_is_told_which_meeting_a_draft_sent_in_today_can_reach(
    client, login, factory, this_years_plan
):
    _year, beredning, board = this_years_plan
    applicant = factory.user(Role.SOKANDE)
    draft = factory.application(applicant)
    login(applicant)
    sentence = (
        f'Skickar ni in senast <span class="nowrap">{beredning.date.isoformat()}</span> kan '
        "ansökan beslutas på styrelsens sammanträde "
        f'<span class="nowrap">{board.date.isoformat()}</span>.'
    )
    for url in ("/", "/ansokningar/ny", f"/ansokningar/{draft.id}"):
        assert sentence in client.get(url).get_data(as_text=True), url


def test_without_a_planned_meeting_the_applicant_is_told_so(client, login, factory, app_ctx):
    login(factory.user(Role.SOKANDE))
    html = client.get("/ansokningar/ny").get_data(as_text=True)
    assert "Inget sammanträde med styrelsen är planerat ännu." in html


def test_the_agenda_builder_offers_the_cases_sent_in_by_the_deadline_first(
    client, login, factory, app_ctx
):
    area = factory.huvudomrade("Arbete")
    late = prepared_case(factory, area, title="Sent inkommen")
    in_time = prepared_case(factory, area, title="I tid")
    board = _planned(today() + timedelta(days=30))
    late.submitted_at = datetime.combine(board.date - timedelta(days=2), time(12), tzinfo=UTC)
    in_time.submitted_at = datetime.combine(board.date - timedelta(days=40), time(12), tzinfo=UTC)
    db.session.flush()
    login(factory.user(Role.KANSLI))
    html = client.get(f"/sammantraden/{board.id}").get_data(as_text=True)
    options = html.split('name="application_id"', 1)[1].split("</select>", 1)[0]
    assert options.index("– I tid (") < options.index("– Sent inkommen (")
    assert options.count("inkom efter sista dag") == 1
    assert options.index("inkom efter sista dag") > options.index("– Sent inkommen (")
