"""Board meetings (sammanträden), their agenda, attendance, jäv, decisions and justering.

Once a meeting's minutes are justerade (``Meeting.signed_at`` set, when the last of its
signatories has justerat), nothing about it may change: the service refuses, and database
triggers (migrations 0007 and 0009) refuse INSERT, UPDATE and DELETE of its agenda items,
decisions, decision amounts, attendance, jäv, signatory and paragraph rows, and any UPDATE
or DELETE of the meeting itself.

§ numbers are fixed at justering, in the order of the meetings' dates, and held unique per
calendar year by the ``paragraphs`` table (an installation serves one förbund, so unique
per year is unique per förbund and year).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
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
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.money import Money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db
from finsam_ansokan.review.models import Assessment


class MeetingKind(StrEnum):
    STYRELSEMOTE = "styrelsemote"
    EXTRA_STYRELSEMOTE = "extra_styrelsemote"
    #: The beredningsgrupp's meeting: planned in the year's calendar (its date is the
    #: deadline of the board meeting after it); it has no agenda, decisions or minutes.
    BEREDNINGSGRUPP = "beredningsgrupp"

    @property
    def label(self) -> str:
        return {
            "styrelsemote": "Styrelsemöte",
            "extra_styrelsemote": "Extra styrelsemöte",
            "beredningsgrupp": "Beredningsgruppens möte",
        }[self.value]

    @property
    def is_board(self) -> bool:
        """A meeting of the styrelse: it decides cases and keeps minutes."""
        return self is not MeetingKind.BEREDNINGSGRUPP


#: The kinds of the board's meetings (those that decide and keep minutes).
BOARD_KINDS = tuple(k.value for k in MeetingKind if k.is_board)


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


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{v.value}'" for v in enum)


class SignatoryRole(StrEnum):
    ORDFORANDE = "ordforande"
    SEKRETERARE = "sekreterare"
    JUSTERARE = "justerare"

    @property
    def label(self) -> str:
        return {"ordforande": "Ordförande", "sekreterare": "Sekreterare", "justerare": "Justerare"}[
            self.value
        ]


#: Meeting dates the system accepts (a typo like year 1 or 9999 is refused).
EARLIEST_MEETING_DATE = date(2000, 1, 1)
LATEST_MEETING_DATE = date(2199, 12, 31)


class Meeting(db.Model):
    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_values(MeetingKind)})", name="kind_valid"),
        CheckConstraint(
            "first_paragraph IS NULL OR first_paragraph >= 1", name="first_paragraph_positive"
        ),
        CheckConstraint(
            f"date >= '{EARLIEST_MEETING_DATE.isoformat()}' "
            f"AND date <= '{LATEST_MEETING_DATE.isoformat()}'",
            name="date_in_range",
        ),
        CheckConstraint(
            "signed_at IS NOT NULL OR (anslag_up_on IS NULL AND first_paragraph IS NULL)",
            name="numbered_and_posted_only_when_justerat",
        ),
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
    #: The first § of the meeting, fixed at justering; paragraphs run on through the year.
    first_paragraph: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Set when the minutes are justerade (signed off); then nothing in the meeting changes.
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The anslag on the digital anslagstavla: up the day the minutes are justerade, down
    #: three weeks later (the förbund's setting); the appeal period runs from ``anslag_up_on``.
    anslag_up_on: Mapped[date | None] = mapped_column(Date)
    anslag_down_on: Mapped[date | None] = mapped_column(Date)
    #: The last day for complete applications to reach this board meeting, when the kansli
    #: set it; none = the rule of :mod:`meetings.calendar` (the beredningsgrupp's meeting
    #: before it, or the förbund's number of days before).
    application_deadline: Mapped[date | None] = mapped_column(Date)
    #: When the kallelse first went out to the board, and who sent it; a reminder sent
    #: later is an event (``kallelse_reminder_sent``) and leaves these as they are, so an
    #: item added after the kallelse stays an *extra ärende*.
    kallelse_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kallelse_sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    signed_by: Mapped[User | None] = relationship(foreign_keys=[signed_by_id])
    kallelse_sent_by: Mapped[User | None] = relationship(foreign_keys=[kallelse_sent_by_id])
    signatories: Mapped[list[Signatory]] = relationship(
        back_populates="meeting", order_by="(Signatory.role_order, Signatory.id)"
    )
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="(AgendaItem.position, AgendaItem.id)"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", order_by="Attendance.id"
    )

    @property
    def is_signed(self) -> bool:
        """True when the minutes are justerade (every signatory has justerat)."""
        return self.signed_at is not None

    @property
    def justering_started(self) -> bool:
        return any(s.signed_at is not None for s in self.signatories)

    def signatories_in(self, role: SignatoryRole) -> list[Signatory]:
        return [s for s in self.signatories if s.role == role.value]

    @property
    def justerare_names(self) -> str:
        names = [s.display_name for s in self.signatories_in(SignatoryRole.JUSTERARE)]
        return " och ".join(names)

    @property
    def kind_label(self) -> str:
        return MeetingKind(self.kind).label

    @property
    def is_board(self) -> bool:
        return MeetingKind(self.kind).is_board


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
    #: When the item was put on the agenda; none for items older than migration 0019.
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    application: Mapped[Application | None] = relationship()
    decision: Mapped[Decision | None] = relationship(back_populates="agenda_item", uselist=False)
    jav: Mapped[list[Jav]] = relationship(back_populates="agenda_item", order_by="Jav.id")
    #: For the item that reports delegationsbeslut to the board (anmälan).
    delegation_decisions: Mapped[list[DelegationDecision]] = relationship(
        back_populates="reported_item", order_by="DelegationDecision.id"
    )

    @property
    def is_case(self) -> bool:
        return self.application_id is not None

    @property
    def is_extra(self) -> bool:
        """An *extra ärende*: put on the agenda after the kallelse went out."""
        sent = self.meeting.kallelse_sent_at
        if sent is None or self.created_at is None:
            return False
        return _utc(self.created_at) > _utc(sent)

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


class Signatory(db.Model):
    """Ordförande, sekreterare or a justerare of the minutes, and when they justerade.

    Named from the attendance (a user, who justerar in the system) or by name only (a
    person without an account, whose justering on paper the kansli records)."""

    __tablename__ = "meeting_signatories"
    __table_args__ = (
        CheckConstraint(f"role IN ({_values(SignatoryRole)})", name="role_valid"),
        CheckConstraint("attendance_id IS NOT NULL OR name IS NOT NULL", name="attendance_or_name"),
        CheckConstraint(
            "signed_at IS NULL OR signed_by_id IS NOT NULL", name="signed_by_when_signed"
        ),
        UniqueConstraint("meeting_id", "attendance_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    #: 1 ordförande, 2 sekreterare, 3 justerare: the order the minutes print them in.
    role_order: Mapped[int] = mapped_column(Integer)
    attendance_id: Mapped[int | None] = mapped_column(ForeignKey("attendance.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Who recorded the justering: the signatory themselves, or the kansli for a person
    #: without an account who justerade on paper.
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="signatories")
    attendance: Mapped[Attendance | None] = relationship(lazy="joined")
    signed_by: Mapped[User | None] = relationship()

    @property
    def role_enum(self) -> SignatoryRole:
        return SignatoryRole(self.role)

    @property
    def user_id(self) -> int | None:
        return self.attendance.user_id if self.attendance is not None else None

    @property
    def display_name(self) -> str:
        return self.attendance.display_name if self.attendance is not None else (self.name or "")

    @property
    def digital(self) -> bool:
        """Justerat in the system by the person themselves (not recorded from paper)."""
        return self.signed_at is not None and self.signed_by_id == self.user_id


class Paragraph(db.Model):
    """A § of justerade minutes. The unique (year, number) is the database's guarantee that
    no § number repeats within a calendar year."""

    __tablename__ = "paragraphs"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        UniqueConstraint("agenda_item_id"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: The agenda item the § is; none for the opening paragraphs.
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    heading: Mapped[str] = mapped_column(String(200))


class MeetingSettings(db.Model):
    """The förbund's rules for meetings and appeals, edited by the kansli (one row).

    Without a row the defaults apply (:func:`meetings.settings.current`)."""

    __tablename__ = "meeting_settings"
    __table_args__ = (
        CheckConstraint("board_size IS NULL OR board_size >= 1", name="board_size_positive"),
        CheckConstraint("quorum_percent BETWEEN 1 AND 99", name="quorum_percent_valid"),
        CheckConstraint("justering_days BETWEEN 1 AND 90", name="justering_days_valid"),
        CheckConstraint("anslag_days BETWEEN 21 AND 90", name="anslag_days_valid"),
        CheckConstraint("deadline_days BETWEEN 1 AND 120", name="deadline_days_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Ledamöter of the board; none = one per active member organisation.
    board_size: Mapped[int | None] = mapped_column(Integer)
    #: Beslutför when more than this share (%) of the ledamöter take part.
    quorum_percent: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    justering_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    anslag_days: Mapped[int] = mapped_column(Integer, default=21, server_default="21")
    #: Complete applications are due this many days before a board meeting without a
    #: beredningsgrupp meeting before it (and without a deadline of its own).
    deadline_days: Mapped[int] = mapped_column(Integer, default=21, server_default="21")
    forvaltningsratt: Mapped[str] = mapped_column(String(200))
    minutes_kept_at: Mapped[str] = mapped_column(String(300))
    appeal_text: Mapped[str] = mapped_column(Text)
    next_steps_text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


# --- delegation ------------------------------------------------------------------------------

#: What a delegate may decide: the kinds that settle a case (återremiss and bordläggning
#: are the board's own steps at a meeting).
DELEGATION_KINDS = (DecisionKind.BEVILJA, DecisionKind.DELVIS_BEVILJA, DecisionKind.AVSLA)


class DelegationOrder(db.Model):
    """A delegationsordning the board adopted: from ``valid_from`` until the next one.

    Never changed once stored; a new ordning is adopted instead, so every delegationsbeslut
    keeps the ordning and the limit it was made under."""

    __tablename__ = "delegation_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The board's decision that adopted it, e.g. "Styrelsen 2026-02-10, § 4".
    adopted_by: Mapped[str] = mapped_column(String(200))
    adopted_on: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date, index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    limits: Mapped[list[DelegationLimit]] = relationship(
        back_populates="order", lazy="selectin", order_by="DelegationLimit.id"
    )


class DelegationLimit(db.Model):
    """How much the delegate may grant within one huvudområde: per case, and in all the
    delegationsbeslut of one budget year together."""

    __tablename__ = "delegation_limits"
    __table_args__ = (
        UniqueConstraint("order_id", "huvudomrade_id"),
        CheckConstraint("max_per_case > 0", name="per_case_positive"),
        CheckConstraint("max_per_year >= max_per_case", name="year_covers_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("delegation_orders.id"), index=True)
    huvudomrade_id: Mapped[int] = mapped_column(ForeignKey("huvudomraden.id"))
    max_per_case: Mapped[Decimal] = mapped_column(Money)
    max_per_year: Mapped[Decimal] = mapped_column(Money)

    order: Mapped[DelegationOrder] = relationship(back_populates="limits")
    huvudomrade: Mapped[Huvudomrade] = relationship()


class DelegationDecision(db.Model):
    """A delegationsbeslut (``D 2026:3``): final when made, reported (anmält) to the board
    at a later meeting through an agenda item."""

    __tablename__ = "delegation_decisions"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        UniqueConstraint("application_id"),
        CheckConstraint(
            f"kind IN ({', '.join(repr(k.value) for k in DELEGATION_KINDS)})", name="kind_valid"
        ),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    limit_id: Mapped[int] = mapped_column(ForeignKey("delegation_limits.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str | None] = mapped_column(Text)
    villkor: Mapped[str | None] = mapped_column(Text)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("assessments.id"))
    background: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    #: The agenda item at which the board was told (anmälan); none until then.
    reported_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"), index=True)

    application: Mapped[Application] = relationship()
    limit: Mapped[DelegationLimit] = relationship()
    decided_by: Mapped[User] = relationship()
    proposal: Mapped[Assessment | None] = relationship()
    reported_item: Mapped[AgendaItem | None] = relationship(back_populates="delegation_decisions")
    amounts: Mapped[list[DelegationAmount]] = relationship(
        order_by="DelegationAmount.year", lazy="selectin", back_populates="decision"
    )

    @property
    def label(self) -> str:
        return f"D {self.year}:{self.number}"

    @property
    def kind_enum(self) -> DecisionKind:
        return DecisionKind(self.kind)

    @property
    def total(self) -> Decimal:
        return sum((a.amount for a in self.amounts), Decimal(0))


class DelegationAmount(db.Model):
    """The amount a delegationsbeslut granted for one year."""

    __tablename__ = "delegation_amounts"
    __table_args__ = (
        UniqueConstraint("decision_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("delegation_decisions.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)

    decision: Mapped[DelegationDecision] = relationship(back_populates="amounts")
