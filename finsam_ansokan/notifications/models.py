"""The outbox: every notification is a row first, written in the user's own transaction.

Sending happens later (``flask --app finsam_ansokan mail send`` from cron or a systemd
timer), so a slow or broken mail server never blocks or breaks what the user did. Without
``MAIL_SERVER`` (development, tests) messages stay here, listed for the kansli.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.accounts.models import User
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db


class NotificationKind(StrEnum):
    COMMENT = "comment"  # a comment visible to the applicant arrived
    KOMPLETTERING = "komplettering"  # more information is requested
    DECISION = "decision"  # the board decided
    SUBMITTED = "submitted"  # (to beredning and kansli) submitted or resubmitted
    REPORT_DUE = "report_due"  # a report is due within two weeks
    REPORT_OVERDUE = "report_overdue"  # a report is past its due date
    DRAFT_SHARED = "draft_shared"  # (to beredning) a draft is shared for comments
    PAYMENT_REQUESTED = "payment_requested"  # (to kansli) a rekvisition is handed in
    PAYMENT_DECIDED = "payment_decided"  # a rekvisition is approved or paid
    REPORT_SUBMITTED = "report_submitted"  # (to kansli) a report is handed in
    REPORT_DECIDED = "report_decided"  # a report is approved (a slutrapport closes the project)
    JUSTERING = "justering"  # minutes wait for my justering
    KALLELSE = "kallelse"  # (to the styrelse) the kallelse to a board meeting, or a reminder
    AGREEMENT = "agreement"  # a grant agreement to accept, and when both have accepted it

    @property
    def label(self) -> str:
        return {
            "comment": "Nya kommentarer på mina ansökningar",
            "komplettering": "Begäran om komplettering (ansökan, rapport eller rekvisition)",
            "decision": "Beslut om mina ansökningar",
            "submitted": "Inskickade och kompletterade ansökningar (beredningsgrupp och kansli)",
            "report_due": "Påminnelse när en rapport snart ska lämnas",
            "report_overdue": "Påminnelse när en rapport är försenad",
            "draft_shared": "Utkast som delas med beredningsgruppen",
            "payment_requested": "Nya rekvisitioner att granska (kansli)",
            "payment_decided": "När mina rekvisitioner godkänns och betalas ut",
            "report_submitted": "Inskickade rapporter att granska (kansli)",
            "report_decided": "När mina rapporter godkänns och när insatsen avslutas",
            "justering": "Protokoll som jag ska justera",
            "kallelse": "Kallelser till styrelsens sammanträden (styrelsen)",
            "agreement": "Överenskommelser om beviljade medel att godkänna, och när de är godkända",
        }[self.value]


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry

    @property
    def label(self) -> str:
        return {"pending": "Väntar", "sent": "Skickat", "failed": "Misslyckat"}[self.value]


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status_valid"),
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    kind: Mapped[str] = mapped_column(String(30))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    to_email: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: The HTML part (rendered from ``templates/email/<name>.html``); None for account mail.
    body_html: Mapped[str | None] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)

    recipient: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        return OutboxStatus(self.status).label

    @property
    def kind_label(self) -> str:
        """What the message is, in words (account mail has no kind to opt out of)."""
        try:
            return NotificationKind(self.kind).label
        except ValueError:
            return "Inbjudan eller länk för nytt lösenord"

    @property
    def can_retry(self) -> bool:
        """Given up after the last retry: the kansli may ask for another try."""
        return self.status == OutboxStatus.FAILED


class NotificationOptOut(db.Model):
    """A kind of notification a user has turned off."""

    __tablename__ = "notification_optouts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
