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


def _link(application) -> str:
    """The application's address for an e-mail. Built from the URL map, so it works in a
    request and in ``flask mail send`` / ``reminders send`` alike (no request there)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    adapter = current_app.url_map.bind("localhost")
    return base + adapter.build("applications.show", {"application_id": application.id})


def _name(application) -> str:
    number = f" ({application.diarienummer})" if application.diarienummer else ""
    return f"{application.display_title}{number}"


def _signature() -> str:
    return "\n\nMeddelandet skickades automatiskt av Finsam Ansökan. Svara inte på det."


def application_submitted(application, *, resubmitted: bool) -> None:
    what = "kompletterats" if resubmitted else "skickats in"
    notify(
        NotificationKind.SUBMITTED,
        users_with_roles(Role.BEREDNING, Role.KANSLI),
        subject=f"Ansökan har {what}: {_name(application)}",
        body=(
            f"Ansökan {_name(application)} från {application.organisation.name} har {what}.\n\n"
            f"Läs den här: {_link(application)}" + _signature()
        ),
        application=application,
    )


def comment_added(comment, application) -> None:
    """Tell the applicant about a comment they may see. Never for an internal note."""
    if comment.internal:
        return
    notify(
        NotificationKind.COMMENT,
        [application.created_by],
        subject=f"Ny kommentar på {_name(application)}",
        body=(
            f"{comment.author.name} har kommenterat ansökan {_name(application)}:\n\n"
            f"{comment.body}\n\nSvara och läs alla kommentarer här: {_link(application)}"
            + _signature()
        ),
        application=application,
        exclude=comment.author,
    )


def information_requested(application, message: str, actor: User) -> None:
    notify(
        NotificationKind.KOMPLETTERING,
        [application.created_by],
        subject=f"Komplettering begärd: {_name(application)}",
        body=(
            f"Beredningen ber om komplettering av ansökan {_name(application)}:\n\n{message}\n\n"
            f"Komplettera och skicka in ansökan igen här: {_link(application)}" + _signature()
        ),
        application=application,
        exclude=actor,
    )


def decision_made(application, summary: str) -> None:
    """Tell the applicant a final decision; the meetings service calls it at justering only
    (``applications.finality``: nothing before the minutes are justerade)."""
    notify(
        NotificationKind.DECISION,
        [application.created_by],
        subject=f"Beslut om {_name(application)}",
        body=(
            f"Styrelsen har fattat beslut om ansökan {_name(application)}:\n\n{summary}\n\n"
            f"Läs beslutet här: {_link(application)}" + _signature()
        ),
        application=application,
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
