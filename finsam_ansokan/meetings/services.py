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
from datetime import date, time
from decimal import Decimal

from sqlalchemy import exists, extract, func, select
from sqlalchemy.orm import contains_eager

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Action, Status
from finsam_ansokan.budget import ledger
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.timeutil import format_date, utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import AssessmentStage
from finsam_ansokan.review.services import latest_assessment, requested_by_year

from .models import (
    AgendaItem,
    Attendance,
    AttendanceRole,
    Decision,
    DecisionAmount,
    DecisionKind,
    Jav,
    Meeting,
    MeetingKind,
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


def _text(value: str | None, *, limit: int = MAX_TEXT, field: str | None = None) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(f"Texten får vara högst {limit} tecken.", field=field)
    return value or None


# --- meetings -------------------------------------------------------------------------------


@dataclass
class MeetingData:
    date: date | None
    place: str | None
    kind: str = MeetingKind.STYRELSEMOTE.value
    start_time: time | None = None
    end_time: time | None = None
    first_paragraph: int | None = None
    chair_name: str | None = None
    secretary_name: str | None = None
    justerare_name: str | None = None


def next_paragraph_of_year(year: int, *, exclude: Meeting | None = None) -> int:
    """The § after the last one used (or reserved for opening) in ``year``."""
    query = select(Meeting).where(extract("year", Meeting.date) == year)
    if exclude is not None and exclude.id is not None:
        query = query.where(Meeting.id != exclude.id)
    last = 0
    for meeting in db.session.scalars(query):
        last = max(last, _last_paragraph(meeting))
    return last + 1


def _last_paragraph(meeting: Meeting) -> int:
    used = db.session.scalar(
        select(func.max(AgendaItem.paragraph)).where(AgendaItem.meeting_id == meeting.id)
    )
    return max(used or 0, meeting.first_paragraph + len(OPENING_PARAGRAPHS) - 1)


def _apply(meeting: Meeting, data: MeetingData) -> None:
    if data.date is None:
        raise DomainError("Ange datum för sammanträdet.", field="date")
    place = _text(data.place, limit=200, field="place")
    if not place:
        raise DomainError("Ange plats för sammanträdet.", field="place")
    try:
        kind = MeetingKind(data.kind)
    except ValueError:
        raise DomainError("Välj typ av sammanträde.", field="kind") from None
    if data.start_time and data.end_time and data.end_time <= data.start_time:
        raise DomainError("Sluttiden måste vara efter starttiden.", field="end_time")
    first = data.first_paragraph or next_paragraph_of_year(data.date.year, exclude=meeting)
    if first < 1 or first > 100_000:
        raise DomainError("Första paragrafen måste vara ett positivt tal.", field="first_paragraph")
    meeting.date = data.date
    meeting.place = place
    meeting.kind = kind.value
    meeting.start_time = data.start_time
    meeting.end_time = data.end_time
    meeting.first_paragraph = first
    meeting.chair_name = _text(data.chair_name, limit=200, field="chair_name")
    meeting.secretary_name = _text(data.secretary_name, limit=200, field="secretary_name")
    meeting.justerare_name = _text(data.justerare_name, limit=200, field="justerare_name")


def create_meeting(data: MeetingData, *, actor: User) -> Meeting:
    meeting = Meeting(created_by_id=actor.id)
    _apply(meeting, data)
    db.session.add(meeting)
    db.session.flush()
    record_event(
        "meeting_created",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"Sammanträde {format_date(meeting.date)} skapades.",
    )
    return meeting


def update_meeting(meeting: Meeting, data: MeetingData, *, actor: User) -> Meeting:
    meeting = lock(meeting)
    numbered = db.session.scalar(
        select(func.count(AgendaItem.id)).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.paragraph.is_not(None)
        )
    )
    if numbered and data.first_paragraph not in (None, meeting.first_paragraph):
        raise DomainError(
            "Paragraferna är redan numrerade; första paragrafen kan inte ändras.",
            field="first_paragraph",
        )
    _apply(meeting, data)
    db.session.flush()
    record_event("meeting_updated", actor=actor, subject=f"meeting:{meeting.id}")
    return meeting


def lock(meeting: Meeting) -> Meeting:
    """Lock the meeting row for this transaction and refuse if the minutes are signed."""
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


def upcoming_and_past(today: date) -> tuple[list[Meeting], list[Meeting]]:
    upcoming = db.session.scalars(
        select(Meeting)
        .where((Meeting.date >= today) | Meeting.signed_at.is_(None))
        .order_by(Meeting.date, Meeting.id)
    ).all()
    past = db.session.scalars(
        select(Meeting)
        .where(Meeting.date < today, Meeting.signed_at.is_not(None))
        .order_by(Meeting.date.desc(), Meeting.id.desc())
    ).all()
    return list(upcoming), list(past)


# --- agenda ----------------------------------------------------------------------------------


def _pending_item():
    """An agenda item of the application that still waits for a decision."""
    return exists().where(
        AgendaItem.application_id == Application.id,
        ~exists().where(Decision.agenda_item_id == AgendaItem.id),
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
    meeting = lock(meeting)
    if application.status != Status.KLAR_FOR_BESLUT.value:
        raise DomainError(
            "Bara ärenden som är klara för beslut kan tas upp på dagordningen.",
            field="application_id",
        )
    if db.session.scalar(select(_pending_item().where(Application.id == application.id))):
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
    meeting = lock(meeting)
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
    meeting = lock(meeting)
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


def _validated_amounts(
    kind: DecisionKind, amounts: Mapping[int, Decimal | None], requested: dict[int, Decimal]
) -> dict[int, Decimal]:
    if not kind.grants:
        return {}
    return application_services.validate_grant_amounts(
        requested, amounts, in_full=kind is DecisionKind.BEVILJA
    )


_TRANSITION = {
    DecisionKind.BEVILJA: Action.GRANT,
    DecisionKind.DELVIS_BEVILJA: Action.GRANT_PART,
    DecisionKind.AVSLA: Action.REJECT,
    DecisionKind.ATERREMITTERA: Action.SEND_BACK,
}


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


def record_decision(
    item: AgendaItem,
    *,
    kind: DecisionKind | str,
    amounts: Mapping[int, Decimal | None] | None = None,
    motivation: str | None = None,
    villkor: str | None = None,
    actor: User,
) -> Decision:
    """Record the board's decision on a case; grant the money; move the status; take a §."""
    meeting = lock(item.meeting)
    application = item.application
    if application is None:
        raise DomainError("Punkten är inget ärende; den protokollförs vid justeringen.")
    try:
        kind = DecisionKind(kind)
    except ValueError:
        raise DomainError("Välj ett beslut.", field="kind") from None
    if item.decision is not None:
        raise DomainError("Ärendet har redan ett beslut. Ändra beslutet i stället.", field="kind")
    if application.status != Status.KLAR_FOR_BESLUT.value:
        raise DomainError(
            f"Ärendet har status {application.status_label.lower()} och kan inte beslutas.",
            field="kind",
        )
    motivation = _text(motivation, field="motivation")
    villkor_text = _text(villkor, field="villkor")
    needs_motivation = (DecisionKind.DELVIS_BEVILJA, DecisionKind.AVSLA, DecisionKind.ATERREMITTERA)
    if kind in needs_motivation and not motivation:
        raise DomainError(
            f"Skriv en motivering till beslutet att {kind.label.lower()}.", field="motivation"
        )
    if villkor_text and not kind.grants:
        raise DomainError("Villkor kan bara knytas till ett beviljande beslut.", field="villkor")
    requested = requested_by_year(application)
    cleaned = _validated_amounts(kind, amounts or {}, requested)

    if cleaned:
        if application.huvudomrade_id is None:
            raise DomainError("Ansökan saknar huvudområde; det går inte att bevilja medel.")
        ledger.grant_many(
            {(year, application.huvudomrade_id): amount for year, amount in cleaned.items()},
            actor=actor,
            application=application,
        )
    if kind in _TRANSITION:
        application_services.transition(
            application, _TRANSITION[kind], actor=actor, data={"meeting_id": meeting.id}
        )
    if item.paragraph is None:
        item.paragraph = _last_paragraph(meeting) + 1
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
    _automatic_jav(item, application)
    record_event(
        "decision_recorded",
        actor=actor,
        application=application,
        subject=f"meeting:{meeting.id}",
        message=f"§ {item.paragraph}: {kind.outcome}",
        data={
            "decision_id": decision.id,
            "kind": kind.value,
            "paragraph": item.paragraph,
            "amounts": {str(y): str(a) for y, a in cleaned.items()},
        },
    )
    db.session.refresh(item)
    return decision


def undo_decision(item: AgendaItem, *, actor: User) -> None:
    """Ändra beslut, before sign-off: return the money, the status and free the item.

    The item keeps its §, so the new decision takes the same paragraph.
    """
    meeting = lock(item.meeting)
    decision = item.decision
    if decision is None:
        raise DomainError("Ärendet har inget beslut att ändra.")
    application = decision.application
    kind = decision.kind_enum
    if kind is DecisionKind.ATERREMITTERA and application.status != Status.UNDER_BEREDNING.value:
        raise DomainError(
            "Ärendet har redan beretts vidare efter återremissen; beslutet kan inte ändras här."
        )
    for amount in decision.amounts:
        ledger.release(
            (amount.year, application.huvudomrade_id),
            amount.amount,
            actor=actor,
            application=application,
        )
    if kind is not DecisionKind.BORDLAGG:
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
        message=f"Beslutet i § {item.paragraph} ({kind.outcome.lower()}) togs tillbaka för att "
        "ändras före justeringen.",
    )


# --- sign-off -----------------------------------------------------------------------------


def sign_off(meeting: Meeting, *, actor: User) -> Meeting:
    """Justera protokoll: lock the meeting for good, start granted insatser, tell applicants."""
    meeting = lock(meeting)
    undecided = [i for i in meeting.items if i.is_case and i.decision is None]
    if undecided:
        names = ", ".join(i.heading for i in undecided)
        raise DomainError(f"Alla ärenden måste ha ett beslut innan protokollet justeras: {names}.")
    if not (meeting.chair_name and meeting.secretary_name and meeting.justerare_name):
        raise DomainError("Ange ordförande, sekreterare och justerare innan protokollet justeras.")
    if not any(a.present and a.role_enum.decides for a in meeting.attendance):
        raise DomainError("Ange vilka ledamöter som var närvarande innan protokollet justeras.")
    # other items take their § now, after the decided cases, in agenda order
    for item in meeting.items:
        if item.paragraph is None:
            item.paragraph = _last_paragraph(meeting) + 1
            db.session.flush()
    # signed_by first: once signed_at reaches the database the trigger refuses any UPDATE
    meeting.signed_by_id = actor.id
    meeting.signed_at = utcnow()
    db.session.flush()
    record_event(
        "minutes_signed",
        actor=actor,
        subject=f"meeting:{meeting.id}",
        message=f"Protokollet från sammanträdet {format_date(meeting.date)} justerades.",
    )
    from finsam_ansokan.notifications import services as notifications

    for item in meeting.items:
        decision = item.decision
        if decision is None:
            continue
        if decision.kind_enum.grants:
            application_services.transition(
                decision.application, Action.START, actor=actor, data={"meeting_id": meeting.id}
            )
        notifications.decision_made(decision.application, summary(decision))
    return meeting


# --- wording -------------------------------------------------------------------------------


def amounts_text(decision: Decision) -> str:
    return " och ".join(
        f"{format_money(a.amount)} för {a.year}" for a in decision.amounts if a.amount
    )


def decision_sentence(decision: Decision) -> str:
    """The decision as the minutes word it, after "Styrelsen beslutar" ."""
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
    return "\n".join(lines)


def jav_sentence(jav: Jav) -> str:
    return f"{jav.attendance.display_name} deltog inte i handläggningen av ärendet på grund av jäv."


def decisions_for(application: Application, *, signed_only: bool) -> list[Decision]:
    """The application's decisions, newest first; applicants see only signed minutes."""
    query = (
        select(Decision)
        .join(AgendaItem, AgendaItem.id == Decision.agenda_item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Decision.application_id == application.id)
        .order_by(Meeting.date.desc(), Decision.id.desc())
        .options(contains_eager(Decision.agenda_item).contains_eager(AgendaItem.meeting))
    )
    if signed_only:
        query = query.where(Meeting.signed_at.is_not(None))
    return list(db.session.scalars(query))


def latest_signed_decision(application: Application) -> Decision | None:
    """The newest decision on the application in justerade minutes, if any."""
    decisions = decisions_for(application, signed_only=True)
    return decisions[0] if decisions else None
