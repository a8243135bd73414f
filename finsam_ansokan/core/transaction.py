"""One transaction per request, true by construction.

Routes never commit. After the handler has returned a response below 400 the request
commits once; a response of 400 or more, a refused action (``refused``) or an exception
rolls everything back. Services flush and raise ``DomainError``; they never commit.

A ``DomainError`` that a route does not catch itself becomes a Swedish 4xx page with the
service's message (409 for a stale edit, 403 for ``NotAllowed``, 503 when the file store
failed, 422 otherwise), so a route reads: permission → form → service → redirect. A change
that lost a race with another request's (a stale row, a deadlock, a unique key taken
meanwhile) becomes the 409 page, never a 500.

The 500 page says only what is known: a failure before the commit rolled everything back;
one during or after the commit may have come after the database stored the change
(``commit_attempted``). A route that shows a form again with the
service's message calls ``refused_form`` (undo, message beside its field) first, so what the
page reads is what is stored, whatever status it answers with.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, g, redirect, render_template
from flask_wtf import FlaskForm
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from finsam_ansokan.core.database import is_concurrent_conflict
from finsam_ansokan.core.errors import (
    ConcurrentEditError,
    DomainError,
    NotAllowed,
    StorageUnavailable,
)
from finsam_ansokan.core.forms import apply_domain_error
from finsam_ansokan.extensions import db

STALE_MESSAGE = (
    "Någon annan har ändrat uppgifterna medan du arbetade. Ladda om sidan och försök igen."
)
RACE_MESSAGE = (
    "Någon annan ändrade samma uppgifter i samma ögonblick, så din ändring sparades inte. "
    "Ladda om sidan, se efter hur det ser ut nu och försök igen om det behövs."
)


def roll_back() -> None:
    """Undo what the request did so far; the request will not commit afterwards."""
    db.session.rollback()
    g.transaction_rolled_back = True


def refused(exc: DomainError, target: str, category: str = "error") -> Response:
    """A service refused: undo what the request did and go back with the service's message."""
    roll_back()
    flash(exc.message, category)
    return redirect(target)


def refused_form(form: FlaskForm, exc: DomainError) -> None:
    """A service refused what a form asked: undo what the request did (so the page shown
    again reads what is stored) and put the message beside its field or at the top."""
    roll_back()
    apply_domain_error(form, exc)


def keep_changes() -> None:
    """Store what the request did even though it answers 4xx: one part of the action was
    done and stays done while the page says what refused the rest (a report's draft is
    saved; its submission is refused). A 5xx still rolls back."""
    g.transaction_keep = True


def commit_attempted() -> bool:
    """True once the request has begun to commit: a failure from then on (a connection lost
    during COMMIT, an error after it) may have come after the database stored the change."""
    return bool(g.get("commit_attempted"))


def status_for(exc: DomainError) -> int:
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, ConcurrentEditError):
        return 409
    if isinstance(exc, StorageUnavailable):
        return 503
    return 422


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit_or_roll_back(response: Response) -> Response:
        kept = g.get("transaction_keep") and response.status_code < 500
        if (response.status_code < 400 or kept) and not g.get("transaction_rolled_back"):
            g.commit_attempted = True
            try:
                db.session.commit()
            except BaseException:
                # the 500 page follows (it reads the commit_attempted flag); a session left
                # half-committed is closed, so that page and the rollback after it can run
                db.session.close()
                raise
        else:
            db.session.rollback()
        return response

    @app.errorhandler(DomainError)
    def _refused(exc: DomainError):
        roll_back()
        code = status_for(exc)
        return render_template(
            "errors/error.html", code=code, title="Det gick inte", text=exc.message
        ), code

    @app.errorhandler(StaleDataError)
    def _stale(exc: StaleDataError):
        roll_back()
        return render_template(
            "errors/error.html", code=409, title="Konflikt", text=STALE_MESSAGE
        ), 409

    @app.errorhandler(DBAPIError)
    def _lost_race(exc: DBAPIError):
        """A deadlock, a serialization failure or a key taken by a concurrent request: the
        other request's change stands, this one is rolled back and says so. Any other
        database error is a fault: the 500 page (logged there)."""
        if not is_concurrent_conflict(exc):
            raise exc
        roll_back()
        current_app.logger.warning("concurrent change refused: %s", exc.orig)
        return render_template(
            "errors/error.html", code=409, title="Konflikt", text=RACE_MESSAGE
        ), 409
