"""Board meetings (sammanträden), their agenda, attendance, jäv and decisions.

Once a meeting's minutes are signed off (``Meeting.signed_at`` set), nothing about it may
change: the service refuses, and database triggers (migration 0006) refuse INSERT, UPDATE
and DELETE of its agenda items, decisions, decision amounts, attendance and jäv rows, and
any UPDATE or DELETE of the meeting itself.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.applications.models import Application
from finsam_ansokan.core.money import Money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment


class MeetingKind(StrEnum):
    STYRELSEMOTE = "styrelsemote"
    EXTRA_STYRELSEMOTE = "extra_styrelsemote"

    @property
    def label(self) -> str:
        return {"styrelsemote": "Styrelsemöte", "extra_styrelsemote": "Extra styrelsemöte"}[
            self.value
        ]


class DecisionKind(StrEnum):
    BEVILJA = "bevilja"
    DELVIS_BEVILJA = "delvis_bevilja"
    AVSLA = "avsla"
    ATERREMITTERA = "aterremittera"
    BORDLAGG = "bordlagg"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]

    @property
    def outcome(self) -> str:
        """What the case is after the decision: Beviljad, Avslagen, Bordlagd …"""
        return DECISION_OUTCOMES[self]

    @property
    def grants(self) -> bool:
        return self in (DecisionKind.BEVILJA, DecisionKind.DELVIS_BEVILJA)


DECISION_LABELS = {
    DecisionKind.BEVILJA: "Bevilja",
    DecisionKind.DELVIS_BEVILJA: "Delvis bevilja",
    DecisionKind.AVSLA: "Avslå",
    DecisionKind.ATERREMITTERA: "Återremittera",
    DecisionKind.BORDLAGG: "Bordlägg",
}
DECISION_OUTCOMES = {
    DecisionKind.BEVILJA: "Beviljad",
    DecisionKind.DELVIS_BEVILJA: "Delvis beviljad",
    DecisionKind.AVSLA: "Avslagen",
    DecisionKind.ATERREMITTERA: "Återremitterad",
    DecisionKind.BORDLAGG: "Bordlagd",
}


class AttendanceRole(StrEnum):
    LEDAMOT = "ledamot"
    TJANSTGORANDE_ERSATTARE = "tjanstgorande_ersattare"
    ERSATTARE = "ersattare"
    OVRIG = "ovrig"

    @property
    def label(self) -> str:
        return {
            "ledamot": "Ledamot",
            "tjanstgorande_ersattare": "Tjänstgörande ersättare",
            "ersattare": "Ersättare",
            "ovrig": "Övrig närvarande",
        }[self.value]

    @property
    def decides(self) -> bool:
        """Beslutande: members and serving deputies."""
        return self in (AttendanceRole.LEDAMOT, AttendanceRole.TJANSTGORANDE_ERSATTARE)


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in enum)


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(MeetingKind)})", name="kind_valid"),
        CheckConstraint("first_paragraph >= 1", name="first_paragraph_positive"),
        CheckConstraint(
            "(signed_at IS NULL AND signed_by_id IS NULL) OR signed_at IS NOT NULL",
            name="signed_by_only_when_signed",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), default=MeetingKind.STYRELSEMOTE.value)
    date: Mapped[date] = mapped_column(Date, index=True)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(200))
    #: The first § of the meeting; paragraphs run on through the year.
    first_paragraph: Mapped[int] = mapped_column(Integer)
    chair_name: Mapped[str | None] = mapped_column(String(200))
    secretary_name: Mapped[str | None] = mapped_column(String(200))
    justerare_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when the minutes are justerade (signed off); then nothing in the meeting changes.
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="(AgendaItem.position, AgendaItem.id)"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", order_by="Attendance.id"
    )

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label


class AgendaItem(db.Model):
    """One item of the dagordning: a case (application) or another item (title only)."""

    __tablename__ = "agenda_items"
    __table_args__ = (
        UniqueConstraint("meeting_id", "paragraph"),
        UniqueConstraint("meeting_id", "application_id"),
        CheckConstraint("application_id IS NOT NULL OR title IS NOT NULL", name="case_or_title"),
        CheckConstraint("paragraph IS NULL OR paragraph >= 1", name="paragraph_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    #: For other items (övriga ärenden, information); cases take the application's title.
    title: Mapped[str | None] = mapped_column(String(200))
    #: What the minutes say under an other item.
    notes: Mapped[str | None] = mapped_column(Text)
    #: The § the item has in the minutes: given when the item is decided, kept if the
    #: decision is changed before sign-off.
    paragraph: Mapped[int | None] = mapped_column(Integer)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    application: Mapped[Application | None] = relationship()
    decision: Mapped[Decision | None] = relationship(back_populates="agenda_item", uselist=False)
    jav: Mapped[list[Jav]] = relationship(back_populates="agenda_item", order_by="Jav.id")

    @property
    def is_case(self) -> bool:
        return self.application_id is not None

    @property
    def heading(self) -> str:
        if self.application is not None:
            return self.application.display_title
        return self.title or ""


class Decision(db.Model):
    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("agenda_item_id"),
        CheckConstraint(f"kind IN ({_values(DecisionKind)})", name="kind_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str | None] = mapped_column(Text)
    villkor: Mapped[str | None] = mapped_column(Text)
    #: What the board had before it, fixed when the decision is recorded so that signed
    #: minutes read the same forever: the proposal (assessments are never changed) and
    #: the background paragraph (the application may be changed after a återremiss).
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    background: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="decision")
    application: Mapped[Application] = relationship()
    recorded_by: Mapped[User] = relationship()
    proposal: Mapped[Assessment | None] = relationship()
    amounts: Mapped[list[DecisionAmount]] = relationship(
        order_by="DecisionAmount.year", lazy="selectin", back_populates="decision"
    )

    @property
    def kind_enum(self) -> DecisionKind:
        return DecisionKind(self.kind)

    @property
    def total(self) -> Decimal:
        return sum((a.amount for a in self.amounts), Decimal(0))


class DecisionAmount(db.Model):
    """The amount granted for one year by a decision."""

    __tablename__ = "decision_amounts"
    __table_args__ = (
        UniqueConstraint("decision_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)

    decision: Mapped[Decision] = relationship(back_populates="amounts")


class Attendance(db.Model):
    """Someone at the meeting: a user or a named person, in a role."""

    __tablename__ = "attendance"
    __table_args__ = (
        CheckConstraint(f"role IN ({_values(AttendanceRole)})", name="role_valid"),
        CheckConstraint("user_id IS NOT NULL OR name IS NOT NULL", name="user_or_name"),
        UniqueConstraint("meeting_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: For people without an account (a deputy, a guest).
    name: Mapped[str | None] = mapped_column(String(200))
    #: The member organisation the person represents (decides automatic jäv).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(30))
    #: E.g. "ordförande", "ersätter Stina Ek", "förbundschef".
    note: Mapped[str | None] = mapped_column(String(200))
    present: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    user: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    @property
    def display_name(self) -> str:
        return self.user.name if self.user is not None else (self.name or "")

    @property
    def role_enum(self) -> AttendanceRole:
        return AttendanceRole(self.role)


class Jav(db.Model):
    """A person at the meeting who did not take part in one item because of jäv."""

    __tablename__ = "jav"
    __table_args__ = (UniqueConstraint("agenda_item_id", "attendance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), index=True)
    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id"))
    reason: Mapped[str] = mapped_column(String(300))
    #: Recorded by the system: the person represents the applying organisation.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="jav")
    attendance: Mapped[Attendance] = relationship(lazy="joined")
