"""Loading an application for a route: 404 for anyone who may not see it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from finsam_ansokan.extensions import db

from . import policy
from .models import Application, ApplicationParty


def visible_or_404(
    application_id: int, may: Callable[[Any, Application], bool] = policy.can_view
) -> Application:
    """The application, or 404 when it does not exist or the user may not see it, so its
    existence is not revealed either. ``may`` is the rule: by default the application's
    own; an area passes a narrower one (the follow-up, the decision page)."""
    application = db.session.get(
        Application,
        application_id,
        options=[
            joinedload(Application.organisation),
            joinedload(Application.huvudomrade),
            selectinload(Application.parties).joinedload(ApplicationParty.organisation),
        ],
    )
    if application is None or not may(current_user, application):
        abort(404)
    return application
