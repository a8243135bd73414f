"""Budget years, huvudområden and frames.

The invariant that matters most lives on :class:`Ram`: what is granted from a frame never
exceeds the frame. The database holds it as a CHECK constraint on ``granted <= amount``,
so no code path can skip it; the service layer updates ``granted`` with a single
conditional UPDATE so that concurrent decisions cannot overspend.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.core.money import Money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db


class Huvudomrade(db.Model):
    """A main area the förbund funds within. Data the kansli edits, never code."""

    __tablename__ = "huvudomraden"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __str__(self) -> str:
        return self.name


class BudgetYear(db.Model):
    __tablename__ = "budget_years"
    __table_args__ = (
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("equity_carried_over >= 0", name="equity_nonnegative"),
        CheckConstraint("administration_costs >= 0", name="admin_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    preliminary: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: Eget kapital carried over from the year before.
    equity_carried_over: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    #: Styrelse, ledning och administration.
    administration_costs: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    notes: Mapped[str | None] = mapped_column(Text)

    frames: Mapped[list[Ram]] = relationship(back_populates="budget_year")
    contributions: Mapped[list[Contribution]] = relationship(back_populates="budget_year")

    def __str__(self) -> str:
        return f"{self.year}{' (preliminär)' if self.preliminary else ''}"


class Contribution(db.Model):
    """A member's contribution (medlemsinsats) to one budget year."""

    __tablename__ = "contributions"
    __table_args__ = (
        UniqueConstraint("budget_year_id", "organisation_id"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    amount: Mapped[Decimal] = mapped_column(Money)

    budget_year: Mapped[BudgetYear] = relationship(back_populates="contributions")
    organisation: Mapped[Organisation] = relationship()


class Ram(db.Model):
    """The frame of one huvudområde in one budget year, and what is granted from it."""

    __tablename__ = "ramar"
    __table_args__ = (
        UniqueConstraint("budget_year_id", "huvudomrade_id"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        CheckConstraint("granted >= 0", name="granted_nonnegative"),
        CheckConstraint("granted <= amount", name="granted_within_frame"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"), index=True)
    huvudomrade_id: Mapped[int] = mapped_column(ForeignKey("huvudomraden.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")
    #: The money the frame has tied up: every ledger row summed (granted − returned), kept
    #: by ``budget.ledger`` in the same transaction as each movement. Guarded by
    #: ``granted_within_frame``. Pages show *beviljat* from the ledger, not from this column.
    granted: Mapped[Decimal] = mapped_column(Money, default=0, server_default="0")

    budget_year: Mapped[BudgetYear] = relationship(back_populates="frames")
    huvudomrade: Mapped[Huvudomrade] = relationship()

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.granted


class Omfordelning(db.Model):
    """A logged move of money between two frames of the same budget year."""

    __tablename__ = "omfordelningar"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"), index=True)
    from_ram_id: Mapped[int] = mapped_column(ForeignKey("ramar.id"))
    to_ram_id: Mapped[int] = mapped_column(ForeignKey("ramar.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    from_ram: Mapped[Ram] = relationship(foreign_keys=[from_ram_id])
    to_ram: Mapped[Ram] = relationship(foreign_keys=[to_ram_id])
    actor: Mapped[User] = relationship()


class Movement(enum.StrEnum):
    """What a ledger row records."""

    #: the board's decision takes money from the frame (positive)
    GRANT = "grant"
    #: a decision changed or undone before justering gives it back (negative)
    REVOKE = "revoke"
    #: money not used goes back when the project closes (negative); the grant stands
    RETURN = "return"


class FrameGrant(db.Model):
    """One movement of money out of (positive) or back into (negative) a frame.

    The ledger behind :attr:`Ram.granted`: ``budget.ledger`` writes a row in the same
    transaction as the conditional UPDATE of ``granted``, so that for every frame
    ``granted == SUM(frame_grants.amount)`` (checked by ``ledger.verify_frames``). Each row
    is linked to the application it was granted to, and says which :class:`Movement` it is.
    """

    __tablename__ = "frame_grants"
    __table_args__ = (
        CheckConstraint("amount <> 0", name="amount_nonzero"),
        CheckConstraint(
            "(kind = 'grant' AND amount > 0) OR (kind IN ('revoke', 'return') AND amount < 0)",
            name="kind_matches_sign",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ram_id: Mapped[int] = mapped_column(ForeignKey("ramar.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    #: Positive when granted, negative when given back (decision changed, money not used).
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[str] = mapped_column(
        String(8), default=Movement.GRANT.value, server_default=Movement.GRANT.value
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    ram: Mapped[Ram] = relationship()
    actor: Mapped[User | None] = relationship()


class FigureVersion(db.Model):
    """The version of a year's money figures in one huvudområde (0: none, and the year's
    own figures such as the contributions), kept by ``finsam_ansokan.figures``.

    Every flush that changes what the budget overview or the statistics of ``year`` read
    for that huvudområde writes a fresh random ``version`` here in the same transaction,
    so a cache keyed on the versions read from the database can never serve old figures.
    """

    __tablename__ = "figure_versions"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    huvudomrade_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)
