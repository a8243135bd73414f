"""Who is told what, and the sending of the outbox."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import delete, select

from finsam_ansokan.accounts.models import User, UserRole
from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.text import single_line
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .messages import Message, render, url
from .models import NotificationKind, NotificationOptOut, OutboxMessage, OutboxStatus

MAX_ATTEMPTS = 6  # then the message is marked failed and shown to the kansli


# --- preferences -------------------------------------------------------------------------
def opted_out_kinds(user: User) -> set[NotificationKind]:
    rows = db.session.scalars(
        select(NotificationOptOut.kind).where(NotificationOptOut.user_id == user.id)
    )
    return {NotificationKind(k) for k in rows}


def set_opted_out(user: User, kinds: Iterable[NotificationKind | str]) -> None:
    wanted = {NotificationKind(k) for k in kinds}
    db.session.execute(delete(NotificationOptOut).where(NotificationOptOut.user_id == user.id))
    for kind in sorted(wanted):
        db.session.add(NotificationOptOut(user_id=user.id, kind=kind.value))
    db.session.flush()


def _subject(text: str) -> str:
    """A subject as the outbox stores it: one clean line (a title may hold line breaks) that
    fits the column."""
    return single_line(text)[: OutboxMessage.subject.type.length]


# --- queueing ------------------------------------------------------------------------------
def notify(
    kind: NotificationKind,
    recipients: Iterable[User],
    *,
    subject: str,
    body: str,
    body_html: str | None = None,
    application=None,
    exclude: User | None = None,
) -> list[OutboxMessage]:
    """Queue one message per active recipient who has not turned ``kind`` off."""
    unique = {u.id: u for u in recipients if u is not None and u.active}
    if exclude is not None:
        unique.pop(exclude.id, None)
    if not unique:
        return []
    opted_out = set(
        db.session.scalars(
            select(NotificationOptOut.user_id).where(
                NotificationOptOut.kind == kind.value, NotificationOptOut.user_id.in_(unique)
            )
        )
    )
    messages = []
    for user in unique.values():
        if user.id in opted_out:
            continue
        message = OutboxMessage(
            kind=kind.value,
            recipient_id=user.id,
            to_email=user.email,
            subject=_subject(subject),
            body=body,
            application_id=getattr(application, "id", None),
            next_attempt_at=utcnow(),
            body_html=body_html,
        )
        db.session.add(message)
        messages.append(message)
    db.session.flush()
    return messages


def queue_direct(*, to_email: str, subject: str, body: str, recipient, kind: str):
    """One message that no one may opt out of (an invitation, a password reset link)."""
    message = OutboxMessage(
        kind=kind,
        recipient_id=getattr(recipient, "id", None),
        to_email=to_email,
        subject=_subject(subject),
        body=body,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def register_outbox() -> None:
    from finsam_ansokan.core import outbox

    outbox.register(queue_direct)


def users_with_roles(*roles: Role) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role.in_([r.value for r in roles]), User.active.is_(True))
            .distinct()
        )
    )


def queue(
    kind: NotificationKind,
    recipients: Iterable[User],
    message: Message,
    *,
    application=None,
    exclude: User | None = None,
) -> list[OutboxMessage]:
    """Queue a rendered message (``messages.render``) for ``recipients``."""
    return notify(
        kind,
        recipients,
        subject=message.subject,
        body=message.text,
        body_html=message.html,
        application=application,
        exclude=exclude,
    )


def _case_link(application) -> str:
    return url("applications.show", application_id=application.id)


# --- the hand-overs: who is told what (templates/email/<name>.txt and .html) ---------------
def application_submitted(application, *, resubmitted: bool) -> None:
    """A submitted application, or the applicant's answer to a komplettering, to the
    beredningsgrupp and the kansli."""
    message = render(
        "application_resubmitted" if resubmitted else "application_submitted",
        application=application,
        link=_case_link(application),
        link_text="Läs ansökan",
    )
    queue(
        NotificationKind.SUBMITTED,
        users_with_roles(Role.BEREDNING, Role.KANSLI),
        message,
        application=application,
    )


def draft_shared(application, *, actor: User) -> None:
    """A draft shared for comments, to the beredningsgrupp it is shared with."""
    message = render(
        "draft_shared",
        application=application,
        actor=actor,
        link=_case_link(application),
        link_text="Läs utkastet och kommentera",
    )
    queue(
        NotificationKind.DRAFT_SHARED,
        users_with_roles(Role.BEREDNING),
        message,
        application=application,
        exclude=actor,
    )


def comment_added(comment, application, section_title: str | None = None) -> None:
    """Tell the applicant about a comment they may see. Never for an internal note."""
    if comment.internal:
        return
    message = render(
        "comment_added",
        application=application,
        comment=comment,
        section_title=section_title,
        link=url("review.comments", application_id=application.id),
        link_text="Svara och läs alla kommentarer",
    )
    queue(
        NotificationKind.COMMENT,
        [application.created_by],
        message,
        application=application,
        exclude=comment.author,
    )


def information_requested(application, message: str, actor: User) -> None:
    """A request for komplettering, its text and who asked, to the applicant."""
    rendered = render(
        "information_requested",
        application=application,
        request_text=message,
        actor=actor,
        link=_case_link(application),
        link_text="Komplettera ansökan",
    )
    queue(
        NotificationKind.KOMPLETTERING,
        [application.created_by],
        rendered,
        application=application,
        exclude=actor,
    )


def decision_made(application, summary: str) -> None:
    """Tell the applicant a final decision; the meetings service calls it at justering only
    (``applications.finality``: nothing before the minutes are justerade)."""
    message = render(
        "decision_final",
        application=application,
        summary=summary,
        link=_case_link(application),
        link_text="Läs beslutet",
    )
    queue(NotificationKind.DECISION, [application.created_by], message, application=application)


def justering_asked(meeting, users: Iterable[User], *, role_label: str, actor: User) -> None:
    """A signatory with an account is named: the minutes wait for their justering."""
    message = render(
        "justering_asked",
        meeting=meeting,
        role_label=role_label,
        link=url("meetings.show", meeting_id=meeting.id),
        link_text="Öppna sammanträdet",
    )
    queue(NotificationKind.JUSTERING, users, message, exclude=actor)


def kallelse_sent(
    meeting, users: Iterable[User], *, when: str, agenda: list[str], reminder: bool
) -> list[OutboxMessage]:
    """The kallelse to a board meeting (or a reminder of it), to the board: time, place,
    the agenda (its items' headings, in order) and links to the meeting and its handlingar."""
    message = render(
        "kallelse",
        meeting=meeting,
        when=when,
        agenda=agenda,
        reminder=reminder,
        handlingar_link=url("meetings.handlingar_pdf", meeting_id=meeting.id),
        link=url("meetings.show", meeting_id=meeting.id),
        link_text="Öppna sammanträdet",
    )
    return queue(NotificationKind.KALLELSE, users, message)


def _payment_message(name: str, payment, link_text: str) -> Message:
    application = payment.application
    return render(
        name,
        application=application,
        payment=payment,
        link=url("followup.payment", application_id=application.id, payment_id=payment.id),
        link_text=link_text,
    )


def _to_kansli(kind: NotificationKind, message: Message, application) -> None:
    queue(kind, users_with_roles(Role.KANSLI), message, application=application)


def _to_owners(
    kind: NotificationKind, owners: Iterable[User], message: Message, application, actor: User
) -> None:
    queue(kind, owners, message, application=application, exclude=actor)


def payment_requested(payment) -> None:
    """A rekvisition handed in, to the kansli."""
    message = _payment_message("payment_requested", payment, "Granska rekvisitionen")
    _to_kansli(NotificationKind.PAYMENT_REQUESTED, message, payment.application)


def payment_approved(payment, owners: Iterable[User], *, actor: User) -> None:
    message = _payment_message("payment_approved", payment, "Se rekvisitionen")
    _to_owners(NotificationKind.PAYMENT_DECIDED, owners, message, payment.application, actor)


def payment_paid(payment, owners: Iterable[User], *, actor: User) -> None:
    message = _payment_message("payment_paid", payment, "Se rekvisitionen")
    _to_owners(NotificationKind.PAYMENT_DECIDED, owners, message, payment.application, actor)


def payment_returned(payment, owners: Iterable[User], *, actor: User) -> None:
    """A rekvisition sent back with the kansli's message: something is asked of the owners."""
    message = _payment_message("payment_returned", payment, "Se rekvisitionen")
    _to_owners(NotificationKind.KOMPLETTERING, owners, message, payment.application, actor)


def _agreement_message(name: str, agreement, link_text: str) -> Message:
    application = agreement.application
    return render(
        name,
        application=application,
        agreement=agreement,
        link=url("followup.agreement", application_id=application.id),
        link_text=link_text,
    )


def agreement_drawn_up(agreement, recipients: Iterable[User | None]) -> None:
    """A final grant's agreement is drawn up: to the projektägare's signatory and contact."""
    message = _agreement_message("agreement_drawn_up", agreement, "Läs överenskommelsen")
    queue(NotificationKind.AGREEMENT, recipients, message, application=agreement.application)


def agreement_accepted(agreement, recipients: Iterable[User | None], *, actor: User) -> None:
    """Both parties have accepted: money can be requested."""
    message = _agreement_message("agreement_accepted", agreement, "Läs överenskommelsen")
    queue(
        NotificationKind.AGREEMENT,
        recipients,
        message,
        application=agreement.application,
        exclude=actor,
    )


def _report_message(name: str, report, link_text: str, **context) -> Message:
    application = report.application
    return render(
        name,
        application=application,
        report=report,
        link=url("followup.report", application_id=application.id, report_id=report.id),
        link_text=link_text,
        **context,
    )


def report_submitted(report) -> None:
    """A report handed in, to the kansli."""
    message = _report_message("report_submitted", report, "Granska rapporten")
    _to_kansli(NotificationKind.REPORT_SUBMITTED, message, report.application)


def report_approved(report, owners: Iterable[User], *, actor: User, returned=None) -> None:
    """A report approved; for a slutrapport the project is closed and ``returned`` (year →
    amount) went back to the budget."""
    message = _report_message("report_approved", report, "Se rapporten", returned=returned)
    _to_owners(NotificationKind.REPORT_DECIDED, owners, message, report.application, actor)


def report_returned(report, owners: Iterable[User], *, actor: User) -> None:
    """A report sent back with the kansli's message: something is asked of the owners."""
    message = _report_message("report_returned", report, "Komplettera rapporten")
    _to_owners(NotificationKind.KOMPLETTERING, owners, message, report.application, actor)


def report_reminder(report, owners: Iterable[User], *, overdue: bool) -> None:
    """A report due within two weeks, or past its due date, to the project's owners."""
    message = _report_message(
        "report_overdue" if overdue else "report_due", report, "Skriv rapporten"
    )
    queue(
        NotificationKind.REPORT_OVERDUE if overdue else NotificationKind.REPORT_DUE,
        owners,
        message,
        application=report.application,
    )


# --- sending ---------------------------------------------------------------------------------
@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def email_for(message: OutboxMessage) -> EmailMessage:
    """The e-mail of ``message``. The subject is one clean line (``core/text.single_line``),
    also for a message queued before subjects were cleaned. An address is never repaired:
    one the e-mail library refuses (a line break in it) raises ``ValueError``, and the
    message is bad, not the server."""
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = single_line(message.subject)
    email["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].split("@")[-1])
    email.set_content(message.body)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _smtp_send(message: OutboxMessage) -> None:
    config = current_app.config
    email = email_for(message)  # before connecting: a bad message never opens a connection
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def _next_due(now: datetime, after_id: int) -> OutboxMessage | None:
    """The next message due after ``after_id``, locked on PostgreSQL so that several
    senders (cron overlapping, two hosts) never take the same one."""
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.id > after_id,
        )
        .order_by(OutboxMessage.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def _attempt(message: OutboxMessage, now: datetime, send, result: SendResult) -> None:
    message.attempts += 1
    try:
        send(message)
    except (OSError, smtplib.SMTPException) as error:  # the server or the network: try later
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED.value
            result.given_up += 1
        else:
            message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
            result.failed += 1
    except Exception as error:  # the message itself cannot be sent: trying again won't help
        current_app.logger.warning("Meddelande %s kan inte skickas: %r", message.id, error)
        message.last_error = f"Kan inte skickas: {type(error).__name__}: {error}"[:2000]
        message.status = OutboxStatus.FAILED.value
        result.given_up += 1
    else:
        message.status = OutboxStatus.SENT.value
        message.sent_at = now
        message.last_error = None
        result.sent += 1


def send_pending(
    *,
    now: datetime | None = None,
    limit: int = 100,
    send=_smtp_send,
    after_each: Callable[[], None] = lambda: None,
) -> SendResult:
    """Send what is due, one message at a time. A failure of the server is retried later
    with growing delays, then given up; a message that cannot be sent at all is marked
    failed at once with its reason. Either way the others go on.

    ``after_each`` runs once each message is marked: ``flask mail send`` commits there, so
    a crash later in the run never sends the earlier messages again, and on PostgreSQL the
    message's row lock is held only while it is sent."""
    now = now or utcnow()
    result = SendResult()
    last_id = 0
    for _ in range(limit):
        message = _next_due(now, last_id)
        if message is None:
            break
        last_id = message.id
        _attempt(message, now, send, result)
        db.session.flush()
        after_each()
    return result


def retry(message: OutboxMessage) -> None:
    """The kansli asks for another try of a message that was given up."""
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
