"""Meeting rules: agenda, attendance, jäv, decisions with § numbers, sign-off.

Every change first locks the meeting row (``SELECT … FOR UPDATE``; on SQLite the writer
lock already holds) and refuses if the minutes are signed. That serialises the decisions
of one meeting, so two members recording at once cannot take the same §, and no decision
slips in while the minutes are being signed off. The database triggers of migration 0006
refuse the same changes again if code ever forgets.

Money moves only through :mod:`finsam_ansokan.budget.ledger` (``grant_many`` and
``release``), statuses only through ``applications.services.transition``. Services flush
and never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import cache

import holidays
from sqlalchemy import exists, extract, func, select
from sqlalchemy.orm import contains_eager, joinedload

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.applications import finality
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Action, Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.core.errors import DomainError, NotAllowed
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.timeutil import as_local, format_date, today, utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements
from finsam_ansokan.notifications import services as notifications
from finsam_ansokan.review.models import AssessmentStage
from finsam_ansokan.review.services import latest_assessment, requested_by_year

from . import settings as meeting_settings
from .models import (
    BOARD_KINDS,
    EARLIEST_MEETING_DATE,
    LATEST_MEETING_DATE,
    AgendaItem,
    Attendance,
    AttendanceRole,
    Decision,
    DecisionAmount,
    DecisionKind,
    DelegationDecision,
    Jav,
    Meeting,
    MeetingKind,
    Paragraph,
    Signatory,
    SignatoryRole,
)

#: §§ that open every meeting: opened, justerare chosen, agenda approved.
OPENING_PARAGRAPHS = (
    ("Mötets öppnande", "Ordföranden förklarar sammanträdet öppnat."),
    (
        "Val av justerare",
        "Styrelsen beslutar att utse {justerare} att jämte ordföranden justera protokollet.",
    ),
    ("Godkännande av dagordning", "Styrelsen beslutar att godkänna dagordningen."),
)
MAX_TEXT = 4000
SIGNED_MESSAGE = (
    "Protokollet är justerat och kan inte ändras. En rättelse kräver ett nytt beslut vid ett "
    "senare sammanträde."
)
JUSTERING_STARTED_MESSAGE = (
    "Justeringen av protokollet har börjat och protokollet kan inte längre ändras."
)


def _text(value: str | None, *, limit: int = MAX_TEXT, field: str | None = None) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(f"Texten får vara högst {limit} tecken.", field=field)
    return value or None


def decision_texts(
    kind: DecisionKind, motivation: str | None, villkor: str | None
) -> tuple[str | None, str | None]:
    """A decision's motivering and villkor, checked: a motivering for anything but a full
    grant that is not a bordläggning, villkor only on a grant (the board's and a
    delegationsbeslut alike)."""
    motivation = _text(motivation, field="motivation")
    villkor = _text(villkor, field="villkor")
    needs_motivation = (DecisionKind.DELVIS_BEVILJA, DecisionKind.AVSLA, DecisionKind.ATERREMITTERA)
    if kind in needs_motivation and not motivation:
        raise DomainError(
            f"Skriv en motivering till beslutet att {kind.label.lower()}.", field="motivation"
        )
    if villkor and not kind.grants:
        raise DomainError("Villkor kan bara knytas till ett beviljande beslut.", field="villkor")
    return motivation, villkor


# --- meetings -------------------------------------------------------------------------------


@dataclass
class MeetingData:
    date: date | None
    place: str | None
    kind: str = MeetingKind.STYRELSEMOTE.value
    start_time: time | None = None
    end_time: time | None = None
    #: The board meeting's own deadline for complete applications (none: the rule).
    application_deadline: date | None = None


#: How far ahead a meeting may be planned.
PLANNING_HORIZON = timedelta(days=3 * 366)


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _last_justerad_of_year(year: int) -> Meeting | None:
    first, last = _year_bounds(year)
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.signed_at.is_not(None), Meeting.date.between(first, last))
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(1)
    ).first()


def _check_date(meeting: Meeting, value: date) -> None:
    if not EARLIEST_MEETING_DATE <= value <= min(LATEST_MEETING_DATE, today() + PLANNING_HORIZON):
        raise DomainError(
            f"Ange ett datum mellan {format_date(EARLIEST_MEETING_DATE)} och "
            f"{format_date(today() + PLANNING_HORIZON)}.",
            field="date",
        )
    latest = _last_justerad_of_year(value.year)
    if latest is not None and latest.id != meeting.id and value < latest.date:
        raise DomainError(
            f"Protokollet från sammanträdet {format_date(latest.date)} är redan justerat. "
            "Paragraferna numreras i sammanträdenas datumordning, så ett nytt sammanträde "
            "samma år kan inte ha ett tidigare datum.",
            field="date",
        )


def _apply(meeting: Meeting, data: MeetingData) -> None:
    if data.date is None:
        raise DomainError("Ange datum för sammanträdet.", field="date")
    _check_date(meeting, data.date)
    place = _text(data.place, limit=200, field="place")
    if not place:
        raise DomainError("Ange plats för sammanträdet.", field="place")
    try:
        kind = MeetingKind(data.kind)
    except ValueError:
        raise DomainError("Välj typ av sammanträde.", field="kind") from None
    if data.start_time and data.end_time and data.end_time <= data.start_time:
        raise DomainError("Sluttiden måste vara efter starttiden.", field="end_time")
    deadline = data.application_deadline
    if deadline is not None:
        if not kind.is_board:
            raise DomainError(
                "Bara styrelsens sammanträden har en sista dag för ansökningar.",
                field="application_deadline",
            )
        if not data.date - PLANNING_HORIZON <= deadline <= data.date:
            raise DomainError(
                "Sista dag för ansökningar ska vara senast sammanträdets dag.",
                field="application_deadline",
            )
    meeting.application_deadline = deadline
    meeting.date = data.date
    meeting.place = place
    meeting.kind = kind.value
    meeting.start_time = data.start_time
    meeting.end_time = data.end_time


def create_meeting(data: MeetingData, *, actor: User) -> Meeting:
    meeting = Meeting(created_by_id=actor.id)
    _apply(meeting, data)
    db.session.add(meeting)
    db.session.flush()
    record_event(
        "meeting_created",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"{meeting.kind_label} {format_date(meeting.date)} planerades.",
    )
    if meeting.application_deadline is not None:
        _deadline_event(meeting, actor)
    return meeting


def _deadline_event(meeting: Meeting, actor: User) -> None:
    deadline = meeting.application_deadline
    record_event(
        "meeting_deadline_set",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=(
            f"Sista dag för ansökningar till sammanträdet {format_date(meeting.date)} sattes "
            f"till {format_date(deadline)}."
            if deadline is not None
            else f"Sista dag för ansökningar till sammanträdet {format_date(meeting.date)} "
            "följer åter förbundets regel."
        ),
    )


def update_meeting(meeting: Meeting, data: MeetingData, *, actor: User) -> Meeting:
    meeting = lock(meeting)
    if data.date != meeting.date and _has_decisions(meeting):
        raise DomainError(
            "Sammanträdet har registrerade beslut; datumet kan inte ändras.", field="date"
        )
    if not MeetingKind(data.kind).is_board and (meeting.items or meeting.attendance):
        raise DomainError(
            "Sammanträdet har en dagordning eller närvarolista och kan inte bli ett möte i "
            "beredningsgruppen.",
            field="kind",
        )
    deadline_before = meeting.application_deadline
    _apply(meeting, data)
    db.session.flush()
    record_event("meeting_updated", actor=actor, subject=f"meeting:{meeting.id}")
    if meeting.application_deadline != deadline_before:
        _deadline_event(meeting, actor)
    return meeting


def delete_meeting(meeting: Meeting, *, actor: User) -> None:
    """Remove a meeting that was never held: no decisions, nothing justerat."""
    meeting = lock(meeting)
    if _has_decisions(meeting):
        raise DomainError("Sammanträdet har beslut och kan inte tas bort.")
    for signatory in list(meeting.signatories):
        db.session.delete(signatory)
    for item in list(meeting.items):
        for jav in list(item.jav):
            db.session.delete(jav)
        db.session.delete(item)
    db.session.flush()
    for attendance in list(meeting.attendance):
        db.session.delete(attendance)
    db.session.flush()
    record_event(
        "meeting_deleted",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"Sammanträdet {format_date(meeting.date)} togs bort.",
    )
    db.session.delete(meeting)
    db.session.flush()


def _has_decisions(meeting: Meeting) -> bool:
    return bool(
        db.session.scalar(
            select(Decision.id)
            .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting.id)
            .limit(1)
        )
    )


def _lock_row(meeting: Meeting) -> Meeting:
    """Lock the meeting row for this transaction; refuse if the minutes are justerade."""
    db.session.flush()
    meeting = db.session.scalars(
        select(Meeting)
        .where(Meeting.id == meeting.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if meeting.is_signed:
        raise DomainError(SIGNED_MESSAGE)
    return meeting


def lock(meeting: Meeting) -> Meeting:
    """Lock the meeting row and refuse if justering has begun: once someone has justerat,
    the minutes they justerade must not change under the others."""
    meeting = _lock_row(meeting)
    if _justering_started(meeting):
        raise DomainError(JUSTERING_STARTED_MESSAGE)
    return meeting


NOT_A_BOARD_MEETING = (
    "Beredningsgruppens möten står i årsplaneringen; de har ingen dagordning, inga beslut "
    "och inget protokoll i systemet."
)


def lock_board(meeting: Meeting) -> Meeting:
    """As :func:`lock`, for what only a board meeting has (agenda, attendance, decisions)."""
    meeting = lock(meeting)
    if not meeting.is_board:
        raise DomainError(NOT_A_BOARD_MEETING)
    return meeting


def open_for_changes(meeting: Meeting) -> bool:
    """Items may still be added: the minutes are not justerade and justering has not begun."""
    return meeting.signed_at is None and not _justering_started(meeting)


def _justering_started(meeting: Meeting) -> bool:
    return bool(
        db.session.scalar(
            select(Signatory.id)
            .where(Signatory.meeting_id == meeting.id, Signatory.signed_at.is_not(None))
            .limit(1)
        )
    )


@dataclass(frozen=True)
class MeetingsIndex:
    """The meetings index: upcoming and unsigned meetings, then one year of past ones.

    Each meeting comes as ``(meeting, number of agenda items)``, counted in SQL, so a
    förbund with ten years of meetings loads one year's rows and no agenda items.
    """

    upcoming: list[tuple[Meeting, int]]
    past: list[tuple[Meeting, int]]
    past_years: list[int]
    year: int | None


def meetings_index(today: date, year: int | None = None) -> MeetingsIndex:
    item_count = (
        select(func.count(AgendaItem.id))
        .where(AgendaItem.meeting_id == Meeting.id)
        .correlate(Meeting)
        .scalar_subquery()
    )
    # a beredningsgrupp meeting keeps no minutes: it is past when its day is
    is_past = (Meeting.date < today) & (
        Meeting.signed_at.is_not(None) | Meeting.kind.not_in(BOARD_KINDS)
    )
    upcoming = db.session.execute(
        select(Meeting, item_count).where(~is_past).order_by(Meeting.date, Meeting.id)
    ).all()
    meeting_year = extract("year", Meeting.date)
    past_years = [  # EXTRACT gives a numeric on PostgreSQL
        int(y)
        for y in db.session.scalars(
            select(meeting_year).where(is_past).group_by(meeting_year).order_by(meeting_year.desc())
        )
    ]
    if year not in past_years:
        year = past_years[0] if past_years else None
    past = []
    if year is not None:
        past = db.session.execute(
            select(Meeting, item_count)
            .where(is_past, Meeting.date >= date(year, 1, 1), Meeting.date < date(year + 1, 1, 1))
            .order_by(Meeting.date.desc(), Meeting.id.desc())
        ).all()
    return MeetingsIndex(
        [tuple(row) for row in upcoming],
        [tuple(row) for row in past],
        past_years,
        year,
    )


# --- paragraphs ------------------------------------------------------------------------------


def _paragraph_count(meeting: Meeting) -> int:
    items = db.session.scalar(
        select(func.count(AgendaItem.id)).where(AgendaItem.meeting_id == meeting.id)
    )
    return len(OPENING_PARAGRAPHS) + (items or 0)


def _last_number_of_year(year: int) -> int:
    return db.session.scalar(select(func.max(Paragraph.number)).where(Paragraph.year == year)) or 0


def _earlier_unjusterade(meeting: Meeting) -> list[Meeting]:
    """Meetings of the same year before this one (by date, then creation) not yet justerade."""
    first, _last = _year_bounds(meeting.date.year)
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.signed_at.is_(None),
                Meeting.kind.in_(BOARD_KINDS),
                Meeting.date >= first,
                (Meeting.date < meeting.date)
                | ((Meeting.date == meeting.date) & (Meeting.id < meeting.id)),
            )
            .order_by(Meeting.date, Meeting.id)
        )
    )


def first_paragraph(meeting: Meeting) -> int:
    """The meeting's first §: fixed once justerat; before that the number it will get if
    the meetings before it are justerade as they stand (a preliminary number)."""
    if meeting.first_paragraph is not None:
        return meeting.first_paragraph
    before = sum(_paragraph_count(m) for m in _earlier_unjusterade(meeting))
    return _last_number_of_year(meeting.date.year) + before + 1


def item_numbers(meeting: Meeting) -> dict[int, int]:
    """Agenda item id → its § (final when justerat, else preliminary), in agenda order."""
    first = first_paragraph(meeting) + len(OPENING_PARAGRAPHS)
    return {item.id: first + offset for offset, item in enumerate(meeting.items)}


def _number_paragraphs(meeting: Meeting) -> int:
    """Fix the §§ at justering: the opening paragraphs, then the items in agenda order.
    The unique (year, number) of ``paragraphs`` refuses a number used twice in a year."""
    earlier = _earlier_unjusterade(meeting)
    if earlier:
        raise DomainError(
            f"Protokollet från sammanträdet {format_date(earlier[0].date)} måste justeras "
            "först: paragraferna numreras i sammanträdenas datumordning. Ett sammanträde som "
            "inte blev av kan tas bort."
        )
    year = meeting.date.year
    number = _last_number_of_year(year) + 1
    first = number
    for heading, _ in OPENING_PARAGRAPHS:
        db.session.add(Paragraph(year=year, number=number, meeting_id=meeting.id, heading=heading))
        number += 1
    for item in meeting.items:
        item.paragraph = number
        db.session.add(
            Paragraph(
                year=year,
                number=number,
                meeting_id=meeting.id,
                agenda_item_id=item.id,
                heading=item.heading[:200],
            )
        )
        number += 1
    db.session.flush()
    return first


# --- agenda ----------------------------------------------------------------------------------


#: The agenda item still waits for its decision.
_UNDECIDED = ~exists().where(Decision.agenda_item_id == AgendaItem.id)


def _pending_item():
    """An agenda item of the application that still waits for a decision."""
    return exists().where(AgendaItem.application_id == Application.id, _UNDECIDED)


def pending_agenda_item(application: Application) -> AgendaItem | None:
    """The agenda item on which ``application`` waits for a decision, if any."""
    return db.session.scalar(
        select(AgendaItem).where(AgendaItem.application_id == application.id, _UNDECIDED).limit(1)
    )


def cases_ready_for_agenda() -> list[Application]:
    """Klar för beslut and not already waiting on an agenda (bordlagda come back here)."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.status == Status.KLAR_FOR_BESLUT.value, ~_pending_item())
            .order_by(Application.diarie_year, Application.diarie_number)
        )
    )


def _next_position(meeting: Meeting) -> int:
    last = db.session.scalar(
        select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting.id)
    )
    return (last or 0) + 1


def add_case(meeting: Meeting, application: Application, *, actor: User) -> AgendaItem:
    meeting = lock_board(meeting)
    if application.status != Status.KLAR_FOR_BESLUT.value:
        raise DomainError(
            "Bara ärenden som är klara för beslut kan tas upp på dagordningen.",
            field="application_id",
        )
    if pending_agenda_item(application) is not None:
        raise DomainError(
            "Ärendet står redan på dagordningen för ett sammanträde.", field="application_id"
        )
    item = AgendaItem(
        meeting_id=meeting.id, application_id=application.id, position=_next_position(meeting)
    )
    db.session.add(item)
    db.session.flush()
    record_event(
        "agenda_item_added",
        actor=actor,
        application=application,
        subject=f"meeting:{meeting.id}",
        message=f"Ärendet togs upp på dagordningen för sammanträdet {format_date(meeting.date)}.",
    )
    return item


def add_other_item(
    meeting: Meeting, *, title: str | None, notes: str | None, actor: User
) -> AgendaItem:
    meeting = lock_board(meeting)
    title = _text(title, limit=200, field="title")
    if not title:
        raise DomainError("Ange en rubrik för punkten.", field="title")
    item = AgendaItem(
        meeting_id=meeting.id,
        title=title,
        notes=_text(notes, field="notes"),
        position=_next_position(meeting),
    )
    db.session.add(item)
    db.session.flush()
    record_event("agenda_item_added", actor=actor, subject=f"meeting:{meeting.id}", message=title)
    return item


def move_item(item: AgendaItem, direction: str, *, actor: User) -> None:
    """Swap the item with its neighbour above (``upp``) or below (``ned``)."""
    meeting = lock(item.meeting)
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    index = items.index(item)
    other = index - 1 if direction == "upp" else index + 1
    if direction not in ("upp", "ned") or not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        each.position = position
    db.session.flush()


def remove_item(item: AgendaItem, *, actor: User) -> None:
    meeting = lock(item.meeting)
    if item.decision is not None or item.paragraph is not None:
        raise DomainError("Punkten har ett beslut och kan inte tas bort från dagordningen.")
    # an anmälan of delegationsbeslut: they wait for the next meeting's anmälan
    for reported in list(item.delegation_decisions):
        reported.reported_item_id = None
    for jav in list(item.jav):
        db.session.delete(jav)
    db.session.delete(item)
    db.session.flush()
    record_event(
        "agenda_item_removed",
        actor=actor,
        application=item.application,
        subject=f"meeting:{meeting.id}",
        message=f"Punkten {item.heading} togs bort från dagordningen.",
    )


# --- attendance and jäv ---------------------------------------------------------------------


def add_attendance(
    meeting: Meeting,
    *,
    user: User | None,
    name: str | None,
    organisation: Organisation | None,
    role: str,
    note: str | None,
    actor: User,
) -> Attendance:
    meeting = lock_board(meeting)
    try:
        role_enum = AttendanceRole(role)
    except ValueError:
        raise DomainError("Välj roll vid sammanträdet.", field="role") from None
    name = _text(name, limit=200, field="name")
    if user is None and not name:
        raise DomainError("Välj en användare eller skriv personens namn.", field="name")
    if user is not None and db.session.scalar(
        select(Attendance.id).where(
            Attendance.meeting_id == meeting.id, Attendance.user_id == user.id
        )
    ):
        raise DomainError(f"{user.name} finns redan i närvarolistan.", field="user_id")
    attendance = Attendance(
        meeting_id=meeting.id,
        user_id=user.id if user else None,
        name=None if user else name,
        organisation_id=(
            organisation.id if organisation else (user.organisation_id if user else None)
        ),
        role=role_enum.value,
        note=_text(note, limit=200, field="note"),
        present=True,
    )
    db.session.add(attendance)
    db.session.flush()
    return attendance


def remove_attendance(attendance: Attendance, *, actor: User) -> None:
    lock(attendance.meeting)
    if db.session.scalar(select(Jav.id).where(Jav.attendance_id == attendance.id).limit(1)):
        raise DomainError("Personen är antecknad som jävig i ett ärende och kan inte tas bort.")
    if db.session.scalar(
        select(Signatory.id).where(Signatory.attendance_id == attendance.id).limit(1)
    ):
        raise DomainError("Personen ska justera protokollet; ta bort den uppgiften först.")
    db.session.delete(attendance)
    db.session.flush()


def declare_jav(
    item: AgendaItem, attendance: Attendance, reason: str | None, *, actor: User
) -> Jav:
    meeting = lock(item.meeting)
    if attendance.meeting_id != meeting.id:
        raise DomainError("Personen är inte med på sammanträdet.", field="attendance_id")
    if item.decision is not None:
        raise DomainError("Ärendet är redan beslutat; ändra beslutet först.", field="reason")
    reason = _text(reason, limit=300, field="reason")
    if not reason:
        raise DomainError("Ange skälet till jävet.", field="reason")
    if db.session.scalar(
        select(Jav.id).where(Jav.agenda_item_id == item.id, Jav.attendance_id == attendance.id)
    ):
        raise DomainError(
            f"{attendance.display_name} är redan antecknad som jävig.", field="attendance_id"
        )
    jav = Jav(agenda_item_id=item.id, attendance_id=attendance.id, reason=reason)
    db.session.add(jav)
    db.session.flush()
    record_event(
        "jav_declared",
        actor=actor,
        application=item.application,
        subject=f"meeting:{meeting.id}",
        message=f"{attendance.display_name} anmälde jäv: {reason}",
        data={"meeting_id": meeting.id},
    )
    return jav


def _automatic_jav(item: AgendaItem, application: Application) -> None:
    """Beslutande who represent the applying organisation take no part in the case."""
    declared = set(
        db.session.scalars(select(Jav.attendance_id).where(Jav.agenda_item_id == item.id))
    )
    for attendance in item.meeting.attendance:
        if (
            attendance.present
            and attendance.role_enum.decides
            and attendance.organisation_id == application.organisation_id
            and attendance.id not in declared
        ):
            db.session.add(
                Jav(
                    agenda_item_id=item.id,
                    attendance_id=attendance.id,
                    reason="Företräder den sökande organisationen "
                    f"({application.organisation.name})",
                    automatic=True,
                )
            )
    db.session.flush()


# --- decisions -------------------------------------------------------------------------------


def validated_amounts(
    kind: DecisionKind, amounts: Mapping[int, Decimal | None], requested: dict[int, Decimal]
) -> dict[int, Decimal]:
    if not kind.grants:
        return {}
    return application_services.validate_grant_amounts(
        requested, amounts, in_full=kind is DecisionKind.BEVILJA
    )


def background_text(application: Application, requested: dict[int, Decimal]) -> str:
    sought = " och ".join(
        f"{format_money(amount)} för {year}" for year, amount in requested.items() if amount
    )
    text = (
        f"{application.organisation.name} ansöker om {sought or 'medel'} till insatsen "
        f"{application.display_title}"
    )
    if application.huvudomrade is not None:
        text += f" inom huvudområdet {application.huvudomrade.name}"
    text += "."
    if application.purpose:
        text += f" Syfte: {application.purpose.strip()}"
    return text


def deciding_members(meeting: Meeting, item: AgendaItem | None = None) -> list[Attendance]:
    """Beslutande present (ledamöter and tjänstgörande ersättare), without those jäviga in
    ``item``."""
    javiga = {j.attendance_id for j in item.jav} if item is not None else set()
    return [
        a for a in meeting.attendance if a.present and a.role_enum.decides and a.id not in javiga
    ]


@dataclass(frozen=True)
class Quorum:
    present: int
    needed: int
    ledamoter: int

    @property
    def beslutfor(self) -> bool:
        return self.present >= self.needed

    @property
    def explanation(self) -> str:
        return (
            f"{self.present} beslutande deltar; styrelsen är beslutför när minst {self.needed} "
            f"av {self.ledamoter} ledamöter deltar (tjänstgörande ersättare räknas)."
        )


def quorum(
    meeting: Meeting,
    item: AgendaItem | None = None,
    *,
    rules: meeting_settings.Rules | None = None,
) -> Quorum:
    rules = rules or meeting_settings.current()
    return Quorum(
        present=len(deciding_members(meeting, item)),
        needed=rules.quorum(),
        ledamoter=rules.ledamoter(),
    )


def _check_held(meeting: Meeting) -> None:
    if today() < meeting.date:
        raise DomainError(
            f"Sammanträdet äger rum {format_date(meeting.date)}. Beslut kan registreras från "
            "och med den dagen.",
            field="kind",
        )


def record_decision(
    item: AgendaItem,
    *,
    kind: DecisionKind | str,
    amounts: Mapping[int, Decimal | None] | None = None,
    motivation: str | None = None,
    villkor: str | None = None,
    actor: User,
) -> Decision:
    """Record the board's decision on a case: grant the money, make the case Beslutad.

    The decision is final, and the case moves to its outcome, only when the minutes are
    justerade; the § is fixed then too."""
    meeting = lock_board(item.meeting)
    application = item.application
    if application is None:
        raise DomainError("Punkten är inget ärende; den protokollförs vid justeringen.")
    try:
        kind = DecisionKind(kind)
    except ValueError:
        raise DomainError("Välj ett beslut.", field="kind") from None
    if item.decision is not None:
        raise DomainError("Ärendet har redan ett beslut. Ändra beslutet i stället.", field="kind")
    # the case's row too (after the meeting's: one order for every path), re-read under the
    # lock: a withdrawal committed while the form was filled in is seen here, not as a
    # failed UPDATE at the end
    application_services.lock(application)
    if application.status == Status.ATERKALLAD.value:
        raise DomainError(
            "Sökanden har återkallat ansökan, så den kan inte beslutas. Ingenting har sparats; "
            "ladda om sidan för att se dagordningen som den är nu.",
            field="kind",
        )
    if application.status != Status.KLAR_FOR_BESLUT.value:
        raise DomainError(
            f"Ärendet har status {application.status_label.lower()} och kan inte beslutas.",
            field="kind",
        )
    _check_held(meeting)
    motivation, villkor_text = decision_texts(kind, motivation, villkor)
    requested = requested_by_year(application)
    cleaned = validated_amounts(kind, amounts or {}, requested)
    _automatic_jav(item, application)
    db.session.refresh(item)
    count = quorum(meeting, item)
    if not count.beslutfor:
        raise DomainError(f"Styrelsen är inte beslutför i ärendet. {count.explanation}")

    if cleaned:
        if application.huvudomrade_id is None:
            raise DomainError("Ansökan saknar huvudområde; det går inte att bevilja medel.")
        ledger.grant_many(
            {(year, application.huvudomrade_id): amount for year, amount in cleaned.items()},
            actor=actor,
            application=application,
        )
    application_services.transition(
        application, Action.DECIDE, actor=actor, data={"meeting_id": meeting.id}
    )
    proposal = latest_assessment(application, AssessmentStage.PROPOSAL)
    decision = Decision(
        agenda_item_id=item.id,
        application_id=application.id,
        kind=kind.value,
        motivation=motivation,
        villkor=villkor_text,
        proposal_id=proposal.id if proposal else None,
        background=background_text(application, requested),
        recorded_by_id=actor.id,
        amounts=[DecisionAmount(year=y, amount=a) for y, a in sorted(cleaned.items())],
    )
    db.session.add(decision)
    db.session.flush()
    record_event(
        "decision_recorded",
        actor=actor,
        application=application,
        subject=f"meeting:{meeting.id}",
        message=f"Beslut vid sammanträdet {format_date(meeting.date)}: {kind.outcome}",
        data={
            "decision_id": decision.id,
            "kind": kind.value,
            "meeting_id": meeting.id,
            "deciding": len(deciding_members(meeting, item)),
            "amounts": {str(y): str(a) for y, a in cleaned.items()},
        },
    )
    db.session.refresh(item)
    return decision


def undo_decision(item: AgendaItem, *, actor: User) -> None:
    """Ändra beslut, before justering: return the money and the status, free the item."""
    meeting = lock(item.meeting)
    decision = item.decision
    if decision is None:
        raise DomainError("Ärendet har inget beslut att ändra.")
    application = decision.application
    application_services.lock(application)
    kind = decision.kind_enum
    for amount in decision.amounts:
        ledger.release(
            (amount.year, application.huvudomrade_id),
            amount.amount,
            actor=actor,
            application=application,
        )
    application_services.transition(
        application, Action.REOPEN, actor=actor, data={"meeting_id": meeting.id}
    )
    for amount in list(decision.amounts):
        db.session.delete(amount)
    for jav in list(item.jav):
        if jav.automatic:
            db.session.delete(jav)
    db.session.delete(decision)
    db.session.flush()
    db.session.expire(item)
    record_event(
        "decision_changed",
        actor=actor,
        application=application,
        subject=f"meeting:{meeting.id}",
        message=f"Beslutet ({kind.outcome.lower()}) togs tillbaka för att ändras före justeringen.",
        data={"meeting_id": meeting.id},
    )


# --- ordförande, sekreterare, justerare ----------------------------------------------------

_ROLE_ORDER = {
    SignatoryRole.ORDFORANDE: 1,
    SignatoryRole.SEKRETERARE: 2,
    SignatoryRole.JUSTERARE: 3,
}


def add_signatory(
    meeting: Meeting,
    *,
    role: str,
    attendance: Attendance | None,
    name: str | None,
    actor: User,
) -> Signatory:
    """Name the ordförande, the sekreterare or a justerare: someone in the attendance (who
    then justerar in the system) or, for a person without an account, a name."""
    meeting = lock_board(meeting)
    try:
        role_enum = SignatoryRole(role)
    except ValueError:
        raise DomainError("Välj uppgift.", field="role") from None
    name = _text(name, limit=200, field="name")
    if attendance is None and not name:
        raise DomainError("Välj en person i närvarolistan eller skriv ett namn.", field="name")
    if attendance is not None:
        if attendance.meeting_id != meeting.id or not attendance.present:
            raise DomainError("Personen är inte med på sammanträdet.", field="attendance_id")
        name = None
        if any(s.attendance_id == attendance.id for s in meeting.signatories):
            raise DomainError(
                f"{attendance.display_name} har redan en uppgift vid justeringen.",
                field="attendance_id",
            )
    if role_enum is not SignatoryRole.JUSTERARE and meeting.signatories_in(role_enum):
        raise DomainError(
            f"Sammanträdet har redan en {role_enum.label.lower()}; ta bort den först.",
            field="role",
        )
    signatory = Signatory(
        meeting_id=meeting.id,
        role=role_enum.value,
        role_order=_ROLE_ORDER[role_enum],
        attendance_id=attendance.id if attendance else None,
        name=name,
    )
    db.session.add(signatory)
    db.session.flush()
    db.session.refresh(meeting)
    record_event(
        "signatory_named",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"{signatory.display_name} är {role_enum.label.lower()} vid justeringen.",
    )
    if attendance is not None and attendance.user is not None:
        notifications.justering_asked(
            meeting, [attendance.user], role_label=role_enum.label, actor=actor
        )
    return signatory


def remove_signatory(signatory: Signatory, *, actor: User) -> None:
    meeting = lock(signatory.meeting)
    record_event(
        "signatory_removed",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"{signatory.display_name} är inte längre "
        f"{signatory.role_enum.label.lower()} vid justeringen.",
    )
    db.session.delete(signatory)
    db.session.flush()


# --- justering -------------------------------------------------------------------------------


def confirm_identity(user: User, password: str | None) -> None:
    """The step a signatory takes to justera: re-enter the password.

    The one place to swap for a stronger re-authentication (a second factor) later."""
    if not password or not user.check_password(password):
        raise DomainError("Lösenordet stämmer inte.", field="password")


def meeting_has_ended(meeting: Meeting) -> bool:
    """Justering only after the meeting: from its end time that day, or the day after."""
    now = as_local(utcnow())
    if now.date() != meeting.date:
        return now.date() > meeting.date
    return meeting.end_time is not None and now.time() >= meeting.end_time


def justering_problems(meeting: Meeting) -> list[str]:
    """Why the minutes cannot be justerade yet (empty when they can)."""
    problems = []
    if not meeting_has_ended(meeting):
        problems.append(
            "Protokollet kan justeras först när sammanträdet har ägt rum "
            f"({format_date(meeting.date)})."
        )
    undecided = [i.heading for i in meeting.items if i.is_case and i.decision is None]
    if undecided:
        problems.append(
            "Alla ärenden måste ha ett beslut (ta bort återkallade ärenden från dagordningen): "
            + ", ".join(undecided)
            + "."
        )
    for role in (SignatoryRole.ORDFORANDE, SignatoryRole.SEKRETERARE, SignatoryRole.JUSTERARE):
        if not meeting.signatories_in(role):
            problems.append(f"Ange {role.label.lower()} för protokollet.")
    if not deciding_members(meeting):
        problems.append("Ange vilka ledamöter som var närvarande.")
    earlier = _earlier_unjusterade(meeting)
    if earlier:
        problems.append(
            f"Protokollet från sammanträdet {format_date(earlier[0].date)} måste justeras "
            "först: paragraferna numreras i sammanträdenas datumordning. Ett sammanträde som "
            "inte blev av kan tas bort."
        )
    return problems


def justering_deadline(meeting: Meeting) -> date:
    return meeting_settings.current().justering_deadline(meeting.date)


def justera(signatory: Signatory, *, actor: User, password: str | None) -> Meeting:
    """A signatory justerar the minutes themselves, confirming with their password."""
    _lock_row(signatory.meeting)
    if signatory.user_id is None or signatory.user_id != actor.id:
        raise NotAllowed("Bara den som är utsedd kan justera protokollet i sitt eget namn.")
    confirm_identity(actor, password)
    return _justerat(signatory, actor=actor, how="digitalt")


def record_paper_justering(signatory: Signatory, *, actor: User) -> Meeting:
    """The kansli records that a person without an account has justerat on paper."""
    if signatory.user_id is not None:
        raise NotAllowed(f"{signatory.display_name} justerar själv i systemet.")
    return _justerat(signatory, actor=actor, how="på papper")


def _justerat(signatory: Signatory, *, actor: User, how: str) -> Meeting:
    meeting = _lock_row(signatory.meeting)
    db.session.refresh(signatory)
    if signatory.signed_at is not None:
        raise DomainError(f"{signatory.display_name} har redan justerat protokollet.")
    problems = justering_problems(meeting)
    if problems:
        raise DomainError(" ".join(problems))
    signatory.signed_at = utcnow()
    signatory.signed_by_id = actor.id
    db.session.flush()
    record_event(
        "minutes_justerade_by",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"{signatory.display_name} ({signatory.role_enum.label.lower()}) justerade "
        f"protokollet {how}.",
        data={"signatory_id": signatory.id, "role": signatory.role, "how": how},
    )
    db.session.refresh(meeting)
    if all(s.signed_at is not None for s in meeting.signatories):
        _finalise(meeting, actor=actor)
    return meeting


def _finalise(meeting: Meeting, *, actor: User) -> None:
    """All have justerat: fix the §§, post the anslag, make the decisions final."""
    first = _number_paragraphs(meeting)
    rules = meeting_settings.current()
    now = utcnow()
    posted = as_local(now).date()
    # one UPDATE: once signed_at reaches the database the trigger refuses any other
    meeting.first_paragraph = first
    meeting.signed_by_id = actor.id
    meeting.anslag_up_on = posted
    meeting.anslag_down_on = posted + timedelta(days=rules.anslag_days)
    meeting.signed_at = now
    db.session.flush()
    record_event(
        "minutes_signed",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"Protokollet från sammanträdet {format_date(meeting.date)} är justerat "
        f"({paragraph_range(meeting)}).",
    )
    record_event(
        "anslag_posted",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"Anslaget om justeringen sitter uppe {format_date(meeting.anslag_up_on)}–"
        f"{format_date(meeting.anslag_down_on)}.",
    )
    for item in meeting.items:
        decision = item.decision
        if decision is None:
            continue
        application = decision.application
        kind = decision.kind_enum
        application_services.transition(
            application, _OUTCOME[kind], actor=actor, data={"meeting_id": meeting.id}
        )
        if kind.grants:
            application_services.transition(
                application, Action.START, actor=actor, data={"meeting_id": meeting.id}
            )
        record_event(
            finality.FINAL_EVENT_KIND,
            actor=actor,
            application=application,
            subject=f"meeting:{meeting.id}",
            message=f"Protokollet justerades; § {item.paragraph}: {kind.outcome}.",
            data={"meeting_id": meeting.id, "paragraph": item.paragraph},
        )
        notifications.decision_made(application, summary(decision))
        if kind.grants:  # the överenskommelse, drawn up from the final decision
            agreements.draw_up(
                application,
                reference=f"Styrelsen {format_date(meeting.date)}, § {item.paragraph}",
                decided_on=meeting.date,
                amounts={a.year: a.amount for a in decision.amounts},
                villkor=decision.villkor,
                actor=actor,
            )


_OUTCOME = {
    DecisionKind.BEVILJA: Action.GRANT,
    DecisionKind.DELVIS_BEVILJA: Action.GRANT_PART,
    DecisionKind.AVSLA: Action.REJECT,
    DecisionKind.ATERREMITTERA: Action.SEND_BACK,
    DecisionKind.BORDLAGG: Action.POSTPONE,
}


def paragraph_range(meeting: Meeting) -> str:
    first = first_paragraph(meeting)
    last = first + _paragraph_count(meeting) - 1
    return f"§§ {first}–{last}"


# --- anslagstavla ----------------------------------------------------------------------------


def appeal_last_day(meeting: Meeting) -> date | None:
    """The last day to appeal: three weeks after the anslag went up (13 kap. 5 §
    kommunallagen). If that day is a Saturday, Sunday, public holiday, midsommarafton,
    julafton or nyårsafton, the next weekday (lagen (1930:173) om beräkning av lagstadgad
    tid)."""
    if meeting.anslag_up_on is None:
        return None
    day = meeting.anslag_up_on + timedelta(days=21)
    while _not_a_working_day(day):
        day += timedelta(days=1)
    return day


@cache
def _public_holidays(year: int) -> holidays.HolidayBase:
    """Sweden's public holidays of ``year``, computed once per process (not per page)."""
    return holidays.country_holidays("SE", years=year)


def _not_a_working_day(day: date) -> bool:
    midsommarafton = day.month == 6 and 19 <= day.day <= 25 and day.weekday() == 4
    return (
        day.weekday() >= 5
        or day in _public_holidays(day.year)
        or (day.month, day.day) in ((12, 24), (12, 31))
        or midsommarafton
    )


def anslag(on: date) -> tuple[list[Meeting], list[Meeting]]:
    """The anslagstavla: anslag up on ``on``, and those taken down (newest first)."""
    posted = select(Meeting).where(Meeting.signed_at.is_not(None), Meeting.anslag_up_on <= on)
    current = db.session.scalars(
        posted.where(Meeting.anslag_down_on > on).order_by(Meeting.anslag_up_on.desc())
    ).all()
    past = db.session.scalars(
        posted.where(Meeting.anslag_down_on <= on).order_by(Meeting.anslag_up_on.desc())
    ).all()
    return list(current), list(past)


# --- wording -------------------------------------------------------------------------------


def amounts_text(decision: Decision | DelegationDecision) -> str:
    return " och ".join(
        f"{format_money(a.amount)} för {a.year}" for a in decision.amounts if a.amount
    )


def decision_sentence(decision: Decision | DelegationDecision) -> str:
    """The decision as the minutes word it, after "Styrelsen beslutar" (a delegationsbeslut
    after "<the delegate> beslutar")."""
    application = decision.application
    organisation = application.organisation.name
    title = application.display_title
    kind = decision.kind_enum
    if kind is DecisionKind.BEVILJA:
        return f"att bevilja {organisation} {amounts_text(decision)} till insatsen {title}"
    if kind is DecisionKind.DELVIS_BEVILJA:
        return (
            f"att delvis bevilja ansökan och bevilja {organisation} {amounts_text(decision)} "
            f"till insatsen {title}"
        )
    if kind is DecisionKind.AVSLA:
        return f"att avslå ansökan från {organisation} om medel till insatsen {title}"
    if kind is DecisionKind.ATERREMITTERA:
        return "att återremittera ärendet till kansliet för fortsatt beredning"
    return "att bordlägga ärendet till ett senare sammanträde"


def summary(decision: Decision) -> str:
    """What the applicant is told: the decision, its motivation and villkor (nothing internal)."""
    meeting = decision.agenda_item.meeting
    lines = [
        f"Styrelsens sammanträde {format_date(meeting.date)}, § {decision.agenda_item.paragraph}:",
        f"Styrelsen beslutar {decision_sentence(decision)}.",
    ]
    if decision.villkor:
        lines.append(f"Villkor: {decision.villkor}")
    if decision.motivation:
        lines.append(f"Motivering: {decision.motivation}")
    last_day = appeal_last_day(meeting)
    if last_day is not None:
        lines.append(
            f"Protokollet justerades {format_date(meeting.signed_at)}. Beslutet kan överklagas "
            f"genom laglighetsprövning; sista dag är {format_date(last_day)}. Hur det går till "
            "står i beslutsbrevet."
        )
    return "\n".join(lines)


def jav_sentence(jav: Jav) -> str:
    return f"{jav.attendance.display_name} deltog inte i handläggningen av ärendet på grund av jäv."


def decisions_for(application: Application, viewer: User | None) -> list[Decision]:
    """The application's decisions ``viewer`` may read, newest first: those of justerade
    minutes, and the others too for those entitled to the meeting papers
    (:func:`finality.decision_visible`)."""
    query = (
        select(Decision)
        .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Decision.application_id == application.id)
        .order_by(Meeting.date.desc(), Decision.id.desc())
        .options(
            contains_eager(Decision.agenda_item).contains_eager(AgendaItem.meeting),
            joinedload(Decision.amounts),  # in the same statement
        )
    )
    if not finality.decision_visible(viewer, justerad=False):
        query = query.where(Meeting.signed_at.is_not(None))
    return list(db.session.scalars(query).unique())


@dataclass(frozen=True)
class DecisionSummary:
    """A case's latest decision as a list or an export shows it."""

    meeting_date: date
    paragraph: int | None  # None until the minutes are justerade
    outcome: str


def latest_decisions(application_ids: list[int], viewer: User | None) -> dict[int, DecisionSummary]:
    """The newest decision ``viewer`` may read (:func:`decisions_for`'s rule, and any
    delegationsbeslut) of each of many applications, in two queries."""
    query = (
        select(Decision.application_id, Decision.kind, Meeting.date, AgendaItem.paragraph)
        .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Decision.application_id.in_(application_ids))
        .order_by(Decision.application_id, Meeting.date.desc(), Decision.id.desc())
    )
    if not finality.decision_visible(viewer, justerad=False):
        query = query.where(Meeting.signed_at.is_not(None))
    result: dict[int, DecisionSummary] = {}
    for application_id, kind, meeting_date, paragraph in db.session.execute(query):
        if application_id not in result:
            result[application_id] = DecisionSummary(
                meeting_date, paragraph, DecisionKind(kind).outcome
            )
    # a delegationsbeslut is final when made: everyone who sees the case reads it
    delegated = select(DelegationDecision).where(
        DelegationDecision.application_id.in_(application_ids)
    )
    for decision in db.session.scalars(delegated):
        board = result.get(decision.application_id)
        if board is None or board.meeting_date <= decision.decided_on:
            result[decision.application_id] = DecisionSummary(
                decision.decided_on,
                None,
                f"{decision.kind_enum.outcome} (delegationsbeslut {decision.label})",
            )
    return result


def latest_justerad_decision(application: Application) -> Decision | None:
    """The newest decision on the application in justerade minutes, if any."""
    decisions = decisions_for(application, None)
    return decisions[0] if decisions else None
