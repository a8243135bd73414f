"""Application rules: status changes, diarienummer, versions.

Every status change goes through :func:`transition`: it checks the transition table in
:mod:`.status`, changes the status and writes an event, in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update

from finsam_ansokan.accounts.models import User
from finsam_ansokan.core.events import record_event
from finsam_ansokan.core.timeutil import today, utcnow
from finsam_ansokan.extensions import db

from .models import Application, ApplicationVersion, Attachment, DiarieCounter
from .status import Action, Status, target_of


def transition(
    application: Application,
    action: Action,
    *,
    actor: User | None,
    message: str | None = None,
    data: dict[str, Any] | None = None,
) -> Status:
    """Move ``application`` by ``action`` (or raise StateTransitionError) and log it."""
    source = Status(application.status)
    target = target_of(source, action)
    application.status = target.value
    record_event(
        "status_changed",
        actor=actor,
        application=application,
        from_status=source,
        to_status=target,
        message=message,
        data={"action": action.value, **(data or {})},
    )
    return target


def allocate_diarienummer(year: int | None = None) -> tuple[int, int]:
    """Take the next diarienummer of ``year`` (default: this year). Never reused.

    One UPDATE … RETURNING increments the counter: on PostgreSQL the row lock makes
    concurrent submissions queue; on SQLite the writer lock does. The unique constraint
    on (diarie_year, diarie_number) is the last guard.
    """
    year = year or today().year
    number = db.session.execute(
        update(DiarieCounter)
        .where(DiarieCounter.year == year)
        .values(last_number=DiarieCounter.last_number + 1)
        .returning(DiarieCounter.last_number)
    ).scalar()
    if number is None:
        db.session.execute(insert(DiarieCounter).values(year=year, last_number=1))
        number = 1
    return year, number


def snapshot(application: Application) -> dict[str, Any]:
    """The content of an application as plain data, for an immutable version."""
    columns = [
        c.key
        for c in Application.__table__.columns
        if c.key
        not in {"id", "status", "lock_version", "created_at", "updated_at", "shared_for_comments"}
    ]
    content: dict[str, Any] = {}
    for key in columns:
        value = getattr(application, key)
        content[key] = value.isoformat() if hasattr(value, "isoformat") else value
    content["organisation"] = application.organisation.name if application.organisation else None
    content["huvudomrade"] = application.huvudomrade.name if application.huvudomrade else None
    content["parties"] = sorted(p.organisation.name for p in application.parties)
    content["budget_lines"] = [
        {
            "year": line.year,
            "category": line.category,
            "amount": str(line.amount),
            "note": line.note,
        }
        for line in application.budget_lines
    ]
    # which bilagor the version had (the bytes stay in storage while a version lists them)
    content["attachments"] = [
        {
            "id": a.id,
            "filename": a.filename,
            "content_type": a.content_type,
            "size_bytes": a.size_bytes,
            "sha256": a.sha256,
        }
        for a in db.session.scalars(
            select(Attachment)
            .where(Attachment.application_id == application.id, Attachment.removed.is_(False))
            .order_by(Attachment.uploaded_at, Attachment.id)
        )
    ]
    return content


def record_version(application: Application, *, actor: User) -> ApplicationVersion:
    last = db.session.scalar(
        select(ApplicationVersion.number)
        .where(ApplicationVersion.application_id == application.id)
        .order_by(ApplicationVersion.number.desc())
        .limit(1)
    )
    version = ApplicationVersion(
        application=application,
        number=(last or 0) + 1,
        submitted_by_id=actor.id,
        submitted_at=utcnow(),
        content=snapshot(application),
    )
    db.session.add(version)
    return version
