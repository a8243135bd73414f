"""The kallelse to a board meeting and its sammanträdeshandlingar.

The kansli sends the kallelse from the meeting's page: one e-mail through the outbox to each
user with the styrelse role (ledamöter and ersättare), with time, place, the agenda and the
links to the meeting and its handlingar. The first send is recorded on the meeting
(``kallelse_sent_at``, ``kallelse_sent_by``); sending again is a reminder, recorded as an
event. An item put on the agenda after the kallelse is an *extra ärende*
(``AgendaItem.is_extra``).

The handlingar are a PDF/A built from the agenda (``meetings/handlingar_pdf.html``): a cover
page, the agenda, and for each case the förslag till beslut with its amounts per year and
what would remain in the frame if it is granted (``Ram.remaining`` from the ledger, less the
proposed amount), the beredningsgrupp's recommendation, and the texts of the application's
latest submitted version (``applications.pdf.document_for_version``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from finsam_ansokan.accounts.models import User
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications.pdf import Section, document_for_version
from finsam_ansokan.budget import ledger
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import Event, record_event
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.timeutil import format_date, format_datetime, today, utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services as notifications
from finsam_ansokan.review.models import Assessment, AssessmentStage
from finsam_ansokan.review.services import latest_assessment

from . import delegation, services
from .minutes import forbund_name, meeting_when, proposal_sentence
from .models import AgendaItem, Meeting

NOTHING_ON_THE_AGENDA = "Dagordningen är tom: för upp ärendena innan kallelsen skickas."
NO_BOARD = "Det finns ingen aktiv användare med rollen styrelse att skicka kallelsen till."
ALREADY_HELD = "Sammanträdet har redan ägt rum; en kallelse till det kan inte skickas."


def board_members() -> list[User]:
    """The board: active users with the styrelse role (ledamöter and ersättare)."""
    return notifications.users_with_roles(Role.STYRELSE)


def send_kallelse(meeting: Meeting, *, actor: User) -> int:
    """Queue the kallelse (the first time) or a reminder (after) to every board member who
    has not turned kallelser off; returns how many messages were queued."""
    meeting = services.lock_board(meeting)
    if meeting.date < today():
        raise DomainError(ALREADY_HELD)
    if not meeting.items:
        raise DomainError(NOTHING_ON_THE_AGENDA)
    members = board_members()
    if not members:
        raise DomainError(NO_BOARD)
    reminder = meeting.kallelse_sent_at is not None
    queued = notifications.kallelse_sent(
        meeting,
        members,
        when=meeting_when(meeting),
        agenda=[_agenda_line(item) for item in meeting.items],
        reminder=reminder,
    )
    if not reminder:
        meeting.kallelse_sent_at = utcnow()
        meeting.kallelse_sent_by_id = actor.id
    record_event(
        "kallelse_reminder_sent" if reminder else "kallelse_sent",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=(
            f"{'En påminnelse om kallelsen' if reminder else 'Kallelsen'} till sammanträdet "
            f"{format_date(meeting.date)} skickades till {len(queued)} "
            f"i styrelsen."
        ),
        data={"recipients": len(queued)},
    )
    db.session.flush()
    return len(queued)


def _agenda_line(item: AgendaItem) -> str:
    heading = item.heading
    if item.application is not None and item.application.diarienummer:
        heading += f" (dnr {item.application.diarienummer})"
    return f"{heading} – extra ärende" if item.is_extra else heading


@dataclass
class Sending:
    """One send of the kallelse as the meeting's page lists it."""

    text: str
    when: str
    by: str


def sendings(meeting: Meeting) -> list[Sending]:
    """The kallelse and each reminder, in order, from the event log."""
    events = db.session.scalars(
        select(Event)
        .where(
            Event.subject == f"meeting:{meeting.id}",
            Event.kind.in_(["kallelse_sent", "kallelse_reminder_sent"]),
        )
        .order_by(Event.created_at, Event.id)
    ).all()
    return [
        Sending(
            text="Kallelse" if e.kind == "kallelse_sent" else "Påminnelse",
            when=format_datetime(e.created_at),
            by=e.actor.name if e.actor is not None else "systemet",
        )
        for e in events
    ]


# --- the handlingar ------------------------------------------------------------------------


@dataclass
class YearEffect:
    year: int
    proposed: Decimal
    #: What remains in the huvudområde's frame of the year now, and if the case is granted;
    #: None when there is no frame for that year.
    remaining: Decimal | None
    remaining_after: Decimal | None

    @property
    def text(self) -> str:
        if self.remaining is None or self.remaining_after is None:
            return "Ingen budgetram finns för året."
        return (
            f"Kvar i ramen i dag {format_money(self.remaining)}; "
            f"om ansökan beviljas återstår {format_money(self.remaining_after)}."
        )


@dataclass
class Case:
    number: int
    heading: str
    diarienummer: str | None
    organisation: str
    huvudomrade: str | None
    extra: bool
    proposal: str | None
    proposal_motivation: str | None
    effects: list[YearEffect]
    recommendation: str | None
    recommendation_motivation: str | None
    version_line: str | None
    sections: list[Section] = field(default_factory=list)


@dataclass
class AgendaLine:
    number: int
    heading: str
    extra: bool
    notes: str | None = None


@dataclass
class HandlingarDocument:
    forbund: str
    meeting: Meeting
    when: str
    place: str
    kallelse_sent: str | None
    agenda: list[AgendaLine]
    cases: list[Case]

    @property
    def file_stem(self) -> str:
        return f"sammantradeshandlingar-{format_date(self.meeting.date)}"


def _effects(item: AgendaItem, proposal: Assessment | None) -> list[YearEffect]:
    application = item.application
    if proposal is None or application is None or application.huvudomrade_id is None:
        return []
    effects = []
    for amount in proposal.amounts:
        if not amount.amount:
            continue
        try:
            remaining = ledger.frame_for(amount.year, application.huvudomrade_id).remaining
        except DomainError:
            effects.append(YearEffect(amount.year, amount.amount, None, None))
            continue
        effects.append(YearEffect(amount.year, amount.amount, remaining, remaining - amount.amount))
    return effects


def _case(item: AgendaItem, number: int) -> Case:
    application = item.application
    proposal = latest_assessment(application, AssessmentStage.PROPOSAL)
    recommendation = latest_assessment(application, AssessmentStage.RECOMMENDATION)
    version = application.versions[-1] if application.versions else None
    document = document_for_version(version) if version is not None else None
    return Case(
        number=number,
        heading=application.display_title,
        diarienummer=application.diarienummer,
        organisation=application.organisation.name,
        huvudomrade=application.huvudomrade.name if application.huvudomrade else None,
        extra=item.is_extra,
        proposal=proposal_sentence(proposal) if proposal is not None else None,
        proposal_motivation=proposal.motivation if proposal is not None else None,
        effects=_effects(item, proposal),
        recommendation=recommendation.kind_label if recommendation is not None else None,
        recommendation_motivation=recommendation.motivation if recommendation else None,
        version_line=document.version_line if document is not None else None,
        sections=document.sections if document is not None else [],
    )


def _item_notes(item: AgendaItem) -> str | None:
    """What the agenda says under an item: an other item's text, or the delegationsbeslut
    an anmälan reports."""
    if item.is_case:
        return None
    if item.delegation_decisions:
        return " ".join(delegation.report_line(d) for d in item.delegation_decisions)
    return item.notes


def handlingar_document(meeting: Meeting) -> HandlingarDocument:
    """The sammanträdeshandlingar of a board meeting, from its agenda as it is now."""
    agenda = [
        AgendaLine(number, item.heading, item.is_extra, _item_notes(item))
        for number, item in enumerate(meeting.items, start=1)
    ]
    cases = [
        _case(item, number)
        for number, item in enumerate(meeting.items, start=1)
        if item.application is not None
    ]
    return HandlingarDocument(
        forbund=forbund_name(),
        meeting=meeting,
        when=meeting_when(meeting),
        place=meeting.place,
        kallelse_sent=format_datetime(meeting.kallelse_sent_at)
        if meeting.kallelse_sent_at
        else None,
        agenda=agenda,
        cases=cases,
    )
