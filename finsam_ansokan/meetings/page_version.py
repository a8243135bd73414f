"""What a justerat meeting's page shows that can still change, as one fingerprint.

Once all have justerat, the meeting and the rows it owns (agenda, attendance, jäv,
decisions and their amounts, signatories, §§) never change: triggers refuse it. The page
also shows rows the meeting does not own, and those can change afterwards: a case's status,
title and diarienummer, its organisation's and huvudområde's names, its sökt belopp (a case
återremitterad or bordlagd is prepared again), its latest förslag (an item without a
decision), the names of the people shown (renamed, anonymised), the delegationsbeslut
reported at an item, the meetings that decide the deadline for applications, and the
meeting settings. :func:`signed_page_version` reads all of them in one statement and hashes
them; the route adds what is particular to the user and answers 304 when nothing differs.
"""

from __future__ import annotations

import hashlib
from functools import cache

from sqlalchemy import String, bindparam, cast, func, literal, null, select, union_all

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.applications.models import Application, BudgetLine
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.events import Event
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment

from .calendar import _LOOK_BACK
from .models import AgendaItem, Attendance, Decision, DelegationDecision, Meeting, MeetingSettings

_WIDTH = 6  # value columns of each fingerprint row
_SETTINGS = tuple(column.key for column in MeetingSettings.__table__.columns if column.key != "id")
assert len(_SETTINGS) <= 2 * _WIDTH, "the settings need another fingerprint row"


def _row(part: str, key, *values):
    """One kind of fingerprint row: (part, key, v1 … v6), every value as text."""
    padded = [cast(v, String) for v in values] + [cast(null(), String)] * (_WIDTH - len(values))
    return [literal(part).label("part"), cast(key, String).label("key")] + [
        v.label(f"v{i}") for i, v in enumerate(padded)
    ]


_MEETING = bindparam("meeting_id")
_SUBJECT = bindparam("subject")
_FIRST = bindparam("first")
_LAST = bindparam("last")


@cache
def _fingerprint_statement():
    """Built once: the rows whose change changes the page (parameters above)."""
    items = select(AgendaItem.id).where(AgendaItem.meeting_id == _MEETING)
    cases = select(AgendaItem.application_id).where(
        AgendaItem.meeting_id == _MEETING, AgendaItem.application_id.is_not(None)
    )
    reported = select(DelegationDecision.application_id).where(
        DelegationDecision.reported_item_id.in_(items)
    )
    people = union_all(
        select(Attendance.user_id).where(Attendance.meeting_id == _MEETING),
        select(Decision.recorded_by_id).where(Decision.agenda_item_id.in_(items)),
        select(Meeting.kallelse_sent_by_id).where(Meeting.id == _MEETING),
        select(DelegationDecision.decided_by_id).where(
            DelegationDecision.reported_item_id.in_(items)
        ),
        select(Event.actor_id).where(Event.subject == _SUBJECT),
    )
    parts = [
        select(
            *_row(
                "case",
                Application.id,
                Application.status,
                Application.title,
                Application.diarie_year,
                Application.diarie_number,
                Organisation.name,
                Huvudomrade.name,
            )
        )
        .join(Organisation, Organisation.id == Application.organisation_id)
        .outerjoin(Huvudomrade, Huvudomrade.id == Application.huvudomrade_id)
        .where(Application.id.in_(cases.union(reported))),
        select(
            *_row(
                "budget",
                BudgetLine.application_id,
                func.count(),
                func.max(BudgetLine.id),
                func.sum(BudgetLine.amount),
                func.sum(BudgetLine.amount * BudgetLine.year),
            )
        )
        .where(BudgetLine.application_id.in_(cases))
        .group_by(BudgetLine.application_id),
        select(*_row("proposal", Assessment.application_id, func.max(Assessment.id)))
        .where(Assessment.application_id.in_(cases))
        .group_by(Assessment.application_id),
        select(*_row("person", User.id, User.name)).where(User.id.in_(people)),
        select(*_row("organisation", Organisation.id, Organisation.name)).where(
            Organisation.id.in_(
                select(Attendance.organisation_id).where(Attendance.meeting_id == _MEETING)
            )
        ),
        select(*_row("delegation", DelegationDecision.id)).where(
            DelegationDecision.reported_item_id.in_(items)
        ),
        select(
            *_row(
                "calendar",
                Meeting.id,
                Meeting.kind,
                Meeting.date,
                Meeting.application_deadline,
            )
        ).where(Meeting.date >= _FIRST, Meeting.date <= _LAST),
        select(
            *_row(
                "settings",
                MeetingSettings.id,
                *(getattr(MeetingSettings, name) for name in _SETTINGS[:_WIDTH]),
            )
        ),
        select(
            *_row(
                "settings2",
                MeetingSettings.id,
                *(getattr(MeetingSettings, name) for name in _SETTINGS[_WIDTH:]),
            )
        ),
    ]
    return union_all(*parts)


def signed_page_version(meeting_id: int) -> str | None:
    """A hash of what can still change on the page of a justerat meeting; ``None`` when the
    meeting does not exist or its minutes are not justerade (the page then changes with
    every decision and is never answered from a cache)."""
    found = db.session.execute(
        select(Meeting.signed_at, Meeting.date).where(Meeting.id == meeting_id)
    ).first()
    if found is None or found.signed_at is None:
        return None
    rows = db.session.execute(
        _fingerprint_statement(),
        {
            "meeting_id": meeting_id,
            "subject": f"meeting:{meeting_id}",
            "first": found.date - _LOOK_BACK,
            "last": found.date,
        },
    ).all()
    digest = hashlib.sha256(repr(tuple(found)).encode())
    for row in sorted(rows, key=lambda r: tuple("" if v is None else str(v) for v in r)):
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:32]
