"""Reports (lägesrapport, slutrapport), the money they report used, payment requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.accounts.models import User
from finsam_ansokan.applications.models import Application
from finsam_ansokan.core.money import Money, to_decimal
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .status import PaymentStatus, ReportKind, ReportStatus


def _values(enum) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


class Report(db.Model):
    """A report the project owes: due on a date, written by the projektägare, approved by
    the kansli. Participants are counts only, never personal data."""

    __tablename__ = "reports"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(ReportKind)})", name="kind_valid"),
        CheckConstraint(f"status IN ({_values(ReportStatus)})", name="status_valid"),
        CheckConstraint(
            "participants_women IS NULL OR participants_women >= 0", name="women_nonnegative"
        ),
        CheckConstraint(
            "participants_men IS NULL OR participants_men >= 0", name="men_nonnegative"
        ),
        CheckConstraint(
            "period_start IS NULL OR period_end IS NULL OR period_start <= period_end",
            name="period_ordered",
        ),
        CheckConstraint(
            "status = 'utkast' OR submitted_at IS NOT NULL", name="submitted_has_timestamp"
        ),
        Index("ix_reports_status_due", "status", "due_date"),
        # Each project's latest approved report (förbrukat) and the approved reports of a
        # year (statistics), read from the index alone.
        Index("ix_reports_application_status_due", "application_id", "status", "due_date", "id"),
        Index("ix_reports_status_period", "status", "period_end", "application_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), default=ReportStatus.UTKAST.value)
    due_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)

    participants_women: Mapped[int | None] = mapped_column(Integer)
    participants_men: Mapped[int | None] = mapped_column(Integer)
    goal_fulfilment: Mapped[str | None] = mapped_column(Text)
    gender_work: Mapped[str | None] = mapped_column(Text)
    implementation_status: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The kansli's message when asking for more.
    kansli_message: Mapped[str | None] = mapped_column(Text)
    #: When the applicant was reminded before the due date / after it (at most once each).
    reminded_due_on: Mapped[date | None] = mapped_column(Date)
    reminded_overdue_on: Mapped[date | None] = mapped_column(Date)
    #: Optimistic locking: a save based on an older lock_version is refused.
    lock_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    application: Mapped[Application] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    costs: Mapped[list[ReportCost]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportCost.year"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def kind_label(self) -> str:
        return ReportKind(self.kind).label

    @property
    def status_label(self) -> str:
        return ReportStatus(self.status).label

    @property
    def participants_total(self) -> int | None:
        if self.participants_women is None and self.participants_men is None:
            return None
        return (self.participants_women or 0) + (self.participants_men or 0)

    @property
    def ever_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def is_final(self) -> bool:
        """The slutrapport: approving it closes the project; it cannot leave the schedule."""
        return self.kind == ReportKind.SLUTRAPPORT

    @property
    def is_approved(self) -> bool:
        return self.status == ReportStatus.GODKAND

    @property
    def awaits_completion(self) -> bool:
        """The kansli has asked for more and waits for the projektägare."""
        return self.status == ReportStatus.KOMPLETTERING_BEGARD

    def cost_for(self, year: int) -> Decimal | None:
        return next((c.amount for c in self.costs if c.year == year), None)


class ReportCost(db.Model):
    """Money used up to the end of the report's period, for one budget year."""

    __tablename__ = "report_costs"
    __table_args__ = (
        UniqueConstraint("report_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        Index("ix_report_costs_year_report", "year", "report_id", "amount"),  # förbrukat per year
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)

    report: Mapped[Report] = relationship(back_populates="costs")


class PaymentRequest(db.Model):
    """A rekvisition: payment of granted money for a period, against costs incurred."""

    __tablename__ = "payment_requests"
    __table_args__ = (
        CheckConstraint(f"status IN ({_values(PaymentStatus)})", name="status_valid"),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("period_start <= period_end", name="period_ordered"),
        CheckConstraint("(status = 'utbetald') = (paid_on IS NOT NULL)", name="paid_has_date"),
        Index("ix_payment_requests_application_year", "application_id", "year"),
        # utbetalt per year and huvudområde, and per month (statistics), from the index alone;
        # the rekvisitioner waiting (the kansli's start page)
        Index(
            "ix_payment_requests_status_year",
            "status",
            "year",
            "application_id",
            "amount",
            "paid_on",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    year: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    costs_incurred: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.INSKICKAD.value)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kansli_message: Mapped[str | None] = mapped_column(Text)
    paid_on: Mapped[date | None] = mapped_column(Date)

    application: Mapped[Application] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def status_label(self) -> str:
        return PaymentStatus(self.status).label


class Agreement(db.Model):
    """An överenskommelse: the agreement the förbund and the projektägare make after a final
    grant, before any money is paid. Drawn up from one granting decision (its ``reference``,
    date, amounts per year and villkor) with the rest of its text (parties, insats, contact
    people, report schedule, the fixed paragraphs) rendered into ``content`` at that moment:
    both parties accept a fixed text, and only the two acceptances are ever added to it.

    ``outside_system`` marks the rows migration 0022 wrote for projects granted before the
    system drew up agreements: agreed on paper, accepted by both, with no text here."""

    __tablename__ = "agreements"
    __table_args__ = (
        UniqueConstraint("application_id", "reference"),
        CheckConstraint(
            "(applicant_accepted_at IS NULL) = (applicant_accepted_name IS NULL)",
            name="applicant_acceptance_named",
        ),
        CheckConstraint(
            "(forbund_accepted_at IS NULL) = (forbund_accepted_name IS NULL)",
            name="forbund_acceptance_named",
        ),
        CheckConstraint("outside_system OR decided_on IS NOT NULL", name="decided_on_known"),
        # the start pages' "to accept" counts read the few waiting rows, not every agreement
        Index(
            "ix_agreements_waiting_forbund",
            "application_id",
            "drawn_up_at",
            "outside_system",
            postgresql_where=text("forbund_accepted_at IS NULL"),
            sqlite_where=text("forbund_accepted_at IS NULL"),
        ),
        Index(
            "ix_agreements_waiting_applicant",
            "application_id",
            "decided_on",
            "outside_system",
            postgresql_where=text("applicant_accepted_at IS NULL"),
            sqlite_where=text("applicant_accepted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    #: The decision it rests on: "Styrelsen 2026-03-10, § 12" or a delegationsbeslut "D 2026:3".
    reference: Mapped[str] = mapped_column(String(200))
    decided_on: Mapped[date | None] = mapped_column(Date)
    #: The granted amount per year, ``{"2026": "300000.00"}`` (Decimal strings).
    amounts: Mapped[dict[str, str]] = mapped_column(JSON)
    villkor: Mapped[str | None] = mapped_column(Text)
    #: The rest of the text as drawn up (``followup.agreements.content_for``).
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    outside_system: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    drawn_up_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    drawn_up_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The projektägare's authorised signatory accepted (who, as named then, and when).
    applicant_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    applicant_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applicant_accepted_name: Mapped[str | None] = mapped_column(String(300))
    #: The förbund's side: the förbundschef accepted.
    forbund_accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    forbund_accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    forbund_accepted_name: Mapped[str | None] = mapped_column(String(300))

    application: Mapped[Application] = relationship()

    @property
    def amounts_by_year(self) -> dict[int, Decimal]:
        return {int(year): to_decimal(amount) for year, amount in sorted(self.amounts.items())}

    @property
    def total(self) -> Decimal:
        return sum(self.amounts_by_year.values(), Decimal(0))

    @property
    def applicant_accepted(self) -> bool:
        return self.applicant_accepted_at is not None

    @property
    def forbund_accepted(self) -> bool:
        return self.forbund_accepted_at is not None

    @property
    def is_accepted(self) -> bool:
        """Both parties have accepted: money may be requested."""
        return self.applicant_accepted and self.forbund_accepted
