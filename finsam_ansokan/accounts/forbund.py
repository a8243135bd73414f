"""The förbund this installation serves, loaded once per request."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from finsam_ansokan.extensions import db

from .models import Forbund


def current_forbund() -> Forbund | None:
    if "forbund" not in g:
        g.forbund = db.session.scalars(select(Forbund).order_by(Forbund.id).limit(1)).first()
    return g.forbund
