"""The start page per role, the accessibility statement and /healthz."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import queries
from finsam_ansokan.core.permissions import public, require
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.extensions import db, rate_limit_store_ok
from finsam_ansokan.followup.services import overdue_reports
from finsam_ansokan.meetings import calendar
from finsam_ansokan.worklist.start import work_list

bp = Blueprint("main", __name__)


@bp.route("/")
@require("view_start")
def start():
    roles = current_user.roles
    sections = {}
    if Role.SOKANDE in roles:
        sections["own"] = queries.for_organisation(current_user.organisation_id)
    if Role.KANSLI in roles:
        sections["overdue_reports"] = overdue_reports()
    if Role.STYRELSE in roles:
        sections["next_meeting"] = calendar.next_board_meeting(today())
    if roles & {Role.KANSLI, Role.REVISOR, Role.ADMIN}:
        sections["counts"] = queries.count_by_status()
    return render_template("main/start.html", sections=sections, work=work_list(current_user))


@bp.route("/tillganglighet")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/healthz")
@public
def healthz():
    """Liveness and the dependencies: the database must answer (else 503); the shared
    store of the login limits (Redis) may be down, and then the app counts in each
    worker's memory ("degraded": still serving, limits per worker)."""
    checks = {"database": "ok", "rate_limit_store": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        checks["database"] = "unavailable"
    if not rate_limit_store_ok():
        checks["rate_limit_store"] = "unavailable: counting in memory per worker"
    if checks["database"] != "ok":
        return {"status": "unavailable", "checks": checks}, 503
    status = "ok" if checks["rate_limit_store"] == "ok" else "degraded"
    return {"status": status, "checks": checks}
