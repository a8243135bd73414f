"""Each user's notification settings, and the outbox for the kansli."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import defer

from finsam_ansokan.accounts.roles import Role
from finsam_ansokan.core.forms import Form
from finsam_ansokan.core.permissions import require
from finsam_ansokan.extensions import db

from . import services
from .models import NotificationKind, OutboxMessage, OutboxStatus

bp = Blueprint("notifications", __name__)

#: The kinds each role can receive (the settings page offers only those).
KINDS_FOR_ROLE = {
    Role.SOKANDE: [
        NotificationKind.COMMENT,
        NotificationKind.KOMPLETTERING,
        NotificationKind.DECISION,
        NotificationKind.PAYMENT_DECIDED,
        NotificationKind.REPORT_DECIDED,
        NotificationKind.REPORT_DUE,
        NotificationKind.REPORT_OVERDUE,
    ],
    Role.BEREDNING: [
        NotificationKind.SUBMITTED,
        NotificationKind.DRAFT_SHARED,
        NotificationKind.JUSTERING,
    ],
    Role.KANSLI: [
        NotificationKind.SUBMITTED,
        NotificationKind.PAYMENT_REQUESTED,
        NotificationKind.REPORT_SUBMITTED,
        NotificationKind.JUSTERING,
    ],
    Role.STYRELSE: [NotificationKind.KALLELSE, NotificationKind.JUSTERING],
}


def _kinds_for(user) -> list[NotificationKind]:
    kinds: list[NotificationKind] = []
    for role in sorted(user.roles):
        for kind in KINDS_FOR_ROLE.get(role, []):
            if kind not in kinds:
                kinds.append(kind)
    return kinds


@bp.route("/konto/aviseringar", methods=["GET", "POST"])
@require("manage_own_account")
def settings():
    kinds = _kinds_for(current_user)
    form = Form()
    if form.validate_on_submit():
        wanted = set(request.form.getlist("kinds"))
        services.set_opted_out(current_user, [k for k in kinds if k.value not in wanted])
        flash("Dina inställningar för e-post är sparade.", "success")
        return redirect(url_for("notifications.settings"))
    off = services.opted_out_kinds(current_user)
    return render_template("notifications/settings.html", form=form, kinds=kinds, off=off)


@bp.route("/admin/utkorg")
@require("manage_outbox")
def outbox():
    status = request.args.get("status") or None
    if status is not None and status not in {s.value for s in OutboxStatus}:
        abort(404)
    query = (
        select(OutboxMessage)
        .order_by(OutboxMessage.id.desc())
        .limit(200)
        # the list shows subject and state; the text and HTML parts are read when opened
        .options(defer(OutboxMessage.body), defer(OutboxMessage.body_html))
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    counts = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "notifications/outbox.html",
        messages=db.session.scalars(query).all(),
        counts=counts,
        status=status,
        statuses=list(OutboxStatus),
        mail_configured=bool(current_app.config.get("MAIL_SERVER")),
        form=Form(),
    )


@bp.route("/admin/utkorg/<int:message_id>/forsok-igen", methods=["POST"])
@require("manage_outbox")
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not Form().validate_on_submit():
        abort(400)
    services.retry(message)
    flash("Meddelandet skickas igen vid nästa utskick.", "success")
    return redirect(url_for("notifications.outbox"))


@bp.get("/admin/utkorg/<int:message_id>")
@require("manage_outbox")
def message(message_id: int):
    """One message as it was queued: recipient, subject, both parts, status."""
    return render_template(
        "notifications/message.html",
        message=db.get_or_404(OutboxMessage, message_id),
    )
