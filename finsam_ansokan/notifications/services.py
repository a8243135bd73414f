"""Who is told what, and the sending of the outbox."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import delete, select

from finsam_ansokan.accounts.models import User, UserRole
from finsam_ansokan.accounts.roles import Role
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
            subject=subject,
            body=body,
            application_id=getattr(application, "id", None),
            next_attempt_at=utcnow(),
        )
        db.session.add(message)
        messages.append(message)
    db.session.flush()
    return messages


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


def _smtp_send(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].split("@")[-1])
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(email)


def due_messages(now: datetime, limit: int):
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # several senders (cron overlapping, two hosts) never take the same message
        query = query.with_for_update(skip_locked=True)
    return list(db.session.scalars(query))


def send_pending(*, now: datetime | None = None, limit: int = 100, send=_smtp_send) -> SendResult:
    """Send what is due. A failure is retried later with growing delays, then given up."""
    now = now or utcnow()
    result = SendResult()
    for message in due_messages(now, limit):
        message.attempts += 1
        try:
            send(message)
        except (OSError, smtplib.SMTPException) as error:
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            if message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxStatus.FAILED.value
                result.given_up += 1
            else:
                message.next_attempt_at = now + timedelta(minutes=2**message.attempts)
                result.failed += 1
        else:
            message.status = OutboxStatus.SENT.value
            message.sent_at = now
            message.last_error = None
            result.sent += 1
    db.session.flush()
    return result


def retry(message: OutboxMessage) -> None:
    """The kansli asks for another try of a message that was given up."""
    message.status = OutboxStatus.PENDING.value
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.flush()
