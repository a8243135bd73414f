"""Beredning pages: comments, sharing a draft, review actions, history.

Every route: capability → the application (404 unless visible) → form → service →
redirect; the request commits once afterwards (``core/transaction``).
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from finsam_ansokan.applications import overview_parts
from finsam_ansokan.applications.loaders import visible_or_404
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.tabs import tabs_for
from finsam_ansokan.core.errors import DomainError, DomainErrors, NotAllowed
from finsam_ansokan.core.forms import apply_domain_error
from finsam_ansokan.core.money import InvalidAmount, format_number, parse_amount
from finsam_ansokan.core.permissions import require
from finsam_ansokan.core.security import safe_next
from finsam_ansokan.core.transaction import refused, refused_form
from finsam_ansokan.extensions import db

from . import policy, services
from .forms import SECTION_TITLES, CommentForm, ReplyForm, RequestInformationForm, assessment_form
from .models import AssessmentKind, AssessmentStage, Comment

bp = Blueprint("review", __name__, url_prefix="/ansokningar/<int:application_id>")

#: The application page offers to share a draft for comments (``review/_share.html``).
overview_parts.register("can_share", policy.can_share)


def _comments_page(application: Application, form: CommentForm | None = None, status: int = 200):
    if form is None:
        form = CommentForm()
        if request.args.get("avsnitt") in SECTION_TITLES:
            form.section.data = request.args["avsnitt"]
    # everything on this page has now been seen (committed only with a successful response)
    services.mark_read(application, current_user, SECTION_TITLES)
    return (
        render_template(
            "review/comments.html",
            application=application,
            tabs=tabs_for(current_user, application),
            comments=services.comments_for(application, current_user),
            form=form,
            reply_form=ReplyForm(),
            section_titles=SECTION_TITLES,
            can_comment=policy.can_comment(current_user, application),
            can_write_internal=policy.can_write_internal(current_user, application),
            can_share=policy.can_share(current_user, application),
            private_draft=policy.is_private_draft(application),
        ),
        status,
    )


@bp.get("/kommentarer")
@require("view_application")
def comments(application_id: int):
    return _comments_page(visible_or_404(application_id))


@bp.post("/kommentarer")
@require("comment")
def add_comment(application_id: int):
    application = visible_or_404(application_id)
    if not policy.can_comment(current_user, application):
        abort(403)
    form = CommentForm()
    if form.parent_id.data:
        form = ReplyForm()
    if not form.validate_on_submit():
        return _comments_page(application, form if isinstance(form, CommentForm) else None, 400)
    parent = None
    if form.parent_id.data:
        try:
            parent = db.session.get(Comment, int(form.parent_id.data))
        except ValueError:
            parent = None
        if parent is None or parent.application_id != application.id:
            abort(404)
        if parent.internal and not policy.can_read_internal(current_user):
            abort(404)
    try:
        comment = services.add_comment(
            application,
            actor=current_user,
            body=form.body.data,
            section=getattr(form, "section", None) and form.section.data,
            internal=getattr(form, "visibility", None) is not None
            and form.visibility.data == "intern",
            parent=parent,
        )
    except NotAllowed:
        abort(403)
    except DomainError as exc:
        if isinstance(form, CommentForm):
            refused_form(form, exc)
            return _comments_page(application, form, 400)
        return refused(exc, url_for("review.comments", application_id=application.id))
    flash("Din kommentar är sparad.", "success")
    return redirect(
        url_for("review.comments", application_id=application.id, _anchor=f"kommentar-{comment.id}")
    )


@bp.route("/kommentarer/<int:comment_id>/status", methods=["POST"])
@require("comment")
def resolve_comment(application_id: int, comment_id: int):
    application = visible_or_404(application_id)
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.application_id != application.id:
        abort(404)
    if comment.internal and not policy.can_read_internal(current_user):
        abort(404)
    resolved = request.form.get("resolved") == "1"
    try:
        services.set_resolved(comment, resolved, actor=current_user, application=application)
    except NotAllowed:
        abort(403)
    flash(
        "Kommentaren är markerad som löst." if resolved else "Kommentaren är öppnad igen.",
        "success",
    )
    return redirect(
        url_for("review.comments", application_id=application.id, _anchor=f"kommentar-{comment.id}")
    )


@bp.route("/delning", methods=["POST"])
@require("create_application")
def share(application_id: int):
    application = visible_or_404(application_id)
    shared = request.form.get("shared") == "1"
    try:
        services.set_shared(application, shared, actor=current_user)
    except NotAllowed:
        abort(403)
    flash(
        "Utkastet är delat med beredningsgruppen. De kan läsa och kommentera medan du fortsätter "
        "skriva."
        if shared
        else "Utkastet delas inte längre med beredningsgruppen.",
        "success",
    )
    return redirect(
        safe_next(
            request.form.get("next"), url_for("review.comments", application_id=application.id)
        )
    )


def _amount_defaults(amounts: dict[int, Decimal]) -> dict[str, str]:
    """Amount fields filled in beforehand, so the usual case is one click."""
    return {f"amount_{year}": format_number(amount) for year, amount in amounts.items()}


def _review_page(
    application: Application,
    *,
    info_form=None,
    recommendation_form=None,
    proposal_form=None,
    status: int = 200,
):
    requested = services.requested_by_year(application)
    years = list(requested)
    recommendation = services.latest_assessment(application, AssessmentStage.RECOMMENDATION)
    # the proposal starts from the beredningsgrupp's amounts when there are any
    proposal_defaults = (
        {a.year: a.amount for a in recommendation.amounts}
        if recommendation and recommendation.amounts
        else requested
    )
    return (
        render_template(
            "review/review.html",
            application=application,
            tabs=tabs_for(current_user, application),
            requested=requested,
            info_form=info_form or RequestInformationForm(),
            recommendation_form=recommendation_form
            or assessment_form(
                AssessmentStage.RECOMMENDATION, years, data=_amount_defaults(requested)
            ),
            proposal_form=proposal_form
            or assessment_form(
                AssessmentStage.PROPOSAL, years, data=_amount_defaults(proposal_defaults)
            ),
            recommendation=recommendation,
            proposal=services.latest_assessment(application, AssessmentStage.PROPOSAL),
            can_review=policy.can_review(current_user, application),
            can_start_review=policy.can_start_review(current_user, application),
            can_request_information=policy.can_request_information(current_user, application),
            can_recommend=policy.can_recommend(current_user, application),
            can_propose=policy.can_propose(current_user, application),
            years=years,
        ),
        status,
    )


@bp.route("/beredning")
@require("view_review")
def review(application_id: int):
    return _review_page(visible_or_404(application_id))


@bp.route("/beredning/ta-upp", methods=["POST"])
@require("review_applications")
def start_review(application_id: int):
    application = visible_or_404(application_id)
    try:
        services.start_review(application, actor=current_user)
    except NotAllowed:
        abort(403)
    except DomainError as exc:
        return refused(exc, url_for("review.review", application_id=application.id))
    flash("Ansökan är under beredning.", "success")
    return redirect(url_for("review.review", application_id=application.id))


@bp.route("/beredning/komplettering", methods=["POST"])
@require("review_applications")
def request_information(application_id: int):
    application = visible_or_404(application_id)
    form = RequestInformationForm()
    if not form.validate_on_submit():
        return _review_page(application, info_form=form, status=400)
    try:
        services.request_information(application, actor=current_user, message=form.message.data)
    except NotAllowed:
        abort(403)
    except DomainError as exc:
        refused_form(form, exc)
        return _review_page(application, info_form=form, status=400)
    flash("Komplettering är begärd. Den sökande har fått besked.", "success")
    return redirect(url_for("review.review", application_id=application.id))


def _amounts(form, years: list[int]) -> tuple[dict[int, Decimal | None], list]:
    """The amounts typed per year, and a ``(field, message)`` for each that is no amount."""
    amounts: dict[int, Decimal | None] = {}
    problems = []
    for year in years:
        field = getattr(form, f"amount_{year}")
        try:
            amounts[year] = parse_amount(field.data, whole_kronor=True)
        except InvalidAmount as exc:
            problems.append((f"amount_{year}", str(exc)))
    return amounts, problems


def _kind(form) -> AssessmentKind | None:
    try:
        return AssessmentKind(form.kind.data)
    except ValueError:
        return None


@bp.route("/beredning/<stage>", methods=["POST"])
@require("review_applications")
def assess(application_id: int, stage: str):
    application = visible_or_404(application_id)
    try:
        stage_ = AssessmentStage(stage)
    except ValueError:
        abort(404)
    years = list(services.requested_by_year(application))
    form = assessment_form(stage_, years)
    forms = {
        AssessmentStage.RECOMMENDATION: "recommendation_form",
        AssessmentStage.PROPOSAL: "proposal_form",
    }
    form_ok = form.validate_on_submit()
    amounts, problems = _amounts(form, years)
    if not form_ok or problems:
        # every problem at once: the form's, the unreadable amounts and the service's
        # verdict on the readable ones
        problems += services.amount_problems(application, _kind(form), amounts)
        if problems:
            apply_domain_error(form, DomainErrors(problems))
        return _review_page(application, **{forms[stage_]: form}, status=400)
    try:
        services.assess(
            application,
            actor=current_user,
            stage=stage_,
            kind=AssessmentKind(form.kind.data),
            motivation=form.motivation.data,
            amounts=amounts,
        )
    except NotAllowed:
        abort(403)
    except DomainError as exc:
        refused_form(form, exc)
        return _review_page(application, **{forms[stage_]: form}, status=400)
    flash(
        "Rekommendationen är sparad."
        if stage_ is AssessmentStage.RECOMMENDATION
        else "Förslaget till beslut är sparat och ärendet är klart för beslut.",
        "success",
    )
    return redirect(url_for("review.review", application_id=application.id))


@bp.route("/historik")
@require("view_application")
def history(application_id: int):
    application = visible_or_404(application_id)
    return render_template(
        "review/history.html",
        application=application,
        tabs=tabs_for(current_user, application),
        events=services.timeline(application, current_user),
    )
