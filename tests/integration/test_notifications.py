"""The outbox: queued in the user's transaction, sent later, retried, visible to the kansli."""

import smtplib
from datetime import timedelta

from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services
from finsam_ansokan.notifications.models import NotificationKind, OutboxMessage


def _queue(factory, user=None):
    user = user or factory.user(Role.SOKANDE)
    [message] = services.notify(
        NotificationKind.DECISION, [user], subject="Beslut", body="Beviljad."
    )
    return message


def test_a_sent_message_is_marked_sent(app_ctx, factory):
    message = _queue(factory)
    sent = []
    result = services.send_pending(send=sent.append)
    assert result.sent == 1 and sent == [message]
    assert message.status == "sent" and message.sent_at is not None


def test_a_failed_send_is_retried_later_and_given_up_after_the_last_attempt(app_ctx, factory):
    message = _queue(factory)

    def broken(_message):
        raise smtplib.SMTPServerDisconnected("servern svarar inte")

    now = utcnow()
    result = services.send_pending(now=now, send=broken)
    assert result.failed == 1
    assert message.status == "pending" and message.attempts == 1
    assert "servern svarar inte" in message.last_error
    assert services.send_pending(now=now, send=broken).failed == 0  # not due yet
    for _ in range(services.MAX_ATTEMPTS - 1):
        now += timedelta(days=1)
        services.send_pending(now=now, send=broken)
    assert message.status == "failed"
    services.retry(message)
    assert message.status == "pending" and message.attempts == 0


def test_deactivated_users_and_opted_out_users_get_nothing(app_ctx, factory):
    inactive = factory.user(Role.SOKANDE, active=False)
    opted_out = factory.user(Role.SOKANDE)
    services.set_opted_out(opted_out, [NotificationKind.DECISION])
    assert (
        services.notify(NotificationKind.DECISION, [inactive, opted_out], subject="s", body="b")
        == []
    )


def test_submissions_are_announced_to_beredning_and_kansli(app_ctx, factory):
    beredning = factory.user(Role.BEREDNING)
    kansli = factory.user(Role.KANSLI)
    applicant = factory.user(Role.SOKANDE)
    application = factory.application(applicant, status="inskickad")
    services.application_submitted(application, resubmitted=False)
    recipients = set(db.session.scalars(select(OutboxMessage.recipient_id)))
    assert {beredning.id, kansli.id} <= recipients
    assert applicant.id not in recipients


def test_the_kansli_sees_the_outbox_and_can_retry_a_failed_message(client, factory, login):
    message = _queue(factory)
    message.status = "failed"
    message.last_error = "SMTPServerDisconnected"
    db.session.flush()
    login(factory.user(Role.KANSLI))
    page = client.get("/admin/utkorg").text
    assert "Ingen e-postserver är konfigurerad" in page
    assert "SMTPServerDisconnected" in page
    assert client.post(f"/admin/utkorg/{message.id}/forsok-igen").status_code == 302
    db.session.refresh(message)
    assert message.status == "pending"


def test_mail_send_without_a_server_leaves_messages_in_the_outbox(runner, factory):
    _queue(factory)
    result = runner.invoke(args=["mail", "send"])
    assert "MAIL_SERVER är inte satt" in result.output
    assert db.session.scalars(select(OutboxMessage.status)).all() == ["pending"]
