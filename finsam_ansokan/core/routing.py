"""Small helpers routes share."""

from __future__ import annotations

from flask import flash, redirect
from werkzeug.wrappers import Response

from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.extensions import db


def refused(exc: DomainError, target: str) -> Response:
    """A service refused: undo what the request did and go back with the service's message."""
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(target)
