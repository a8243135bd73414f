"""The start page per role, the accessibility statement and /healthz."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import text

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.applications import queries
from finsam_ansokan.core.permissions import public, require
from finsam_ansokan.extensions import db
from finsam_ansokan.followup.services import overdue_reports
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
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
