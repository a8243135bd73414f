"""The append-only event log: who did what, when, and which status change it made.

Rows are only ever inserted. The migrations install triggers that refuse UPDATE and
DELETE on the table, on SQLite and PostgreSQL alike, so the log is append-only even for
code that tries otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_application_created", "application_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The application the event concerns, if any.
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    #: Other things an event can concern, e.g. ``"meeting:4"`` or ``"user:12"``.
    subject: Mapped[str | None] = mapped_column(String(60), index=True)
    #: A machine name for what happened, e.g. ``"status_changed"``, ``"comment_added"``.
    kind: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[str | None] = mapped_column(String(30))
    to_status: Mapped[str | None] = mapped_column(String(30))
    message: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = relationship("User", lazy="joined")


def record_event(
    kind: str,
    *,
    actor: Any = None,
    application: Any = None,
    subject: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Add an event to the session (flushed with the rest; the request commits)."""
    event = Event(
        kind=kind,
        actor_id=getattr(actor, "id", None),
        application_id=getattr(application, "id", None),
        subject=subject,
        from_status=str(from_status) if from_status else None,
        to_status=str(to_status) if to_status else None,
        message=message,
        data=data,
    )
    if application is not None and getattr(application, "id", None) is None:
        event.application = application  # type: ignore[attr-defined]
    db.session.add(event)
    return event
