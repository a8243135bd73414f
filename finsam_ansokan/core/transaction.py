"""One transaction per request, true by construction.

Routes never commit. After the handler has returned a response below 400 the request
commits once; a response of 400 or more, a refused action (``refused``) or an exception
rolls everything back. Services flush and raise ``DomainError``; they never commit.

A ``DomainError`` that a route does not catch itself becomes a Swedish 4xx page with the
service's message (409 for a stale edit, 403 for ``NotAllowed``, 422 otherwise), so a route
reads: permission → form → service → redirect. A route that shows a form again with the
service's message calls ``refused_form`` (undo, message beside its field) first, so what the
page reads is what is stored, whatever status it answers with.
"""

from __future__ import annotations

from flask import Flask, flash, g, redirect, render_template
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from finsam_ansokan.core.errors import ConcurrentEditError, DomainError, NotAllowed
from finsam_ansokan.core.forms import apply_domain_error
from finsam_ansokan.extensions import db

STALE_MESSAGE = (
    "Någon annan har ändrat uppgifterna medan du arbetade. Ladda om sidan och försök igen."
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


def status_for(exc: DomainError) -> int:
    if isinstance(exc, NotAllowed):
        return 403
    if isinstance(exc, ConcurrentEditError):
        return 409
    return 422


def init_app(app: Flask) -> None:
    @app.after_request
    def _commit_or_roll_back(response: Response) -> Response:
        kept = g.get("transaction_keep") and response.status_code < 500
        if (response.status_code < 400 or kept) and not g.get("transaction_rolled_back"):
            db.session.commit()
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
