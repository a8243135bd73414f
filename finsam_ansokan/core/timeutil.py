"""Time: stored in UTC, shown in Swedish time."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    return utcnow().astimezone(SWEDEN).date()


def as_local(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite hands back naive datetimes; we store UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SWEDEN)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_local(value).date()
    return value.isoformat()


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return as_local(value).strftime("%Y-%m-%d %H:%M")
