"""Signed-in sessions, kept on the server.

The signed cookie holds a random session id; the ``user_sessions`` row (keyed by the id's
hash) is what makes it valid. Logging out deletes the row, so a cookie copied before
*Logga ut* no longer works. A session also ends after ``SESSION_IDLE_MINUTES`` without a
request and after ``SESSION_MAX_HOURS`` in any case. Services flush; the request commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g, has_request_context, request, session
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload

from finsam_ansokan.core.timeutil import utcnow
from finsam_ansokan.extensions import db

from .forbund import FIRST_FORBUND_ID
from .models import Forbund, User, UserSession

SESSION_KEY = "_sid"
#: ``last_seen_at`` is written at most this often, not on every request.
TOUCH_EVERY = timedelta(minutes=1)

PASSWORD = "password"  # noqa: S105 - a sign-in method, not a password
TOTP = "totp"
OIDC = "oidc"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def create(user: User, method: str) -> tuple[UserSession, str]:
    """A new session row for ``user``; returns it and the id for the cookie."""
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=_hash(token), user_id=user.id, method=method)
    if has_request_context():
        row.ip_address = (request.remote_addr or "")[:45] or None
        row.user_agent = (request.user_agent.string or "")[:200] or None
    db.session.add(row)
    db.session.flush()
    return row, token


def start(user: User, method: str) -> UserSession:
    """Open a session for ``user`` in this browser (the caller has cleared the old one)."""
    row, token = create(user, method)
    session[SESSION_KEY] = token
    g.user_session = row
    return row


#: The statement behind every signed-in request, built once (it runs on every page, so it is
#: not rebuilt and re-keyed for SQLAlchemy's statement cache each time): the session row, the
#: user, their roles and organisation in the same query, and the förbund every page's header
#: shows (``forbund.current_forbund``). One statement per request for who is signed in and where.
_SIGNED_IN = (
    select(UserSession, Forbund)
    .outerjoin(Forbund, Forbund.id == FIRST_FORBUND_ID)
    .where(UserSession.token_hash == bindparam("token_hash"))
    .options(
        joinedload(UserSession.user).joinedload(User.role_rows),
        joinedload(UserSession.user).joinedload(User.organisation),
    )
    .execution_options(populate_existing=True)
)


def _expired(row: UserSession, now: datetime) -> bool:
    config = current_app.config
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    lifetime = timedelta(hours=config["SESSION_MAX_HOURS"])
    return _aware(row.last_seen_at) + idle < now or _aware(row.created_at) + lifetime < now


def current(user: User | None = None) -> UserSession | None:
    """This browser's live session row (for ``user`` if given), or None; an expired row
    is deleted on the way."""
    if "user_session" in g:
        row = g.user_session
    else:
        token = session.get(SESSION_KEY)
        row = None
        if isinstance(token, str) and token:
            found = db.session.execute(_SIGNED_IN, {"token_hash": _hash(token)}).unique().first()
            if found is not None:
                row, g.forbund = found
        now = utcnow()
        if row is not None and _expired(row, now):
            db.session.delete(row)
            db.session.flush()
            row = None
        if row is not None and _aware(row.last_seen_at) + TOUCH_EVERY < now:
            row.last_seen_at = now
        g.user_session = row
    if row is not None and user is not None and row.user_id != user.id:
        return None
    return row


def end_current() -> None:
    row = current()
    if row is not None:
        db.session.delete(row)
        db.session.flush()
    g.user_session = None


def end_all(user: User, *, keep: UserSession | None = None) -> int:
    """End every session of ``user`` (but ``keep``). Returns how many ended."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(query.execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0


def end_one(user: User, session_id: int) -> bool:
    """End one of ``user``'s sessions; True if it was this browser's own."""
    row = db.session.get(UserSession, session_id)
    if row is None or row.user_id != user.id:
        return False
    was_current = row is current(user)
    db.session.delete(row)
    db.session.flush()
    return was_current


def live_sessions(user: User) -> list[UserSession]:
    now = utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.last_seen_at.desc())
    ).all()
    return [row for row in rows if not _expired(row, now)]


def mark_authenticated(row: UserSession, method: str | None = None) -> None:
    """The user proved who they are again (re-authentication before a sensitive action)."""
    row.authenticated_at = utcnow()
    if method:
        row.method = method
    db.session.flush()


def is_fresh(row: UserSession | None) -> bool:
    if row is None:
        return False
    window = timedelta(minutes=current_app.config["FRESH_AUTH_MINUTES"])
    return _aware(row.authenticated_at) + window >= utcnow()
