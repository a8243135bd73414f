"""``flask mail send`` against a real SMTP server on 127.0.0.1 (aiosmtpd): every message
arrives exactly once with clean headers, one message that cannot be sent stops none of
the others, and a run that dies half-way never sends the earlier messages again."""

from __future__ import annotations

import smtplib
import socket
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.notifications import services
from finsam_ansokan.notifications.models import OutboxMessage

HOSTILE_TITLE = "Steg vidare\r\nBcc: angripare@example.org\r\n\r\nFalsk text"


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=default))
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [mail for recipients, mail in self.received if address in recipients]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app, monkeypatch):
    """A real SMTP server, and the app configured to send through it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    for key, value in {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    yield handler
    controller.stop()


def _queue(factory, subject: str, *, to_email: str | None = None) -> OutboxMessage:
    user = factory.user(Role.SOKANDE)
    message = OutboxMessage(
        kind="decision",
        recipient_id=user.id,
        to_email=to_email or user.email,
        subject=subject,
        body="Styrelsen har fattat beslut.",
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    return message


def _statuses() -> dict[int, str]:
    return dict(db.session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())


def _assert_clean(mail) -> None:
    for name, value in mail.items():
        assert "\r" not in value and "\n" not in value, (name, value)
    assert "Bcc" not in mail  # no header smuggled in through a line break


def test_each_message_arrives_exactly_once_with_clean_headers(inbox, runner, factory):
    owner = factory.user(Role.SOKANDE)
    application = factory.application(owner, title=HOSTILE_TITLE, status="inskickad")
    services.decision_made(application, "Beviljad.")  # a title stored before the cleaning
    queued_before_cleaning = _queue(factory, f"Beslut om {HOSTILE_TITLE}")
    plain = _queue(factory, "Beslut om Steg mot arbete")

    first = runner.invoke(args=["mail", "send"])
    again = runner.invoke(args=["mail", "send"])

    assert first.exit_code == 0, first.output
    assert "Skickade 3, misslyckades 0" in first.output
    assert "Skickade 0" in again.output
    for address in (owner.email, queued_before_cleaning.to_email, plain.to_email):
        [mail] = inbox.to(address)
        _assert_clean(mail)
    [decision] = inbox.to(owner.email)
    assert decision["Subject"].startswith("Beslut om Steg vidare Bcc: angripare@example.org")
    assert inbox.to("angripare@example.org") == []
    assert set(_statuses().values()) == {"sent"}


def test_one_bad_message_does_not_stop_the_other_messages(inbox, runner, factory, client, login):
    before = _queue(factory, "Före")
    bad = _queue(factory, "Trasig adress", to_email="mottagare@example.org\r\nBcc: x@example.org")
    after = _queue(factory, "Efter")

    result = runner.invoke(args=["mail", "send"])
    runner.invoke(args=["mail", "send"])

    assert result.exit_code == 0, result.output
    assert "Skickade 2" in result.output and "gav upp 1" in result.output
    assert [len(inbox.to(m.to_email)) for m in (before, after)] == [1, 1]
    assert inbox.to("x@example.org") == []
    db.session.expire_all()
    assert _statuses() == {before.id: "sent", bad.id: "failed", after.id: "sent"}
    assert bad.last_error.startswith("Kan inte skickas: ValueError")
    login(factory.user(Role.KANSLI))
    page = client.get("/admin/utkorg?status=failed").text
    assert "Trasig adress" in page and "Kan inte skickas" in page


class Crash(BaseException):
    """The process dies (killed, out of memory): nothing after it runs."""


def test_a_run_that_dies_half_way_never_sends_the_earlier_messages_again(
    inbox, runner, factory, monkeypatch
):
    messages = [_queue(factory, f"Meddelande {n}") for n in range(4)]
    deliver = smtplib.SMTP.send_message
    calls = []

    def dies_before_the_third(smtp, email, *args, **kwargs):
        calls.append(email["To"])
        if len(calls) == 3:
            raise Crash
        return deliver(smtp, email, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", dies_before_the_third)
    with pytest.raises(Crash):
        runner.invoke(args=["mail", "send"])
    db.session.rollback()  # what the dead process had not committed is gone
    monkeypatch.setattr(smtplib.SMTP, "send_message", deliver)
    result = runner.invoke(args=["mail", "send"])

    assert "Skickade 2" in result.output
    assert [len(inbox.to(m.to_email)) for m in messages] == [1, 1, 1, 1]
