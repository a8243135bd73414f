"""The year's calendar (årsplanering): the board's meetings and the beredningsgrupp's, and
each board meeting's deadline for complete applications.

The one rule of a board meeting's deadline:

1. the day the kansli set for it (``Meeting.application_deadline``), else
2. the day of the beredningsgrupp's meeting before it (after the board meeting before), else
3. the förbund's number of days before it (``settings.deadline_days``).

The year view, the agenda builder and the applicant's pages (which meeting a draft sent in
today can reach) all ask here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select

from finsam_ansokan.core.timeutil import as_local
from finsam_ansokan.extensions import db

from . import settings as meeting_settings
from .models import BOARD_KINDS, Meeting

#: How far back the calendar looks for the meetings before the first one asked about.
_LOOK_BACK = timedelta(days=366)
#: How far ahead an applicant is told about (as far as meetings may be planned).
_LOOK_AHEAD = timedelta(days=3 * 366)


class DeadlineRule(StrEnum):
    SET = "set"
    BEREDNINGSGRUPP = "beredningsgrupp"
    DAYS = "days"


@dataclass(frozen=True)
class PlannedMeeting:
    """A meeting of the calendar; a board meeting with its deadline and why it is that day."""

    meeting: Meeting
    deadline: date | None = None
    rule: DeadlineRule | None = None
    days: int | None = None

    @property
    def rule_text(self) -> str:
        if self.rule is DeadlineRule.SET:
            return "satt av kansliet"
        if self.rule is DeadlineRule.BEREDNINGSGRUPP:
            return "beredningsgruppens möte"
        if self.rule is DeadlineRule.DAYS:
            return f"{self.days} dagar före"
        return ""


def with_deadlines(meetings: Sequence[Meeting], days: int) -> list[PlannedMeeting]:
    """``meetings`` in date order, each board meeting with its deadline (the rule above)."""
    planned = []
    beredning: Meeting | None = None  # the beredningsgrupp's latest meeting since the board's
    for meeting in meetings:
        if not meeting.is_board:
            beredning = meeting
            planned.append(PlannedMeeting(meeting))
            continue
        if meeting.application_deadline is not None:
            entry = PlannedMeeting(meeting, meeting.application_deadline, DeadlineRule.SET)
        elif beredning is not None and beredning.date < meeting.date:
            entry = PlannedMeeting(meeting, beredning.date, DeadlineRule.BEREDNINGSGRUPP)
        else:
            entry = PlannedMeeting(
                meeting, meeting.date - timedelta(days=days), DeadlineRule.DAYS, days
            )
        beredning = None
        planned.append(entry)
    return planned


def _between(first: date, last: date, days: int | None = None) -> list[PlannedMeeting]:
    """The meetings from ``first`` to ``last`` with their deadlines (read with the meetings
    of the year before, which the rule needs); ``days`` is the rule's number of days when
    the caller has read the settings already."""
    meetings = db.session.scalars(
        select(Meeting)
        .where(Meeting.date >= first - _LOOK_BACK, Meeting.date <= last)
        .order_by(Meeting.date, Meeting.id)
    ).all()
    if days is None:
        days = meeting_settings.current().deadline_days
    planned = with_deadlines(meetings, days)
    return [p for p in planned if p.meeting.date >= first]


def year_plan(year: int) -> list[PlannedMeeting]:
    """The year's meetings, in date order, each board meeting with its deadline."""
    return _between(date(year, 1, 1), date(year, 12, 31))


def deadline_for(meeting: Meeting, *, days: int | None = None) -> PlannedMeeting:
    """The board meeting with its deadline (a beredningsgrupp meeting has none); ``days``
    as in ``_between``."""
    for planned in _between(meeting.date, meeting.date, days):
        if planned.meeting.id == meeting.id:
            return planned
    return PlannedMeeting(meeting)  # pragma: no cover - the meeting is in its own day


def next_reachable(today: date) -> PlannedMeeting | None:
    """The first board meeting, still to come, whose deadline has not passed: what an
    application sent in today can reach. None when no such meeting is planned."""
    for planned in _between(today, today + _LOOK_AHEAD):
        if (
            planned.deadline is not None
            and planned.meeting.date > today
            and planned.deadline >= today
            and not planned.meeting.is_signed
        ):
            return planned
    return None


def next_board_meeting(today: date) -> Meeting | None:
    """The board's next meeting (today or later, minutes not justerade): what the board
    member's start page shows, with its handlingar."""
    return db.session.scalars(
        select(Meeting)
        .where(
            Meeting.date >= today,
            Meeting.kind.in_(BOARD_KINDS),
            Meeting.signed_at.is_(None),
        )
        .order_by(Meeting.date, Meeting.id)
        .limit(1)
    ).first()


def in_time_first(planned: PlannedMeeting, cases: Sequence) -> list[tuple[object, bool]]:
    """The cases ready for decision for the agenda of ``planned``: ``(case, in time)``, those
    sent in by the meeting's deadline first (each group in the order given)."""
    deadline = planned.deadline

    def in_time(case) -> bool:
        sent = case.submitted_at
        return deadline is not None and sent is not None and as_local(sent).date() <= deadline

    marked = [(case, in_time(case)) for case in cases]
    return [m for m in marked if m[1]] + [m for m in marked if not m[1]]
