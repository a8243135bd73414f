"""Delegation: the delegationsordning, a delegationsbeslut on a case, its letter, and the
anmälan of delegationsbeslut on a meeting's agenda."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from finsam_ansokan.accounts.models import User, UserRole
from finsam_ansokan.applications import overview_parts
from finsam_ansokan.applications.loaders import visible_or_404
from finsam_ansokan.budget.services import active_huvudomraden
from finsam_ansokan.core.errors import DomainError
from finsam_ansokan.core.pdf import pdf_response, render_pdf
from finsam_ansokan.core.permissions import can, require
from finsam_ansokan.core.roles import Role
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.core.transaction import refused, refused_form
from finsam_ansokan.extensions import db
from finsam_ansokan.followup import agreements
from finsam_ansokan.review.models import AssessmentStage
from finsam_ansokan.review.services import latest_assessment, requested_by_year

from . import delegation, minutes, policy
from .forms import decided_amounts, decision_form, delegation_order_form
from .models import DELEGATION_KINDS, Meeting

bp = Blueprint("delegation", __name__, url_prefix="/delegation")
case_bp = Blueprint(
    "delegation_case", __name__, url_prefix="/ansokningar/<int:application_id>/delegationsbeslut"
)


# --- the delegationsordning ------------------------------------------------------------------


@bp.get("/")
@require("view_delegation")
def index():
    order = delegation.current_order()
    year = today().year
    used = {
        limit.huvudomrade_id: delegation.used_by_year(limit.huvudomrade_id, [year]).get(
            year, Decimal(0)
        )
        for limit in (order.limits if order else [])
    }
    return render_template(
        "meetings/delegation.html",
        order=order,
        orders=delegation.orders(),
        used=used,
        year=year,
        decisions=delegation.decisions_of_year(year),
    )


def _order_form(**kwargs):
    areas = [(a.id, a.name) for a in active_huvudomraden()]
    delegates = db.session.execute(
        select(User.id, User.name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.KANSLI.value, User.active.is_(True))
        .order_by(User.name)
    ).all()
    return areas, delegation_order_form(areas, [(d.id, d.name) for d in delegates], **kwargs)


@bp.route("/ny", methods=["GET", "POST"])
@require("manage_delegation")
def new_order():
    areas, form = _order_form()
    chef = agreements.forbundschef()
    if not form.is_submitted() and chef is not None:
        form.delegate_id.data = chef.id  # the förbundschef, as a rule
    if form.validate_on_submit():
        limits = []
        for area_id, _name in areas:
            per_case = getattr(form, f"case_{area_id}").data
            per_year = getattr(form, f"year_{area_id}").data
            if per_case is None and per_year is None:
                continue
            limits.append(
                delegation.LimitData(
                    area_id,
                    per_case if per_case is not None else Decimal(0),
                    per_year if per_year is not None else Decimal(0),
                )
            )
        try:
            delegation.adopt_order(
                adopted_by=form.adopted_by.data,
                adopted_on=form.adopted_on.data,
                valid_from=form.valid_from.data,
                delegate=db.session.get(User, form.delegate_id.data),
                limits=limits,
                actor=current_user,
            )
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash("Delegationsordningen är sparad.", "success")
            return redirect(url_for("delegation.index"), code=303)
    status = 422 if form.errors else 200
    return render_template("meetings/delegation_form.html", form=form, areas=areas), status


# --- a delegationsbeslut ---------------------------------------------------------------------


def _form(application, **kwargs):
    form = decision_form(
        list(requested_by_year(application)), prefix="delegation", kinds=DELEGATION_KINDS, **kwargs
    )
    return form


def _prefilled(application, form):
    proposal = latest_assessment(application, AssessmentStage.PROPOSAL)
    if proposal is not None:
        if proposal.kind in {k.value for k in DELEGATION_KINDS}:
            form.kind.data = proposal.kind
        for amount in proposal.amounts:
            field = getattr(form, f"amount_{amount.year}", None)
            if field is not None and amount.amount:
                field.data = f"{int(amount.amount)}"
    return form


def _decide_page(application, form, status: int = 200):
    limit = delegation.limit_for(application, current_user)
    years = list(requested_by_year(application))
    used = delegation.used_by_year(limit.huvudomrade_id, years) if limit else {}
    return render_template(
        "meetings/delegation_decide.html",
        application=application,
        form=form,
        order=delegation.current_order(),
        limit=limit,
        used=used,
        years=years,
        proposal=latest_assessment(application, AssessmentStage.PROPOSAL),
        may_decide=delegation.may_decide(current_user, application),
    ), status


@case_bp.route("", methods=["GET", "POST"])
@require("decide_by_delegation")
def decide(application_id: int):
    application = visible_or_404(application_id)
    decision = delegation.for_application(application)
    if decision is not None:
        return redirect(url_for("decisions.show_decision", application_id=application.id))
    form = _form(application)
    if not form.is_submitted():
        return _decide_page(application, _prefilled(application, form))
    if not form.validate():
        return _decide_page(application, form, 422)
    amounts = decided_amounts(form, requested_by_year(application))
    if amounts is None:
        return _decide_page(application, form, 422)
    try:
        decision = delegation.decide(
            application,
            kind=form.kind.data,
            amounts=amounts,
            motivation=form.motivation.data,
            villkor=form.villkor.data,
            actor=current_user,
        )
    except DomainError as exc:
        refused_form(form, exc)
        return _decide_page(application, form, 422)
    flash(
        f"Delegationsbeslut {decision.label}: {decision.kind_enum.outcome}. Beslutet gäller "
        "direkt och anmäls till styrelsen vid nästa sammanträde.",
        "success",
    )
    return redirect(url_for("decisions.show_decision", application_id=application.id), code=303)


@case_bp.get("/beslutsbrev.pdf")
@require("view_application")
def letter(application_id: int):
    application = visible_or_404(application_id, policy.can_read_decision)
    decision = delegation.for_application(application)
    if decision is None:
        abort(404)
    document = minutes.delegation_letter_document(decision)
    return pdf_response(
        render_pdf("meetings/delegationsbeslut_pdf.html", doc=document),
        f"{document.file_stem}.pdf",
    )


# --- the anmälan on a meeting's agenda -------------------------------------------------------


@bp.post("/anmalan/<int:meeting_id>")
@require("manage_meetings")
def report(meeting_id: int):
    meeting = db.session.get(Meeting, meeting_id) or abort(404)
    target = url_for("meetings.show", meeting_id=meeting.id, _anchor="dagordning")
    try:
        item = delegation.report_unreported(meeting, actor=current_user)
    except DomainError as exc:
        return refused(exc, target)
    flash(
        f"{len(item.delegation_decisions)} delegationsbeslut anmäls under punkten "
        f"{delegation.REPORT_TITLE}.",
        "success",
    )
    return redirect(target, code=303)


@bp.app_template_global("delegation_decision_of")
def delegation_decision_of(application):
    """For ``meetings/_decision.html``: the case's delegationsbeslut (final when made)."""
    return delegation.for_application(application)


def _may_decide(user, application) -> bool:
    """The application page's *Beslut på delegation* button."""
    return can("decide_by_delegation", user) and delegation.may_decide(user, application)


overview_parts.register("can_decide_by_delegation", _may_decide)
