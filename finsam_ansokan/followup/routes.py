"""Follow-up pages of a granted project: overview, schedule, reports, payment requests.

Every route: capability → the project (404 unless the user may see its follow-up) → form →
service → redirect; the request commits once afterwards (``core/transaction``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from finsam_ansokan.accounts.guard import fresh_auth_required
from finsam_ansokan.applications import overview_parts
from finsam_ansokan.applications.loaders import visible_or_404
from finsam_ansokan.applications.models import Application
from finsam_ansokan.applications.status import Status
from finsam_ansokan.applications.tabs import tabs_for
from finsam_ansokan.core.errors import DomainError, NotAllowed
from finsam_ansokan.core.money import format_money
from finsam_ansokan.core.pdf import pdf_response
from finsam_ansokan.core.permissions import can, require
from finsam_ansokan.core.timeutil import today
from finsam_ansokan.core.transaction import keep_changes, refused, refused_form
from finsam_ansokan.extensions import db

from . import agreements, policy, services
from .forms import DueDateForm, MessageForm, PaidForm, payment_request_form, report_form
from .models import Agreement, PaymentRequest, Report

bp = Blueprint("followup", __name__, url_prefix="/ansokningar/<int:application_id>/uppfoljning")
lists_bp = Blueprint("followup_lists", __name__, url_prefix="/uppfoljning")


def _application(application_id: int) -> Application:
    """The project, or 404 for anyone who may not see its follow-up."""
    return visible_or_404(application_id, policy.can_view)


def _report(application: Application, report_id: int) -> Report:
    report = db.session.get(Report, report_id)
    if report is None or report.application_id != application.id:
        abort(404)
    return report


def _payment(application: Application, payment_id: int) -> PaymentRequest:
    payment = db.session.get(PaymentRequest, payment_id)
    if payment is None or payment.application_id != application.id:
        abort(404)
    return payment


def _overview(application_id: int) -> str:
    return url_for("followup.show", application_id=application_id)


@dataclass(frozen=True)
class Summary:
    """What ``followup/_summary.html`` shows: the money per year and the reports."""

    money: services.MoneySummary
    reports: list[Report]
    #: The project is closed: what was not used has gone back to the budget.
    closed: bool


def _summary(application: Application) -> Summary:
    return Summary(
        money=services.money_summary(application),
        reports=services.reports_for(application),
        closed=Status(application.status) is Status.AVSLUTAD,
    )


def _summary_on_application_page(user: Any, application: Application) -> Summary | None:
    if not (can("view_followup", user) and policy.can_view(user, application)):
        return None
    return _summary(application)


overview_parts.register("followup", _summary_on_application_page)


def _case(application: Application) -> dict[str, Any]:
    """What the case header (``applications/_case_header.html``) needs."""
    return {"application": application, "tabs": tabs_for(current_user, application)}


# --- overview and schedule -------------------------------------------------------------------


@bp.get("")
@require("view_followup")
def show(application_id: int):
    application = _application(application_id)
    return render_template(
        "followup/show.html",
        **_case(application),
        followup=_summary(application),
        payments=services.payments_for(application),
        awaits_start=policy.awaits_start(current_user, application),
        can_schedule=policy.can_schedule(current_user, application),
        can_request_payment=policy.can_request_payment(current_user, application),
        payment_gate=services.agreement_gate(application),
        agreement_list=agreements.agreements_for(application),
        due_form=DueDateForm(),
        today=today(),
    )


@bp.post("/schema")
@require("manage_followup")
def create_schedule(application_id: int):
    application = _application(application_id)
    try:
        reports = services.create_schedule(application, actor=current_user)
    except DomainError as exc:
        return refused(exc, _overview(application_id))
    flash(f"Rapportschemat är skapat med {len(reports)} rapporter.", "success")
    return redirect(_overview(application_id))


@bp.post("/rapporter")
@require("manage_followup")
def add_report(application_id: int):
    application = _application(application_id)
    form = DueDateForm()
    if not form.validate_on_submit():
        flash(" ".join(form.due_date.errors) or "Ange ett datum.", "error")
        return redirect(_overview(application_id))
    try:
        services.add_report(application, form.due_date.data, actor=current_user)
    except DomainError as exc:
        return refused(exc, _overview(application_id))
    flash(f"En lägesrapport ska lämnas {form.due_date.data.isoformat()}.", "success")
    return redirect(_overview(application_id))


@bp.post("/rapporter/<int:report_id>/datum")
@require("manage_followup")
def set_due_date(application_id: int, report_id: int):
    application = _application(application_id)
    report = _report(application, report_id)
    form = DueDateForm()
    if not form.validate_on_submit():
        flash(" ".join(form.due_date.errors) or "Ange ett datum.", "error")
        return redirect(_overview(application_id))
    try:
        services.set_due_date(report, form.due_date.data, actor=current_user)
    except DomainError as exc:
        return refused(exc, _overview(application_id))
    flash(f"{report.kind_label} ska nu lämnas {report.due_date.isoformat()}.", "success")
    return redirect(_overview(application_id))


@bp.post("/rapporter/<int:report_id>/ta-bort")
@require("manage_followup")
def remove_report(application_id: int, report_id: int):
    application = _application(application_id)
    report = _report(application, report_id)
    try:
        services.remove_report(report, actor=current_user)
    except DomainError as exc:
        return refused(exc, _overview(application_id))
    flash("Rapporten är borttagen ur schemat.", "success")
    return redirect(_overview(application_id))


# --- reports --------------------------------------------------------------------------------


@bp.get("/rapporter/<int:report_id>")
@require("view_followup")
def report(application_id: int, report_id: int):
    application = _application(application_id)
    return _report_page(_report(application, report_id))


def _report_page(report: Report, message_form: MessageForm | None = None, status: int = 200):
    return (
        render_template(
            "followup/report.html",
            **_case(report.application),
            report=report,
            granted=services.report_years(report),
            can_write=policy.can_write(current_user, report),
            can_decide=policy.can_decide_report(current_user, report),
            message_form=message_form or MessageForm(),
        ),
        status,
    )


@bp.route("/rapporter/<int:report_id>/skriv", methods=["GET", "POST"])
@require("write_reports")
def edit_report(application_id: int, report_id: int):
    application = _application(application_id)
    report = _report(application, report_id)
    if not policy.is_own(current_user, application):
        abort(403)
    if not policy.can_write(current_user, report):
        flash("Rapporten kan inte ändras nu.", "error")
        return redirect(
            url_for("followup.report", application_id=application.id, report_id=report.id)
        )
    granted = services.report_years(report)  # only the years the report covers
    form = report_form(granted, obj=report if request.method == "GET" else None)
    if request.method == "GET":
        form.lock_version.data = report.lock_version
        for year in granted:
            form[f"cost_{year}"].data = report.cost_for(year)
        return _report_form_page(report, form, granted)
    if not form.validate_on_submit():
        return _report_form_page(report, form, granted, status=400)
    data = services.ReportData(
        lock_version=_int_or_none(form.lock_version.data),
        period_start=form.period_start.data,
        period_end=form.period_end.data,
        participants_women=form.participants_women.data,
        participants_men=form.participants_men.data,
        goal_fulfilment=form.goal_fulfilment.data,
        gender_work=form.gender_work.data,
        implementation_status=form.implementation_status.data,
        costs={year: form[f"cost_{year}"].data for year in granted},
    )
    submitting = request.form.get("action") == "skicka"
    try:
        services.save_report(report, data, actor=current_user)
        if submitting:
            services.submit_report(report, actor=current_user)
    except NotAllowed:
        abort(403)
    except services.IncompleteReport as exc:
        keep_changes()  # the draft is kept; only the submission is refused
        form.lock_version.data = report.lock_version
        for field_name, message in exc.problems:
            form[field_name].errors = [*form[field_name].errors, message]
        form.form_errors.append("Utkastet är sparat, men rapporten kan inte skickas in ännu.")
        return _report_form_page(report, form, granted, status=400)
    except DomainError as exc:
        refused_form(form, exc)
        return _report_form_page(report, form, granted, status=400)
    if not submitting:
        flash("Utkastet är sparat.", "success")
        return redirect(
            url_for("followup.edit_report", application_id=application.id, report_id=report.id)
        )
    flash(f"{report.kind_label}en är inskickad till kansliet.", "success")
    return redirect(url_for("followup.report", application_id=application.id, report_id=report.id))


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _report_form_page(report: Report, form, granted, status: int = 200):
    cost_fields = [form[f"cost_{year}"] for year in granted]
    return (
        render_template(
            "followup/report_form.html",
            **_case(report.application),
            report=report,
            form=form,
            granted=granted,
            cost_fields=cost_fields,
            totals=services.report_totals(
                form.participants_women.data,
                form.participants_men.data,
                [f.data for f in cost_fields],
            ),
        ),
        status,
    )


@bp.post("/rapporter/<int:report_id>/godkann")
@require("manage_followup")
def approve_report(application_id: int, report_id: int):
    application = _application(application_id)
    report = _report(application, report_id)
    if report.is_final and request.form.get("bekraftat") != "1":
        # closing the project cannot be undone: ask first, and say what is still missing
        return render_template(
            "followup/close_confirm.html",
            **_case(application),
            report=report,
            unsent=services.unsent_reports(application, besides=report),
        )
    try:
        closing = services.approve_report(report, actor=current_user)
    except DomainError as exc:
        return refused(
            exc, url_for("followup.report", application_id=application.id, report_id=report_id)
        )
    if closing is None:
        flash(f"{report.kind_label}en är godkänd.", "success")
    else:
        returned = ", ".join(f"{format_money(a)} ({y})" for y, a in closing.returned.items())
        flash(
            "Slutrapporten är godkänd och insatsen avslutad."
            + (f" Återfört till budgeten: {returned}." if returned else ""),
            "success",
        )
    return redirect(_overview(application.id))


@bp.post("/rapporter/<int:report_id>/komplettering")
@require("manage_followup")
def request_more(application_id: int, report_id: int):
    application = _application(application_id)
    report = _report(application, report_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _report_page(report, form, 400)
    try:
        services.request_more(report, form.message.data, actor=current_user)
    except DomainError as exc:
        refused_form(form, exc)
        return _report_page(report, form, 400)
    flash("Projektägaren har ombetts att komplettera rapporten.", "success")
    return redirect(_overview(application.id))


# --- payment requests -------------------------------------------------------------------------


@bp.route("/rekvisitioner/ny", methods=["GET", "POST"])
@require("request_payment")
def new_payment(application_id: int):
    application = _application(application_id)
    if not policy.is_own(current_user, application):
        abort(403)
    if not policy.can_request_payment(current_user, application):
        flash("Utbetalning kan bara begäras medan insatsen pågår.", "error")
        return redirect(_overview(application.id))
    gate = services.agreement_gate(application)
    if gate is not None:
        flash(gate, "error")
        return redirect(url_for("followup.agreement", application_id=application.id))
    summary = services.money_summary(application)
    form = payment_request_form([r.year for r in summary.rows if r.granted > 0])
    if form.validate_on_submit():
        data = services.PaymentData(
            year=form.year.data,
            period_start=form.period_start.data,
            period_end=form.period_end.data,
            amount=form.amount.data,
            costs_incurred=form.costs_incurred.data,
        )
        try:
            payment = services.request_payment(application, data, actor=current_user)
        except NotAllowed:
            abort(403)
        except DomainError as exc:
            refused_form(form, exc)
        else:
            flash(
                f"Rekvisitionen av {format_money(payment.amount)} är inskickad till kansliet.",
                "success",
            )
            return redirect(_overview(application.id))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "followup/payment_form.html", **_case(application), form=form, summary=summary
        ),
        status,
    )


@bp.get("/rekvisitioner/<int:payment_id>")
@require("view_followup")
def payment(application_id: int, payment_id: int):
    application = _application(application_id)
    return _payment_page(_payment(application, payment_id))


def _payment_page(payment: PaymentRequest, message_form=None, paid_form=None, status=200):
    paid_form = paid_form or PaidForm()
    if paid_form.paid_on.data is None and not paid_form.paid_on.errors:
        paid_form.paid_on.data = today()
    return (
        render_template(
            "followup/payment.html",
            **_case(payment.application),
            payment=payment,
            can_decide=policy.can_decide_payment(current_user, payment),
            can_approve=policy.can_approve_payment(current_user, payment),
            message_form=message_form or MessageForm(),
            paid_form=paid_form,
        ),
        status,
    )


@bp.post("/rekvisitioner/<int:payment_id>/godkann")
@require("manage_followup")
@fresh_auth_required
def approve_payment(application_id: int, payment_id: int):
    application = _application(application_id)
    payment = _payment(application, payment_id)
    back = url_for("followup.payment", application_id=application.id, payment_id=payment_id)
    try:
        services.approve_payment(payment, actor=current_user)
    except DomainError as exc:
        return refused(exc, back)
    flash("Rekvisitionen är godkänd. Registrera utbetalningen när den är gjord.", "success")
    return redirect(back)


@bp.post("/rekvisitioner/<int:payment_id>/aterfor")
@require("manage_followup")
def return_payment(application_id: int, payment_id: int):
    application = _application(application_id)
    payment = _payment(application, payment_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _payment_page(payment, message_form=form, status=400)
    try:
        services.return_payment(payment, form.message.data, actor=current_user)
    except DomainError as exc:
        refused_form(form, exc)
        return _payment_page(payment, message_form=form, status=400)
    flash("Rekvisitionen är återförd till projektägaren.", "success")
    return redirect(_overview(application.id))


@bp.post("/rekvisitioner/<int:payment_id>/utbetald")
@require("manage_followup")
def record_payment(application_id: int, payment_id: int):
    application = _application(application_id)
    payment = _payment(application, payment_id)
    form = PaidForm()
    if not form.validate_on_submit():
        return _payment_page(payment, paid_form=form, status=400)
    try:
        services.record_payment(payment, form.paid_on.data, actor=current_user)
    except DomainError as exc:
        refused_form(form, exc)
        return _payment_page(payment, paid_form=form, status=400)
    flash(
        f"Utbetalningen av {format_money(payment.amount)} är registrerad "
        f"{payment.paid_on.isoformat()}.",
        "success",
    )
    return redirect(_overview(application.id))


# --- the överenskommelse ----------------------------------------------------------------------


def _agreement(application: Application, agreement_id: int) -> Agreement:
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None or agreement.application_id != application.id:
        abort(404)
    return agreement


def _agreement_url(application_id: int) -> str:
    return url_for("followup.agreement", application_id=application_id)


@bp.get("/overenskommelse")
@require("view_followup")
def agreement(application_id: int):
    application = _application(application_id)
    rows = agreements.agreements_for(application)
    return render_template(
        "followup/agreement.html",
        **_case(application),
        agreements=[
            {
                "agreement": row,
                "parties": agreements.parties(row),
                "can_accept_applicant": agreements.can_accept_for_applicant(current_user, row),
                "can_accept_forbund": agreements.can_accept_for_forbund(current_user, row),
            }
            for row in rows
        ],
        payment_gate=services.agreement_gate(application),
        no_signatory=agreements.signatory_of(application) is None,
        can_name_signatory=can("manage_organisations"),
    )


@bp.get("/overenskommelse/<int:agreement_id>.pdf")
@require("view_followup")
def agreement_pdf(application_id: int, agreement_id: int):
    application = _application(application_id)
    row = _agreement(application, agreement_id)
    if row.outside_system:
        abort(404)  # agreed on paper: there is no text here to print
    data = agreements.pdf(row)
    number = (application.diarienummer or str(application.id)).replace("/", "-")
    return pdf_response(data, f"overenskommelse-{number}-{row.id}.pdf")


@bp.post("/overenskommelse/<int:agreement_id>/godkann")
@require("accept_agreement")
@fresh_auth_required
def accept_agreement(application_id: int, agreement_id: int):
    application = _application(application_id)
    row = _agreement(application, agreement_id)
    try:
        agreements.accept_for_applicant(row, actor=current_user)
    except DomainError as exc:
        return refused(exc, _agreement_url(application.id))
    flash(_accepted_message(row, "projektägaren"), "success")
    return redirect(_agreement_url(application.id))


@bp.post("/overenskommelse/<int:agreement_id>/godkann-for-forbundet")
@require("accept_agreement_for_forbund")
@fresh_auth_required
def accept_agreement_for_forbund(application_id: int, agreement_id: int):
    application = _application(application_id)
    row = _agreement(application, agreement_id)
    try:
        agreements.accept_for_forbund(row, actor=current_user)
    except DomainError as exc:
        return refused(exc, _agreement_url(application.id))
    flash(_accepted_message(row, "förbundet"), "success")
    return redirect(_agreement_url(application.id))


def _accepted_message(row: Agreement, side: str) -> str:
    if row.is_accepted:
        return "Överenskommelsen är godkänd av båda parter. Medel kan nu rekvireras."
    return f"Överenskommelsen är godkänd för {side}. Den andra parten ska också godkänna den."


# --- the kansli's lists -------------------------------------------------------------------------


@lists_bp.get("")
@require("list_followup")
def index():
    return render_template(
        "followup/lists.html",
        payments=services.payments_awaiting(),
        to_review=services.reports_awaiting_review(),
        overdue=services.overdue_reports(),
        agreements=agreements.awaiting_acceptance(),
        today=today(),
    )
