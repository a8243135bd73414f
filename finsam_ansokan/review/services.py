"""Beredning rules: sharing drafts, comments, review actions, recommendations, proposals."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, literal_column, or_, select

from finsam_ansokan.accounts.models import User, UserRole
from finsam_ansokan.applications import finality, queries
from finsam_ansokan.applications import services as application_services
from finsam_ansokan.applications.models import Application, ApplicationVersion
from finsam_ansokan.applications.sections import SECTIONS_BY_SLUG
from finsam_ansokan.applications.status import Action, Status
from finsam_ansokan.core.database import dialect_insert
from finsam_ansokan.core.errors import DomainError, DomainErrors, NotAllowed
from finsam_ansokan.core.events import Event, record_event
from finsam_ansokan.core.permissions import POLICY
from finsam_ansokan.core.roles import Role
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services as notifications

from . import policy
from .history import describe, detail
from .models import (
    Assessment,
    AssessmentAmount,
    AssessmentKind,
    AssessmentStage,
    Comment,
    CommentRead,
    CommentUnread,
)

MAX_COMMENT_LENGTH = 5000
MAX_MOTIVATION_LENGTH = 10000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str | None, *, field: str, limit: int, required_message: str) -> str:
    """Plain text as typed, without control characters; empty or too long is refused."""
    cleaned = _CONTROL.sub("", (text or "").replace("\r\n", "\n")).strip()
    if not cleaned:
        raise DomainError(required_message, field=field)
    if len(cleaned) > limit:
        raise DomainError(
            f"Texten är för lång: {len(cleaned)} tecken, högst {limit} tecken.", field=field
        )
    return cleaned


# --- sharing a draft -------------------------------------------------------------------------
def set_shared(application: Application, shared: bool, *, actor: User) -> None:
    if not policy.can_share(actor, application):
        raise NotAllowed("Bara den sökande organisationen kan dela ett utkast.")
    if application.shared_for_comments == shared:
        return
    application.shared_for_comments = shared
    record_event(
        "draft_shared" if shared else "draft_unshared",
        actor=actor,
        application=application,
        message="Utkastet delades med beredningsgruppen."
        if shared
        else "Delningen med beredningsgruppen togs bort.",
    )
    if shared:
        notifications.draft_shared(application, actor=actor)


# --- comments -------------------------------------------------------------------------------------
def current_version_number(application: Application) -> int | None:
    return db.session.scalar(
        select(func.max(ApplicationVersion.number)).where(
            ApplicationVersion.application_id == application.id
        )
    )


def add_comment(
    application: Application,
    *,
    actor: User,
    body: str,
    section: str | None = None,
    internal: bool = False,
    parent: Comment | None = None,
) -> Comment:
    if not policy.can_comment(actor, application):
        raise NotAllowed("Du kan inte kommentera den här ansökan just nu.")
    if parent is not None:
        if parent.application_id != application.id:
            raise DomainError("Kommentaren du svarar på hör till en annan ansökan.")
        if parent.internal and not policy.can_read_internal(actor):
            raise NotAllowed("Kommentaren finns inte.")
        # a reply stays in its thread's kind and section
        internal = parent.internal
        section = parent.section
        if parent.parent_id is not None:
            parent = parent.parent
    if internal and not policy.can_write_internal(actor, application):
        raise NotAllowed("Bara beredningsgrupp, kansli och styrelse skriver interna anteckningar.")
    comment = Comment(
        application_id=application.id,
        author=actor,
        parent=parent,
        section=section or None,
        internal=internal,
        body=clean_text(
            body, field="body", limit=MAX_COMMENT_LENGTH, required_message="Skriv en kommentar."
        ),
        version_number=current_version_number(application),
    )
    db.session.add(comment)
    db.session.flush()
    record_event(
        "internal_note_added" if internal else "comment_added",
        actor=actor,
        application=application,
        data={"comment_id": comment.id, "section": comment.section, "internal": internal},
    )
    refresh_unread(application.id)
    section_title = SECTIONS_BY_SLUG[comment.section].title if comment.section else None
    notifications.comment_added(comment, application, section_title)
    return comment


def set_resolved(
    comment: Comment, resolved: bool, *, actor: User, application: Application
) -> None:
    if not policy.can_comment(actor, application) or (
        comment.internal and not policy.can_write_internal(actor, application)
    ):
        raise NotAllowed("Du kan inte ändra den här kommentaren.")
    comment.resolved_at = utcnow() if resolved else None
    comment.resolved_by_id = actor.id if resolved else None
    record_event(
        "comment_resolved" if resolved else "comment_reopened",
        actor=actor,
        application=application,
        data={"comment_id": comment.id, "internal": comment.internal},
    )


def comments_for(application: Application, viewer: User) -> list[Comment]:
    """The top-level comments the viewer may read, oldest first, replies loaded."""
    query = (
        select(Comment)
        .where(Comment.application_id == application.id, Comment.parent_id.is_(None))
        .order_by(Comment.created_at, Comment.id)
    )
    if not policy.can_read_internal(viewer):
        query = query.where(Comment.internal.is_(False))
    return list(db.session.scalars(query).unique())


# --- what has been read ---------------------------------------------------------------------
def _unread_by(reader_id: Any) -> Any:
    """The rule of an unread comment: written by someone else after the reader last read its
    section. ``reader_id`` is a user's id, or a column of the enclosing query (every reader
    at once: ``refresh_unread``)."""
    read_at = (
        select(CommentRead.read_at)
        .where(
            CommentRead.user_id == reader_id,
            CommentRead.application_id == Comment.application_id,
            CommentRead.section == func.coalesce(Comment.section, literal_column("''")),
        )
        .correlate_except(CommentRead)
        .scalar_subquery()
    )
    return and_(
        Comment.author_id != reader_id, or_(read_at.is_(None), Comment.created_at > read_at)
    )


def unread_condition(viewer: User) -> Any:
    """Comments written by someone else after the viewer last read their section (internal
    notes only for those who may read them)."""
    conditions = [_unread_by(viewer.id)]
    if not policy.can_read_internal(viewer):
        conditions.append(Comment.internal.is_(False))
    return and_(*conditions)


def unread_counts(application: Application, viewer: User) -> dict[str, int]:
    """Unread comments per section slug (``""``: the whole application), in one query."""
    # a literal '' (not a bound parameter), so PostgreSQL sees one expression in both places
    section = func.coalesce(Comment.section, literal_column("''"))
    rows = db.session.execute(
        select(section, func.count())
        .where(Comment.application_id == application.id, unread_condition(viewer))
        .group_by(section)
    ).all()
    return {section: n for section, n in rows}


def mark_read(application: Application, viewer: User, sections: Iterable[str]) -> None:
    """Record that ``viewer`` has now seen the comments on ``sections`` (slugs, ``""``)."""
    now = utcnow()
    for section in sorted(set(sections)):
        statement = dialect_insert(db.session, CommentRead).values(
            user_id=viewer.id, application_id=application.id, section=section, read_at=now
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    CommentRead.user_id,
                    CommentRead.application_id,
                    CommentRead.section,
                ],
                set_={"read_at": now},
            )
        )
    refresh_unread(application.id, viewer.id)


#: The statuses in which comments are written (``policy.OPEN_FOR_COMMENTS``), as stored;
#: ``comment_unread.is_open`` says whether a case is in one (migration 0024's trigger keeps it
#: when the status moves, and names the same statuses).
OPEN_FOR_COMMENTS = sorted(status.value for status in policy.OPEN_FOR_COMMENTS)

#: Who may read a case's comments besides its own organisation's sökande.
_STAFF_READERS = sorted(role.value for role in POLICY["comment"] - {Role.SOKANDE})


def refresh_unread(application_id: int | None = None, user_id: int | None = None) -> None:
    """Count again, into ``comment_unread``, what each reader has not read: of one
    application (or all) and one user (or every commenting user: beredning, kansli, styrelse
    and the application's own organisation's sökande), by ``_unread_by``, the rule
    ``unread_condition`` applies to one viewer. Two statements whatever the data."""
    remove = delete(CommentUnread)
    if application_id is not None:
        remove = remove.where(CommentUnread.application_id == application_id)
    if user_id is not None:
        remove = remove.where(CommentUnread.user_id == user_id)
    db.session.execute(remove)
    has_role = exists().where(UserRole.user_id == User.id)
    reader = or_(
        has_role.where(UserRole.role.in_(_STAFF_READERS)),
        and_(
            User.organisation_id == Application.organisation_id,
            has_role.where(UserRole.role == Role.SOKANDE.value),
        ),
    )
    public = Comment.internal.is_(False)
    rows = (
        select(
            User.id,
            Comment.application_id,
            func.count(),
            func.max(Comment.created_at),
            func.sum(case((public, 1), else_=0)),
            func.max(case((public, Comment.created_at), else_=None)),
            Application.status.in_(OPEN_FOR_COMMENTS),
        )
        .select_from(Comment)
        .join(Application, Application.id == Comment.application_id)
        .join(User, reader)
        .where(_unread_by(User.id))
        .group_by(User.id, Comment.application_id, Application.status)
    )
    if application_id is not None:
        rows = rows.where(Comment.application_id == application_id)
    if user_id is not None:
        rows = rows.where(User.id == user_id)
    db.session.execute(
        insert(CommentUnread).from_select(
            [
                CommentUnread.user_id,
                CommentUnread.application_id,
                CommentUnread.unread,
                CommentUnread.latest_at,
                CommentUnread.unread_public,
                CommentUnread.latest_public_at,
                CommentUnread.is_open,
            ],
            rows,
        )
    )


def unread_columns(viewer: User) -> tuple[Any, Any]:
    """``comment_unread``'s count and newest time for ``viewer``: with internal notes only
    for those who may read them."""
    if policy.can_read_internal(viewer):
        return CommentUnread.unread, CommentUnread.latest_at
    return CommentUnread.unread_public, CommentUnread.latest_public_at


def section_comments(application: Application, viewer: User, section: str) -> list[Comment]:
    """The top-level comments on one section that the viewer may read, replies loaded."""
    return [c for c in comments_for(application, viewer) if (c.section or "") == section]


@dataclass(frozen=True)
class InformationRequest:
    """The latest request for komplettering: its text, who asked and when."""

    text: str
    asked_by: str
    asked_at: Any


def open_information_request(application: Application) -> InformationRequest | None:
    """The text of the request for komplettering the applicant has yet to answer."""
    if application.status != Status.KOMPLETTERING_BEGARD:
        return None
    event = db.session.scalars(
        select(Event)
        .where(
            Event.application_id == application.id,
            Event.kind == "status_changed",
            Event.to_status == Status.KOMPLETTERING_BEGARD.value,
        )
        .order_by(Event.created_at.desc(), Event.id.desc())
        .limit(1)
    ).first()
    if event is None or not event.message:
        return None
    return InformationRequest(
        text=event.message,
        asked_by=event.actor.name if event.actor else "Kansliet",
        asked_at=event.created_at,
    )


# --- review actions ----------------------------------------------------------------
def start_review(application: Application, *, actor: User) -> None:
    if not policy.can_review(actor, application):
        raise NotAllowed("Bara beredningsgrupp och kansli tar upp ansökningar till beredning.")
    application_services.lock(application)  # a withdrawal meanwhile refuses, not a 500
    application_services.transition(application, Action.START_REVIEW, actor=actor)


def request_information(application: Application, *, actor: User, message: str) -> None:
    if not policy.can_review(actor, application):
        raise NotAllowed("Bara beredningsgrupp och kansli begär komplettering.")
    text = clean_text(
        message,
        field="message",
        limit=MAX_COMMENT_LENGTH,
        required_message="Beskriv vad den sökande behöver komplettera.",
    )
    application_services.lock(application)
    application_services.transition(application, Action.REQUEST_INFO, actor=actor, message=text)
    notifications.information_requested(application, text, actor)


def requested_by_year(application: Application) -> dict[int, Decimal]:
    """Sökt belopp per year (costs minus co-funding, summed in SQL)."""
    return queries.budget_sums(application.id).requested


def _validated_amounts(
    application: Application, kind: AssessmentKind, amounts: Mapping[int, Decimal | None]
) -> dict[int, Decimal]:
    if kind not in (AssessmentKind.BEVILJA, AssessmentKind.DELVIS_BEVILJA):
        return {}
    return application_services.validate_grant_amounts(
        requested_by_year(application), amounts, in_full=kind is AssessmentKind.BEVILJA
    )


def amount_problems(
    application: Application, kind: AssessmentKind | None, amounts: Mapping[int, Decimal | None]
) -> list[tuple[str | None, str]]:
    """What :func:`assess` would say about the amounts, without recording anything: the
    form shows these beside its own errors, so every problem appears at once. Without a
    chosen kind only each year's amount is checked (above sökt, not whole kronor)."""
    try:
        _validated_amounts(application, kind or AssessmentKind.DELVIS_BEVILJA, amounts)
    except DomainErrors as exc:
        return exc.problems
    except DomainError as exc:
        return [] if kind is None else [(exc.field, exc.message)]
    return []


def assess(
    application: Application,
    *,
    actor: User,
    stage: AssessmentStage,
    kind: AssessmentKind,
    motivation: str,
    amounts: Mapping[int, Decimal | None],
) -> Assessment:
    """Record a recommendation (beredningsgrupp) or a proposal (kansli).

    A recommendation to ask for more information also sends the case back to the
    applicant. A proposal marks the case Klar för beslut.
    """
    allowed = (
        policy.can_recommend(actor, application)
        if stage is AssessmentStage.RECOMMENDATION
        else policy.can_propose(actor, application)
    )
    if not allowed:
        raise NotAllowed("Du kan inte göra det här i ansökans nuvarande läge.")
    if stage is AssessmentStage.PROPOSAL and kind is AssessmentKind.KOMPLETTERING:
        raise DomainError(
            "Ett förslag till beslut beviljar, delvis beviljar eller avslår.", field="kind"
        )
    text = clean_text(
        motivation,
        field="motivation",
        limit=MAX_MOTIVATION_LENGTH,
        required_message="Skriv en motivering.",
    )
    cleaned = _validated_amounts(application, kind, amounts)
    assessment = Assessment(
        application_id=application.id,
        author=actor,
        stage=stage.value,
        kind=kind.value,
        motivation=text,
        amounts=[AssessmentAmount(year=y, amount=a) for y, a in sorted(cleaned.items())],
    )
    db.session.add(assessment)
    db.session.flush()
    record_event(
        f"{stage.value}_recorded",
        actor=actor,
        application=application,
        message=f"{stage.label}: {kind.label}",
        data={
            "assessment_id": assessment.id,
            "kind": kind.value,
            "amounts": {str(y): str(a) for y, a in cleaned.items()},
        },
    )
    if kind is AssessmentKind.KOMPLETTERING:
        request_information(application, actor=actor, message=text)
    if stage is AssessmentStage.PROPOSAL:
        application_services.transition(application, Action.MARK_READY, actor=actor)
    return assessment


def latest_assessment(application: Application, stage: AssessmentStage) -> Assessment | None:
    return db.session.scalars(
        select(Assessment)
        .where(Assessment.application_id == application.id, Assessment.stage == stage.value)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        .limit(1)
    ).first()


# --- history ------------------------------------------------------------------------
_INTERNAL_EVENT_KINDS = frozenset({"internal_note_added", "rekommendation_recorded"})


@dataclass(frozen=True)
class TimelineEntry:
    """One line of *Historik*: an event (the last of a run of like saves), its sentence."""

    event: Event
    text: str
    detail: str | None


def timeline(application: Application, viewer: User) -> list[TimelineEntry]:
    """The application's events, oldest first, in words, without what the viewer may not read:
    internal notes and recommendations, and a decision's outcome, § and jäv until its
    minutes are justerade (``applications.finality``).

    A run of saves of the same section by the same person is one line ("… sparades (12 gånger)").
    """
    query = (
        select(Event)
        .where(Event.application_id == application.id)
        .order_by(Event.created_at, Event.id)
    )
    events = finality.visible_events(viewer, db.session.scalars(query))
    if not policy.can_read_internal(viewer):
        events = [
            e
            for e in events
            if e.kind not in _INTERNAL_EVENT_KINDS and not (e.data or {}).get("internal")
        ]
    runs: list[list[Any]] = []
    for event in events:
        previous = runs[-1][-1] if runs else None
        if (
            previous is not None
            and event.kind == "application_saved"
            and previous.kind == event.kind
            and previous.actor_id == event.actor_id
            and (previous.data or {}).get("section") == (event.data or {}).get("section")
        ):
            runs[-1].append(event)
        else:
            runs.append([event])
    return [
        TimelineEntry(event=run[-1], text=describe(run[-1], len(run)), detail=detail(run[-1]))
        for run in runs
    ]
