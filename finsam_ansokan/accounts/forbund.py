"""The förbund this installation serves, loaded once per request (with the signed-in user's
session row when there is one: ``sessions.current``)."""

from __future__ import annotations

from flask import g
from sqlalchemy import func, select

from finsam_ansokan.extensions import db

from .models import Forbund

#: The id of the förbund row (the installation has one; the first if ever more).
FIRST_FORBUND_ID = select(func.min(Forbund.id)).scalar_subquery()


def current_forbund() -> Forbund | None:
    if "forbund" not in g:
        first = select(Forbund).where(Forbund.id == FIRST_FORBUND_ID)
        g.forbund = db.session.scalars(first).first()
    return g.forbund
