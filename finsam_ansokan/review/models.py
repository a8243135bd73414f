"""Comments (visible to the applicant or internal) and the assessments that prepare a case."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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
from finsam_ansokan.core.money import Money
from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db


class Comment(db.Model):
    """A comment on an application or one of its sections, in a thread.

    ``internal`` comments (Intern anteckning) are for beredningsgrupp, kansli and styrelse
    only; the applicant never receives them, through any page, export or notification.
    """

    __tablename__ = "comments"
    __table_args__ = (
        # a case's comments in order; author and section too, so the start pages' unread
        # comments are found from the index alone
        Index(
            "ix_comments_application_created",
            "application_id",
            "created_at",
            "author_id",
            "section",
        ),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    #: The section the comment is about (a key of the application form), or None: the whole.
    section: Mapped[str | None] = mapped_column(String(40))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    #: The submitted version the comment was written on; None while it was a draft.
    version_number: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(
        back_populates="parent", order_by="Comment.created_at"
    )


class AssessmentStage(StrEnum):
    RECOMMENDATION = "rekommendation"  # the beredningsgrupp's recommendation
    PROPOSAL = "forslag"  # the kansli's förslag till beslut

    @property
    def label(self) -> str:
        return {
            "rekommendation": "Beredningsgruppens rekommendation",
            "forslag": "Förslag till beslut",
        }[self.value]


class CommentRead(db.Model):
    """How far a user has read the comments on one section of an application.

    ``section`` is the section's slug, or ``""`` for comments on the whole application. A
    comment is unread for a user when it was written by someone else after ``read_at`` (or
    there is no row). Opening a section marks that section read; opening *Kommentarer* marks
    every section read.
    """

    __tablename__ = "comment_reads"
    __table_args__ = (UniqueConstraint("user_id", "application_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    section: Mapped[str] = mapped_column(String(40), default="")
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CommentUnread(db.Model):
    """How many comments a user has not read on an application, and when the newest was
    written: the start pages' *unread comments* read from here, not from every open case's
    comments.

    Kept by ``review.services.refresh_unread`` wherever a comment is written (every reader
    of the case) or read (that reader): a row per reader and application with at least one
    unread comment, counted from ``comments`` and ``comment_reads`` exactly as
    ``unread_condition`` does. Both counts are kept (with and without internal notes), so a
    reader's current role chooses at read time; whether the reader may see the case at all
    (``visible_to``) is also decided when read. ``is_open`` follows the case's status (a
    database trigger on ``applications``), so the start pages read only the rows of cases
    open for comments.
    """

    __tablename__ = "comment_unread"
    __table_args__ = (
        CheckConstraint("unread > 0 AND unread_public >= 0", name="counts_positive"),
        # a user's rows of cases open for comments, read from the index alone
        Index(
            "ix_comment_unread_open",
            "user_id",
            "application_id",
            "unread",
            "unread_public",
            "latest_at",
            "latest_public_at",
            postgresql_where=text("is_open"),
            sqlite_where=text("is_open"),
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    #: unread comments and internal notes, and the newest one's time
    unread: Mapped[int] = mapped_column(Integer)
    latest_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: the same without internal notes (for a reader who may not read them)
    unread_public: Mapped[int] = mapped_column(Integer)
    latest_public_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the case is open for comments (``applications.status``, kept by a trigger when it moves)
    is_open: Mapped[bool] = mapped_column(Boolean)


class AssessmentKind(StrEnum):
    BEVILJA = "bevilja"
    DELVIS_BEVILJA = "delvis_bevilja"
    AVSLA = "avsla"
    KOMPLETTERING = "komplettering"

    @property
    def label(self) -> str:
        return {
            "bevilja": "Bevilja",
            "delvis_bevilja": "Delvis bevilja",
            "avsla": "Avslå",
            "komplettering": "Begär komplettering",
        }[self.value]


class Assessment(db.Model):
    """A recommendation (beredningsgrupp) or a proposed decision (kansli), with amounts per year.

    Rows are never changed: a new assessment supersedes the earlier one, so the history of
    how a case was prepared stays readable. The latest proposal is what the board decides on.
    """

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("stage IN ('rekommendation', 'forslag')", name="stage_valid"),
        CheckConstraint(
            "kind IN ('bevilja', 'delvis_bevilja', 'avsla', 'komplettering')", name="kind_valid"
        ),
        CheckConstraint(
            "stage = 'rekommendation' OR kind <> 'komplettering'", name="proposal_decides"
        ),
        Index("ix_assessments_application_stage", "application_id", "stage", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    motivation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    author: Mapped[User] = relationship(lazy="joined")
    amounts: Mapped[list[AssessmentAmount]] = relationship(
        cascade="all, delete-orphan", order_by="AssessmentAmount.year", lazy="selectin"
    )

    @property
    def total(self) -> Decimal:
        return sum((a.amount for a in self.amounts), Decimal(0))

    @property
    def stage_label(self) -> str:
        return AssessmentStage(self.stage).label

    @property
    def kind_label(self) -> str:
        return AssessmentKind(self.kind).label


class AssessmentAmount(db.Model):
    __tablename__ = "assessment_amounts"
    __table_args__ = (
        UniqueConstraint("assessment_id", "year"),
        CheckConstraint("amount >= 0", name="amount_nonnegative"),
        Index("ix_assessment_amounts_year", "year", "assessment_id", "amount"),  # föreslaget
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money)
