"""Read-only queries over applications, for start pages and lists."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from finsam_ansokan.extensions import db

from .models import Application
from .status import Status


def _base():
    return select(Application).options(
        joinedload(Application.organisation), joinedload(Application.huvudomrade)
    )


def for_organisation(organisation_id: int | None, limit: int = 50) -> list[Application]:
    if organisation_id is None:
        return []
    query = (
        _base()
        .where(Application.organisation_id == organisation_id)
        .order_by(Application.updated_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def in_statuses(statuses: Iterable[Status], limit: int = 50) -> list[Application]:
    query = (
        _base()
        .where(Application.status.in_([s.value for s in statuses]))
        .order_by(Application.submitted_at.asc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def count_by_status() -> dict[Status, int]:
    rows = db.session.execute(
        select(Application.status, func.count()).group_by(Application.status)
    ).all()
    counts = {status: 0 for status in Status}
    for status, n in rows:
        counts[Status(status)] = n
    return counts
