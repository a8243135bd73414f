"""The application and what hangs off it: parties, budget lines, versions, attachments."""

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
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from finsam_ansokan.accounts.models import Organisation, User
from finsam_ansokan.budget.models import Huvudomrade
from finsam_ansokan.core.events import Event
from finsam_ansokan.core.money import Money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .status import STATUS_LABELS, Status

_STATUS_VALUES = ", ".join(f"'{s.value}'" for s in Status)


def diarienummer(year: int | None, number: int | None) -> str | None:
    """``2026/14``: how a registered case is named; None for a draft."""
    if number is None:
        return None
    return f"{year}/{number}"


def display_title(title: str | None) -> str:
    return title or "Namnlös ansökan"


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_VALUES})", name="status_valid"),
        # A diarienummer is given once, at first submission, and is unique per year.
        UniqueConstraint("diarie_year", "diarie_number"),
        CheckConstraint(
            "(diarie_year IS NULL AND diarie_number IS NULL)"
            " OR (diarie_year IS NOT NULL AND diarie_number IS NOT NULL)",
            name="diarienummer_complete",
        ),
        CheckConstraint(
            "status = 'utkast' OR status = 'aterkallad' OR diarie_number IS NOT NULL",
            name="submitted_has_diarienummer",
        ),
        CheckConstraint(
            "expected_women IS NULL OR expected_women >= 0", name="expected_women_nonnegative"
        ),
        CheckConstraint(
            "expected_men IS NULL OR expected_men >= 0", name="expected_men_nonnegative"
        ),
        CheckConstraint(
            "first_year IS NULL OR last_year IS NULL OR first_year <= last_year",
            name="budget_years_in_order",
        ),
        # Cases in some statuses, latest changed first, with what ``visible_to`` reads: the
        # start pages' groups (counts and newest) and unread comments from the index alone.
        Index(
            "ix_applications_status_visibility",
            "status",
            "updated_at",
            "id",
            "diarie_number",
            "shared_for_comments",
            "organisation_id",
        ),
        # The start pages: cases in some statuses, oldest submitted first; an organisation's
        # own, latest changed first.
        Index("ix_applications_status_submitted", "status", "submitted_at"),
        Index("ix_applications_organisation_updated", "organisation_id", "updated_at"),
        # Registered applications by the years they cover: statistics and the year filter
        # read these columns only, so the (wide) rows themselves are not visited.
        Index(
            "ix_applications_registered_years",
            "first_year",
            "last_year",
            "huvudomrade_id",
            "status",
            "id",
            postgresql_where=text("diarie_number IS NOT NULL"),
            sqlite_where=text("diarie_number IS NOT NULL"),
        ),
        # An application's huvudområde and status without its (wide) row: the money per
        # huvudområde (utbetalt, förbrukat, föreslaget) joins applications through this.
        Index("ix_applications_id_area", "id", "huvudomrade_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    huvudomrade_id: Mapped[int | None] = mapped_column(ForeignKey("huvudomraden.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), default=Status.UTKAST.value)
    diarie_year: Mapped[int | None] = mapped_column(Integer)
    diarie_number: Mapped[int | None] = mapped_column(Integer)
    #: Shared with the beredningsgrupp for comments while still a draft.
    shared_for_comments: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Optimistic locking: a save based on an older lock_version is refused.
    lock_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    # --- Sökande ---------------------------------------------------------------
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    project_leader: Mapped[str | None] = mapped_column(String(200))

    # --- Insatsen ---------------------------------------------------------------
    #: The budget years the application asks money for: first_year … last_year.
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(30))  # individinriktad / strukturovergripande
    malgrupp: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    # --- Behov och bakgrund -----------------------------------------------------
    need: Mapped[str | None] = mapped_column(Text)
    not_ordinary_work: Mapped[str | None] = mapped_column(Text)

    # --- Syfte och mål -------------------------------------------------------------
    purpose: Mapped[str | None] = mapped_column(Text)
    goals: Mapped[str | None] = mapped_column(Text)

    # --- Genomförande ------------------------------------------------------------
    activities: Mapped[str | None] = mapped_column(Text)
    time_plan: Mapped[str | None] = mapped_column(Text)
    steering: Mapped[str | None] = mapped_column(Text)

    # --- Plan för uppföljning och utvärdering ------------------------------------
    followup_plan: Mapped[str | None] = mapped_column(Text)
    followup_indicators: Mapped[str | None] = mapped_column(Text)
    registers_in_sus: Mapped[bool | None] = mapped_column(Boolean)

    # --- Jämställdhet ---------------------------------------------------------------
    gender_composition: Mapped[str | None] = mapped_column(Text)
    gender_work: Mapped[str | None] = mapped_column(Text)
    gender_split_reporting: Mapped[bool | None] = mapped_column(Boolean)
    expected_women: Mapped[int | None] = mapped_column(Integer)
    expected_men: Mapped[int | None] = mapped_column(Integer)

    # --- Fortsatt finansiering och implementering --------------------------------
    continuation: Mapped[str | None] = mapped_column(Text)

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User] = relationship()
    huvudomrade: Mapped[Huvudomrade | None] = relationship()
    parties: Mapped[list[ApplicationParty]] = relationship(
        back_populates="application", cascade="all, delete-orphan"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="(BudgetLine.year, BudgetLine.category)",
    )
    versions: Mapped[list[ApplicationVersion]] = relationship(
        back_populates="application", order_by="ApplicationVersion.number"
    )
    events: Mapped[list[Event]] = relationship(order_by=Event.created_at, viewonly=True)

    #: Sökt belopp (costs − co-funding, all years), when a query loaded it with
    #: ``queries.with_requested()``: computed in SQL, None otherwise.
    requested: Mapped[Decimal | None] = query_expression()

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def diarienummer(self) -> str | None:
        return diarienummer(self.diarie_year, self.diarie_number)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]  # a str keys the StrEnum dict

    @property
    def display_title(self) -> str:
        return display_title(self.title)

    @property
    def years(self) -> list[int]:
        """The budget years asked for, in order (empty until chosen)."""
        if self.first_year is None:
            return []
        return list(range(self.first_year, (self.last_year or self.first_year) + 1))


# The list's default order (diarienummer, newest first, drafts last) read straight from an
# index, so a page is 25 index entries instead of a sort of the whole table. The last column
# is the rest of the list's visibility (registered, or a draft shared for comments), so a deep
# page and the count read the index alone. (On SQLite the index is plain DESC, which already
# puts NULL last: ``extensions``.)
Index(
    "ix_applications_list_order",
    Application.diarie_year.desc().nulls_last(),
    Application.diarie_number.desc().nulls_last(),
    Application.id.desc(),
    Application.shared_for_comments,
)


class ApplicationParty(db.Model):
    """A medverkande part: a member organisation the insats addresses."""

    __tablename__ = "application_parties"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)

    application: Mapped[Application] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()


class BudgetLine(db.Model):
    """One cost line (or co-funding) of an application's budget for one year."""

    __tablename__ = "application_budget_lines"
    __table_args__ = (
        UniqueConstraint("application_id", "year", "category"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        CheckConstraint(
            "category IN ('personal', 'lokaler', 'ovrigt', 'medfinansiering')",
            name="category_valid",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money, default=0)
    note: Mapped[str | None] = mapped_column(String(500))

    application: Mapped[Application] = relationship(back_populates="budget_lines")


class ApplicationVersion(db.Model):
    """The immutable content of an application as it was submitted (allmän handling)."""

    __tablename__ = "application_versions"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)

    application: Mapped[Application] = relationship(back_populates="versions")
    submitted_by: Mapped[User] = relationship()


class DiarieCounter(db.Model):
    """The last diarienummer given in a year. Incremented in one UPDATE, never reused."""

    __tablename__ = "diarie_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(db.Model):
    """A bilaga. The bytes live in attachment storage under ``storage_key``."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_nonnegative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(255), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    #: Removed from the draft; kept when it was part of a submitted version.
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    application: Mapped[Application] = relationship()
    uploaded_by: Mapped[User] = relationship()
